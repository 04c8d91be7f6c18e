# Server-Sent Events on the wire: turns a list of JSON events into frames, applies the SSE framing faults
# (line endings, comments, multi-line data, ...) and writes them chunk by chunk with the timing faults (and the
# hold that lets a test see an event arrive before the server writes the next).
from __future__ import annotations

import asyncio
import json
import socket
import struct
import time
from typing import Any

from aiohttp import web

from .faults import FaultSpec
from .state import EmulatorState

__all__ = [
    "StreamAborted",
    "abort_connection",
    "dumps",
    "build_payloads",
    "encode_frames",
    "write_frames",
    "MID_STREAM_ERROR",
]

MID_STREAM_ERROR: dict[str, Any] = {"error": {"code": "InternalServerError", "message": "The model failed mid-stream"}}
_SPLIT_PAUSE = 0.02
_HOLD_POLL = 0.01  # seconds between two looks at whether a held stream was released
_PIECEWISE = ("tiny-chunks", "split-utf8")  # faults that write a frame in several writes, the last one too


class StreamAborted(Exception):
    """The `reset` fault aborted the connection; nothing more can be sent."""


def dumps(value: Any) -> str:
    """Compact JSON with raw UTF-8 characters, as real servers send it."""
    return json.dumps(value, ensure_ascii=False)


def build_payloads(events: list[dict[str, Any]], fault: FaultSpec | None) -> list[str]:
    """The `data` of each event, in order, including the final `[DONE]` unless a fault removes it."""
    name = fault.name if fault else None
    payloads = [dumps(event) for event in events]
    if fault is not None and name == "error-event":
        return payloads[: fault.integer("after", 2)] + [dumps(MID_STREAM_ERROR)]
    if name == "malformed-json" and payloads:
        index = min(1, len(payloads) - 1)
        payloads[index] = payloads[index][: len(payloads[index]) // 2]
    if name not in ("no-done", "no-trailing-newline-event"):
        payloads.append("[DONE]")
    return payloads


def _ping() -> str:
    return ": ping - " + time.strftime("%Y-%m-%d %H:%M:%S+00:00", time.gmtime())


def _frame(data: str, index: int, name: str | None) -> str:
    if name == "nospace":
        return f"data:{data}\n\n"
    if name == "multiline" and data != "[DONE]":
        pretty = json.dumps(json.loads(data), ensure_ascii=False, indent=2)
        return "".join(f"data: {line}\n" for line in pretty.split("\n")) + "\n"
    if name == "event-id":
        return f"event: message\nid: {index}\nretry: 1000\ndata: {data}\n\n"
    if name == "keepalive":
        return f"{_ping()}\ndata: {data}\n\n"
    return f"data: {data}\n\n"


def encode_frames(payloads: list[str], fault: FaultSpec | None) -> list[bytes]:
    """One byte string per event, framed as the fault asks."""
    name = fault.name if fault else None
    frames = [_frame(data, index, name) for index, data in enumerate(payloads, start=1)]
    if name == "keepalive" and frames:
        frames[0] = f"{_ping()}\n\n" + frames[0]
    if name in ("no-trailing-newline", "no-trailing-newline-event") and frames:
        frames[-1] = frames[-1].rstrip("\n")
    if name == "crlf":
        frames = [frame.replace("\n", "\r\n") for frame in frames]
    elif name == "cr":
        frames = [frame.replace("\n", "\r") for frame in frames]
    return [frame.encode("utf-8") for frame in frames]


def _split_inside_utf8(data: bytes) -> list[bytes]:
    """Split once inside the first multi-byte UTF-8 sequence, if there is one."""
    for index, byte in enumerate(data):
        if byte >= 0xC0:
            return [data[: index + 1], data[index + 1 :]]
    return [data]


async def write_frames(
    request: web.BaseRequest,
    response: web.StreamResponse,
    frames: list[bytes],
    fault: FaultSpec | None,
    state: EmulatorState | None = None,
) -> None:
    """Write the frames, flushing each one; raises StreamAborted when the `reset` fault cuts the connection."""
    name, delay, reset_after, hold_after = _timing(fault)
    releases = state.releases if state is not None else 0  # a release from now on lets this stream go on
    for written, frame in enumerate(frames):
        if reset_after is not None and written >= reset_after:
            abort_connection(request)
        if written and delay:
            await asyncio.sleep(delay)
        if written == hold_after and state is not None:
            await _held(state, releases)
        if written == len(frames) - 1 and reset_after is None and name not in _PIECEWISE:
            # The last frame and the end of the body in one write, as servers commonly send them: a client
            # that stops at `[DONE]` finds the end already arrived and can keep the connection.
            await response.write_eof(frame)
            return
        await _write_frame(response, frame, name)
    if reset_after is not None:
        abort_connection(request)
    await response.write_eof()


def _timing(fault: FaultSpec | None) -> tuple[str | None, float, int | None, int | None]:
    """The fault's name, the pause between events, and the events after which the stream is reset or held."""
    if fault is None:
        return None, 0.0, None, None
    name = fault.name
    delay = fault.number("delay", 0.2) if name == "slow-stream" else 0.0
    reset_after = fault.integer("after", 2) if name == "reset" else None
    hold_after = fault.integer("after", 1) if name == "hold-stream" else None
    return name, delay, reset_after, hold_after


async def _held(state: EmulatorState, releases: int) -> None:
    """Wait for a release after the `releases` seen when the stream started (cancelled with the request when the
    client leaves, or the server stops)."""
    while state.releases == releases:
        await asyncio.sleep(_HOLD_POLL)


async def _write_frame(response: web.StreamResponse, frame: bytes, name: str | None) -> None:
    """One frame, in the writes the fault asks for."""
    if name == "tiny-chunks":
        for offset in range(len(frame)):
            await response.write(frame[offset : offset + 1])
    elif name == "split-utf8":
        for part_index, part in enumerate(_split_inside_utf8(frame)):
            if part_index:
                await asyncio.sleep(_SPLIT_PAUSE)
            await response.write(part)
    else:
        await response.write(frame)


def abort_connection(request: web.BaseRequest) -> None:
    """Drop the TCP connection without a goodbye, so the client sees a reset."""
    transport = request.transport
    if transport is not None:
        sock = transport.get_extra_info("socket")
        if sock is not None:
            try:  # linger 0: the close sends a TCP RST instead of a FIN
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            except OSError:
                pass
        transport.abort()
    raise StreamAborted()
