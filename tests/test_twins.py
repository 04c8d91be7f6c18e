"""The async twins of the hand-written layer are their sync twins with only the I/O made async
(scripts/check_twins.py), and a change made to one twin alone is reported, whichever twin it is."""

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


def test_every_twin_pair_is_found():
    found = {str(twin) for twin in check_twins.find_twins()}
    assert {
        "_patch.py / aio/_patch.py",
        "_load_client.py / aio/_load_client.py",
        "_streaming.py: StreamingChatCompletions / AsyncStreamingChatCompletions",
        "_policies.py: SansIOPolicyGroup / AsyncSansIOPolicyGroup",
        "_policies.py: RetryPolicy / AsyncRetryPolicy",
    } <= found


def test_async_twins_match_their_sync_twins():
    assert [problem for twin in check_twins.find_twins() for problem in check_twins.check(twin)] == []


def _edited_copy(tmp_path: Path, relative: str, old: str, new: str) -> Path:
    package = tmp_path / "inference"
    shutil.copytree(ROOT / "azure" / "ai" / "inference", package)
    path = package / relative
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    return package


def _problems(package: Path) -> list[str]:
    return [problem for twin in check_twins.find_twins(package) for problem in check_twins.check(twin, package)]


@pytest.mark.parametrize(
    "relative,old,new,expected",
    [
        # A changed argument, in the async twin and in the sync twin.
        (
            "aio/_patch.py",
            'check_options(kwargs, PER_CALL_OPTIONS, "create")',
            'check_options(kwargs, frozenset(), "create")',
            "differs",
        ),
        (
            "_patch.py",
            'check_options(kwargs, PER_CALL_OPTIONS, "create")',
            'check_options(kwargs, frozenset(), "create")',
            "differs",
        ),
        ("aio/_patch.py", "await stream.close()", "pass", "differs"),
        # A method added to one twin only, either way.
        (
            "_patch.py",
            "    def close(self) -> None:",
            "    def extra(self) -> None:\n        pass\n\n    def close(self) -> None:",
            "differs",
        ),
        (
            "aio/_patch.py",
            "    async def close(self) -> None:",
            "    async def extra(self) -> None:\n        pass\n\n    async def close(self) -> None:",
            "differs",
        ),
        # A module-level function added to one twin only, either way.
        (
            "_patch.py",
            "\nclass _InferenceClient",
            "\ndef helper() -> None:\n    pass\n\n\nclass _InferenceClient",
            "sync twin only",
        ),
        (
            "aio/_patch.py",
            "\nclass _InferenceClient",
            "\ndef helper() -> None:\n    pass\n\n\nclass _InferenceClient",
            "async twin only",
        ),
        # The stream twins and the policy twins, which live in one module each.
        (
            "_streaming.py",
            "            await self._response.close()",
            "            pass",
            "StreamingChatCompletions.close differs",
        ),
        (
            "_streaming.py",
            "    def get_final_completion(self) -> ChatCompletions:",
            "    def peek(self) -> None:\n        pass\n\n    def get_final_completion(self) -> ChatCompletions:",
            "peek is defined in the sync twin only",
        ),
        (
            "_policies.py",
            "class AsyncRetryPolicy(_AsyncRetryPolicy[Any, Any]):\n",
            "class AsyncRetryPolicy(_AsyncRetryPolicy[Any, Any]):\n    total = 1\n",
            "total is defined in the async twin only",
        ),
    ],
)
def test_a_change_made_to_one_twin_only_is_reported(tmp_path, relative, old, new, expected):
    problems = _problems(_edited_copy(tmp_path, relative, old, new))
    assert problems and expected in problems[0]


def test_a_difference_is_shown_as_a_unified_diff_of_source_lines(tmp_path):
    package = _edited_copy(tmp_path, "aio/_patch.py", "await stream.close()", "pass")
    (problem,) = _problems(package)
    lines = [line.strip() for line in problem.splitlines()]
    assert lines[0] == "_InferenceClient differs in _patch.py / aio/_patch.py:"
    assert lines[1:3] == ["--- _patch.py (sync)", "+++ aio/_patch.py (async, made sync)"]
    assert "-stream.close()" in [line.replace(" ", "") for line in lines]
    assert "+pass" in [line.replace(" ", "") for line in lines]
