"""A loopback HTTP server whose every answer is scripted by the test: status, headers and body bytes.

It plays a hostile or broken service: whatever the test puts in `answer` is written back verbatim (with a
Content-Length), to any method and path. `gated_events` instead sends an event stream in parts, each part only
once the test sets the `threading.Event` before it, so a test can check what a client does while the rest of
the body has not been sent yet, without any timing. Requests are counted in `hits`.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Union

Part = Union[bytes, threading.Event]


class ScriptedServer:
    def __init__(self) -> None:
        self.answer: tuple[int, dict[str, str], bytes] = (200, {}, b"{}")
        self.parts: list[Part] = []  # when set: an event stream, sent part by part, waiting at each Event
        self.hits = 0
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                owner.hits += 1
                if owner.parts:
                    self._gated(owner.parts)
                    return
                status, headers, body = owner.answer
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _gated(self, parts: list[Part]) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Connection", "close")
                self.end_headers()
                self.close_connection = True
                for part in parts:
                    if isinstance(part, threading.Event):
                        if not part.wait(30):  # the test never got that far: end the body early, so it fails
                            return
                    else:
                        self.wfile.write(part)
                        self.wfile.flush()

            do_GET = do_POST = _answer

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> "ScriptedServer":
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def json(self, body: bytes, status: int = 200, **headers: str) -> None:
        self.parts = []
        self.answer = (status, {"Content-Type": "application/json", **headers}, body)

    def events(self, *frames: bytes) -> None:
        """A 200 event stream made of the given raw frames, sent in one write."""
        self.parts = []
        self.answer = (200, {"Content-Type": "text/event-stream"}, b"".join(frames))

    def gated_events(self, *parts: Part) -> None:
        """A 200 event stream sent part by part; at each `threading.Event` the server waits until it is set."""
        self.parts = list(parts)
