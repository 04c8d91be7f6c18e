# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""What one client knows after construction: how it turns a call into a request (`_core.settings`), the bounds
of its answers and the keywords of each call to our transports, and its pipeline (`_pipeline`).

It sends nothing and awaits nothing, so that the sync and the async clients share it whole; it stays outside
`_core` because it configures the pipeline and checks the keywords of our policies and transports.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any, Optional

from azure.core.rest import HttpRequest

from ._transport._azure_core import request_with_body
from ._transport.bodies import check_max_response_bytes, check_seconds
from ._core.arguments import Check, drop_unknown_options
from ._core.settings import RequestSettings
from ._core.sse import DEFAULT_MAX_EVENT_SIZE
from ._pipeline import PipelineKind, configure_pipeline
from ._policies import OWN_RETRY_POLICIES, check_retry_after_max

__all__: list[str] = []

_NEEDS_OUR_TRANSPORT = (
    "{name} needs the clients' own transports (the default ones, HttpClientTransport or aio's AioHttpTransport); "
    "a transport= of another kind reads answers as it was built to"
)


class ClientSettings(RequestSettings):
    """What one client knows after construction: its requests' settings, and the bounds of its answers. The
    constructor also prepares the pipeline keywords in `kwargs`."""

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
        super().__init__(
            endpoint=endpoint, api_version=api_version, fields=fields, defaults=defaults, model_extras=model_extras
        )
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

    def _with_body(self, template: HttpRequest, content: bytes) -> HttpRequest:
        return request_with_body(template, content)  # as azure-core's constructor makes it, faster

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

