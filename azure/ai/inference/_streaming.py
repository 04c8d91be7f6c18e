# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""Streamed chat completions: the sans-IO event-to-update step and the thin sync and async stream objects.

Strategy: `_UpdateDecoder` owns everything between bytes and updates (SSE decoding with `_sse`, `[DONE]`,
in-band error events, a body that ends early) and does no I/O. It returns, for each chunk, the updates it
completed, possibly followed by one exception to raise after them, so a failure never hides an update that
arrived before it. `StreamingChatCompletions` and `AsyncStreamingChatCompletions` only pull chunks from the
response, hand them over and release the connection; they differ only where I/O happens.

The connection is released at `[DONE]`, on any failure, on `close()`, on leaving a `with` block and when an
unfinished stream is garbage collected. A traced call's span (`_tracing`) ends at the same moments.
"""

from __future__ import annotations

import weakref
from collections import deque
from typing import TYPE_CHECKING, Any, cast, AsyncIterator, Callable, Iterator, Optional, Union

from azure.core.exceptions import HttpResponseError

from ._accumulate import Accumulator
from ._errors import MAX_CODE, MAX_MESSAGE, StreamingError, bounded, build_error, excerpt, json_excerpt, stream_error
from ._sse import DEFAULT_MAX_EVENT_SIZE, SSEDecoder, SSEError, ServerSentEvent
from ._json import as_dict, dicts, loads_object
from .models._patch import ChatCompletions, StreamingChatCompletionsUpdate, wrap_json

if TYPE_CHECKING:
    from azure.core.rest import AsyncHttpResponse, HttpResponse

    from ._tracing import CallSpan

__all__ = ["StreamingChatCompletions", "AsyncStreamingChatCompletions"]

_EVENT_STREAM = "text/event-stream"
# After `[DONE]`, how long and how much an async stream reads to reach the end of the body (see `_finish`).
_END_WAIT = 0.25
_END_BYTES = 64 * 1024


def check_event_stream(response: Any) -> Optional[Callable[[str], HttpResponseError]]:
    """None when a streamed response is an event stream (or does not say); otherwise a function that builds
    the error from the body text, which the caller reads first."""
    content_type = response.headers.get("Content-Type", "")
    if not content_type or content_type.split(";", 1)[0].strip().lower() == _EVENT_STREAM:
        return None

    def problem(text: str) -> HttpResponseError:
        return build_error(
            response,
            text,
            exc_type=StreamingError,
            code="UnexpectedContentType",
            message=f"Expected a {_EVENT_STREAM} response to a streaming request, got {content_type!r}: "
            + (excerpt(text, 300) or "(empty body)"),
        )

    return problem


_Item = Union[StreamingChatCompletionsUpdate, HttpResponseError]


def event_to_update(event: ServerSentEvent, response: Any) -> Optional[StreamingChatCompletionsUpdate]:
    """One event as an update; None for an event without data. Raises StreamingError for an error event."""
    data = event.data
    try:
        payload = loads_object(data)
    except ValueError:
        if not data or data.isspace():
            return None
        if event.event == "error":
            raise stream_error(response, "StreamError", excerpt(data)) from None
        raise stream_error(response, "InvalidStreamEvent", f"An event is not JSON: {excerpt(data, 200)}") from None
    if type(payload) is not dict:
        raise stream_error(response, "InvalidStreamEvent", f"An event is not a JSON object: {excerpt(data, 200)}")
    update = cast("dict[str, Any]", payload)
    error: Any = update.get("error")
    if error or event.event == "error":
        details = as_dict(error)
        if details is not None:
            code = bounded(details.get("code") or "StreamError", MAX_CODE)
            message = bounded(details.get("message") or json_excerpt(details), MAX_MESSAGE)
        else:
            code, message = "StreamError", str(error or excerpt(data))
        raise stream_error(response, code, message)
    if "tool_calls" in data or "\\u" in data:  # only then can a choice hold tool calls (the key may be escaped)
        for choice in dicts(update.get("choices")):
            _check_tool_call_indexes(choice, response)
    return wrap_json(StreamingChatCompletionsUpdate, update)


def _check_tool_call_indexes(choice: dict[str, Any], response: Any) -> None:
    """A tool-call piece's `index` places it among the calls being stitched; only a non-negative int can."""
    delta = as_dict(choice.get("delta"))
    if delta is None or "tool_calls" not in delta:
        return
    for piece in dicts(delta["tool_calls"]):
        index = piece.get("index")
        if index is not None and (type(index) is not int or index < 0):
            raise stream_error(
                response,
                "InvalidStreamEvent",
                f"A tool call's index must be a non-negative int, got {excerpt(repr(index), 50)}",
            )


class _UpdateDecoder:
    """Bytes in, updates out; an exception in the output ends the stream."""

    def __init__(self, response: Any, max_event_size: int) -> None:
        self._response = response
        self._sse = SSEDecoder(max_event_size=max_event_size)
        self.finished = False
        self.completed = False  # `data: [DONE]` arrived

    def feed(self, chunk: bytes) -> list[_Item]:
        try:
            events = self._sse.feed(chunk)
        except SSEError as exc:
            return self._invalid(exc)
        return self._updates(events)

    def end(self) -> list[_Item]:
        """The body ended: deliver what is left; without `[DONE]` that is a failure, not a clean end."""
        try:
            events = self._sse.flush()
        except SSEError as exc:
            return self._invalid(exc)
        items = self._updates(events)
        if not self.finished:
            items.append(self._fail("IncompleteStream", "The stream ended without 'data: [DONE]'.", None))
        return items

    def _invalid(self, exc: SSEError) -> list[_Item]:
        """The updates completed before the decoding error, then the error (unless one of them ended the stream)."""
        items = self._updates(exc.events)
        if not self.finished:
            items.append(self._fail("InvalidStream", str(exc), exc))
        return items

    def interrupted(self, message: str) -> HttpResponseError:
        """The stream was stopped from outside (its client was closed)."""
        return self._fail("StreamInterrupted", message, None)

    def broken(self, exc: BaseException) -> HttpResponseError:
        """Reading the body failed: the connection broke or timed out."""
        return self._fail("StreamInterrupted", f"The stream broke before 'data: [DONE]': {exc}", exc)

    def _fail(self, code: str, message: str, cause: Optional[BaseException]) -> HttpResponseError:
        self.finished = True
        error = stream_error(self._response, code, message)
        error.__cause__ = cause
        return error

    def _updates(self, events: list[ServerSentEvent]) -> list[_Item]:
        if len(events) == 1 and not self.finished:  # the common chunk: one event, one update
            event = events[0]
            if event.data != "[DONE]":
                try:
                    update = event_to_update(event, self._response)
                except StreamingError as exc:
                    self.finished = True
                    return [exc]
                return [] if update is None else [update]
        items: list[_Item] = []
        for event in events:
            if self.finished:
                break
            if event.data == "[DONE]":
                self.finished = self.completed = True
                break
            try:
                update = event_to_update(event, self._response)
            except StreamingError as exc:
                self.finished = True
                items.append(exc)
                break
            if update is not None:
                items.append(update)
        return items


class _StreamBase:
    def __init__(self, response: Any, max_event_size: int) -> None:
        self._response = response
        self._decoder = _UpdateDecoder(response, max_event_size)
        self._queue: deque[_Item] = deque()
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
        self._accumulator.add(item._data)  # pyright: ignore[reportPrivateUsage]  # pylint: disable=protected-access
        return item

    def _completion(self) -> ChatCompletions:
        if not self._decoder.completed:  # closed or failed before the end: only part of the answer arrived
            raise stream_error(
                self._response, "IncompleteStream", "The stream ended before 'data: [DONE]'; the answer is incomplete."
            )
        return self._accumulator.result()

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


class StreamingChatCompletions(_StreamBase):
    """The updates of a streamed chat completions answer, as they arrive.

    Iterate it (`for update in stream`), use it as a context manager, or call `close()` to stop early.
    Ends cleanly at `data: [DONE]`; raises `StreamingError` (an `HttpResponseError`) after delivering every
    earlier update when the service sends an error event, the body ends early or the connection breaks.
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
                chunk = next(self._chunks)
            except StopIteration:
                self._queue.extend(self._decoder.end())
            except Exception as exc:  # pylint: disable=broad-except  # the connection broke or timed out
                self._queue.append(self._decoder.broken(exc))
            except BaseException as exc:
                self._end_span(exc)
                self.close()
                raise
            else:
                self._queue.extend(self._decoder.feed(chunk))
            if self._decoder.finished:
                self._finish()
        return self._pop()

    def _finish(self) -> None:
        """The stream ended: release the connection. After `[DONE]` the sync transport hands it back to its pool
        when the rest of the body (the end of the chunked encoding) is already buffered."""
        self.close()

    def get_final_completion(self) -> ChatCompletions:
        """Read the rest of the stream and return the whole answer as one `ChatCompletions`.

        Content, tool calls (stitched by index), finish reasons, usage and fields outside the spec are merged
        from every update, including those already iterated. Call it instead of, during or after iterating.

        :raises StreamingError: when the stream fails before `data: [DONE]`, or was closed before it.
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


class AsyncStreamingChatCompletions(_StreamBase):
    """The updates of a streamed chat completions answer, as they arrive, for `async for`.

    Use it with `async with`, or `await stream.close()` to stop early. Ends and fails as the sync
    `StreamingChatCompletions` does.
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
            except BaseException as exc:  # cancellation included: release the connection, then re-raise
                self._end_span(exc)
                self._close_now()
                raise
            else:
                self._queue.extend(self._decoder.feed(chunk))
            if self._decoder.finished:
                await self._finish()
        return self._pop()

    async def _finish(self) -> None:
        """The stream ended: release the connection. After `[DONE]`, read what is left of the body (the end of the
        chunked encoding, usually already on its way) for a moment at most, so that aiohttp hands the connection
        back to its pool instead of closing it."""
        if self._decoder.completed and not self._closed:
            import asyncio  # pylint: disable=import-outside-toplevel  # only async streams need it; keeps import light

            async def read_to_end() -> None:
                left = _END_BYTES
                async for chunk in self._chunks:
                    left -= len(chunk)
                    if left < 0:
                        return

            try:
                await asyncio.wait_for(read_to_end(), _END_WAIT)
            except Exception:  # pylint: disable=broad-except  # a server that does not end the body: close it
                pass
        await self.close()

    async def get_final_completion(self) -> ChatCompletions:
        """Read the rest of the stream and return the whole answer as one `ChatCompletions`.

        Merges every update, including those already iterated, as the sync stream's method does.

        :raises StreamingError: when the stream fails before `data: [DONE]`, or was closed before it.
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
