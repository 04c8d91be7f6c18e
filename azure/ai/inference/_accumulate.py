# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""Stitching streamed updates into one complete ChatCompletions, without a second request.

Strategy: a stream hands each update it delivers to an `Accumulator`, which keeps only the merged state
(a text update costs one list append). Pure code over dicts, shared by sync and async.

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

import copy
from typing import Any, Iterable, cast

from ._json import as_dict, dicts
from .models import _models  # pyright: ignore[reportPrivateUsage]

__all__: list[str] = []

_DELTA_KEYS = ("role", "content", "tool_calls")


def _merge_tool_call(calls: list[dict[str, Any]], piece: dict[str, Any]) -> None:
    index = piece.get("index")
    call_id = piece.get("id")
    call: dict[str, Any]
    if isinstance(index, int):
        while len(calls) <= index:
            calls.append(dict[str, Any]())
        call = calls[index]
    elif calls and (not call_id or call_id == calls[-1].get("id")):
        call = calls[-1]
    else:
        call = {}
        calls.append(call)
    if call_id and not call.get("id"):
        call["id"] = call_id
    if piece.get("type") and not call.get("type"):
        call["type"] = piece["type"]
    function = as_dict(piece.get("function"))
    if function is not None:
        target = call.setdefault("function", {})
        name = function.get("name")
        if name and not target.get("name"):
            target["name"] = name
        arguments = function.get("arguments")
        if isinstance(arguments, str):
            target["arguments"] = target.get("arguments", "") + arguments


class _Choice:
    def __init__(self, index: int) -> None:
        self.index = index
        self.role: Any = None
        self.content: list[str] = []
        self.finish_reason: Any = None
        self.tool_calls: list[dict[str, Any]] = []
        self.extras: dict[str, Any] = {}
        self.other: dict[str, Any] = {}

    def add(self, choice: dict[str, Any]) -> None:
        wire: Any = choice.get("delta")
        if type(wire) is dict and len(choice) <= 3 and choice.get("finish_reason") is None:
            pieces = cast("dict[str, Any]", wire)
            content: Any = pieces.get("content")
            if len(pieces) == 1 and type(content) is str:  # the common update: one more piece of text
                self.content.append(content)
                return
        delta = as_dict(choice.get("delta"))
        if delta is not None:
            if self.role is None and delta.get("role"):
                self.role = delta["role"]
            content = delta.get("content")
            if isinstance(content, str):
                self.content.append(content)
            for piece in dicts(delta.get("tool_calls")):
                _merge_tool_call(self.tool_calls, piece)
            for key, value in delta.items():
                if key in _DELTA_KEYS or value is None:
                    continue
                previous = self.extras.get(key)
                if isinstance(value, str) and isinstance(previous, str):
                    self.extras[key] = previous + value
                else:
                    self.extras[key] = value
        if choice.get("finish_reason") is not None:
            self.finish_reason = choice["finish_reason"]
        for key, value in choice.items():
            if key not in ("index", "delta", "finish_reason"):
                self.other[key] = value

    def message(self) -> dict[str, Any]:
        content = "".join(self.content)
        calls = [call for call in self.tool_calls if call]
        for call in calls:
            call.setdefault("type", "function")
            call.setdefault("function", {}).setdefault("arguments", "")
        message: dict[str, Any] = {**self.extras, "role": self.role or "assistant"}
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

    def result(self, extra: Iterable[dict[str, Any]] = ()) -> _models.ChatCompletions:
        """The merged answer; `extra` updates are merged into a copy, leaving this accumulator as it is."""
        extra = list(extra)
        if extra:
            clone = copy.deepcopy(self)
            for payload in extra:
                clone.add(payload)
            return clone.result()
        top = dict(self._top)
        top["object"] = "chat.completion"
        top["choices"] = [self._choices[i].message() for i in sorted(self._choices)]
        return _models.ChatCompletions(top)


def accumulate(payloads: Iterable[dict[str, Any]]) -> _models.ChatCompletions:
    """One ChatCompletions from the decoded JSON of streamed updates, in the order they arrived."""
    accumulator = Accumulator()
    for payload in payloads:
        accumulator.add(payload)
    return accumulator.result()
