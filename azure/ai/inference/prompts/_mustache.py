# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""A small renderer for the mustache subset that prompt templates use.

Supported: variables `{{name}}` (HTML-escaped: `&`, `<`, `>` and `"`, as the mustache spec and 1.0.0b9 do), dotted
names `{{a.b}}` and `{{.}}` (the current item), `{{{name}}}` and `{{& name}}` (the same, not escaped), sections
`{{#name}}...{{/name}}` (repeated for each item of a list, rendered once for any other true value, with that value
as the innermost context), inverted sections `{{^name}}...{{/name}}` and comments `{{! ...}}`. A section, inverted
section, closing or comment tag alone on its line takes its whole line with it, so block tags leave no blank
lines. A missing name renders as nothing. Partials (`{{> name}}`) and delimiter changes (`{{=<% %>=}}`) are refused
with ValueError.

Line marks: `compile(template, mark_line=...)` asks the caller about each line of the template's own text (a line
that starts outside any tag); a line it recognises becomes a `LineMark` node, which renders as a `Mark` in the
output of `render_parts`, never as text. Values put into the template are text only: they cannot make a mark.
`_template` uses this for role lines.

Bounds: a template holds at most `MAX_TEMPLATE_CHARS` characters and nests sections at most `MAX_NESTING` deep
(ValueError beyond either); one rendering makes at most `MAX_RENDERED_CHARS` characters and visits at most
`MAX_RENDER_STEPS` nodes (ValueError beyond either), so nested loops cannot run away.

Strategy: `_tokens` (a `_Scanner`) scans the template once, left to right, with `str.find` (no regular expression that can
backtrack), splitting it into text, tags and marks and handling standalone lines; `_parse` nests the sections into
a tree with an explicit stack; `_render` walks the tree over a stack of contexts. Pure functions; no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple, Optional, Union, cast

__all__ = [
    "MAX_NESTING",
    "MAX_RENDERED_CHARS",
    "MAX_RENDER_STEPS",
    "MAX_TEMPLATE_CHARS",
    "LineMark",
    "Mark",
    "Template",
    "compile_template",
    "escape",
    "render",
    "render_parts",
]

MAX_TEMPLATE_CHARS = 1024 * 1024
"""The longest template accepted, in characters."""
MAX_NESTING = 100
"""The deepest nesting of sections (and inverted sections) a template may have."""
MAX_RENDERED_CHARS = 32 * 1024 * 1024
"""The most characters one rendering may produce."""
MAX_RENDER_STEPS = 1_000_000
"""The most template nodes one rendering may visit (each item of a section counts its body again)."""

_BLOCK_KINDS = "#^/!"
_TAG_KINDS = "#^/!&>="
_WHITESPACE = re.compile(r"[ \t\r\f\v]*")  # one quantifier, nothing after it: a match is linear in its length


def escape(text: str) -> str:
    """HTML-escape `&`, `<`, `>` and `"` (the set 1.0.0b9 and the mustache spec's reference use)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


class LineMark(NamedTuple):
    """A template line the caller recognised: it renders as a `Mark`, never as text.

    Either `value` (fixed) or `path` (a dotted name looked up in the data like a variable, not escaped) is set.
    """

    value: Optional[str] = None
    path: Optional[tuple[str, ...]] = None


class Mark(NamedTuple):
    """What a `LineMark` rendered to: its fixed value, or the value its name found in the data (None if none)."""

    value: Any


class _Tag(NamedTuple):
    kind: str  # "" (escaped variable), "&" (raw variable), "#", "^", "/", "!"
    name: str
    path: tuple[str, ...]
    position: int


class _Section(NamedTuple):
    inverted: bool
    path: tuple[str, ...]
    body: list["_Node"]


_Token = Union[str, _Tag, LineMark]
_Node = Union[str, _Tag, _Section, LineMark]


class Template(NamedTuple):
    """A compiled template: render it with `render_parts`."""

    nodes: list[_Node]


def _path(name: str) -> tuple[str, ...]:
    return (".",) if name == "." else tuple(name.split("."))


def _tokens(template: str, mark_line: Optional[Callable[[str], Optional[LineMark]]]) -> list[_Token]:
    return _Scanner(template, mark_line).tokens()


def _read_tag(template: str, start: int) -> tuple[str, str, int]:
    """The tag opening at `start`: its kind, its name and where it ends; ValueError for a tag refused."""
    if template.startswith("{{{", start):
        close = template.find("}}}", start + 3)
        if close < 0:
            raise ValueError(f"unclosed triple mustache at offset {start}")
        kind, name, end = "&", template[start + 3 : close].strip(), close + 3
    else:
        close = template.find("}}", start + 2)
        if close < 0:
            raise ValueError(f"unclosed tag at offset {start}")
        inner, end = template[start + 2 : close].strip(), close + 2
        kind = inner[:1] if inner[:1] and inner[:1] in _TAG_KINDS else ""
        name = inner[1:].strip() if kind else inner
    if kind in (">", "="):
        raise ValueError(f"mustache partials and delimiter changes are not supported: {template[start:end]!r}")
    if kind and kind in "#^/" and not name:
        raise ValueError(f"a section tag needs a name, at offset {start}")
    return kind, name, end


class _Scanner:
    """One left-to-right pass over a template: every character is looked at a bounded number of times (the
    positions of the next `{{` and newline are cached and only searched again once passed)."""

    def __init__(self, template: str, mark_line: Optional[Callable[[str], Optional[LineMark]]]) -> None:
        self.template = template
        self.mark_line = mark_line
        self.size = len(template)
        self.out: list[_Token] = []
        self.pos = 0  # everything before pos has been turned into tokens
        self.line_start = 0  # the start of the line holding pos
        self.tag_on_line = False  # whether a tag (kept in the output) already sits on this line before pos
        self.next_open = -1  # cached positions of the next "{{" and "\n" at or after pos (size when there is none)
        self.next_newline = -1

    def tokens(self) -> list[_Token]:
        template, size = self.template, self.size
        while self.pos < size:
            if self.next_open < self.pos:
                found = template.find("{{", self.pos)
                self.next_open = size if found < 0 else found
            if self.next_newline < self.pos:
                found = template.find("\n", self.pos)
                self.next_newline = size if found < 0 else found
            line_end = min(self.next_newline + 1, size)
            if self.pos == self.line_start and self.mark_line is not None and self._marked(self.mark_line, line_end):
                continue
            if self.next_newline < self.next_open:  # no tag on the rest of this line
                self.out.append(template[self.pos : line_end])
                self.pos = self.line_start = line_end
                self.tag_on_line = False
                continue
            if self.next_open >= size:
                self.out.append(template[self.pos :])
                break
            self._tag(self.next_open)
        return self.out

    def _marked(self, mark_line: Callable[[str], Optional[LineMark]], line_end: int) -> bool:
        """Whether the caller recognised the line starting at pos (then it is a mark, and pos its end)."""
        line = self.template[self.pos : self.next_newline]
        mark = mark_line(line[:-1] if line.endswith("\r") else line)
        if mark is None:
            return False
        self.out.append(mark)
        self.pos = self.line_start = line_end
        return True

    def _tag(self, start: int) -> None:
        template = self.template
        kind, name, end = _read_tag(template, start)
        before = template[self.pos : start]
        if kind and kind in _BLOCK_KINDS and not self.tag_on_line and not before.strip():
            after = _WHITESPACE.match(template, end)
            after_end = after.end() if after is not None else end
            if after_end >= self.size or template[after_end] == "\n":  # standalone: drop its whole line
                self.out.append(_Tag(kind, name, _path(name), start))
                self.pos = self.line_start = min(after_end + 1, self.size)
                self.tag_on_line = False
                return
        if before:
            self.out.append(before)
        self.out.append(_Tag(kind, name, _path(name), start))
        if template.find("\n", start, end) >= 0:  # a tag over several lines (a comment): its last line goes on
            self.line_start = template.rfind("\n", start, end) + 1
        self.pos = end
        self.tag_on_line = True


def _parse(tokens: list[_Token]) -> list[_Node]:
    root: list[_Node] = []
    stack: list[tuple[_Tag, list[_Node]]] = []
    current = root
    for token in tokens:
        if isinstance(token, (str, LineMark)):
            current.append(token)
        elif token.kind in ("#", "^"):
            if len(stack) >= MAX_NESTING:
                raise ValueError(f"sections are nested deeper than {MAX_NESTING}, at offset {token.position}")
            stack.append((token, current))
            current = []
        elif token.kind == "/":
            if not stack or stack[-1][0].name != token.name:
                raise ValueError(f"unexpected closing tag {{{{/{token.name}}}}} at offset {token.position}")
            opening, parent = stack.pop()
            parent.append(_Section(opening.kind == "^", opening.path, current))
            current = parent
        elif token.kind != "!":
            current.append(token)
    if stack:
        raise ValueError(f"section {{{{#{stack[-1][0].name}}}}} is never closed")
    return root


def compile_template(template: str, *, mark_line: Optional[Callable[[str], Optional[LineMark]]] = None) -> Template:
    """Parse a template once, to render it many times.

    :param template: The mustache text.
    :param mark_line: Called with each line of the template's own text (without its line end); a `LineMark` it
     returns replaces that whole line.
    :raises ValueError: for a template over `MAX_TEMPLATE_CHARS`, unbalanced or over-deep sections, unclosed
     tags, partials or delimiter changes.
    """
    if len(template) > MAX_TEMPLATE_CHARS:
        raise ValueError(f"a template holds at most {MAX_TEMPLATE_CHARS} characters; this one has {len(template)}")
    return Template(_parse(_tokens(template, mark_line)))


_MISSING = object()


def _lookup(contexts: list[Any], path: tuple[str, ...]) -> Any:
    if path == (".",):
        return contexts[-1]
    first = path[0]
    value: Any = _MISSING
    for context in reversed(contexts):
        if isinstance(context, Mapping) and first in context:
            value = cast(Mapping[str, Any], context)[first]
            break
    for part in path[1:]:
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


class _Budget:
    __slots__ = ("chars", "steps")

    def __init__(self) -> None:
        self.chars = 0
        self.steps = 0

    def add(self, text: str) -> str:
        self.chars += len(text)
        if self.chars > MAX_RENDERED_CHARS:
            raise ValueError(f"the rendered template would exceed {MAX_RENDERED_CHARS} characters")
        return text

    def step(self) -> None:
        self.steps += 1
        if self.steps > MAX_RENDER_STEPS:
            raise ValueError(f"rendering the template takes more than {MAX_RENDER_STEPS} steps (nested loops?)")


def _render(nodes: list[_Node], contexts: list[Any], out: list[Union[str, Mark]], budget: _Budget) -> None:
    for node in nodes:
        budget.step()
        if isinstance(node, str):
            out.append(budget.add(node))
        elif isinstance(node, LineMark):
            value = node.value if node.path is None else _lookup(contexts, node.path)
            out.append(Mark(None if value is _MISSING else value))
        elif isinstance(node, _Tag):
            text = _text(_lookup(contexts, node.path))
            out.append(budget.add(text if node.kind == "&" else escape(text)))
        else:
            value = _lookup(contexts, node.path)
            items: Sequence[Any] = ()
            if isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
                items = cast(Sequence[Any], value)  # type: ignore[redundant-cast, unused-ignore]
            elif value is not _MISSING and value:
                items = (value,)
            if node.inverted:
                if not items:
                    _render(node.body, contexts, out, budget)
                continue
            for item in items:
                budget.step()
                _render(node.body, [*contexts, item], out, budget)


def render_parts(template: Template, data: Mapping[str, Any]) -> list[Union[str, Mark]]:
    """Render a compiled template over `data`: text pieces, and a `Mark` for each line mark rendered.

    :raises ValueError: when the rendering passes `MAX_RENDERED_CHARS` or `MAX_RENDER_STEPS`.
    """
    out: list[Union[str, Mark]] = []
    _render(template.nodes, [data], out, _Budget())
    return out


def render(template: str, data: Mapping[str, Any]) -> str:
    """Render a mustache template over `data` to text.

    :raises ValueError: for a malformed or oversized template (see `compile_template`), or a rendering over the
     bounds.
    """
    return "".join(part for part in render_parts(compile_template(template), data) if isinstance(part, str))
