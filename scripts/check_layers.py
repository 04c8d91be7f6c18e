"""Check the package's layers: the sans-IO core imports no I/O and nothing above it, and no module imports in a cycle.

Usage: python scripts/check_layers.py [--list] [PACKAGE_DIR]

- Every module in `_core/` may import the standard library except I/O (`socket`, `http.client`, `ssl`, `asyncio`,
  `aiohttp`, `threading`, `selectors`), third-party packages such as azure-core, and in this package only `_core/`,
  `models/`, `_utils/` and `_operations/` (the generated layer). Imports count at every level: module, function,
  `if TYPE_CHECKING:`.
- No cycle in the package's import graph. An edge is any import that runs (module level or inside a function;
  relative or absolute); imports under `if TYPE_CHECKING:` never run and are not edges. Importing a submodule is
  an edge to it alone, not to the packages above it that Python initializes first.

Exit status 1 with one line per violation (file, line, import); `--list` also prints every edge of the graph and
counts the function-level imports. `check(package_dir)` returns the violations, for tests.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path
from typing import NamedTuple, Optional

PACKAGE = "azure.ai.inference"
DEFAULT_DIR = Path(__file__).resolve().parent.parent / "azure" / "ai" / "inference"

CORE = "_core"
# What the core may import from the package besides itself.
CORE_MAY_IMPORT = ("_core", "models", "_utils", "_operations")
# Modules that do I/O (or exist to wait for it); the core imports none of them, nor their submodules.
IO_MODULES = ("socket", "http.client", "ssl", "asyncio", "aiohttp", "threading", "selectors")


class Import(NamedTuple):
    """One import statement's target, as a dotted name (package modules relative to the package: `_core.json`)."""

    source: str  # the importing module, relative to the package
    path: Path
    line: int
    target: str  # absolute dotted name; a package module is PACKAGE + "." + name
    level: str  # "module", "function" or "type-checking"


def module_name(path: Path, root: Path) -> str:
    """`_core/json.py` -> `_core.json`; `models/__init__.py` -> `models`; the package's `__init__.py` -> ``."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _resolve(source: str, is_package: bool, level: int, module: Optional[str]) -> str:
    """The absolute name of a relative import's module."""
    parts = [PACKAGE, *(source.split(".") if source else [])]
    if not is_package:
        parts.pop()
    if level > 1:
        parts = parts[: len(parts) - (level - 1)]
    return ".".join(parts + ([module] if module else []))


class _Collector(ast.NodeVisitor):
    def __init__(self, source: str, path: Path, is_package: bool, modules: set[str]) -> None:
        self.source, self.path, self.is_package, self.modules = source, path, is_package, modules
        self.found: list[Import] = []
        self._function = 0
        self._type_checking = 0

    def _level(self) -> str:
        if self._type_checking:
            return "type-checking"
        return "function" if self._function else "module"

    def _add(self, node: ast.stmt, target: str) -> None:
        self.found.append(Import(self.source, self.path, node.lineno, target, self._level()))

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._function += 1
        self.generic_visit(node)
        self._function -= 1

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

    def visit_If(self, node: ast.If) -> None:
        if _is_type_checking(node.test):
            self._type_checking += 1
            for child in node.body:
                self.visit(child)
            self._type_checking -= 1
            for child in node.orelse:
                self.visit(child)
        else:
            self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._add(node, alias.name)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = _resolve(self.source, self.is_package, node.level, node.module) if node.level else (node.module or "")
        if base != PACKAGE and not base.startswith(PACKAGE + "."):
            for alias in node.names:  # `from http import client` imports http.client
                self._add(node, f"{base}.{alias.name}")
            return
        # `from pkg import name`: an edge to pkg.name when that is a module, else to pkg itself.
        to_base = False
        for alias in node.names:
            full = f"{base}.{alias.name}"
            if full[len(PACKAGE) + 1 :] in self.modules:
                self._add(node, full)
            else:
                to_base = True
        if to_base:
            self._add(node, base)


def collect(root: Path) -> list[Import]:
    """Every import of every module under `root` (a copy of the package)."""
    files = sorted(p for p in root.rglob("*.py") if "__pycache__" not in p.parts)
    modules = {module_name(p, root) for p in files}
    found: list[Import] = []
    for path in files:
        collector = _Collector(module_name(path, root), path, path.name == "__init__.py", modules)
        collector.visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
        found.extend(collector.found)
    return found


def _package_module(target: str) -> Optional[str]:
    """`azure.ai.inference._core.json` -> `_core.json`; None for a module outside the package."""
    if target == PACKAGE:
        return ""
    if target.startswith(PACKAGE + "."):
        return target[len(PACKAGE) + 1 :]
    return None


def _in(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def layer_violations(imports: list[Import]) -> list[str]:
    problems = []
    for imp in imports:
        if not _in(imp.source, (CORE,)):
            continue
        inner = _package_module(imp.target)
        if inner is None:
            if _in(imp.target, IO_MODULES):
                problems.append(f"{imp.path}:{imp.line}: the sans-IO core imports {imp.target} ({imp.level} level)")
        elif not _in(inner, CORE_MAY_IMPORT):
            problems.append(
                f"{imp.path}:{imp.line}: the sans-IO core imports {imp.target} ({imp.level} level); it may import "
                f"only {', '.join(CORE_MAY_IMPORT)} from the package"
            )
    return problems


def _strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative; the components with a cycle (more than one module, or a self-import)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, edges = work[-1]
            advanced = False
            for nxt in edges:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph[nxt]))))
                    advanced = True
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in graph[node]:
                    found.append(sorted(component))
    return found


def graph_of(imports: list[Import]) -> dict[str, dict[str, list[Import]]]:
    """source -> target -> the imports that make the edge (type-checking imports excluded)."""
    graph: dict[str, dict[str, list[Import]]] = {}
    for imp in imports:
        graph.setdefault(imp.source, {})
        inner = _package_module(imp.target)
        if inner is None or imp.level == "type-checking":
            continue
        graph[imp.source].setdefault(inner, []).append(imp)
    for targets in list(graph.values()):
        for target in targets:
            graph.setdefault(target, {})
    return graph


def cycle_violations(imports: list[Import]) -> list[str]:
    graph = graph_of(imports)
    problems = []
    for component in _strongly_connected({k: set(v) for k, v in graph.items()}):
        members = set(component)
        edges = [
            f"{imp.path.name}:{imp.line} {source or PACKAGE} -> {target or PACKAGE} ({imp.level} level)"
            for source in component
            for target, made_by in sorted(graph[source].items())
            if target in members
            for imp in made_by
        ]
        names = ", ".join(m or PACKAGE for m in component)
        problems.append(f"import cycle among {names}: " + "; ".join(edges))
    return problems


def check(root: Path = DEFAULT_DIR) -> list[str]:
    """Every layer violation and import cycle in the package copy at `root`."""
    imports = collect(root)
    return layer_violations(imports) + cycle_violations(imports)


def print_graph(imports: list[Import], root: Path) -> None:
    """Every edge of the package's import graph with the levels of its imports, and the function-level imports."""
    for source, targets in sorted(graph_of(imports).items()):
        for target, made_by in sorted(targets.items()):
            levels = ",".join(sorted({imp.level for imp in made_by}))
            print(f"{source or PACKAGE} -> {target or PACKAGE} [{levels}]")
    inside = [imp for imp in imports if imp.level == "function" and _package_module(imp.target) is not None]
    print(f"function-level imports of package modules: {len(inside)}")
    for imp in inside:
        print(f"  {imp.path.relative_to(root)}:{imp.line} -> {imp.target}")


def main(argv: list[str]) -> int:
    listing = "--list" in argv
    args = [a for a in argv if a != "--list"]
    root = Path(args[0]) if args else DEFAULT_DIR
    imports = collect(root)
    if listing:
        print_graph(imports, root)
    problems = layer_violations(imports) + cycle_violations(imports)
    for problem in problems:
        print(problem)
    if problems:
        return 1
    print(f"layers ok: {len({imp.source for imp in imports})} modules, no I/O in {CORE}/, no import cycle")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
