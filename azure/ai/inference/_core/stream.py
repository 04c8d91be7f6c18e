# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""Streamed chat completions, sans-IO: events in, updates out.

Strategy: `UpdateDecoder` owns everything between bytes and updates (SSE decoding with `sse`, `[DONE]`, in-band
error events, a body that ends early) and does no I/O. It returns, for each chunk, the updates it completed,
possibly followed by one exception to raise after them, so a failure never hides an update that arrived before
it. The stream objects that pull the chunks and release the connection are in `_streaming`.
"""

from __future__ import annotations

from typing import Any, Callable, Optional, Union

from azure.core.exceptions import HttpResponseError

from ..models._patch import StreamingChatCompletionsUpdate, wrap_json
from .errors import MAX_CODE, MAX_MESSAGE, StreamingError, bounded, build_error, excerpt, json_excerpt, stream_error
from .json import as_dict, dicts, loads_object
from .sse import SSEDecoder, SSEError, ServerSentEvent

__all__: list[str] = []

_EVENT_STREAM = "text/event-stream"


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


Item = Union[StreamingChatCompletionsUpdate, HttpResponseError]


def event_to_update(event: ServerSentEvent, response: Any) -> Optional[StreamingChatCompletionsUpdate]:
    """One event as an update; None for an event without data. Raises StreamingError for an error event."""
    return data_to_update(event.data, event.event, response)


def data_to_update(data: str, event_type: str, response: Any) -> Optional[StreamingChatCompletionsUpdate]:
    """`event_to_update` from the event's data and type."""
    try:
        payload = loads_object(data)
    except ValueError:
        if not data or data.isspace():
            return None
        if event_type == "error":
            raise stream_error(response, "StreamError", excerpt(data)) from None
        raise stream_error(response, "InvalidStreamEvent", f"An event is not JSON: {excerpt(data, 200)}") from None
    if type(payload) is not dict:
        raise stream_error(response, "InvalidStreamEvent", f"An event is not a JSON object: {excerpt(data, 200)}")
    update: dict[str, Any] = payload  # pyright: ignore[reportUnknownVariableType]  # a dict: checked above
    error: Any = update.get("error")
    if error or event_type == "error":
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


class UpdateDecoder:
    """Bytes in, updates out; an exception in the output ends the stream."""

    def __init__(self, response: Any, max_event_size: int) -> None:
        self._response = response
        self._sse = SSEDecoder(max_event_size=max_event_size)
        self.finished = False
        self.completed = False  # `data: [DONE]` arrived

    def feed(self, chunk: bytes) -> list[Item]:
        text = self._sse.single(chunk)  # the common chunk: one whole event
        if text is not None and not self.finished and text != "[DONE]":
            return self._one(text, "message")
        try:
            events = self._sse.feed(chunk) if text is None else [ServerSentEvent(text)]
        except SSEError as exc:
            return self._invalid(exc)
        return self._updates(events)

    def end(self) -> list[Item]:
        """The body ended: deliver what is left; without `[DONE]` that is a failure, not a clean end."""
        try:
            events = self._sse.flush()
        except SSEError as exc:
            return self._invalid(exc)
        items = self._updates(events)
        if not self.finished:
            items.append(self._fail("IncompleteStream", "The stream ended without 'data: [DONE]'.", None))
        return items

    def _invalid(self, exc: SSEError) -> list[Item]:
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

    def _one(self, data: str, event_type: str) -> list[Item]:
        """The update of one event that is not `[DONE]`, none, or the error that ends the stream."""
        try:
            update = data_to_update(data, event_type, self._response)
        except StreamingError as exc:
            self.finished = True
            return [exc]
        return [] if update is None else [update]

    def _updates(self, events: list[ServerSentEvent]) -> list[Item]:
        if len(events) == 1 and not self.finished and events[0].data != "[DONE]":  # one event, one update
            return self._one(events[0].data, events[0].event)
        items: list[Item] = []
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
