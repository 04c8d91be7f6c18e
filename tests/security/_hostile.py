"""A scriptable hostile HTTP(S) server on the loopback interface, for the security tests.

Each test gives the behaviour of every connection as a function `handler(conn)`: it reads the request with
`conn.read_request()` and answers with raw bytes however it likes (slowly, endlessly, compressed into a bomb,
with a broken gzip body, a huge `Content-Length`, a reset, an interim `103`, ...). The server runs the listener and
each connection in daemon threads, counts connections and requests, and stops every thread on `close()`; pacing
(a byte every 0.3 s) waits on the server's stop event, so closing the server ends a drip at once.
"""

from __future__ import annotations

import gzip
import json
import socket
import ssl
import struct
import threading
import zlib
from typing import Any, Callable, Optional

__all__ = ["Conn", "HostileServer", "Request", "call", "json_answer", "ok_answer", "serve_each"]


class Request:
    """One request as the server read it."""

    def __init__(self, method: str, target: str, headers: dict[str, str], body: bytes) -> None:
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body

    def json(self) -> Any:
        return json.loads(self.body)


class Conn:
    """One accepted connection: read requests, write raw bytes."""

    def __init__(self, server: "HostileServer", sock: socket.socket, index: int) -> None:
        self.server = server
        self.sock = sock
        self.index = index  # 0 for the server's first connection
        self._buffer = b""

    def read_request(self) -> Optional[Request]:
        """The next request on this connection, or None when the peer closed it."""
        while b"\r\n\r\n" not in self._buffer:
            data = self._recv()
            if not data:
                return None
            self._buffer += data
        head, self._buffer = self._buffer.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        method, target, _ = lines[0].split(" ", 2)
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        while len(self._buffer) < length:
            data = self._recv()
            if not data:
                return None
            self._buffer += data
        body, self._buffer = self._buffer[:length], self._buffer[length:]
        request = Request(method, target, headers, body)
        self.server.record(request)
        return request

    def _recv(self) -> bytes:
        try:
            return self.sock.recv(65536)
        except OSError:
            return b""

    def send(self, data: bytes) -> bool:
        """Write bytes; False when the peer is gone or the server is stopping."""
        if self.server.stopping.is_set():
            return False
        try:
            self.sock.sendall(data)
        except OSError:
            return False
        return True

    def drip(self, data: bytes, interval: float) -> bool:
        """Write bytes one at a time, `interval` seconds apart; False when interrupted."""
        for index in range(len(data)):
            if not self.send(data[index : index + 1]):
                return False
            if self.server.stopping.wait(interval):
                return False
        return True

    def hold(self) -> None:
        """Send nothing more until the server stops or the peer closes the connection."""
        self.sock.settimeout(0.05)
        while not self.server.stopping.is_set():
            try:
                if self.sock.recv(65536) == b"":
                    return
            except socket.timeout:
                continue
            except OSError:
                return

    def reset(self) -> None:
        """Close with a TCP reset (RST) instead of an orderly FIN."""
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.sock.close()


Handler = Callable[[Conn], None]


class HostileServer:
    """A loopback server whose every connection runs `handler(conn)` in its own thread.

    Use it as a context manager; `url` is its base URL, `requests` what it read, `connections` how many it
    accepted. `host="::1"` listens on IPv6.
    """

    def __init__(self, handler: Handler, host: str = "127.0.0.1", tls: Optional[ssl.SSLContext] = None) -> None:
        self.handler = handler
        self.tls = tls
        self.stopping = threading.Event()
        self.requests: list[Request] = []
        self.connections = 0
        self.request_seen = threading.Event()
        self._lock = threading.Lock()
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self._listener = socket.socket(family, socket.SOCK_STREAM)
        self._listener.bind((host, 0))
        self._listener.listen(64)
        port = self._listener.getsockname()[1]
        scheme = "https" if tls is not None else "http"
        self.url = f"{scheme}://[{host}]:{port}" if ":" in host else f"{scheme}://{host}:{port}"
        self._socks: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self._accepter = threading.Thread(target=self._accept, name="hostile-accept", daemon=True)

    def __enter__(self) -> "HostileServer":
        self._accepter.start()
        return self

    def __exit__(self, *exc_details: Any) -> None:
        self.close()

    def record(self, request: Request) -> None:
        with self._lock:
            self.requests.append(request)
        self.request_seen.set()

    def _accept(self) -> None:
        while not self.stopping.is_set():
            try:
                sock, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                if self.stopping.is_set():
                    sock.close()
                    return
                index = self.connections
                self.connections += 1
                self._socks.append(sock)
                thread = threading.Thread(target=self._serve, args=(sock, index), daemon=True)
                self._threads.append(thread)
            thread.start()

    def _serve(self, sock: socket.socket, index: int) -> None:
        try:
            if self.tls is not None:
                sock.settimeout(10)
                sock = self.tls.wrap_socket(sock, server_side=True)
                sock.settimeout(None)
            self.handler(Conn(self, sock, index))
        except (OSError, ssl.SSLError):
            pass
        finally:
            try:
                sock.close()
            except OSError:
                pass

    def close(self) -> None:
        self.stopping.set()
        try:
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept() (close alone does not)
        except OSError:
            pass
        self._listener.close()
        with self._lock:
            socks, threads = list(self._socks), list(self._threads)
        for sock in socks:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        for thread in [self._accepter, *threads]:
            if thread.is_alive():
                thread.join(10)


# ---------------------------------------------------------------------------------------------- answers

CHAT_ANSWER = {
    "id": "hostile-1",
    "created": 1700000000,
    "model": "hostile-model",
    "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "hi"}}],
    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
}


def json_answer(
    payload: Any = None,
    status: str = "200 OK",
    headers: Optional[dict[str, str]] = None,
    body: Optional[bytes] = None,
) -> bytes:
    """A whole HTTP/1.1 answer with a JSON body (`CHAT_ANSWER` unless given) and an exact Content-Length."""
    if body is None:
        body = json.dumps(CHAT_ANSWER if payload is None else payload).encode()
    lines = [f"HTTP/1.1 {status}", "Content-Type: application/json", f"Content-Length: {len(body)}"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def sse_answer_head() -> bytes:
    """The head of a streamed answer whose body is read until the connection closes."""
    return b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n"


def sse_update(content: str) -> bytes:
    update = {
        "id": "hostile-1",
        "created": 1700000000,
        "model": "hostile-model",
        "choices": [{"index": 0, "delta": {"content": content}, "finish_reason": None}],
    }
    return b"data: " + json.dumps(update).encode() + b"\n\n"


def gzip_bomb(size: int) -> bytes:
    """`size` zero bytes, gzip-compressed (about a thousandth of `size`)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1 << 20)
    parts = [compressor.compress(block) for _ in range(size >> 20)]
    parts.append(compressor.compress(bytes(size & ((1 << 20) - 1))))
    parts.append(compressor.flush())
    return b"".join(parts)


def gzipped(data: bytes) -> bytes:
    return gzip.compress(data)


def deflated(data: bytes) -> bytes:
    """The `deflate` content coding as RFC 9110 defines it: a zlib stream."""
    return zlib.compress(data)


MODEL_INFO = {"model_name": "hostile-model", "model_type": "chat", "model_provider": "hostile"}


def sse_body(*contents: str) -> bytes:
    return b"".join(sse_update(content) for content in contents) + b"data: [DONE]\n\n"


def ok_answer(request: Request, headers: Optional[dict[str, str]] = None) -> bytes:
    """The successful answer to one of the three operations the tests call (chat, streamed chat, /info)."""
    if request.target.startswith("/info"):
        return json_answer(MODEL_INFO, headers=headers)
    if request.body and request.json().get("stream"):
        body = sse_body("hi")
        extra = "".join(f"{name}: {value}\r\n" for name, value in (headers or {}).items())
        head = f"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: {len(body)}\r\n{extra}\r\n"
        return head.encode("latin-1") + body
    return json_answer(headers=headers)


def serve_each(answer: Callable[[Conn, Request, int], bool]) -> Handler:
    """A handler that reads each request of a connection and lets `answer(conn, request, number)` reply, where
    `number` counts the server's requests from 1; `answer` returns False to stop serving the connection."""

    def handler(conn: Conn) -> None:
        while True:
            request = conn.read_request()
            if request is None:
                return
            if not answer(conn, request, len(conn.server.requests)):
                return

    return handler


# ---------------------------------------------------------------------------------------------- calls

OPERATIONS = ["create", "create_streaming", "get_model_info"]
MESSAGES = [{"role": "user", "content": "hi"}]


async def call(mode: Any, client: Any, operation: str, **kwargs: Any) -> Any:
    """Run one operation to its end (a stream is read whole) and return what it gave."""
    if operation == "create":
        return await mode.call(client.create(messages=MESSAGES, **kwargs))
    if operation == "create_streaming":
        stream = await mode.call(client.create_streaming(messages=MESSAGES, **kwargs))
        return await mode.collect(stream)
    return await mode.call(client.get_model_info(**kwargs))
