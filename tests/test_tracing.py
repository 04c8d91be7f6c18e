"""OpenTelemetry tracing of the clients, sync and async: gen_ai spans, their attributes, streams and content."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from azure.core.credentials import AzureKeyCredential
from azure.core.exceptions import ClientAuthenticationError
from azure.core.settings import settings
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from azure.ai.inference import StreamingError
from azure.ai.inference._tracing import (
    CONTENT_RECORDING_ENV,
    NO_SPAN,
    UNTRACED,
    request_attributes,
    response_attributes,
    server_attributes,
    span_name,
    start_span,
)
from azure.ai.inference.models import SystemMessage, UserMessage
from inference_emulator import DEFAULT_KEY

pytestmark = pytest.mark.timeout(60)

PROMPT = "How many feet are in a mile?"
MESSAGES = [SystemMessage("You are terse."), UserMessage(PROMPT)]
REPLY = "Emulated reply to: " + PROMPT
WRONG_KEY = "wrong-secret-key-4711"
TOOLS = [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}]


@pytest.fixture(scope="session")
def span_exporter() -> InMemorySpanExporter:
    """One exporter for the session: OpenTelemetry's global tracer provider can be set only once."""
    exporter = InMemorySpanExporter()
    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        provider = TracerProvider()
        trace.set_tracer_provider(provider)
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return exporter


def _restore(setting: Any, saved: Any) -> None:
    setting._user_value = saved  # pylint: disable=protected-access


@pytest.fixture
def spans(span_exporter: InMemorySpanExporter, monkeypatch: pytest.MonkeyPatch) -> Iterator[InMemorySpanExporter]:
    """Tracing through azure-core's OpenTelemetry plugin for one test; the settings are restored afterwards.

    After the test, no exported span may hold the API key anywhere (attributes, events, status)."""
    monkeypatch.delenv(CONTENT_RECORDING_ENV, raising=False)
    saved = settings.tracing_implementation._user_value  # pylint: disable=protected-access
    settings.tracing_implementation = "opentelemetry"
    span_exporter.clear()
    try:
        yield span_exporter
        gc.collect()
        for span in span_exporter.get_finished_spans():
            dumped = span.to_json()
            assert DEFAULT_KEY not in dumped and WRONG_KEY not in dumped, span.name
    finally:
        _restore(settings.tracing_implementation, saved)
        span_exporter.clear()


def gen_ai_spans(exporter: InMemorySpanExporter) -> list[ReadableSpan]:
    return [s for s in exporter.get_finished_spans() if s.attributes and "gen_ai.operation.name" in s.attributes]


def only_gen_ai_span(exporter: InMemorySpanExporter) -> ReadableSpan:
    found = gen_ai_spans(exporter)
    assert len(found) == 1, [s.name for s in found]
    return found[0]


def http_children(exporter: InMemorySpanExporter, parent: ReadableSpan) -> list[ReadableSpan]:
    assert parent.context is not None
    return [
        s
        for s in exporter.get_finished_spans()
        if s.parent is not None and s.parent.span_id == parent.context.span_id and "http.request.method" in s.attributes
    ]


def events(span: ReadableSpan) -> list[tuple[str, Any]]:
    """The span's content events as (name, decoded content)."""
    found = []
    for event in span.events:
        assert event.attributes is not None
        assert event.attributes["gen_ai.system"] == "az.ai.inference"
        found.append((event.name, json.loads(str(event.attributes["gen_ai.event.content"]))))
    return found


def fault(name: str) -> dict[str, str]:
    return {"x-emulator-fault": name}


async def iterate(m: Any, stream: Any) -> list[Any]:
    return await m.collect(stream)


# ---------------------------------------------------------------------------------------------- create


def test_chat_create_span_and_attributes(emu, mode, spans):
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url) as client:
            result = await m.call(
                client.create(
                    messages=MESSAGES,
                    model="my-model",
                    temperature=0.25,
                    top_p=0.5,
                    max_tokens=100,
                    frequency_penalty=0.1,
                    presence_penalty=0.2,
                    stop=["never"],
                    seed=7,
                    response_format="json_object",
                )
            )
        span = only_gen_ai_span(spans)
        assert span.name == "chat my-model"
        assert span.kind == SpanKind.CLIENT
        assert span.status.status_code == StatusCode.UNSET
        port = int(emu.url.rsplit(":", 1)[1])
        assert dict(span.attributes) == {
            "gen_ai.operation.name": "chat",
            "gen_ai.system": "az.ai.inference",
            "gen_ai.request.model": "my-model",
            "gen_ai.request.temperature": 0.25,
            "gen_ai.request.top_p": 0.5,
            "gen_ai.request.max_tokens": 100,
            "gen_ai.request.frequency_penalty": 0.1,
            "gen_ai.request.presence_penalty": 0.2,
            "gen_ai.request.stop_sequences": ("never",),
            "gen_ai.request.seed": 7,
            "gen_ai.output.type": "json",
            "server.address": "127.0.0.1",
            "server.port": port,
            "gen_ai.response.id": result.id,
            "gen_ai.response.model": "my-model",
            "gen_ai.response.finish_reasons": ("stop",),
            "gen_ai.usage.input_tokens": result.usage.prompt_tokens,
            "gen_ai.usage.output_tokens": result.usage.completion_tokens,
        }
        assert not span.events, "content is not recorded by default"
        # azure-core's HTTP span is the child of the gen_ai span.
        (http,) = http_children(spans, span)
        assert http.kind == SpanKind.CLIENT
        assert len(spans.get_finished_spans()) == 2

    mode.run(body)


def test_chat_create_without_model_and_client_defaults(emu, mode, spans):
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url, temperature=0.5) as client:
            await m.call(client.create(messages=MESSAGES))
        span = only_gen_ai_span(spans)
        assert span.name == "chat"
        assert "gen_ai.request.model" not in span.attributes
        assert span.attributes["gen_ai.request.temperature"] == 0.5  # a client default is part of the request
        assert span.attributes["gen_ai.response.model"] == "emulated-chat"

    mode.run(body)


def test_chat_create_with_a_whole_body(emu, mode, spans):
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url) as client:
            await m.call(client.create({"messages": [{"role": "user", "content": "hi"}], "model": "m", "seed": 3}))
        span = only_gen_ai_span(spans)
        assert span.name == "chat m"
        assert span.attributes["gen_ai.request.seed"] == 3

    mode.run(body)


def test_failed_call_has_error_status_and_type(emu, mode, spans):
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url, key=WRONG_KEY) as client:
            await m.raises(ClientAuthenticationError, lambda: client.create(messages=MESSAGES, model="m"))
        span = only_gen_ai_span(spans)
        assert span.status.status_code == StatusCode.ERROR
        assert span.attributes["error.type"] == "azure.core.exceptions.ClientAuthenticationError"
        assert "gen_ai.response.id" not in span.attributes
        assert len(http_children(spans, span)) == 1

    mode.run(body)


def test_argument_errors_make_no_span(emu, mode, spans):
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url) as client:
            await m.raises(TypeError, lambda: client.create(messages=MESSAGES, temperature="hot"))
        assert spans.get_finished_spans() == ()

    mode.run(body)


# ---------------------------------------------------------------------------------------------- streaming


def test_streaming_span_ends_at_done(emu, mode, spans):
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url) as client:
            stream = await m.call(
                client.create_streaming(
                    messages=MESSAGES,
                    model="s-model",
                    max_tokens=50,
                    model_extras={"stream_options": {"include_usage": True}},
                )
            )
            # Headers arrived (the HTTP span ended), the answer did not: the gen_ai span is still open.
            assert gen_ai_spans(spans) == []
            updates = await iterate(m, stream)
            span = only_gen_ai_span(spans)
        assert "".join(u.choices[0].delta.content for u in updates if u.choices) == REPLY
        assert span.name == "chat s-model"
        assert span.kind == SpanKind.CLIENT
        assert span.status.status_code == StatusCode.UNSET
        attributes = span.attributes
        assert attributes["gen_ai.request.max_tokens"] == 50
        assert attributes["gen_ai.response.id"] == updates[0].id
        assert attributes["gen_ai.response.model"] == "s-model"
        assert attributes["gen_ai.response.finish_reasons"] == ("stop",)
        assert attributes["gen_ai.usage.input_tokens"] == updates[-1].usage.prompt_tokens
        assert attributes["gen_ai.usage.output_tokens"] == updates[-1].usage.completion_tokens > 0
        assert len(http_children(spans, span)) == 1
        assert not span.events

    mode.run(body)


def test_streaming_span_ends_with_get_final_completion(emu, mode, spans):
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url) as client:
            stream = await m.call(client.create_streaming(messages=MESSAGES))
            completion = await m.call(stream.get_final_completion())
        span = only_gen_ai_span(spans)
        assert span.attributes["gen_ai.response.id"] == completion.id
        assert span.attributes["gen_ai.response.finish_reasons"] == ("stop",)

    mode.run(body)


@pytest.mark.parametrize("how", ["close", "break", "with"])
def test_streaming_span_ends_when_the_stream_is_left_early(emu, mode, spans, how):
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url) as client:
            stream = await m.call(client.create_streaming(messages=MESSAGES, headers=fault("slow-stream;delay=0.05")))
            if how == "close":
                first = await m.call(stream.__anext__() if m.is_async else next(stream))
                assert gen_ai_spans(spans) == []
                await m.call(stream.close())
            elif how == "break":
                if m.is_async:
                    async with stream:
                        async for first in stream:
                            break
                else:
                    with stream:
                        for first in stream:
                            break
            else:
                if m.is_async:
                    async with stream:
                        first = await stream.__anext__()
                else:
                    with stream:
                        first = next(stream)
            span = only_gen_ai_span(spans)
            await m.call(stream.close())  # closing again changes nothing
        assert len(gen_ai_spans(spans)) == 1
        assert span.status.status_code == StatusCode.UNSET
        assert "error.type" not in span.attributes
        assert span.attributes["gen_ai.response.id"] == first.id
        assert "gen_ai.response.finish_reasons" not in span.attributes

    mode.run(body)


def test_streaming_span_ends_when_the_stream_is_garbage_collected(emu, mode, spans):
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url) as client:
            stream = await m.call(client.create_streaming(messages=MESSAGES, headers=fault("slow-stream;delay=0.05")))
            await m.call(stream.__anext__() if m.is_async else next(stream))
            assert gen_ai_spans(spans) == []
            del stream
            gc.collect()
            span = only_gen_ai_span(spans)
        assert span.status.status_code == StatusCode.UNSET

    mode.run(body)


def test_streaming_error_event_ends_the_span_with_an_error(emu, mode, spans):
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url) as client:
            stream = await m.call(client.create_streaming(messages=MESSAGES, headers=fault("error-event")))
            received = []
            with pytest.raises(StreamingError):
                if m.is_async:
                    async for update in stream:
                        received.append(update)
                else:
                    for update in stream:
                        received.append(update)
        assert len(received) == 2
        span = only_gen_ai_span(spans)
        assert span.status.status_code == StatusCode.ERROR
        assert span.attributes["error.type"] == "azure.ai.inference._core.errors.StreamingError"
        assert "failed mid-stream" in (span.status.description or "")
        # What arrived before the failure is still described.
        assert span.attributes["gen_ai.response.id"] == received[0].id

    mode.run(body)


def test_streaming_that_breaks_ends_the_span_with_an_error(emu, mode, spans):
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url, retry_total=0) as client:
            stream = await m.call(client.create_streaming(messages=MESSAGES, headers=fault("no-done")))
            with pytest.raises(StreamingError):
                await iterate(m, stream)
        span = only_gen_ai_span(spans)
        assert span.status.status_code == StatusCode.ERROR
        assert span.attributes["error.type"].endswith("StreamingError")

    mode.run(body)


def test_streaming_request_that_fails_has_one_error_span(emu, mode, spans):
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url, key=WRONG_KEY) as client:
            await m.raises(ClientAuthenticationError, lambda: client.create_streaming(messages=MESSAGES))
        span = only_gen_ai_span(spans)
        assert span.status.status_code == StatusCode.ERROR
        assert span.attributes["error.type"] == "azure.core.exceptions.ClientAuthenticationError"

    mode.run(body)


# ---------------------------------------------------------------------------------------------- other operations


def test_get_model_info_span_then_cached(emu, mode, spans):
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url) as client:
            info = await m.call(client.get_model_info())
            await m.call(client.get_model_info())
        span = only_gen_ai_span(spans)
        assert span.name == "get_model_info"
        assert span.kind == SpanKind.CLIENT
        assert span.attributes["gen_ai.operation.name"] == "get_model_info"
        assert span.attributes["gen_ai.system"] == "az.ai.inference"
        assert span.attributes["gen_ai.response.model"] == info.model_name
        assert span.attributes["server.address"] == "127.0.0.1"
        assert len(http_children(spans, span)) == 1

    mode.run(body)


def test_embeddings_create_span(emu, mode, spans):
    async def body(m):
        async with m.client("EmbeddingsClient", emu.url, enable_content_recording=True) as client:
            result = await m.call(
                client.create(input=["first text", "second"], model="emb", dimensions=8, encoding_format="base64")
            )
        span = only_gen_ai_span(spans)
        assert span.name == "embeddings emb"
        assert span.kind == SpanKind.CLIENT
        attributes = span.attributes
        assert attributes["gen_ai.operation.name"] == "embeddings"
        assert attributes["gen_ai.request.model"] == "emb"
        assert attributes["gen_ai.request.encoding_formats"] == ("base64",)
        assert attributes["gen_ai.embeddings.dimension.count"] == 8
        assert attributes["gen_ai.response.model"] == result.model
        assert attributes["gen_ai.usage.input_tokens"] == result.usage.prompt_tokens == 3
        assert "gen_ai.usage.output_tokens" not in attributes
        assert not span.events, "embeddings inputs are never recorded"
        assert len(http_children(spans, span)) == 1

    mode.run(body)


def test_image_generation_span(emu, mode, spans):
    async def body(m):
        async with m.client("ImageGenerationClient", emu.url, enable_content_recording=True) as client:
            result = await m.call(client.create(prompt="a lighthouse", size=(40, 30), seed=3))
        span = only_gen_ai_span(spans)
        assert span.name == "generate_content"
        assert span.attributes["gen_ai.operation.name"] == "generate_content"
        assert span.attributes["gen_ai.output.type"] == "image"
        assert span.attributes["gen_ai.request.seed"] == 3
        assert span.attributes["gen_ai.response.id"] == result.id
        assert events(span) == [("gen_ai.user.message", {"content": "a lighthouse"})]

    mode.run(body)


# ---------------------------------------------------------------------------------------------- content


def test_content_is_not_recorded_by_default(emu, mode, spans):
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url) as client:
            await m.call(client.create(messages=MESSAGES))
            await iterate(m, await m.call(client.create_streaming(messages=MESSAGES)))
        for span in gen_ai_spans(spans):
            assert not span.events
            assert PROMPT not in span.to_json() and "Emulated reply" not in span.to_json()

    mode.run(body)


def _assert_chat_content(span: ReadableSpan) -> None:
    assert events(span) == [
        ("gen_ai.system.message", {"content": "You are terse."}),
        ("gen_ai.user.message", {"content": PROMPT}),
        ("gen_ai.choice", {"index": 0, "finish_reason": "stop", "message": {"content": REPLY}}),
    ]


def test_content_recorded_with_the_environment_variable(emu, mode, spans, monkeypatch):
    monkeypatch.setenv(CONTENT_RECORDING_ENV, "true")

    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url) as client:
            await m.call(client.create(messages=MESSAGES))
            await iterate(m, await m.call(client.create_streaming(messages=MESSAGES)))
        created, streamed = gen_ai_spans(spans)
        _assert_chat_content(created)
        _assert_chat_content(streamed)

    mode.run(body)


def test_content_recorded_with_the_keyword(emu, mode, spans):
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url, enable_content_recording=True) as client:
            await m.call(client.create(messages=MESSAGES))
            await iterate(m, await m.call(client.create_streaming(messages=MESSAGES)))
        created, streamed = gen_ai_spans(spans)
        _assert_chat_content(created)
        _assert_chat_content(streamed)
        # The keyword is the library's own: it never reaches the request.
        assert all("enable_content_recording" not in json.dumps(dict(r.headers)) for r in emu.requests)

    mode.run(body)


def test_keyword_false_overrides_the_environment(emu, mode, spans, monkeypatch):
    monkeypatch.setenv(CONTENT_RECORDING_ENV, "true")

    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url, enable_content_recording=False) as client:
            await m.call(client.create(messages=MESSAGES))
        assert not only_gen_ai_span(spans).events

    mode.run(body)


def test_streamed_tool_calls_are_recorded_stitched(emu, mode, spans):
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url, enable_content_recording=True) as client:
            stream = await m.call(
                client.create_streaming(messages=[UserMessage("please call get_weather")], tools=TOOLS)
            )
            completion = await m.call(stream.get_final_completion())
        span = only_gen_ai_span(spans)
        call = completion.choices[0].message.tool_calls[0]
        assert span.attributes["gen_ai.response.finish_reasons"] == ("tool_calls",)
        assert events(span) == [
            ("gen_ai.user.message", {"content": "please call get_weather"}),
            (
                "gen_ai.choice",
                {
                    "index": 0,
                    "finish_reason": "tool_calls",
                    "message": {
                        "tool_calls": [
                            {
                                "id": call.id,
                                "type": "function",
                                "function": {"name": "get_weather", "arguments": call.function.arguments},
                            }
                        ]
                    },
                },
            ),
        ]

    mode.run(body)


@pytest.mark.parametrize("name", ["ChatCompletionsClient", "EmbeddingsClient", "ImageGenerationClient"])
def test_enable_content_recording_must_be_a_bool(emu, mode, name):
    with pytest.raises(TypeError, match="enable_content_recording must be a bool"):
        getattr(mode.api, name)(emu.url, AzureKeyCredential(DEFAULT_KEY), enable_content_recording="yes")


# ---------------------------------------------------------------------------------------------- tracing off


def test_no_spans_without_a_tracing_implementation(emu, mode, span_exporter):
    assert settings.tracing_implementation() is None and not settings.tracing_enabled()
    span_exporter.clear()

    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url, enable_content_recording=True) as client:
            result = await m.call(client.create(messages=MESSAGES))
            updates = await iterate(m, await m.call(client.create_streaming(messages=MESSAGES)))
            await m.call(client.get_model_info())
        async with m.client("EmbeddingsClient", emu.url) as client:
            await m.call(client.create(input=["x"]))
        assert result.choices[0].message.content == REPLY
        assert updates[-1].choices[0].finish_reason == "stop"

    mode.run(body)
    assert span_exporter.get_finished_spans() == ()


def test_native_azure_core_tracer_also_gets_gen_ai_spans(emu, mode, span_exporter):
    """`settings.tracing_enabled = True` without a plugin: azure-core's own OpenTelemetry tracer."""
    saved = settings.tracing_enabled._user_value  # pylint: disable=protected-access
    settings.tracing_enabled = True
    span_exporter.clear()
    try:

        async def body(m):
            async with m.client("ChatCompletionsClient", emu.url) as client:
                await m.call(client.create(messages=MESSAGES, model="n"))
                await iterate(m, await m.call(client.create_streaming(messages=MESSAGES, model="n")))

        mode.run(body)
        created, streamed = gen_ai_spans(span_exporter)
        for span in (created, streamed):
            assert span.name == "chat n" and span.kind == SpanKind.CLIENT
            assert span.attributes["gen_ai.response.finish_reasons"] == ("stop",)
            assert len(http_children(span_exporter, span)) == 1
    finally:
        _restore(settings.tracing_enabled, saved)
        span_exporter.clear()


def test_tracing_off_is_a_single_no_op():
    from azure.core.rest import HttpRequest

    span = start_span("chat", "https://example.com", HttpRequest("POST", "https://example.com"), None)
    assert span is UNTRACED and type(span) is type(NO_SPAN)
    with span:
        data = {"id": "x"}
        assert span.record(data) is data


def test_tracing_off_reads_the_settings_once_per_call(emu, mode, monkeypatch):
    """With tracing off, a call reads azure-core's tracing settings at most once (its span; not at all when
    nothing sets them, `tracing_surely_off`), and its pipeline's `DistributedTracingPolicy` is told so instead of
    reading them again. Here a counting stand-in for the setting makes the span read it."""
    reads: list[bool] = []
    real = settings.tracing_enabled

    class Counting:
        def __call__(self, *args: Any) -> Any:
            reads.append(True)
            return real(*args)

        def __getattr__(self, name: str) -> Any:
            return getattr(real, name)

    monkeypatch.setattr(type(settings), "tracing_enabled", Counting())  # the class holds the setting (a descriptor)

    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url) as client:
            for _ in range(3):
                assert (await m.call(client.create(messages=MESSAGES))).choices[0].message.content == REPLY
            reads.clear()
            await m.call(client.create(messages=MESSAGES))
            assert len(reads) == 1
            reads.clear()
            await iterate(m, await m.call(client.create_streaming(messages=MESSAGES)))
            assert len(reads) == 1

    mode.run(body)


def test_importing_the_library_does_not_import_opentelemetry():
    code = (
        "import sys, azure.ai.inference, azure.ai.inference.aio, azure.ai.inference._tracing\n"
        "loaded = [m for m in sys.modules if m.startswith(('opentelemetry', 'azure.core.tracing.ext'))]\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


# ---------------------------------------------------------------------------------------------- pure functions


def test_request_attributes_ignore_values_of_the_wrong_type():
    body = {"model": 3, "temperature": True, "max_tokens": 1.5, "stop": "END", "seed": "7", "top_p": 1}
    attributes = request_attributes("chat", body, "https://example.com/models")
    assert attributes == {
        "gen_ai.operation.name": "chat",
        "gen_ai.system": "az.ai.inference",
        "gen_ai.request.stop_sequences": ["END"],
        "gen_ai.request.top_p": 1,
        "server.address": "example.com",
        "server.port": 443,
    }
    assert span_name("chat", None) == "chat" and span_name("chat", "") == "chat"
    assert span_name("embeddings", "e") == "embeddings e"


@pytest.mark.parametrize(
    "endpoint,expected",
    [
        ("https://a.example.com", {"server.address": "a.example.com", "server.port": 443}),
        ("http://localhost", {"server.address": "localhost", "server.port": 80}),
        ("https://a.example.com:8443/models", {"server.address": "a.example.com", "server.port": 8443}),
        ("http://[::1]:9000", {"server.address": "::1", "server.port": 9000}),
    ],
)
def test_server_attributes(endpoint, expected):
    assert server_attributes(endpoint) == expected


def test_response_attributes_skip_missing_and_unfinished():
    data = {"id": "", "model": None, "choices": [{"finish_reason": None}, {"finish_reason": "length"}], "usage": {}}
    assert response_attributes("chat", data) == {"gen_ai.response.finish_reasons": ["length"]}
    assert response_attributes("get_model_info", {"model_name": "m"}) == {"gen_ai.response.model": "m"}
