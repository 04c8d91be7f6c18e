# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""Python functions and Pydantic models as tools, sans-IO: a tool definition from a function's signature and
docstring (or from a model class), a call's arguments checked against it, and a call run (sync or async) into
the text of its tool message, with every failure (an unknown name, invalid arguments, a tool that raises)
turned into text rather than raised.

Strategy: a `FunctionTool` holds the callable and a Pydantic model built from its signature (each parameter a
field, aliased by its own name so that names like `json` or `model_x` cannot clash with Pydantic's); the
model writes the `parameters` schema and validates the arguments. Concurrency is not decided here: the async
clients gather `arun_call` coroutines themselves. Pydantic is imported on first use, through `structured`.
"""

from __future__ import annotations

import inspect
import re
import sys
import typing
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Optional, Union

from .json import as_mapping
from .structured import pydantic_module, schema_name

if TYPE_CHECKING:
    from ..models._patch import ChatCompletions

__all__ = [
    "FunctionTool",
    "ToolCallError",
    "UnknownToolError",
    "ToolArgumentsError",
    "ToolRoundsExceededError",
    "ToolRun",
    "PreparedCall",
    "function_tool",
    "parse_docstring",
    "is_tool_source",
    "prepare_call",
    "run_call",
    "arun_call",
    "default_error_text",
]

# The text of a tool message for a failed call: given the error and the call's function name.
ErrorText = Callable[[BaseException, str], str]

# Patterns compiled on first use (through `re`'s cache), not when the package is imported.
_NAME_RE = r"^[A-Za-z0-9_-]{1,64}$"
_NAME_SUB = r"[^A-Za-z0-9_]"
_ARGS_HEADERS = frozenset({"args", "arguments", "parameters", "params", "keyword args", "keyword arguments"})
_SECTION_RE = r"^\s*([A-Za-z][A-Za-z ]*):\s*$"
_GOOGLE_ARG_RE = r"^\s*\*{0,2}([A-Za-z_][A-Za-z0-9_]*)\s*(?:\([^)]*\))?\s*:\s*(.*)$"
_SPHINX_PARAM_RE = r"^\s*:param\s+(?:[^:]*\s)?([A-Za-z_][A-Za-z0-9_]*)\s*:\s*(.*)$"
_SPHINX_FIELD_RE = r"^\s*:[A-Za-z]"


class ToolCallError(ValueError):
    """A tool call that could not be run: the model named an unknown tool or gave invalid arguments."""


class UnknownToolError(ToolCallError):
    """The model called a function that is not among the tools."""


class ToolArgumentsError(ToolCallError):
    """A call's arguments are not JSON that validates against the function's parameters; `errors` lists the
    validation errors (each with `loc`, `msg`, `type`) and `arguments` holds the text the model sent."""

    def __init__(self, message: str, *, arguments: str, errors: list[dict[str, Any]]) -> None:
        super().__init__(message)
        self.arguments = arguments
        self.errors = errors


class ToolRun:
    """What `run_tools` returns: `completion`, the model's last answer (the one without tool calls), and
    `messages`, the whole conversation: the messages given, then for each round the assistant message that
    called tools and one `ToolMessage` per call, then the final answer as an `AssistantMessage`; ready to send
    again with one more user message. `rounds` counts the calls to the model."""

    def __init__(self, completion: "ChatCompletions", messages: list[Any], rounds: int) -> None:
        self.completion = completion
        self.messages = messages
        self.rounds = rounds

    def __repr__(self) -> str:
        return f"ToolRun(rounds={self.rounds}, messages={len(self.messages)})"


class ToolRoundsExceededError(RuntimeError):
    """`run_tools` called the model `max_rounds` times and it still asked for tools. The calls of the last
    round were run, so `messages` is a whole conversation (ending with tool messages) that `run_tools` can take
    again to go on; `completion` is the model's last answer."""

    def __init__(self, max_rounds: int, *, completion: "ChatCompletions", messages: list[Any]) -> None:
        super().__init__(
            f"the model still asked for tools after max_rounds={max_rounds} rounds; the conversation so far is in "
            "this error's `messages` (pass it to run_tools again to go on)"
        )
        self.max_rounds = max_rounds
        self.completion = completion
        self.messages = messages


# ------------------------------------------------------------------------------------------------- docstrings


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _google_args(lines: list[str], start: int, found: dict[str, str]) -> None:
    """The entries of a Google-style `Args:` section whose header is at `start`."""
    base = _indent(lines[start])
    current = ""
    entry_indent = 0
    for line in lines[start + 1 :]:
        if not line.strip():
            continue
        if _indent(line) <= base:
            break
        match = re.match(_GOOGLE_ARG_RE, line)
        if match and (not current or _indent(line) <= entry_indent):
            current, entry_indent = match.group(1), _indent(line)
            found[current] = match.group(2).strip()
        elif current:
            found[current] = f"{found[current]} {line.strip()}".strip()


def _sphinx_params(lines: list[str], found: dict[str, str]) -> None:
    current = ""
    for line in lines:
        match = re.match(_SPHINX_PARAM_RE, line)
        if match:
            current = match.group(1)
            found[current] = match.group(2).strip()
        elif re.match(_SPHINX_FIELD_RE, line) or not line.strip():
            current = ""
        elif current:
            found[current] = f"{found[current]} {line.strip()}"


def parse_docstring(doc: Optional[str]) -> tuple[Optional[str], dict[str, str]]:
    """The description (the first paragraph, its lines joined) and the per-parameter descriptions of a
    docstring, from Google-style `Args:` sections or Sphinx `:param name:` lines."""
    if not doc:
        return None, {}
    lines = inspect.cleandoc(doc).splitlines()
    summary: list[str] = []
    for line in lines:
        if not line.strip() or re.match(_SECTION_RE, line) or re.match(_SPHINX_FIELD_RE, line):
            break
        summary.append(line.strip())
    params: dict[str, str] = {}
    for index, line in enumerate(lines):
        header = re.match(_SECTION_RE, line)
        if header and header.group(1).strip().lower() in _ARGS_HEADERS:
            _google_args(lines, index, params)
    _sphinx_params(lines, params)
    return (" ".join(summary) or None), params


# ---------------------------------------------------------------------------------------------------- tools


def _strip_titles(schema: Any) -> Any:
    """The schema without the `title` keywords Pydantic adds (a property *named* title stays)."""
    if isinstance(schema, dict):
        node: dict[str, Any] = {}
        for key, value in typing.cast("dict[str, Any]", schema).items():
            if key == "title" and isinstance(value, str):
                continue
            if key in ("properties", "$defs") and isinstance(value, dict):
                children = typing.cast("dict[str, Any]", value)
                node[key] = {name: _strip_titles(child) for name, child in children.items()}
            else:
                node[key] = _strip_titles(value)
        return node
    if isinstance(schema, list):
        items = typing.cast("list[Any]", schema)  # type: ignore[redundant-cast, unused-ignore]
        return [_strip_titles(item) for item in items]
    return schema


def _is_async(func: Callable[..., Any]) -> bool:
    return inspect.iscoroutinefunction(func) or inspect.iscoroutinefunction(getattr(func, "__call__", None))


def _is_model_class(value: object) -> bool:
    pydantic = sys.modules.get("pydantic")
    return isinstance(value, type) and pydantic is not None and issubclass(value, pydantic.BaseModel)


class FunctionTool:
    """A Python function, or a Pydantic model class, offered to the model as a tool.

    `definition` is what is sent; `parse_arguments(text)` checks a call's arguments (a dict of keyword
    arguments for a function, an instance for a model); `func` is None for a model tool (nothing to run: the
    call's validated instance is the result)."""

    def __init__(
        self,
        name: str,
        description: Optional[str],
        validator: Any,
        func: Optional[Callable[..., Any]],
        fields: Mapping[str, str],
        positional: Sequence[str] = (),
    ) -> None:
        if not re.match(_NAME_RE, name):
            raise ValueError(f"tool name {name!r} must be 1 to 64 letters, digits, '_' or '-'")
        self.name = name
        self.description = description
        self.func = func
        self.is_async = func is not None and _is_async(func)
        self._validator = validator
        self._fields = dict(fields)  # parameter name -> field name on the validator
        self._positional = tuple(positional)
        parameters: dict[str, Any] = _strip_titles(validator.model_json_schema())
        if func is None:
            parameters.pop("description", None)  # the model's docstring is the tool's description
        self.parameters = parameters

    @property
    def definition(self) -> dict[str, Any]:
        """The tool definition's JSON, as a `ChatCompletionsToolDefinition` holds it."""
        function: dict[str, Any] = {"name": self.name, "parameters": self.parameters}
        if self.description:
            function["description"] = self.description
        return {"type": "function", "function": function}

    def __repr__(self) -> str:
        return f"FunctionTool(name={self.name!r})"

    def parse_arguments(self, arguments: Union[str, Mapping[str, Any], None]) -> Any:
        """The call's arguments validated: keyword arguments (a dict) for a function, an instance for a model.

        :raises ToolArgumentsError: the arguments are not JSON or do not validate.
        """
        pydantic = pydantic_module()
        text = arguments if isinstance(arguments, str) else ""
        try:
            if isinstance(arguments, str):
                value = self._validator.model_validate_json(arguments or "{}")
            else:
                value = self._validator.model_validate(dict(arguments or {}))
        except pydantic.ValidationError as exc:
            errors = [
                {"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in exc.errors(include_url=False)
            ]
            where, msg = (".".join(str(p) for p in errors[0]["loc"]), errors[0]["msg"]) if errors else ("", "invalid")
            raise ToolArgumentsError(
                f"invalid arguments for {self.name}: {where or '(arguments)'}: {msg}", arguments=text, errors=errors
            ) from None
        if self.func is None:
            return value
        return {param: getattr(value, field) for param, field in self._fields.items()}

    def call(self, kwargs: Mapping[str, Any]) -> Any:
        """Call the function with validated keyword arguments (an awaitable for an async function)."""
        if self.func is None:
            raise TypeError(f"the tool {self.name} is a model: it has nothing to run")
        args = [kwargs[name] for name in self._positional]
        rest = {name: value for name, value in kwargs.items() if name not in self._positional}
        return self.func(*args, **rest)


def _from_function(func: Callable[..., Any], name: Optional[str], description: Optional[str]) -> FunctionTool:
    pydantic = pydantic_module()
    tool_name = name or str(getattr(func, "__name__", ""))
    summary, docs = parse_docstring(inspect.getdoc(func))
    try:
        hints = typing.get_type_hints(func, include_extras=True)
    except Exception as exc:  # a name in an annotation that cannot be resolved
        raise TypeError(
            f"the type hints of {tool_name!r} cannot be resolved: {exc} (hints are read in the function's module: "
            "a function defined inside another, under `from __future__ import annotations`, can only name types "
            "its module defines or imports)"
        ) from exc
    fields: dict[str, Any] = {}
    names: dict[str, str] = {}
    positional: list[str] = []
    for index, param in enumerate(inspect.signature(func).parameters.values()):
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            raise TypeError(f"tool {tool_name!r}: *args and **kwargs cannot be described to a model")
        if param.name not in hints:
            raise TypeError(f"tool {tool_name!r}: the parameter {param.name!r} needs a type hint")
        if param.kind is param.POSITIONAL_ONLY:
            positional.append(param.name)
        default = ... if param.default is param.empty else param.default
        field = f"p{index}"
        names[param.name] = field
        info = pydantic.Field(default, alias=param.name, description=docs.get(param.name))
        fields[field] = (hints[param.name], info)
    config = pydantic.ConfigDict(extra="forbid", populate_by_name=False, protected_namespaces=())
    validator = pydantic.create_model(f"{re.sub(_NAME_SUB, '_', tool_name)}_arguments", __config__=config, **fields)
    return FunctionTool(tool_name, description or summary, validator, func, names, positional)


def _from_model(model: type, name: Optional[str], description: Optional[str]) -> FunctionTool:
    summary, _ = parse_docstring(model.__doc__)
    return FunctionTool(name or schema_name(model), description or summary, model, None, {})


def is_tool_source(value: object) -> bool:
    """True for what `function_tool` takes: a function (or other callable that is not a class) or a Pydantic
    model class; False for tool definitions (models or dicts)."""
    if isinstance(value, FunctionTool) or _is_model_class(value):
        return True
    return callable(value) and not isinstance(value, type) and as_mapping(value) is None


def function_tool(
    source: Any, *, name: Optional[str] = None, description: Optional[str] = None
) -> FunctionTool:
    """A tool from a Python function (sync or async; every parameter type-hinted; the docstring's first
    paragraph describes it and its `Args:` or `:param x:` lines describe the parameters) or from a Pydantic
    model class (its fields are the parameters, its docstring the description).

    :raises TypeError: a parameter without a type hint, `*args`/`**kwargs`, or something else than a
     function or a model class.
    :raises ImportError: Pydantic is not installed.
    """
    if isinstance(source, FunctionTool):
        return source
    if _is_model_class(source):
        return _from_model(source, name, description)
    if not callable(source) or isinstance(source, type):
        raise TypeError(f"a tool must be a function or a Pydantic model class, not {type(source).__name__}")
    return _from_function(source, name, description)


# ---------------------------------------------------------------------------------------------------- calls


def default_error_text(error: BaseException, name: str) -> str:
    """The tool message for a failed call: the error's own text for an unknown tool or invalid arguments (the
    model can correct itself), the exception's type and text for a tool that raised."""
    if isinstance(error, ToolCallError):
        return f"Error: {error}"
    return f"Error: the tool {name} raised {type(error).__name__}: {error}"


class PreparedCall:
    """One tool call, checked: the tool and its keyword arguments, or the error that stops it running."""

    def __init__(
        self, call_id: str, name: str, tool: Optional[FunctionTool], arguments: Any, error: Optional[BaseException]
    ) -> None:
        self.call_id = call_id
        self.name = name
        self.tool = tool
        self.arguments = arguments
        self.error = error


def prepare_call(tools: Mapping[str, FunctionTool], call: Any) -> PreparedCall:
    """Check a tool call (a `ChatCompletionsToolCall` or its dict) against the tools by name."""
    mapping = as_mapping(call) or {}
    function = as_mapping(mapping.get("function")) or {}
    given_id, given_name = mapping.get("id"), function.get("name")
    call_id = given_id if isinstance(given_id, str) else ""
    name = given_name if isinstance(given_name, str) else ""
    tool = tools.get(name)
    if tool is None:
        known = ", ".join(sorted(tools)) or "none"
        return PreparedCall(call_id, name, None, None, UnknownToolError(f"no tool named {name!r}; the tools: {known}"))
    arguments = function.get("arguments")
    try:
        parsed = tool.parse_arguments(arguments if isinstance(arguments, str) else "")
    except ToolArgumentsError as exc:
        return PreparedCall(call_id, name, tool, None, exc)
    return PreparedCall(call_id, name, tool, parsed, None)


def result_text(value: Any) -> str:
    """A tool's return value as the content of its tool message: a str as it is, anything else as JSON
    (Pydantic models, dataclasses and the like included), or its `str()` when it has no JSON form."""
    if isinstance(value, str):
        return value
    pydantic_module()  # pydantic_core comes with it
    import pydantic_core  # pylint: disable=import-outside-toplevel

    try:
        return pydantic_core.to_json(value).decode()
    except Exception:  # pylint: disable=broad-except  # a value with no JSON form: its text
        return str(value)


def run_call(prepared: PreparedCall, on_error: ErrorText = default_error_text) -> str:
    """Run a prepared call (sync tools only) and return its tool message's content; never raises for the
    tool's own failures (`on_error` writes their text)."""
    if prepared.error is not None or prepared.tool is None:
        return on_error(prepared.error or UnknownToolError(prepared.name), prepared.name)
    if prepared.tool.func is None:
        return result_text(prepared.arguments)
    if prepared.tool.is_async:
        raise TypeError(f"the tool {prepared.name} is async: run it with the async client (azure.ai.inference.aio)")
    try:
        return result_text(prepared.tool.call(prepared.arguments))
    except Exception as exc:  # pylint: disable=broad-except  # the tool's failure becomes its message
        return on_error(exc, prepared.name)


async def arun_call(prepared: PreparedCall, on_error: ErrorText = default_error_text) -> str:
    """`run_call` for the async clients: async tools are awaited, sync ones called in place."""
    if prepared.error is not None or prepared.tool is None or prepared.tool.func is None:
        return run_call(prepared, on_error)
    try:
        result = prepared.tool.call(prepared.arguments)
        if inspect.isawaitable(result):
            result = await result
        return result_text(result)
    except Exception as exc:  # pylint: disable=broad-except  # the tool's failure becomes its message
        return on_error(exc, prepared.name)
