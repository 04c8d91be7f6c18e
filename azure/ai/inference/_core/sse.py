# Server-Sent Events decoding, sans-IO.
#
# Strategy: this module knows bytes and events, not models, HTTP or azure-core, and imports only the standard
# library. The caller reads the response body however it likes (sync or async), hands each chunk to
# SSEDecoder.feed() and calls SSEDecoder.flush() once at the end of the body. Both return the events they
# completed. The parsing rules are those of the WHATWG HTML standard, section "Server-sent events", "Interpreting an
# event stream", except for what happens at the end of the stream (see SSEDecoder.flush) and for invalid UTF-8
# (see SSEDecoder.feed).
#
# Lines are split on bytes first (CR and LF are ASCII, so a multi-byte character split across chunks is only decoded
# once its line is complete), using bytes.splitlines, which breaks on exactly CRLF, LF and CR. The buffer only ever
# holds the unterminated tail of the stream, so a long line that trickles in is never scanned twice.
from __future__ import annotations

from typing import Any, Callable, NamedTuple, NoReturn, Optional

__all__ = ["DEFAULT_MAX_EVENT_SIZE", "SSEDecoder", "SSEError", "ServerSentEvent"]

DEFAULT_MAX_EVENT_SIZE = 16 * 1024 * 1024
"""Default bound, in bytes, on one line and on the data of one event (16 MiB)."""

_BOM = b"\xef\xbb\xbf"
_CR = 13
_LF = 10
_EXCERPT = 40  # bytes of input quoted in an error message, at most
_MAX_RETRY_DIGITS = 18  # about 32 million years in milliseconds: longer `retry:` values are ignored
_RAISE_HINT = "pass a larger max_event_size to SSEDecoder to accept it (the clients: max_response_bytes=)"


class ServerSentEvent(NamedTuple):
    """One dispatched event (an immutable named tuple: cheap to build, one per streamed update).

    :ivar data: The data lines of the event joined with ``"\\n"`` (possibly empty: a lone ``data`` line counts).
    :ivar event: The event type; ``"message"`` unless an ``event`` field set a non-empty one.
    :ivar id: The last event id seen on the stream so far, including ids given by earlier events (it persists, as in
        the standard); ``None`` if the stream never set one.
    :ivar retry: The last reconnection time in milliseconds the stream asked for so far (it persists like ``id``);
        ``None`` if never set.
    """

    data: str
    event: str = "message"
    id: Optional[str] = None
    retry: Optional[int] = None


# Builds an event from a tuple of its four fields without the named tuple's Python-level constructor (the fast path).
_new_event: Callable[..., ServerSentEvent] = getattr(tuple, "__new__")


class SSEError(ValueError):
    """The byte stream is not a valid event stream, is too large, or the decoder was used after it finished.

    Once raised, the decoder is finished: any further ``feed`` raises again.

    :ivar events: The events that the same ``feed`` or ``flush`` call completed before the failure, in order;
        a caller should deliver them before reporting the error, so that nothing that arrived intact is lost.
    """

    events: list[ServerSentEvent]

    def __init__(self, message: str, events: list[ServerSentEvent] | None = None) -> None:
        super().__init__(message)
        self.events = events if events is not None else []


def _as_bytes(chunk: Any) -> bytes:
    """A bytearray or memoryview chunk as bytes; TypeError for str."""
    if isinstance(chunk, str):
        raise TypeError("SSEDecoder.feed() takes bytes, not str")
    return bytes(chunk)  # a bytearray or memoryview, converted as before


class SSEDecoder:
    """Turns the bytes of a ``text/event-stream`` body into :class:`ServerSentEvent` objects.

    :keyword max_event_size: Limit in bytes on one line and on the data of one event (the data lines' values plus one
        byte each for the newline that ends them). Defaults to :data:`DEFAULT_MAX_EVENT_SIZE` (16 MiB). It bounds
        memory: the decoder never holds more than about ``max_event_size`` bytes plus the chunk being fed.
    """

    def __init__(self, *, max_event_size: int = DEFAULT_MAX_EVENT_SIZE) -> None:
        if max_event_size < 1:
            raise ValueError(f"max_event_size must be a positive number of bytes, not {max_event_size!r}")
        self._max = max_event_size
        self._buf = bytearray()  # the unterminated last line
        self._started = False  # past the first line, which may start with a byte order mark
        self._skip_lf = False  # the last line ended in CR, so an LF that comes next is part of that line break
        self._data: list[str] = []
        self._data_size = 0
        self._event_type = ""
        self._last_id: str | None = None
        self._retry: int | None = None
        self._done: str | None = None  # why the decoder is finished, once it is

    @property
    def pending(self) -> int:
        """Number of bytes buffered while waiting for the end of a line."""
        return len(self._buf)

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        """Decode the next chunk of the stream and return the events it completes, in order.

        Any split of the stream into chunks gives the same events: a chunk may be empty (which does not mean the end
        of the stream: call :meth:`flush` for that), end inside a CRLF pair or inside a multi-byte character, or hold
        many events. Lines end in CRLF, LF or CR. A line ended by a CR at the
        end of a chunk is handled at once; the decoder only remembers to drop an LF if the next chunk starts with
        one, so nothing waits for more input. A UTF-8 byte order mark at the very start is skipped.

        Each complete line is decoded as strict UTF-8: invalid bytes raise :class:`SSEError` instead of being replaced
        with U+FFFD as the standard says, so a garbage body fails clearly rather than yielding corrupted text.

        :raises SSEError: on invalid UTF-8, on a line or an event's data larger than ``max_event_size``, or if the
            decoder is finished (after :meth:`flush` or an earlier error).
        """
        text = self.single(chunk)
        if text is not None:
            return [_new_event(ServerSentEvent, (text, "message", self._last_id, self._retry))]
        if self._done is not None:
            raise SSEError(f"the event stream decoder is finished: {self._done}; use a new SSEDecoder")
        if type(chunk) is not bytes:
            chunk = _as_bytes(chunk)
        if self._skip_lf:
            chunk = self._after_cr(chunk)
        if not chunk:
            return []
        last = chunk[-1]
        lines = chunk.splitlines()
        tail = b""
        if last == _CR:
            self._skip_lf = True
        elif last != _LF:
            tail = lines.pop()  # not empty: the chunk does not end with a line break
        if self._buf:
            self._prepend_pending(lines)
        events = self._lines(lines)
        if tail:
            self._keep(tail, events)
        return events

    def single(self, chunk: bytes) -> Optional[str]:
        """The data of the one event that `chunk` is, when it is exactly one whole ``data: <text>`` event with LF
        line ends, after the first line of the stream, with nothing pending and no event type set: the common
        chunk of a stream of updates. The event is then a ``"message"`` with the stream's id and retry so far, and
        the decoder is as :meth:`feed` would leave it. None otherwise; then :meth:`feed` decides.
        """
        if (
            type(chunk) is bytes
            and chunk.startswith(b"data: ")
            and chunk.endswith(b"\n\n")
            and chunk.count(b"\n") == 2
            and not self._buf
            and not self._data
            and not self._event_type
            and not self._skip_lf
            and self._started
            and self._done is None
            and b"\r" not in chunk
            and len(chunk) - 2 <= self._max
        ):
            try:
                return chunk[6:-2].decode("utf-8")
            except UnicodeDecodeError:
                return None  # `feed` reports it
        return None

    def _prepend_pending(self, lines: list[bytes]) -> None:
        """The buffered start of a line joins the first line of the chunk, once the chunk ends that line."""
        if lines:
            lines[0] = bytes(self._buf) + lines[0]
            self._buf.clear()

    def _after_cr(self, chunk: bytes) -> bytes:
        """The chunk after one that ended in CR: an LF at its start ends the same line break."""
        if not chunk:
            return chunk
        self._skip_lf = False
        return chunk[1:] if chunk[0] == _LF else chunk

    def _keep(self, tail: bytes, events: list[ServerSentEvent]) -> None:
        """Buffer the unterminated end of a chunk, within the bound on a line."""
        self._buf += tail
        size = len(self._buf)
        if not self._started and _BOM.startswith(bytes(self._buf[:3])):
            size -= min(size, 3)  # a byte order mark (or its start) at the very start is not part of the line
        if size > self._max:
            self._fail(f"a line is longer than max_event_size ({self._max} bytes); {_RAISE_HINT}", events=events)

    def flush(self) -> list[ServerSentEvent]:
        """Signal the end of the stream and return the events still pending; the decoder is then finished.

        This deliberately departs from the standard, which discards whatever follows the last blank line: a final
        line without a line break is interpreted like any other line, and then the pending event, if it has data, is
        dispatched as if a blank line had followed. Servers that omit the final blank line thus do not lose their
        last event. Calling ``flush`` again returns an empty list; ``feed`` raises :class:`SSEError`.

        :raises SSEError: if the final line is not valid UTF-8 or is too large.
        """
        if self._done is not None:
            return []
        lines = [bytes(self._buf), b""] if self._buf else [b""]
        self._buf.clear()
        events = self._lines(lines)
        self._done = "flush() was called"
        return events

    def _lines(self, lines: list[bytes]) -> list[ServerSentEvent]:
        """Interpret complete lines (without their line breaks) and return the events that blank lines dispatch."""
        events: list[ServerSentEvent] = []
        try:
            self._interpret(lines, events)
        except SSEError as exc:
            exc.events = events
            raise
        return events

    def _interpret(self, lines: list[bytes], events: list[ServerSentEvent]) -> None:
        """Interpret lines, appending each event a blank line dispatches to ``events``."""
        if not self._started and lines:
            self._started = True
            if lines[0].startswith(_BOM):
                lines[0] = lines[0][len(_BOM) :]
        for raw in lines:
            if not raw:
                if self._data:
                    data = "\n".join(self._data)
                    events.append(ServerSentEvent(data, self._event_type or "message", self._last_id, self._retry))
                    self._data = []
                    self._data_size = 0
                self._event_type = ""
                continue
            if len(raw) > self._max:
                self._fail(f"a line is longer than max_event_size ({self._max} bytes); {_RAISE_HINT}")
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                start = max(0, exc.start - _EXCERPT // 2)
                excerpt = raw[start : start + _EXCERPT]
                self._fail(f"invalid UTF-8 in the event stream at byte {exc.start} of a line, near {excerpt!r}", exc)
            name, colon, value = line.partition(":")
            if colon and value.startswith(" "):
                value = value[1:]
            if name == "data":
                self._data.append(value)
                self._data_size += len(raw) - (len(line) - len(value)) + 1  # the prefix is ASCII: chars == bytes
                if self._data_size > self._max:
                    self._fail(f"an event's data is larger than max_event_size ({self._max} bytes); {_RAISE_HINT}")
            else:
                self._field(name, value)

    def _field(self, name: str, value: str) -> None:
        """A field other than `data` (rare in a stream of updates, so out of the loop above)."""
        if name == "event":
            self._event_type = value
        elif name == "id":
            if "\0" not in value:
                self._last_id = value
        elif name == "retry":
            # Digits only, as the standard says; a value too long to be a real delay is ignored too, so a
            # hostile stream cannot make int() fail (or cost quadratic time) on thousands of digits.
            if value.isascii() and value.isdigit() and len(value) <= _MAX_RETRY_DIGITS:
                self._retry = int(value)
        # Anything else, including a comment (empty name: the line starts with ":"), is ignored.

    def _fail(
        self, message: str, cause: BaseException | None = None, events: list[ServerSentEvent] | None = None
    ) -> NoReturn:
        """Finish the decoder, release its buffers and raise SSEError."""
        self._done = "it raised SSEError before"
        self._buf = bytearray()
        self._data = []
        raise SSEError(message, events) from cause
