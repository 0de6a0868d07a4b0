"""How a worker trusts its master's TLS certificate: one SSL context for the link and the
artifact downloads alike, so the two can never disagree. Verification is never turned off.

The master passes ``HAZE_MASTER_CA``: its ``tls.ca``, or else its certificate file itself,
which is how a self-signed or private-CA certificate is trusted. Without it the system's CAs
apply, as for any HTTPS client.
"""

import ssl


def master_ssl_context(ca_file: str | None = None) -> ssl.SSLContext:
    """A verifying client context: ``ca_file`` as the only trust anchors, else the system's CAs.
    Raises OSError (ssl.SSLError is one) when ``ca_file`` cannot be read or holds no certificate."""
    context = ssl.create_default_context(cafile=ca_file or None)
    if ca_file:
        # The file may be the master's own certificate rather than a CA's (tls.cert when no
        # tls.ca is set). One a CA issued is a trust anchor by itself only with partial
        # chains allowed; the host name and validity dates are checked all the same.
        context.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN
    return context
