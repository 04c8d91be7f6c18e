"""Generate the sync twins of the hand-written async code, the async code being their one source.

    python scripts/unasync.py           write every generated file and region
    python scripts/unasync.py --check   write nothing; exit 1 with a unified diff for each one that differs

The rewrite works on tokens, so comments and formatting are kept: `async def`/`async for`/`async with` lose
`async`, `await ` goes, the async names in `NAMES` become their sync names (in code, strings and comments alike),
`azure.ai.inference.aio.` becomes `azure.ai.inference.` in strings and comments, and `from ..x` becomes
`from .x` (the sync module sits one level up, beside the package's generated sync client).

Two kinds of output:
- `MODULES`: a whole sync module generated from an async one in `aio/`; its first line says so.
- `REGIONS`: where a twin pair lives inside one module, the sync twin of the named top-level definitions is
  written below them, between a `# <generated ...>` line and a `# </generated>` line.

What the rewrite cannot express is written in the async source so that it can (a name in `NAMES`), or listed in
`NOT_GENERATED` with its reason.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import io
import re
import sys
import tokenize
from pathlib import Path
from typing import NamedTuple, Optional

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "azure/ai/inference"

# Async source module -> generated sync module, relative to the repository.
MODULES = {
    f"{PACKAGE}/aio/{name}.py": f"{PACKAGE}/{name}.py"
    for name in ("_common", "_chat", "_embeddings", "_images", "_image_embeddings", "_load_client", "_patch")
}

# Module -> the async top-level definitions whose sync twins are generated into the same module.
REGIONS = {
    f"{PACKAGE}/_streaming.py": ("AsyncStreamingChatCompletions",),
    f"{PACKAGE}/_compat.py": ("AsyncCompatStreamingChatCompletions",),
    f"{PACKAGE}/distributed.py": ("embed_with_dask_async",),
    f"{PACKAGE}/_transport/_azure_core.py": ("run_pipeline_async",),
}

# Twin pairs kept by hand, as "module: async name", and why the rewrite does not produce one from the other.
NOT_GENERATED = {
    f"{PACKAGE}/_bulk.py: embed_many_async": (
        "two drivers of one shared batching core (Batcher, Throttle, BatchTries, _Progress, batch_items): threads "
        "and a stop event against tasks and cancellation; no token rewrite turns one into the other"
    ),
    f"{PACKAGE}/_bulk.py: _batches_async": "the async driver's input also takes an async iterable",
    f"{PACKAGE}/_policies.py: AsyncSansIOPolicyGroup": (
        "in an async pipeline a sans-IO hook may return an awaitable, which the async group awaits; the sync "
        "group must not test every hook's result for that on each call"
    ),
    f"{PACKAGE}/_streaming.py: read_rest_async": (
        "after `[DONE]` the async stream reads the end of the body for a moment; the sync transport finishes it "
        "from its buffer on close"
    ),
    f"{PACKAGE}/_tool_calls.py: run_calls_async": (
        "run_tools' calls of one round: a loop against one asyncio.gather; no token rewrite turns one into the other"
    ),
    f"{PACKAGE}/_tool_calls.py: tool_loop_async": (
        "the sync loop refuses async functions among the tools before any call, the async one runs them"
    ),
    f"{PACKAGE}/_policies.py: AsyncRetryPolicy": (
        "one implementation (`_BoundedRetry`) placed before azure-core's sync or async retry policy; the two "
        "classes only name their bases"
    ),
}

# Twin pairs kept by hand that must still be what the rewrite makes of the async one (docstrings aside):
# "module: async name". Candidates for `REGIONS`.
COMPARED = (
    f"{PACKAGE}/_pipeline.py: AsyncTokenCredentialPolicy",
    f"{PACKAGE}/_pipeline.py: AsyncRedirectPolicy",
)

# Async names -> the sync names the generated code uses in their place.
NAMES = {
    "AsyncCompatStreamingChatCompletions": "CompatStreamingChatCompletions",
    "AsyncStreamingChatCompletions": "StreamingChatCompletions",
    "AsyncPipelineClient": "PipelineClient",
    "AsyncHttpResponse": "HttpResponse",
    "AsyncTokenCredential": "TokenCredential",
    "AsyncTokenCredentialPolicy": "TokenCredentialPolicy",
    "AsyncRetryPolicy": "RetryPolicy",
    "AsyncRedirectPolicy": "RedirectPolicy",
    "AsyncSansIOPolicyGroup": "SansIOPolicyGroup",
    "AsyncHTTPPolicy": "HTTPPolicy",
    "AsyncBearerTokenCredentialPolicy": "BearerTokenCredentialPolicy",
    "_AsyncRedirectPolicy": "_RedirectPolicy",
    "AsyncIterator": "Iterator",
    "AsyncIterable": "Iterable",
    "AsyncTexts": "Texts",
    "StopAsyncIteration": "StopIteration",
    "credentials_async": "credentials",
    "default_async_transport": "default_transport",
    "embed_many_async": "embed_many",
    "embed_with_dask_async": "embed_with_dask",
    "run_calls_async": "run_calls",
    "run_pipeline_async": "run_pipeline",
    "tool_loop_async": "tool_loop",
    "__aenter__": "__enter__",
    "__aexit__": "__exit__",
    "__aiter__": "__iter__",
    "__anext__": "__next__",
    # Where a sync stream does something else than its async twin: on cancellation the async stream cannot
    # await close(), so it releases the connection without awaiting, where the sync stream closes; after
    # `[DONE]` the async stream reads the end of the body for a moment, which the sync transport finishes from
    # its buffer on close.
    "_close_now": "close",
    "read_rest_async": "read_rest",
}

# In strings and comments: the async phrases of examples and references (regular expressions), and their sync form.
PHRASES = {r"\basync (for|with)\b": r"\1", r"\bawait ": "", r"\bazure\.ai\.inference\.aio\.": "azure.ai.inference."}

_NAME_PATTERN = re.compile(r"\b(" + "|".join(re.escape(name) for name in sorted(NAMES, key=len, reverse=True)) + r")\b")
_PHRASE_PATTERNS = [(re.compile(pattern), replacement) for pattern, replacement in PHRASES.items()]
HEADER = "# This file is generated from {source} by scripts/unasync.py; do not edit.\n"
REGION_START = "# <generated by scripts/unasync.py from {names} above; do not edit>\n"
REGION_END = "# </generated>\n"


def _text(text: str) -> str:
    """A string or comment in its sync form."""
    for pattern, replacement in _PHRASE_PATTERNS:
        text = pattern.sub(replacement, text)
    return _NAME_PATTERN.sub(lambda match: NAMES[match.group(0)], text)


def unasync(source: str, *, up_one_level: bool) -> str:
    """The sync form of async source code; `up_one_level` for a module that moves from `aio/` to the package."""
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    starts = [0]
    for line in source.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    out: list[str] = []
    position = 0
    dropped = False  # the token before was `async` or `await`, dropped with the spaces after it
    drop_dot = False  # in `from ..x import`, before the first dot
    for index, token in enumerate(tokens):
        gap = source[position : starts[token.start[0] - 1] + token.start[1]]
        if dropped and gap.strip(" ") == "":
            gap = ""
        position = starts[token.end[0] - 1] + token.end[1]
        text, dropped = token.string, _dropped(tokens, index)
        if token.type == tokenize.NAME:
            drop_dot = up_one_level and text == "from" and _line_start(tokens, index) and _dots(tokens, index + 1) > 1
            text = "" if dropped else NAMES.get(text, text)
        elif token.type == tokenize.OP and drop_dot:
            drop_dot = False
            text = text[1:]
        elif token.type in (tokenize.STRING, tokenize.COMMENT):
            text = _text(text)
        out.append(gap + text)
    out.append(source[position:])
    return "".join(out)


def _dropped(tokens: list[tokenize.TokenInfo], index: int) -> bool:
    """Whether `tokens[index]` is an `await`, or the `async` of `async def`, `async for` or `async with`."""
    token = tokens[index]
    if token.type != tokenize.NAME:
        return False
    following = tokens[index + 1].string if index + 1 < len(tokens) else ""
    return token.string == "await" or (token.string == "async" and following in ("def", "for", "with"))


def _dots(tokens: list[tokenize.TokenInfo], index: int) -> int:
    """How many dots of a relative import start at `tokens[index]`."""
    count = 0
    while index < len(tokens) and tokens[index].type == tokenize.OP and tokens[index].string in (".", "..."):
        count += len(tokens[index].string)
        index += 1
    return count


def _line_start(tokens: list[tokenize.TokenInfo], index: int) -> bool:
    previous = tokens[index - 1] if index else None
    return previous is None or previous.type in (tokenize.NEWLINE, tokenize.NL, tokenize.INDENT, tokenize.DEDENT)


def generate_module(source_path: str, root: Path = ROOT) -> str:
    """The text of the sync module generated from the async module at `source_path`."""
    source = (root / source_path).read_text(encoding="utf-8")
    return HEADER.format(source=source_path) + unasync(source, up_one_level=True)


class _Region(NamedTuple):
    before: str  # the module up to and including the async definitions
    after: str  # the module after the generated region (or after the definitions, when there is none yet)


def _without_blank_start(lines: list[str]) -> list[str]:
    while lines and lines[0].strip() == "":
        lines = lines[1:]
    return lines


def _after_region(rest: list[str], path: str) -> list[str]:
    """The lines after the generated region that starts `rest` (after blank lines), if there is one."""
    rest = _without_blank_start(rest)
    if not rest or not rest[0].startswith("# <generated by scripts/unasync.py"):
        return rest
    if REGION_END not in rest:
        raise SystemExit(f"{path}: a generated region without its end line {REGION_END.strip()!r}")
    return _without_blank_start(rest[rest.index(REGION_END) + 1 :])


def _split(text: str, names: tuple[str, ...], path: str) -> tuple[_Region, str]:
    """The module around its generated region, and the async source of the definitions named."""
    lines = text.splitlines(keepends=True)
    found = _definitions_of(text)
    missing = [name for name in names if name not in found]
    if missing:
        raise SystemExit(f"{path}: no top-level definition {', '.join(missing)}")
    nodes = [found[name] for name in names]
    first = min(_first_line(node) for node in nodes) - 1
    last = max(node.end_lineno or node.lineno for node in nodes)
    after = _after_region(lines[last:], path)
    return _Region("".join(lines[:last]), "".join(after)), "".join(lines[first:last])


def _first_line(node: ast.stmt) -> int:
    """Where a definition starts, its decorators included."""
    return min([node.lineno] + [decorator.lineno for decorator in getattr(node, "decorator_list", [])])


def _definitions_of(text: str) -> dict[str, ast.stmt]:
    kinds = (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
    return {node.name: node for node in ast.parse(text).body if isinstance(node, kinds)}


def generate_region(path: str, names: tuple[str, ...], root: Path = ROOT) -> str:
    """The module at `path` with the sync twin of its async definitions `names` written below them."""
    text = (root / path).read_text(encoding="utf-8")
    region, source = _split(text, names, path)
    generated = unasync(source, up_one_level=False)
    after = region.after
    return (
        region.before
        + "\n\n"
        + REGION_START.format(names=", ".join(names))
        + generated
        + REGION_END
        + ("\n\n" + after if after else "")
    )


def outputs(root: Path = ROOT) -> dict[str, str]:
    """Every generated file's path and the text it must have."""
    result = {target: generate_module(source, root) for source, target in MODULES.items()}
    for path, names in REGIONS.items():
        result[path] = generate_region(path, names, root)
    return result


def _definitions(path: Path) -> dict[str, ast.stmt]:
    return _definitions_of(path.read_text(encoding="utf-8"))


def _sync_name(name: str) -> str:
    if name.endswith("_async"):
        return name[: -len("_async")]
    return NAMES.get(name, name[len("Async") :] if name.startswith("Async") else name)


def find_twins(root: Path = ROOT) -> list[str]:
    """Every in-module twin pair of the hand-written layer, as "module: async name": a class `AsyncX` beside a
    class `X`, a function `f_async` beside a function `f`."""
    generated = set(MODULES.values()) | {f"{PACKAGE}/{name}" for name in ("_client.py", "_configuration.py")}
    twins: list[str] = []
    for path in sorted((root / PACKAGE).rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        if relative in generated or "/_operations/" in relative or "/_utils/" in relative or "/aio/" in relative:
            continue
        definitions = _definitions(path)
        for name in definitions:
            if (name.startswith("Async") or name.endswith("_async")) and _sync_name(name) in definitions:
                twins.append(f"{relative}: {name}")
    return twins


def _without_docstrings(node: ast.AST) -> str:
    for child in ast.walk(node):
        body = getattr(child, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            value = body[0].value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                child.body = body[1:] or [ast.Pass()]  # type: ignore[attr-defined]
    return ast.unparse(node)


def compare(twin: str, root: Path = ROOT) -> Optional[str]:
    """For a pair kept by hand: a diff when the sync twin is not the rewrite of the async one."""
    path, name = twin.split(": ")
    definitions = _definitions(root / path)
    text = (root / path).read_text(encoding="utf-8").splitlines(keepends=True)
    node = definitions[name]
    made = ast.parse(unasync("".join(text[_first_line(node) - 1 : node.end_lineno]), up_one_level=False)).body[0]
    expected, actual = _without_docstrings(made), _without_docstrings(definitions[_sync_name(name)])
    if expected == actual:
        return None
    diff = difflib.unified_diff(
        actual.splitlines(keepends=True),
        expected.splitlines(keepends=True),
        f"{path} {_sync_name(name)}",
        f"{path} {name}, made sync",
    )
    return f"{twin}: the sync twin is not the rewrite of the async one\n" + "".join(diff)


def check(root: Path = ROOT) -> list[str]:
    """What is out of date: a unified diff for each generated file or region that differs from what the generator
    writes, each hand-kept twin in `COMPARED` that is not the rewrite of its async twin, and each twin pair that
    is none of generated, compared or listed in `NOT_GENERATED`."""
    problems: list[str] = []
    for path, expected in outputs(root).items():
        target = root / path
        actual = target.read_text(encoding="utf-8") if target.exists() else ""
        if actual != expected:
            diff = difflib.unified_diff(
                actual.splitlines(keepends=True),
                expected.splitlines(keepends=True),
                f"{path} (as it is)",
                f"{path} (as generated)",
            )
            problems.append("".join(diff))
    problems.extend(problem for problem in (compare(twin, root) for twin in COMPARED) if problem)
    known = {f"{path}: {name}" for path, names in REGIONS.items() for name in names} | set(NOT_GENERATED)
    for twin in find_twins(root):
        if twin not in known and twin not in COMPARED:
            problems.append(f"{twin}: a twin pair neither generated (REGIONS) nor listed in scripts/unasync.py\n")
    return problems


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 with a diff when out of date")
    args = parser.parse_args(argv)
    if args.check:
        problems = check()
        for problem in problems:
            sys.stdout.write(problem)
        if problems:
            print(f"\n{len(problems)} problem(s): run scripts/unasync.py to regenerate; see its docstring for the rest")
            return 1
        print(
            f"{len(MODULES)} generated modules and {len(REGIONS)} generated regions match their async sources; "
            f"{len(COMPARED)} hand-kept twins match the rewrite; {len(NOT_GENERATED)} listed as kept by hand"
        )
        return 0
    for path, text in outputs().items():
        target = ROOT / path
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
            print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
