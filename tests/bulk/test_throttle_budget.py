"""Bulk jobs wait out throttling within a budget: `create_many` (sync and async) and `azure-ai-inference embed`
against the emulator's rate-limit faults, with Retry-After kept to milliseconds so that nothing sleeps long."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Optional

import pytest
from azure.core.exceptions import HttpResponseError

from azure.ai.inference import BulkProgress
from azure.ai.inference._bulk import DEFAULT_THROTTLE_BUDGET, MAX_PAUSE, Batch, BatchTries
from inference_emulator import DEFAULT_KEY, Emulator

pytestmark = pytest.mark.timeout(90)

DIMS = 2
REPO_ROOT = Path(__file__).resolve().parents[2]


async def collect(m: Any, items: Any) -> list[Any]:
    if m.is_async:
        return [item async for item in items]
    return list(items)


def _embedding_requests(emu: Emulator) -> int:
    return sum(1 for r in list(emu.requests) if r.path.endswith("/embeddings"))


def test_a_burst_of_20_rate_limits_is_waited_out_with_the_defaults(emu, mode):
    """azure-core's retry policy gives up after retry_status (3) retries; create_many sends the batch again."""
    texts = [f"t{i}" for i in range(10)]
    seen: list[BulkProgress] = []

    async def body(m):
        async with m.client("EmbeddingsClient", emu.url) as client:
            items = await collect(
                m,
                client.create_many(
                    texts,
                    batch_size=5,
                    on_progress=seen.append,
                    dimensions=DIMS,
                    headers=Emulator.fault_header("rate-limit", count=20, retry_after=0.001),
                ),
            )
        assert [item.index for item in items] == list(range(10))
        assert seen[-1] == BulkProgress(texts=10, batches=2, throttled=20)
        assert _embedding_requests(emu) == 20 + 2

    mode.run(body)


def test_retry_after_ms_alone_is_honoured_too(emu, mode):
    async def body(m):
        async with m.client("EmbeddingsClient", emu.url) as client:
            items = await collect(
                m,
                client.create_many(
                    ["a", "b"],
                    dimensions=DIMS,
                    headers=Emulator.fault_header("rate-limit-ms", count=9, retry_after_ms=1),
                ),
            )
        assert [item.index for item in items] == [0, 1]
        assert _embedding_requests(emu) == 9 + 1

    mode.run(body)


def test_a_spent_budget_fails_with_an_error_that_says_so(emu, mode):
    async def body(m):
        async with m.client("EmbeddingsClient", emu.url) as client:
            items = client.create_many(
                [f"t{i}" for i in range(6)],
                batch_size=3,
                throttle_budget=0.2,
                headers=Emulator.fault_header("rate-limit", retry_after=0.02),  # every answer is a 429
            )
            error = await m.raises(HttpResponseError, lambda: collect(m, items))
        assert error.status_code == 429
        assert error.error.code == "TooManyRequests"  # the service's code stays readable
        assert "throttle budget of 0.2 s spent" in str(error)
        assert "texts 0 to 2" in str(error) and "throttle_budget=" in str(error)
        assert isinstance(error.__cause__, HttpResponseError) and error.__cause__.status_code == 429
        # Waits of 20 ms within 200 ms: several rounds of the retry policy's 4 tries, then it stops.
        assert 8 <= _embedding_requests(emu) <= 4 * 12

    mode.run(body)


def test_a_budget_of_zero_leaves_throttling_to_the_retry_policy(emu, mode):
    async def body(m):
        async with m.client("EmbeddingsClient", emu.url) as client:
            items = client.create_many(
                ["a", "b"],
                throttle_budget=0,
                headers=Emulator.fault_header("rate-limit", count=20, retry_after=0.001),
            )
            error = await m.raises(HttpResponseError, lambda: collect(m, items))
        assert error.status_code == 429
        assert _embedding_requests(emu) == 1 + 3  # the retry policy's retry_status (3), then the job fails

    mode.run(body)


def test_more_retries_of_the_retry_policy_count_within_the_same_budget(emu, mode):
    async def body(m):
        async with m.client("EmbeddingsClient", emu.url) as client:
            items = await collect(
                m,
                client.create_many(
                    ["a"],
                    retry_status=25,
                    retry_total=25,
                    headers=Emulator.fault_header("rate-limit", count=20, retry_after=0.001),
                ),
            )
        assert len(items) == 1
        assert _embedding_requests(emu) == 21

    mode.run(body)


def test_a_retry_after_longer_than_retry_after_max_fails_at_once(emu, mode):
    async def body(m):
        async with m.client("EmbeddingsClient", emu.url) as client:
            items = client.create_many(["a"], headers=Emulator.fault_header("rate-limit", retry_after=100))
            error = await m.raises(HttpResponseError, lambda: collect(m, items))
        assert error.status_code == 429
        assert "retry_after_max" in str(error)
        assert _embedding_requests(emu) == 1  # neither the retry policy nor create_many waits 100 s

    mode.run(body)


def test_failures_other_than_throttling_are_not_sent_again(emu, mode):
    async def body(m):
        async with m.client("EmbeddingsClient", emu.url) as client:
            items = client.create_many(
                ["a"], retry_total=0, headers=Emulator.fault_header("status-then-ok", status=500, count=5)
            )
            error = await m.raises(HttpResponseError, lambda: collect(m, items))
        assert error.status_code == 500
        assert _embedding_requests(emu) == 1

    mode.run(body)


@pytest.mark.parametrize(
    "budget,error", [(-1, ValueError), (float("inf"), ValueError), (float("nan"), ValueError), ("600", TypeError)]
)
def test_a_bad_budget_fails_before_any_request(emu, mode, budget, error):
    async def body(m):
        async with m.client("EmbeddingsClient", emu.url) as client:
            with pytest.raises(error, match="throttle_budget"):
                client.create_many(["a"], throttle_budget=budget)
        assert emu.requests == []

    mode.run(body)


# ------------------------------------------------------------------ the decisions, on their own clock (no I/O)


class _Clock:
    def __init__(self) -> None:
        self.now = 50.0

    def __call__(self) -> float:
        return self.now


class _Response:
    def __init__(self, headers: dict[str, str]) -> None:
        self.status_code = 429
        self.reason = "Too Many Requests"
        self.headers = headers
        self.request = None

    def text(self) -> str:
        return '{"error": {"code": "TooManyRequests", "message": "slow down"}}'


def _throttled(headers: dict[str, str]) -> HttpResponseError:
    return HttpResponseError(message="slow down", response=_Response(headers))


def test_without_a_delay_named_the_batch_backs_off_until_the_budget_is_spent():
    clock = _Clock()
    tries = BatchTries(Batch(10, ["x", "y"]), budget=100, clock=clock)
    waits = []
    with pytest.raises(HttpResponseError) as caught:
        while True:
            wait = tries.next_wait(_throttled({}))
            waits.append(wait)
            clock.now += wait
    assert waits == [1, 2, 4, 8, 16, 32]  # 63 s; 64 more would pass 100
    assert "texts 10 to 11" in str(caught.value) and "100 s" in str(caught.value)


def test_the_delay_named_is_used_and_capped_by_the_throttle():
    clock = _Clock()
    tries = BatchTries(Batch(0, ["x"]), budget=DEFAULT_THROTTLE_BUDGET, clock=clock)
    assert tries.next_wait(_throttled({"Retry-After": "7"})) == 7
    assert tries.next_wait(_throttled({"retry-after-ms": "250"})) == 0.25
    assert tries.next_wait(_throttled({"Retry-After": "0"})) == 4  # 0 asks for the backoff (the third resend)
    assert MAX_PAUSE <= DEFAULT_THROTTLE_BUDGET


def test_other_statuses_are_raised_as_they_are():
    tries = BatchTries(Batch(0, ["x"]), budget=600, clock=_Clock())
    response = _Response({})
    response.status_code = 500
    error = HttpResponseError(message="boom", response=response)
    with pytest.raises(HttpResponseError) as caught:
        tries.next_wait(error)
    assert caught.value is error


# ------------------------------------------------------------------------------------------- command line


def _embed(emu_endpoint: str, tmp_path: Path, *options: str) -> tuple[subprocess.CompletedProcess[str], Path]:
    source = tmp_path / "corpus.txt"
    source.write_text("".join(f"line {i}\n" for i in range(8)))
    target = tmp_path / "out.jsonl"
    env = {name: value for name, value in os.environ.items() if not name.startswith(("AZURE_", "PYTHON"))}
    env.update(AZURE_AI_INFERENCE_ENDPOINT=emu_endpoint, AZURE_AI_INFERENCE_KEY=DEFAULT_KEY)
    command = ["embed", "--input", str(source), "--output", str(target), "--batch-size", "4", "--dimensions", "2"]
    done = subprocess.run(
        [sys.executable, "-m", "azure.ai.inference", *command, "--progress", "none", *options],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO_ROOT,
        timeout=60,
    )
    return done, target


def _error_line(done: subprocess.CompletedProcess[str]) -> Optional[str]:
    lines = done.stderr.splitlines()
    return lines[0] if len(lines) == 1 else None


def test_the_command_line_waits_out_20_rate_limits_and_reports_them(emu, tmp_path):
    done, target = _embed(emu.url + "/fault/rate-limit;count=20;retry_after=0.001", tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines() == [f"embedded 8 texts into {target}, 20 throttled answers retried"]
    assert [json.loads(line)["index"] for line in target.read_text().splitlines()] == list(range(8))
    assert _embedding_requests(emu) == 20 + 2


def test_the_command_line_fails_clearly_when_its_throttle_budget_is_spent(emu, tmp_path):
    done, _ = _embed(emu.url + "/fault/rate-limit;retry_after=0.02", tmp_path, "--throttle-budget", "0.1")
    assert done.returncode == 1, done.stderr
    line = _error_line(done)
    assert line is not None, done.stderr
    assert line.startswith("azure-ai-inference: error: 429 TooManyRequests: ")
    assert "throttle budget of 0.1 s spent" in line
