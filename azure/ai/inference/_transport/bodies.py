# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""Reading response bodies within bounds, for both transports: decoded in bounded steps, counted against
`max_response_bytes`; the sync calls' deadlines.

Strategy: a transport hands each piece of a body, as it came off the network, to one `BodyReader`, which decodes
the content coding (`gzip`, `x-gzip`, `deflate` as a zlib stream or, as some servers send it, raw) in bounded
steps, so that a small compressed body never inflates in one step, and counts the decoded bytes against the
limit. Going over the limit, or a body that cannot be decoded, raises an azure-core exception that carries the
response (status, headers, request id). Codings it does not know (`br`, ...) are never asked for and are passed on
as they are. A `Deadline` watchdog cuts the socket of a sync call whose time is up; the async transport uses
asyncio's timeouts instead. No I/O here apart from that watchdog's thread.
"""

from __future__ import annotations

import heapq
import itertools
import math
import os
import socket
import threading
import time
import zlib
from typing import Any, Iterator, Optional

from azure.core.exceptions import DecodeError, HttpResponseError, ServiceResponseError

from .._core.errors import request_id_of

__all__ = ["ResponseTooLargeError"]

DEFAULT_MAX_RESPONSE_BYTES = 256 * 1024 * 1024
_PIECE = 256 * 1024  # the most one decompression step may produce
_MAX_LENGTH = (1 << 63) - 1  # the largest Content-Length taken as a length at all


class ResponseTooLargeError(HttpResponseError):
    """A response body was larger, once decompressed, than the client's `max_response_bytes`.

    Nothing past the limit was read or kept; `status_code` and `response.headers` are the response's. Pass a
    larger `max_response_bytes=` to the client or the call to accept larger answers.
    """


def check_max_response_bytes(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"max_response_bytes must be a positive number of bytes (an int), not {value!r}")
    return value


def check_seconds(name: str, value: Any) -> Optional[float]:
    """A timeout keyword: None, or a number of seconds > 0."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0 or math.isnan(value):
        raise ValueError(f"{name} must be a number of seconds > 0 (or None), not {value!r}")
    return float(value)


def _describe(response: Any) -> str:
    lines = [f"Status: {response.status_code} {response.reason or ''}".rstrip()]
    request_id = request_id_of(response.headers)
    if request_id:
        lines.append(f"Request id: {request_id}")
    return "\n".join(lines)


def too_large(response: Any, limit: int, declared: bool = False) -> ResponseTooLargeError:
    what = "announces a body" if declared else "has a body"
    message = (
        f"The response {what} larger than max_response_bytes ({limit} bytes, after decompression); "
        "pass a larger max_response_bytes= to the client or the call to accept it.\n" + _describe(response)
    )
    return ResponseTooLargeError(message=message, response=response)


def undecodable(response: Any, encoding: str, exc: BaseException) -> DecodeError:
    message = f"The response body is not valid {encoding} data: {exc}\n" + _describe(response)
    error = DecodeError(message=message, response=response, error=exc)
    return error


def declared_length(headers: Any) -> Optional[int]:
    """The Content-Length a response announces, when it is one number."""
    value = headers.get("Content-Length")
    if value is None:
        return None
    text = str(value).strip()
    return int(text) if text.isdigit() and len(text) < 40 else None


class BodyReader:
    """Decodes and counts one body: `feed(bytes)` yields the decoded pieces; raises past the limit."""

    def __init__(self, response: Any, limit: Optional[int], decompress: bool = True) -> None:
        self._response = response
        self._limit = limit
        self.total = 0
        encoding = str(response.headers.get("Content-Encoding") or "").strip().lower() if decompress else ""
        self._encoding = encoding
        self._wbits: Optional[int] = None
        if encoding in ("gzip", "x-gzip"):
            self._wbits = 16 + zlib.MAX_WBITS
        elif encoding == "deflate":
            self._wbits = 0  # decided by the first two bytes: zlib stream or raw deflate
        self._inflater: Any = None
        self._head = b""
        self.plain = self._wbits is None  # nothing to decode: `count` alone is `feed`, without a generator
        length = declared_length(response.headers)
        if length is not None and length > _MAX_LENGTH:  # as aiohttp refuses it, whatever the limit
            raise ServiceResponseError(
                f"The response announces an impossible Content-Length ({length}).\n" + _describe(response)
            )
        if limit is not None and not encoding and length is not None and length > limit:
            raise too_large(response, limit, declared=True)

    def feed(self, data: bytes) -> Iterator[bytes]:
        if self._wbits is None:
            if data:
                yield self.count(data)
            return
        try:
            yield from self._inflate(data)
        except zlib.error as exc:
            raise undecodable(self._response, self._encoding, exc) from exc

    def _start(self, data: bytes) -> Optional[bytes]:
        """Make the decompressor once its kind is known: the data to decompress, or None while `deflate` has not
        yet given the two bytes that tell a zlib stream from a raw one."""
        if self._wbits == 0:
            data = self._head + data
            if len(data) < 2:
                self._head = data
                return None
            zlib_header = data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0
            self._wbits = zlib.MAX_WBITS if zlib_header else -zlib.MAX_WBITS
        self._inflater = zlib.decompressobj(wbits=self._wbits or zlib.MAX_WBITS)
        return data

    def _inflate(self, data: bytes) -> Iterator[bytes]:
        if self._inflater is None:
            started = self._start(data)
            if started is None:
                return
            data = started
        while True:
            inflater: Any = self._inflater  # made by `_start` when it was None
            if inflater.eof:
                rest = inflater.unused_data
                if not rest or self._wbits != 16 + zlib.MAX_WBITS:
                    return  # anything after the end of a deflate stream is ignored
                self._inflater = inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)  # the next gzip member
                data = rest
            piece = inflater.decompress(data, _PIECE)
            data = inflater.unconsumed_tail
            if piece:
                yield self.count(piece)
            if not data and len(piece) < _PIECE and not (inflater.eof and inflater.unused_data):
                return

    def count(self, piece: bytes) -> bytes:
        """A piece of the decoded body, counted against the limit."""
        self.total += len(piece)
        if self._limit is not None and self.total > self._limit:
            raise too_large(self._response, self._limit)
        return piece


# ---------------------------------------------------------------------------------------------- deadlines


class Deadline:
    """A sync call's end: at `when` (monotonic clock) the connection it is using is cut, so that a blocked
    read returns at once. `attach(conn)` names the connection; `cancel()` disarms it before the connection is
    released for reuse."""

    __slots__ = ("when", "what", "expired", "cancelled", "conn", "pid", "__weakref__")

    def __init__(self, when: float, what: str) -> None:
        self.when = when
        self.what = what  # for the message: "timeout=3" or "stream_timeout=30"
        self.expired = False
        self.cancelled = False
        self.conn: Any = None
        self.pid = os.getpid()

    def attach(self, conn: Any) -> None:
        with _LOCK:
            self.conn = conn
            conn._inference_deadline = self  # pylint: disable=protected-access
            if self.expired:
                _cut(conn)

    def arm(self) -> "Deadline":
        _WATCHDOG.arm(self)
        return self

    def cancel(self) -> None:
        with _LOCK:
            if not self.cancelled:
                self.cancelled = True
                _WATCHDOG.cancelled()

    def fire(self) -> None:
        with _LOCK:
            if self.cancelled or self.expired:
                return
            self.expired = True
            conn = self.conn
            if conn is not None and getattr(conn, "_inference_deadline", None) is self and self.pid == os.getpid():
                _cut(conn)

    def left(self) -> float:
        return self.when - time.monotonic()


_LOCK = threading.Lock()


def detach(conn: Any) -> None:
    """A connection starts a request: whichever deadline it served before no longer applies to it."""
    with _LOCK:
        conn._inference_deadline = None  # pylint: disable=protected-access


def _cut(conn: Any) -> None:
    sock = getattr(conn, "sock", None) or getattr(conn, "_inference_sock", None)
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class _Watchdog:
    """One daemon thread per process that fires deadlines as they come due."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._heap: list[tuple[float, int, Deadline]] = []
        self._order = itertools.count()
        self._cancelled = 0
        self._thread: Optional[threading.Thread] = None
        self._pid = 0

    def arm(self, deadline: Deadline) -> None:
        with self._cond:
            if self._thread is None or self._pid != os.getpid():  # none yet, or the parent's before a fork
                self._heap, self._cancelled, self._pid = [], 0, os.getpid()
                self._thread = threading.Thread(target=self._run, name="azure-ai-inference-deadlines", daemon=True)
                self._thread.start()
            heapq.heappush(self._heap, (deadline.when, next(self._order), deadline))
            self._cond.notify()

    def cancelled(self) -> None:
        with self._cond:
            self._cancelled += 1
            if self._cancelled > 64 and self._cancelled * 2 > len(self._heap):
                self._heap = [entry for entry in self._heap if not entry[2].cancelled]
                heapq.heapify(self._heap)
                self._cancelled = 0

    def _run(self) -> None:
        while True:
            due: list[Deadline] = []
            with self._cond:
                while not self._heap:
                    self._cond.wait()
                when = self._heap[0][0]
                wait = when - time.monotonic()
                if wait > 0:
                    self._cond.wait(min(wait, 3600.0))
                    continue
                while self._heap and self._heap[0][0] <= time.monotonic():
                    entry = heapq.heappop(self._heap)[2]
                    if entry.cancelled:
                        self._cancelled = max(0, self._cancelled - 1)
                    else:
                        due.append(entry)
            for deadline in due:
                deadline.fire()


_WATCHDOG = _Watchdog()
