# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""Where credentials may go: the key and token policies, and the removal of credential headers.

Strategy: a client's credential belongs to the origin (scheme, host and port) of its endpoint. The policies here
are azure-core's, configured or subclassed, and they share one test of "has this request left the origin":

- the key policy (`KeyCredentialPolicy`) and the token policies (`TokenCredentialPolicy`,
  `AsyncTokenCredentialPolicy`) add credentials only to a request for the endpoint's origin; elsewhere they add
  nothing, ask the token credential for nothing and answer no authentication challenge;
- `CredentialHeaderCleanupPolicy`, azure-core's `SensitiveHeaderCleanupPolicy` with `api-key` added to the headers
  it removes (and any `blocked_redirect_headers` the caller gives), runs last before the transport and removes
  them from every request that has left the origin: a redirect to another host or port, and also one from
  https to http on the same host and port, which azure-core's own check (host and port only) lets through.
  Once a redirect chain has left the origin, the rest of it goes without credentials, even back at the origin
  (azure-core's `insecure_domain_change` flag, which stays set for the call);
- over plain http, credentials go only to loopback hosts (127.0.0.0/8, ::1, localhost), unless the client was
  built with `enforce_https=False` (`check_endpoint_security`, at construction);
- a key must be printable ASCII: `check_key` raises `ValueError` at construction, and the key policy raises it
  again before a request is sent when `AzureKeyCredential.update()` brought a bad key. No message shows the key.

The redirect policies (`RedirectPolicy`, `AsyncRedirectPolicy`) are azure-core's, except that the responses of
the redirects they followed are closed when the call's redirect chain ends (azure-core leaves them open, which
holds a connection per hop of a streamed call); their body is never read.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from typing import Any, Optional
from urllib.parse import urlsplit

from azure.core.credentials import AzureKeyCredential
from azure.core.pipeline import PipelineRequest, PipelineResponse
from azure.core.pipeline.policies import AsyncRedirectPolicy as _AsyncRedirectPolicy
from azure.core.pipeline.policies import RedirectPolicy as _RedirectPolicy
from azure.core.pipeline.policies import (
    AsyncBearerTokenCredentialPolicy,
    BearerTokenCredentialPolicy,
    SansIOHTTPPolicy,
    SensitiveHeaderCleanupPolicy,
)

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


def left_origin(request: PipelineRequest[Any], origin: Origin) -> bool:
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


class KeyCredentialPolicy(SansIOHTTPPolicy[Any, Any]):
    """Adds `Authorization: Bearer <key>` and `api-key: <key>` from an `AzureKeyCredential` to each request for
    the endpoint's origin. The key is read on every request, so `AzureKeyCredential.update()` takes effect on the
    next one, and is checked (printable ASCII) before it is sent."""

    def __init__(self, credential: AzureKeyCredential, origin: Origin) -> None:
        super().__init__()
        self._credential = credential
        self._origin = origin
        self._checked: Optional[str] = None

    def on_request(self, request: PipelineRequest[Any]) -> None:
        if left_origin(request, self._origin):
            return
        key = self._credential.key
        if key is not self._checked:
            check_key(key, "the AzureKeyCredential's key (after update())")
            self._checked = key
        headers = request.http_request.headers
        headers["Authorization"] = "Bearer " + key
        headers["api-key"] = key

    def __repr__(self) -> str:
        return "KeyCredentialPolicy(credential=<hidden>)"


def _check_token(request: PipelineRequest[Any]) -> None:
    value = request.http_request.headers.get("Authorization")
    if value is not None:
        check_key(value, "the Authorization header made from the token credential's token")


class TokenCredentialPolicy(BearerTokenCredentialPolicy[Any, Any]):
    """azure-core's bearer token policy, for the endpoint's origin only; an http endpoint that passed
    `check_endpoint_security` (a loopback host, or `enforce_https=False`) is accepted."""

    def __init__(self, credential: Any, *scopes: str, origin: Origin, **kwargs: Any) -> None:
        super().__init__(credential, *scopes, **kwargs)
        self._origin = origin

    def on_request(self, request: PipelineRequest[Any]) -> None:
        if left_origin(request, self._origin):
            return
        if self._origin[0] == "http":
            request.context["enforce_https"] = False  # this origin's http was allowed at construction
        super().on_request(request)
        _check_token(request)

    def on_challenge(self, request: PipelineRequest[Any], response: PipelineResponse[Any, Any]) -> bool:
        if left_origin(request, self._origin):
            return False  # another origin's challenge gets no token
        return super().on_challenge(request, response)


class AsyncTokenCredentialPolicy(AsyncBearerTokenCredentialPolicy[Any, Any]):
    """The async twin of `TokenCredentialPolicy`."""

    def __init__(self, credential: Any, *scopes: str, origin: Origin, **kwargs: Any) -> None:
        super().__init__(credential, *scopes, **kwargs)
        self._origin = origin

    async def on_request(self, request: PipelineRequest[Any]) -> None:
        if left_origin(request, self._origin):
            return
        if self._origin[0] == "http":
            request.context["enforce_https"] = False  # this origin's http was allowed at construction
        await super().on_request(request)
        _check_token(request)

    async def on_challenge(self, request: PipelineRequest[Any], response: PipelineResponse[Any, Any]) -> bool:
        if left_origin(request, self._origin):
            return False  # another origin's challenge gets no token
        return await super().on_challenge(request, response)


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


class CredentialHeaderCleanupPolicy(SensitiveHeaderCleanupPolicy[Any, Any]):
    """azure-core's `SensitiveHeaderCleanupPolicy`, removing `api-key` and the other credential headers as well as
    `Authorization` (plus `blocked_redirect_headers`) from a request that left the endpoint's origin, scheme
    included."""

    def __init__(self, endpoint: str, *, blocked_redirect_headers: Any = None, **kwargs: Any) -> None:
        kwargs.pop("disable_redirect_cleanup", None)  # credentials never follow a redirect to another origin
        blocked = [*CREDENTIAL_HEADERS, *check_blocked_headers(blocked_redirect_headers)]
        super().__init__(blocked_redirect_headers=blocked, **kwargs)
        origin = origin_of(endpoint)
        if origin is None:
            raise ValueError("endpoint has no valid host and port")
        self._origin = origin

    def on_request(self, request: PipelineRequest[Any]) -> None:
        left_origin(request, self._origin)
        super().on_request(request)


# The responses of the redirects followed during one call, closed when its redirect chain ends.
_FOLLOWED = "azure.ai.inference.followed_redirects"


def _remember(response: PipelineResponse[Any, Any]) -> None:
    followed: list[Any] = response.context.setdefault(_FOLLOWED, [])
    followed.append(response.http_response)


def _readable_location(location: Any) -> Any:
    """A redirect's `Location`, or False (not followed: the 3xx is the answer) when it is not a URL that can be
    parsed, such as `http://[::1` or a port out of range."""
    if not location:
        return location
    try:
        urlsplit(str(location)).port  # pylint: disable=expression-not-assigned
    except ValueError:
        return False
    return location


class RedirectPolicy(_RedirectPolicy[Any, Any]):
    """azure-core's redirect policy; the responses of the redirects it followed are closed at the end, and a
    `Location` that cannot be parsed is not followed."""

    def get_redirect_location(self, response: PipelineResponse[Any, Any]) -> Any:
        return _readable_location(super().get_redirect_location(response))

    def increment(self, settings: dict[str, Any], response: PipelineResponse[Any, Any], redirect_location: str) -> bool:
        _remember(response)
        return super().increment(settings, response, redirect_location)

    def send(self, request: PipelineRequest[Any]) -> PipelineResponse[Any, Any]:
        try:
            return super().send(request)
        finally:
            for followed in request.context.get(_FOLLOWED, ()):
                followed.close()
            request.context[_FOLLOWED] = []


class AsyncRedirectPolicy(_AsyncRedirectPolicy[Any, Any]):
    """The async twin of `RedirectPolicy`."""

    def get_redirect_location(self, response: PipelineResponse[Any, Any]) -> Any:
        return _readable_location(super().get_redirect_location(response))

    def increment(self, settings: dict[str, Any], response: PipelineResponse[Any, Any], redirect_location: str) -> bool:
        _remember(response)
        return super().increment(settings, response, redirect_location)

    async def send(self, request: PipelineRequest[Any]) -> PipelineResponse[Any, Any]:
        try:
            return await super().send(request)
        finally:
            for followed in request.context.get(_FOLLOWED, ()):
                await followed.close()
            request.context[_FOLLOWED] = []
