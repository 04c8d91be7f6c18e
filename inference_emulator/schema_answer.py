# A JSON value that validates against a JSON schema, derived from the schema alone (deterministic): the emulator's
# answer to a `json_schema` response format and the arguments of its tool calls.
#
# Rule: an object holds its `required` properties (every declared one for tool arguments), strings are the given
# text (or a fixed value of their `format`, cut or padded to `maxLength`/`minLength`), numbers and integers 0 moved
# into their bounds, booleans true, `const` its value, `enum` its first value, arrays one item (or `minItems`),
# `anyOf`/`oneOf`/type lists their first non-null choice, `allOf` its parts merged, `$ref` (`#`, `#/$defs/...`,
# `#/definitions/...`) resolved. Past MAX_REF_DEPTH references on one path, a nullable choice is null and an array
# is as short as it may be, so that a recursive schema ends; past MAX_SCHEMA_VALUES values or MAX_SCHEMA_NESTING
# levels the request is refused with a 400 naming the bound.
from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from .limits import too_much

__all__ = ["schema_answer", "tool_arguments", "MAX_SCHEMA_VALUES", "MAX_SCHEMA_NESTING", "MAX_REF_DEPTH"]

MAX_SCHEMA_VALUES = 10_000
MAX_SCHEMA_NESTING = 64
MAX_REF_DEPTH = 3

_FORMATS = {
    "date-time": "2024-01-01T00:00:00Z",
    "date": "2024-01-01",
    "time": "00:00:00Z",
    "duration": "P1D",
    "email": "user@example.com",
    "hostname": "example.com",
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
    "uri": "https://example.com/",
    "uuid": "00000000-0000-4000-8000-000000000000",
}


def _is_null(schema: Any) -> bool:
    return isinstance(schema, dict) and schema.get("type") == "null"


class _Answer:
    def __init__(self, root: Mapping[str, Any], text: str, every_property: bool, target: str) -> None:
        self.root = root
        self.text = text
        self.every_property = every_property
        self.target = target
        self.count = 0

    def resolve(self, ref: Any) -> Any:
        if ref == "#":
            return self.root
        for prefix in ("#/$defs/", "#/definitions/"):
            if isinstance(ref, str) and ref.startswith(prefix):
                table = self.root.get(prefix[2:-1])
                return table.get(ref[len(prefix) :]) if isinstance(table, dict) else None
        return None

    def value(self, schema: Any, refs: tuple[str, ...], level: int) -> Any:
        self.count += 1
        if self.count > MAX_SCHEMA_VALUES or level > MAX_SCHEMA_NESTING:
            bound = f"{MAX_SCHEMA_VALUES} values" if self.count > MAX_SCHEMA_VALUES else f"{MAX_SCHEMA_NESTING} levels"
            raise too_much(f"an answer following this schema would hold more than {bound}", self.target)
        if not isinstance(schema, dict):
            return None
        if "$ref" in schema:
            ref = schema["$ref"]
            if not isinstance(ref, str) or refs.count(ref) > MAX_REF_DEPTH:
                return None
            return self.value(self.resolve(ref), refs + (ref,), level + 1)
        return self.combined(schema, refs, level)

    def combined(self, schema: Mapping[str, Any], refs: tuple[str, ...], level: int) -> Any:
        """A value of a schema that is not a reference: `const`, `enum`, a choice, parts merged, or a type's."""
        if "const" in schema:
            return schema["const"]
        if isinstance(schema.get("enum"), list) and schema["enum"]:
            return schema["enum"][0]
        for key in ("anyOf", "oneOf"):
            options = schema.get(key)
            if isinstance(options, list) and options:
                return self.value(self.choose(options, refs), refs, level + 1)
        if isinstance(schema.get("allOf"), list):
            merged: dict[str, Any] = {}
            for part in schema["allOf"]:
                part = self.resolve(part["$ref"]) if isinstance(part, dict) and "$ref" in part else part
                merged.update(part if isinstance(part, dict) else {})
            merged.update((k, v) for k, v in schema.items() if k != "allOf")
            return self.value(merged, refs, level + 1)
        return self.typed(schema, self.kind(schema, refs), refs, level)

    def deep(self, refs: tuple[str, ...]) -> bool:
        return len(refs) >= MAX_REF_DEPTH

    def choose(self, options: list[Any], refs: tuple[str, ...]) -> Any:
        nulls = [o for o in options if _is_null(o)]
        others = [o for o in options if not _is_null(o)]
        if nulls and (self.deep(refs) or not others):
            return nulls[0]
        return others[0]

    def kind(self, schema: Mapping[str, Any], refs: tuple[str, ...]) -> Any:
        kind = schema.get("type")
        if isinstance(kind, list):
            others = [k for k in kind if k != "null"]
            return "null" if not others or ("null" in kind and self.deep(refs)) else others[0]
        if kind is None:
            if "properties" in schema or "required" in schema:
                return "object"
            return "array" if "items" in schema else None
        return kind

    def typed(self, schema: Mapping[str, Any], kind: Any, refs: tuple[str, ...], level: int) -> Any:
        if kind == "object":
            return self.object(schema, refs, level)
        if kind == "array":
            return self.array(schema, refs, level)
        if kind == "string":
            return self.string(schema)
        if kind in ("number", "integer"):
            return _number(schema, kind == "integer")
        if kind == "boolean":
            return True
        return None

    def object(self, schema: Mapping[str, Any], refs: tuple[str, ...], level: int) -> dict[str, Any]:
        properties = schema.get("properties")
        properties = properties if isinstance(properties, dict) else {}
        required = schema.get("required")
        names = [n for n in required if isinstance(n, str)] if isinstance(required, list) else []
        if self.every_property:
            names += [n for n in properties if n not in names]
        return {name: self.value(properties.get(name), refs, level + 1) for name in names}

    def array(self, schema: Mapping[str, Any], refs: tuple[str, ...], level: int) -> list[Any]:
        low, high, positions = schema.get("minItems"), schema.get("maxItems"), schema.get("prefixItems")
        low = low if isinstance(low, int) else 0
        count = low if self.deep(refs) else max(1, low)
        count = min(count, high) if isinstance(high, int) else count
        positions = positions if isinstance(positions, list) else []
        items = schema.get("items", {})
        return [self.value(positions[i] if i < len(positions) else items, refs, level + 1) for i in range(count)]

    def string(self, schema: Mapping[str, Any]) -> str:
        text = _FORMATS.get(str(schema.get("format")), self.text)
        high = schema.get("maxLength")
        if isinstance(high, int) and len(text) > high:
            text = text[:high]
        low = schema.get("minLength")
        if isinstance(low, int) and len(text) < low:
            text += "x" * min(low - len(text), MAX_SCHEMA_VALUES)
        return text


def _number(schema: Mapping[str, Any], integer: bool) -> float:
    """0, moved into the schema's bounds (a whole number for an integer)."""
    value: float = 0
    step = 1 if integer else 0.5
    if isinstance(schema.get("minimum"), (int, float)):
        value = max(value, schema["minimum"])
    if isinstance(schema.get("exclusiveMinimum"), (int, float)) and value <= schema["exclusiveMinimum"]:
        value = schema["exclusiveMinimum"] + step
    if isinstance(schema.get("maximum"), (int, float)):
        value = min(value, schema["maximum"])
    if isinstance(schema.get("exclusiveMaximum"), (int, float)) and value >= schema["exclusiveMaximum"]:
        value = schema["exclusiveMaximum"] - step
    if integer:
        value = math.ceil(value) if value > 0 else math.floor(value)
    return value


def schema_answer(schema: Any, text: str, target: str = "response_format") -> Any:
    """The answer to a `json_schema` response format: a value of the schema (its `required` properties)."""
    root = schema if isinstance(schema, dict) else {}
    return _Answer(root, text, False, target).value(root, (), 0)


def tool_arguments(parameters: Any, text: str, target: str = "tools") -> dict[str, Any]:
    """A tool call's arguments: every declared parameter (strings get the user's text); `{"query": <text>}` for a
    tool whose parameters declare no properties and allow others."""
    root = parameters if isinstance(parameters, dict) else {}
    shaped = any(key in root for key in ("properties", "$ref", "anyOf", "oneOf", "allOf"))
    if not shaped and root.get("additionalProperties", True) is not False:
        return {"query": text}
    value = _Answer(root, text, True, target).value(root, (), 0)
    return value if isinstance(value, dict) else {"query": text}
