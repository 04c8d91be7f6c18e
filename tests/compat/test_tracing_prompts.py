"""`tracing.AIInferenceInstrumentor` and `prompts.PromptTemplate`, the 1.0.0b9 way, against the emulator, sync
and async."""

from __future__ import annotations

import gc
import json
import sys
from collections.abc import Iterator

import pytest
from azure.core.settings import settings
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from azure.ai.inference._tracing import CONTENT_RECORDING_ENV
from azure.ai.inference.models import UserMessage
from azure.ai.inference.prompts import PromptTemplate
from azure.ai.inference.tracing import AIInferenceInstrumentor
from inference_emulator import DEFAULT_KEY

pytestmark = pytest.mark.timeout(60)

PROMPTY = """---
name: Basic
description: A prompt with chat history
model:
  api: chat
  configuration:
    type: azure_openai
    azure_deployment: gpt-4o-mini
  parameters:
    temperature: 0.2
    max_tokens: 64
inputs:
  first_name:
    type: string
    default: Jane
sample:
  question: What can you do?
---
system:
You are a helpful assistant for {{first_name}}.
{{#documents}}
- {{title}}: {{body}}
{{/documents}}
{{^documents}}
No documents.
{{/documents}}
{{! a comment that renders as nothing }}

{{#chat_history}}
{{role}}:
{{content}}
{{/chat_history}}

user:
{{question}}
"""


@pytest.fixture
def exporter(monkeypatch: pytest.MonkeyPatch) -> Iterator[InMemorySpanExporter]:
    """Spans from the instrumentor alone: azure-core's tracing settings stay unset."""
    monkeypatch.delenv(CONTENT_RECORDING_ENV, raising=False)
    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        provider = TracerProvider()
        trace.set_tracer_provider(provider)
    found = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(found))
    saved = settings.tracing_implementation._user_value  # pylint: disable=protected-access
    settings.tracing_implementation = None
    try:
        yield found
        gc.collect()
        for span in found.get_finished_spans():
            assert DEFAULT_KEY not in span.to_json()
    finally:
        AIInferenceInstrumentor().uninstrument()
        settings.tracing_implementation._user_value = saved  # pylint: disable=protected-access
        found.shutdown()


def _gen_ai(exporter: InMemorySpanExporter) -> list:
    return [s for s in exporter.get_finished_spans() if s.attributes and "gen_ai.operation.name" in s.attributes]


def test_instrumentor_switch(monkeypatch):
    instrumentor = AIInferenceInstrumentor()
    try:
        assert not instrumentor.is_instrumented() and not instrumentor.is_content_recording_enabled()
        instrumentor.instrument()
        assert instrumentor.is_instrumented() and not instrumentor.is_content_recording_enabled()
        assert AIInferenceInstrumentor().is_instrumented()  # one switch for every instance
        instrumentor.instrument(enable_content_recording=True)
        assert instrumentor.is_content_recording_enabled()
        monkeypatch.setenv(CONTENT_RECORDING_ENV, "true")
        instrumentor.instrument()
        assert instrumentor.is_content_recording_enabled()
        with pytest.raises(TypeError, match="enable_content_recording"):
            instrumentor.instrument(enable_content_recording="yes")  # type: ignore[arg-type]
        instrumentor.uninstrument()
        instrumentor.uninstrument()  # a no-op when off
        assert not instrumentor.is_instrumented() and not instrumentor.is_content_recording_enabled()
    finally:
        instrumentor.uninstrument()


def test_instrument_without_opentelemetry(monkeypatch):
    monkeypatch.setitem(sys.modules, "opentelemetry", None)
    import importlib.util

    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *args: None)
    with pytest.raises(ImportError, match=r"azure-ai-inference\[tracing\]"):
        AIInferenceInstrumentor().instrument()
    assert not AIInferenceInstrumentor().is_instrumented()


def test_instrumented_calls_make_gen_ai_spans(emu, mode, exporter):
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url) as client:
            await m.call(client.complete(messages=[UserMessage("hello")], model="phi"))
            assert _gen_ai(exporter) == []  # not instrumented, no azure-core tracing: no span

            AIInferenceInstrumentor().instrument(enable_content_recording=True)
            await m.call(client.complete(messages=[UserMessage("hello")], model="phi", temperature=0.1))
            stream = await m.call(client.complete(messages=[UserMessage("streamed")], model="phi", stream=True))
            await m.collect(stream)
            AIInferenceInstrumentor().instrument(enable_content_recording=False)
            await m.call(client.complete(messages=[UserMessage("quiet")], model="phi"))
            AIInferenceInstrumentor().uninstrument()
            await m.call(client.complete(messages=[UserMessage("after")], model="phi"))
        async with m.client("EmbeddingsClient", emu.url) as embeddings:
            AIInferenceInstrumentor().instrument()
            await m.call(embeddings.embed(input=["x"], model="e5"))
        spans = _gen_ai(exporter)
        assert [s.name for s in spans] == ["chat phi", "chat phi", "chat phi", "embeddings e5"]
        first, streamed, quiet, embedded = spans
        assert first.kind == SpanKind.CLIENT
        assert first.attributes["gen_ai.request.temperature"] == 0.1
        assert first.attributes["gen_ai.response.finish_reasons"] == ("stop",)
        events = {e.name: json.loads(e.attributes["gen_ai.event.content"]) for e in first.events}
        assert events["gen_ai.user.message"] == {"content": "hello"}
        assert events["gen_ai.choice"]["message"]["content"] == "Emulated reply to: hello"
        streamed_choice = [e for e in streamed.events if e.name == "gen_ai.choice"]
        assert json.loads(streamed_choice[0].attributes["gen_ai.event.content"])["message"]["content"].endswith(
            "streamed"
        )
        assert quiet.events == () or list(quiet.events) == []
        assert embedded.attributes["gen_ai.operation.name"] == "embeddings"

    mode.run(body)


def test_prompty_file(tmp_path, emu, mode):
    path = tmp_path / "basic.prompty"
    path.write_text(PROMPTY, encoding="utf-8")
    template = PromptTemplate.from_prompty(str(path))
    assert template.model_name == "gpt-4o-mini" and template.api == "chat"
    assert template.parameters == {"temperature": 0.2, "max_tokens": 64}
    assert template.model_configuration["type"] == "azure_openai"
    assert template.prompty["name"] == "Basic"

    messages = template.create_messages(
        documents=[{"title": "Hours", "body": "9 to 5"}],
        chat_history=[{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}],
        question="When are you open?",
    )
    assert messages == [
        {"role": "system", "content": "You are a helpful assistant for Jane.\n- Hours: 9 to 5"},
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": "hello"},
        {"role": "user", "content": "When are you open?"},
    ]
    defaults = template.create_messages({"first_name": "Ana"})
    assert defaults == [
        {"role": "system", "content": "You are a helpful assistant for Ana.\nNo documents."},
        {"role": "user", "content": "What can you do?"},
    ]

    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url) as client:
            response = await m.call(client.complete(messages=messages, **template.parameters))
            assert response.choices[0].message.content.startswith("Emulated reply to: When are you open?")
            sent = json.loads(emu.requests[-1].body)
            assert sent["messages"] == messages and sent["max_tokens"] == 64

    mode.run(body)


def test_prompty_relative_to_the_caller_and_errors(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "here.prompty").write_text(PROMPTY, encoding="utf-8")
    assert PromptTemplate.from_prompty("here.prompty").model_name == "gpt-4o-mini"  # from the working directory
    (tmp_path / "plain.prompty").write_text("system:\nno front matter\n", encoding="utf-8")
    with pytest.raises(ValueError, match="front matter"):
        PromptTemplate.from_prompty("plain.prompty")
    (tmp_path / "list.prompty").write_text("---\n- a\n- b\n---\nuser:\nx\n", encoding="utf-8")
    with pytest.raises(ValueError, match="YAML mapping"):
        PromptTemplate.from_prompty("list.prompty")
    with pytest.raises(OSError):
        PromptTemplate.from_prompty("missing.prompty")
    monkeypatch.setitem(sys.modules, "yaml", None)
    with pytest.raises(ImportError, match=r"azure-ai-inference\[prompts\]"):
        PromptTemplate.from_prompty("here.prompty")


def test_from_string():
    template = PromptTemplate.from_string(
        "system:\nYou are {{persona.name}}, {{persona.mood}}.\n\n{{#history}}\n{{role}}:\n{{content}}\n{{/history}}"
        "\nuser:\n{{{question}}}\n",
        model_name="phi",
        params={"temperature": 0},
    )
    assert template.model_name == "phi" and template.parameters == {"temperature": 0}
    messages = template.create_messages(
        {"persona": {"name": "Ada", "mood": "calm"}, "question": "a < b & c?"},
        history=[{"role": "assistant", "content": "earlier"}],
    )
    assert messages == [
        {"role": "system", "content": "You are Ada, calm."},
        {"role": "assistant", "content": "earlier"},
        {"role": "user", "content": "a < b & c?"},
    ]
    assert PromptTemplate.from_string("Be brief.").create_messages() == [{"role": "system", "content": "Be brief."}]
    with pytest.raises(ValueError, match="never closed"):
        PromptTemplate.from_string("user:\n{{#items}}x")
    with pytest.raises(ValueError, match="not supported"):
        PromptTemplate.from_string("user:\n{{> partial}}")
    with pytest.raises(ValueError, match="api"):
        PromptTemplate.from_string("user:\nx", api="completion")
    with pytest.raises(TypeError, match="data"):
        template.create_messages(["not", "a", "dict"])  # type: ignore[arg-type]
