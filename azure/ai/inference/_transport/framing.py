# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""Reading an answer's head and body framing strictly (`FinalResponse`, the sync transport's http.client
response, and `ChunkedBody`, the chunked framing read from bytes as they arrive): interim `1xx` answers skipped, one
Content-Length value, chunked alone, chunk sizes of hex digits on a bounded line, CRLF after each chunk, bounded
trailers; anything else is a `FramingError` and the connection is never reused.
"""

from __future__ import annotations

import http.client
import re
from typing import Optional, cast

__all__ = ["ChunkedBody", "FinalResponse", "FramingError", "MAX_HEADERS"]

_MAX_INTERIM = 100  # interim (1xx) answers skipped before a final one, at most
_MAX_HEADER_LINE = 65536
MAX_HEADERS = 100
_MAX_CHUNK_LINE = 4096  # a chunk's size line, extensions included

# chunk = chunk-size [ chunk-ext ] CRLF (RFC 9112 7.1): hex digits only (no sign, `0x` or `_`, which Python's
# int() takes), at most 16 of them after leading zeros; whitespace only before an extension.
_CHUNK_SIZE = re.compile(rb"0*([0-9A-Fa-f]{1,16})[ \t]*(?:;[^\r\n]*)?\r\n")
_DIGITS = re.compile(r"[0-9]+")
_HEX = b"0123456789abcdefABCDEF"


class FramingError(http.client.HTTPException):
    """The answer's framing (Content-Length, Transfer-Encoding, chunks) cannot be trusted: where it ends, and so
    where the next answer on the connection would begin, is unknown. The connection is closed, never reused."""


def _content_length(values: list[str]) -> Optional[int]:
    """The one length that Content-Length fields announce: each a number, and all the same (RFC 9110 8.6 lets
    a recipient accept `5, 5` or the same field twice); FramingError otherwise."""
    numbers: set[int] = set()
    for value in values:
        for item in value.split(","):
            text = item.strip(" \t")
            if not _DIGITS.fullmatch(text):
                raise FramingError(f"The answer's Content-Length is not a number: {text[:40]!r}.")
            numbers.add(int(text))
    if len(numbers) > 1:
        raise FramingError(
            "The answer has Content-Length fields that differ ("
            + ", ".join(str(number) for number in sorted(numbers)[:4])
            + "): where its body ends is unknown."
        )
    return numbers.pop() if numbers else None


class FinalResponse(http.client.HTTPResponse):
    """http.client's response, which skips every interim `1xx` answer (`103 Early Hints`, ...) before the final
    one, as http.client itself skips only `100 Continue` (`101` is final), and reads the framing its head announces
    strictly: one Content-Length value, `Transfer-Encoding: chunked` alone and never with Content-Length. Anything
    else is a `FramingError` at once (http.client takes the first of two Content-Length values). A chunked body is
    read by `ChunkedBody`, not by http.client, which takes `+1f`, `0x1f`, `1_f` and `-5` as chunk sizes."""

    def begin(self) -> None:
        super().begin()
        fields = self.msg
        lengths = fields.get_all("Content-Length") or []
        codings = fields.get_all("Transfer-Encoding") or []
        if codings:
            if len(codings) > 1 or codings[0].strip(" \t").lower() != "chunked":
                raise FramingError(f"The answer's Transfer-Encoding is not supported: {', '.join(codings)[:60]!r}.")
            if lengths:
                raise FramingError("The answer has both Transfer-Encoding and Content-Length.")
            return
        length = _content_length(lengths)
        if length is not None and self.length is None and not self.chunked:
            # http.client could not read `5, 5`: it would read to the end of the connection instead.
            if not (self.status in (204, 304) or 100 <= self.status < 200 or getattr(self, "_method", None) == "HEAD"):
                self.length = length

    def _read_status(self) -> tuple[str, int, str]:  # pyright: ignore[reportIncompatibleMethodOverride]
        for _ in range(_MAX_INTERIM):
            read = cast("tuple[str, int, str]", super()._read_status())  # type: ignore[misc]  # pyright: ignore
            version, status, reason = read
            if not 100 <= status < 200 or status == 101:
                return version, status, reason
            for _ in range(MAX_HEADERS + 1):  # the interim answer's header lines, up to its blank line
                line = self.fp.readline(_MAX_HEADER_LINE + 1)
                if len(line) > _MAX_HEADER_LINE:
                    raise http.client.LineTooLong("header line")
                if line in (b"\r\n", b"\n", b""):
                    break
            else:
                raise http.client.HTTPException(f"got more than {MAX_HEADERS} headers in an interim answer")
        raise http.client.HTTPException(f"got more than {_MAX_INTERIM} interim (1xx) answers")


# ChunkedBody's states: what the next bytes are.
_SIZE, _DATA, _CRLF, _TRAILER, _END = range(5)
_SIZES: dict[bytes, int] = {}  # size lines of hex digits alone, as they came (at most _MAX_SIZES of them)
_MAX_SIZES = 4096


def _size_of(line: bytes) -> int:
    """The size a chunk's size line gives (without its CRLF); FramingError when it is not valid. A line of 1 to 16
    hex digits alone, the common line, is remembered in _SIZES."""
    if 0 < len(line) <= 16 and not line.strip(_HEX):
        size = int(line, 16)
        if len(_SIZES) < _MAX_SIZES:
            _SIZES[line] = size
        return size
    match = _CHUNK_SIZE.fullmatch(line + b"\r\n")  # leading zeros past 16 digits, whitespace, an extension
    if match is None:
        raise FramingError(f"A chunk size of the answer is not hexadecimal digits: {line[:40]!r}.")
    return int(match.group(1), 16)


class ChunkedBody:
    """The chunked framing of a body (RFC 9112 7.1), read from the bytes of the connection as they arrive, sans-IO:
    `feed(data)` returns the chunk data the bytes bring, one piece per chunk (or part of a chunk); `done` once the
    last chunk and the trailer are read. Strict: a chunk size is hex digits (at most 16 after leading zeros) on a
    CRLF line of at most 4 KiB, whitespace only before an extension; each chunk's data ends with CRLF; at most 100
    trailer lines of at most 64 KiB. Anything else is a `FramingError`. A read of the connection then returns every
    chunk that has arrived in one call, where http.client reads each chunk with three.

    `excess` is True when bytes came after the end of the body: the connection is then never reused, so that
    they cannot be read as the next answer. `given` is kept by the reader: the pieces it has handed on so far
    (`made` counts those returned), so that a stream closed early knows whether anything it was sent is left.
    """

    __slots__ = ("_state", "_left", "_pending", "_trailers", "_line", "_first", "done", "excess", "made", "given")

    def __init__(self) -> None:
        self._state = _SIZE
        self._left = 0  # the bytes of the current chunk's data still to come
        self._pending: bytes = b""  # an unfinished size line or chunk end
        self._trailers = 0
        self._line = 0  # the bytes of the unfinished trailer line so far (counted, not kept)
        self._first = b""  # its first byte
        self.done = False
        self.excess = False
        self.made = 0
        self.given = 0

    def feed(self, data: bytes) -> list[bytes]:
        """The chunk data in `data` (the next bytes of the connection); FramingError where the framing breaks."""
        if self.done:
            self.excess = self.excess or bool(data)
            return []
        data = self._pending + data  # (no copy while nothing is pending)
        self._pending = b""
        pieces: list[bytes] = []
        pos, end, left, state = 0, len(data), self._left, self._state
        while pos < end:  # the common round: a chunk's data, its CRLF and the next chunk's size line
            if state == _DATA:
                piece = data[pos : pos + left]
                pieces.append(piece)
                pos += len(piece)
                left -= len(piece)
                if left:
                    break
                state = _CRLF
            if state == _CRLF:
                if end - pos < 2:
                    self._pending = data[pos:]
                    break
                if not data.startswith(b"\r\n", pos):
                    raise FramingError(f"A chunk of the answer does not end where its size says: {data[pos:pos + 2]!r}.")
                pos += 2
                state = _SIZE
            if state == _SIZE:
                line_end = data.find(b"\r\n", pos, pos + _MAX_CHUNK_LINE)
                if line_end < 0:  # the line has not all arrived: kept until it has, within its bound
                    if end - pos >= _MAX_CHUNK_LINE:
                        raise FramingError(f"A chunk size line of the answer is longer than {_MAX_CHUNK_LINE} bytes.")
                    self._pending = data[pos:]
                    break
                line = data[pos:line_end]
                size = _SIZES.get(line)  # only valid lines are remembered
                if size is None:
                    size = _size_of(line)
                pos = line_end + 2
                if size:
                    left, state = size, _DATA
                    continue
                state = _TRAILER
            if state == _TRAILER:
                state = self._trailer(data, pos)
                break
        self._left, self._state = left, state
        self.made += len(pieces)
        return pieces

    def _trailer(self, data: bytes, pos: int) -> int:
        """The trailer's lines after the last chunk, up to its empty line (CRLF or LF), bounded as the head is;
        the state after them. A line's bytes are counted, not kept, so that a line that trickles in costs linear
        time."""
        while True:
            line_end = data.find(b"\n", pos)
            stop = len(data) if line_end < 0 else line_end
            if not self._line:
                self._first = data[pos : pos + 1]
            self._line += stop - pos
            if self._line >= _MAX_HEADER_LINE:
                raise FramingError(f"A trailer line of the answer is longer than {_MAX_HEADER_LINE} bytes.")
            if line_end < 0:
                return _TRAILER
            if not self._line or (self._line == 1 and self._first == b"\r"):  # the empty line: the body ends
                self.done = True
                self.excess = line_end + 1 < len(data)
                return _END
            self._line = 0
            self._trailers += 1
            if self._trailers > MAX_HEADERS:
                raise FramingError(f"The answer has more than {MAX_HEADERS} trailer lines.")
            pos = line_end + 1

    def end(self) -> None:
        """The connection ended: IncompleteRead unless the body had (the end of a trailer may be missing, as
        http.client allows)."""
        if not self.done and self._state != _TRAILER:
            raise http.client.IncompleteRead(b"", self._left or None)
        self.done = True
