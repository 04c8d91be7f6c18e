"""The chat clients with a type as `response_format` and Python functions among `tools`, sync and async: `create`,
`create_streaming` (the final completion parsed, the updates raw) and `complete` on the emulator's Model Inference,
Azure OpenAI v1 and OpenAI-compatible shapes; each failure kind (length on the emulator; a refusal, a content filter
and content that does not validate from a scripted server), each carrying the completion; bad inputs refused with a
TypeError before anything is sent."""

from __future__ import annotations

import json
from typing import Any, Iterator

import pytest
from azure.core.credentials import AzureKeyCredential

from azure.ai.inference.models import (
    ChatCompletions,
    ContentFilterFinishReasonError,
    ContentParseError,
    LengthFinishReasonError,
    ParsedChatCompletions,
    RefusalError,
    StructuredOutputError,
    UserMessage,
    function_tool,
)
from inference_emulator import Emulator

from _scripted import ScriptedServer
from .test_structured_emulator import SHAPE_ENDPOINTS
from .test_structured_schema import Movie, Person, Route
from .test_structured_tools import Lookup, add, get_weather

pytestmark = pytest.mark.timeout(60)

SHAPES = list(SHAPE_ENDPOINTS)


@pytest.fixture(scope="module")
def compatible() -> Iterator[Emulator]:
    with Emulator(openai_compatible=True) as emu:
        yield emu


def endpoint_of(shape: str, emu: Emulator, compatible: Emulator) -> tuple[str, dict[str, Any]]:
    suffix, kwargs, models = SHAPE_ENDPOINTS[shape]
    server = compatible if shape == "openai-compatible" else emu
    return server.url + (models or suffix), dict(kwargs)


@pytest.mark.parametrize("shape", SHAPES)
def test_create_reads_the_answer_into_the_type_on_every_shape(emu, compatible, mode, shape):
    endpoint, kwargs = endpoint_of(shape, emu, compatible)

    async def body(m):
        async with m.client("ChatCompletionsClient", endpoint, **kwargs) as client:
            for tp in (Person, Route, Movie):  # a Pydantic model, a dataclass, a TypedDict
                result = await m.call(client.create(messages=[UserMessage("describe")], response_format=tp))
                assert isinstance(result, ParsedChatCompletions)
                parsed = result.choices[0].message.parsed
                assert isinstance(parsed, dict if tp is Movie else tp)
                assert result.choices[0].message.parsed == parsed  # kept, whatever wrapper reads it
                wire = result.as_dict()
                assert "parsed" not in wire["choices"][0]["message"] and "_parsed" not in wire
                assert json.loads(str(result)) == wire
                assert json.loads(wire["choices"][0]["message"]["content"]) == json.loads(
                    result.choices[0].message.content
                )

    mode.run(body)


@pytest.mark.parametrize("shape", SHAPES)
def test_a_stream_parses_its_final_completion_and_keeps_the_updates_raw(emu, compatible, mode, shape):
    endpoint, kwargs = endpoint_of(shape, emu, compatible)

    async def body(m):
        async with m.client("ChatCompletionsClient", endpoint, **kwargs) as client:
            stream = await m.call(client.create_streaming(messages=[UserMessage("describe")], response_format=Person))
            updates = await m.collect(stream)
            text = "".join(u.choices[0].delta.content for u in updates)
            assert all(not hasattr(u.choices[0].delta, "parsed") for u in updates)
            final = await m.call(stream.get_final_completion())
            assert isinstance(final, ParsedChatCompletions)
            person = final.choices[0].message.parsed
            assert isinstance(person, Person) and person == Person.model_validate_json(text)

            fresh = await m.call(client.create_streaming(messages=[UserMessage("describe")], response_format=Route))
            route = (await m.call(fresh.get_final_completion())).choices[0].message.parsed  # without iterating
            assert isinstance(route, Route)

    mode.run(body)


def test_complete_reads_the_answer_too(emu, mode):
    endpoint = emu.url + "/models"

    async def body(m):
        async with m.client("ChatCompletionsClient", endpoint, api_version="2024-05-01-preview") as client:
            result = await m.call(client.complete(messages=[UserMessage("describe")], response_format=Person))
            assert isinstance(result.choices[0].message.parsed, Person)
            stream = await m.call(client.complete(messages=[UserMessage("x")], response_format=Person, stream=True))
            assert isinstance((await m.call(stream.get_final_completion())).choices[0].message.parsed, Person)
            # 1.0.0b9 callers passing response_format in model_extras get the type read too
            lifted = await m.call(client.complete(messages=[UserMessage("x")], model_extras={"response_format": Route}))
            assert isinstance(lifted.choices[0].message.parsed, Route)

    mode.run(body)


def test_a_client_default_type_applies_until_a_call_gives_another_format(emu, mode):
    endpoint = emu.url + "/models"

    async def body(m):
        async with m.client(
            "ChatCompletionsClient", endpoint, api_version="2024-05-01-preview", response_format=Person
        ) as client:
            result = await m.call(client.create(messages=[UserMessage("describe")]))
            assert isinstance(result.choices[0].message.parsed, Person)
            plain = await m.call(client.create(messages=[UserMessage("hello")], response_format="text"))
            assert type(plain) is ChatCompletions and plain.choices[0].message.parsed is None
            other = await m.call(client.create(messages=[UserMessage("describe")], response_format=Route))
            assert isinstance(other.choices[0].message.parsed, Route)

    mode.run(body)


def test_an_answer_cut_at_the_token_limit_is_a_length_error(emu, mode):
    endpoint = emu.url + "/models"

    async def body(m):
        async with m.client("ChatCompletionsClient", endpoint, api_version="2024-05-01-preview") as client:
            error = await m.raises(
                LengthFinishReasonError,
                lambda: client.create(messages=[UserMessage("describe")], response_format=Person, max_tokens=2),
            )
            assert error.reason == "length" and isinstance(error.completion, ChatCompletions)
            assert error.completion.choices[0].finish_reason == "length"
            assert error.content == error.completion.choices[0].message.content
            stream = await m.call(
                client.create_streaming(messages=[UserMessage("describe")], response_format=Person, max_tokens=2)
            )
            await m.raises(LengthFinishReasonError, stream.get_final_completion)

    mode.run(body)


# ------------------------------------------------------------------------------- answers a scripted server writes


def _answer(message: dict[str, Any], finish_reason: str = "stop") -> bytes:
    choice = {"index": 0, "finish_reason": finish_reason, "message": {"role": "assistant", **message}}
    return json.dumps(
        {"id": "x", "object": "chat.completion", "created": 1, "model": "m", "choices": [choice]}
    ).encode()


FAILURES = [
    ({"content": None, "refusal": "I cannot help with that."}, "stop", RefusalError, "refusal"),
    ({"content": '{"name": "Ann"'}, "content_filter", ContentFilterFinishReasonError, "content_filter"),
    ({"content": '{"name": "Ann"}'}, "stop", ContentParseError, "invalid"),
    ({"content": "not json at all"}, "stop", ContentParseError, "invalid"),
    ({"content": None}, "stop", ContentParseError, "invalid"),
]


@pytest.mark.parametrize(
    "message, finish, error_type, reason", FAILURES, ids=[f[3] + str(i) for i, f in enumerate(FAILURES)]
)
def test_each_failure_kind_has_its_error_with_the_completion(mode, message, finish, error_type, reason):
    async def body(m):
        with ScriptedServer() as server:
            server.json(_answer(message, finish))
            async with m.client("ChatCompletionsClient", server.url, api_version=None) as client:
                error = await m.raises(
                    error_type, lambda: client.create(messages=[UserMessage("describe")], response_format=Person)
                )
                assert isinstance(error, StructuredOutputError) and isinstance(error, ValueError)
                assert error.reason == reason
                assert error.completion.choices[0].finish_reason == finish
                assert error.content == message.get("content")
                if error_type is RefusalError:
                    assert error.refusal == "I cannot help with that."
                if error_type is ContentParseError and message.get("content"):
                    assert error.errors and all({"loc", "msg", "type"} <= set(e) for e in error.errors)

    mode.run(body)


def test_a_streamed_answer_that_does_not_validate_is_a_parse_error(mode):
    chunk = {"id": "x", "object": "chat.completion.chunk", "created": 1, "model": "m"}
    frames = [
        {**chunk, "choices": [{"index": 0, "delta": {"role": "assistant", "content": '{"name": '}}]},
        {**chunk, "choices": [{"index": 0, "delta": {"content": '"Ann"}'}, "finish_reason": "stop"}]},
    ]

    async def body(m):
        with ScriptedServer() as server:
            server.events(*(f"data: {json.dumps(f)}\n\n".encode() for f in frames), b"data: [DONE]\n\n")
            async with m.client("ChatCompletionsClient", server.url, api_version=None) as client:
                stream = await m.call(client.create_streaming(messages=[UserMessage("x")], response_format=Person))
                updates = await m.collect(stream)
                assert [u.choices[0].delta.content for u in updates] == ['{"name": ', '"Ann"}']
                error = await m.raises(ContentParseError, stream.get_final_completion)
                assert error.content == '{"name": "Ann"}' and error.completion.choices[0].finish_reason == "stop"

    mode.run(body)


# ------------------------------------------------------------------------------------------------- tools= functions


@pytest.mark.parametrize("shape", SHAPES)
def test_functions_and_models_are_tools_beside_definitions(emu, compatible, mode, shape):
    endpoint, kwargs = endpoint_of(shape, emu, compatible)
    definition = {"type": "function", "function": {"name": "ping", "parameters": {"type": "object", "properties": {}}}}

    async def body(m):
        async with m.client("ChatCompletionsClient", endpoint, **kwargs) as client:
            result = await m.call(
                client.create(
                    messages=[UserMessage("please call get_weather and add and Lookup and ping")],
                    tools=[get_weather, add, Lookup, definition],
                )
            )
            calls = result.choices[0].message.tool_calls
            assert [c.function.name for c in calls] == ["get_weather", "add", "Lookup", "ping"]
            assert function_tool(get_weather).parse_arguments(calls[0].function.arguments)["city"]
            assert set(function_tool(add).parse_arguments(calls[1].function.arguments)) == {"a", "b", "note"}
            assert isinstance(function_tool(Lookup).parse_arguments(calls[2].function.arguments), Lookup)

    mode.run(body)


# ------------------------------------------------------------------------------------- bad inputs, nothing sent


class NotStructured:
    pass


BAD = [
    ({"response_format": int}, "is not a Pydantic model class"),
    ({"response_format": NotStructured}, "is not a Pydantic model class"),
    ({"response_format": 42}, "response_format"),
    ({"tools": [lambda city: city]}, "needs a type hint"),
    ({"tools": [get_weather, 42]}, "tools[1]"),
]


@pytest.mark.parametrize("arguments, words", BAD, ids=[str(i) for i in range(len(BAD))])
def test_bad_types_and_functions_are_type_errors_before_anything_is_sent(mode, arguments, words):
    async def body(m):
        with ScriptedServer() as server:
            async with m.client("ChatCompletionsClient", server.url, api_version=None) as client:
                for call in (client.create, client.create_streaming, client.complete):
                    error = await m.raises(TypeError, lambda: call(messages=[UserMessage("x")], **arguments))
                    assert words in str(error)
            assert server.hits == 0

    mode.run(body)


def test_a_bad_client_default_is_refused_by_the_constructor(mode):
    with pytest.raises(TypeError, match="needs a type hint"):
        mode.api.ChatCompletionsClient("http://127.0.0.1:9", AzureKeyCredential("key"), tools=[lambda city: city])
    with pytest.raises(TypeError, match="is not a Pydantic model class"):
        mode.api.ChatCompletionsClient("http://127.0.0.1:9", AzureKeyCredential("key"), response_format=NotStructured)
