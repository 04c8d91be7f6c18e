"""EmbeddingsClient.create_many, sync and async, against the emulator: order, batching, throttling, bounded reads."""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError
from azure.core.pipeline.transport import AsyncHttpTransport, HttpTransport

from azure.ai.inference import BulkProgress
from azure.ai.inference._bulk import MAX_PAUSE, Throttle, retry_after
from azure.ai.inference._pipeline import default_async_transport, default_transport
from inference_emulator import Emulator
from inference_emulator.embeddings import embedding_vector

pytestmark = pytest.mark.timeout(60)

DIMS = 4


def _inputs(emu: Emulator) -> list[list[str]]:
    """The `input` of each embeddings request the emulator received, in arrival order."""
    return [r.json["input"] for r in list(emu.requests) if r.path.endswith("/embeddings")]


def _first_input(request: Any) -> str:
    return json.loads(request.content)["input"][0]


class _Counting:
    """What the watching transports share: requests in flight, the most seen at once, answers so far."""

    def __init__(self, hold: str | None, until: int) -> None:
        self.hold, self.until = hold, until
        self.in_flight = self.most_in_flight = self.answered = 0


class WatchingTransport(HttpTransport, _Counting):  # type: ignore[misc]
    """The default sync transport, counting requests in flight; the request whose first text is `hold` waits
    until `until` other answers arrived, so that later batches finish before it."""

    def __init__(self, hold: str | None = None, until: int = 0) -> None:
        _Counting.__init__(self, hold, until)
        self._inner = default_transport()
        self._changed = threading.Condition()

    def send(self, request: Any, **kwargs: Any) -> Any:
        with self._changed:
            if self.hold is not None and _first_input(request) == self.hold:
                assert self._changed.wait_for(lambda: self.answered >= self.until, timeout=30)
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            return self._inner.send(request, **kwargs)
        finally:
            with self._changed:
                self.in_flight -= 1
                self.answered += 1
                self._changed.notify_all()

    def open(self) -> None:
        self._inner.open()

    def close(self) -> None:
        self._inner.close()

    def __enter__(self) -> "WatchingTransport":
        self._inner.__enter__()
        return self

    def __exit__(self, *args: Any) -> None:
        self._inner.__exit__(*args)


class AsyncWatchingTransport(AsyncHttpTransport, _Counting):  # type: ignore[misc]
    """The async twin of `WatchingTransport`."""

    def __init__(self, hold: str | None = None, until: int = 0) -> None:
        _Counting.__init__(self, hold, until)
        self._inner = default_async_transport()
        self._changed: asyncio.Condition | None = None

    async def send(self, request: Any, **kwargs: Any) -> Any:
        if self._changed is None:
            self._changed = asyncio.Condition()
        changed = self._changed
        if self.hold is not None and _first_input(request) == self.hold:
            async with changed:
                await asyncio.wait_for(changed.wait_for(lambda: self.answered >= self.until), 30)
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            return await self._inner.send(request, **kwargs)
        finally:
            self.in_flight -= 1
            self.answered += 1
            async with changed:
                changed.notify_all()

    async def open(self) -> None:
        await self._inner.open()

    async def close(self) -> None:
        await self._inner.close()

    async def __aenter__(self) -> "AsyncWatchingTransport":
        await self._inner.__aenter__()
        return self

    async def __aexit__(self, *args: Any) -> None:
        await self._inner.__aexit__(*args)


def watching(m: Any, hold: str | None = None, until: int = 0) -> Any:
    return AsyncWatchingTransport(hold, until) if m.is_async else WatchingTransport(hold, until)


async def collect(m: Any, items: Any) -> list[Any]:
    if m.is_async:
        return [item async for item in items]
    return list(items)


def test_results_come_in_input_order_when_batches_finish_out_of_order(emu, mode):
    texts = [f"text number {i}" for i in range(20)]

    async def body(m):
        # Batch 1 (texts 2-3) is held until three later batches were answered.
        transport = watching(m, hold=texts[2], until=4)
        async with m.client("EmbeddingsClient", emu.url, transport=transport) as client:
            items = await collect(m, client.create_many(texts, batch_size=2, concurrency=4, dimensions=DIMS))
        assert [item.index for item in items] == list(range(20))
        for item, text in zip(items, texts):
            assert item.embedding == pytest.approx(embedding_vector(text, DIMS))
        sent = _inputs(emu)
        assert sorted(sent) == sorted(texts[i : i + 2] for i in range(0, 20, 2))
        assert sent.index(texts[2:4]) > sent.index(texts[4:6]) and sent.index(texts[2:4]) > sent.index(texts[6:8])
        assert transport.most_in_flight <= 4

    mode.run(body)


def test_batches_are_cut_by_count_and_by_characters(emu, mode):
    texts = ["aaaa", "bbbb", "cccc", "d" * 12, "e", "f", "g", "h"]

    async def body(m):
        async with m.client("EmbeddingsClient", emu.url) as client:
            items = await collect(
                m, client.create_many(texts, batch_size=3, max_batch_chars=10, concurrency=1, dimensions=DIMS)
            )
        assert _inputs(emu) == [["aaaa", "bbbb"], ["cccc"], ["d" * 12], ["e", "f", "g"], ["h"]]
        assert [item.index for item in items] == list(range(len(texts)))
        assert json.loads(emu.requests[0].body)["dimensions"] == DIMS

    mode.run(body)


def test_throttled_batches_are_retried_and_counted(emu, mode):
    texts = [f"t{i}" for i in range(9)]
    seen: list[BulkProgress] = []

    async def body(m):
        async with m.client("EmbeddingsClient", emu.url) as client:
            items = await collect(
                m,
                client.create_many(
                    texts,
                    batch_size=3,
                    concurrency=2,
                    on_progress=seen.append,
                    dimensions=DIMS,
                    headers=Emulator.fault_header("rate-limit", retry_after=0, count=2),
                    retry_backoff_factor=0,
                ),
            )
        assert [item.index for item in items] == list(range(9))
        assert [(p.texts, p.batches) for p in seen] == [(3, 1), (6, 2), (9, 3)]
        assert seen[-1].throttled == 2
        assert len(emu.requests) == 3 + 2  # each 429 was retried once by the retry policy
        assert sorted(map(tuple, _inputs(emu))) == sorted(
            [tuple(texts[0:3])] * 3 + [tuple(texts[3:6]), tuple(texts[6:9])]
        )

    mode.run(body)


def test_a_batch_that_keeps_failing_raises_and_nothing_more_is_sent(emu, mode):
    async def body(m):
        async with m.client("EmbeddingsClient", emu.url) as client:
            items = client.create_many(
                [f"t{i}" for i in range(40)],
                batch_size=2,
                concurrency=8,
                headers=Emulator.fault_header("rate-limit", retry_after=0),
                retry_total=0,
                throttle_budget=0,
            )
            error = await m.raises(HttpResponseError, lambda: collect(m, items))
        assert error.status_code == 429 and error.error.code == "TooManyRequests"
        assert len(emu.requests) == 1  # the first batch goes alone

    mode.run(body)


def test_a_bad_text_is_raised_after_the_batches_before_it(emu, mode):
    texts: list[Any] = ["a", "b", "c", "d", 5, "f"]

    async def body(m):
        got: list[int] = []
        async with m.client("EmbeddingsClient", emu.url) as client:
            items = client.create_many(texts, batch_size=2, concurrency=4, dimensions=DIMS)

            async def drain() -> None:
                if m.is_async:
                    async for item in items:
                        got.append(item.index)
                else:
                    for item in items:
                        got.append(item.index)

            error = await m.raises(TypeError, drain)
        assert "texts[4]" in str(error)
        assert got == [0, 1, 2, 3]
        assert _inputs(emu) == [["a", "b"], ["c", "d"]]

    mode.run(body)


def test_a_large_input_is_read_lazily_with_bounded_requests_in_flight(emu, mode):
    total, batch_size, concurrency = 20_000, 50, 4
    consumed = [0]

    def generate():
        for i in range(total):
            consumed[0] += 1
            yield f"generated text {i}"

    async def body(m):
        transport = watching(m)
        most_ahead = 0
        count = 0
        async with m.client("EmbeddingsClient", emu.url, transport=transport) as client:
            items = client.create_many(generate(), batch_size=batch_size, concurrency=concurrency, dimensions=1)

            def check(item: Any) -> None:
                nonlocal most_ahead, count
                assert item.index == count
                count += 1
                most_ahead = max(most_ahead, consumed[0] - count)

            if m.is_async:
                async for item in items:
                    check(item)
            else:
                for item in items:
                    check(item)
        assert count == total
        # Never more texts read ahead of the caller than the batches the window holds, plus the one being filled.
        assert most_ahead <= (concurrency + 1) * batch_size
        assert transport.most_in_flight <= concurrency
        assert transport.most_in_flight > 1

    mode.run(body)


def test_async_iterables_are_accepted(emu):
    from azure.ai.inference.aio import EmbeddingsClient
    from azure.core.credentials import AzureKeyCredential

    async def texts():
        for i in range(5):
            yield f"async text {i}"

    async def body():
        async with EmbeddingsClient(emu.url, AzureKeyCredential(emu.key)) as client:
            return [item.index async for item in client.create_many(texts(), batch_size=2, dimensions=DIMS)]

    assert asyncio.run(body()) == [0, 1, 2, 3, 4]
    assert _inputs(emu) == [["async text 0", "async text 1"], ["async text 2", "async text 3"], ["async text 4"]]


def test_stopping_early_cancels_the_batches_not_yet_sent(emu, mode):
    async def body(m):
        async with m.client("EmbeddingsClient", emu.url) as client:
            items = client.create_many([f"t{i}" for i in range(1000)], batch_size=2, concurrency=3, dimensions=DIMS)
            if m.is_async:
                first = [await items.__anext__() for _ in range(3)]
                await items.aclose()
            else:
                first = [next(items) for _ in range(3)]
                items.close()
        assert [item.index for item in first] == [0, 1, 2]
        assert len(emu.requests) <= 1 + 3
        assert emu.wait_for_open_connections(0)

    mode.run(body)


@pytest.mark.parametrize(
    "arguments,error,words",
    [
        ({"texts": "one string"}, TypeError, "texts"),
        ({"texts": 5}, TypeError, "texts"),
        ({"batch_size": 0}, ValueError, "batch_size"),
        ({"concurrency": "4"}, TypeError, "concurrency"),
        ({"max_batch_chars": True}, TypeError, "max_batch_chars"),
        ({"on_progress": "print"}, TypeError, "on_progress"),
        ({"dimensions": 0}, ValueError, "dimensions"),
        ({"colour": "blue"}, TypeError, "colour"),
    ],
)
def test_bad_arguments_fail_before_any_request(emu, mode, arguments, error, words):
    async def body(m):
        async with m.client("EmbeddingsClient", emu.url) as client:
            given = {"texts": ["a", "b"], **arguments}
            with pytest.raises(error, match=words):
                client.create_many(given.pop("texts"), **given)
        assert emu.requests == []

    mode.run(body)


# ------------------------------------------------------------------ the throttle, on its own clock (no I/O)


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_throttle_holds_new_batches_for_the_delay_a_429_or_503_asks_for():
    clock = _Clock()
    throttle = Throttle(clock)
    throttle.observe(200, {"Retry-After": "30"})
    assert throttle.delay() == 0 and throttle.throttled == 0
    throttle.observe(429, {"retry-after": "5"})
    clock.now += 1
    assert throttle.delay() == pytest.approx(4)
    throttle.observe(503, {"retry-after-ms": "1500"})  # sooner than the pause already set: the later one stands
    assert throttle.delay() == pytest.approx(4)
    throttle.observe(429, {"Retry-After": "100000"})
    assert throttle.delay() == pytest.approx(MAX_PAUSE)
    assert throttle.throttled == 3
    clock.now += MAX_PAUSE + 1
    assert throttle.delay() == 0


@pytest.mark.parametrize(
    "headers,seconds",
    [
        ({"retry-after": "2"}, 2.0),
        ({"retry-after": "0.5"}, 0.5),
        ({"retry-after-ms": "250"}, 0.25),
        ({"x-ms-retry-after-ms": "10", "retry-after": "9"}, 0.01),
        ({"retry-after": "Thu, 01 Jan 1970 00:00:00 GMT"}, 0.0),
        ({"retry-after": "soon"}, None),
        ({"retry-after": "nan"}, None),
        ({}, None),
    ],
)
def test_retry_after_reads_every_form(headers, seconds):
    assert retry_after(headers) == seconds
