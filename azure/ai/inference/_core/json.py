# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""Typed views of decoded JSON and of caller-supplied containers, for code that must check shapes.

`json.loads` and user arguments are `Any`; these helpers check a shape once and hand back a typed value
(or None), so the rest of the code reads as typed code.
"""

from __future__ import annotations

import json
import json.scanner
from collections.abc import Mapping, Sequence
from typing import Any, Optional, cast

__all__: list[str] = []


_DECODE = json.JSONDecoder().decode
# The C scanner behind json.loads, without its wrappers (typeshed types its argument as a scanner, not a decoder).
_SCAN: Any = json.scanner.make_scanner(json.JSONDecoder())  # type: ignore[arg-type]


def loads(text: "str | bytes | bytearray") -> Any:
    """`json.loads`, except that JSON nested too deeply for the parser raises ValueError like any other
    malformed document, instead of RecursionError: a server's answer must not escape as a Python error."""
    try:
        if type(text) is str:  # the streamed events: straight to the decoder, as json.loads would go
            return _DECODE(text)
        return json.loads(text)
    except RecursionError:
        raise ValueError("the JSON document is nested too deeply to decode") from None


def as_mapping(value: object) -> Optional[Mapping[str, Any]]:
    """The value as a mapping (a dict or a model), or None."""
    if type(value) is dict or isinstance(value, Mapping):  # a dict without asking the ABC
        return cast("Mapping[str, Any]", value)
    return None


def as_dict(value: object) -> Optional[dict[str, Any]]:
    """The value as a JSON object (dict), or None."""
    return cast("dict[str, Any]", value) if isinstance(value, dict) else None


def as_sequence(value: object) -> Optional[Sequence[Any]]:
    """The value as a list-like sequence (not a str or bytes), or None."""
    if type(value) is list:  # without asking the ABC
        return cast("Sequence[Any]", value)  # type: ignore[redundant-cast, unused-ignore]
    if isinstance(value, (str, bytes, bytearray)) or not isinstance(value, Sequence):
        return None
    return cast("Sequence[Any]", value)  # type: ignore[redundant-cast, unused-ignore]


def dicts(value: object) -> list[dict[str, Any]]:
    """The JSON objects in a JSON array; an empty list when the value is not an array."""
    if type(value) is not list:
        return []
    items: list[Any] = value  # type: ignore[assignment, unused-ignore]  # pyright: ignore[reportUnknownVariableType]
    if len(items) == 1 and type(items[0]) is dict:  # the common case, a single choice or item
        return items
    return [item for item in items if type(item) is dict]


def loads_object(text: str) -> Any:
    """`loads` for text that is most likely one JSON object with nothing around it (a streamed event's data):
    the C scanner reads it in one call; anything else (whitespace around it, extra data, an error) goes through
    `loads`, which decides exactly as `json.loads` does."""
    try:
        value, end = _SCAN(text, 0)
    except (StopIteration, ValueError):
        return loads(text)
    except RecursionError:
        raise ValueError("the JSON document is nested too deeply to decode") from None
    if end != len(text):
        return loads(text)
    return value
