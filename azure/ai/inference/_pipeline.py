# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""The one pipeline of a client: its credential, retry, redirect and logging policies, its transport, and the
policy list handed to the generated client's constructor (`policies=`), which builds the client's only
`PipelineClient` from it.

The list is azure-core's usual order without `ContentDecodePolicy` (the clients parse each body once, themselves),
with `CredentialHeaderCleanupPolicy` in place of azure-core's `SensitiveHeaderCleanupPolicy`, and with each run of
sans-IO policies in one layer (`SansIOPolicyGroup`). The sync and async clients differ only in the policy and
transport types they pass in a `PipelineKind`.
"""

from __future__ import annotations

from typing import Any, NamedTuple, Optional

from azure.core.credentials import AzureKeyCredential
from azure.core.pipeline.policies import (
    CustomHookPolicy,
    DistributedTracingPolicy,
    HeadersPolicy,
    ProxyPolicy,
    RequestIdPolicy,
    UserAgentPolicy,
)

from ._credentials import (
    CredentialHeaderCleanupPolicy,
    KeyCredentialPolicy,
    check_blocked_headers,
    check_endpoint_security,
    check_key,
)
from ._endpoints import EndpointShape
from ._policies import DEFAULT_RETRY_AFTER_MAX, HeaderCheckPolicy, check_retry_after_max, grouped, logging_policies
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
    # Credentials go only to the endpoint's origin, and over http only to a loopback host (see `_credentials`).
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
