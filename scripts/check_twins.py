"""Check that each async module of the public layer is its sync twin with only I/O made async.

    python scripts/check_twins.py        exit 1, naming the first difference, when a pair has drifted apart

The async file is turned back into sync code on its syntax tree (`async def` -> `def`, `await x` -> `x`,
`async for`/`async with` -> `for`/`with`, the async names of azure-core and of this package -> their sync names,
`from ..x` -> `from .x`), docstrings are dropped, and the result must equal the sync file's tree. So a change made
to one twin and forgotten in the other fails the test suite, while wording and line wrapping may differ.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "azure" / "ai" / "inference"

PAIRS = [("_patch.py", "aio/_patch.py"), ("_load_client.py", "aio/_load_client.py")]

# Names of the async twin -> the names the sync twin uses in their place.
NAMES = {
    "AsyncStreamingChatCompletions": "StreamingChatCompletions",
    "AsyncPipelineClient": "PipelineClient",
    "AsyncHttpResponse": "HttpResponse",
    "AsyncTokenCredential": "TokenCredential",
    "AsyncRetryPolicy": "RetryPolicy",
    "AsyncSansIOPolicyGroup": "SansIOPolicyGroup",
    "default_async_transport": "default_transport",
    "azure.core.credentials_async": "azure.core.credentials",
    "embed_many_async": "embed_many",
    "AsyncTexts": "Texts",
    "AsyncIterator": "Iterator",
    "__aexit__": "__exit__",
    "__aenter__": "__enter__",
}


def _rename(text: str) -> str:
    for async_name, sync_name in NAMES.items():
        text = text.replace(async_name, sync_name)
    return text


class _Unasync(ast.NodeTransformer):
    """Rewrite an async module's tree into the sync form it should have."""

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> ast.AST:
        self.generic_visit(node)
        return ast.FunctionDef(**{field: getattr(node, field) for field in node._fields})

    def visit_AsyncFor(self, node: ast.AsyncFor) -> ast.AST:
        self.generic_visit(node)
        return ast.For(**{field: getattr(node, field) for field in node._fields})

    def visit_AsyncWith(self, node: ast.AsyncWith) -> ast.AST:
        self.generic_visit(node)
        return ast.With(**{field: getattr(node, field) for field in node._fields})

    def visit_Await(self, node: ast.Await) -> ast.AST:
        return self.visit(node.value)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> ast.AST:
        if node.level >= 2:  # `from .._core` in aio/ is `from ._core` beside the sync twin
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

    def visit_ImportFrom(self, node: ast.ImportFrom) -> ast.AST:
        if node.module:
            node.module = _rename(node.module)
        return self.generic_visit(node)


def _definitions(path: Path, is_async: bool) -> dict[str, str]:
    """The module's top-level functions, classes and assignments by name, as normalized tree dumps.

    Imports are left out: the twins import from different places, which the type checkers verify.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"))
    if is_async:
        tree = _Unasync().visit(tree)
    tree = _Normalize().visit(tree)
    definitions: dict[str, str] = {}
    for statement in tree.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            definitions[statement.name] = ast.dump(statement)
        elif isinstance(statement, (ast.Assign, ast.AnnAssign)):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    definitions[target.id] = ast.dump(statement)
    return definitions


def check(sync_name: str, async_name: str) -> list[str]:
    """What differs between the pair: every definition of the async twin must match the sync one's."""
    sync_defs = _definitions(PACKAGE / sync_name, False)
    async_defs = _definitions(PACKAGE / async_name, True)
    problems = []
    for name, dump in async_defs.items():
        if name not in sync_defs:
            problems.append(f"{async_name} defines {name}, which {sync_name} does not")
        elif sync_defs[name] != dump:
            left, right = sync_defs[name], dump
            at = next((i for i, (a, b) in enumerate(zip(left, right)) if a != b), min(len(left), len(right)))
            problems.append(
                f"{name} differs between {sync_name} and {async_name}:\n"
                f"  sync:  ...{left[max(0, at - 120):at + 120]}\n  async: ...{right[max(0, at - 120):at + 120]}"
            )
    return problems


def main() -> int:
    problems = [problem for pair in PAIRS for problem in check(*pair)]
    for problem in problems:
        print(problem)
    if not problems:
        print("the async twins match their sync modules")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
