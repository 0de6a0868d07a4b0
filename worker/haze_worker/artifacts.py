"""Artifacts on the worker's disk: ``<cache>/<sha1>/<name>``, fetched from the master once.

The cache directory is shared by every worker of the machine, so a file appears there only
complete and verified: it is downloaded to a temporary file in the same directory, its
SHA-1 checked, then renamed into place (an atomic step; concurrent downloads of the same
artifact simply both succeed). Within one worker a lock per SHA-1 keeps two jobs from
downloading the same file at once.
"""

import hashlib
import os
import tempfile
import threading
import urllib.parse
import urllib.request

_CHUNK = 1 << 20
_TIMEOUT_SECONDS = 60


class ArtifactError(Exception):
    """The artifact cannot be had; the message is shown to the user as is."""


class ArtifactCache:
    def __init__(self, directory: str, master_url: str, ssl_context=None, credential: str | None = None):
        self._directory = os.path.abspath(directory)
        self._master_url = master_url
        self._locks = {}
        # The worker's own credential (HAZE_WORKER_CREDENTIAL): it opens artifact downloads only.
        self._headers = {"Authorization": f"Bearer {credential}"} if credential else {}
        self._locks_lock = threading.Lock()
        # Direct connections only: the master is not reached through *_proxy variables.
        # ssl_context verifies an https:// master (see master_tls.py); None: the system's CAs.
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}),
                                                   urllib.request.HTTPSHandler(context=ssl_context))

    def fetch(self, artifact: dict, on_download) -> str:
        """The local path of ``artifact`` ({name, sha1, url}); ``on_download()`` is called
        only when it has to be downloaded."""
        name, sha1 = artifact["name"], artifact["sha1"]
        if name in ("", ".", "..") or "/" in name or "\\" in name or "\0" in name:
            raise ArtifactError(f"invalid artifact name {name!r}")
        path = os.path.join(self._directory, sha1, name)
        with self._lock_for(sha1):
            if not os.path.isfile(path):
                on_download()
                self._download(urllib.parse.urljoin(self._master_url, artifact["url"]), sha1, path)
        return path

    def _lock_for(self, sha1) -> threading.Lock:
        with self._locks_lock:
            return self._locks.setdefault(sha1, threading.Lock())

    def _download(self, url, sha1, path) -> None:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".download-")
        try:
            digest = hashlib.sha1()
            with os.fdopen(descriptor, "wb") as out:
                try:
                    request = urllib.request.Request(url, headers=self._headers)
                    with self._opener.open(request, timeout=_TIMEOUT_SECONDS) as response:
                        while chunk := response.read(_CHUNK):
                            digest.update(chunk)
                            out.write(chunk)
                except OSError as exc:  # URLError, HTTPError and socket errors are OSErrors
                    raise ArtifactError(f"cannot download {os.path.basename(path)} from {url}: {exc}") from exc
            if digest.hexdigest() != sha1:
                raise ArtifactError(
                    f"the downloaded {os.path.basename(path)} has SHA-1 {digest.hexdigest()}, expected {sha1}"
                )
            os.chmod(temporary, 0o644)
            os.replace(temporary, path)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
