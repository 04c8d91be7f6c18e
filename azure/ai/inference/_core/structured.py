# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""Typed structured output, sans-IO: a Python type (a Pydantic model class, a dataclass or a TypedDict) in, the
strict JSON schema and the `json_schema` response format out; a final message's content in, an instance of the
type (or a `StructuredOutputError` saying why not) out.

Strategy: Pydantic's `TypeAdapter` writes the JSON schema and validates the answer; this module only reshapes
its schema into the subset the services' strict mode accepts (every object closed with `additionalProperties:
false` and every property required, optional fields nullable through `anyOf` with `null`, `$defs`/`$ref` kept,
recursion through `$ref`, no `default` or `title`) and refuses what strict mode cannot express (free-form
mappings, tuples, `Any`) with a TypeError naming the place. Pydantic is imported on first use only: without it,
the error names the extra that brings it. This module knows messages as mappings, never clients or transports.
"""

from __future__ import annotations

import copy
import functools
import re
import sys
from collections.abc import Mapping
from typing import Any, Optional, cast

__all__ = [
    "StructuredOutputError",
    "ContentParseError",
    "RefusalError",
    "LengthFinishReasonError",
    "ContentFilterFinishReasonError",
    "is_structured_type",
    "strict_json_schema",
    "response_format_for",
    "parse_content",
    "parse_message",
]

EXTRA_HINT = 'pip install "azure-ai-inference[structured]"'
# Compiled on first use (through `re`'s cache), not when the package is imported.
_NAME_RE = r"[^A-Za-z0-9_-]"
# Keywords dropped from every schema: strict mode requires every property, so a default cannot apply, and
# titles only repeat the names.
_DROPPED = ("default", "title")
# Keywords with no strict-mode equivalent: the reason each is refused.
_REFUSED = {
    "prefixItems": "a tuple (fixed positions) cannot be expressed in strict mode; use a list or a model",
    "patternProperties": "free-form keys cannot be expressed in strict mode; use a model with named fields",
    "not": "'not' schemas are not supported in strict mode",
    "if": "conditional schemas are not supported in strict mode",
}


# ---------------------------------------------------------------------------------------------------- errors


class StructuredOutputError(ValueError):
    """The answer could not be read into the requested type. `reason` says why: ``"invalid"`` (the content
    does not validate), ``"refusal"`` (the model refused), ``"length"`` (the answer was cut at the token
    limit) or ``"content_filter"`` (a content filter stopped it). `content` is the raw text (None if absent);
    `completion` is the whole result when a client raised it."""

    reason = "invalid"

    def __init__(self, message: str, *, content: Optional[str] = None) -> None:
        super().__init__(message)
        self.content = content
        self.completion: Any = None


class ContentParseError(StructuredOutputError):
    """The content is not JSON that validates against the type: `errors` lists Pydantic's validation errors
    (each a dict with `loc`, `msg` and `type`)."""

    reason = "invalid"

    def __init__(self, message: str, *, content: Optional[str], errors: list[dict[str, Any]]) -> None:
        super().__init__(message, content=content)
        self.errors = errors


class RefusalError(StructuredOutputError):
    """The model refused to answer; `refusal` holds its explanation."""

    reason = "refusal"

    def __init__(self, refusal: str, *, content: Optional[str] = None) -> None:
        super().__init__(f"the model refused to answer: {refusal}", content=content)
        self.refusal = refusal


class LengthFinishReasonError(StructuredOutputError):
    """The answer stopped at the token limit (`finish_reason` "length"), so its JSON is incomplete: raise
    `max_tokens`/`max_completion_tokens`, or ask for less."""

    reason = "length"


class ContentFilterFinishReasonError(StructuredOutputError):
    """A content filter stopped the answer (`finish_reason` "content_filter")."""

    reason = "content_filter"


# --------------------------------------------------------------------------------------------------- pydantic


def pydantic_module() -> Any:
    """The `pydantic` module, or an ImportError naming the extra that brings it."""
    try:
        import pydantic  # pylint: disable=import-outside-toplevel
    except ImportError as exc:
        raise ImportError(
            f"typed structured output and Python functions as tools need Pydantic 2: {EXTRA_HINT}"
        ) from exc
    return pydantic


def is_structured_type(value: object) -> bool:
    """True for a Pydantic model class, a dataclass type or a TypedDict type; never imports Pydantic (a
    Pydantic model can only exist once Pydantic was imported)."""
    if not isinstance(value, type):
        return False
    pydantic = sys.modules.get("pydantic")
    if pydantic is not None and issubclass(value, pydantic.BaseModel):
        return True
    return _is_typed_dict(value) or hasattr(value, "__dataclass_fields__")  # `dataclasses.is_dataclass`'s test


def _is_typed_dict(tp: type) -> bool:
    """A TypedDict (typing's or typing_extensions'): a dict subclass with the keys it requires."""
    return hasattr(tp, "__required_keys__") and hasattr(tp, "__total__") and issubclass(tp, dict)


def type_adapter(tp: type) -> Any:
    """Pydantic's TypeAdapter for a structured type (one per type, kept).

    :raises TypeError: not a Pydantic model class, a dataclass or a TypedDict, or one Pydantic cannot describe.
    """
    if not is_structured_type(tp):
        raise TypeError(
            f"{getattr(tp, '__name__', tp)!r} is not a Pydantic model class, a dataclass or a TypedDict"
        )
    return _adapter(tp)


@functools.lru_cache(maxsize=256)
def _adapter(tp: type) -> Any:
    pydantic = pydantic_module()
    try:
        return pydantic.TypeAdapter(tp)
    except (pydantic.PydanticUserError, pydantic.PydanticSchemaGenerationError) as exc:
        # Such as a typing.TypedDict before Python 3.12, or a field of a type Pydantic cannot describe.
        raise TypeError(f"{getattr(tp, '__name__', tp)!r} cannot be described by Pydantic: {exc}") from exc


# ------------------------------------------------------------------------------------------------ the schema


class _Strict:
    """One walk over a Pydantic JSON schema, rewriting it in place into strict mode's subset."""

    def __init__(self, root: dict[str, Any], owner: str) -> None:
        self.defs: dict[str, Any] = root.get("$defs", {})
        self.owner = owner
        self.originals: dict[str, Any] = copy.deepcopy(self.defs)  # what references copy in: never mid-walk
        self.inlining: set[str] = set()

    def resolve(self, ref: str, where: str) -> dict[str, Any]:
        prefix = "#/$defs/"
        target: Any = self.originals.get(ref[len(prefix) :]) if ref.startswith(prefix) else None
        if not isinstance(target, dict):
            raise TypeError(f"{self.owner}: cannot resolve the reference {ref!r} at {where}")
        return cast("dict[str, Any]", target)

    def fail(self, where: str, why: str) -> TypeError:
        return TypeError(f"{self.owner}: {why} (at {where})")

    def _prepare(self, node: dict[str, Any], where: str) -> None:
        all_of = node.pop("allOf", None)
        if all_of is not None:  # Pydantic's older form of a described reference: one schema in allOf
            if len(all_of) != 1:
                raise self.fail(where, "'allOf' with several schemas is not supported in strict mode")
            merged = {**all_of[0], **node}
            node.clear()
            node.update(merged)
        for key in _DROPPED:
            node.pop(key, None)
        for key, why in _REFUSED.items():
            if key in node:
                raise self.fail(where, why)
        if "oneOf" in node:  # Pydantic's discriminated unions: the discriminator's consts keep them apart
            node["anyOf"] = node.pop("oneOf")
            node.pop("discriminator", None)
        if "const" in node:
            node["enum"] = [node.pop("const")]

    def walk(self, node: dict[str, Any], where: str) -> dict[str, Any]:
        self._prepare(node, where)
        if "$ref" in node and len(node) > 1:
            self._inline(node, where)
            return node
        for i, option in enumerate(node.get("anyOf", ())):
            self.walk(option, f"{where}|{i}")
        if not any(k in node for k in ("type", "anyOf", "$ref", "enum")):
            raise self.fail(where, "a value of any type (Any, object) cannot be expressed in strict mode")
        kinds = node.get("type")
        if kinds == "object" or (isinstance(kinds, list) and "object" in kinds):
            self._object(node, where)
        if isinstance(node.get("items"), dict):
            self.walk(node["items"], f"{where}[]")
        elif kinds == "array" or "items" in node:
            raise self.fail(where, "an array needs one item schema, not any type or fixed positions")
        return node

    def _inline(self, node: dict[str, Any], where: str) -> None:
        """Strict mode takes a `$ref` alone: the referenced schema is copied in with the keys beside it (once
        per reference on the way down, so a self-reference keeps its `$ref` and loses only the keys beside it)."""
        ref: str = node.pop("$ref")
        if ref in self.inlining:
            node.clear()
            node["$ref"] = ref
            return
        merged = {**copy.deepcopy(self.resolve(ref, where)), **node}
        node.clear()
        node.update(merged)
        self.inlining.add(ref)
        try:
            self.walk(node, where)
        finally:
            self.inlining.discard(ref)

    def _object(self, node: dict[str, Any], where: str) -> None:
        extra = node.get("additionalProperties", False)
        if extra is not False:
            raise self.fail(where, "a mapping with free-form keys cannot be expressed in strict mode; use a model")
        properties: dict[str, Any] = node.setdefault("properties", {})
        node["additionalProperties"] = False
        node["required"] = list(properties)
        for name, schema in properties.items():
            self.walk(schema, f"{where}.{name}")


def strict_json_schema(tp: type) -> dict[str, Any]:
    """The JSON schema of a Pydantic model class, dataclass or TypedDict, in the form strict mode accepts.

    :raises TypeError: the type is none of these, or holds a shape strict mode cannot express.
    :raises ImportError: Pydantic is not installed.
    """
    schema: dict[str, Any] = type_adapter(tp).json_schema()
    owner = getattr(tp, "__name__", repr(tp))
    walker = _Strict(schema, owner)
    for name, definition in walker.defs.items():
        walker.inlining = {f"#/$defs/{name}"}  # a definition refers to itself by `$ref` alone
        walker.walk(definition, f"$defs.{name}")
    walker.inlining = set()
    if "$ref" in schema:  # a recursive root is a reference into $defs: the root takes its definition's place
        ref = schema.pop("$ref")
        schema.update({**copy.deepcopy(walker.resolve(ref, "the root")), "$defs": walker.defs})
        walker.inlining = {ref}
    defs = schema.pop("$defs", None)
    walker.walk(schema, owner)
    if schema.get("type") != "object":
        raise TypeError(f"{owner}: the schema's root must be an object")
    if defs:
        schema["$defs"] = defs
    return schema


def schema_name(tp: type) -> str:
    """A schema or tool name the services accept (letters, digits, `_`, `-`; at most 64) from a type's name."""
    name = re.sub(_NAME_RE, "_", getattr(tp, "__name__", "") or "")[:64]
    return name or "response"


def response_format_for(tp: type, *, name: Optional[str] = None) -> dict[str, Any]:
    """The `response_format` body asking for JSON that follows the type: ``{"type": "json_schema",
    "json_schema": {"name", "schema", "strict": true, "description"?}}`` (the form every api-version that
    takes a schema expects, as a `JsonSchemaFormat` is sent)."""
    schema = strict_json_schema(tp)
    spec: dict[str, Any] = {"name": name or schema_name(tp), "schema": schema, "strict": True}
    if isinstance(schema.get("description"), str):
        spec["description"] = schema["description"]
    return {"type": "json_schema", "json_schema": spec}


# ---------------------------------------------------------------------------------------------------- parsing


def parse_content(tp: type, content: Optional[str]) -> Any:
    """The content, JSON text, validated into the type: an instance (a validated dict for a TypedDict).

    :raises ContentParseError: the content is absent, not JSON, or does not validate; `.errors` says where.
    """
    if not isinstance(content, str):
        raise ContentParseError("the answer has no content to parse", content=None, errors=[])
    pydantic = pydantic_module()
    try:
        return type_adapter(tp).validate_json(content)
    except pydantic.ValidationError as exc:
        errors: list[dict[str, Any]] = [
            {"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in exc.errors(include_url=False)
        ]
        raise ContentParseError(
            f"the answer does not validate as {getattr(tp, '__name__', tp)}: {len(errors)} error(s), "
            f"first: {_first_error(errors)}",
            content=content,
            errors=errors,
        ) from None


def _first_error(errors: list[dict[str, Any]]) -> str:
    if not errors:
        return "none"
    loc = ".".join(str(part) for part in errors[0]["loc"]) or "(root)"
    return f"{loc}: {errors[0]['msg']}"


def parse_message(tp: type, message: Mapping[str, Any], finish_reason: Optional[str]) -> Any:
    """A final choice's message read into the type. A refusal, a `finish_reason` of "length" or
    "content_filter" raise their own error (not a parse error); a message with tool calls and no content
    parses to None (the model asked for a tool first).

    :raises StructuredOutputError: one of its subclasses, saying why.
    """
    content = message.get("content")
    text = content if isinstance(content, str) else None
    refusal = message.get("refusal")
    if isinstance(refusal, str) and refusal:
        raise RefusalError(refusal, content=text)
    if finish_reason == "length":
        raise LengthFinishReasonError(
            "the answer stopped at the token limit (finish_reason 'length'), so its JSON is incomplete",
            content=text,
        )
    if finish_reason == "content_filter":
        raise ContentFilterFinishReasonError(
            "a content filter stopped the answer (finish_reason 'content_filter')", content=text
        )
    if text is None and message.get("tool_calls"):
        return None
    return parse_content(tp, text)
