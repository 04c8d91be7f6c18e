"""Python functions and Pydantic models as tools, sans-IO: definitions from signatures and docstrings (Google and
Sphinx styles), sync and async functions, model tools, argument checks, and calls run into tool-message text with
every failure (unknown tool, invalid arguments, a tool that raises) turned into text."""

from __future__ import annotations

import asyncio
import json
from typing import Literal, Optional

import pytest
from pydantic import BaseModel, Field

from azure.ai.inference._core.tools import (
    FunctionTool,
    ToolArgumentsError,
    UnknownToolError,
    arun_call,
    default_error_text,
    function_tool,
    is_tool_source,
    parse_docstring,
    prepare_call,
    run_call,
)
from azure.ai.inference.models import ChatCompletionsToolDefinition


def get_weather(city: str, unit: Literal["celsius", "fahrenheit"] = "celsius", days: Optional[int] = None) -> str:
    """Get the weather forecast
    for a city.

    Longer text that is not part of the description.

    Args:
        city (str): The city, for example
            Paris.
        unit: The temperature unit.
        days: How many days ahead.

    Returns:
        The forecast.
    """
    return f"{city}: sunny, 21 degrees {unit}, {days} days"


async def add(a: int, /, b: float, *, note: str = "") -> dict[str, float]:
    """Add two numbers.

    :param a: The first
        number.
    :param float b: The second number.
    :param note: Ignored.
    :returns: The sum.
    """
    await asyncio.sleep(0)
    return {"sum": a + b}


def explode(reason: str) -> str:
    """Always fails."""
    raise RuntimeError(f"boom: {reason}")


def shadowing(json: int, model_config: str, copy: bool) -> str:
    """Parameters named like Pydantic's own attributes."""
    return f"{json} {model_config} {copy}"


class Lookup(BaseModel):
    """Look a word up
    in the dictionary.

    Details that stay out."""

    word: str = Field(description="The word")
    title: Optional[str] = None


DOCSTRINGS = [
    ("One line.", "One line.", {}),
    ("Summary\ncontinued.\n\nMore.", "Summary continued.", {}),
    (
        "Do it.\n\nArgs:\n    x (int): The x.\n    y: The y,\n        on two lines.\n\nReturns:\n    z: not a param\n",
        "Do it.",
        {"x": "The x.", "y": "The y, on two lines."},
    ),
    (
        "Do it.\n\n:param x: The x.\n:param str y: The y,\n    continued.\n:returns: nothing\n:raises ValueError: no",
        "Do it.",
        {"x": "The x.", "y": "The y, continued."},
    ),
    ("Do it.\nArguments:\n    *args: Extra.\n", "Do it.", {"args": "Extra."}),
    (None, None, {}),
]


@pytest.mark.parametrize("doc, summary, params", DOCSTRINGS)
def test_docstrings_give_the_description_and_the_parameter_descriptions(doc, summary, params):
    assert parse_docstring(doc) == (summary, params)


def test_a_function_with_google_docstring():
    tool = function_tool(get_weather)
    assert tool.name == "get_weather" and not tool.is_async
    assert tool.description == "Get the weather forecast for a city."
    params = tool.parameters
    assert params["type"] == "object" and params["required"] == ["city"]
    assert params["properties"]["city"] == {"description": "The city, for example Paris.", "type": "string"}
    assert params["properties"]["unit"]["enum"] == ["celsius", "fahrenheit"]
    assert params["properties"]["unit"]["description"] == "The temperature unit."
    assert params["properties"]["days"]["anyOf"] == [{"type": "integer"}, {"type": "null"}]
    assert params["additionalProperties"] is False
    assert "title" not in json.dumps(params)
    definition = ChatCompletionsToolDefinition(tool.definition)
    assert definition.function.name == "get_weather" and definition.type == "function"
    assert definition.function.parameters == params


def test_an_async_function_with_sphinx_docstring_and_positional_only_parameters():
    tool = function_tool(add)
    assert tool.is_async and tool.description == "Add two numbers."
    assert tool.parameters["required"] == ["a", "b"]
    assert tool.parameters["properties"]["a"]["description"] == "The first number."
    assert tool.parameters["properties"]["b"] == {"description": "The second number.", "type": "number"}
    kwargs = tool.parse_arguments('{"a": 2, "b": 0.5}')
    assert kwargs == {"a": 2, "b": 0.5, "note": ""}
    assert asyncio.run(tool.call(kwargs)) == {"sum": 2.5}


def test_a_pydantic_model_as_a_tool():
    tool = function_tool(Lookup)
    assert tool.name == "Lookup" and tool.func is None
    assert tool.description == "Look a word up in the dictionary."
    assert "description" not in tool.parameters  # the docstring is the tool's description, once
    assert tool.parameters["properties"]["word"] == {"description": "The word", "type": "string"}
    assert "title" in tool.parameters["properties"]  # a field named title stays
    parsed = tool.parse_arguments('{"word": "tree"}')
    assert isinstance(parsed, Lookup) and parsed.word == "tree"


def test_parameters_named_like_pydantic_attributes_are_kept():
    tool = function_tool(shadowing)
    assert list(tool.parameters["properties"]) == ["json", "model_config", "copy"]
    kwargs = tool.parse_arguments('{"json": 1, "model_config": "c", "copy": true}')
    assert tool.call(kwargs) == "1 c True"


def test_names_and_descriptions_may_be_given():
    tool = function_tool(get_weather, name="weather", description="Weather.")
    assert (tool.name, tool.description) == ("weather", "Weather.")
    assert function_tool(tool) is tool


@pytest.mark.parametrize(
    "source, words",
    [
        (lambda x: x, "type hint"),  # no hints, and a name the services refuse
        (int, "a function or a Pydantic model class"),
        ("get_weather", "a function or a Pydantic model class"),
    ],
)
def test_bad_tool_sources_are_type_errors(source, words):
    with pytest.raises(TypeError, match=words):
        function_tool(source)


def test_star_args_and_unhinted_parameters_are_refused():
    def star(*values: int) -> int:
        return sum(values)

    def unhinted(x, y: int) -> int:  # type: ignore[no-untyped-def]
        return y

    with pytest.raises(TypeError, match=r"\*args"):
        function_tool(star)
    with pytest.raises(TypeError, match="'x' needs a type hint"):
        function_tool(unhinted)
    with pytest.raises(ValueError, match="tool name"):
        function_tool(get_weather, name="has space")


def test_is_tool_source_tells_functions_and_models_from_definitions():
    definition = ChatCompletionsToolDefinition(function_tool(get_weather).definition)
    assert is_tool_source(get_weather) and is_tool_source(add) and is_tool_source(Lookup)
    assert not is_tool_source(definition) and not is_tool_source(definition.as_dict()) and not is_tool_source(int)


def test_invalid_arguments_are_a_tool_arguments_error():
    tool = function_tool(get_weather)
    for text in ('{"unit": "celsius"}', '{"city": "Paris", "unit": "kelvin"}', "{oops", '{"city": "P", "x": 1}'):
        with pytest.raises(ToolArgumentsError) as info:
            tool.parse_arguments(text)
        assert isinstance(info.value, ValueError) and info.value.arguments == text and info.value.errors


TOOLS = {t.name: t for t in map(function_tool, (get_weather, add, explode, Lookup))}


def call(name: str, arguments: str, call_id: str = "call_1") -> dict[str, object]:
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}


RUNS = [
    (call("get_weather", '{"city": "Paris"}'), "Paris: sunny, 21 degrees celsius, None days"),
    (call("Lookup", '{"word": "tree"}'), '{"word":"tree","title":null}'),
    (call("missing", "{}"), "Error: no tool named 'missing'; the tools: Lookup, add, explode, get_weather"),
    (call("get_weather", '{"city": 3}'), "Error: invalid arguments for get_weather: city: Input should be a valid string"),
    (call("explode", '{"reason": "x"}'), "Error: the tool explode raised RuntimeError: boom: x"),
]


@pytest.mark.parametrize("tool_call, text", RUNS)
def test_calls_run_into_tool_message_text_sync_and_async(tool_call, text):
    prepared = prepare_call(TOOLS, tool_call)
    assert prepared.call_id == "call_1"
    assert run_call(prepared) == text
    assert asyncio.run(arun_call(prepared)) == text


def test_async_tools_run_only_in_the_async_runner():
    prepared = prepare_call(TOOLS, call("add", '{"a": 1, "b": 2}'))
    assert asyncio.run(arun_call(prepared)) == '{"sum":3.0}'
    with pytest.raises(TypeError, match="async"):
        run_call(prepared)


def test_the_error_text_is_configurable():
    def terse(error: BaseException, name: str) -> str:
        return f"{name} failed ({type(error).__name__})"

    assert run_call(prepare_call(TOOLS, call("explode", '{"reason": "x"}')), terse) == "explode failed (RuntimeError)"
    assert run_call(prepare_call(TOOLS, call("nope", "{}")), terse) == "nope failed (UnknownToolError)"
    unknown = prepare_call(TOOLS, call("nope", "{}")).error
    assert isinstance(unknown, UnknownToolError) and default_error_text(unknown, "nope").startswith("Error: no tool")


def test_a_function_tool_repr_names_it():
    assert repr(function_tool(get_weather)) == "FunctionTool(name='get_weather')"
    assert isinstance(function_tool(Lookup), FunctionTool)
