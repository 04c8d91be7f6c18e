"""Bounded load on one async client: 500 concurrent streams and 2,000 concurrent calls against the emulator.

Each test checks that every call succeeds with its own answer, that no connection outlives the client, and that
the process's resident memory after a garbage collection comes back close to where it started. The figures
(wall time, peak connections, memory) are recorded as test properties and printed; docs/reliability.md lists
them as measured on a 2-core machine. The emulator runs in this process (its own thread and event loop), so the
memory figures include its side of every connection.
"""

from __future__ import annotations

import asyncio
import gc
import time

import aiohttp
import pytest
from azure.core.credentials import AzureKeyCredential
from azure.core.pipeline.transport import AioHttpTransport

import azure.ai.inference.aio as async_api
from inference_emulator import DEFAULT_KEY

from _reliability import assert_all_closed, rss_mib, wait_open
from _reliability import clean_emulator  # noqa: F401  (autouse: each test starts with no open connection)

# Time and memory thresholds belong to measurements, not to the default run on a shared machine: these tests
# run only with `./tasks test --run-load` (see tests/conftest.py).
pytestmark = [pytest.mark.load, pytest.mark.timeout(60), pytest.mark.filterwarnings("error")]

STREAMS = 500
CALLS = 2000
TIME_LIMIT = 20.0  # seconds, per test
RSS_LIMIT = 60.0  # MiB above the start, after gc


def report(record_property, **figures):
    for name, value in figures.items():
        record_property(name, value)
    print(" ".join(f"{k}={v:.2f}" if isinstance(v, float) else f"{k}={v}" for k, v in figures.items()))


@pytest.mark.parametrize("pool", ["unlimited", "default"])
def test_500_concurrent_streams(emu, record_property, pool):
    """`unlimited`: an aiohttp connector without a limit, so all 500 streams are open at the same moment (each
    waits at a barrier after its first update). `default`: azure-core's own session, whose connector allows 100
    connections; the other streams queue for one."""

    async def body():
        transport = None
        if pool == "unlimited":
            session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
            transport = AioHttpTransport(session=session, session_owner=True)
        kwargs = {"transport": transport} if transport else {}
        client = async_api.ChatCompletionsClient(emu.url, AzureKeyCredential(DEFAULT_KEY), **kwargs)
        started = 0
        everyone_started = asyncio.Event()
        peak = 0  # connections open on the server side
        open_streams = peak_streams = 0  # streams between their headers and their end, on the client side

        async def one(i):
            nonlocal started, peak, open_streams, peak_streams
            stream = await client.create_streaming(messages=[{"role": "user", "content": f"stream number {i}"}])
            open_streams += 1
            peak_streams = max(peak_streams, open_streams)
            async with stream:
                pieces = []
                async for update in stream:
                    pieces.append(update.choices[0].delta.content)
                    if len(pieces) == 1 and pool == "unlimited":
                        started += 1
                        if started == STREAMS:
                            everyone_started.set()
                        await everyone_started.wait()
                    peak = max(peak, emu.open_connections)
            open_streams -= 1
            return "".join(pieces)

        gc.collect()
        rss_start = rss_mib()
        start = time.monotonic()
        async with client:
            texts = await asyncio.wait_for(asyncio.gather(*(one(i) for i in range(STREAMS))), TIME_LIMIT)
            elapsed = time.monotonic() - start
        closed = await wait_open(emu, lambda n: n == 0)
        emu.clear()
        gc.collect()
        rss_growth = rss_mib() - rss_start
        report(
            record_property,
            streams=STREAMS,
            pool=pool,
            seconds=elapsed,
            peak_streams=peak_streams,
            peak_connections=peak,
            rss_start_mib=rss_start,
            rss_growth_mib=rss_growth,
        )
        assert texts == [f"Emulated reply to: stream number {i}" for i in range(STREAMS)]
        assert closed == 0
        assert elapsed < TIME_LIMIT
        assert rss_growth < RSS_LIMIT
        if pool == "unlimited":
            assert peak_streams == STREAMS  # they really were open together
            assert peak >= STREAMS * 0.9
        else:
            # The connector's limit. (The server may count a closing connection a moment longer than the client.)
            assert peak_streams <= 100

    asyncio.run(body())
    gc.collect()


def test_2000_concurrent_calls(emu, record_property):
    """No semaphore: all 2,000 coroutines are started at once and queue for the connector's 100 connections.
    Two rounds: the second must not grow the process beyond the first (memory reaches a plateau, no leak)."""

    async def body():
        client = async_api.ChatCompletionsClient(emu.url, AzureKeyCredential(DEFAULT_KEY))
        peak = 0

        async def one(i):
            nonlocal peak
            result = await client.create(messages=[{"role": "user", "content": f"call number {i}"}])
            peak = max(peak, emu.open_connections)
            return result.choices[0].message.content

        gc.collect()
        rss_start = rss_mib()
        rounds = []
        async with client:
            for _ in range(2):
                start = time.monotonic()
                texts = await asyncio.wait_for(asyncio.gather(*(one(i) for i in range(CALLS))), TIME_LIMIT)
                rounds.append(time.monotonic() - start)
                assert texts == [f"Emulated reply to: call number {i}" for i in range(CALLS)]
                del texts
                emu.clear()
                gc.collect()
                rounds.append(rss_mib() - rss_start)
        closed = await wait_open(emu, lambda n: n == 0)
        gc.collect()
        rss_growth = rss_mib() - rss_start
        first_seconds, first_growth, second_seconds, second_growth = rounds
        report(
            record_property,
            calls=CALLS,
            first_round_seconds=first_seconds,
            second_round_seconds=second_seconds,
            peak_connections=peak,
            rss_start_mib=rss_start,
            rss_growth_first_round_mib=first_growth,
            rss_growth_second_round_mib=second_growth,
            rss_growth_after_close_mib=rss_growth,
        )
        assert closed == 0
        assert first_seconds < TIME_LIMIT / 2 and second_seconds < TIME_LIMIT / 2
        assert peak <= 110  # the connector's 100, and connections the server has not yet seen closed
        assert rss_growth < RSS_LIMIT
        assert second_growth - first_growth < 15.0

    asyncio.run(body())
    gc.collect()


def test_connections_are_back_to_zero(emu):
    asyncio.run(assert_all_closed(emu))
