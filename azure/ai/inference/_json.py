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
from collections.abc import Mapping, Sequence
from typing import Any, Optional, cast

__all__: list[str] = []


def loads(text: "str | bytes | bytearray") -> Any:
    """`json.loads`, except that JSON nested too deeply for the parser raises ValueError like any other
    malformed document, instead of RecursionError: a server's answer must not escape as a Python error."""
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError("the JSON document is nested too deeply to decode") from None


def as_mapping(value: object) -> Optional[Mapping[str, Any]]:
    """The value as a mapping (a dict or a model), or None."""
    return cast("Mapping[str, Any]", value) if isinstance(value, Mapping) else None


def as_dict(value: object) -> Optional[dict[str, Any]]:
    """The value as a JSON object (dict), or None."""
    return cast("dict[str, Any]", value) if isinstance(value, dict) else None


def as_sequence(value: object) -> Optional[Sequence[Any]]:
    """The value as a list-like sequence (not a str or bytes), or None."""
    if isinstance(value, (str, bytes, bytearray)) or not isinstance(value, Sequence):
        return None
    return cast("Sequence[Any]", value)  # type: ignore[redundant-cast, unused-ignore]


def dicts(value: object) -> list[dict[str, Any]]:
    """The JSON objects in a JSON array; an empty list when the value is not an array."""
    if type(value) is not list:
        return []
    items = cast("list[Any]", value)  # type: ignore[redundant-cast, unused-ignore]
    if len(items) == 1 and type(items[0]) is dict:  # the common case, a single choice or item
        return items
    return [item for item in items if type(item) is dict]
