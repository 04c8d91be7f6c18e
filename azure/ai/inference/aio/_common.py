# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""What the public clients share: the constructor, sending a request through the client's one pipeline, the
cached model info, and closing the client with the streams still open.

Each method checks its arguments and builds the request with the sans-IO core (`_settings`, whose requests come
from the spec's generated request builders), runs it through the client's azure-core pipeline, and turns the
response into a result (`_core.results`, `_streaming`). Nothing here parses JSON or SSE. Each call that reaches the
service runs inside the span `_tracing.start_span` gives it, a no-op unless azure-core tracing is on.

The async clients in `aio/` are the one source of the sync ones: `scripts/unasync.py` generates
`azure/ai/inference/<module>.py` from `azure/ai/inference/aio/<module>.py`.
"""

from __future__ import annotations

import weakref
from typing import Any, Optional, TypeVar

from azure.core.rest import AsyncHttpResponse, HttpRequest

from .. import models as _models
from .._core.arguments import PER_CALL_OPTIONS, check_options
from .._core.results import model_info, raise_for_status, read_json
from .._pipeline import AsyncRedirectPolicy, AsyncTokenCredentialPolicy, PipelineKind
from .._pipeline import default_async_transport
from .._policies import RETRY_AFTER_REFUSED, TRACING_FOUND_OFF, AsyncRetryPolicy, AsyncSansIOPolicyGroup
from .._settings import ClientSettings
from .._streaming import AsyncStreamingChatCompletions
from .._transport._azure_core import run_pipeline_async
from .._tracing import MODEL_INFO, UNTRACED, CallSpan, content_recording_keyword, start_span

__all__ = ["InferenceClient", "StreamT"]

_CLIENT_CLOSED = "The client was closed before the stream ended."
StreamT = TypeVar("StreamT", bound=AsyncStreamingChatCompletions)


class InferenceClient:
    """What the public clients share: running a request, and the cached model info."""

    _settings: ClientSettings
    _client: Any
    _config: Any
    _model_info: Optional[_models.ModelInfo] = None
    _content_recording: Optional[bool] = None
    _open_streams: "Optional[weakref.WeakSet[AsyncStreamingChatCompletions]]" = None
    _pipeline_kind = PipelineKind(
        AsyncRetryPolicy,
        default_async_transport,
        AsyncTokenCredentialPolicy,
        AsyncRedirectPolicy,
        AsyncSansIOPolicyGroup,
    )

    def _setup(
        self,
        *,
        name: str,
        fields: Any,
        endpoint: Any,
        credential: Any,
        api_version: Any,
        defaults: dict[str, Any],
        model_extras: Any,
        enable_content_recording: Optional[bool],
        kwargs: dict[str, Any],
    ) -> None:
        """The shared constructor: check the arguments, put the client's one pipeline into azure-core's keywords
        (the policy list `policies=`, the transport), then run the generated client's constructor, next in the
        method resolution order of every public client, which builds that pipeline."""
        self._settings = ClientSettings(
            name=name,
            endpoint=endpoint,
            credential=credential,
            api_version=api_version,
            fields=fields,
            defaults=defaults,
            model_extras=model_extras,
            kwargs=kwargs,
            pipeline=self._pipeline_kind,
        )
        generated: Any = super()
        generated.__init__(self._settings.endpoint, credential, api_version=self._settings.api_version, **kwargs)
        self._content_recording = content_recording_keyword(enable_content_recording)

    async def _send(
        self, request: HttpRequest, kwargs: dict[str, Any], span: CallSpan, *, stream: bool = False
    ) -> AsyncHttpResponse:
        result = await run_pipeline_async(
            self._client._pipeline,  # pylint: disable=protected-access
            request,
            marks=TRACING_FOUND_OFF if span is UNTRACED else None,
            stream=stream,
            **self._settings.call_options(kwargs, stream),
        )
        response: AsyncHttpResponse = result.http_response
        # Not kept: its context holds the earlier attempts' responses, which the traceback would keep alive.
        note: Optional[str] = result.context.get(RETRY_AFTER_REFUSED)
        del result
        if stream and not 200 <= response.status_code < 300:
            try:
                await response.read()
            finally:
                await response.close()
        raise_for_status(self._settings, response, note)
        return response

    async def _json(self, operation: str, request: HttpRequest, kwargs: dict[str, Any]) -> dict[str, Any]:
        with self._trace(operation, request) as span:
            return span.record(read_json(await self._send(request, kwargs, span)))

    def _trace(self, operation: str, request: HttpRequest) -> CallSpan:
        """The span of a call about to send `request`: a no-op unless azure-core tracing is on."""
        return start_span(operation, self._settings.endpoint, request, self._content_recording)

    async def get_model_info(self, **kwargs: Any) -> _models.ModelInfo:
        """Information about the model the endpoint serves, read from `/info` once and then cached.

        :return: The model's name, type and provider.
        :rtype: ~azure.ai.inference.models.ModelInfo
        :raises ~azure.core.exceptions.ResourceNotFoundError: when the endpoint has no `/info` route
         (Azure OpenAI, Foundry `/models` and OpenAI-compatible endpoints often have none).
        :raises ~azure.core.exceptions.HttpResponseError: for any other failure.

        With tracing on, the call that reads `/info` makes a `get_model_info` span; cached answers make none.
        """
        check_options(kwargs, PER_CALL_OPTIONS, "get_model_info")
        if self._model_info is None:
            self._model_info = model_info(await self._json(MODEL_INFO, self._settings.info_request(), kwargs))
        return self._model_info

    def _track(self, stream: StreamT) -> StreamT:
        """Remember an open stream, so that closing the client closes it too."""
        if self._open_streams is None:
            self._open_streams = weakref.WeakSet()
        self._open_streams.add(stream)
        return stream

    async def _close_streams(self) -> None:
        """Close the streams still open: iterating one then raises StreamingError after what it received."""
        for stream in list(self._open_streams or ()):
            stream._interrupt(_CLIENT_CLOSED)  # pylint: disable=protected-access  # pyright: ignore[reportPrivateUsage]
            await stream.close()

    async def close(self) -> None:
        """Close the client: its open streams, then its connections."""
        await self._close_streams()
        await self._client.close()

    async def __aexit__(self, *exc_details: Any) -> None:
        await self._close_streams()
        await self._client.__aexit__(*exc_details)

    def __repr__(self) -> str:
        settings = self._settings
        return f"{type(self).__name__}(endpoint={settings.endpoint!r}, api_version={settings.api_version!r})"
