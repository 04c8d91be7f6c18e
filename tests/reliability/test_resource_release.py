"""Every way of leaving a stream early gives its connection back, with no warning, however often it happens.

Each case runs five times on one client: the emulator's count of open TCP connections must stay at one at most
(the pooled keep-alive connection) and fall to zero once the client is closed. Warnings are errors here, so an
"Unclosed client session", "Unclosed connector" or ResourceWarning fails the test; the asyncio error log is
checked for the same messages, which aiohttp also reports there.
"""

from __future__ import annotations

import asyncio
import gc
import logging

import pytest
from azure.core.credentials import AzureKeyCredential

import azure.ai.inference.aio as async_api
from azure.ai.inference import StreamingError
from inference_emulator import DEFAULT_KEY

from _reliability import (
    EXPECTED,
    assert_all_closed,
    assert_released,
    drain,
    fault,
    first_update,
    text_of,
    user,
    wait_open,
)
from _reliability import clean_emulator  # noqa: F401  (autouse: each test starts with no open connection)

pytestmark = [pytest.mark.timeout(60), pytest.mark.filterwarnings("error")]

REPEAT = 5
# The emulator keeps writing while the client leaves early: about 0.6 s of events are still to come.
SLOW = fault("slow-stream;delay=0.05")


@pytest.fixture(autouse=True)
def no_unclosed_reports(caplog):
    """aiohttp reports unclosed sessions and connectors to the event loop's exception handler (the asyncio log)."""
    caplog.set_level(logging.ERROR, logger="asyncio")
    yield
    gc.collect()
    reports = [r.getMessage() for r in caplog.records if "nclosed" in r.getMessage()]
    assert not reports, reports


async def open_stream(m, client):
    return await m.call(client.create_streaming(messages=user(), headers=SLOW))


async def repeat_then_close(emu, m, case):
    """Run `case(m, client)` REPEAT times on one client; at most one connection open after each, none after close."""
    async with m.client("ChatCompletionsClient", emu.url) as client:
        for _ in range(REPEAT):
            await case(m, client)
            await assert_released(emu)
        # The client still works after all that.
        updates, error = await drain(m, await m.call(client.create_streaming(messages=user())))
        assert error is None and text_of(updates) == EXPECTED
    await assert_all_closed(emu)


def test_break_inside_with_block(emu, mode):
    async def case(m, client):
        stream = await open_stream(m, client)
        if m.is_async:
            async with stream:
                async for _update in stream:
                    break
        else:
            with stream:
                for _update in stream:
                    break

    mode.run(lambda m: repeat_then_close(emu, m, case))


def test_break_and_let_the_stream_go_out_of_scope(emu, mode):
    async def case(m, client):
        # No with block and no close(): the stream is released when its last reference goes.
        stream = await open_stream(m, client)
        if m.is_async:
            async for _update in stream:
                break
        else:
            for _update in stream:
                break

    mode.run(lambda m: repeat_then_close(emu, m, case))


class CallerError(Exception):
    pass


def test_exception_in_the_callers_loop_body(emu, mode):
    async def in_with_block(m, client):
        stream = await open_stream(m, client)
        with pytest.raises(CallerError):
            if m.is_async:
                async with stream:
                    async for _update in stream:
                        raise CallerError()
            else:
                with stream:
                    for _update in stream:
                        raise CallerError()

    async def bare_loop(m, client):
        async def consume():
            stream = await open_stream(m, client)
            if m.is_async:
                async for _update in stream:
                    raise CallerError()
            else:
                for _update in stream:
                    raise CallerError()

        try:
            await consume()
        except CallerError:
            pass

    async def case(m, client):
        await in_with_block(m, client)
        await assert_released(emu)
        await bare_loop(m, client)

    mode.run(lambda m: repeat_then_close(emu, m, case))


def test_close_mid_stream(emu, mode):
    async def case(m, client):
        stream = await open_stream(m, client)
        await first_update(m, stream)
        await m.call(stream.close())
        await m.call(stream.close())  # idempotent
        # A closed stream ends; it does not raise.
        updates, error = await drain(m, stream)
        assert updates == [] and error is None

    mode.run(lambda m: repeat_then_close(emu, m, case))


def test_garbage_collection_of_an_unfinished_stream(emu, mode):
    async def case(m, client):
        stream = await open_stream(m, client)
        await first_update(m, stream)
        del stream
        gc.collect()

    mode.run(lambda m: repeat_then_close(emu, m, case))


def test_unfinished_stream_in_a_reference_cycle(emu, mode):

    async def case(m, client):
        stream = await open_stream(m, client)
        await first_update(m, stream)
        holder = {"stream": stream}
        holder["self"] = holder  # only the cyclic collector can free it
        del stream, holder
        gc.collect()

    mode.run(lambda m: repeat_then_close(emu, m, case))


def test_task_cancellation_while_awaiting_the_next_update(emu):
    async def body():
        client = async_api.ChatCompletionsClient(emu.url, AzureKeyCredential(DEFAULT_KEY))
        async with client:
            for _ in range(REPEAT):
                received = []
                first = asyncio.Event()

                async def consume():
                    stream = await client.create_streaming(messages=user(), headers=fault("slow-stream;delay=0.3"))
                    async for update in stream:
                        received.append(update)
                        first.set()

                task = asyncio.create_task(consume())
                await asyncio.wait_for(first.wait(), 5)
                await asyncio.sleep(0.05)  # the task now waits for the next event, 0.3 s away
                task.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await task
                assert 1 <= len(received) < 5  # cancelled mid-stream (the stream has about 14 updates)
                await assert_released(emu)
            # Cancellation did not break the client.
            result = await client.create(messages=user())
            assert result.choices[0].message.content == EXPECTED
        await assert_all_closed(emu)

    asyncio.run(body())


def test_stream_finished_to_done_repeatedly(emu, mode):
    async def case(m, client):
        updates, error = await drain(m, await m.call(client.create_streaming(messages=user())))
        assert error is None and text_of(updates) == EXPECTED

    mode.run(lambda m: repeat_then_close(emu, m, case))


def test_failed_streams_repeatedly(emu, mode):
    async def case(m, client):
        for spec in ("error-event", "no-done", "reset;after=2", "malformed-json"):
            updates, error = await drain(m, await m.call(client.create_streaming(messages=user(), headers=fault(spec))))
            assert isinstance(error, StreamingError)
            del error
        await assert_released(emu)
        # Failures before the stream starts release their connection too.
        for spec in ("wrong-content-type", "status-then-ok;status=503;count=1000", "html-502"):
            with pytest.raises(Exception):
                await m.call(client.create_streaming(messages=user(), headers=fault(spec), retry_total=0))

    mode.run(lambda m: repeat_then_close(emu, m, case))


def test_closing_the_client_releases_an_unfinished_stream(emu, mode):

    async def body(m):
        streams = []
        for _ in range(REPEAT):
            client = m.api.ChatCompletionsClient(emu.url, AzureKeyCredential(DEFAULT_KEY))
            stream = await open_stream(m, client)
            await first_update(m, stream)
            streams.append(stream)  # kept alive on purpose: only closing the client may release it
            await m.call(client.close())
        count = await wait_open(emu, lambda n: n == 0, timeout=2.0)
        for stream in streams:
            await m.call(stream.close())
        del streams
        assert count == 0, f"{count} connections still open after every client was closed"
        await assert_all_closed(emu)

    mode.run(body)


def test_iterating_a_stream_after_its_client_closed_raises_streaming_error(emu, mode):
    outcome = {}

    async def body(m):
        client = m.api.ChatCompletionsClient(emu.url, AzureKeyCredential(DEFAULT_KEY))
        stream = await open_stream(m, client)
        await first_update(m, stream)
        await m.call(client.close())
        updates, error = await drain(m, stream)
        outcome["updates"] = len(updates)
        outcome["error"] = f"{type(error).__name__}: {error}" if error is not None else None
        outcome["streaming_error"] = isinstance(error, StreamingError)
        await m.call(stream.close())
        del stream, error
        await assert_all_closed(emu)

    mode.run(body)
    assert outcome["streaming_error"], f"got {outcome['error']} after {outcome['updates']} more update(s)"


def test_load_client_closes_its_probe(emu, mode):
    async def body(m):
        for _ in range(REPEAT):
            emu.reset_faults()
            # /info answers 503 once (a GET: retried), then the chat client is built with the info cached.
            client = await m.call(
                m.api.load_client(
                    emu.url,
                    AzureKeyCredential(DEFAULT_KEY),
                    headers=fault("status-then-ok;status=503;count=1"),
                    retry_backoff_factor=0.01,
                )
            )
            try:
                assert type(client).__name__ == "ChatCompletionsClient"
                result = await m.call(client.create(messages=user()))
                assert result.choices[0].message.content == EXPECTED
                await assert_released(emu)
            finally:
                await m.call(client.close())
            await assert_all_closed(emu)
            # An endpoint without /info: a clear error, and the probe's connection is closed all the same.
            failure = None
            try:
                await m.call(m.api.load_client(emu.url, AzureKeyCredential(DEFAULT_KEY), headers=fault("detail-body")))
            except Exception as exc:  # pylint: disable=broad-except
                failure = (type(exc).__name__, str(exc))
            assert failure is not None and failure[0] == "ResourceNotFoundError" and "/info" in failure[1]
            await assert_all_closed(emu)

    mode.run(body)
