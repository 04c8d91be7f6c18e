"""Check that every async twin of the hand-written layer is its sync twin with only the I/O made async.

    python scripts/check_twins.py        exit 1 and print a unified diff for each pair that has drifted apart

Twins are found, not listed: each hand-written module `aio/<name>.py` is the twin of `<name>.py`, and in every
hand-written module a class `AsyncX` is the twin of a class `X` of the same module. Each async twin is turned back
into sync code on its syntax tree (`async def` -> `def`, `await x` -> `x`, `async for`/`async with` ->
`for`/`with`, `x.__anext__()` -> `next(x)`, the async names of azure-core and of this
package -> their sync names, `from ..x` -> `from .x`); docstrings are dropped from both, and the two must then
be the same code. The comparison runs both ways: a definition present in only one twin is reported too, except a
sync module's helper that its async twin imports, and what such a helper uses (shared code, not a twin).

A method that has to differ for a reason the rewrite cannot express is listed in `DIFFERENT_BY_DESIGN` with
that reason; keep the list short.
"""

from __future__ import annotations

import ast
import difflib
import sys
from pathlib import Path
from typing import NamedTuple, Optional

PACKAGE = Path(__file__).resolve().parent.parent / "azure" / "ai" / "inference"

# Generated modules (compared by their generator, not here) and package files that are not twins.
NOT_TWINS = {"__init__.py", "_client.py", "_configuration.py", "_vendor.py", "_version.py"}

# Names of the async twin -> the names the sync twin uses in their place.
NAMES = {
    "AsyncCompatStreamingChatCompletions": "CompatStreamingChatCompletions",
    "AsyncStreamingChatCompletions": "StreamingChatCompletions",
    "AsyncPipelineClient": "PipelineClient",
    "AsyncHttpResponse": "HttpResponse",
    "AsyncTokenCredential": "TokenCredential",
    "AsyncRetryPolicy": "RetryPolicy",
    "AsyncRedirectPolicy": "RedirectPolicy",
    "AsyncSansIOPolicyGroup": "SansIOPolicyGroup",
    "AsyncHTTPPolicy": "HTTPPolicy",
    "AsyncIterator": "Iterator",
    "AsyncIterable": "Iterable",
    "StopAsyncIteration": "StopIteration",
    "default_async_transport": "default_transport",
    "azure.core.credentials_async": "azure.core.credentials",
    "embed_many_async": "embed_many",
    "AsyncTexts": "Texts",
    "AsyncIterator": "Iterator",
    "__aexit__": "__exit__",
    "__aenter__": "__enter__",
    "__aiter__": "__iter__",
    "__anext__": "__next__",
}

# (module, "Class.method") -> why the async twin's method differs from the sync one.
DIFFERENT_BY_DESIGN = {
    ("_streaming.py", "StreamingChatCompletions.__next__"): (
        "on cancellation the async stream cannot await close(), so it releases the connection without awaiting"
    ),
    ("_streaming.py", "StreamingChatCompletions._finish"): (
        "after [DONE] the async stream waits a moment for the end of the body; the sync transport finishes it "
        "from its buffer on close"
    ),
    ("_policies.py", "SansIOPolicyGroup.send"): (
        "in an async pipeline a sans-IO hook may return an awaitable, which the async group awaits"
    ),
}


class Twin(NamedTuple):
    """A pair to compare: whole modules (classes None) or two classes of one module."""

    sync_file: str
    async_file: str
    sync_class: Optional[str] = None
    async_class: Optional[str] = None

    def __str__(self) -> str:
        if self.sync_class:
            return f"{self.sync_file}: {self.sync_class} / {self.async_class}"
        return f"{self.sync_file} / {self.async_file}"


def _rename(text: str) -> str:
    for async_name, sync_name in NAMES.items():
        text = text.replace(async_name, sync_name)
    return text


class _Unasync(ast.NodeTransformer):
    """Rewrite an async tree into the sync form it should have."""

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> ast.AST:
        self.generic_visit(node)
        return ast.copy_location(ast.FunctionDef(**{field: getattr(node, field) for field in node._fields}), node)

    def visit_AsyncFor(self, node: ast.AsyncFor) -> ast.AST:
        self.generic_visit(node)
        return ast.copy_location(ast.For(**{field: getattr(node, field) for field in node._fields}), node)

    def visit_AsyncWith(self, node: ast.AsyncWith) -> ast.AST:
        self.generic_visit(node)
        return ast.copy_location(ast.With(**{field: getattr(node, field) for field in node._fields}), node)

    def visit_Await(self, node: ast.Await) -> ast.AST:
        return self.visit(node.value)

    def visit_comprehension(self, node: ast.comprehension) -> ast.AST:
        self.generic_visit(node)
        node.is_async = 0
        return node

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "__anext__" and not node.args:
            return ast.Call(func=ast.Name(id="next", ctx=ast.Load()), args=[func.value], keywords=[])
        return node

    def visit_ImportFrom(self, node: ast.ImportFrom) -> ast.AST:
        if node.level >= 2:  # `from .._settings` in aio/ is `from ._settings` beside the sync twin
            node.level -= 1
        return node


class _Normalize(ast.NodeTransformer):
    """Drop docstrings and apply the name mapping, on both trees."""

    def generic_visit(self, node: ast.AST) -> ast.AST:
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            value = body[0].value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                node.body = body[1:] or [ast.Pass()]  # type: ignore[attr-defined]
        return super().generic_visit(node)

    def visit_Name(self, node: ast.Name) -> ast.AST:
        node.id = _rename(node.id)
        return node

    def visit_Attribute(self, node: ast.Attribute) -> ast.AST:
        self.generic_visit(node)
        node.attr = _rename(node.attr)
        return node

    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        if isinstance(node.value, str):
            node.value = _rename(node.value)
        return node

    def visit_alias(self, node: ast.alias) -> ast.AST:
        node.name = _rename(node.name)
        return node

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:
        node.name = _rename(node.name)
        return self.generic_visit(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.AST:
        node.name = _rename(node.name)
        return self.generic_visit(node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> ast.AST:
        if node.module:
            node.module = _rename(node.module)
        return self.generic_visit(node)


def _parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def find_twins(package: Optional[Path] = None) -> list[Twin]:
    """Every twin pair of the hand-written layer: aio modules beside their sync modules, `AsyncX` beside `X`."""
    package = package or PACKAGE
    twins: list[Twin] = []
    for async_path in sorted((package / "aio").glob("*.py")):
        if async_path.name not in NOT_TWINS and (package / async_path.name).exists():
            twins.append(Twin(async_path.name, f"aio/{async_path.name}"))
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package).as_posix()
        if path.name in NOT_TWINS or relative.startswith(("_operations/", "aio/_operations/", "_utils/")):
            continue
        classes = {node.name for node in _parse(path).body if isinstance(node, ast.ClassDef)}
        for name in sorted(classes):
            if name.startswith("Async") and name[5:] in classes:
                twins.append(Twin(relative, relative, name[5:], name))
    return twins


def _imported_names(tree: ast.Module) -> set[str]:
    return {
        alias.asname or alias.name for node in tree.body if isinstance(node, ast.ImportFrom) for alias in node.names
    }


def _shared(sync_defs: dict[str, ast.AST], imported: set[str]) -> set[str]:
    """The sync definitions the async twin imports, and every definition those use, transitively."""
    shared: set[str] = set()
    pending = [name for name in imported if name in sync_defs]
    while pending:
        name = pending.pop()
        if name in shared:
            continue
        shared.add(name)
        used = {node.id for node in ast.walk(sync_defs[name]) if isinstance(node, ast.Name)}
        pending.extend(used & set(sync_defs))
    return shared


def _definitions(tree: ast.Module, class_name: Optional[str], is_async: bool) -> dict[str, ast.AST]:
    """The top-level definitions of a module (or the members of one class), by name, normalized.

    Imports are left out: the twins import from different places, which the type checkers verify.
    """
    body: list[ast.stmt] = tree.body
    if class_name is not None:
        found = [node for node in tree.body if isinstance(node, ast.ClassDef) and node.name == class_name]
        if not found:
            return {}
        body = found[0].body
    definitions: dict[str, ast.AST] = {}
    for statement in body:
        if is_async:
            statement = _Unasync().visit(statement)
        statement = _Normalize().visit(statement)
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            definitions[statement.name] = statement
        elif isinstance(statement, (ast.Assign, ast.AnnAssign)):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    definitions[target.id] = statement
    return definitions


def _diff(name: str, sync_node: ast.AST, async_node: ast.AST, twin: Twin) -> str:
    sync_lines = ast.unparse(sync_node).splitlines()
    async_lines = ast.unparse(async_node).splitlines()
    diff = difflib.unified_diff(
        sync_lines, async_lines, f"{twin.sync_file} (sync)", f"{twin.async_file} (async, made sync)", lineterm="", n=2
    )
    return f"{name} differs in {twin}:\n" + "\n".join("    " + line for line in diff)


def check(twin: Twin, package: Optional[Path] = None) -> list[str]:
    """What differs between the two twins, both ways; an empty list when they match."""
    package = package or PACKAGE
    async_tree = _parse(package / twin.async_file)
    sync_defs = _definitions(_parse(package / twin.sync_file), twin.sync_class, False)
    async_defs = _definitions(async_tree, twin.async_class, True)
    problems: list[str] = []
    prefix = f"{twin.sync_class}." if twin.sync_class else ""
    shared = _shared(sync_defs, _imported_names(async_tree)) if twin.sync_class is None else set()
    for name in sorted(set(sync_defs) - set(async_defs) - shared):
        problems.append(f"{name} is defined in the sync twin only ({twin})")
    for name in sorted(set(async_defs) - set(sync_defs)):
        problems.append(f"{name} is defined in the async twin only ({twin})")
    for name in sorted(set(sync_defs) & set(async_defs)):
        if (twin.sync_file, prefix + name) in DIFFERENT_BY_DESIGN:
            continue
        if ast.dump(sync_defs[name]) != ast.dump(async_defs[name]):
            problems.append(_diff(prefix + name, sync_defs[name], async_defs[name], twin))
    return problems


def main() -> int:
    twins = find_twins()
    problems = [problem for twin in twins for problem in check(twin)]
    for problem in problems:
        print(problem)
    if not problems:
        print(f"{len(twins)} twin pairs match: " + "; ".join(str(twin) for twin in twins))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
