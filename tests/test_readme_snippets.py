"""The README's Python blocks work as written.

- Every ```python block is either complete, and then this test runs it as it stands (copied into a file of its
  own, in a subprocess, against the local emulator: `AZURE_AI_INFERENCE_ENDPOINT` and `AZURE_AI_INFERENCE_KEY`
  point at it; a block that defines `test_` functions is run with pytest, the emulator's fixtures included), or it
  is marked as a fragment, with ```python fragment as its fence or a `<!-- fragment -->` line just before it. A
  fragment must still be valid Python (a top-level `await` allowed: async fragments run inside a coroutine). An unmarked block that does not run fails here, named by its line.
- A block after a `<!-- snippet: path#name -->` marker is that sample's START/END region, word for word, so that
  it runs as shown inside its sample (tests/test_samples.py runs every sample).
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import NamedTuple, Optional

import pytest

from inference_emulator import DEFAULT_KEY, Emulator

REPO_ROOT = Path(__file__).resolve().parent.parent
README = REPO_ROOT / "README.md"
MARKER = re.compile(r"^<!-- snippet: (?P<path>[^#\s]+)#(?P<name>[\w.-]+) -->$")
FRAGMENT_MARKER = "<!-- fragment -->"
FENCE = re.compile(r"^```python(?P<info>[ \t].*)?$")


class Block(NamedTuple):
    line: int  # of the opening fence, 1-based
    section: str  # the heading it is under
    code: str
    fragment: bool
    snippet: Optional[tuple[str, str]]  # (sample path, region name) when it is a sample's region


def _slug(heading: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", heading.lower()).strip("-")[:40]


def blocks() -> list[Block]:
    """Every ```python block of the README, with how it is marked."""
    lines = README.read_text(encoding="utf-8").splitlines()
    found: list[Block] = []
    section = "top"
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("#"):
            section = line.lstrip("#").strip()
        elif line.startswith("```"):
            end = next((j for j in range(i + 1, len(lines)) if lines[j].strip() == "```"), None)
            assert end is not None, f"README.md:{i + 1}: the code block is not closed"
            fence = FENCE.match(line.strip())
            if fence:
                before = lines[i - 1].strip() if i else ""
                info = (fence["info"] or "").split()
                marker = MARKER.match(before)
                found.append(
                    Block(
                        line=i + 1,
                        section=section,
                        code="\n".join(lines[i + 1 : end]).strip() + "\n",
                        fragment="fragment" in info or before == FRAGMENT_MARKER,
                        snippet=(marker["path"], marker["name"]) if marker else None,
                    )
                )
            i = end
        i += 1
    return found


BLOCKS = blocks()
COMPLETE = [b for b in BLOCKS if not b.fragment]
SNIPPETS = [b for b in BLOCKS if b.snippet is not None]


def _id(block: Block) -> str:
    return f"L{block.line}-{_slug(block.section)}"


def region(path: Path, name: str) -> str:
    """The lines between `# [START name]` and `# [END name]`, dedented and stripped."""
    lines = path.read_text(encoding="utf-8").splitlines()
    starts = [i for i, line in enumerate(lines) if line.strip() == f"# [START {name}]"]
    ends = [i for i, line in enumerate(lines) if line.strip() == f"# [END {name}]"]
    assert len(starts) == 1, f"{path.name}: expected one '# [START {name}]', found {len(starts)}"
    assert len(ends) == 1, f"{path.name}: expected one '# [END {name}]', found {len(ends)}"
    assert starts[0] < ends[0], f"{path.name}: '# [END {name}]' comes before its START"
    return textwrap.dedent("\n".join(lines[starts[0] + 1 : ends[0]])).strip()


def test_readme_has_snippets_and_complete_blocks() -> None:
    assert len(SNIPPETS) >= 10
    assert len(COMPLETE) >= 4  # at least the First steps: a chat call, a stream, an embeddings job, a test


def test_every_snippet_marker_opens_a_python_block() -> None:
    lines = README.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        if MARKER.match(line.strip()):
            assert i + 1 < len(lines) and FENCE.match(
                lines[i + 1].strip()
            ), f"README.md:{i + 1}: the line after a snippet marker must open a ```python block"


@pytest.mark.parametrize("block", SNIPPETS, ids=[f"{b.snippet[0]}#{b.snippet[1]}" for b in SNIPPETS if b.snippet])
def test_snippet_matches_its_sample_region(block: Block) -> None:
    assert block.snippet is not None
    path, name = block.snippet
    sample = REPO_ROOT / path
    assert sample.is_file(), f"README.md:{block.line}: {path} does not exist"
    expected = region(sample, name)
    assert expected, f"{path}#{name} is empty"
    assert block.code.strip() == expected, f"README.md:{block.line}: the block differs from {path}#{name}"


@pytest.mark.parametrize("block", BLOCKS, ids=[_id(b) for b in BLOCKS])
def test_every_block_is_valid_python(block: Block) -> None:
    try:
        compile(block.code, f"README.md:{block.line}", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    except SyntaxError as exc:
        pytest.fail(f"README.md:{block.line} ({block.section}): not valid Python: {exc}")


@pytest.mark.timeout(180)
@pytest.mark.parametrize("block", COMPLETE, ids=[_id(b) for b in COMPLETE])
def test_every_complete_block_runs_as_it_stands(block: Block, emu: Emulator, tmp_path: Path) -> None:
    is_test_module = re.search(r"^(async )?def test_", block.code, re.M) is not None
    script = tmp_path / (f"test_readme_l{block.line}.py" if is_test_module else f"readme_l{block.line}.py")
    script.write_text(block.code, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AZURE_", "OPENAI_", "PYTHON", "GITHUB_"))}
    env.update(AZURE_AI_INFERENCE_ENDPOINT=emu.url, AZURE_AI_INFERENCE_KEY=DEFAULT_KEY, PYTHONUNBUFFERED="1")
    if is_test_module:
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(script)]
    else:
        command = [sys.executable, str(script)]
    done = subprocess.run(
        command, cwd=tmp_path, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=150
    )
    hint = (
        f"README.md:{block.line} ({block.section}) does not run as it stands; fix it, or mark it as a fragment "
        "(```python fragment, or a <!-- fragment --> line before it)"
    )
    assert done.returncode == 0, f"{hint}\n{done.stdout}\n{done.stderr}"


def test_readme_is_finished() -> None:
    text = README.read_text(encoding="utf-8")
    assert "TODO" not in text
    for heading in (
        "## First steps",
        "## Getting started",
        "## Key concepts",
        "## Examples",
        "## Troubleshooting",
        "## Performance",
    ):
        assert re.search(f"^{heading}$", text, re.M), f"README.md has no '{heading}' section"
