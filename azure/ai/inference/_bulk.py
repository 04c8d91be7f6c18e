# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""Bulk embeddings: `EmbeddingsClient.create_many` and its async twin.

Strategy: the decisions are plain objects with no I/O, shared by both drivers:
- `Batcher` groups texts into batches, closing a batch when it holds `batch_size` texts or when the next text
  would take it past `max_batch_chars` characters (a single longer text goes alone);
- `Throttle` remembers the latest "retry after" a 429 or 503 answer asked for, so that no worker starts a new
  batch before then. The client's retry policy already retries the throttled request itself after the delay;
  the throttle keeps the other workers from piling more requests onto an endpoint that just said it is full;
- `BatchTries` decides what happens when the retry policy gives up on a throttled batch (after `retry_status`
  tries, 3 by default): the batch is sent again after the delay the last answer asked for (or a backoff of 1, 2,
  4, ... up to 60 s when it named none, or 0), until the batch has been throttled for `throttle_budget` seconds (600
  by default), counted from its first 429 or 503 answer and the retry policy's own waits included. A job of
  hours thus waits out a busy endpoint instead of failing on its fourth 429 in a row. A delay longer than
  `retry_after_max`, which the retry policy refused to wait for, and every other failure, are raised as they are;
- `batch_items` turns one batch's answer into its items, with `index` counted over the whole input.

The drivers `embed_many` (threads) and `embed_many_async` (tasks) keep a window of at most `concurrency` batches
that were sent and not yet handed to the caller, take texts from the input only to fill that window, and hand the
results back in input order: memory grows with the concurrency, never with the input. The first batch goes alone,
so that a wrong key or endpoint fails with one request and the connection pool is set up before the workers start.
A batch that fails raises its error when its turn comes, after every earlier item was handed over; the batches
behind it are cancelled.
Likewise a text that is not a str, or an error raised by the input itself, stops the reading of the input and is
raised once the batches before it were handed over.
"""

from __future__ import annotations

import collections
import email.utils
import math
import threading
import time
from collections.abc import (
    AsyncGenerator,
    AsyncIterable,
    AsyncIterator,
    Awaitable,
    Callable,
    Iterable,
    Iterator,
    Mapping,
)
from typing import TYPE_CHECKING, Any, NamedTuple, Optional, Union, cast

from azure.core.exceptions import DecodeError, HttpResponseError

from ._core.errors import build_error
from ._policies import RETRY_AFTER_REFUSED
from .models import EmbeddingItem, EmbeddingsResult

if TYPE_CHECKING:
    import asyncio
    from concurrent.futures import Future

__all__ = ["BulkProgress"]

DEFAULT_BATCH_SIZE = 64
DEFAULT_BATCH_CHARS = 64_000
DEFAULT_CONCURRENCY = 4
# The longest pause a Retry-After header can impose on the whole job.
MAX_PAUSE = 60.0
# The most seconds one batch may spend throttled (429 or 503 answers and the waits they ask for) before the job
# fails; see `BatchTries`.
DEFAULT_THROTTLE_BUDGET = 600.0
_THROTTLED = (429, 503)

Texts = Iterable[str]
AsyncTexts = Union[Iterable[str], AsyncIterable[str]]


class BulkProgress(NamedTuple):
    """How far a `create_many` job has come, passed to its `on_progress` callback once the items of a batch were
    all yielded: the caller has received `texts` items."""

    texts: int
    """Texts embedded and handed over so far."""
    batches: int
    """Batches handed over so far."""
    throttled: int
    """429 and 503 answers seen so far (each was retried, by the client's retry policy or by `create_many`)."""


class Batch(NamedTuple):
    """A run of consecutive texts sent in one request; `start` is the index of its first text in the input."""

    start: int
    texts: list[str]


class BulkPlan(NamedTuple):
    """The checked arguments of one `create_many` call."""

    batch_size: int
    max_batch_chars: int
    concurrency: int
    on_progress: Optional[Callable[[BulkProgress], None]]
    throttle_budget: float = DEFAULT_THROTTLE_BUDGET


def _positive(name: str, value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{name} must be at least 1, got {value}")
    return value


def check_throttle_budget(value: Any) -> float:
    """A `throttle_budget`: a finite number of seconds >= 0."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"throttle_budget must be a number of seconds, not {type(value).__name__}")
    if not (math.isfinite(value) and value >= 0):
        raise ValueError(f"throttle_budget must be a finite number of seconds >= 0, got {value!r}")
    return float(value)


def bulk_plan(
    texts: Any,
    batch_size: Any,
    max_batch_chars: Any,
    concurrency: Any,
    on_progress: Any,
    throttle_budget: Any = DEFAULT_THROTTLE_BUDGET,
) -> BulkPlan:
    """Check `create_many`'s own arguments before anything is sent."""
    if isinstance(texts, (str, bytes)) or not (hasattr(texts, "__iter__") or hasattr(texts, "__aiter__")):
        raise TypeError(f"texts must be an iterable of str (a list, a generator, a file), not {type(texts).__name__}")
    if on_progress is not None and not callable(on_progress):
        raise TypeError("on_progress must be a callable taking a BulkProgress")
    callback = cast("Optional[Callable[[BulkProgress], None]]", on_progress)
    return BulkPlan(
        _positive("batch_size", batch_size),
        _positive("max_batch_chars", max_batch_chars),
        _positive("concurrency", concurrency),
        callback,
        check_throttle_budget(throttle_budget),
    )


class Batcher:
    """Groups texts into batches by count and by size; feed it with `add`, and `flush` at the end."""

    def __init__(self, plan: BulkPlan) -> None:
        self._size = plan.batch_size
        self._chars = plan.max_batch_chars
        self._next_index = 0
        self._texts: list[str] = []
        self._length = 0

    def add(self, text: Any) -> Optional[Batch]:
        """Take the next text; returns a batch when one is complete."""
        if not isinstance(text, str):
            raise TypeError(f"texts[{self._next_index}] must be a str, not {type(text).__name__}")
        done: Optional[Batch] = None
        if self._texts and self._length + len(text) > self._chars:
            done = self.flush()
        self._next_index += 1
        self._texts.append(text)
        self._length += len(text)
        if len(self._texts) >= self._size:  # never right after a flush: a batch kept open holds < size texts
            done = self.flush()
        return done

    def flush(self) -> Optional[Batch]:
        """The batch being filled, if it holds any text."""
        if not self._texts:
            return None
        batch = Batch(self._next_index - len(self._texts), self._texts)
        self._texts = []
        self._length = 0
        return batch


def retry_after(headers: Mapping[str, str]) -> Optional[float]:
    """The delay a throttled answer asks for, in seconds: `retry-after-ms`, `x-ms-retry-after-ms` or
    `Retry-After` (seconds or an HTTP date); None when there is none or it cannot be read."""
    headers = {name.lower(): value for name, value in headers.items()}
    for name in ("retry-after-ms", "x-ms-retry-after-ms"):
        value = headers.get(name)
        if value:
            try:
                millis = float(value)
            except ValueError:
                continue
            if math.isfinite(millis) and millis >= 0:
                return millis / 1000.0
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = when.timestamp() - time.time()
    return max(0.0, seconds) if math.isfinite(seconds) else None


class Throttle:
    """The pause every worker honours before it sends a new batch, set by 429 and 503 answers."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._resume_at = 0.0
        self.throttled = 0

    def observe(self, status: int, headers: Mapping[str, str]) -> None:
        """Note one response; a 429 or 503 holds new batches back for the delay it asks for."""
        if status not in _THROTTLED:
            return
        delay = min(retry_after(headers) or 0.0, MAX_PAUSE)
        with self._lock:
            self.throttled += 1
            self._resume_at = max(self._resume_at, self._clock() + delay)

    def delay(self) -> float:
        """Seconds to wait before sending a new batch (0 when not throttled)."""
        with self._lock:
            return max(0.0, self._resume_at - self._clock())

    def response_hook(self, user_hook: Optional[Callable[[Any], Any]]) -> Callable[[Any], Any]:
        """A `raw_response_hook` that feeds the throttle (called for each try, retries included), then calls
        the caller's own hook, if any."""

        def hook(pipeline_response: Any) -> Any:
            response = pipeline_response.http_response
            self.observe(response.status_code, response.headers)
            if user_hook is not None:
                return user_hook(pipeline_response)
            return None

        return hook


class BatchTries:
    """One batch's way through throttling (no I/O): when its first 429 or 503 came, and whether and when to send
    it again once the retry policy gave up on it."""

    def __init__(self, batch: Batch, budget: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._batch = batch
        self._budget = budget
        self._clock = clock
        self._first: Optional[float] = None
        self._context: Any = None
        self.resends = 0

    def options(self, call_options: Mapping[str, Any]) -> dict[str, Any]:
        """The call's options with a `raw_response_hook` that also notes this batch's answers."""
        hook: Callable[[Any], Any] = call_options["raw_response_hook"]

        def batch_hook(pipeline_response: Any) -> Any:
            self._context = pipeline_response.context
            if self._first is None and pipeline_response.http_response.status_code in _THROTTLED:
                self._first = self._clock()
            return hook(pipeline_response)

        return {**call_options, "raw_response_hook": batch_hook}

    def next_wait(self, error: HttpResponseError) -> float:
        """The seconds to wait before sending the batch again after `error`, the call's final answer. Raises
        `error` itself when it is not a 429 or 503, or when the retry policy refused the wait it asked for; raises
        a fresh error of the same type, chained from it, when the wait would take the batch past its budget."""
        context, self._context = self._context, None
        response: Any = error.response
        if error.status_code not in _THROTTLED or response is None:
            raise error
        if context is not None and context.get(RETRY_AFTER_REFUSED):
            raise error  # longer than retry_after_max (or the call's timeout): the message says so
        now = self._clock()
        first = now if self._first is None else self._first
        self._first = first
        asked = retry_after(response.headers)
        # No delay, or 0, asks for a backoff (as azure-core's retry policy reads it): never a tight loop.
        wait = asked if asked else min(2.0**self.resends, MAX_PAUSE)
        throttled = now - first
        if self._budget <= 0 or throttled + wait > self._budget:
            raise self._spent(error, throttled, wait) from error
        self.resends += 1
        return wait

    def _spent(self, error: HttpResponseError, throttled: float, wait: float) -> HttpResponseError:
        response: Any = error.response
        try:
            text = response.text()
        except Exception:  # pylint: disable=broad-except  # the body only adds detail
            text = ""
        details: Any = error.error
        code: Optional[str] = getattr(details, "code", None)
        message = getattr(details, "message", None) or str(error.message).splitlines()[0]
        batch = self._batch
        note = (
            f"The batch of texts {batch.start} to {batch.start + len(batch.texts) - 1} was throttled for "
            f"{throttled:.1f} s and the service asks for {wait:.1f} s more: over its throttle_budget of "
            f"{self._budget:g} s. Pass a larger throttle_budget= (--throttle-budget on the command line), lower "
            "the concurrency, or run the job again later."
        )
        return build_error(
            response,
            text,
            hint=note,
            exc_type=type(error),
            code=code,
            message=f"{message} (still throttled after {throttled:.0f} s: throttle budget of {self._budget:g} s spent)",
        )


def _position(item: EmbeddingItem) -> int:
    index: Any = item.index  # whatever the service sent
    return index if isinstance(index, int) else -1


def batch_items(batch: Batch, result: EmbeddingsResult) -> list[EmbeddingItem]:
    """The items of one batch's answer in input order, each `index` counted from the start of the whole input."""
    items = sorted(result.data, key=_position)
    if len(items) != len(batch.texts) or [item.index for item in items] != list(range(len(batch.texts))):
        raise DecodeError(
            f"The service answered a batch of {len(batch.texts)} texts (input {batch.start} to "
            f"{batch.start + len(batch.texts) - 1}) with {len(items)} embeddings or with unexpected indexes."
        )
    for item in items:
        item["index"] = batch.start + item.index
    return items


class _Progress:
    def __init__(self, plan: BulkPlan, throttle: Throttle) -> None:
        self._callback = plan.on_progress
        self._throttle = throttle
        self.texts = 0
        self.batches = 0

    def advance(self, batch: Batch) -> None:
        self.texts += len(batch.texts)
        self.batches += 1
        if self._callback is not None:
            self._callback(BulkProgress(self.texts, self.batches, self._throttle.throttled))


def _call_options(options: Mapping[str, Any], throttle: Throttle) -> dict[str, Any]:
    return {**options, "raw_response_hook": throttle.response_hook(options.get("raw_response_hook"))}


# ------------------------------------------------------------------------------------------------ sync


def embed_many(
    create: Callable[..., EmbeddingsResult], texts: Texts, plan: BulkPlan, options: Mapping[str, Any]
) -> Iterator[EmbeddingItem]:
    """Run `create(input=batch, **options)` over the batches of `texts` on `plan.concurrency` threads."""
    # pylint: disable-next=import-outside-toplevel  # only the thread driver needs it; keeps import light
    from concurrent.futures import ThreadPoolExecutor

    throttle = Throttle()
    call_options = _call_options(options, throttle)
    stopping = threading.Event()  # set when the caller stops: a worker waiting out throttling gives up

    def send(batch: Batch) -> list[EmbeddingItem]:
        tries = BatchTries(batch, plan.throttle_budget)
        batch_options = tries.options(call_options)
        while True:
            pause = throttle.delay()
            if pause > 0 and stopping.wait(pause):
                return []  # the caller stopped reading: nothing more is sent
            try:
                result = create(input=batch.texts, **batch_options)
            except HttpResponseError as error:
                if stopping.wait(tries.next_wait(error)):
                    return []
                continue
            return batch_items(batch, result)

    batches = _batches(texts, plan)
    progress = _Progress(plan, throttle)
    window: collections.deque[tuple[Batch, Future[list[EmbeddingItem]]]] = collections.deque()
    executor = ThreadPoolExecutor(max_workers=plan.concurrency, thread_name_prefix="azure-ai-inference-bulk")
    try:
        exhausted = False
        failure: Optional[Exception] = None
        while True:
            while not exhausted and len(window) < (plan.concurrency if progress.batches else 1):
                try:
                    batch = next(batches, None)
                except Exception as exc:  # a bad text or a failing input: raised in its turn, below
                    batch, failure = None, exc
                if batch is None:
                    exhausted = True
                else:
                    window.append((batch, executor.submit(send, batch)))
            if not window:
                if failure is not None:
                    raise failure
                return
            batch, future = window.popleft()
            yield from future.result()
            progress.advance(batch)
    finally:
        stopping.set()
        for _, future in window:
            future.cancel()
        executor.shutdown(wait=True, cancel_futures=True)


def _batches(texts: Texts, plan: BulkPlan) -> Iterator[Batch]:
    batcher = Batcher(plan)
    for text in texts:
        batch = batcher.add(text)
        if batch is not None:
            yield batch
    last = batcher.flush()
    if last is not None:
        yield last


# ----------------------------------------------------------------------------------------------- async


async def embed_many_async(
    create: Callable[..., Awaitable[EmbeddingsResult]], texts: AsyncTexts, plan: BulkPlan, options: Mapping[str, Any]
) -> AsyncIterator[EmbeddingItem]:
    """Run `await create(input=batch, **options)` over the batches of `texts`, `plan.concurrency` at a time."""
    import asyncio  # pylint: disable=import-outside-toplevel  # only the async driver needs it; keeps import light

    throttle = Throttle()
    call_options = _call_options(options, throttle)

    async def send(batch: Batch) -> list[EmbeddingItem]:
        tries = BatchTries(batch, plan.throttle_budget)
        batch_options = tries.options(call_options)
        while True:
            pause = throttle.delay()
            if pause > 0:
                await asyncio.sleep(pause)
            try:
                result = await create(input=batch.texts, **batch_options)
            except HttpResponseError as error:
                await asyncio.sleep(tries.next_wait(error))
                continue
            return batch_items(batch, result)

    batches = _batches_async(texts, plan)
    progress = _Progress(plan, throttle)
    window: collections.deque[tuple[Batch, asyncio.Task[list[EmbeddingItem]]]] = collections.deque()
    try:
        exhausted = False
        failure: Optional[Exception] = None
        while True:
            while not exhausted and len(window) < (plan.concurrency if progress.batches else 1):
                try:
                    batch = await anext(batches, None)
                except Exception as exc:  # a bad text or a failing input: raised in its turn, below
                    batch, failure = None, exc
                if batch is None:
                    exhausted = True
                else:
                    window.append((batch, asyncio.ensure_future(send(batch))))
            if not window:
                if failure is not None:
                    raise failure
                return
            batch, task = window.popleft()
            for item in await task:
                yield item
            progress.advance(batch)
    finally:
        tasks = [task for _, task in window]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        await batches.aclose()


async def _batches_async(texts: AsyncTexts, plan: BulkPlan) -> AsyncGenerator[Batch, None]:
    batcher = Batcher(plan)
    if isinstance(texts, AsyncIterable):
        async for text in texts:
            batch = batcher.add(text)
            if batch is not None:
                yield batch
    else:
        for text in texts:
            batch = batcher.add(text)
            if batch is not None:
                yield batch
    last = batcher.flush()
    if last is not None:
        yield last
