"""The async public modules are their sync twins with only the I/O made async (scripts/check_twins.py)."""
from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("check_twins", ROOT / "scripts" / "check_twins.py")
assert _spec is not None and _spec.loader is not None
check_twins = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(check_twins)


def test_async_twins_match_their_sync_modules():
    assert [problem for pair in check_twins.PAIRS for problem in check_twins.check(*pair)] == []


@pytest.mark.parametrize(
    "old,new",
    [
        ('check_options(kwargs, PER_CALL_OPTIONS, "create")', 'check_options(kwargs, frozenset(), "create")'),
        ("await stream.close()", "pass"),
        ('("messages",)', '("messages", "model")'),
    ],
)
def test_a_change_made_to_one_twin_only_is_reported(tmp_path, monkeypatch, old, new):
    package = tmp_path / "inference"
    shutil.copytree(ROOT / "azure" / "ai" / "inference", package)
    aio = package / "aio" / "_patch.py"
    text = aio.read_text()
    assert old in text
    aio.write_text(text.replace(old, new, 1))
    monkeypatch.setattr(check_twins, "PACKAGE", package)
    problems = check_twins.check("_patch.py", "aio/_patch.py")
    assert problems and "differs" in problems[0]
