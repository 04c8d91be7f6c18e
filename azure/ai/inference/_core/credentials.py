# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""Where credentials may go, as checks (no I/O, no policy): the origin of a URL, loopback hosts, the rule for
credentials over plain http, the check of a key, and the test of "has this request left the origin".

Strategy: a client's credential belongs to the origin (scheme, host and port) of its endpoint. Over plain http,
credentials go only to loopback hosts (127.0.0.0/8, ::1, localhost), unless the client was built with
`enforce_https=False` (`check_endpoint_security`, at construction). A key must be printable ASCII: `check_key`
raises `ValueError`, and no message shows the key. The policies that apply these checks to each request (key,
token, header clean-up and redirect policies) live in `_pipeline`.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from typing import Any, Optional
from urllib.parse import urlsplit

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from azure.core.pipeline import PipelineRequest

__all__: list[str] = []

# The headers that carry a credential; removed from any request that left the endpoint's origin.
CREDENTIAL_HEADERS = ("Authorization", "api-key", "Ocp-Apim-Subscription-Key", "x-ms-authorization-auxiliary")

# azure-core's mark of a redirect that left the original domain; SensitiveHeaderCleanupPolicy acts on it.
_LEFT_ORIGIN = "insecure_domain_change"

_DEFAULT_PORTS = {"http": 80, "https": 443}

Origin = tuple[str, str, int]

PLAIN_HTTP_RULE = "credentials are sent over http:// only to loopback hosts (127.0.0.0/8, ::1, localhost)"


def origin_of(url: str) -> Optional[Origin]:
    """The (scheme, host, port) of a URL, with the scheme's default port filled in; None if it has none."""
    try:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        port = parts.port or _DEFAULT_PORTS.get(scheme)
        host = parts.hostname
    except ValueError:  # a malformed host or port: no origin, so never the endpoint's
        return None
    if not host or port is None:
        return None
    return scheme, host, port


def is_loopback(host: str) -> bool:
    """True for `localhost` and the loopback addresses (127.0.0.0/8, ::1, and ::ffff:127.x.x.x)."""
    if host.lower() == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def check_endpoint_security(endpoint: str, enforce_https: Any, credential: str) -> Origin:
    """The endpoint's origin; ValueError when the `credential` ("key" or "token") would go over http to a host
    that is not loopback."""
    if not isinstance(enforce_https, bool):
        raise TypeError(f"enforce_https must be a bool, not {type(enforce_https).__name__}")
    origin = origin_of(endpoint)
    if origin is None:
        raise ValueError("endpoint has no valid host and port")
    scheme, host, _ = origin
    if scheme == "http" and enforce_https and not is_loopback(host):
        raise ValueError(
            f"endpoint {endpoint[:200]!r} uses http:// and {host!r} is not a loopback host: {PLAIN_HTTP_RULE}. "
            f"Use https://, or pass enforce_https=False to send the {credential} in clear text to this host."
        )
    return origin


# Printable ASCII: what an HTTP header value can carry unchanged.
_NOT_PRINTABLE_ASCII = re.compile(r"[^\x20-\x7e]")


def check_key(key: str, what: str = "the AzureKeyCredential's key") -> None:
    """ValueError when `key` cannot travel unchanged in an HTTP header; the message never shows the key."""
    match = _NOT_PRINTABLE_ASCII.search(key)
    if match is not None:
        kind = "a non-ASCII character" if ord(match.group()) > 0x7F else "a control character (CR, LF, NUL, TAB, ...)"
        raise ValueError(
            f"{what} holds {kind} at position {match.start()}: a credential must be printable ASCII to be sent "
            "in an HTTP header (look for a trailing newline or a character pasted by mistake)"
        )
    if key != key.strip():
        raise ValueError(f"{what} starts or ends with a space: a credential must not (an HTTP server would drop it)")


def left_origin(request: "PipelineRequest[Any]", origin: Origin) -> bool:
    """Whether this request, or an earlier hop of its redirect chain, is for another origin than `origin`.

    Marks the request as azure-core's redirect policy does for a change of host, so that
    `SensitiveHeaderCleanupPolicy` removes the credential headers and the rest of the chain goes without them.
    """
    context = request.context
    if context.get(_LEFT_ORIGIN, False):
        return True
    if origin_of(request.http_request.url) != origin:
        context[_LEFT_ORIGIN] = True
        return True
    return False


def check_blocked_headers(value: Any) -> list[str]:
    """The `blocked_redirect_headers` keyword: a list of header names (TypeError otherwise)."""
    if value is None:
        return []
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise TypeError("blocked_redirect_headers must be a list of header names (str)")
    names: list[object] = list(value)  # pyright: ignore[reportUnknownArgumentType]
    if not all(isinstance(name, str) for name in names):
        raise TypeError("blocked_redirect_headers must be a list of header names (str)")
    return [str(name) for name in names]
