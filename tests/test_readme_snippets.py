"""The README's code examples are the samples' START/END regions, word for word, so they run as shown."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
README = REPO_ROOT / "README.md"
MARKER = re.compile(r"^<!-- snippet: (?P<path>[^#\s]+)#(?P<name>[\w.-]+) -->$")


def region(path: Path, name: str) -> str:
    """The lines between `# [START name]` and `# [END name]`, dedented and stripped."""
    lines = path.read_text(encoding="utf-8").splitlines()
    starts = [i for i, line in enumerate(lines) if line.strip() == f"# [START {name}]"]
    ends = [i for i, line in enumerate(lines) if line.strip() == f"# [END {name}]"]
    assert len(starts) == 1, f"{path.name}: expected one '# [START {name}]', found {len(starts)}"
    assert len(ends) == 1, f"{path.name}: expected one '# [END {name}]', found {len(ends)}"
    assert starts[0] < ends[0], f"{path.name}: '# [END {name}]' comes before its START"
    return textwrap.dedent("\n".join(lines[starts[0] + 1 : ends[0]])).strip()


def snippets() -> list[tuple[int, str, str, str]]:
    """(line number, sample path, region name, the python block that follows) for each marker in the README."""
    lines = README.read_text(encoding="utf-8").splitlines()
    found: list[tuple[int, str, str, str]] = []
    for i, line in enumerate(lines):
        match = MARKER.match(line.strip())
        if not match:
            continue
        assert (
            i + 1 < len(lines) and lines[i + 1].strip() == "```python"
        ), f"README.md:{i + 1}: the line after a snippet marker must open a ```python block"
        end = next((j for j in range(i + 2, len(lines)) if lines[j].strip() == "```"), None)
        assert end is not None, f"README.md:{i + 1}: the snippet's code block is not closed"
        found.append((i + 1, match["path"], match["name"], "\n".join(lines[i + 2 : end]).strip()))
    return found


SNIPPETS = snippets()


def test_readme_has_snippets() -> None:
    assert len(SNIPPETS) >= 10


@pytest.mark.parametrize("line, path, name, block", SNIPPETS, ids=[f"{s[1]}#{s[2]}" for s in SNIPPETS])
def test_snippet_matches_its_sample_region(line: int, path: str, name: str, block: str) -> None:
    sample = REPO_ROOT / path
    assert sample.is_file(), f"README.md:{line}: {path} does not exist"
    expected = region(sample, name)
    assert expected, f"{path}#{name} is empty"
    assert block == expected, f"README.md:{line}: the block differs from {path}#{name}"


def test_readme_is_finished() -> None:
    text = README.read_text(encoding="utf-8")
    assert "TODO" not in text
    for heading in ("## Getting started", "## Key concepts", "## Examples", "## Troubleshooting", "## Performance"):
        assert re.search(f"^{heading}$", text, re.M), f"README.md has no '{heading}' section"
