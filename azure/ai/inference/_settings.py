# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""What one client knows after construction, and how it turns a call into a request: its endpoint and shape
(`_endpoints`), its defaults and extras (`_arguments`), the bounds of its answers, and its pipeline (`_pipeline`).

Sans-IO: it sends nothing and awaits nothing, so that the sync and the async clients share it whole. A call's
request line and headers are made by the spec's generated request builder of its operation
(`_endpoints.operation_request`), once per kind of call, and copied with each call's body.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any, Optional

from azure.core.exceptions import ResourceNotFoundError
from azure.core.rest import HttpRequest

from ._arguments import (
    OPENAI_FIELDS,
    Check,
    body_from_mapping,
    build_body,
    check_model_extras,
    collect_defaults,
    drop_unknown_options,
    encode_body,
)
from ._bodies import check_max_response_bytes, check_seconds
from ._endpoints import check_api_version, endpoint_shape, normalize_endpoint, operation_request, served
from ._pipeline import PipelineKind, configure_pipeline
from ._policies import OWN_RETRY_POLICIES, check_retry_after_max
from ._sse import DEFAULT_MAX_EVENT_SIZE

__all__: list[str] = []

_NEEDS_OUR_TRANSPORT = (
    "{name} needs the clients' own transports (the default ones, HttpClientTransport or aio's AioHttpTransport); "
    "a transport= of another kind reads answers as it was built to"
)


class ClientSettings:
    """What one client knows after construction: endpoint, its shape (routes, api-version), defaults and extras,
    and the bounds of its answers. The constructor also prepares the pipeline keywords in `kwargs`."""

    def __init__(
        self,
        *,
        name: str,
        endpoint: Any,
        credential: Any,
        api_version: Any,
        fields: Mapping[str, Check],
        defaults: Mapping[str, Any],
        model_extras: Any,
        kwargs: dict[str, Any],
        pipeline: PipelineKind,
    ) -> None:
        # Called from a public constructor through its `_setup`: the warning points at the caller's line.
        drop_unknown_options(kwargs, name, stacklevel=4)
        self.endpoint = normalize_endpoint(endpoint)
        self.shape = endpoint_shape(self.endpoint, check_api_version(api_version))
        self.api_version = self.shape.api_version
        self.routes = self.shape.routes
        # The api-version the body's form follows (response_format as a string in 2024-04); "" for the others.
        self.body_version = (self.api_version or "") if self.shape.model_inference else ""
        self.fields = fields
        self.defaults = collect_defaults(fields, defaults, self.body_version)
        self.extras = check_model_extras(model_extras, fields)
        self._templates: dict[tuple[str, bool, Optional[str]], HttpRequest] = {}
        # Bounds of each answer: the size of a body, the time a call (`timeout`) and a stream may take.
        limit = kwargs.pop("max_response_bytes", None)
        self.max_response_bytes = None if limit is None else check_max_response_bytes(limit)
        self.timeout = check_seconds("timeout", kwargs.get("timeout"))
        self.stream_timeout = check_seconds("stream_timeout", kwargs.pop("stream_timeout", None))
        configure_pipeline(
            kwargs,
            endpoint=self.endpoint,
            shape=self.shape,
            credential=credential,
            kind=pipeline,
            transport_options=(
                {} if self.max_response_bytes is None else {"max_response_bytes": self.max_response_bytes}
            ),
        )
        # Whether the per-call keywords of our own policies and transports can be passed on.
        self.own_retry_policy = isinstance(kwargs["retry_policy"], OWN_RETRY_POLICIES)
        # Our transports take those bounds per call; a transport of your own reads as it was built to.
        self.bounded_transport = bool(getattr(kwargs["transport"], "accepts_call_limits", False))
        if not self.bounded_transport and (self.max_response_bytes is not None or self.stream_timeout is not None):
            raise TypeError(_NEEDS_OUR_TRANSPORT.format(name="max_response_bytes or stream_timeout"))

    def request(
        self,
        operation: str,
        *,
        method: str,
        body: Any,
        given: Mapping[str, Any],
        model_extras: Any,
        required: Sequence[str],
        stream: bool = False,
    ) -> HttpRequest:
        """Check a call's arguments and build the request of `operation` (`chat`, `embeddings`, `images`,
        `image_embeddings`); a `body` given whole is sent as it is. `method` names the public method in errors."""
        shape = self.shape
        if not served(shape, operation):
            version = f"api_version {self.api_version!r}" if shape.model_inference else shape.label
            raise ValueError(f"{method} is not available with {version} on this endpoint")
        if body is not None:
            if any(v is not None for v in given.values()) or model_extras is not None:
                raise TypeError(f"{method}() takes either a body or keyword arguments, not both")
            payload = body_from_mapping(body, stream)
            self._check_model(payload)
            return self._request(operation, encode_body(payload, stream=stream), stream, None)
        payload = build_body(self.fields, self.defaults, given, self.body_version, required)
        if not stream:
            payload.pop("stream_options", None)  # a client default that applies to streamed calls only
        self._check_model(payload)
        # A call's model_extras replace the client's, as every argument given to a call replaces the client's
        # default (`None` or `{}` leaves the client's in place, as in 1.0.0b9).
        extras = check_model_extras(model_extras, self.fields) or self.extras
        twice = sorted(k for k in extras or () if k in payload)
        if twice:
            raise ValueError(f"model_extras must not repeat named arguments: {', '.join(twice)}; pass them once")
        allow = None
        if extras or (shape.model_inference and not OPENAI_FIELDS.isdisjoint(payload)):
            allow = self.routes.extras_allow
        content = encode_body(payload, extras, stream=stream)
        return self._request(operation, content, stream, allow)

    def _request(self, operation: str, content: bytes, stream: bool, extra_params: Optional[str]) -> HttpRequest:
        """The operation's request with this body. The generated builder makes the request line and headers once
        per kind of call (operation, streamed or not, `extra-parameters`); each call copies them with its body,
        since building them again gives the same request and costs a third of a call's own work."""
        key = (operation, stream, extra_params)
        template = self._templates.get(key)
        if template is None:
            template = self._templates[key] = operation_request(
                self.endpoint, self.shape, operation, stream=stream, extra_params=extra_params
            )
        return HttpRequest(template.method, template.url, headers=template.headers, content=content)

    def _check_model(self, payload: Mapping[str, Any]) -> None:
        if self.shape.model_required and not isinstance(payload.get("model"), str):
            what = "the deployment name" if self.shape.name == "azure-openai-v1" else "the model id"
            raise TypeError(
                f"missing required keyword argument: 'model'. {self.shape.label} need {what} in the request: "
                "pass model=... to the client or to the call"
            )

    def call_options(self, kwargs: dict[str, Any], stream: bool = False) -> dict[str, Any]:
        """A call's azure-core keywords, checked (bad values raise before any network call), with the bounds our
        transports enforce: `max_response_bytes`, and the `deadline` and `stream_deadline` (monotonic clock)
        that `timeout` and `stream_timeout` set from now."""
        if "retry_after_max" in kwargs:
            if not self.own_retry_policy:
                raise TypeError("retry_after_max needs the clients' own retry policy, not a retry_policy= of your own")
            check_retry_after_max(kwargs["retry_after_max"])
        timeout = check_seconds("timeout", kwargs["timeout"]) if "timeout" in kwargs else self.timeout
        stream_timeout = self.stream_timeout
        if "stream_timeout" in kwargs:
            stream_timeout = check_seconds("stream_timeout", kwargs.pop("stream_timeout"))
        limit = self.max_response_bytes
        if "max_response_bytes" in kwargs:
            limit = check_max_response_bytes(kwargs["max_response_bytes"])
        if not self.bounded_transport:
            if stream_timeout is not None or "max_response_bytes" in kwargs:
                raise TypeError(_NEEDS_OUR_TRANSPORT.format(name="max_response_bytes or stream_timeout"))
            return kwargs
        now = time.monotonic()
        if limit is not None:
            kwargs["max_response_bytes"] = limit
        if timeout is not None:
            kwargs["deadline"] = now + timeout
        if stream and stream_timeout is not None:
            kwargs["stream_deadline"] = now + stream_timeout
        return kwargs

    def max_event_size(self, kwargs: Mapping[str, Any]) -> int:
        """The bound on one event of a stream: `max_response_bytes` when given, else the SSE decoder's 16 MiB."""
        limit: Optional[int] = kwargs.get("max_response_bytes", self.max_response_bytes)
        return limit or DEFAULT_MAX_EVENT_SIZE

    def info_request(self) -> HttpRequest:
        if not self.routes.info:
            raise ResourceNotFoundError(
                f"This endpoint has no model info route: {self.shape.label} do not serve /info. "
                "The other operations work without it."
            )
        return operation_request(self.endpoint, self.shape, "info")
