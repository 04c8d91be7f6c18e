# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""TLS for both transports: which CA bundle is trusted (`connection_verify`, then `REQUESTS_CA_BUNDLE`,
`CURL_CA_BUNDLE`, `SSL_CERT_FILE`, then certifi's), the client certificate (`connection_cert`), and one
`ssl.SSLContext` per distinct setting (`TLSContexts`), TLS 1.2 or later with hostnames checked. A file that cannot
be loaded is a `ServiceRequestError` naming it.
"""

from __future__ import annotations

import os
import ssl
from typing import Any, Optional, Union, cast

from azure.core.exceptions import ServiceRequestError

__all__ = ["Cert", "TLSContexts", "Verify", "as_cert", "default_ca_bundle", "load_trust", "ssl_context"]

Verify = Union[bool, str]
Cert = Union[None, str, tuple[str, str]]


def as_cert(cert: Any) -> Cert:
    """A client certificate setting in a hashable form (a list of two paths becomes a tuple)."""
    if isinstance(cert, (list, tuple)):
        paths = cast("list[Any]", cert)
        return (str(paths[0]), str(paths[1]))
    return cast(Cert, cert)


def default_ca_bundle(use_env_settings: bool) -> Optional[str]:
    """The CA bundle used when `connection_verify` is True: `REQUESTS_CA_BUNDLE`, `CURL_CA_BUNDLE` or
    `SSL_CERT_FILE` from the environment, else certifi's bundle (requests' default), else None (the system's)."""
    if use_env_settings:
        for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE"):
            value = os.environ.get(name)
            if value:
                return value
    try:
        import certifi  # pylint: disable=import-outside-toplevel
    except ImportError:
        return None
    return certifi.where()


def _unreadable(what: str, path: str, exc: Exception) -> ServiceRequestError:
    """The error for a CA bundle or client certificate that cannot be loaded, naming the file."""
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return ServiceRequestError(f"Could not load the {what} {path!r}: {reason}", error=exc)


def load_trust(context: ssl.SSLContext, verify: Verify, cert: Cert, default_ca: Optional[str]) -> ssl.SSLContext:
    """Load the CA bundle (unless `verify` is False) and the client certificate into a TLS context.

    :raises ~azure.core.exceptions.ServiceRequestError: naming the file, when one cannot be loaded (missing,
     unreadable, not PEM).
    """
    if verify is False:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    else:
        context.verify_mode = ssl.CERT_REQUIRED
        ca = verify if isinstance(verify, str) else default_ca
        if ca is None:
            context.load_default_certs()
        else:
            try:
                if os.path.isdir(ca):
                    context.load_verify_locations(capath=ca)
                else:
                    context.load_verify_locations(cafile=ca)
            except (OSError, ValueError) as exc:  # ssl.SSLError is an OSError
                raise _unreadable("CA bundle", ca, exc) from exc
    if cert is not None:
        try:
            if isinstance(cert, str):
                context.load_cert_chain(cert)
            else:
                context.load_cert_chain(cert[0], cert[1])
        except (OSError, ValueError) as exc:
            raise _unreadable("client certificate", cert if isinstance(cert, str) else cert[0], exc) from exc
    return context


def ssl_context(verify: Verify, cert: Cert, default_ca: Optional[str]) -> ssl.SSLContext:
    """One TLS context for every connection with these settings: TLS 1.2 or later, hostnames checked."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.set_alpn_protocols(["http/1.1"])
    return load_trust(context, verify, cert, default_ca)


class TLSContexts:
    """A transport's TLS contexts: one per distinct (verify, cert) setting, made on first use, all trusting the
    CA bundle chosen when the transport was made (`default_ca_bundle`). At most `MOST_KEPT` are kept, the least
    recently used given up first: a context holds its CA bundle in memory, and calls may pass a new setting every
    time. (A connection or route made with a context given up keeps using it.)"""

    MOST_KEPT = 32

    __slots__ = ("default_ca", "_contexts")

    def __init__(self, use_env_settings: bool) -> None:
        self.default_ca = default_ca_bundle(use_env_settings)
        self._contexts: dict[tuple[Verify, Cert], ssl.SSLContext] = {}  # least recently used first

    def get(self, verify: Verify, cert: Any) -> ssl.SSLContext:
        """The context for these settings (`cert` in any form `as_cert` takes)."""
        key = (verify, as_cert(cert))
        contexts = self._contexts
        context = contexts.pop(key, None)
        if context is None:
            context = ssl_context(key[0], key[1], self.default_ca)
            while len(contexts) >= self.MOST_KEPT:
                del contexts[next(iter(contexts))]
        contexts[key] = context  # now the most recently used
        return context

    def __len__(self) -> int:
        return len(self._contexts)
