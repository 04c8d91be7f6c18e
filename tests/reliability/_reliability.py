"""Helpers shared by the reliability tests: fault headers, draining streams, waiting on the emulator's sockets.

The tests run against the session emulator of `tests/conftest.py` (fixtures `emu` and `mode`). Everything here
is plain functions; the test modules import them by name.
"""

from __future__ import annotations

import asyncio
import gc
import time
from typing import Any, Callable, Optional

import pytest
from azure.core.exceptions import HttpResponseError

PROMPT = "reliability check one two three four five six seven eight"
EXPECTED = "Emulated reply to: " + PROMPT

# Small retry settings so that retried cases take milliseconds, not seconds.
FAST_RETRY: dict[str, Any] = {"retry_total": 3, "retry_backoff_factor": 0.01, "retry_backoff_max": 0.05}


@pytest.fixture(autouse=True)
def clean_emulator(emu: Any) -> Any:
    """Start each test with no connection open on the emulator.

    A test that failed (or an expected failure) may leave a connection referenced from its traceback until the
    cyclic garbage collector runs; collecting first keeps one test's leftovers out of the next one's counts.
    """
    if emu.open_connections:
        gc.collect()
        deadline = time.monotonic() + 5.0
        while emu.open_connections and time.monotonic() < deadline:
            time.sleep(0.01)
    yield emu


def fault(spec: str) -> dict[str, str]:
    """The request header that selects one emulator fault, e.g. `fault("status-then-ok;status=503;count=2")`."""
    return {"x-emulator-fault": spec}


def user(text: str = PROMPT) -> list[dict[str, str]]:
    return [{"role": "user", "content": text}]


async def drain(m: Any, stream: Any) -> tuple[list[Any], Optional[BaseException]]:
    """Iterate a stream to its end; returns the updates received and the exception that ended it, if any."""
    received: list[Any] = []
    try:
        if m.is_async:
            async for update in stream:
                received.append(update)
        else:
            for update in stream:
                received.append(update)
    except Exception as exc:  # pylint: disable=broad-except
        return received, exc
    return received, None


async def first_update(m: Any, stream: Any) -> Any:
    """The next update of a stream, without finishing it."""
    if m.is_async:
        return await stream.__anext__()
    return next(stream)


def text_of(updates: list[Any]) -> str:
    return "".join(u.choices[0].delta.content for u in updates)


async def wait_open(emu: Any, done: Callable[[int], bool], timeout: float = 5.0) -> int:
    """Poll the emulator's open TCP connections until `done(count)` holds or `timeout` passes; returns the count.

    Sleeps with asyncio so that an async client's event loop keeps running (sockets close on the loop).
    """
    deadline = time.monotonic() + timeout
    while True:
        count = emu.open_connections
        if done(count) or time.monotonic() > deadline:
            return count
        await asyncio.sleep(0.01)


async def assert_released(emu: Any, at_most: int = 1) -> None:
    """At most `at_most` connections (the pooled keep-alive one) stay open on the server side."""
    count = await wait_open(emu, lambda n: n <= at_most)
    assert count <= at_most, f"{count} connections still open; expected at most {at_most}"


async def assert_all_closed(emu: Any) -> None:
    gc.collect()
    count = await wait_open(emu, lambda n: n == 0)
    assert count == 0, f"{count} connections still open after the client was closed"


def assert_clear_error(error: HttpResponseError, status: int, code: str, *texts: str) -> None:
    """The exception names the status, the error code, the message and the service's request id."""
    assert error.status_code == status
    text = str(error)
    assert str(status) in text
    assert error.error is not None and error.error.code == code
    assert code in text
    for needle in texts:
        assert needle in text, f"{needle!r} not in {text!r}"
    request_id = error.response.headers["x-request-id"]
    assert request_id and request_id in text


def rss_mib() -> float:
    """This process's resident set size in MiB, from /proc/self/status."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("VmRSS not found in /proc/self/status")
