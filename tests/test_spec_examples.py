"""Answers shaped like the REST API specification's examples, replayed through the clients over loopback:
`/info` model types in both spellings, a tool call's `type` as sent, and the 2024-04 embeddings usage fields."""

from __future__ import annotations

import json
from typing import Iterator

import pytest
from azure.core.credentials import AzureKeyCredential

from _scripted import ScriptedServer
from azure.ai.inference import load_client
from azure.ai.inference.aio import load_client as load_client_async
from azure.ai.inference.models import UserMessage
from inference_emulator import DEFAULT_KEY

pytestmark = pytest.mark.timeout(60)


@pytest.fixture(scope="module")
def scripted() -> Iterator[ScriptedServer]:
    with ScriptedServer() as server:
        yield server


@pytest.fixture
def server(scripted: ScriptedServer) -> ScriptedServer:
    scripted.hits = 0
    return scripted


def _info(model_type: str) -> bytes:
    return json.dumps(
        {"model_name": "some-model", "model_type": model_type, "model_provider_name": "Provider"}
    ).encode()


@pytest.mark.parametrize(
    "model_type,client_name",
    [
        ("chat-completion", "ChatCompletionsClient"),  # the 2024-05-01-preview enum's spelling
        ("chat_completion", "ChatCompletionsClient"),
        ("chat", "ChatCompletionsClient"),  # 2024-04-01-preview
        ("text-generation", "ChatCompletionsClient"),
        ("text_generation", "ChatCompletionsClient"),
        ("embeddings", "EmbeddingsClient"),
        ("image-generation", "ImageGenerationClient"),
        ("image_generation", "ImageGenerationClient"),
    ],
)
def test_load_client_reads_both_spellings_of_model_type(server, mode, model_type, client_name):
    server.json(_info(model_type))

    async def body(m):
        loader = load_client_async if m.is_async else load_client
        client = await m.call(loader(server.url, AzureKeyCredential(DEFAULT_KEY)))
        try:
            assert type(client).__name__ == client_name
            info = await m.call(client.get_model_info())
        finally:
            await m.call(client.close())
        assert info.model_type == model_type and info.model_name == "some-model"
        assert server.hits == 1

    mode.run(body)


@pytest.mark.parametrize("model_type", ["audio-generation", "audio_generation", "custom"])
def test_load_client_names_a_model_type_it_cannot_serve(server, mode, model_type):
    server.json(_info(model_type))

    async def body(m):
        loader = load_client_async if m.is_async else load_client
        error = await m.raises(ValueError, lambda: loader(server.url, AzureKeyCredential(DEFAULT_KEY)))
        assert repr(model_type) in str(error)

    mode.run(body)


CHAT_WITH_TOOL_CALL = {
    "id": "kg38f9sd",
    "object": "chat.completion",
    "created": 1718726686,
    "model": "some-model",
    "choices": [
        {
            "index": 0,
            "finish_reason": "tool_calls",
            "message": {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{}"}},
                    {"id": "call_2", "type": "custom", "function": {"name": "g", "arguments": "x"}},
                ],
            },
        }
    ],
    "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15, "capacity_type": "usage"},
}


def test_tool_call_type_is_kept_as_sent(server, mode):
    server.json(json.dumps(CHAT_WITH_TOOL_CALL).encode())

    async def body(m):
        async with m.client("ChatCompletionsClient", server.url) as client:
            result = await m.call(client.create(messages=[UserMessage("call the tools")]))
        calls = result.choices[0].message.tool_calls
        assert [(c.id, c.type, c.function.name) for c in calls] == [
            ("call_1", "function", "f"),
            ("call_2", "custom", "g"),
        ]
        assert calls[1]["type"] == "custom"

    mode.run(body)


EMBEDDINGS_2024_04 = {
    "id": "cf3f6f02",
    "data": [{"index": 0, "embedding": [0.25, -0.5], "object": "embedding"}],
    "usage": {"capacity_type": "fixed", "input_tokens": 9, "prompt_tokens": 9, "total_tokens": 9},
    "object": "list",
    "model": "some-embeddings",
}


def test_embeddings_usage_fields_of_2024_04_are_typed(server, mode):
    server.json(json.dumps(EMBEDDINGS_2024_04).encode())

    async def body(m):
        async with m.client("EmbeddingsClient", server.url) as client:
            result = await m.call(client.create(input=["first phrase"]))
        usage = result.usage
        assert (usage.input_tokens, usage.prompt_tokens, usage.total_tokens) == (9, 9, 9)
        assert usage.capacity_type == "fixed"
        assert result.data[0].embedding == [0.25, -0.5]

    mode.run(body)
