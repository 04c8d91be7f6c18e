# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""What the chat clients do with Python types and functions given as arguments, sans-IO: a `response_format`
type and tool functions rewritten into their wire forms before a request is built, a result read into the type,
and the state of `run_tools`' loop (the transcript, the rounds, the calls to run).

Strategy: `typed_arguments` runs first on a call's arguments and leaves everything else to the ordinary checks;
with no type and no function among them it only looks at two keys, so a plain call costs nothing more. The loop
is a state machine the clients drive: they send, hand the answer to `ToolLoop.answer`, run the calls it returns
(sync, or concurrently in the async client) and hand the texts back to `ToolLoop.add_results`. Nothing here
sends or awaits.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Callable, Optional, cast

from .json import as_mapping, as_sequence
from .structured import StructuredOutputError, parse_message, response_format_for
from .tools import (
    FunctionTool,
    PreparedCall,
    ToolRoundsExceededError,
    ToolRun,
    default_error_text,
    function_tool,
    is_tool_source,
    prepare_call,
)
from ..models._patch import AssistantMessage, ChatCompletions, ParsedChatCompletions, ToolMessage, wrap_json

__all__ = ["typed_arguments", "tool_definitions", "parse_completion", "ToolLoop", "DEFAULT_MAX_ROUNDS"]

# The model calls `run_tools` makes at most unless told otherwise.
DEFAULT_MAX_ROUNDS = 10
# `run_tools`' own arguments and those it sets itself: not passed on to `create` through its keywords.
_LOOP_OWNED = ("messages", "tools", "body", "stream")


def tool_definitions(tools: Any) -> Any:
    """`tools` with each function or Pydantic model class replaced by its tool definition; as given otherwise.

    :raises TypeError: a function that cannot be described (a parameter without a type hint, `*args`).
    """
    if tools is None or isinstance(tools, (str, bytes)) or as_mapping(tools) is not None:
        return tools
    items = as_sequence(tools)
    if items is None or not any(is_tool_source(tool) for tool in items):
        return tools
    return [function_tool(tool).definition if is_tool_source(tool) else tool for tool in items]


def typed_arguments(given: dict[str, Any], default_type: Optional[type] = None) -> Optional[type]:
    """Rewrite a call's arguments in place: a `response_format` type becomes its `json_schema` format, tool
    functions their definitions. Returns the type the answer is to be read into: the call's, or with no
    `response_format` in the call the client's `default_type`.

    :raises TypeError: a type that is not a Pydantic model class, a dataclass or a TypedDict, or one holding a
     shape strict mode cannot express; a function that cannot be described.
    :raises ImportError: Pydantic is not installed.
    """
    output = default_type
    response_format = given.get("response_format")
    if isinstance(response_format, type):
        given["response_format"] = response_format_for(response_format)
        output = response_format
    elif response_format is not None:
        output = None
    tools = given.get("tools")
    if tools is not None:
        given["tools"] = tool_definitions(tools)
    return output


def parse_completion(output: type, completion: ChatCompletions) -> ParsedChatCompletions[Any]:
    """The completion with each choice's message read into `output` (`choices[i].message.parsed`).

    :raises StructuredOutputError: for the first choice that cannot be read, with `.completion` set.
    """
    data: dict[str, Any] = completion._data  # pylint: disable=protected-access  # pyright: ignore[reportPrivateUsage]
    # pyright reads the bare class as ParsedChatCompletions[Unknown]; mypy finds the cast redundant
    parsed = cast(  # type: ignore[redundant-cast, unused-ignore]
        "ParsedChatCompletions[Any]", wrap_json(ParsedChatCompletions, data)
    )
    values: list[Any] = []
    for choice in parsed.choices:
        wire: Mapping[str, Any] = as_mapping(choice.get("message")) or {}
        try:
            values.append(parse_message(output, wire, choice.get("finish_reason")))
        except StructuredOutputError as exc:
            exc.completion = parsed
            raise
    parsed._parsed = values  # pylint: disable=protected-access  # pyright: ignore[reportPrivateUsage]
    return parsed


class ToolLoop:
    """The state of one `run_tools` call: the tools by name, the transcript, and the rounds so far.

    :raises TypeError: or ValueError for a bad argument, before any call.
    """

    def __init__(
        self,
        messages: Any,
        tools: Any,
        max_rounds: Any,
        on_error: Optional[Callable[[BaseException, str], str]],
        create_kwargs: Mapping[str, Any],
    ) -> None:
        given = as_sequence(messages)
        if given is None or isinstance(messages, (str, bytes)) or as_mapping(messages) is not None:
            raise TypeError("run_tools: messages must be a list of messages")
        if type(max_rounds) is not int or max_rounds < 1:
            raise ValueError(f"run_tools: max_rounds must be an int of at least 1, not {max_rounds!r}")
        if on_error is not None and not callable(on_error):
            raise TypeError("run_tools: on_error must be a function (error, tool name) -> message text")
        owned = sorted(name for name in create_kwargs if name in _LOOP_OWNED)
        if owned:
            raise TypeError(f"run_tools() got unexpected keyword argument(s) {', '.join(map(repr, owned))}")
        self.tools = _tools_by_name(tools)
        self.definitions = [tool.definition for tool in self.tools.values()]
        self.messages: list[Any] = list(given)
        self.max_rounds: int = max_rounds
        self.on_error = on_error or default_error_text
        self.create_kwargs = dict(create_kwargs)
        self.rounds = 0
        self.last: Optional[ChatCompletions] = None  # the model's latest answer

    def answer(self, completion: ChatCompletions) -> list[PreparedCall]:
        """Take the model's answer into the transcript; the calls it asks for, checked (none: the loop ends).

        :raises ToolRoundsExceededError: (from `add_results`) once the last round's calls have run.
        """
        self.rounds += 1
        choices = completion.choices
        message = choices[0].message if choices else None
        calls = (message.tool_calls or []) if message is not None else []
        content = message.content if message is not None else None
        if content or calls:  # an answer with neither (a filtered one) would not be accepted back
            self.messages.append(AssistantMessage(content=content or None, tool_calls=calls or None))
        self.last = completion
        return [prepare_call(self.tools, call) for call in calls]

    def add_results(self, calls: Sequence[PreparedCall], texts: Sequence[str]) -> None:
        """Add one tool message per call, in the order of the calls.

        :raises ToolRoundsExceededError: the model was called `max_rounds` times.
        """
        self.messages.extend(ToolMessage(text, tool_call_id=call.call_id) for call, text in zip(calls, texts))
        if self.rounds >= self.max_rounds and self.last is not None:
            raise ToolRoundsExceededError(self.max_rounds, completion=self.last, messages=self.messages)

    def result(self) -> ToolRun:
        """The loop's outcome, once `answer` returned no calls."""
        if self.last is None:
            raise RuntimeError("run_tools: no answer yet")
        return ToolRun(self.last, self.messages, self.rounds)


def _tools_by_name(tools: Any) -> dict[str, FunctionTool]:
    items = as_sequence(tools)
    if items is None or isinstance(tools, (str, bytes)) or as_mapping(tools) is not None or not items:
        raise TypeError("run_tools: tools must be a non-empty list of Python functions or Pydantic model classes")
    found: dict[str, FunctionTool] = {}
    for index, source in enumerate(items):
        if not is_tool_source(source):
            raise TypeError(
                f"run_tools: tools[{index}] must be a Python function or a Pydantic model class (a tool definition "
                "cannot be run; use create() for those)"
            )
        tool = function_tool(source)
        if tool.name in found:
            raise ValueError(f"run_tools: two tools are named {tool.name!r}")
        found[tool.name] = tool
    return found
