# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""Streamed chat completions: the thin sync and async stream objects.

Strategy: the sans-IO `_core.stream.UpdateDecoder` owns everything between bytes and updates.
`AsyncStreamingChatCompletions` and `StreamingChatCompletions` only pull chunks from the response, hand them
over and release the connection; the sync class is generated from the async one (`scripts/unasync.py`).

The connection is released at `[DONE]`, on any failure, on `close()`, on leaving a `with` block and when an
unfinished stream is garbage collected. A traced call's span (`_tracing`) ends at the same moments.
"""

from __future__ import annotations

import weakref
from collections import deque
from typing import TYPE_CHECKING, Any, AsyncIterator, Iterator, Optional

from azure.core.exceptions import HttpResponseError

from ._core.accumulate import Accumulator
from ._core.errors import stream_error
from ._core.sse import DEFAULT_MAX_EVENT_SIZE
from ._core.stream import Item, UpdateDecoder
from ._core.typed import parse_completion
from . import models
from .models._patch import ChatCompletions, StreamingChatCompletionsUpdate

if TYPE_CHECKING:
    from azure.core.rest import AsyncHttpResponse, HttpResponse

    from ._tracing import CallSpan

__all__ = ["StreamingChatCompletions", "AsyncStreamingChatCompletions"]

# After `[DONE]`, how long and how much an async stream reads to reach the end of the body (`read_rest_async`).
_END_WAIT = 0.25
_END_BYTES = 64 * 1024


class _StreamBase:
    # The type the final completion is read into (`create_streaming(response_format=<a type>)`); set by the client.
    _output_type: Optional[type] = None

    def __init__(self, response: Any, max_event_size: int) -> None:
        self._response = response
        self._decoder = UpdateDecoder(response, max_event_size)
        self._queue: deque[Item] = deque()
        self._closed = False
        self._accumulator = Accumulator()
        self._span: Optional["CallSpan"] = None  # set by a traced call; ended with the stream
        # Releases the connection if the stream is garbage collected unfinished. A finalizer, unlike __del__,
        # keeps the response (and its socket) alive until it runs, also when the cyclic collector frees both.
        self._finalizer = weakref.finalize(self, _release, response)

    @property
    def response(self) -> Any:
        """The HTTP response the updates are read from (status, headers)."""
        return self._response

    def _pop(self) -> StreamingChatCompletionsUpdate:
        item = self._queue.popleft()
        if isinstance(item, HttpResponseError):
            self._queue.clear()
            raise item
        return self._deliver(item)

    def _deliver(self, update: Any) -> StreamingChatCompletionsUpdate:
        """Hand an update to the caller, merged first into the final completion."""
        self._accumulator.add(update._data)  # pylint: disable=protected-access
        return update  # type: ignore[no-any-return]

    def _completion(self) -> ChatCompletions:
        if not self._decoder.completed:  # closed or failed before the end: only part of the answer arrived
            raise stream_error(
                self._response, "IncompleteStream", "The stream ended before 'data: [DONE]'; the answer is incomplete."
            )
        completion = self._accumulator.result()
        if self._output_type is not None:
            return parse_completion(self._output_type, completion)
        return completion

    def _end_span(self, error: Optional[BaseException] = None) -> None:
        """End the call's span, if traced, with every update received (delivered or still queued) and the
        failure: `error`, or the one waiting in the queue."""
        span, self._span = self._span, None
        if span is None:
            return
        queued: list[dict[str, Any]] = []
        for item in self._queue:
            if isinstance(item, HttpResponseError):
                error = error or item
            else:
                queued.append(item._data)  # pylint: disable=protected-access  # pyright: ignore[reportPrivateUsage]
        span.end_stream(lambda: self._accumulator.result(queued), error)

    def _interrupt(self, message: str) -> None:
        """Mark the stream as failed, unless it already ended: the next read raises StreamingError(`message`)
        after the updates already received. The caller then closes it."""
        if not self._decoder.finished and not self._closed:
            self._queue.append(self._decoder.interrupted(message))

    def _close_now(self) -> None:
        """Release the connection without awaiting (cancellation)."""
        self._end_span()
        if self._closed:
            return
        self._closed = True
        self._finalizer()


def _release(response: Any) -> None:
    """Close a response without awaiting: the transport's own response object is closed synchronously."""
    internal = getattr(response, "_internal_response", None)
    try:
        close = getattr(internal, "close", None) or getattr(response, "close", None)
        if close is not None:
            result = close()
            if hasattr(result, "close"):  # an un-awaited coroutine: nothing to run it on
                result.close()
    except Exception:  # pylint: disable=broad-except
        pass


async def read_rest_async(chunks: AsyncIterator[bytes]) -> None:
    """After `[DONE]`, read what is left of the body (the end of the chunked encoding, usually already on its way)
    for a moment at most, so that aiohttp hands the connection back to its pool instead of closing it."""
    import asyncio  # pylint: disable=import-outside-toplevel  # only async streams need it; keeps import light

    async def read_to_end() -> None:
        left = _END_BYTES
        async for chunk in chunks:
            left -= len(chunk)
            if left < 0:
                return

    try:
        await asyncio.wait_for(read_to_end(), _END_WAIT)
    except Exception:  # pylint: disable=broad-except  # a server that does not end the body: close it
        pass


def read_rest(chunks: Iterator[bytes]) -> None:  # pylint: disable=unused-argument
    """After `[DONE]`, nothing to read: the sync transport hands the connection back to its pool on close when the
    rest of the body (the end of the chunked encoding) is already buffered."""


class AsyncStreamingChatCompletions(_StreamBase):
    """The updates of a streamed chat completions answer, as they arrive.

    Iterate it (`async for update in stream`), use it as a context manager (`async with stream:`), or call
    `await stream.close()` to stop early. Ends cleanly at `data: [DONE]`; raises `StreamingError` (an
    `HttpResponseError`) after delivering every earlier update when the service sends an error event, the body
    ends early or the connection breaks.
    """

    def __init__(self, response: "AsyncHttpResponse", *, max_event_size: int = DEFAULT_MAX_EVENT_SIZE) -> None:
        super().__init__(response, max_event_size)
        self._chunks = response.iter_bytes()

    def __aiter__(self) -> AsyncIterator[StreamingChatCompletionsUpdate]:
        return self

    async def __anext__(self) -> StreamingChatCompletionsUpdate:
        while not self._queue:
            if self._decoder.finished or self._closed:
                await self.close()
                raise StopAsyncIteration
            try:
                chunk = await self._chunks.__anext__()
            except StopAsyncIteration:
                self._queue.extend(self._decoder.end())
            except Exception as exc:  # pylint: disable=broad-except  # the connection broke or timed out
                self._queue.append(self._decoder.broken(exc))
            except BaseException as exc:  # an interrupt or a cancellation: release the connection, then re-raise
                self._end_span(exc)
                self._close_now()
                raise
            else:
                items = self._decoder.feed(chunk)
                if len(items) == 1 and not self._decoder.finished:  # the common chunk: one update, no error
                    return self._deliver(items[0])
                self._queue.extend(items)
            if self._decoder.finished:
                await self._finish()
        return self._pop()

    async def _finish(self) -> None:
        """The stream ended: release the connection, after `[DONE]` once the rest of the body is read
        (`read_rest_async`), so that the connection can go back to its pool."""
        if self._decoder.completed and not self._closed:
            await read_rest_async(self._chunks)
        await self.close()

    async def get_final_completion(self) -> ChatCompletions:
        """Read the rest of the stream and return the whole answer as one `ChatCompletions`.

        Content, tool calls (stitched by index), finish reasons, usage and fields outside the spec are merged
        from every update, including those already iterated. Call it instead of, during or after iterating.
        When the stream was opened with a type as `response_format`, the answer is a `ParsedChatCompletions`:
        `choices[i].message.parsed` holds the instance (the updates themselves stay raw).

        :raises StreamingError: when the stream fails before `data: [DONE]`, or was closed before it.
        :raises StructuredOutputError: with a type as `response_format`, when the answer cannot be read into it.
        """
        async for _ in self:
            pass
        return self._completion()

    async def close(self) -> None:
        """Stop reading and release the connection. Safe to call more than once."""
        self._end_span()
        if not self._closed:
            self._closed = True
            self._finalizer.detach()
            await self._response.close()

    async def __aenter__(self) -> "AsyncStreamingChatCompletions":
        return self

    async def __aexit__(self, *exc_details: Any) -> None:
        await self.close()

    def __del__(self) -> None:
        if getattr(self, "_span", None) is not None:
            self._end_span()  # the connection itself is released by the finalizer


# <generated by scripts/unasync.py from AsyncStreamingChatCompletions above; do not edit>
class StreamingChatCompletions(_StreamBase):
    """The updates of a streamed chat completions answer, as they arrive.

    Iterate it (`for update in stream`), use it as a context manager (`with stream:`), or call
    `stream.close()` to stop early. Ends cleanly at `data: [DONE]`; raises `StreamingError` (an
    `HttpResponseError`) after delivering every earlier update when the service sends an error event, the body
    ends early or the connection breaks.
    """

    def __init__(self, response: "HttpResponse", *, max_event_size: int = DEFAULT_MAX_EVENT_SIZE) -> None:
        super().__init__(response, max_event_size)
        self._chunks = response.iter_bytes()

    def __iter__(self) -> Iterator[StreamingChatCompletionsUpdate]:
        return self

    def __next__(self) -> StreamingChatCompletionsUpdate:
        while not self._queue:
            if self._decoder.finished or self._closed:
                self.close()
                raise StopIteration
            try:
                chunk = self._chunks.__next__()
            except StopIteration:
                self._queue.extend(self._decoder.end())
            except Exception as exc:  # pylint: disable=broad-except  # the connection broke or timed out
                self._queue.append(self._decoder.broken(exc))
            except BaseException as exc:  # an interrupt or a cancellation: release the connection, then re-raise
                self._end_span(exc)
                self.close()
                raise
            else:
                items = self._decoder.feed(chunk)
                if len(items) == 1 and not self._decoder.finished:  # the common chunk: one update, no error
                    return self._deliver(items[0])
                self._queue.extend(items)
            if self._decoder.finished:
                self._finish()
        return self._pop()

    def _finish(self) -> None:
        """The stream ended: release the connection, after `[DONE]` once the rest of the body is read
        (`read_rest`), so that the connection can go back to its pool."""
        if self._decoder.completed and not self._closed:
            read_rest(self._chunks)
        self.close()

    def get_final_completion(self) -> ChatCompletions:
        """Read the rest of the stream and return the whole answer as one `ChatCompletions`.

        Content, tool calls (stitched by index), finish reasons, usage and fields outside the spec are merged
        from every update, including those already iterated. Call it instead of, during or after iterating.
        When the stream was opened with a type as `response_format`, the answer is a `ParsedChatCompletions`:
        `choices[i].message.parsed` holds the instance (the updates themselves stay raw).

        :raises StreamingError: when the stream fails before `data: [DONE]`, or was closed before it.
        :raises StructuredOutputError: with a type as `response_format`, when the answer cannot be read into it.
        """
        for _ in self:
            pass
        return self._completion()

    def close(self) -> None:
        """Stop reading and release the connection. Safe to call more than once."""
        self._end_span()
        if not self._closed:
            self._closed = True
            self._finalizer.detach()
            self._response.close()

    def __enter__(self) -> "StreamingChatCompletions":
        return self

    def __exit__(self, *exc_details: Any) -> None:
        self.close()

    def __del__(self) -> None:
        if getattr(self, "_span", None) is not None:
            self._end_span()  # the connection itself is released by the finalizer
# </generated>


def _export_from_models() -> None:
    """`azure.ai.inference.models` exports the stream classes too, at their 1.0.0b9 place. The models layer
    does not import this module (that would be an import cycle): they are placed there when this module loads,
    which the package's own import does before any name of `models` can be read."""
    for cls in (StreamingChatCompletions, AsyncStreamingChatCompletions):
        setattr(models, cls.__name__, cls)
        if cls.__name__ not in models.__all__:
            models.__all__.append(cls.__name__)


_export_from_models()
