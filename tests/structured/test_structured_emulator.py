"""The emulator answers a `json_schema` response format with JSON that validates against the schema, and tool-bearing
requests with calls whose arguments validate against each tool's parameters, then a text answer once the tool
results are there: directly (the schema rule) and over loopback on the Model Inference, Azure OpenAI v1 and
OpenAI-compatible shapes, sync and async."""

from __future__ import annotations

import json
from typing import Any, Iterator

import pytest

from azure.ai.inference._core.structured import parse_content, parse_message, response_format_for, strict_json_schema
from azure.ai.inference._core.tools import function_tool, prepare_call
from azure.ai.inference.models import AssistantMessage, ToolMessage, UserMessage
from inference_emulator import Emulator
from inference_emulator.errors import ApiError
from inference_emulator.schema_answer import MAX_SCHEMA_VALUES, schema_answer, tool_arguments

from .test_structured_schema import SHAPES, Person, Tree
from .test_structured_tools import Lookup, add, explode, get_weather, shadowing

pytestmark = pytest.mark.timeout(60)


@pytest.mark.parametrize("tp", [s[0] for s in SHAPES], ids=[s[0].__name__ for s in SHAPES])
def test_the_schema_answer_validates_as_the_type(tp):
    answer = schema_answer(strict_json_schema(tp), "some text")
    parse_content(tp, json.dumps(answer))  # raises unless it validates
    assert schema_answer(strict_json_schema(tp), "some text") == answer  # deterministic


def test_the_schema_rule():
    person = schema_answer(strict_json_schema(Person), "txt")
    assert person["name"] == "txt" and person["age"] == 0 and person["email"] == "txt"  # nullable -> a value
    assert person["favourite"] == "red" and person["level"] == 1 and person["kind"] == "human"
    assert person["born"] == "2024-01-01" and len(person["past"]) == 1 and person["home"]["city"] == "txt"
    tree = schema_answer(strict_json_schema(Tree), "t")
    depth = 0
    while tree["children"]:  # recursion ends: past the bound, arrays are empty and nullable choices null
        tree, depth = tree["children"][0], depth + 1
    assert 1 <= depth <= 4 and tree["best"] is None


RAW = [
    ({"type": "string", "format": "date-time"}, "2024-01-01T00:00:00Z"),
    ({"type": "string", "maxLength": 3}, "rep"),
    ({"type": "string", "minLength": 8}, "replyxxx"),
    ({"type": "integer", "minimum": 5}, 5),
    ({"type": "integer", "exclusiveMinimum": 5}, 6),
    ({"type": "number", "maximum": -2.5}, -2.5),
    ({"type": "integer", "maximum": -2.5}, -3),
    ({"type": ["null", "boolean"]}, True),
    ({"type": "array", "items": {"type": "integer"}, "minItems": 2}, [0, 0]),
    ({"type": "array", "items": {"type": "integer"}, "maxItems": 0}, []),
    ({"const": 7}, 7),
    ({"allOf": [{"$ref": "#/definitions/A"}], "description": "x"}, {"a": "reply"}),
    ({"oneOf": [{"type": "null"}, {"type": "string"}]}, "reply"),
    ({"anyOf": [{"type": "null"}]}, None),
    ({"$ref": "#/$defs/missing"}, None),
    ({}, None),
]


@pytest.mark.parametrize("schema, value", RAW)
def test_raw_schema_features(schema, value):
    root = {"type": "object", "properties": {"v": schema}, "required": ["v"]}
    root["definitions"] = {"A": {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]}}
    assert schema_answer(root, "reply") == {"v": value}


def test_a_self_referencing_root_ends():
    root = {"type": "object", "properties": {"next": {"$ref": "#"}}, "required": ["next"]}
    answer = schema_answer(root, "x")
    depth = 0
    while isinstance(answer, dict):
        answer, depth = answer["next"], depth + 1
    assert answer is None and depth <= 6


def test_a_schema_asking_for_too_many_values_is_a_400():
    wide = {"type": "object", "properties": {f"p{i}": {"$ref": "#/$defs/W"} for i in range(30)}}
    wide["required"] = list(wide["properties"])
    root = {**wide, "$defs": {"W": wide}}
    with pytest.raises(ApiError) as info:
        schema_answer(root, "x")
    assert info.value.status == 400 and str(MAX_SCHEMA_VALUES) in str(info.value)


def test_tool_arguments_validate_against_every_tool():
    for source in (get_weather, add, shadowing, Lookup, explode):
        tool = function_tool(source)
        arguments = json.dumps(tool_arguments(tool.parameters, "user text"))
        tool.parse_arguments(arguments)  # raises unless they validate
    assert tool_arguments(None, "q") == {"query": "q"}
    assert tool_arguments({"type": "object"}, "q") == {"query": "q"}
    assert tool_arguments({"type": "object", "properties": {}, "additionalProperties": False}, "q") == {}
    assert tool_arguments({"type": "object", "properties": {"query": {"type": "string"}}}, "q") == {"query": "q"}


# ------------------------------------------------------------------------------------------- over loopback


@pytest.fixture(scope="module")
def compatible() -> Iterator[Emulator]:
    with Emulator(openai_compatible=True) as emu:
        yield emu


SHAPE_ENDPOINTS = {
    "model-inference": ("", {"api_version": "2024-05-01-preview"}, "/models"),
    "azure-openai-v1": ("/openai/v1/", {"model": "gpt-4o"}, ""),
    "openai-compatible": ("", {"api_version": None}, ""),
}


def _endpoint(shape: str, emu: Emulator, compatible: Emulator) -> tuple[str, dict[str, Any]]:
    suffix, kwargs, models = SHAPE_ENDPOINTS[shape]
    server = compatible if shape == "openai-compatible" else emu
    return server.url + (models or suffix), kwargs


@pytest.mark.parametrize("shape", list(SHAPE_ENDPOINTS))
def test_json_schema_answers_parse_on_every_shape(emu, compatible, mode, shape):
    endpoint, kwargs = _endpoint(shape, emu, compatible)

    async def body(m):
        async with m.client("ChatCompletionsClient", endpoint, **kwargs) as client:
            for tp in (Person, Tree):
                result = await m.call(
                    client.create(messages=[UserMessage("describe")], response_format=response_format_for(tp))
                )
                choice = result.choices[0]
                parsed = parse_message(tp, choice.message, choice.finish_reason)
                assert isinstance(parsed, tp)

    mode.run(body)


@pytest.mark.parametrize("shape", list(SHAPE_ENDPOINTS))
def test_tool_calls_validate_then_a_text_answer_on_every_shape(emu, compatible, mode, shape):
    endpoint, kwargs = _endpoint(shape, emu, compatible)
    tools = {t.name: t for t in map(function_tool, (get_weather, add, Lookup))}
    definitions = [t.definition for t in tools.values()]

    async def body(m):
        async with m.client("ChatCompletionsClient", endpoint, **kwargs) as client:
            messages: list[Any] = [UserMessage("please call get_weather and add and Lookup")]
            first = await m.call(client.create(messages=messages, tools=definitions))
            message = first.choices[0].message
            assert first.choices[0].finish_reason == "tool_calls"
            prepared = [prepare_call(tools, call) for call in message.tool_calls]
            assert [p.name for p in prepared] == ["get_weather", "add", "Lookup"]
            assert [p.error for p in prepared] == [None, None, None]
            messages.append(AssistantMessage(tool_calls=message.tool_calls))
            messages += [ToolMessage(f"result {p.name}", tool_call_id=p.call_id) for p in prepared]
            final = await m.call(client.create(messages=messages, tools=definitions))
            assert final.choices[0].finish_reason == "stop"
            assert final.choices[0].message.content == "Tool result received: result Lookup"

    mode.run(body)
