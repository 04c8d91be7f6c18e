"""A loopback HTTP server whose every answer is scripted by the test: status, headers and body bytes.

It plays a hostile or broken service for the decoding tests: whatever the test puts in `answer` is written
back verbatim (with a Content-Length), to any method and path. Requests are counted in `hits`.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class ScriptedServer:
    def __init__(self) -> None:
        self.answer: tuple[int, dict[str, str], bytes] = (200, {}, b"{}")
        self.hits = 0
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                owner.hits += 1
                status, headers, body = owner.answer
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

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
        self.answer = (status, {"Content-Type": "application/json", **headers}, body)

    def events(self, *frames: bytes) -> None:
        """A 200 event stream made of the given raw frames, sent in one write."""
        self.answer = (200, {"Content-Type": "text/event-stream"}, b"".join(frames))
