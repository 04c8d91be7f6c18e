# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""The one pipeline of a client: its credential, retry, redirect and logging policies, its transport, and the
policy list handed to the generated client's constructor (`policies=`), which builds the client's only
`PipelineClient` from it.

The list is azure-core's usual order without `ContentDecodePolicy` (the clients parse each body once, themselves),
with `CredentialHeaderCleanupPolicy` in place of azure-core's `SensitiveHeaderCleanupPolicy`, with `_policies`'
`UserAgentPolicy` and `DistributedTracingPolicy` (azure-core's, doing less for the same result), and with each run
of sans-IO policies in one layer (`SansIOPolicyGroup`). The sync and async clients differ only in the policy and
transport types they pass in a `PipelineKind`.
"""

from __future__ import annotations

import os
import platform
import sys
from typing import Any, NamedTuple, Optional
from urllib.parse import urlsplit

from azure.core.credentials import AzureKeyCredential
from azure.core.pipeline import PipelineRequest, PipelineResponse
from azure.core.pipeline.policies import AsyncRedirectPolicy as _AsyncRedirectPolicy
from azure.core.pipeline.policies import RedirectPolicy as _RedirectPolicy
from azure.core.pipeline.policies import (
    AsyncBearerTokenCredentialPolicy,
    BearerTokenCredentialPolicy,
    CustomHookPolicy,
    HeadersPolicy,
    ProxyPolicy,
    SansIOHTTPPolicy,
    SensitiveHeaderCleanupPolicy,
)

from ._core.credentials import (
    CREDENTIAL_HEADERS,
    Origin,
    check_blocked_headers,
    check_endpoint_security,
    check_key,
    left_origin,
    origin_of,
)
from ._core.endpoints import EndpointShape
from ._policies import (
    DEFAULT_RETRY_AFTER_MAX,
    DistributedTracingPolicy,
    HeaderCheckPolicy,
    RequestIdPolicy,
    UserAgentPolicy,
    check_retry_after_max,
    grouped,
    logging_policies,
)
from ._version import VERSION

__all__: list[str] = []


class PipelineKind(NamedTuple):
    """The policy and transport types of the sync or the async clients."""

    retry_policy: Any
    transport: Any
    token_policy: Any
    redirect_policy: Any
    policy_group: Any


def check_credential(credential: Any) -> bool:
    """True for a key credential, False for a token credential; TypeError for anything else."""
    if isinstance(credential, AzureKeyCredential):
        return True
    if hasattr(credential, "get_token") or hasattr(credential, "get_token_info"):
        return False
    raise TypeError(
        "credential must be an AzureKeyCredential or a token credential (an object with get_token), "
        f"not {type(credential).__name__}"
    )


def configure_pipeline(
    kwargs: dict[str, Any],
    *,
    endpoint: str,
    shape: EndpointShape,
    credential: Any,
    kind: PipelineKind,
    transport_options: Optional[dict[str, Any]] = None,
) -> None:
    """Put the client's policies, transport and policy list into its constructor keywords, where the generated
    constructor and its configuration pick them up. What the caller gave (`retry_policy=`, `transport=`,
    `policies=`, ...) is kept; `transport_options` go only to a transport built here."""
    is_key = check_credential(credential)
    # Credentials go only to the endpoint's origin, and over http only to a loopback host (see `_core.credentials`).
    origin = check_endpoint_security(endpoint, kwargs.pop("enforce_https", True), "key" if is_key else "token")
    check_blocked_headers(kwargs.get("blocked_redirect_headers"))
    if is_key:
        check_key(credential.key)
        kwargs.setdefault("authentication_policy", KeyCredentialPolicy(credential, origin))
    else:
        if "credential_scopes" not in kwargs:
            kwargs["credential_scopes"] = [shape.token_scope]
        if "authentication_policy" not in kwargs:
            kwargs["authentication_policy"] = kind.token_policy(
                credential, *kwargs["credential_scopes"], origin=origin, **kwargs
            )
    kwargs.setdefault("sdk_moniker", f"ai-inference/{VERSION}")
    logging_policies(kwargs)
    if "redirect_policy" not in kwargs:
        kwargs["redirect_policy"] = kind.redirect_policy(**kwargs)
    retry_after_max = check_retry_after_max(kwargs.pop("retry_after_max", DEFAULT_RETRY_AFTER_MAX))
    if "retry_policy" not in kwargs:
        kwargs["retry_policy"] = kind.retry_policy(retry_after_max=retry_after_max, **kwargs)
    if "user_agent_policy" not in kwargs:
        kwargs["user_agent_policy"] = UserAgentPolicy(base_user_agent=default_user_agent(kwargs["sdk_moniker"]), **kwargs)
    for name, policy_type in _USUAL_POLICIES:
        if name not in kwargs:
            kwargs[name] = policy_type(**kwargs)
    if "transport" not in kwargs:
        kwargs["transport"] = kind.transport(**kwargs, **(transport_options or {}))
    if "policies" not in kwargs:
        kwargs["policies"] = policy_list(kwargs, endpoint, kind.policy_group)


# azure-core's policies that the generated configuration would otherwise build for itself.
_USUAL_POLICIES = (
    ("headers_policy", HeadersPolicy),
    ("user_agent_policy", UserAgentPolicy),
    ("proxy_policy", ProxyPolicy),
    ("custom_hook_policy", CustomHookPolicy),
)


def default_user_agent(sdk_moniker: str) -> str:
    """azure-core's default user agent, `azsdk-python-<sdk_moniker> Python/<version> (<platform>)`, whose platform
    part is `platform.platform()`'s (see `platform_text`)."""
    return f"azsdk-python-{sdk_moniker} Python/{platform.python_version()} ({platform_text()})"


_PLATFORM: list[str] = []


def platform_text() -> str:
    """What `platform.platform()` gives, made once per process. On Linux without asking `uname -p` in a
    subprocess (~5 ms on the first client construction): `platform.platform()` leaves out that processor name
    when it is "unknown" or the machine's name, which is what Linux systems answer."""
    if not _PLATFORM:
        if sys.platform.startswith("linux"):
            uname = os.uname()
            libc, version = platform.libc_ver()
            parts = (uname.sysname, uname.release, uname.machine, "with", libc + version)
            _PLATFORM.append(_as_platform_name("-".join(part.strip() for part in parts if part)))
        else:
            _PLATFORM.append(platform.platform())
    return _PLATFORM[0]


_NAME_OBSTACLES = str.maketrans({" ": "_", "/": "-", "\\": "-", ":": "-", ";": "-", '"': "-", "(": "-", ")": "-"})


def _as_platform_name(text: str) -> str:
    """The text as `platform.platform()` writes it: no spaces, slashes, colons, semicolons, quotes or parentheses,
    no "unknown", no repeated or trailing "-"."""
    text = text.translate(_NAME_OBSTACLES).replace("unknown", "")
    while "--" in text:
        text = text.replace("--", "-")
    return text.rstrip("-")


def policy_list(kwargs: dict[str, Any], endpoint: str, group_type: Any) -> list[Any]:
    """The client's policies, in azure-core's order, each run of sans-IO policies grouped in one layer."""
    return grouped(
        [
            RequestIdPolicy(**kwargs),
            kwargs["headers_policy"],
            kwargs["user_agent_policy"],
            kwargs["proxy_policy"],
            kwargs["redirect_policy"],
            kwargs["retry_policy"],
            kwargs["authentication_policy"],
            kwargs["custom_hook_policy"],
            HeaderCheckPolicy(),  # every header is in place: refuse injected ones before logging or sending
            kwargs["logging_policy"],
            DistributedTracingPolicy(**kwargs),
            CredentialHeaderCleanupPolicy(endpoint, **kwargs),
            kwargs["http_logging_policy"],
        ],
        group_type,
    )


# ------------------------------------------------------------------------------------------- transport choice


def default_transport(**kwargs: Any) -> Any:
    """The sync clients' transport when none is given: `HttpClientTransport` (on the standard library's
    http.client), imported on first use to keep the package's import light. A `session=` (a `requests.Session`)
    selects azure-core's requests transport, as does `transport=RequestsTransport()`."""
    # pylint: disable=import-outside-toplevel
    if "session" in kwargs:
        from azure.core.pipeline.transport import RequestsTransport

        return RequestsTransport(**kwargs)
    from ._transport.http_client import HttpClientTransport

    return HttpClientTransport(**kwargs)


def default_async_transport(**kwargs: Any) -> Any:
    """The async clients' transport when none is given: azure-core's aiohttp transport with our bounds
    (`_transport.aiohttp.AioHttpTransport`).

    aiohttp, when it trusts the environment, looks up proxy settings and `.netrc` for every request, in a
    thread. The environment is read once here instead: with no proxy variable and no `.netrc` file set, the
    session does not trust the environment, which gives the same behaviour without the per-request cost. The CA
    bundle variables are read either way.
    """
    from ._transport.aiohttp import AioHttpTransport  # pylint: disable=import-outside-toplevel

    if "use_env_settings" not in kwargs and "trust_env" not in kwargs and not _environment_matters():
        kwargs = {**kwargs, "trust_env": False}
    return AioHttpTransport(**kwargs)


def _environment_matters() -> bool:
    """Whether the process environment sets proxies or a `.netrc` file that aiohttp would use."""
    import urllib.request  # pylint: disable=import-outside-toplevel  # not needed at import time

    if urllib.request.getproxies():
        return True
    netrc = os.environ.get("NETRC") or os.path.join(os.path.expanduser("~"), ".netrc")
    return os.path.isfile(netrc)


# ------------------------------------------------------------------------------------------- credential policies
# Credentials belong to the origin (scheme, host and port) of the endpoint (checks in `_core.credentials`):
# - the key policy (`KeyCredentialPolicy`) and the token policies (`TokenCredentialPolicy`,
#   `AsyncTokenCredentialPolicy`) add credentials only to a request for the endpoint's origin; elsewhere they add
#   nothing, ask the token credential for nothing and answer no authentication challenge;
# - `CredentialHeaderCleanupPolicy`, azure-core's `SensitiveHeaderCleanupPolicy` with `api-key` added to the
#   headers it removes (and any `blocked_redirect_headers` the caller gives), runs last before the transport and
#   removes them from every request that has left the origin: a redirect to another host or port, and also one
#   from https to http on the same host and port, which azure-core's own check (host and port only) lets through.
#   Once a redirect chain has left the origin, the rest of it goes without credentials, even back at the origin
#   (azure-core's `insecure_domain_change` flag, which stays set for the call);
# - the redirect policies are azure-core's, except that the responses of the redirects they followed are closed
#   when the call's redirect chain ends (azure-core leaves them open, which holds a connection per hop of a
#   streamed call); their body is never read.


# azure-core's flag for a request whose redirect chain left the origin (set by `_core.credentials.left_origin`).
_LEFT_ORIGIN_FLAG = "insecure_domain_change"


class _OriginCheck:
    """`left_origin` for one origin, remembering the last URL found there: a client's requests go to a few URLs,
    so that most are decided by comparing two strings instead of parsing the URL."""

    __slots__ = ("origin", "url")

    def __init__(self, origin: Origin) -> None:
        self.origin = origin
        self.url: Optional[str] = None  # a URL at the origin

    def left(self, request: PipelineRequest[Any]) -> bool:
        url = request.http_request.url
        if url == self.url:
            return bool(request.context.get(_LEFT_ORIGIN_FLAG, False))
        if left_origin(request, self.origin):
            return True
        self.url = url
        return False


class KeyCredentialPolicy(SansIOHTTPPolicy[Any, Any]):
    """Adds `Authorization: Bearer <key>` and `api-key: <key>` from an `AzureKeyCredential` to each request for
    the endpoint's origin. The key is read on every request, so `AzureKeyCredential.update()` takes effect on the
    next one, and is checked (printable ASCII) before it is sent."""

    def __init__(self, credential: AzureKeyCredential, origin: Origin) -> None:
        super().__init__()
        self._credential = credential
        self._origin = origin
        self._at_origin = _OriginCheck(origin)
        self._checked: Optional[str] = None

    def on_request(self, request: PipelineRequest[Any]) -> None:
        if self._at_origin.left(request):
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
        self._at_origin = _OriginCheck(origin)

    def on_request(self, request: PipelineRequest[Any]) -> None:
        self._at_origin.left(request)
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
            followed = request.context.get(_FOLLOWED)
            if followed:
                for response in followed:
                    response.close()
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
            followed = request.context.get(_FOLLOWED)
            if followed:
                for response in followed:
                    await response.close()
                request.context[_FOLLOWED] = []
