# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""A small renderer for the mustache subset that prompt templates use.

Supported: variables `{{name}}`, dotted names `{{a.b}}` and `{{.}}` (the current item), `{{{name}}}` and
`{{& name}}` (the same: nothing is HTML-escaped, since prompts are not HTML), sections `{{#name}}...{{/name}}`
(repeated for each item of a list, rendered once for any other true value, with that value as the innermost
context), inverted sections `{{^name}}...{{/name}}` and comments `{{! ...}}`. A section, inverted section, closing
or comment tag alone on its line takes its whole line with it, so block tags leave no blank lines. A missing name
renders as nothing. Partials (`{{> name}}`) and delimiter changes (`{{=<% %>=}}`) are refused with ValueError.

Strategy: `_tokens` splits the template into text and tags (handling standalone lines), `_parse` nests the
sections into a tree, `_render` walks the tree over a stack of contexts. Pure functions; no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple, Union, cast

__all__ = ["render"]

_TAG = re.compile(r"\{\{(\{)?\s*([#^/!&>=]?)\s*(.*?)\s*(\})?\}\}", re.S)
_BLOCK_KINDS = "#^/!"


class _Tag(NamedTuple):
    kind: str  # "" (variable), "#", "^", "/", "!"
    name: str
    position: int


class _Section(NamedTuple):
    inverted: bool
    name: str
    body: list["_Node"]


_Node = Union[str, _Tag, _Section]


def _line_bounds(template: str, start: int, end: int) -> tuple[int, int]:
    """The start of the line holding `start` and the end of the line holding `end` (after its line end)."""
    line_start = template.rfind("\n", 0, start) + 1
    newline = template.find("\n", end)
    line_end = len(template) if newline < 0 else newline + 1
    return line_start, line_end


def _tokens(template: str) -> list[Union[str, _Tag]]:
    tokens: list[Union[str, _Tag]] = []
    cursor = 0
    for match in _TAG.finditer(template):
        triple, kind, name, closing = match.group(1), match.group(2), match.group(3), match.group(4)
        if triple and not closing:
            raise ValueError(f"unclosed triple mustache at offset {match.start()}")
        if kind in (">", "="):
            raise ValueError(f"mustache partials and delimiter changes are not supported: {match.group(0)!r}")
        start, end = match.start(), match.end()
        if kind == "&":
            kind = ""
        if kind and kind in _BLOCK_KINDS:
            line_start, line_end = _line_bounds(template, start, end)
            before = template[max(line_start, cursor) : start]
            after = template[end:line_end]
            if line_start >= cursor and not before.strip() and not after.strip():
                start, end = line_start, line_end  # a standalone tag: drop its whole line
        if start > cursor:
            tokens.append(template[cursor:start])
        tokens.append(_Tag(kind, name, match.start()))
        cursor = end
    if cursor < len(template):
        tokens.append(template[cursor:])
    return tokens


def _parse(tokens: list[Union[str, _Tag]]) -> list[_Node]:
    root: list[_Node] = []
    stack: list[tuple[_Tag, list[_Node]]] = []
    current = root
    for token in tokens:
        if isinstance(token, str):
            current.append(token)
        elif token.kind in ("#", "^"):
            stack.append((token, current))
            current = []
        elif token.kind == "/":
            if not stack or stack[-1][0].name != token.name:
                raise ValueError(f"unexpected closing tag {{{{/{token.name}}}}} at offset {token.position}")
            opening, parent = stack.pop()
            parent.append(_Section(opening.kind == "^", opening.name, current))
            current = parent
        elif token.kind != "!":
            current.append(token)
    if stack:
        raise ValueError(f"section {{{{#{stack[-1][0].name}}}}} is never closed")
    return root


_MISSING = object()


def _lookup(contexts: list[Any], name: str) -> Any:
    if name == ".":
        return contexts[-1]
    first, *rest = name.split(".")
    value: Any = _MISSING
    for context in reversed(contexts):
        if isinstance(context, Mapping) and first in context:
            value = cast(Mapping[str, Any], context)[first]
            break
    for part in rest:
        if isinstance(value, Mapping) and part in value:
            value = cast(Mapping[str, Any], value)[part]
        else:
            return _MISSING
    return value


def _text(value: Any) -> str:
    if value is _MISSING or value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    return str(value)


def _render(nodes: list[_Node], contexts: list[Any], out: list[str]) -> None:
    for node in nodes:
        if isinstance(node, str):
            out.append(node)
        elif isinstance(node, _Tag):
            out.append(_text(_lookup(contexts, node.name)))
        else:
            value = _lookup(contexts, node.name)
            items: Sequence[Any] = ()
            if isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
                items = cast(Sequence[Any], value)  # type: ignore[redundant-cast, unused-ignore]
            elif value is not _MISSING and value:
                items = (value,)
            if node.inverted:
                if not items:
                    _render(node.body, contexts, out)
                continue
            for item in items:
                _render(node.body, [*contexts, item], out)


def render(template: str, data: Mapping[str, Any]) -> str:
    """Render a mustache template over `data`.

    :raises ValueError: for unbalanced sections, partials or delimiter changes.
    """
    out: list[str] = []
    _render(_parse(_tokens(template)), [data], out)
    return "".join(out)
