"""The sync twins of the hand-written async code are what `scripts/unasync.py` generates from it, and an edit made
to a generated file (or region) by hand, or to an async source without regenerating, is reported with a diff."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("unasync", ROOT / "scripts" / "unasync.py")
assert _spec is not None and _spec.loader is not None
unasync = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(unasync)


def test_generated_files_match_their_async_sources():
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "unasync.py"), "--check"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "match their async sources" in done.stdout


def test_generated_modules_say_so_in_their_first_line():
    for source, target in unasync.MODULES.items():
        first = (ROOT / target).read_text(encoding="utf-8").splitlines()[0]
        assert first == f"# This file is generated from {source} by scripts/unasync.py; do not edit."


def test_every_twin_pair_is_generated_compared_or_listed():
    twins = set(unasync.find_twins())
    assert {
        "azure/ai/inference/_streaming.py: AsyncStreamingChatCompletions",
        "azure/ai/inference/_compat.py: AsyncCompatStreamingChatCompletions",
        "azure/ai/inference/distributed.py: embed_with_dask_async",
        "azure/ai/inference/_policies.py: AsyncRetryPolicy",
        "azure/ai/inference/_bulk.py: embed_many_async",
    } <= twins


def _copy(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "azure" / "ai" / "inference", tmp_path / "azure" / "ai" / "inference")
    return tmp_path


def _edit(root: Path, relative: str, old: str, new: str) -> None:
    path = root / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, (relative, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    "relative,old,new",
    [
        # A hand edit to a generated module, and to a generated region.
        ("azure/ai/inference/_chat.py", 'return self._complete("create", ', 'return self._complete("complete", '),
        ("azure/ai/inference/_common.py", "self._client.close()", "pass"),
        ("azure/ai/inference/distributed.py", "results: list[PartitionResult] = dask_client.gather", "results = []  #"),
        ("azure/ai/inference/_compat.py", "return as_before(StreamingChatCompletions.__next__(self))", "pass"),
        # An async source changed without regenerating its sync twin.
        ("azure/ai/inference/aio/_images.py", 'required=("prompt", "size")', 'required=("prompt",)'),
        (
            "azure/ai/inference/_compat.py",
            "return as_before(await AsyncStreamingChatCompletions.__anext__(self))",
            "return await AsyncStreamingChatCompletions.__anext__(self)",
        ),
    ],
)
def test_an_edit_on_one_side_is_reported(tmp_path, relative, old, new):
    root = _copy(tmp_path)
    assert unasync.check(root) == []
    _edit(root, relative, old, new)
    problems = unasync.check(root)
    assert len(problems) == 1
    assert problems[0].startswith("---")
    assert "(as it is)" in problems[0] and "(as generated)" in problems[0]


def test_a_hand_edit_shows_the_line_in_its_diff(tmp_path):
    root = _copy(tmp_path)
    _edit(root, "azure/ai/inference/_chat.py", 'check_options(kwargs, STREAM_CALL_OPTIONS, operation)', "pass")
    (problem,) = unasync.check(root)
    lines = problem.splitlines()
    assert lines[0] == "--- azure/ai/inference/_chat.py (as it is)"
    assert "-        pass" in lines
    assert "+        check_options(kwargs, STREAM_CALL_OPTIONS, operation)" in lines


def test_a_drifted_hand_kept_twin_is_reported(tmp_path):
    root = _copy(tmp_path)
    sync = (root / "azure/ai/inference/_pipeline.py").read_text(encoding="utf-8")
    start = sync.index("class RedirectPolicy(")
    body = sync.index("return _readable_location(", start)
    (root / "azure/ai/inference/_pipeline.py").write_text(
        sync[:body] + "return None  # " + sync[body:], encoding="utf-8"
    )
    (problem,) = unasync.check(root)
    assert "AsyncRedirectPolicy: the sync twin is not the rewrite of the async one" in problem


def test_a_new_twin_pair_must_be_generated_or_listed(tmp_path):
    root = _copy(tmp_path)
    path = root / "azure/ai/inference/_bulk.py"
    path.write_text(
        path.read_text(encoding="utf-8") + "\n\ndef helper() -> None:\n    pass\n\n\n"
        "async def helper_async() -> None:\n    pass\n",
        encoding="utf-8",
    )
    (problem,) = unasync.check(root)
    assert problem.startswith("azure/ai/inference/_bulk.py: helper_async: a twin pair neither generated")


def test_the_rewrite():
    source = (
        "from ..x import AsyncIterator  # async for x in y\n"
        "from ._client import C\n"
        "from .. import models\n"
        "async def f(s: AsyncStreamingChatCompletions) -> None:\n"
        '    """`async for u in s`, then `await s.close()` (azure.ai.inference.aio.AsyncStreamingChatCompletions)."""\n'
        "    async with s:\n"
        "        async for u in s:\n"
        "            await g(u)\n"
        "    return await s.__anext__()\n"
    )
    assert unasync.unasync(source, up_one_level=True) == (
        "from .x import Iterator  # for x in y\n"
        "from ._client import C\n"
        "from . import models\n"
        "def f(s: StreamingChatCompletions) -> None:\n"
        '    """`for u in s`, then `s.close()` (azure.ai.inference.StreamingChatCompletions)."""\n'
        "    with s:\n"
        "        for u in s:\n"
        "            g(u)\n"
        "    return s.__next__()\n"
    )
