# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""The public sync clients: ChatCompletionsClient, EmbeddingsClient and ImageGenerationClient.

Strategy: each method checks its arguments and builds the request with the sans-IO core (`_settings`, whose
requests come from the spec's generated request builders),
runs it through the client's azure-core pipeline, and turns the response into a result (`_results`,
`_streaming`). Nothing here parses JSON or SSE. Each call that reaches the service runs inside the span
`_tracing.start_span` gives it, a no-op unless azure-core tracing is on. `aio/_patch.py` is this file's twin
and differs only where I/O happens.
"""

from __future__ import annotations

import weakref

from collections.abc import Iterator, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, Optional, TypeVar, Union, overload

from azure.core.credentials import AzureKeyCredential
from azure.core.rest import HttpRequest, HttpResponse

from . import models as _models
from ._client import ChatCompletionsClient as _ChatCompletionsClient
from ._client import EmbeddingsClient as _EmbeddingsClient
from ._client import ImageEmbeddingsClient as _ImageEmbeddingsClient
from ._client import ImageGenerationClient as _ImageGenerationClient
from ._core.arguments import (
    CHAT_FIELDS,
    EMBEDDINGS_FIELDS,
    IMAGE_EMBEDDINGS_FIELDS,
    IMAGE_FIELDS,
    PER_CALL_OPTIONS,
    STREAM_CALL_OPTIONS,
    check_options,
)
from ._core.endpoints import DEFAULT_API_VERSION, IMAGE_EMBEDDINGS_API_VERSION
from ._pipeline import PipelineKind
from ._settings import ClientSettings
from ._bulk import (
    DEFAULT_BATCH_CHARS,
    DEFAULT_BATCH_SIZE,
    DEFAULT_CONCURRENCY,
    DEFAULT_THROTTLE_BUDGET,
    Texts,
    BulkProgress,
    bulk_plan,
    embed_many,
)
from ._compat import CompatStreamingChatCompletions, lift_named_extras, wants_stream
from ._transport.bodies import ResponseTooLargeError
from ._core.errors import StreamingError
from ._core.results import (
    chat_completions,
    embeddings_result,
    image_generations,
    model_info,
    raise_for_status,
    read_json,
)
from ._streaming import StreamingChatCompletions
from ._core.stream import check_event_stream
from ._pipeline import RedirectPolicy, TokenCredentialPolicy
from ._policies import RetryPolicy, SansIOPolicyGroup, RETRY_AFTER_REFUSED, default_transport
from ._tracing import (
    CHAT,
    EMBEDDINGS,
    IMAGE_GENERATION,
    MODEL_INFO,
    CallSpan,
    content_recording_keyword,
    start_span,
)

from ._load_client import load_client

if TYPE_CHECKING:
    from azure.core.credentials import TokenCredential

__all__ = [
    "load_client",
    "ChatCompletionsClient",
    "EmbeddingsClient",
    "ImageEmbeddingsClient",
    "ImageGenerationClient",
    "StreamingChatCompletions",
    "StreamingError",
    "ResponseTooLargeError",
    "BulkProgress",
]

_ResponseFormat = Union[str, _models.ChatCompletionsResponseFormat, _models.JsonSchemaFormat, Mapping[str, Any]]
_ToolChoice = Union[str, _models.ChatCompletionsToolChoicePreset, _models.ChatCompletionsNamedToolChoice]


_CLIENT_CLOSED = "The client was closed before the stream ended."
_Stream = TypeVar("_Stream", bound=StreamingChatCompletions)


class _InferenceClient:
    """What the three sync clients share: running a request, and the cached model info."""

    _settings: ClientSettings
    _client: Any
    _config: Any
    _model_info: Optional[_models.ModelInfo] = None
    _content_recording: Optional[bool] = None
    _open_streams: "Optional[weakref.WeakSet[StreamingChatCompletions]]" = None
    _pipeline_kind = PipelineKind(
        RetryPolicy, default_transport, TokenCredentialPolicy, RedirectPolicy, SansIOPolicyGroup
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

    def _send(self, request: HttpRequest, kwargs: dict[str, Any], *, stream: bool = False) -> HttpResponse:
        result = self._client._pipeline.run(  # pylint: disable=protected-access
            request, stream=stream, **self._settings.call_options(kwargs, stream)
        )
        response: HttpResponse = result.http_response
        # Not kept: its context holds the earlier attempts' responses, which the traceback would keep alive.
        note: Optional[str] = result.context.get(RETRY_AFTER_REFUSED)
        del result
        if stream and not 200 <= response.status_code < 300:
            try:
                response.read()
            finally:
                response.close()
        raise_for_status(self._settings, response, note)
        return response

    def _json(self, operation: str, request: HttpRequest, kwargs: dict[str, Any]) -> dict[str, Any]:
        with self._trace(operation, request) as span:
            return span.record(read_json(self._send(request, kwargs)))

    def _trace(self, operation: str, request: HttpRequest) -> CallSpan:
        """The span of a call about to send `request`: a no-op unless azure-core tracing is on."""
        return start_span(operation, self._settings.endpoint, request, self._content_recording)

    def get_model_info(self, **kwargs: Any) -> _models.ModelInfo:
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
            self._model_info = model_info(self._json(MODEL_INFO, self._settings.info_request(), kwargs))
        return self._model_info

    def _track(self, stream: _Stream) -> _Stream:
        """Remember an open stream, so that closing the client closes it too."""
        if self._open_streams is None:
            self._open_streams = weakref.WeakSet()
        self._open_streams.add(stream)
        return stream

    def _close_streams(self) -> None:
        """Close the streams still open: iterating one then raises StreamingError after what it received."""
        for stream in list(self._open_streams or ()):
            stream._interrupt(_CLIENT_CLOSED)  # pylint: disable=protected-access  # pyright: ignore[reportPrivateUsage]
            stream.close()

    def close(self) -> None:
        """Close the client: its open streams, then its connections."""
        self._close_streams()
        self._client.close()

    def __exit__(self, *exc_details: Any) -> None:
        self._close_streams()
        self._client.__exit__(*exc_details)

    def __repr__(self) -> str:
        settings = self._settings
        return f"{type(self).__name__}(endpoint={settings.endpoint!r}, api_version={settings.api_version!r})"


class ChatCompletionsClient(_InferenceClient, _ChatCompletionsClient):
    """A client for chat completions.

    :param endpoint: The endpoint URL, for example `https://<deployment>.<region>.inference.ai.azure.com`.
    :param credential: An `AzureKeyCredential` (sent as `Authorization: Bearer <key>` and `api-key: <key>`)
     or a token credential such as azure-identity's `DefaultAzureCredential`.
    :keyword enforce_https: Credentials go over `http://` only to loopback hosts (127.0.0.0/8, ::1, localhost);
     another `http://` endpoint raises `ValueError` unless this is `False`. Whatever the scheme, credentials go
     only to the endpoint's origin (scheme, host, port): a redirect elsewhere is followed without them.
    :keyword blocked_redirect_headers: More header names to remove, with `Authorization` and `api-key`, from a
     request redirected to another origin.
    :keyword api_version: The REST API version; defaults to `2024-04-01-preview`. `None` sends no api-version
     (for OpenAI-compatible servers and gateways that refuse unknown query parameters). Azure OpenAI v1 endpoints
     (`.../openai/v1`) and GitHub Models get no api-version unless one is given here.
    :keyword model_extras: Extra body fields sent with every call (see `create`); a call's own `model_extras`
     replace them.
    :keyword frequency_penalty: ... The remaining keywords named like `create`'s arguments are defaults
     for every call, overridden by the same argument given to a call. `stream_options` is a default for
     `create_streaming` only.
    :keyword enable_content_recording: With tracing on, whether the spans hold the messages sent and the answers
     (span events `gen_ai.*.message` and `gen_ai.choice`). They may be sensitive, so by default they are recorded
     only when the environment variable `AZURE_TRACING_GEN_AI_CONTENT_RECORDING_ENABLED` is `true`; `True` or
     `False` here overrides it. See "Tracing" below.

    Other keywords are azure-core's options: `logging_enable`, `headers`, `retry_total`, `connection_timeout`,
    `read_timeout`, `credential_scopes`, `transport`, `user_agent` and the rest. Unknown keywords are
    dropped with a `UserWarning` that names them (they never reach the transport).

    Tracing: when azure-core's tracing is on (`azure.core.settings.settings.tracing_implementation =
    "opentelemetry"` with `azure-core-tracing-opentelemetry` installed, or `settings.tracing_enabled = True` for
    azure-core's own OpenTelemetry tracer), each call that reaches the service makes one OpenTelemetry span of
    kind CLIENT following the gen_ai semantic conventions, named `chat <model>`, `embeddings <model>`,
    `generate_content <model>` (images) or `get_model_info` (`<operation>` alone when the request names no
    model), with azure-core's HTTP span as its child. A streamed call's span ends when the stream ends, fails or
    is closed. Install the `tracing` extra for these packages.
    """

    def __init__(
        self,
        endpoint: str,
        credential: Union[AzureKeyCredential, "TokenCredential"],
        *,
        api_version: Optional[str] = DEFAULT_API_VERSION,
        frequency_penalty: Optional[float] = None,
        presence_penalty: Optional[float] = None,
        temperature: Optional[float] = None,
        top_p: Optional[float] = None,
        max_tokens: Optional[int] = None,
        stop: Optional[Sequence[str]] = None,
        seed: Optional[int] = None,
        model: Optional[str] = None,
        response_format: Optional[_ResponseFormat] = None,
        tools: Optional[Sequence[_models.ChatCompletionsToolDefinition]] = None,
        tool_choice: Optional[_ToolChoice] = None,
        max_completion_tokens: Optional[int] = None,
        reasoning_effort: Optional[str] = None,
        parallel_tool_calls: Optional[bool] = None,
        n: Optional[int] = None,
        user: Optional[str] = None,
        logprobs: Optional[bool] = None,
        top_logprobs: Optional[int] = None,
        logit_bias: Optional[Union[Mapping[int, float], Mapping[str, float]]] = None,
        stream_options: Optional[Mapping[str, Any]] = None,
        model_extras: Optional[Mapping[str, Any]] = None,
        enable_content_recording: Optional[bool] = None,
        **kwargs: Any,
    ) -> None:
        defaults = {
            "frequency_penalty": frequency_penalty,
            "presence_penalty": presence_penalty,
            "temperature": temperature,
            "top_p": top_p,
            "max_tokens": max_tokens,
            "stop": stop,
            "seed": seed,
            "model": model,
            "response_format": response_format,
            "tools": tools,
            "tool_choice": tool_choice,
            "max_completion_tokens": max_completion_tokens,
            "reasoning_effort": reasoning_effort,
            "parallel_tool_calls": parallel_tool_calls,
            "n": n,
            "user": user,
            "logprobs": logprobs,
            "top_logprobs": top_logprobs,
            "logit_bias": logit_bias,
            "stream_options": stream_options,
        }
        self._setup(
            name="ChatCompletionsClient",
            fields=CHAT_FIELDS,
            endpoint=endpoint,
            credential=credential,
            api_version=api_version,
            defaults=defaults,
            model_extras=model_extras,
            enable_content_recording=enable_content_recording,
            kwargs=kwargs,
        )

    def create(
        self,
        body: Optional[Mapping[str, Any]] = None,
        *,
        messages: Optional[Sequence[Union[_models.ChatRequestMessage, Mapping[str, Any]]]] = None,
        frequency_penalty: Optional[float] = None,
        presence_penalty: Optional[float] = None,
        temperature: Optional[float] = None,
        top_p: Optional[float] = None,
        max_tokens: Optional[int] = None,
        stop: Optional[Sequence[str]] = None,
        seed: Optional[int] = None,
        model: Optional[str] = None,
        response_format: Optional[_ResponseFormat] = None,
        tools: Optional[Sequence[_models.ChatCompletionsToolDefinition]] = None,
        tool_choice: Optional[_ToolChoice] = None,
        max_completion_tokens: Optional[int] = None,
        reasoning_effort: Optional[str] = None,
        parallel_tool_calls: Optional[bool] = None,
        n: Optional[int] = None,
        user: Optional[str] = None,
        logprobs: Optional[bool] = None,
        top_logprobs: Optional[int] = None,
        logit_bias: Optional[Union[Mapping[int, float], Mapping[str, float]]] = None,
        model_extras: Optional[Mapping[str, Any]] = None,
        **kwargs: Any,
    ) -> _models.ChatCompletions:
        """Generate a chat completion for a conversation (`POST .../chat/completions`).

        :param body: The whole request body as a dict, sent as it is; give it instead of the keywords.
        :keyword messages: The conversation so far, oldest first: `SystemMessage`, `UserMessage`,
         `AssistantMessage`, `ToolMessage`, `DeveloperMessage` or dicts. Required unless `body` is given.
        :keyword frequency_penalty: Penalises tokens by how often they already appear.
        :keyword presence_penalty: Penalises tokens that already appear at all.
        :keyword temperature: Sampling temperature: higher is more random.
        :keyword top_p: Nucleus sampling: the probability mass of tokens considered.
        :keyword max_tokens: The largest number of tokens to generate.
        :keyword stop: Sequences at which the model stops generating.
        :keyword seed: A seed for best-effort deterministic sampling.
        :keyword model: The model to use, on endpoints that serve more than one.
        :keyword response_format: `"text"`, `"json_object"`, a `JsonSchemaFormat`, or a dict sent unchanged.
        :keyword tools: Tools the model may call.
        :keyword tool_choice: `"auto"`, `"none"`, `"required"` or a `ChatCompletionsNamedToolChoice`.
        :keyword max_completion_tokens: The largest number of tokens to generate, reasoning included; reasoning
         models take this instead of `max_tokens`.
        :keyword reasoning_effort: How much a reasoning model thinks: `"minimal"`, `"low"`, `"medium"` or `"high"`.
        :keyword parallel_tool_calls: Whether the model may call several tools at once.
        :keyword n: How many choices to generate.
        :keyword user: An id of the end user, for the service's abuse monitoring.
        :keyword logprobs: Whether to return the log probabilities of the tokens, in `choices[i].logprobs`.
        :keyword top_logprobs: How many most likely tokens (0 to 20) to return at each position; needs `logprobs`.
        :keyword logit_bias: Token ids (int or str) to a bias from -100 to 100 added to their logits.
        :keyword model_extras: Extra body fields for the model, merged into the body in place of the client's
         `model_extras`; the `extra-parameters` header is set so that the service passes them on.

        The arguments from `max_completion_tokens` on are OpenAI's: Azure OpenAI, GitHub Models and
        OpenAI-compatible servers take them as they are; on Azure AI Model Inference endpoints they are sent
        with the `extra-parameters` header, as `model_extras` are. On Azure OpenAI v1 and GitHub Models endpoints
        `model` is required (the deployment name, or the model id such as `openai/gpt-4.1`).
        :return: The answer; `choices[0].message.content` holds the text.
        :rtype: ~azure.ai.inference.models.ChatCompletions
        :raises TypeError: or ValueError for a bad argument, before any network call.
        :raises ~azure.core.exceptions.HttpResponseError: when the service answers with an error.

        Other keywords are azure-core's per-call options (`headers`, `timeout`, `retry_total`,
        `logging_enable`, `raw_response_hook`, ...).
        """
        given = {
            "messages": messages,
            "frequency_penalty": frequency_penalty,
            "presence_penalty": presence_penalty,
            "temperature": temperature,
            "top_p": top_p,
            "max_tokens": max_tokens,
            "stop": stop,
            "seed": seed,
            "model": model,
            "response_format": response_format,
            "tools": tools,
            "tool_choice": tool_choice,
            "max_completion_tokens": max_completion_tokens,
            "reasoning_effort": reasoning_effort,
            "parallel_tool_calls": parallel_tool_calls,
            "n": n,
            "user": user,
            "logprobs": logprobs,
            "top_logprobs": top_logprobs,
            "logit_bias": logit_bias,
        }
        return self._complete("create", body, given, model_extras, kwargs)

    def create_streaming(
        self,
        body: Optional[Mapping[str, Any]] = None,
        *,
        messages: Optional[Sequence[Union[_models.ChatRequestMessage, Mapping[str, Any]]]] = None,
        frequency_penalty: Optional[float] = None,
        presence_penalty: Optional[float] = None,
        temperature: Optional[float] = None,
        top_p: Optional[float] = None,
        max_tokens: Optional[int] = None,
        stop: Optional[Sequence[str]] = None,
        seed: Optional[int] = None,
        model: Optional[str] = None,
        response_format: Optional[_ResponseFormat] = None,
        tools: Optional[Sequence[_models.ChatCompletionsToolDefinition]] = None,
        tool_choice: Optional[_ToolChoice] = None,
        max_completion_tokens: Optional[int] = None,
        reasoning_effort: Optional[str] = None,
        parallel_tool_calls: Optional[bool] = None,
        n: Optional[int] = None,
        user: Optional[str] = None,
        logprobs: Optional[bool] = None,
        top_logprobs: Optional[int] = None,
        logit_bias: Optional[Union[Mapping[int, float], Mapping[str, float]]] = None,
        stream_options: Optional[Mapping[str, Any]] = None,
        model_extras: Optional[Mapping[str, Any]] = None,
        **kwargs: Any,
    ) -> StreamingChatCompletions:
        """Generate a chat completion as a stream of updates (`"stream": true`, server-sent events).

        Takes the same arguments as `create`, and `stream_options`. Returns once the response headers arrived;
        iterate the result for `StreamingChatCompletionsUpdate` objects as they arrive, and use it in a `with`
        block or call `close()` to stop early.

        :keyword stream_options: `{"include_usage": True}` asks for a last update that carries the token usage
         (with no choices on the wire).

        :return: The stream of updates.
        :rtype: ~azure.ai.inference.StreamingChatCompletions
        :raises ~azure.core.exceptions.HttpResponseError: when the service answers with an error; while
         iterating, `StreamingError` when the stream fails after it started.
        """
        given = {
            "messages": messages,
            "frequency_penalty": frequency_penalty,
            "presence_penalty": presence_penalty,
            "temperature": temperature,
            "top_p": top_p,
            "max_tokens": max_tokens,
            "stop": stop,
            "seed": seed,
            "model": model,
            "response_format": response_format,
            "tools": tools,
            "tool_choice": tool_choice,
            "max_completion_tokens": max_completion_tokens,
            "reasoning_effort": reasoning_effort,
            "parallel_tool_calls": parallel_tool_calls,
            "n": n,
            "user": user,
            "logprobs": logprobs,
            "top_logprobs": top_logprobs,
            "logit_bias": logit_bias,
            "stream_options": stream_options,
        }
        return self._stream("create_streaming", StreamingChatCompletions, body, given, model_extras, kwargs)

    @overload
    def complete(
        self,
        body: Optional[Mapping[str, Any]] = None,
        *,
        messages: Optional[Sequence[Union[_models.ChatRequestMessage, Mapping[str, Any]]]] = None,
        stream: Literal[True],
        frequency_penalty: Optional[float] = None,
        presence_penalty: Optional[float] = None,
        temperature: Optional[float] = None,
        top_p: Optional[float] = None,
        max_tokens: Optional[int] = None,
        response_format: Optional[_ResponseFormat] = None,
        stop: Optional[Sequence[str]] = None,
        tools: Optional[Sequence[_models.ChatCompletionsToolDefinition]] = None,
        tool_choice: Optional[_ToolChoice] = None,
        seed: Optional[int] = None,
        model: Optional[str] = None,
        model_extras: Optional[Mapping[str, Any]] = None,
        **kwargs: Any,
    ) -> StreamingChatCompletions: ...

    @overload
    def complete(
        self,
        body: Optional[Mapping[str, Any]] = None,
        *,
        messages: Optional[Sequence[Union[_models.ChatRequestMessage, Mapping[str, Any]]]] = None,
        stream: Optional[Literal[False]] = None,
        frequency_penalty: Optional[float] = None,
        presence_penalty: Optional[float] = None,
        temperature: Optional[float] = None,
        top_p: Optional[float] = None,
        max_tokens: Optional[int] = None,
        response_format: Optional[_ResponseFormat] = None,
        stop: Optional[Sequence[str]] = None,
        tools: Optional[Sequence[_models.ChatCompletionsToolDefinition]] = None,
        tool_choice: Optional[_ToolChoice] = None,
        seed: Optional[int] = None,
        model: Optional[str] = None,
        model_extras: Optional[Mapping[str, Any]] = None,
        **kwargs: Any,
    ) -> _models.ChatCompletions: ...

    @overload
    def complete(
        self,
        body: Optional[Mapping[str, Any]] = None,
        *,
        messages: Optional[Sequence[Union[_models.ChatRequestMessage, Mapping[str, Any]]]] = None,
        stream: Optional[bool] = None,
        frequency_penalty: Optional[float] = None,
        presence_penalty: Optional[float] = None,
        temperature: Optional[float] = None,
        top_p: Optional[float] = None,
        max_tokens: Optional[int] = None,
        response_format: Optional[_ResponseFormat] = None,
        stop: Optional[Sequence[str]] = None,
        tools: Optional[Sequence[_models.ChatCompletionsToolDefinition]] = None,
        tool_choice: Optional[_ToolChoice] = None,
        seed: Optional[int] = None,
        model: Optional[str] = None,
        model_extras: Optional[Mapping[str, Any]] = None,
        **kwargs: Any,
    ) -> Union[_models.ChatCompletions, StreamingChatCompletions]: ...

    def complete(
        self,
        body: Optional[Mapping[str, Any]] = None,
        *,
        messages: Optional[Sequence[Union[_models.ChatRequestMessage, Mapping[str, Any]]]] = None,
        stream: Optional[bool] = None,
        frequency_penalty: Optional[float] = None,
        presence_penalty: Optional[float] = None,
        temperature: Optional[float] = None,
        top_p: Optional[float] = None,
        max_tokens: Optional[int] = None,
        response_format: Optional[_ResponseFormat] = None,
        stop: Optional[Sequence[str]] = None,
        tools: Optional[Sequence[_models.ChatCompletionsToolDefinition]] = None,
        tool_choice: Optional[_ToolChoice] = None,
        seed: Optional[int] = None,
        model: Optional[str] = None,
        model_extras: Optional[Mapping[str, Any]] = None,
        **kwargs: Any,
    ) -> Union[_models.ChatCompletions, StreamingChatCompletions]:
        """The 1.0.0b9 name and signature: `create`, or with `stream=True` `create_streaming`.

        Takes `create`'s arguments plus `stream`. Without `stream` (or with `stream=False`, and no `"stream": true`
        in `body`) it returns the `ChatCompletions` answer; otherwise the stream of updates
        whose updates read as 1.0.0b9's did: an update without choices on the wire has `choices == []`, and
        `delta.content` is None when the update carries no text. New code can call `create` and
        `create_streaming`, whose return types are not a union.

        :keyword stream: Whether to stream the answer.
        :return: The answer, or the stream of updates.
        :rtype: ~azure.ai.inference.models.ChatCompletions or ~azure.ai.inference.StreamingChatCompletions
        :raises TypeError: or ValueError for a bad argument, before any network call.
        :raises ~azure.core.exceptions.HttpResponseError: when the service answers with an error.
        """
        given, model_extras = lift_named_extras(
            CHAT_FIELDS,
            {
                "messages": messages,
                "frequency_penalty": frequency_penalty,
                "presence_penalty": presence_penalty,
                "temperature": temperature,
                "top_p": top_p,
                "max_tokens": max_tokens,
                "response_format": response_format,
                "stop": stop,
                "tools": tools,
                "tool_choice": tool_choice,
                "seed": seed,
                "model": model,
            },
            model_extras,
        )
        if wants_stream(body, stream):
            return self._stream("complete", CompatStreamingChatCompletions, body, given, model_extras, kwargs)
        return self._complete("complete", body, given, model_extras, kwargs)

    def _complete(
        self, operation: str, body: Any, given: dict[str, Any], model_extras: Any, kwargs: dict[str, Any]
    ) -> _models.ChatCompletions:
        check_options(kwargs, PER_CALL_OPTIONS, operation)
        settings = self._settings
        request = settings.request(
            "chat", method=operation, body=body, given=given, model_extras=model_extras, required=("messages",)
        )
        return chat_completions(self._json(CHAT, request, kwargs))

    def _stream(
        self,
        operation: str,
        stream_type: type[_Stream],
        body: Any,
        given: dict[str, Any],
        model_extras: Any,
        kwargs: dict[str, Any],
    ) -> _Stream:
        check_options(kwargs, STREAM_CALL_OPTIONS, operation)
        settings = self._settings
        request = settings.request(
            "chat",
            method=operation,
            body=body,
            given=given,
            model_extras=model_extras,
            required=("messages",),
            stream=True,
        )
        with self._trace(CHAT, request) as span:
            response = self._send(request, kwargs, stream=True)
            problem = check_event_stream(response)
            if problem is not None:
                try:
                    response.read()
                finally:
                    response.close()
                raise problem(response.text())
            return self._track(span.keep_open(stream_type(response, max_event_size=settings.max_event_size(kwargs))))

    # Documented on each client (the shared base class is private).
    get_model_info = _InferenceClient.get_model_info
    close = _InferenceClient.close


class EmbeddingsClient(_InferenceClient, _EmbeddingsClient):
    """A client for text embeddings.

    :param endpoint: The endpoint URL.
    :param credential: An `AzureKeyCredential` or a token credential.
    :keyword api_version: The REST API version; defaults to `2024-04-01-preview`; `None` sends none (see
     `ChatCompletionsClient`).
    :keyword model_extras: Extra body fields sent with every call; a call's own `model_extras` replace them.
    :keyword enable_content_recording: With tracing on, whether the spans hold the prompts; see
     `ChatCompletionsClient`.

    The keywords named like `create`'s arguments are defaults for every call. Other keywords are azure-core's
    options; unknown keywords are dropped with a `UserWarning`. Calls are traced as described for
    `ChatCompletionsClient`.
    """

    def __init__(
        self,
        endpoint: str,
        credential: Union[AzureKeyCredential, "TokenCredential"],
        *,
        api_version: Optional[str] = DEFAULT_API_VERSION,
        dimensions: Optional[int] = None,
        encoding_format: Optional[Union[str, _models.EmbeddingEncodingFormat]] = None,
        input_type: Optional[Union[str, _models.EmbeddingInputType]] = None,
        model: Optional[str] = None,
        user: Optional[str] = None,
        model_extras: Optional[Mapping[str, Any]] = None,
        enable_content_recording: Optional[bool] = None,
        **kwargs: Any,
    ) -> None:
        defaults = {
            "dimensions": dimensions,
            "encoding_format": encoding_format,
            "input_type": input_type,
            "model": model,
            "user": user,
        }
        self._setup(
            name="EmbeddingsClient",
            fields=EMBEDDINGS_FIELDS,
            endpoint=endpoint,
            credential=credential,
            api_version=api_version,
            defaults=defaults,
            model_extras=model_extras,
            enable_content_recording=enable_content_recording,
            kwargs=kwargs,
        )

    def create(
        self,
        body: Optional[Mapping[str, Any]] = None,
        *,
        input: Optional[Union[str, Sequence[str]]] = None,  # pylint: disable=redefined-builtin
        dimensions: Optional[int] = None,
        encoding_format: Optional[Union[str, _models.EmbeddingEncodingFormat]] = None,
        input_type: Optional[Union[str, _models.EmbeddingInputType]] = None,
        model: Optional[str] = None,
        user: Optional[str] = None,
        model_extras: Optional[Mapping[str, Any]] = None,
        **kwargs: Any,
    ) -> _models.EmbeddingsResult:
        """Embed texts as vectors (`POST .../embeddings`).

        :param body: The whole request body as a dict, sent as it is; give it instead of the keywords.
        :keyword input: The texts to embed, or one text. Required unless `body` is given.
        :keyword dimensions: The number of dimensions of each vector, on models that support it.
        :keyword encoding_format: `"float"` (the service's default) or `"base64"`, which is smaller on the wire.
         Either way `data[i].embedding` is a list of floats; with base64 the string is also in
         `data[i]["embedding_base64"]`.
        :keyword input_type: `"text"`, `"query"` or `"document"`.
        :keyword model: The model to use, on endpoints that serve more than one; required on Azure OpenAI v1
         (the deployment name) and GitHub Models endpoints.
        :keyword user: An id of the end user, for the service's abuse monitoring.
        :keyword model_extras: Extra body fields for the model.
        :return: One vector per input, with usage.
        :rtype: ~azure.ai.inference.models.EmbeddingsResult
        :raises ~azure.core.exceptions.HttpResponseError: when the service answers with an error.
        """
        given = {
            "input": input,
            "dimensions": dimensions,
            "encoding_format": encoding_format,
            "input_type": input_type,
            "model": model,
            "user": user,
        }
        return self._embed("create", body, given, model_extras, kwargs)

    def embed(
        self,
        body: Optional[Mapping[str, Any]] = None,
        *,
        input: Optional[Sequence[str]] = None,  # pylint: disable=redefined-builtin
        dimensions: Optional[int] = None,
        encoding_format: Optional[Union[str, _models.EmbeddingEncodingFormat]] = None,
        input_type: Optional[Union[str, _models.EmbeddingInputType]] = None,
        model: Optional[str] = None,
        model_extras: Optional[Mapping[str, Any]] = None,
        **kwargs: Any,
    ) -> _models.EmbeddingsResult:
        """The 1.0.0b9 name of `create`: embed texts as vectors. Takes the same arguments.

        :return: One vector per input, with usage.
        :rtype: ~azure.ai.inference.models.EmbeddingsResult
        :raises ~azure.core.exceptions.HttpResponseError: when the service answers with an error.
        """
        given = {
            "input": input,
            "dimensions": dimensions,
            "encoding_format": encoding_format,
            "input_type": input_type,
            "model": model,
        }
        given, model_extras = lift_named_extras(EMBEDDINGS_FIELDS, given, model_extras)
        return self._embed("embed", body, given, model_extras, kwargs)

    def _embed(
        self, operation: str, body: Any, given: dict[str, Any], model_extras: Any, kwargs: dict[str, Any]
    ) -> _models.EmbeddingsResult:
        check_options(kwargs, PER_CALL_OPTIONS, operation)
        settings = self._settings
        request = settings.request(
            "embeddings", method=operation, body=body, given=given, model_extras=model_extras, required=("input",)
        )
        return embeddings_result(self._json(EMBEDDINGS, request, kwargs))

    def create_many(
        self,
        texts: Texts,
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        max_batch_chars: int = DEFAULT_BATCH_CHARS,
        concurrency: int = DEFAULT_CONCURRENCY,
        on_progress: Optional[Callable[[BulkProgress], None]] = None,
        throttle_budget: float = DEFAULT_THROTTLE_BUDGET,
        dimensions: Optional[int] = None,
        encoding_format: Optional[Union[str, _models.EmbeddingEncodingFormat]] = None,
        input_type: Optional[Union[str, _models.EmbeddingInputType]] = None,
        model: Optional[str] = None,
        model_extras: Optional[Mapping[str, Any]] = None,
        **kwargs: Any,
    ) -> Iterator[_models.EmbeddingItem]:
        """Embed any number of texts in batches, on `concurrency` threads, and yield one item per text in input order.

        :param texts: The texts, in any number: a list, a generator, an open file (one text a line, newline removed
         first). Read lazily, as batches are sent.
        :keyword batch_size: The most texts sent in one request (default 64).
        :keyword max_batch_chars: The most characters of text sent in one request (default 64,000); a longer
         single text is sent alone.
        :keyword concurrency: The most requests in flight at once (default 4). At most this many batches are
         held in memory, whatever the size of the input.
        :keyword on_progress: Called with a `BulkProgress` once each batch's items were yielded,
         from the iterating thread.
        :keyword throttle_budget: The most seconds one batch may spend throttled (default 600), counted from its
         first 429 or 503 answer: when the retry policy gives up on a throttled batch (after `retry_status` tries,
         3 by default), the batch is sent again after the delay the answer asked for, until this budget is spent.
         0 leaves throttling to the retry policy alone.
        :keyword dimensions: As for `create`; likewise `encoding_format`, `input_type`, `model` and `model_extras`.
        :return: An iterator of `EmbeddingItem`; `item.index` is the text's position in `texts`.
        :rtype: Iterator[~azure.ai.inference.models.EmbeddingItem]
        :raises TypeError: or ValueError for a bad argument, before any network call (a text that is not a str:
         when it is reached, before its batch is sent).
        :raises ~azure.core.exceptions.HttpResponseError: when a batch fails for good, after every item before it
         was yielded.

        Throttling: a 429 or 503 answer is retried by the client's retry policy after its `Retry-After` (at most
        `retry_after_max` seconds, 60 by default; a longer one fails the job), and no new batch starts before
        then; past the retry policy's tries, `throttle_budget` applies. The first batch is sent alone. Other
        keywords are azure-core's per-call options, used for every request (`retry_status`, `headers`, ...).
        """
        check_options(kwargs, PER_CALL_OPTIONS, "create_many")
        plan = bulk_plan(texts, batch_size, max_batch_chars, concurrency, on_progress, throttle_budget)
        given = {"dimensions": dimensions, "encoding_format": encoding_format, "input_type": input_type, "model": model}
        settings = self._settings
        settings.request(
            "embeddings", method="create_many", body=None, given=given, model_extras=model_extras, required=()
        )
        options = {**{k: v for k, v in given.items() if v is not None}, "model_extras": model_extras, **kwargs}
        return embed_many(self.create, texts, plan, options)

    # Documented on each client (the shared base class is private).
    get_model_info = _InferenceClient.get_model_info
    close = _InferenceClient.close


class ImageEmbeddingsClient(_InferenceClient, _ImageEmbeddingsClient):
    """A client for image embeddings (`/images/embeddings`, api-version `2024-05-01-preview` and later).

    :param endpoint: The endpoint URL.
    :param credential: An `AzureKeyCredential` or a token credential.
    :keyword api_version: The REST API version; defaults to `2024-05-01-preview`, the first that serves image
     embeddings.
    :keyword model_extras: Extra body fields sent with every call; a call's own `model_extras` replace them.
    :keyword enable_content_recording: With tracing on, whether the spans hold the inputs; see
     `ChatCompletionsClient`.

    The keywords named like `embed`'s arguments are defaults for every call. Other keywords are azure-core's
    options; unknown keywords are dropped with a `UserWarning`. Calls are traced as described for
    `ChatCompletionsClient`.
    """

    def __init__(
        self,
        endpoint: str,
        credential: Union[AzureKeyCredential, "TokenCredential"],
        *,
        api_version: str = IMAGE_EMBEDDINGS_API_VERSION,
        dimensions: Optional[int] = None,
        encoding_format: Optional[Union[str, _models.EmbeddingEncodingFormat]] = None,
        input_type: Optional[Union[str, _models.EmbeddingInputType]] = None,
        model: Optional[str] = None,
        model_extras: Optional[Mapping[str, Any]] = None,
        enable_content_recording: Optional[bool] = None,
        **kwargs: Any,
    ) -> None:
        defaults = {
            "dimensions": dimensions,
            "encoding_format": encoding_format,
            "input_type": input_type,
            "model": model,
        }
        self._setup(
            name="ImageEmbeddingsClient",
            fields=IMAGE_EMBEDDINGS_FIELDS,
            endpoint=endpoint,
            credential=credential,
            api_version=api_version,
            defaults=defaults,
            model_extras=model_extras,
            enable_content_recording=enable_content_recording,
            kwargs=kwargs,
        )

    def embed(
        self,
        body: Optional[Mapping[str, Any]] = None,
        *,
        input: Optional[  # pylint: disable=redefined-builtin
            Sequence[Union[_models.ImageEmbeddingInput, Mapping[str, Any]]]
        ] = None,
        dimensions: Optional[int] = None,
        encoding_format: Optional[Union[str, _models.EmbeddingEncodingFormat]] = None,
        input_type: Optional[Union[str, _models.EmbeddingInputType]] = None,
        model: Optional[str] = None,
        model_extras: Optional[Mapping[str, Any]] = None,
        **kwargs: Any,
    ) -> _models.EmbeddingsResult:
        """Embed images, each with optional text, as vectors (`POST /images/embeddings`).

        :param body: The whole request body as a dict, sent as it is; give it instead of the keywords.
        :keyword input: The images: `ImageEmbeddingInput(image=<data URL>, text=...)` (`ImageEmbeddingInput.load()`
         reads a file) or dicts of that shape. Required unless `body` is given.
        :keyword dimensions: The number of dimensions of each vector, on models that support it.
        :keyword encoding_format: `"float"` or `"base64"`; `data[i].embedding` is a list of floats either way.
        :keyword input_type: `"text"`, `"query"` or `"document"`.
        :keyword model: The model to use, on endpoints that serve more than one.
        :keyword model_extras: Extra body fields for the model.
        :return: One vector per input, with usage.
        :rtype: ~azure.ai.inference.models.EmbeddingsResult
        :raises ValueError: with api-version `2024-04-01-preview`, which has no image embeddings route.
        :raises ~azure.core.exceptions.HttpResponseError: when the service answers with an error.
        """
        check_options(kwargs, PER_CALL_OPTIONS, "embed")
        settings = self._settings
        given = {
            "input": input,
            "dimensions": dimensions,
            "encoding_format": encoding_format,
            "input_type": input_type,
            "model": model,
        }
        request = settings.request(
            "image_embeddings", method="embed", body=body, given=given, model_extras=model_extras, required=("input",)
        )
        return embeddings_result(self._json(EMBEDDINGS, request, kwargs))

    # `create` is this client's name for the same call, as on the other clients.
    create = embed
    # Documented on each client (the shared base class is private).
    get_model_info = _InferenceClient.get_model_info
    close = _InferenceClient.close


class ImageGenerationClient(_InferenceClient, _ImageGenerationClient):
    """A client for image generation (api-version `2024-04-01-preview`).

    :param endpoint: The endpoint URL.
    :param credential: An `AzureKeyCredential` or a token credential.
    :keyword api_version: The REST API version; defaults to `2024-04-01-preview`; `None` sends none (see
     `ChatCompletionsClient`).
    :keyword model_extras: Extra body fields sent with every call; a call's own `model_extras` replace them.
    :keyword enable_content_recording: With tracing on, whether the spans hold the prompts; see
     `ChatCompletionsClient`.

    The keywords named like `create`'s arguments are defaults for every call. Other keywords are azure-core's
    options; unknown keywords are dropped with a `UserWarning`. Calls are traced as described for
    `ChatCompletionsClient`.
    """

    def __init__(
        self,
        endpoint: str,
        credential: Union[AzureKeyCredential, "TokenCredential"],
        *,
        api_version: Optional[str] = DEFAULT_API_VERSION,
        size: Optional[Union[str, tuple[int, int]]] = None,
        quality: Optional[Union[str, _models.ImageGenerationQuality]] = None,
        response_format: Optional[Union[str, _models.ImageGenerationResponseFormat]] = None,
        seed: Optional[int] = None,
        model: Optional[str] = None,
        model_extras: Optional[Mapping[str, Any]] = None,
        enable_content_recording: Optional[bool] = None,
        **kwargs: Any,
    ) -> None:
        defaults = {"size": size, "quality": quality, "response_format": response_format, "seed": seed, "model": model}
        self._setup(
            name="ImageGenerationClient",
            fields=IMAGE_FIELDS,
            endpoint=endpoint,
            credential=credential,
            api_version=api_version,
            defaults=defaults,
            model_extras=model_extras,
            enable_content_recording=enable_content_recording,
            kwargs=kwargs,
        )

    def create(
        self,
        body: Optional[Mapping[str, Any]] = None,
        *,
        prompt: Optional[str] = None,
        size: Optional[Union[str, tuple[int, int]]] = None,
        quality: Optional[Union[str, _models.ImageGenerationQuality]] = None,
        response_format: Optional[Union[str, _models.ImageGenerationResponseFormat]] = None,
        seed: Optional[int] = None,
        model: Optional[str] = None,
        model_extras: Optional[Mapping[str, Any]] = None,
        **kwargs: Any,
    ) -> _models.ImageGenerations:
        """Generate images from a prompt (`POST /images/generations`).

        :param body: The whole request body as a dict, sent as it is; give it instead of the keywords.
        :keyword prompt: What the image should show. Required unless `body` is given.
        :keyword size: `"<width>x<height>"` such as `"1024x768"`, or a `(width, height)` tuple. Required.
        :keyword quality: `"standard"` or `"hd"`.
        :keyword response_format: `"url"` or `"b64_json"`; with `b64_json`, `data[i].b64_json` is the image's bytes.
        :keyword seed: A seed for best-effort deterministic generation.
        :keyword model: The model to use, on endpoints that serve more than one.
        :keyword model_extras: Extra body fields for the model.
        :return: The images.
        :rtype: ~azure.ai.inference.models.ImageGenerations
        :raises ValueError: for a malformed size, before any network call.
        :raises ~azure.core.exceptions.HttpResponseError: when the service answers with an error.
        """
        check_options(kwargs, PER_CALL_OPTIONS, "create")
        settings = self._settings
        given = {
            "prompt": prompt,
            "size": size,
            "quality": quality,
            "response_format": response_format,
            "seed": seed,
            "model": model,
        }
        request = settings.request(
            "images", method="create", body=body, given=given, model_extras=model_extras, required=("prompt", "size")
        )
        return image_generations(self._json(IMAGE_GENERATION, request, kwargs))

    # Documented on each client (the shared base class is private).
    get_model_info = _InferenceClient.get_model_info
    close = _InferenceClient.close


def patch_sdk() -> None:
    """Nothing to patch at import time: the clients above are exported under their own names."""
