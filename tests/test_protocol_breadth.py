"""api-versions and endpoint shapes, tools, structured output, stream accumulation and extra fields."""

from __future__ import annotations

import json

import pytest
from azure.core.exceptions import ResourceNotFoundError

from azure.ai.inference._core.accumulate import Accumulator
from azure.ai.inference.models import (
    AssistantMessage,
    ChatCompletionsNamedToolChoice,
    ChatCompletionsToolDefinition,
    FunctionDefinition,
    JsonSchemaFormat,
    ToolMessage,
    UserMessage,
)

pytestmark = pytest.mark.timeout(60)

WEATHER = ChatCompletionsToolDefinition(
    function=FunctionDefinition(
        name="get_weather",
        description="Weather in a city",
        parameters={"type": "object", "properties": {"query": {"type": "string"}}},
    )
)
TIME = {"type": "function", "function": {"name": "get_time", "parameters": {"type": "object"}}}


@pytest.mark.parametrize("api_version", ["2024-05-01-preview", "2025-04-01"])
def test_later_api_versions_use_their_routes_and_values(emu, mode, api_version):
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url + "/", api_version=api_version) as client:
            result = await m.call(
                client.create(messages=[UserMessage("hi")], response_format="json_object", model_extras={"top_k": 2})
            )
            info = await m.call(client.get_model_info())
        chat = emu.requests[-2]
        assert (chat.path, chat.query["api-version"]) == ("/chat/completions", api_version)
        assert chat.headers["extra-parameters"] == "pass-through"
        assert json.loads(chat.body)["response_format"] == {"type": "json_object"}
        assert json.loads(result.choices[0].message.content) == {"reply": "Emulated reply to: hi"}
        assert emu.requests[-1].path == "/info"
        assert info.model_provider == info["model_provider_name"]
        assert info.model_type == "chat_completion"

    mode.run(body)


def test_embeddings_on_a_later_version_and_images_refused(emu, mode):
    async def body(m):
        async with m.client("EmbeddingsClient", emu.url, api_version="2024-05-01-preview") as client:
            result = await m.call(client.create(input=["x"], dimensions=4))
        assert emu.requests[-1].path == "/embeddings" and len(result.data[0].embedding) == 4
        async with m.client("ImageGenerationClient", emu.url, api_version="2024-05-01-preview") as images:
            error = await m.raises(ValueError, lambda: images.create(prompt="x", size="8x8"))
        assert "2024-05-01-preview" in str(error)

    mode.run(body)


@pytest.mark.parametrize("suffix", ["", "/"])
def test_azure_openai_deployment_endpoint(emu, mode, suffix):
    endpoint = emu.url + "/openai/deployments/gpt-4o" + suffix

    async def body(m):
        async with m.client("ChatCompletionsClient", endpoint, api_version="2024-10-21") as chat:
            result = await m.call(chat.create(messages=[UserMessage("hello")]))
            stream = await m.call(chat.create_streaming(messages=[UserMessage("hello")]))
            streamed = await m.call(stream.get_final_completion())
            missing = await m.raises(ResourceNotFoundError, lambda: chat.get_model_info())
        async with m.client("EmbeddingsClient", endpoint, api_version="2024-10-21") as embeddings:
            vectors = await m.call(embeddings.create(input=["a"]))
        assert result.choices[0].message.content == streamed.choices[0].message.content
        paths = [r.path for r in emu.requests]
        assert "/openai/deployments/gpt-4o/chat/completions" in paths
        assert paths[-1] == "/openai/deployments/gpt-4o/embeddings"
        assert all(r.query["api-version"] == "2024-10-21" for r in emu.requests)
        assert "/info" in str(missing)
        assert vectors.data[0].embedding

    mode.run(body)


@pytest.mark.parametrize(
    "endpoint_suffix,api_version,hint",
    [
        ("/nowhere", "2024-04-01-preview", "api_version='2024-05-01-preview'"),
        ("/nowhere", "2024-05-01-preview", "api_version='2024-04-01-preview'"),
    ],
)
def test_404_suggests_the_likely_mistake(emu, mode, endpoint_suffix, api_version, hint):
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url + endpoint_suffix, api_version=api_version) as client:
            error = await m.raises(ResourceNotFoundError, lambda: client.create(messages=[UserMessage("hi")]))
        assert hint in str(error)

    mode.run(body)


def test_foundry_models_endpoint_hint():
    from azure.ai.inference._core.endpoints import DEFAULT_API_VERSION, endpoint_shape, not_found_hint

    shape = endpoint_shape("https://res.services.ai.azure.com/models", DEFAULT_API_VERSION)
    hint = not_found_hint(shape, "/v1/chat/completions")
    assert "api_version='2024-05-01-preview'" in hint


def test_tool_call_round_trip(emu, mode):
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url, tools=[WEATHER, TIME]) as client:
            messages = [UserMessage("please call get_weather for Paris")]
            first = await m.call(client.create(messages=messages, tool_choice="auto"))
            choice = first.choices[0]
            assert choice.finish_reason == "tool_calls"
            call = choice.message.tool_calls[0]
            assert call.function.name == "get_weather"
            assert json.loads(call.function.arguments)["query"]
            messages += [
                AssistantMessage(tool_calls=choice.message.tool_calls),
                ToolMessage("18 C and sunny", tool_call_id=call.id),
            ]
            second = await m.call(client.create(messages=messages))
        sent = json.loads(emu.requests[-1].body)
        assert sent["messages"][1]["tool_calls"][0]["id"] == call.id
        assert sent["messages"][2] == {"role": "tool", "content": "18 C and sunny", "tool_call_id": call.id}
        assert sent["tools"][0]["function"]["name"] == "get_weather"
        assert second.choices[0].message.content == "Tool result received: 18 C and sunny"

    mode.run(body)


def test_named_tool_choice_and_required(emu, mode):
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url) as client:
            named = ChatCompletionsNamedToolChoice(function={"name": "get_time"})
            result = await m.call(
                client.create(messages=[UserMessage("what now")], tools=[WEATHER, TIME], tool_choice=named)
            )
            sent = json.loads(emu.requests[-1].body)
            required = await m.call(
                client.create(messages=[UserMessage("what now")], tools=[TIME], tool_choice="required")
            )
        assert sent["tool_choice"] == {"type": "function", "function": {"name": "get_time"}}
        assert result.choices[0].message.tool_calls[0].function.name == "get_time"
        assert required.choices[0].finish_reason == "tool_calls"

    mode.run(body)


def test_streamed_parallel_tool_calls_are_accumulated(emu, mode):
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url, tools=[WEATHER, TIME]) as client:
            plain = await m.call(client.create(messages=[UserMessage("call get_weather and call get_time")]))
            stream = await m.call(client.create_streaming(messages=[UserMessage("call get_weather and call get_time")]))
            first = await m.call(stream.__anext__() if m.is_async else next(stream))  # accumulate during iteration
            final = await m.call(stream.get_final_completion())
        assert first.choices[0].delta.role == "assistant"
        expected = plain.choices[0].message.tool_calls
        calls = final.choices[0].message.tool_calls
        assert [(c.function.name, c.function.arguments) for c in calls] == [
            (c.function.name, c.function.arguments) for c in expected
        ]
        assert final.choices[0].finish_reason == "tool_calls"
        assert final.choices[0].message.content is None

    mode.run(body)


def test_accumulated_stream_matches_create(emu, mode):
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url) as client:
            plain = await m.call(client.create(messages=[UserMessage("think about rivers")]))
            stream = await m.call(
                client.create_streaming(
                    messages=[UserMessage("think about rivers")],
                    model_extras={"stream_options": {"include_usage": True}},
                )
            )
            updates = await m.collect(stream)
            final = await m.call(stream.get_final_completion())
        assert final.choices[0].message.content == plain.choices[0].message.content
        assert final.choices[0].message["reasoning_content"] == plain.choices[0].message["reasoning_content"]
        assert any("reasoning_content" in u.choices[0].delta for u in updates)
        assert final.usage.total_tokens == plain.usage.total_tokens
        assert final.id == updates[0].id and final.choices[0].finish_reason == "stop"

    mode.run(body)


def test_accumulator_handles_llama_cpp_style_tool_calls():
    # llama.cpp repeats the id and name in every piece and may omit index.
    pieces = [
        {
            "id": "c",
            "model": "m",
            "created": 1,
            "choices": [
                {
                    "index": 0,
                    "delta": {
                        "role": "assistant",
                        "tool_calls": [
                            {"id": "call_a", "type": "function", "function": {"name": "f", "arguments": '{"x"'}}
                        ],
                    },
                    "finish_reason": None,
                }
            ],
        },
        {
            "id": "c",
            "model": "m",
            "created": 1,
            "choices": [
                {
                    "index": 0,
                    "delta": {
                        "tool_calls": [
                            {"id": "call_a", "type": "function", "function": {"name": "f", "arguments": ": 1}"}}
                        ]
                    },
                    "finish_reason": None,
                }
            ],
        },
        {
            "id": "c",
            "model": "m",
            "created": 1,
            "choices": [
                {
                    "index": 0,
                    "delta": {
                        "tool_calls": [
                            {"id": "call_b", "type": "function", "function": {"name": "g", "arguments": "{}"}}
                        ]
                    },
                    "finish_reason": None,
                }
            ],
        },
        {"id": "c", "model": "m", "created": 1, "choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]},
    ]
    result = accumulate(pieces)
    calls = result.choices[0].message.tool_calls
    assert [(c.id, c.function.name, c.function.arguments) for c in calls] == [
        ("call_a", "f", '{"x": 1}'),
        ("call_b", "g", "{}"),
    ]
    # The same with OpenAI-style indexes and pieces without id/name.
    indexed = [
        {
            "choices": [
                {
                    "index": 0,
                    "delta": {
                        "tool_calls": [
                            {"index": 0, "id": "a", "function": {"name": "f", "arguments": ""}},
                            {"index": 1, "id": "b", "function": {"name": "g", "arguments": "{"}},
                        ]
                    },
                }
            ]
        },
        {
            "choices": [
                {
                    "index": 0,
                    "delta": {
                        "tool_calls": [
                            {"index": 1, "function": {"arguments": "}"}},
                            {"index": 0, "function": {"arguments": "[]"}},
                        ]
                    },
                }
            ]
        },
    ]
    calls = accumulate(indexed).choices[0].message.tool_calls
    assert [(c.id, c.function.name, c.function.arguments) for c in calls] == [("a", "f", "[]"), ("b", "g", "{}")]


def accumulate(payloads):
    accumulator = Accumulator()
    for payload in payloads:
        accumulator.add(payload)
    return accumulator.result()


@pytest.mark.parametrize(
    "api_version,given,wire",
    [
        ("2024-04-01-preview", "text", "text"),
        ("2024-04-01-preview", "json_object", "json_object"),
        ("2024-05-01-preview", "json_object", {"type": "json_object"}),
        ("2024-05-01-preview", {"type": "json_object"}, {"type": "json_object"}),
        ("2024-04-01-preview", {"type": "json_object"}, {"type": "json_object"}),
    ],
)
def test_response_format_wire_forms(emu, mode, api_version, given, wire):
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url, api_version=api_version) as client:
            result = await m.call(client.create(messages=[UserMessage("hi")], response_format=given))
        assert json.loads(emu.requests[-1].body)["response_format"] == wire
        if wire != "text":
            assert json.loads(result.choices[0].message.content)["reply"]

    mode.run(body)


def test_json_schema_format(emu, mode):
    schema = JsonSchemaFormat(
        name="answer",
        schema={
            "type": "object",
            "properties": {"city": {"type": "string"}, "degrees": {"type": "number"}},
            "required": ["city", "degrees"],
        },
        description="A city and its temperature",
        strict=True,
    )

    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url, api_version="2024-05-01-preview") as client:
            result = await m.call(client.create(messages=[UserMessage("weather?")], response_format=schema))
        sent = json.loads(emu.requests[-1].body)["response_format"]
        assert sent["type"] == "json_schema"
        assert sent["json_schema"]["name"] == "answer" and sent["json_schema"]["strict"] is True
        assert sorted(json.loads(result.choices[0].message.content)) == ["city", "degrees"]

    mode.run(body)
