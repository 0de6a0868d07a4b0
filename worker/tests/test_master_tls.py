"""The worker's trust in a TLS master: the link (wss://) and artifact downloads (https://)
verify the master's certificate with HAZE_MASTER_CA, and fail when it does not vouch for it.

Real certificates made with ``openssl``, a real HTTPS server and a real WebSocket server on
loopback; no Spark.
"""

import contextlib
import hashlib
import http.server
import shutil
import ssl
import subprocess
import threading

import pytest
from websockets.sync.server import serve

from haze_worker.artifacts import ArtifactCache, ArtifactError
from haze_worker.link import Link
from haze_worker.master_tls import master_ssl_context

ARTIFACT = b"def answer(spark):\n    return 42\n"
SHA1 = hashlib.sha1(ARTIFACT).hexdigest()
EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1"]


def _openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    """A CA, a server certificate it issued for 127.0.0.1 and localhost, and an unrelated CA."""
    assert shutil.which("openssl"), "these tests need the openssl command (apt-get install openssl)"
    directory = tmp_path_factory.mktemp("certs")
    for ca in ("ca", "other-ca"):
        _openssl("req", "-x509", *EC, "-keyout", f"{ca}.key", "-out", f"{ca}.pem", "-subj", f"/CN=Haze {ca}", cwd=directory)
    _openssl("req", *EC, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost",
             "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", cwd=directory)
    _openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
             "-copy_extensions", "copy", "-days", "1", "-out", "server.pem", cwd=directory)
    return directory


def _server_context(certs) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certs / "server.pem", certs / "server.key")
    return context


@pytest.fixture(scope="module")
def https_master(certs):
    """Serves the artifact at /artifact.py over HTTPS; yields its base URL by IP address."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Length", str(len(ARTIFACT)))
            self.end_headers()
            self.wfile.write(ARTIFACT)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.socket = _server_context(certs).wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


@contextlib.contextmanager
def _wss_server(certs, host):
    """A WebSocket server over TLS on ``host`` that greets each connection; yields its https:// URL."""

    def greet(connection):
        connection.send("hello from the master")
        for _ in connection:
            pass

    server = serve(greet, host, 0, ssl=_server_context(certs))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://{host}:{server.socket.getsockname()[1]}"
    finally:
        server.shutdown()
        thread.join()


@pytest.fixture(scope="module")
def wss_master(certs):
    with _wss_server(certs, "127.0.0.1") as url:
        yield url


def _download(tmp_path, master_url, context):
    cache = ArtifactCache(str(tmp_path / "cache"), master_url, ssl_context=context)
    return cache.fetch({"name": "answer.py", "sha1": SHA1, "url": "/artifact.py"}, lambda: None)


def test_the_context_always_verifies(certs):
    for context in (master_ssl_context(None), master_ssl_context(str(certs / "ca.pem"))):
        assert context.verify_mode == ssl.CERT_REQUIRED
        assert context.check_hostname is True


def test_an_unreadable_ca_file_is_an_error(tmp_path):
    with pytest.raises(OSError):
        master_ssl_context(str(tmp_path / "missing.pem"))


def test_download_trusting_the_ca(certs, https_master, tmp_path):
    path = _download(tmp_path, https_master, master_ssl_context(str(certs / "ca.pem")))
    with open(path, "rb") as downloaded:
        assert downloaded.read() == ARTIFACT


def test_download_trusting_the_certificate_itself(certs, https_master, tmp_path):
    # What the master passes when tls.ca is not set: its certificate, which a CA issued.
    path = _download(tmp_path, https_master, master_ssl_context(str(certs / "server.pem")))
    with open(path, "rb") as downloaded:
        assert downloaded.read() == ARTIFACT


def test_download_refuses_a_certificate_the_ca_file_does_not_vouch_for(certs, https_master, tmp_path):
    with pytest.raises(ArtifactError, match="CERTIFICATE_VERIFY_FAILED"):
        _download(tmp_path, https_master, master_ssl_context(str(certs / "other-ca.pem")))


def test_download_without_a_ca_file_uses_the_system_cas(https_master, tmp_path):
    with pytest.raises(ArtifactError, match="CERTIFICATE_VERIFY_FAILED"):
        _download(tmp_path, https_master, master_ssl_context(None))


def test_link_over_wss_trusting_the_ca(certs, wss_master):
    link = Link(wss_master, open_timeout=5, ssl_context=master_ssl_context(str(certs / "ca.pem")))
    try:
        assert link.receive() == "hello from the master"
    finally:
        link.close()


def test_link_refuses_a_certificate_the_ca_file_does_not_vouch_for(certs, wss_master):
    with pytest.raises(ssl.SSLCertVerificationError):
        Link(wss_master, open_timeout=5, ssl_context=master_ssl_context(str(certs / "other-ca.pem")))


def test_link_checks_the_host_name(certs):
    # Loopback too, but the certificate names 127.0.0.1 and localhost, not 127.0.0.2.
    with _wss_server(certs, "127.0.0.2") as url:
        with pytest.raises(ssl.SSLCertVerificationError, match="mismatch"):
            Link(url, open_timeout=5, ssl_context=master_ssl_context(str(certs / "ca.pem")))
