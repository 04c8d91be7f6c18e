"""A checker of the strict-mode rules, used by the structured-output tests: every object closed and with every
property required, `$ref`s alone and resolvable, no `default`, `title` or `const` keywords, no free-form values."""

from __future__ import annotations

from typing import Any

_LEAF_KINDS = {"string", "number", "integer", "boolean", "null", "object", "array"}


def strict_problems(schema: dict[str, Any]) -> list[str]:
    """Every place where the schema breaks a strict-mode rule (an empty list when it follows them all)."""
    problems: list[str] = []
    defs = schema.get("$defs", {})
    if schema.get("type") != "object":
        problems.append("root: not an object")

    def walk(node: Any, where: str) -> None:
        if not isinstance(node, dict):
            problems.append(f"{where}: not a schema object")
            return
        for key in ("default", "title", "const", "oneOf", "allOf", "prefixItems", "discriminator"):
            if key in node:
                problems.append(f"{where}: has {key!r}")
        if "$ref" in node:
            if set(node) != {"$ref"} and where != "root":
                problems.append(f"{where}: $ref with siblings {sorted(set(node) - {'$ref'})}")
            name = node["$ref"].removeprefix("#/$defs/")
            if name not in defs:
                problems.append(f"{where}: unresolved {node['$ref']}")
            return
        if not any(k in node for k in ("type", "anyOf", "enum")):
            problems.append(f"{where}: no type")
        for i, option in enumerate(node.get("anyOf", [])):
            walk(option, f"{where}|{i}")
        kinds = node.get("type")
        kinds = kinds if isinstance(kinds, list) else [kinds] if kinds else []
        for kind in kinds:
            if kind not in _LEAF_KINDS:
                problems.append(f"{where}: unknown type {kind!r}")
        if "object" in kinds:
            properties = node.get("properties", {})
            if node.get("additionalProperties") is not False:
                problems.append(f"{where}: additionalProperties is not false")
            if sorted(node.get("required", [])) != sorted(properties):
                problems.append(f"{where}: required {node.get('required')} != properties {sorted(properties)}")
            for name, child in properties.items():
                walk(child, f"{where}.{name}")
        if "array" in kinds:
            walk(node.get("items"), f"{where}[]")

    walk({k: v for k, v in schema.items() if k != "$defs"}, "root")
    for name, definition in defs.items():
        walk(definition, f"$defs.{name}")
    return problems
