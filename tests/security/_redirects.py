"""A hostile loopback network for the credential tests: servers that redirect where a test tells them to, and
record every request they receive, credentials included.

- `Hub` starts `Server`s on loopback addresses (127.0.0.1, 127.0.0.2, ::1). Each port speaks both http and https:
  the first byte of a connection tells a TLS handshake (0x16) from plain text, so a redirect from https to http on
  the same host and port reaches the same server. The certificate (from a throw-away `trustme` CA, trusted by the
  clients through `connection_verify=hub.ca_file`) names 127.0.0.1, 127.0.0.2, ::1 and localhost.
- `hub.redirect(from_url, status, to_url)` makes `from_url` (scheme, port and path; the query is ignored) answer
  `status` with `Location: to_url`; `hub.challenge(url)` makes it answer 401 with a claims challenge. Any other path gets a valid answer for what was asked: a model info for
  `.../info`, a stream of two updates when the request accepts `text/event-stream`, a chat completion otherwise.
- A request in absolute form (`GET http://example.invalid/info HTTP/1.1`, what a client sends to an http proxy) is
  answered the same way, so a hub server used as `proxies={"http": ...}` stands in for any host, with no DNS.
- `hub.seen` lists every request in arrival order, as `Seen` records.

Only loopback addresses are used; servers run in threads and stop in `Hub.close()`.
"""

from __future__ import annotations

import base64
import json
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Optional
from urllib.parse import urlsplit

import trustme
from azure.core.credentials import AccessToken

KEY = "rk-4Ft8-KEYSECRET-a3c1f0e9d2b47765"
TOKEN = "tk-9Wq2-TOKENSECRET-5e8d77c0b1a2f3e4"
SECRETS = (KEY, TOKEN, "KEYSECRET", "TOKENSECRET")
REPLY = "hello from the hub"
STATUSES = (301, 302, 303, 307, 308)
CREDENTIAL_HEADERS = ("authorization", "api-key")


@dataclass
class Seen:
    """One request as a server received it."""

    scheme: str
    address: str  # the address the server listens on
    port: int
    method: str
    target: str  # the request target as sent: a path, or an absolute URL through a proxy
    headers: dict[str, str]  # names in lower case
    body: bytes = b""

    @property
    def path(self) -> str:
        return urlsplit(self.target).path

    @property
    def credentials(self) -> dict[str, str]:
        """The credential headers this request carried."""
        return {name: value for name, value in self.headers.items() if name in CREDENTIAL_HEADERS}

    def shows_a_secret(self) -> bool:
        text = json.dumps(self.headers) + self.target + self.body.decode("latin-1")
        return any(secret in text for secret in SECRETS)


@dataclass
class _Route:
    status: int
    headers: dict[str, str]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: "_DualServer"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002  # quiet
        pass

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        scheme = "https" if isinstance(self.connection, ssl.SSLSocket) else "http"
        hub = self.server.hub
        seen = Seen(
            scheme,
            self.server.address,
            self.server.port,
            self.command,
            self.path,
            {name.lower(): value for name, value in self.headers.items()},
            body,
        )
        route = hub.record(seen)
        if route is not None:
            self._send(route.status, b"", "text/plain", route.headers)
            return
        if seen.path.endswith("/info"):
            info = {"model_name": "hub-model", "model_type": "chat", "model_provider_name": "hub"}
            self._send(200, json.dumps(info).encode(), "application/json")
        elif "text/event-stream" in seen.headers.get("accept", ""):
            self._send(200, _stream_body(), "text/event-stream")
        else:
            self._send(200, json.dumps(_completion(REPLY)).encode(), "application/json")

    do_GET = do_POST = do_PUT = do_HEAD = _answer

    def _send(self, status: int, body: bytes, content_type: str, headers: Optional[dict[str, str]] = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


def _completion(content: str) -> dict[str, Any]:
    return {
        "id": "hub-1",
        "object": "chat.completion",
        "created": 1700000000,
        "model": "hub-model",
        "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": content}}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3},
    }


def _stream_body() -> bytes:
    def chunk(delta: dict[str, Any], finish: Optional[str] = None) -> str:
        update = {
            "id": "hub-1",
            "object": "chat.completion.chunk",
            "created": 1700000000,
            "model": "hub-model",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }
        return "data: " + json.dumps(update) + "\n\n"

    half = len(REPLY) // 2
    parts = [
        chunk({"role": "assistant", "content": REPLY[:half]}),
        chunk({"content": REPLY[half:]}),
        chunk({}, "stop"),
    ]
    return ("".join(parts) + "data: [DONE]\n\n").encode()


class _DualServer(ThreadingHTTPServer):
    """An HTTP server whose port also speaks TLS: a connection opening with a handshake record is wrapped."""

    daemon_threads = True
    block_on_close = True

    def __init__(self, hub: "Hub", address: str) -> None:
        self.address_family = socket.AF_INET6 if ":" in address else socket.AF_INET
        super().__init__((address, 0), _Handler)
        self.hub = hub
        self.address = address
        self.port: int = self.server_address[1]
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()

    def finish_request(self, request: Any, client_address: Any) -> None:
        conn: socket.socket = request
        try:
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # headers and body go out at once
            first = conn.recv(1, socket.MSG_PEEK)
            if first == b"\x16":
                conn = self.hub.tls.wrap_socket(conn, server_side=True)
        except (OSError, ssl.SSLError):
            return
        with self._lock:
            self._open.add(conn)
        try:
            self.RequestHandlerClass(conn, client_address, self)
        finally:
            with self._lock:
                self._open.discard(conn)
            if conn is not request:
                conn.close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that hangs up or refuses the certificate is not a failure of the server

    def stop(self) -> None:
        self.shutdown()
        with self._lock:
            open_now = list(self._open)
        for conn in open_now:  # wake handlers blocked on an idle keep-alive connection
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self.server_close()


class Server:
    """One listening port of the hub."""

    def __init__(self, hub: "Hub", address: str) -> None:
        self._server = _DualServer(hub, address)
        self.address = address
        self.port = self._server.port
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name=f"hub-{address}-{self.port}"
        )
        self._thread.daemon = True
        self._thread.start()

    def url(self, scheme: str = "http", host: Optional[str] = None, path: str = "") -> str:
        """The URL of this server, by its address or by another name for it (`localhost`)."""
        name = host or (f"[{self.address}]" if ":" in self.address else self.address)
        return f"{scheme}://{name}:{self.port}{path}"

    def stop(self) -> None:
        self._server.stop()
        self._thread.join(timeout=10)


class Hub:
    """Loopback servers, their redirect routes and the requests they saw."""

    def __init__(self, directory: Path) -> None:
        self.ca = trustme.CA()
        cert = self.ca.issue_cert("127.0.0.1", "127.0.0.2", "::1", "localhost")
        self.tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        cert.configure_cert(self.tls)
        self.ca_file = str(directory / "hub-ca.pem")
        self.ca.cert_pem.write_to_path(self.ca_file)
        self._lock = threading.Lock()
        self._routes: dict[tuple[str, int, str], _Route] = {}
        self.seen: list[Seen] = []
        self._changed = threading.Condition(self._lock)
        self.servers: list[Server] = []

    def server(self, address: str = "127.0.0.1") -> Server:
        server = Server(self, address)
        self.servers.append(server)
        return server

    def redirect(self, from_url: str, status: int, to_url: str) -> None:
        """Make `from_url` (its scheme, port and path) answer `status` with `Location: to_url`."""
        self._route(from_url, _Route(status, {"Location": to_url}))

    def challenge(self, url: str) -> None:
        """Make `url` answer 401 with a claims challenge (what makes azure-core's token policy ask again)."""
        claims = base64.urlsafe_b64encode(b'{"access_token":{"acrs":{"essential":true,"value":"c1"}}}').decode()
        header = f'Bearer error="insufficient_claims", claims="{claims}"'
        self._route(url, _Route(401, {"WWW-Authenticate": header}))

    def _route(self, url: str, route: _Route) -> None:
        parts = urlsplit(url)
        assert parts.port is not None
        with self._lock:
            self._routes[(parts.scheme, parts.port, parts.path)] = route

    def reset(self) -> None:
        with self._lock:
            self._routes.clear()
            self.seen.clear()

    def record(self, seen: Seen) -> Optional[_Route]:
        with self._changed:
            self.seen.append(seen)
            self._changed.notify_all()
            return self._routes.get((seen.scheme, seen.port, seen.path))

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Seen]:
        """The requests seen, once there are at least `count` (fails after `timeout` seconds)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self.seen) < count:
                left = deadline - time.monotonic()
                assert left > 0, f"expected {count} requests, the hub saw {len(self.seen)}"
                self._changed.wait(left)
            return list(self.seen)

    def close(self) -> None:
        for server in self.servers:
            server.stop()
        self.servers.clear()


# ------------------------------------------------------------------------------------------ credentials


@dataclass
class Token:
    """A token credential that counts what it was asked for; `token` is what it hands out."""

    token: str = TOKEN
    calls: list[dict[str, Any]] = field(default_factory=list)

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        self.calls.append({"scopes": scopes, **kwargs})
        return AccessToken(self.token, int(time.time()) + 3600)


@dataclass
class AsyncToken(Token):
    """The async shape of `Token`."""

    async def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:  # type: ignore[override]
        self.calls.append({"scopes": scopes, **kwargs})
        return AccessToken(self.token, int(time.time()) + 3600)

    async def close(self) -> None:
        pass


# ------------------------------------------------------------------------------------------ operations

OPERATIONS = ("create", "create_streaming", "get_model_info")
CHAT_PATH = "/v1/chat/completions"
INFO_PATH = "/info"


def operation_path(operation: str) -> str:
    """The path a ChatCompletionsClient operation requests (default api-version)."""
    return INFO_PATH if operation == "get_model_info" else CHAT_PATH


def followed_by_azure_core(operation: str, status: int) -> bool:
    """azure-core's redirect policy follows 301 and 302 for GET and HEAD only; every other status for any method."""
    return operation == "get_model_info" or status not in (301, 302)


async def run_operation(m: Any, client: Any, operation: str, **options: Any) -> str:
    """Run one operation of a ChatCompletionsClient in mode `m`; returns what it answered, as text."""
    if operation == "create":
        result = await m.call(client.create(messages=[{"role": "user", "content": "hi"}], **options))
        return result.choices[0].message.content
    if operation == "create_streaming":
        stream = await m.call(client.create_streaming(messages=[{"role": "user", "content": "hi"}], **options))
        try:
            updates = await m.collect(stream)
        finally:
            await m.call(stream.close())
        return "".join(u.choices[0].delta.content or "" for u in updates if u.choices)
    info = await m.call(client.get_model_info(**options))
    return str(info.model_name)
