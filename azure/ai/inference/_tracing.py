# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""OpenTelemetry spans for the client calls, following the OpenTelemetry gen_ai semantic conventions.

Strategy: the clients ask `start_span()` for the span of each call that reaches the service. When azure-core's
tracing is off (no `settings.tracing_implementation`, `AZURE_TRACING_ENABLED` not set) that is one settings check
and the shared no-op `NO_SPAN`. Otherwise it is a `_GenAISpan` of kind CLIENT, named `<operation> <model>`, made
current while the request runs so that azure-core's HTTP span becomes its child. A streamed call keeps its span
open (`keep_open`) until the stream ends, is closed or fails (`end_stream`).

Everything that turns a request body or a response into attributes and events is a pure function over the
decoded JSON, shared by the sync and async clients. OpenTelemetry and the tracing plugin are imported only once
tracing is on, so importing this module costs nothing.

Span attributes: `gen_ai.operation.name`, `gen_ai.system` (`az.ai.inference`), `gen_ai.request.*` (model,
temperature, top_p, max_tokens, frequency_penalty, presence_penalty, stop_sequences, seed, encoding_formats),
`gen_ai.embeddings.dimension.count`, `gen_ai.output.type`, `server.address`, `server.port`, `gen_ai.response.id`,
`gen_ai.response.model`, `gen_ai.response.finish_reasons`, `gen_ai.usage.input_tokens`,
`gen_ai.usage.output_tokens`, and `error.type` with an error status on failure.

`tracing.AIInferenceInstrumentor().instrument()` (the 1.0.0b9 way) turns the spans on without azure-core's
settings, through azure-core's OpenTelemetry tracer.

Message content is recorded only when asked for (`enable_content_recording=True` on the client, the
instrumentor's `enable_content_recording`, or the environment variable
`AZURE_TRACING_GEN_AI_CONTENT_RECORDING_ENABLED=true`): as span events
`gen_ai.system.message`, `gen_ai.user.message`, `gen_ai.assistant.message`, `gen_ai.tool.message` for the request
and `gen_ai.choice` for each answer, each with `gen_ai.system` and the JSON in `gen_ai.event.content`.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Callable, ContextManager, Optional, Protocol, TypeVar, cast
from urllib.parse import urlsplit

from azure.core.settings import settings

from ._transport._azure_core import tracing_surely_off
from ._utils.model_base import SdkJSONEncoder
from ._version import VERSION

if TYPE_CHECKING:
    from azure.core.rest import HttpRequest

__all__: list[str] = []

_LOGGER = logging.getLogger(__name__)

CONTENT_RECORDING_ENV = "AZURE_TRACING_GEN_AI_CONTENT_RECORDING_ENABLED"
GEN_AI_SYSTEM = "az.ai.inference"

# Operation names (`gen_ai.operation.name`).
CHAT = "chat"
EMBEDDINGS = "embeddings"
IMAGE_GENERATION = "generate_content"
MODEL_INFO = "get_model_info"

_NUMBER_FIELDS = (
    ("temperature", "gen_ai.request.temperature"),
    ("top_p", "gen_ai.request.top_p"),
    ("frequency_penalty", "gen_ai.request.frequency_penalty"),
    ("presence_penalty", "gen_ai.request.presence_penalty"),
)
_INTEGER_FIELDS = (
    ("max_tokens", "gen_ai.request.max_tokens"),
    ("seed", "gen_ai.request.seed"),
)
_MESSAGE_EVENTS = {
    "system": "gen_ai.system.message",
    "developer": "gen_ai.system.message",
    "user": "gen_ai.user.message",
    "assistant": "gen_ai.assistant.message",
    "tool": "gen_ai.tool.message",
}
_DEFAULT_PORTS = {"https": 443, "http": 80}

Event = tuple[str, dict[str, Any]]


class _Traceable(Protocol):
    """A stream that ends the span of the call that opened it."""

    _span: Optional["CallSpan"]


StreamT = TypeVar("StreamT", bound=_Traceable)


# ---------------------------------------------------------------------------------------------- content recording


def content_recording_keyword(value: Any) -> Optional[bool]:
    """Check the `enable_content_recording` constructor keyword: a bool, or None to follow the environment."""
    if value is None or isinstance(value, bool):
        return value
    raise TypeError(f"enable_content_recording must be a bool, not {type(value).__name__}")


class _Instrumentation:
    """Set by the public `tracing.AIInferenceInstrumentor`: spans on without azure-core's tracing settings."""

    on = False
    content_recording = False


INSTRUMENTATION = _Instrumentation()


def content_recording_from_environment() -> bool:
    return os.environ.get(CONTENT_RECORDING_ENV, "").strip().lower() in ("true", "1")


def content_recording_enabled(keyword: Optional[bool]) -> bool:
    """Whether prompts and answers go into the spans: the client's keyword if given, else the instrumentor's
    choice while instrumented, else the environment."""
    if keyword is not None:
        return keyword
    if INSTRUMENTATION.on:
        return INSTRUMENTATION.content_recording
    return content_recording_from_environment()


# ---------------------------------------------------------------------------------------------- attributes


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _nonempty_str(value: Any) -> bool:
    return isinstance(value, str) and bool(value)


def _mapping(value: Any) -> Optional[Mapping[str, Any]]:
    """`value` as a JSON object, or None when it is something else."""
    return cast(Mapping[str, Any], value) if isinstance(value, Mapping) else None


def _objects(value: Any) -> list[Mapping[str, Any]]:
    """The JSON objects in `value` when it is a list; an empty list otherwise."""
    if not isinstance(value, list):
        return []
    items = cast(list[Any], value)  # type: ignore[redundant-cast, unused-ignore]
    return [cast(Mapping[str, Any], item) for item in items if isinstance(item, Mapping)]


def _strings(value: Any) -> Optional[list[str]]:
    """`value` as a non-empty list of str (a str alone is a list of one), or None."""
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list):
        return None
    items = cast(list[Any], value)  # type: ignore[redundant-cast, unused-ignore]
    return cast(list[str], items) if items and all(isinstance(item, str) for item in items) else None


def span_name(operation: str, model: Any) -> str:
    """`<operation> <model>`, or the operation alone when the request names no model."""
    return f"{operation} {model}" if _nonempty_str(model) else operation


def server_attributes(endpoint: str) -> dict[str, Any]:
    """`server.address` and `server.port` of the endpoint URL (the scheme's default port when none is given)."""
    attributes: dict[str, Any] = {}
    try:
        parts = urlsplit(endpoint)
        port = parts.port or _DEFAULT_PORTS.get(parts.scheme)
    except ValueError:
        return attributes
    if parts.hostname:
        attributes["server.address"] = parts.hostname
        if port:
            attributes["server.port"] = port
    return attributes


def _output_type(operation: str, body: Mapping[str, Any]) -> Optional[str]:
    if operation == IMAGE_GENERATION:
        return "image"
    if operation != CHAT:
        return None
    response_format = body.get("response_format")
    as_object = _mapping(response_format)
    kind = as_object.get("type") if as_object is not None else response_format
    if kind in ("json_object", "json_schema"):
        return "json"
    if kind == "text":
        return "text"
    return None


def request_attributes(operation: str, body: Mapping[str, Any], endpoint: str) -> dict[str, Any]:
    """The span attributes known before the call, from the request body as sent (a decoded JSON object)."""
    attributes: dict[str, Any] = {"gen_ai.operation.name": operation, "gen_ai.system": GEN_AI_SYSTEM}
    model = body.get("model")
    if _nonempty_str(model):
        attributes["gen_ai.request.model"] = model
    for field, name in _NUMBER_FIELDS:
        value = body.get(field)
        if _is_number(value):
            attributes[name] = value
    for field, name in _INTEGER_FIELDS:
        value = body.get(field)
        if _is_integer(value):
            attributes[name] = value
    stop = _strings(body.get("stop"))
    if stop is not None:
        attributes["gen_ai.request.stop_sequences"] = stop
    if operation == EMBEDDINGS:
        encoding_format = body.get("encoding_format")
        if _nonempty_str(encoding_format):
            attributes["gen_ai.request.encoding_formats"] = [encoding_format]
        dimensions = body.get("dimensions")
        if _is_integer(dimensions):
            attributes["gen_ai.embeddings.dimension.count"] = dimensions
    output_type = _output_type(operation, body)
    if output_type is not None:
        attributes["gen_ai.output.type"] = output_type
    attributes.update(server_attributes(endpoint))
    return attributes


def response_attributes(operation: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """The span attributes learnt from a response's JSON object (or the updates of a stream, accumulated)."""
    attributes: dict[str, Any] = {}
    if operation == MODEL_INFO:
        if _nonempty_str(data.get("model_name")):
            attributes["gen_ai.response.model"] = data["model_name"]
        return attributes
    if _nonempty_str(data.get("id")):
        attributes["gen_ai.response.id"] = data["id"]
    if _nonempty_str(data.get("model")):
        attributes["gen_ai.response.model"] = data["model"]
    reasons = [c["finish_reason"] for c in _objects(data.get("choices")) if _nonempty_str(c.get("finish_reason"))]
    if reasons:
        attributes["gen_ai.response.finish_reasons"] = reasons
    usage = _mapping(data.get("usage"))
    if usage is not None:
        if _is_integer(usage.get("prompt_tokens")):
            attributes["gen_ai.usage.input_tokens"] = usage["prompt_tokens"]
        if _is_integer(usage.get("completion_tokens")):
            attributes["gen_ai.usage.output_tokens"] = usage["completion_tokens"]
    return attributes


def error_type(error: BaseException) -> str:
    """`error.type`: the exception's fully qualified class name, as azure-core's spans have it."""
    cls = type(error)
    module = cls.__module__
    return cls.__qualname__ if module == "builtins" else f"{module}.{cls.__qualname__}"


# ---------------------------------------------------------------------------------------------- content events


def _message_event(message: Mapping[str, Any]) -> Event:
    role = message.get("role")
    name = _MESSAGE_EVENTS.get(role) if isinstance(role, str) else None
    if role == "tool":
        return "gen_ai.tool.message", {"content": message.get("content"), "id": message.get("tool_call_id")}
    content = {k: v for k, v in message.items() if k != "role" and v is not None}
    if name is None or role == "developer":
        # A role with no event of its own: the closest event, with the actual role in its body.
        content["role"] = role
    return name or "gen_ai.user.message", content


def request_events(operation: str, body: Mapping[str, Any]) -> list[Event]:
    """The prompt as content events: one per chat message, or the image generation prompt."""
    if operation == CHAT:
        return [_message_event(message) for message in _objects(body.get("messages"))]
    elif operation == IMAGE_GENERATION and isinstance(body.get("prompt"), str):
        return [("gen_ai.user.message", {"content": body["prompt"]})]
    return []


def choice_events(operation: str, data: Mapping[str, Any]) -> list[Event]:
    """The answer as content events: one `gen_ai.choice` per chat choice."""
    if operation != CHAT:
        return []
    events: list[Event] = []
    for position, choice in enumerate(_objects(data.get("choices"))):
        content: dict[str, Any] = {
            "index": choice.get("index", position),
            "finish_reason": choice.get("finish_reason"),
        }
        message = _mapping(choice.get("message"))
        if message is not None:
            content["message"] = {
                k: v for k, v in message.items() if v is not None and not (k == "role" and v == "assistant")
            }
        events.append(("gen_ai.choice", content))
    return events


# ---------------------------------------------------------------------------------------------- spans


class CallSpan:
    """The span of one call. This base does nothing: it is what calls get while tracing is off."""

    __slots__ = ()

    def __enter__(self) -> "CallSpan":
        return self

    def __exit__(self, exc_type: Any, exc: Optional[BaseException], tb: Any) -> None:
        return None

    def record(self, data: dict[str, Any]) -> dict[str, Any]:
        """Add what the response says to the span; returns `data` unchanged."""
        return data

    def keep_open(self, stream: StreamT) -> StreamT:
        """Hand the span over to a stream, which ends it; returns `stream`."""
        return stream

    def end_stream(self, completion: Callable[[], Mapping[str, Any]], error: Optional[BaseException]) -> None:
        """End a streamed call's span with the answer received (built only if the span records) and the
        failure, if any."""


NO_SPAN = CallSpan()

# The no-op span of a call for which azure-core's tracing settings were read, just now, and said off: the client
# tells its pipeline so, whose `DistributedTracingPolicy` then does not read them again for the call.
UNTRACED = CallSpan()


def start_span(operation: str, endpoint: str, request: "HttpRequest", content_recording: Optional[bool]) -> CallSpan:
    """The span of a call about to send `request`; a no-op (`UNTRACED` or `NO_SPAN`) unless azure-core tracing
    is on.

    Tracing problems are logged and never fail the call.
    """
    if not INSTRUMENTATION.on and (tracing_surely_off() or not settings.tracing_enabled()):
        return UNTRACED
    try:
        return _open(operation, endpoint, request, content_recording)
    except Exception:  # pylint: disable=broad-except
        _LOGGER.warning("Could not start the tracing span of %s", operation, exc_info=True)
        return NO_SPAN


def _request_body(request: "HttpRequest") -> dict[str, Any]:
    content = request.content
    if isinstance(content, (bytes, str)) and content:
        body = _mapping(json.loads(content))
        if body is not None:
            return dict(body)
    return {}


def _plugin() -> Optional[type[Any]]:
    """azure-core's tracing plugin class (`settings.tracing_implementation`), or None."""
    get: Callable[[], Optional[type[Any]]] = getattr(settings, "tracing_implementation")
    return get()


def _open(operation: str, endpoint: str, request: "HttpRequest", content_recording: Optional[bool]) -> CallSpan:
    # Imported here: only with tracing on, and then already loaded by azure-core's tracing plugin or tracer.
    from azure.core.tracing import SpanKind  # pylint: disable=import-outside-toplevel
    from opentelemetry.trace import Span  # pylint: disable=import-outside-toplevel

    body = _request_body(request)
    attributes = request_attributes(operation, body, endpoint)
    name = span_name(operation, attributes.get("gen_ai.request.model"))
    implementation = _plugin()
    scope: Callable[[], ContextManager[Any]]
    if implementation is not None:
        # The plugin (azure-core-tracing-opentelemetry): its span, made current the plugin's way.
        wrapper: Any = implementation(name=name, kind=SpanKind.CLIENT, attributes=attributes)
        span = getattr(wrapper, "span_instance", None)
        if not isinstance(span, Span):
            wrapper.finish()
            return NO_SPAN

        def scope() -> ContextManager[Any]:
            return cast(ContextManager[Any], implementation.change_context(wrapper))

    else:
        # azure-core's own OpenTelemetry tracer (`settings.tracing_enabled = True` without a plugin).
        from azure.core.instrumentation import get_tracer  # pylint: disable=import-outside-toplevel

        tracer = get_tracer(library_name="azure-ai-inference", library_version=VERSION)
        if tracer is None:
            return NO_SPAN
        span = tracer.start_span(name, kind=SpanKind.CLIENT, attributes=attributes)

        def scope() -> ContextManager[Any]:
            return tracer.use_span(span, end_on_exit=False)

    return _GenAISpan(span, scope, operation, body, content_recording_enabled(content_recording))


class _GenAISpan(CallSpan):
    """A gen_ai span of kind CLIENT, over an OpenTelemetry span."""

    __slots__ = ("_span", "_scope", "_current", "_operation", "_content", "_kept_open")

    def __init__(
        self,
        span: Any,
        scope: Callable[[], ContextManager[Any]],
        operation: str,
        body: Mapping[str, Any],
        record_content: bool,
    ) -> None:
        self._span = span
        self._scope = scope
        self._current: Optional[ContextManager[Any]] = None
        self._operation = operation
        self._content = record_content
        self._kept_open = False
        if record_content and span.is_recording():
            self._add_events(request_events(operation, body))

    def __enter__(self) -> "_GenAISpan":
        self._current = self._scope()
        self._current.__enter__()
        return self

    def __exit__(self, exc_type: Any, exc: Optional[BaseException], tb: Any) -> None:
        current, self._current = self._current, None
        if current is not None:
            current.__exit__(exc_type, exc, tb)
        if exc is not None:
            self._end(error=exc)
        elif not self._kept_open:
            self._end()

    def record(self, data: dict[str, Any]) -> dict[str, Any]:
        self._describe(data)
        return data

    def keep_open(self, stream: StreamT) -> StreamT:
        stream._span = self  # pylint: disable=protected-access  # pyright: ignore[reportPrivateUsage]
        self._kept_open = True
        return stream

    def end_stream(self, completion: Callable[[], Mapping[str, Any]], error: Optional[BaseException]) -> None:
        try:
            if self._span.is_recording():
                self._describe(completion())
        except Exception:  # pylint: disable=broad-except
            _LOGGER.warning("Could not add the streamed answer to the tracing span", exc_info=True)
        self._end(error)

    def _describe(self, data: Mapping[str, Any]) -> None:
        try:
            if self._span.is_recording():
                self._span.set_attributes(response_attributes(self._operation, data))
                if self._content:
                    self._add_events(choice_events(self._operation, data))
        except Exception:  # pylint: disable=broad-except
            _LOGGER.warning("Could not add the response to the tracing span", exc_info=True)

    def _add_events(self, events: list[Event]) -> None:
        for name, content in events:
            self._span.add_event(
                name,
                {
                    "gen_ai.system": GEN_AI_SYSTEM,
                    "gen_ai.event.content": json.dumps(content, cls=SdkJSONEncoder, ensure_ascii=False),
                },
            )

    def _end(self, error: Optional[BaseException] = None) -> None:
        try:
            if error is not None:
                from opentelemetry.trace import Status, StatusCode  # pylint: disable=import-outside-toplevel

                kind = error_type(error)
                self._span.set_attribute("error.type", kind)
                self._span.set_status(Status(StatusCode.ERROR, f"{kind}: {error}"))
        finally:
            self._span.end()
