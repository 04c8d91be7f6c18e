# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""What the sync transport returns: azure-core responses over an http.client answer (`HttpClientTransportResponse`
for rest requests, `HttpClientLegacyTransportResponse` for legacy ones), the `Exchange` that holds the connection
until the body is read or the response closed (then back to its pool, or cut), and the azure-core error for a
failure while the answer is read.
"""

from __future__ import annotations

import http.client
import os
import socket
import threading
from typing import Any, Callable, Iterator, Optional

from azure.core.exceptions import (
    AzureError,
    IncompleteReadError,
    ServiceResponseError,
    ServiceResponseTimeoutError,
)
from azure.core.pipeline.transport import HttpRequest as LegacyHttpRequest
from azure.core.pipeline.transport import HttpResponse as LegacyHttpResponse
from azure.core.rest import HttpRequest
from azure.core.utils import CaseInsensitiveDict

from ._azure_core import HttpResponseImpl
from .bodies import BodyReader, Deadline
from .framing import ChunkedBody
from .pool import Connection, Pool, pid_of, shutdown, sock_of

__all__ = [
    "Exchange",
    "HttpClientLegacyTransportResponse",
    "HttpClientTransportResponse",
    "response_error",
    "timed_out",
]

DEFAULT_BLOCK_SIZE = 4096  # the slices `iter_bytes()` yields from an already-read body (azure-core's default)
READ_SIZE = 65536  # the most one read of a streamed body returns; a read returns what has arrived, not more
# Closing a stream before the end of its chunked body: the reads (of what has already arrived) and the bytes
# a read takes at most, to reach that end (`\r\n0\r\n\r\n` and perhaps a short trailer).
_END_READS = 4
_END_BYTES = 256


def stream_download(pipeline: Any, response: Any, decompress: bool = True) -> Iterator[bytes]:
    """The `stream_download_generator` of our responses; called as azure-core's rest responses call it
    (`response=..., pipeline=None, decompress=...`) and as the legacy `stream_download(pipeline)` does."""
    del pipeline  # not needed to read the body
    chunks: Iterator[bytes] = response.body_chunks(decompress)
    return chunks


# The public names azure-core's rest responses store under a private name when they are set.
PUBLIC_FIELDS = frozenset(
    (
        "block_size",
        "internal_response",
        "request",
        "status_code",
        "headers",
        "reason",
        "content_type",
        "stream_download",
    )
)


def timed_out(exc: BaseException, deadline: Optional[Deadline]) -> Optional[AzureError]:
    """The timeout error when a failure came from a deadline cutting the connection."""
    if deadline is None or not deadline.expired:
        return None
    return ServiceResponseTimeoutError(f"The answer was not complete within {deadline.what}.", error=exc)


class Exchange:
    """One request's connection and answer, from sending to release (to its pool, or closed).

    `reading` is True while a read of the body is under way (in any thread). Releasing then never touches the
    response's buffered reader, whose lock that read holds until data arrives: it shuts the socket down first,
    which ends the read at once. A read starts only while the exchange holds its connection, so once `release`
    has taken it no new read begins."""

    __slots__ = ("raw", "conn", "pool", "transport", "complete", "lock", "reading", "framing")

    def __init__(self, raw: http.client.HTTPResponse, conn: Connection, pool: Pool, transport: Any) -> None:
        self.raw = raw
        self.conn: Optional[Connection] = conn
        self.pool = pool
        self.transport = transport
        self.complete = False  # the body was read to its end
        self.lock = threading.Lock()
        self.reading = False
        # A chunked body's framing, read from the connection's bytes (`_pieces`); http.client reads the others.
        self.framing = ChunkedBody() if raw.chunked and getattr(raw, "_method", None) != "HEAD" else None

    def __del__(self) -> None:
        # A response dropped unclosed (a retried stream, an abandoned one): its connection is closed now.
        if getattr(self, "conn", None) is not None:
            try:
                self.release()
            except Exception:  # pylint: disable=broad-except  # nothing to report to at this point
                pass

    def release(self, cut: bool = False) -> None:
        """Give the connection back to its pool when the answer was read to its end (or only the already
        arrived end of a chunked body is left), else close it; `cut` shuts it down first, which wakes a read
        blocked on it in another thread (never a connection of another process)."""
        with self.lock:
            conn, self.conn = self.conn, None
            busy = self.reading
        if conn is None:
            return
        raw = self.raw
        own = pid_of(conn) == os.getpid()
        if cut and own and busy:  # a read is blocked in another thread, holding the reader's lock: wake it first
            shutdown(sock_of(conn))
        self.transport.forget(conn)
        if own and not busy and not raw.will_close and (self.complete or (cut and _finish_buffered(raw, self.framing))):
            raw.close()
            self.pool.put(conn)
            return
        if cut and own and not busy:
            shutdown(sock_of(conn))
        raw.close()
        conn.close()


def _finish_buffered(raw: http.client.HTTPResponse, framing: Optional[ChunkedBody]) -> bool:
    """Read the end of a chunked body (the last, empty chunk) when it has already arrived, without waiting for
    it; True when the body is then complete. A stream closed at `[DONE]` keeps its connection this way."""
    fp: Any = getattr(raw, "fp", None)
    if fp is None:
        return False
    if framing is None:  # a body of announced length: complete when all of it was read
        return not raw.chunked and raw.length == 0
    if framing.given != framing.made:  # chunk data that arrived was never read: the body was not at its end
        return False
    if not framing.done:
        sock: Any = getattr(getattr(fp, "raw", None), "_sock", None)
        if sock is None:
            return False
        try:
            timeout = sock.gettimeout()
            sock.settimeout(0.0)  # what is buffered, or already in the socket: never wait
            try:
                for _ in range(_END_READS):
                    if not fp.peek(1) or framing.feed(fp.read1(_END_BYTES)):  # nothing more yet, or more data
                        return False
                    if framing.done:
                        break
            finally:
                sock.settimeout(timeout)
        except (OSError, ValueError, http.client.HTTPException):
            return False
    return framing.done and not framing.excess


def _is_incomplete(exc: BaseException) -> bool:
    return isinstance(exc, http.client.IncompleteRead)


def response_error(exc: BaseException, deadline: Optional[Deadline]) -> AzureError:
    """The azure-core error for a failure while waiting for or reading a response (headers or body)."""
    late = timed_out(exc, deadline)
    if late is not None:
        return late
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return ServiceResponseTimeoutError(f"The service did not answer in time: {exc}", error=exc)
    if _is_incomplete(exc):
        return IncompleteReadError(f"The response body ended early: {exc!r}", error=exc)
    return ServiceResponseError(exc, error=exc)


def _reads(exchange: Exchange, read1: Callable[[int], bytes], size: int) -> Iterator[bytes]:
    """Each read of the connection, empty at its end; none once the exchange was released (closed)."""
    lock = exchange.lock
    while True:
        with lock:
            if exchange.conn is None:  # released (closed) before this read: never touch the reader
                return
            exchange.reading = True
        try:
            data = read1(size)
        finally:
            exchange.reading = False
        yield data
        if not data:
            return


def _pieces(exchange: Exchange, reader: BodyReader, size: int) -> Iterator[bytes]:
    """The body's pieces as they arrive, decoded and counted by `reader`; ends quietly when the exchange is
    released. A chunked body's framing is read by `ChunkedBody` from the connection's buffered reader."""
    raw = exchange.raw
    framing = exchange.framing
    if framing is None:
        for data in _reads(exchange, raw.read1, size):
            yield from reader.feed(data)
        return
    count = reader.count if reader.plain else None
    for data in _reads(exchange, raw.fp.read1, size):  # pyright: ignore[reportOptionalMemberAccess]
        if not data:
            framing.end()  # IncompleteRead unless the body had ended
            return
        for piece in framing.feed(data):
            framing.given += 1
            if count is not None:
                yield count(piece)
            else:
                yield from reader.feed(piece)
        if framing.done:
            if framing.excess:  # bytes after the body's end: never read as the next answer
                raw.will_close = True
            return


def _body_chunks(exchange: Exchange, reader: BodyReader, size: int, deadline: Optional[Deadline]) -> Iterator[bytes]:
    """The body, one piece per read as it arrives (a read returns what has arrived, at most `size` bytes; a
    chunked body's read, every chunk that has arrived, one piece each), decoded and counted by `reader`. The
    connection goes back to the pool at the end; it is closed on a failure. The deadline, if any, is disarmed
    when the body ends, fails or is closed."""
    raw = exchange.raw
    try:
        if not exchange.complete:
            yield from _pieces(exchange, reader, size)
            if deadline is not None and deadline.expired:  # the end was the cut, not the body's own end
                raise timed_out(EOFError("connection cut"), deadline) or ServiceResponseTimeoutError("timeout")
            if exchange.conn is None:
                raise ServiceResponseError("The response was closed while its body was being read.")
            if exchange.framing is None and raw.length:  # http.client's read1 ends a body cut short quietly
                raise http.client.IncompleteRead(b"", raw.length)
            exchange.complete = True
            if deadline is not None:
                deadline.cancel()
            exchange.release()
    except (OSError, http.client.HTTPException, ValueError, AttributeError) as exc:  # AttributeError: closed
        exchange.release()
        raise response_error(exc, deadline) from exc
    except BaseException:
        exchange.release()
        raise
    finally:
        if deadline is not None:
            deadline.cancel()


def _headers_of(raw: http.client.HTTPResponse) -> CaseInsensitiveDict:
    """The response headers, case-insensitive; repeated ones joined with commas (as requests joins them)."""
    headers = CaseInsensitiveDict()
    seen: set[str] = set()  # (a plain set: a miss in CaseInsensitiveDict raises and catches a KeyError)
    for name, value in raw.getheaders():
        key = name.lower()
        if key in seen:
            headers[name] = f"{headers[name]}, {value}"
        else:
            seen.add(key)
            headers[name] = value
    return headers


class HttpClientTransportResponse(HttpResponseImpl):
    """An `azure.core.rest.HttpResponse` read from an `http.client.HTTPResponse` (`internal_response`).

    `read()`, `content`, `text()`, `json()`, `iter_bytes()`, `iter_raw()`, `close()` and the rest behave as
    azure-core's own rest responses do.
    """

    def __init__(
        self,
        *,
        request: HttpRequest,
        exchange: Exchange,
        block_size: int = DEFAULT_BLOCK_SIZE,
        read_size: int = READ_SIZE,
        limit: Optional[int] = None,
        deadline: Optional[Deadline] = None,
    ) -> None:
        raw = exchange.raw
        headers = _headers_of(raw)
        super().__init__(  # pyright: ignore[reportUnknownMemberType]
            request=request,
            internal_response=raw,
            block_size=block_size,
            status_code=raw.status,
            reason=raw.reason or "",
            headers=headers,
            content_type=headers.get("Content-Type"),
            stream_download_generator=stream_download,
        )
        self._exchange = exchange
        self._read_size = read_size
        self._limit = limit
        self._deadline = deadline

    def read_whole(self) -> None:
        """Read the body now (decoded, within the limit) and give the connection back."""
        content = b"".join(self.body_chunks())
        self._content = content
        self._is_stream_consumed = True
        self._is_closed = True

    def __setattr__(self, name: str, value: Any) -> None:
        # What azure-core's response does on every assignment (setting one of a few public names sets its
        # private field), without the cost: every response sets a dozen fields.
        object.__setattr__(self, "_" + name if name in PUBLIC_FIELDS else name, value)

    def body_chunks(self, decompress: bool = True) -> Iterator[bytes]:
        """The body as it arrives from the network (what `iter_bytes()` and `iter_raw()` read)."""
        reader = BodyReader(self, self._limit, decompress)
        return _body_chunks(self._exchange, reader, self._read_size, self._deadline)

    def close(self) -> None:
        """Release the connection: back to the pool when the body was read to its end (or only its already
        arrived end is left); otherwise cut, so that a reader in another thread returns."""
        if not self._is_closed:
            self._is_closed = True
            if self._deadline is not None:
                self._deadline.cancel()
            self._exchange.release(cut=True)


class HttpClientLegacyTransportResponse(LegacyHttpResponse):
    """The response to a legacy `azure.core.pipeline.transport.HttpRequest`: `body()`, `text()` and
    `stream_download(pipeline)` over an http.client response."""

    def __init__(
        self,
        request: LegacyHttpRequest,
        exchange: Exchange,
        block_size: int = DEFAULT_BLOCK_SIZE,
        read_size: int = READ_SIZE,
    ) -> None:
        raw = exchange.raw
        super().__init__(request, raw, block_size=block_size)
        self._exchange = exchange
        self._read_size = read_size
        self._content: Optional[bytes] = None
        self.status_code = raw.status
        self.headers = _headers_of(raw)
        self.reason = raw.reason
        self.content_type = self.headers.get("Content-Type")

    def read_whole(self) -> None:
        """Read the body now and give the connection back."""
        self.body()

    def body(self) -> bytes:
        if self._content is None:
            self._content = b"".join(self.body_chunks())
        return self._content

    def body_chunks(self, decompress: bool = True) -> Iterator[bytes]:
        return _body_chunks(self._exchange, BodyReader(self, None, decompress), self._read_size, None)

    def stream_download(self, pipeline: Any, **kwargs: Any) -> Iterator[bytes]:
        """The body as it arrives; `decompress=False` leaves gzip/deflate encoded bytes as they are."""
        decompress = kwargs.pop("decompress", True)
        if kwargs:
            raise TypeError(f"Got an unexpected keyword argument: {next(iter(kwargs))}")
        return stream_download(pipeline, self, decompress=bool(decompress))

    def close(self) -> None:
        """Release the connection (cut when the body was not read to its end)."""
        self._exchange.release(cut=True)
