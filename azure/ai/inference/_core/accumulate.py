# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""Stitching streamed updates into one complete ChatCompletions, without a second request.

Strategy: a stream hands each update it delivers to an `Accumulator`, which keeps only the merged state
(a text update costs one list append). Pure code over dicts, shared by sync and async.

Every merge costs time linear in what it adds: pieces of text (content, string extras, tool-call `arguments`) are
kept as lists and joined only when a result is built, and tool calls are kept by index in a dict, so a piece with
index 1000000000 costs one entry, not a list of that length.

Merge rules, per choice `index`:
- `content` and any other string field of the delta outside the spec (`reasoning_content`, ...) are
  concatenated; other extra fields keep their last value; `role` is the first one seen; `finish_reason`
  the last one that is not null.
- tool calls are stitched by their `index`. A server that omits `index` (the spec does not require it)
  starts a new call whenever a piece brings an `id` different from the last call's, and continues the
  last call otherwise. Only `arguments` are concatenated: an `id`, `type` or function `name` repeated in
  every piece (llama.cpp's server does this) is kept once, never concatenated.
- `usage`, `id`, `model`, `created` and other top-level fields come from the updates that carry them.
"""

from __future__ import annotations

from typing import Any, Iterable, Optional

from .json import as_dict, dicts
from ..models._patch import ChatCompletions, wrap_json

__all__: list[str] = []

_DELTA_KEYS = ("role", "content", "tool_calls")


class _Call:
    """One tool call being stitched: `arguments` kept as pieces."""

    __slots__ = ("id", "type", "name", "arguments", "has_function")

    def __init__(self) -> None:
        self.id: Any = None
        self.type: Any = None
        self.name: Any = None
        self.arguments: list[str] = []
        self.has_function = False

    def add(self, piece: dict[str, Any]) -> None:
        call_id = piece.get("id")
        if call_id and not self.id:
            self.id = call_id
        if piece.get("type") and not self.type:
            self.type = piece["type"]
        function = as_dict(piece.get("function"))
        if function is not None:
            self.has_function = True
            name = function.get("name")
            if name and not self.name:
                self.name = name
            arguments = function.get("arguments")
            if isinstance(arguments, str):
                self.arguments.append(arguments)

    def copy(self) -> "_Call":
        other = _Call()
        other.id, other.type, other.name, other.has_function = self.id, self.type, self.name, self.has_function
        other.arguments = list(self.arguments)
        return other

    def wire(self) -> Optional[dict[str, Any]]:
        """The call as the wire would have sent it whole; None for a call that received nothing."""
        if not (self.id or self.type or self.has_function):
            return None
        call: dict[str, Any] = {}
        if self.id:
            call["id"] = self.id
        call["type"] = self.type or "function"
        function: dict[str, Any] = {}
        if self.name:
            function["name"] = self.name
        function["arguments"] = "".join(self.arguments)
        call["function"] = function
        return call


class _ToolCalls:
    """Tool calls by index (a dict, so any index costs one entry); a piece without an index continues the
    call with the highest index, or starts the next one when it brings a different id."""

    __slots__ = ("calls", "last")

    def __init__(self) -> None:
        self.calls: dict[int, _Call] = {}
        self.last = -1  # the highest index in use

    def add(self, piece: dict[str, Any]) -> None:
        index = piece.get("index")
        if type(index) is not int or index < 0:  # the stream decoder refuses negative ones before they get here
            call_id = piece.get("id")
            last = self.calls.get(self.last)
            if last is not None and (not call_id or call_id == last.id):
                last.add(piece)
                return
            index = self.last + 1
        call = self.calls.get(index)
        if call is None:
            call = self.calls[index] = _Call()
            self.last = max(self.last, index)
        call.add(piece)

    def copy(self) -> "_ToolCalls":
        other = _ToolCalls()
        other.calls = {index: call.copy() for index, call in self.calls.items()}
        other.last = self.last
        return other

    def wire(self) -> list[dict[str, Any]]:
        calls = (self.calls[index].wire() for index in sorted(self.calls))
        return [call for call in calls if call is not None]


class _Choice:
    def __init__(self, index: int) -> None:
        self.index = index
        self.role: Any = None
        self.content: list[str] = []
        self.finish_reason: Any = None
        self.tool_calls = _ToolCalls()
        self.extras: dict[str, Any] = {}  # extra delta fields; a str one is a list of its pieces in `texts`
        self.texts: dict[str, list[str]] = {}
        self.other: dict[str, Any] = {}

    def copy(self) -> "_Choice":
        other = _Choice(self.index)
        other.role, other.finish_reason = self.role, self.finish_reason
        other.content = list(self.content)
        other.tool_calls = self.tool_calls.copy()
        other.extras = dict(self.extras)
        other.texts = {key: list(pieces) for key, pieces in self.texts.items()}
        other.other = dict(self.other)
        return other

    def add(self, choice: dict[str, Any]) -> None:
        pieces: Any = choice.get("delta")
        # Class identity, not `type(...) is`, so that the strict type checker keeps these values `Any` (a `cast`
        # would be a call on every update).
        if pieces.__class__ is dict and len(pieces) == 1 and choice.get("finish_reason") is None:
            content: Any = pieces.get("content")
            size = len(choice)
            # The common update: one more piece of text, and nothing else that is new (a `logprobs: null` that
            # an earlier update of this choice already recorded changes nothing).
            if type(content) is str and (
                size <= 3 or (size == 4 and choice.get("logprobs", 0) is None and "logprobs" in self.other)
            ):
                self.content.append(content)
                return
        self._merge(choice)

    def _merge(self, choice: dict[str, Any]) -> None:
        """Any other update: a delta of any shape, a finish reason, fields outside the spec."""
        delta = as_dict(choice.get("delta"))
        if delta is not None:
            self._merge_delta(delta)
        if choice.get("finish_reason") is not None:
            self.finish_reason = choice["finish_reason"]
        for key, value in choice.items():
            if key not in ("index", "delta", "finish_reason"):
                self.other[key] = value

    def _merge_delta(self, delta: dict[str, Any]) -> None:
        if self.role is None and delta.get("role"):
            self.role = delta["role"]
        content = delta.get("content")
        if isinstance(content, str):
            self.content.append(content)
        for piece in dicts(delta.get("tool_calls")):
            self.tool_calls.add(piece)
        for key, value in delta.items():
            if key in _DELTA_KEYS or value is None:
                continue
            self._extra(key, value)

    def _extra(self, key: str, value: Any) -> None:
        """A string continues the string before it; any other value replaces what was there."""
        if isinstance(value, str):
            pieces = self.texts.get(key)
            if pieces is not None:
                pieces.append(value)
                return
            self.texts[key] = [value]
            self.extras[key] = None  # keeps the field's place; the joined text replaces it
        else:
            self.texts.pop(key, None)
            self.extras[key] = value

    def message(self) -> dict[str, Any]:
        content = "".join(self.content)
        calls = self.tool_calls.wire()
        extras = {key: ("".join(self.texts[key]) if key in self.texts else value) for key, value in self.extras.items()}
        message: dict[str, Any] = {**extras, "role": self.role or "assistant"}
        message["content"] = content if content or not calls else None
        if calls:
            message["tool_calls"] = calls
        return {**self.other, "index": self.index, "finish_reason": self.finish_reason, "message": message}


class Accumulator:
    """Merges streamed updates as they are delivered; `result()` gives the whole answer so far at any time.

    Only the merged state is kept (pieces of text, tool calls, the latest top-level fields), not the updates.
    """

    def __init__(self) -> None:
        self._top: dict[str, Any] = {}
        self._choices: dict[int, _Choice] = {}

    def add(self, payload: dict[str, Any]) -> None:
        top = self._top
        for key, value in payload.items():
            if key == "choices":
                for choice in dicts(value):
                    index: Any = choice.get("index", 0)
                    if type(index) is not int:
                        index = 0
                    state = self._choices.get(index)
                    if state is None:
                        state = self._choices[index] = _Choice(index)
                    state.add(choice)
            elif (value is not None and value != "") or key not in top:
                top[key] = value

    def copy(self) -> "Accumulator":
        """An independent copy of the merged state (no deep copy of the values the server sent)."""
        other = Accumulator()
        other._top = dict(self._top)
        other._choices = {index: choice.copy() for index, choice in self._choices.items()}
        return other

    def result(self, extra: Iterable[dict[str, Any]] = ()) -> ChatCompletions:
        """The merged answer; `extra` updates are merged into a copy, leaving this accumulator as it is."""
        extra = list(extra)
        if extra:
            clone = self.copy()
            for payload in extra:
                clone.add(payload)
            return clone.result()
        top = dict(self._top)
        top["object"] = "chat.completion"
        top["choices"] = [self._choices[i].message() for i in sorted(self._choices)]
        return wrap_json(ChatCompletions, top)
