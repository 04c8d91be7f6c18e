# This file is generated from azure/ai/inference/aio/_chat.py by scripts/unasync.py; do not edit.
# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""The chat completions client: `create`, `create_streaming`, `run_tools`, and 1.0.0b9's `complete`."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, Optional, TypeVar, Union, overload

from azure.core.credentials import AzureKeyCredential

from . import models as _models
from ._compat import CompatStreamingChatCompletions, lift_named_extras, wants_stream
from ._core.arguments import CHAT_FIELDS, PER_CALL_OPTIONS, STREAM_CALL_OPTIONS, check_options
from ._core.endpoints import DEFAULT_API_VERSION
from ._core.results import chat_completions
from ._core.stream import check_event_stream
from ._core.tools import ToolRun
from ._core.typed import DEFAULT_MAX_ROUNDS, parse_completion, typed_arguments
from ._streaming import StreamingChatCompletions
from ._tool_calls import run_calls, tool_loop
from ._tracing import CHAT
from ._client import ChatCompletionsClient as _ChatCompletionsClient
from ._common import InferenceClient, StreamT

if TYPE_CHECKING:
    from azure.core.credentials import TokenCredential

__all__ = ["ChatCompletionsClient"]

_T = TypeVar("_T")
_ResponseFormat = Union[
    str, _models.ChatCompletionsResponseFormat, _models.JsonSchemaFormat, Mapping[str, Any], "type[Any]"
]
_ToolChoice = Union[str, _models.ChatCompletionsToolChoicePreset, _models.ChatCompletionsNamedToolChoice]
# A Python function (sync or async) or a Pydantic model class, made a tool definition by `models.function_tool`.
_ToolSource = Union[Callable[..., Any], "type[Any]"]
_Tool = Union[_models.ChatCompletionsToolDefinition, Mapping[str, Any], _ToolSource]


class ChatCompletionsClient(InferenceClient, _ChatCompletionsClient):
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

    _output_type: Optional[type] = None  # a type given as the client's `response_format`

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
        tools: Optional[Sequence[_Tool]] = None,
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
        self._output_type = typed_arguments(defaults)
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

    @overload
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
        response_format: "type[_T]",
        tools: Optional[Sequence[_Tool]] = None,
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
    ) -> _models.ParsedChatCompletions[_T]: ...

    @overload
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
        tools: Optional[Sequence[_Tool]] = None,
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
    ) -> _models.ChatCompletions: ...

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
        tools: Optional[Sequence[_Tool]] = None,
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
        :keyword response_format: `"text"`, `"json_object"`, a `JsonSchemaFormat`, a dict sent unchanged, or a
         type: a Pydantic model class, a dataclass or a TypedDict (the `structured` extra). A type is sent as its
         strict JSON schema and the answer is a `ParsedChatCompletions` whose `choices[i].message.parsed` is an
         instance of it; an answer that cannot be read raises a `StructuredOutputError` (`RefusalError`,
         `LengthFinishReasonError`, `ContentFilterFinishReasonError` or `ContentParseError`; `.completion` holds
         the answer).
        :keyword tools: Tools the model may call: `ChatCompletionsToolDefinition`s or dicts, Python functions
         (sync or async, every parameter type-hinted; the docstring describes them) and Pydantic model classes,
         mixed as you like. `models.function_tool(f).parse_arguments(call.function.arguments)` checks a call's
         arguments; `run_tools` runs the calls too.
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
        :return: The answer; `choices[0].message.content` holds the text (and `.parsed` the instance, with a type
         as `response_format`).
        :rtype: ~azure.ai.inference.models.ChatCompletions
        :raises TypeError: or ValueError for a bad argument, before any network call.
        :raises ~azure.core.exceptions.HttpResponseError: when the service answers with an error.
        :raises ~azure.ai.inference.models.StructuredOutputError: with a type as `response_format`, when the answer
         cannot be read into it.

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
        tools: Optional[Sequence[_Tool]] = None,
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
        iterating the result (`for update in stream`) gives `StreamingChatCompletionsUpdate` objects as they
        arrive; leave its `with` block or call `stream.close()` to stop early.

        :keyword stream_options: `{"include_usage": True}` asks for a last update that carries the token usage
         (with no choices on the wire).

        With a type as `response_format`, the updates stay raw and `stream.get_final_completion()` gives
        the whole answer as a `ParsedChatCompletions` (`choices[i].message.parsed`).

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

    def run_tools(
        self,
        *,
        messages: Sequence[Union[_models.ChatRequestMessage, Mapping[str, Any]]],
        tools: Sequence[_ToolSource],
        max_rounds: int = DEFAULT_MAX_ROUNDS,
        on_error: Optional[Callable[[BaseException, str], str]] = None,
        **kwargs: Any,
    ) -> ToolRun:
        """Call the model and run the tools it asks for, round after round, until it answers without tool calls.

        Each round sends the conversation with `create`, appends the assistant message that called tools and one
        `ToolMessage` per call (the function's return value: a str as it is, anything else as JSON), in the order
        of the calls. A tool that raises, a call to an unknown function and arguments that do not validate become
        a tool message with the error's text (`on_error` writes it), so that the model can correct itself; the
        conversation is never cut in the middle. With the async client (`azure.ai.inference.aio`) the calls of
        one round run concurrently: async functions are awaited together under `asyncio.gather`, a sync function
        runs in the event loop's thread when its turn comes (wrap a slow one in an async function that calls
        `asyncio.to_thread`). The sync client runs the calls one after another and refuses async functions.

        :keyword messages: The conversation so far, as `create` takes it. Not changed: the result holds a copy.
        :keyword tools: Python functions (sync or async; every parameter type-hinted, the docstring describing
         them) and Pydantic model classes (the call's validated instance, as JSON, is the tool's answer).
        :keyword max_rounds: The most calls to the model (10 by default). When the answer of the last one still
         asks for tools, those calls are run and `ToolRoundsExceededError` is raised, with the conversation in
         its `messages`.
        :keyword on_error: `(error, function name) -> text` of the tool message for a failed call; raise from it
         to stop the loop instead. By default `"Error: ..."` with the error's text.

        Other keywords go to each `create` call: `model`, `temperature`, `tool_choice`, `response_format` (a type
        is read from the last answer), azure-core's per-call options.
        :return: `completion` (the last answer, without tool calls), `messages` (the whole conversation, the
         last answer included, ready to send again) and `rounds`.
        :rtype: ~azure.ai.inference.models.ToolRun
        :raises TypeError: or ValueError for a bad argument (a function that cannot be described, a tool
         definition that cannot be run), before any network call.
        :raises ~azure.ai.inference.models.ToolRoundsExceededError: after `max_rounds` answers with tool calls.
        :raises ~azure.core.exceptions.HttpResponseError: when the service answers with an error.
        """
        loop = tool_loop(messages, tools, max_rounds, on_error, kwargs)
        while True:
            completion = self.create(messages=loop.messages, tools=loop.definitions, **loop.create_kwargs)
            calls = loop.answer(completion)
            if not calls:
                return loop.result()
            loop.add_results(calls, run_calls(calls, loop.on_error))

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
        tools: Optional[Sequence[_Tool]] = None,
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
        tools: Optional[Sequence[_Tool]] = None,
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
        tools: Optional[Sequence[_Tool]] = None,
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
        tools: Optional[Sequence[_Tool]] = None,
        tool_choice: Optional[_ToolChoice] = None,
        seed: Optional[int] = None,
        model: Optional[str] = None,
        model_extras: Optional[Mapping[str, Any]] = None,
        **kwargs: Any,
    ) -> Union[_models.ChatCompletions, StreamingChatCompletions]:
        """The 1.0.0b9 name and signature: `create`, or with `stream=True` `create_streaming`.

        Takes `create`'s arguments plus `stream`. Without `stream` (or with `stream=False`, and no `"stream": true`
        in `body`) it returns the `ChatCompletions` answer; otherwise the stream of updates,
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
            return self._stream(
                "complete", CompatStreamingChatCompletions, body, given, model_extras, kwargs
            )
        return self._complete("complete", body, given, model_extras, kwargs)

    def _complete(
        self, operation: str, body: Any, given: dict[str, Any], model_extras: Any, kwargs: dict[str, Any]
    ) -> _models.ChatCompletions:
        check_options(kwargs, PER_CALL_OPTIONS, operation)
        output = typed_arguments(given, self._output_type)
        settings = self._settings
        request = settings.request(
            "chat", method=operation, body=body, given=given, model_extras=model_extras, required=("messages",)
        )
        completion = chat_completions(self._json(CHAT, request, kwargs))
        return completion if output is None else parse_completion(output, completion)

    def _stream(
        self,
        operation: str,
        stream_type: type[StreamT],
        body: Any,
        given: dict[str, Any],
        model_extras: Any,
        kwargs: dict[str, Any],
    ) -> StreamT:
        check_options(kwargs, STREAM_CALL_OPTIONS, operation)
        output = typed_arguments(given, self._output_type)
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
            response = self._send(request, kwargs, span, stream=True)
            problem = check_event_stream(response)
            if problem is not None:
                try:
                    response.read()
                finally:
                    response.close()
                raise problem(response.text())
            stream = stream_type(response, max_event_size=settings.max_event_size(kwargs))
            stream._output_type = output  # pylint: disable=protected-access  # pyright: ignore[reportPrivateUsage]
            return self._track(span.keep_open(stream))

    # Documented on each client (the shared base class is private).
    get_model_info = InferenceClient.get_model_info
    close = InferenceClient.close
