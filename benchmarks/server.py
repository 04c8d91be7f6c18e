"""A small, fast HTTP/1.1 server for the benchmarks: canned answers from precomputed bytes.

Run it in its own process: `python benchmarks/server.py [--port 0]`. It binds 127.0.0.1, prints the port
it listens on (one line, just the number) and serves until killed or until its stdin closes (so it never
outlives the process that started it with a pipe on stdin).

Routes (any query string is accepted; `api-version` is ignored):

- `POST /v1/chat/completions` (also `/chat/completions`): a ~600-byte `chat.completion` JSON object
  with Content-Length. With `"stream": true` in the JSON body: a `text/event-stream` answer in chunked
  transfer encoding, N `chat.completion.chunk` events of ~200 bytes each (one HTTP chunk per event, as a
  server that flushes each token does), then `data: [DONE]`. N comes from the `x-bench-chunks` header or
  the `chunks` query parameter (default 16).
- `POST /v1/embeddings` (also `/embeddings`): 16 vectors of 1024 numbers, as JSON floats, or as base64 of
  little-endian float32 when the body says `"encoding_format": "base64"`. Both encode the same float32 values.

`GET /bench/connections` answers `{"accepted": N}`, the number of TCP connections accepted so far, which the
connection-reuse benchmark reads before and after its streams.

Connections are kept alive unless the client sends `Connection: close`. Everything a response needs is
built once (streams are cached per N), so the server spends its time in the kernel, not in Python.
"""

from __future__ import annotations

import argparse
import array
import asyncio
import base64
import json
import random
import sys
from typing import Optional
from urllib.parse import parse_qs

EMBEDDING_COUNT = 16
EMBEDDING_DIMENSIONS = 1024
DEFAULT_CHUNKS = 16
MAX_CHUNKS = 1_000_000
_REQUEST_ID = "5f0c6a3e-2b1d-4c8e-9a7f-3d2e1b0c9a8f"
_MAX_HEAD = 64 * 1024

# ---------------------------------------------------------------------------------------------- bodies

_MODEL = "gpt-4o-mini"
_CREATED = 1718000000
_COMPLETION_ID = "chatcmpl-9Xk2QbLm4TzR7wYp"

CHAT_COMPLETION = {
    "id": _COMPLETION_ID,
    "object": "chat.completion",
    "created": _CREATED,
    "model": _MODEL,
    "choices": [
        {
            "index": 0,
            "message": {
                "role": "assistant",
                "content": "There are 5,280 feet in a mile. The unit comes from the Roman mille passus, a thousand "
                "paces; England fixed the statute mile at eight furlongs of 660 feet each in 1593, which is where the "
                "figure of 5,280 comes from. A nautical mile is longer: 6,076 feet.",
                "tool_calls": None,
            },
            "logprobs": None,
            "finish_reason": "stop",
        }
    ],
    "usage": {"prompt_tokens": 27, "completion_tokens": 52, "total_tokens": 79},
    "system_fingerprint": "fp_0ba0d124f1",
}

_WORDS = (
    " There", " are", " 5", ",", "280", " feet", " in", " a", " mile", ".", " The", " unit", " comes", " from",
    " the", " Roman", " mille", " passus", ",", " a", " thousand", " paces", ".",
)  # fmt: skip


def _chunk(delta: dict, finish_reason: Optional[str]) -> dict:
    return {
        "id": _COMPLETION_ID,
        "object": "chat.completion.chunk",
        "created": _CREATED,
        "model": _MODEL,
        "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}],
    }


def _event(payload: dict) -> bytes:
    return b"data: " + json.dumps(payload, separators=(",", ":")).encode() + b"\n\n"


def _http_chunk(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


# The events of a stream, each framed as one HTTP chunk: a first one with the role, content ones cycling
# through the words, a last one with the finish reason. N content-carrying events in all.
_FIRST_EVENT = _http_chunk(_event(_chunk({"role": "assistant", "content": ""}, None)))
_WORD_EVENTS = [_http_chunk(_event(_chunk({"content": w}, None))) for w in _WORDS]
_LAST_EVENT = _http_chunk(_event(_chunk({}, "stop")))
_DONE_EVENT = _http_chunk(b"data: [DONE]\n\n") + b"0\r\n\r\n"


def stream_body(n: int) -> bytes:
    """N events (the first carries the role, the last the finish reason), `[DONE]` and the chunked trailer."""
    parts = [_FIRST_EVENT]
    words = _WORD_EVENTS
    parts.extend(words[i % len(words)] for i in range(max(n - 2, 0)))
    if n >= 2:
        parts.append(_LAST_EVENT)
    parts.append(_DONE_EVENT)
    return b"".join(parts)


def embedding_values(seed: int = 1234) -> list[array.array]:
    """The vectors as float32 arrays; the JSON and base64 answers both encode exactly these values."""
    rng = random.Random(seed)
    vectors = []
    for _ in range(EMBEDDING_COUNT):
        vectors.append(array.array("f", (rng.gauss(0.0, 0.03) for _ in range(EMBEDDING_DIMENSIONS))))
    return vectors


def _embeddings_json(vectors: list[array.array], base64_encoding: bool) -> bytes:
    data = []
    for i, vector in enumerate(vectors):
        if base64_encoding:
            le = array.array("f", vector)
            if sys.byteorder == "big":
                le.byteswap()
            embedding: object = base64.b64encode(le.tobytes()).decode("ascii")
        else:
            # float32 values printed the way services print them: ~9 significant digits.
            embedding = [float(f"{v:.9g}") for v in vector]
        data.append({"object": "embedding", "index": i, "embedding": embedding})
    body = {
        "object": "list",
        "data": data,
        "model": "text-embedding-3-small",
        "usage": {"prompt_tokens": 96, "total_tokens": 96},
    }
    return json.dumps(body, separators=(",", ":")).encode()


# ---------------------------------------------------------------------------------------------- responses


def _head(status: str, content_type: str, length: Optional[int]) -> bytes:
    lines = [
        f"HTTP/1.1 {status}",
        f"Content-Type: {content_type}",
        "Content-Length: %d" % length if length is not None else "Transfer-Encoding: chunked",
        f"x-request-id: {_REQUEST_ID}",
        f"apim-request-id: {_REQUEST_ID}",
        "Date: Mon, 10 Jun 2024 06:13:20 GMT",
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii")


def fixed_response(body: bytes, content_type: str = "application/json", status: str = "200 OK") -> bytes:
    return _head(status, content_type, len(body)) + body


class Responses:
    """Every answer, as bytes, built once."""

    def __init__(self) -> None:
        vectors = embedding_values()
        self.chat = fixed_response(json.dumps(CHAT_COMPLETION, separators=(",", ":")).encode())
        self.embeddings_float = fixed_response(_embeddings_json(vectors, False))
        self.embeddings_base64 = fixed_response(_embeddings_json(vectors, True))
        self.stream_head = _head("200 OK", "text/event-stream; charset=utf-8", None)
        self._streams: dict[int, bytes] = {}
        self.accepted = 0  # TCP connections accepted so far

    def stream(self, n: int) -> bytes:
        body = self._streams.get(n)
        if body is None:
            if len(self._streams) > 8:
                self._streams.clear()
            body = self._streams[n] = self.stream_head + stream_body(n)
        return body

    @staticmethod
    def error(status: str, code: str, message: str) -> bytes:
        body = json.dumps({"error": {"code": code, "message": message}}).encode()
        return fixed_response(body, status=status)


# ---------------------------------------------------------------------------------------------- protocol


class _BadRequest(Exception):
    pass


class HTTPProtocol(asyncio.Protocol):
    """HTTP/1.1 with keep-alive and pipelining; request bodies by Content-Length or chunked."""

    def __init__(self, responses: Responses) -> None:
        self.responses = responses
        self.transport: Optional[asyncio.Transport] = None
        self.buf = bytearray()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.responses.accepted += 1

    def data_received(self, data: bytes) -> None:
        self.buf += data
        try:
            while self.transport is not None and self._one_request():
                pass
        except _BadRequest as exc:
            self._send(Responses.error("400 Bad Request", "BadRequest", str(exc)), close=True)

    def connection_lost(self, exc: Optional[Exception]) -> None:
        self.transport = None

    def _send(self, data: bytes, close: bool = False) -> None:
        transport = self.transport
        if transport is None:
            return
        transport.write(data)
        if close:
            transport.close()
            self.transport = None

    def _one_request(self) -> bool:
        """Answer one complete request from the buffer; False when more bytes are needed."""
        buf = self.buf
        end = buf.find(b"\r\n\r\n")
        if end < 0:
            if len(buf) > _MAX_HEAD:
                raise _BadRequest("request head too large")
            return False
        head = bytes(buf[:end]).decode("latin-1")
        request_line, _, header_text = head.partition("\r\n")
        try:
            method, target, _version = request_line.split(" ", 2)
        except ValueError:
            raise _BadRequest("malformed request line") from None
        headers = {}
        for line in header_text.split("\r\n"):
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        start = end + 4
        if headers.get("transfer-encoding", "").lower() == "chunked":
            parsed = _chunked_body(buf, start)
            if parsed is None:
                return False
            body, consumed = parsed
        else:
            length = int(headers.get("content-length") or 0)
            if len(buf) < start + length:
                return False
            body, consumed = bytes(buf[start : start + length]), start + length
        del buf[:consumed]
        close = headers.get("connection", "").lower() == "close"
        self._send(self._answer(method, target, headers, body), close=close)
        return True

    def _answer(self, method: str, target: str, headers: dict[str, str], body: bytes) -> bytes:
        path, _, query = target.partition("?")
        responses = self.responses
        if path == "/bench/connections" and method == "GET":
            return fixed_response(json.dumps({"accepted": responses.accepted}).encode())
        if path not in ("/v1/chat/completions", "/chat/completions", "/v1/embeddings", "/embeddings"):
            return Responses.error("404 Not Found", "NotFound", f"no route {path}")
        if method != "POST":
            return Responses.error("405 Method Not Allowed", "MethodNotAllowed", "use POST")
        try:
            request = json.loads(body) if body else {}
        except ValueError:
            return Responses.error("400 Bad Request", "BadRequest", "the body is not JSON")
        if not isinstance(request, dict):
            return Responses.error("400 Bad Request", "BadRequest", "the body is not a JSON object")
        if path.endswith("/embeddings"):
            if request.get("encoding_format") == "base64":
                return responses.embeddings_base64
            return responses.embeddings_float
        if request.get("stream") is True:
            n = headers.get("x-bench-chunks") or parse_qs(query).get("chunks", [""])[0] or DEFAULT_CHUNKS
            try:
                count = int(n)
            except ValueError:
                count = -1
            if not 0 <= count <= MAX_CHUNKS:
                return Responses.error("400 Bad Request", "BadRequest", "bad chunk count")
            return responses.stream(count)
        return responses.chat


def _chunked_body(buf: bytearray, pos: int) -> Optional[tuple[bytes, int]]:
    """(body, bytes consumed) of a chunked request body starting at `pos`; None when incomplete."""
    parts: list[bytes] = []
    while True:
        line_end = buf.find(b"\r\n", pos)
        if line_end < 0:
            return None
        try:
            size = int(bytes(buf[pos:line_end]).split(b";", 1)[0], 16)
        except ValueError:
            raise _BadRequest("bad chunk size") from None
        pos = line_end + 2
        if size == 0:
            trailer_end = buf.find(b"\r\n\r\n", pos - 2)
            if trailer_end < 0:
                return None
            return b"".join(parts), trailer_end + 4
        if len(buf) < pos + size + 2:
            return None
        parts.append(bytes(buf[pos : pos + size]))
        pos += size + 2


# ---------------------------------------------------------------------------------------------- main


async def serve(port: int, watch_stdin: bool) -> None:
    loop = asyncio.get_running_loop()
    responses = Responses()
    server = await loop.create_server(lambda: HTTPProtocol(responses), "127.0.0.1", port, backlog=1024)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        if watch_stdin:
            # Stop when whoever started us goes away (our stdin is their pipe).
            await loop.run_in_executor(None, sys.stdin.buffer.read)
        else:
            await server.serve_forever()


def main(argv: Optional[list[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument(
        "--watch-stdin", action="store_true", help="exit when stdin reaches end of file (used by run.py)"
    )
    args = parser.parse_args(argv)
    try:
        asyncio.run(serve(args.port, args.watch_stdin))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
