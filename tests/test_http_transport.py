"""`HttpClientTransport` (the sync clients' default, on http.client): what the other transport tests do not cover.

A stream that reaches `[DONE]` hands its connection back to the pool (counted on the emulator); the pool is
bounded; abandoned and retried streams are closed without a ResourceWarning; https goes through a CONNECT
tunnel of a small loopback proxy here, with the proxy's credentials from its URL, and the tunnel is reused.
"""

from __future__ import annotations

import base64
import gc
import socket
import ssl
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import trustme
from azure.core.credentials import AzureKeyCredential
from azure.core.exceptions import ServiceRequestError

from azure.ai.inference import ChatCompletionsClient
from azure.ai.inference._transport.http_client import HttpClientTransport
from azure.ai.inference._pipeline import default_transport
from azure.ai.inference.models import UserMessage
from inference_emulator import DEFAULT_KEY, Emulator

pytestmark = pytest.mark.timeout(60)

EXPECTED = "Emulated reply to: hi"


def client_on(endpoint: str, **options: Any) -> ChatCompletionsClient:
    return ChatCompletionsClient(endpoint, AzureKeyCredential(DEFAULT_KEY), **options)


def streamed_text(client: ChatCompletionsClient, **kwargs: Any) -> str:
    with client.create_streaming(messages=[UserMessage("hi")], **kwargs) as stream:
        return "".join(update.choices[0].delta.content or "" for update in stream if update.choices)


def test_it_is_the_sync_default() -> None:
    assert type(default_transport()) is HttpClientTransport  # pylint: disable=unidiomatic-typecheck


def test_streams_that_reach_done_reuse_one_connection(emu: Emulator) -> None:
    before = emu.accepted_connections
    with client_on(emu.url) as client:
        for _ in range(10):
            assert streamed_text(client) == EXPECTED
        assert client.create(messages=[UserMessage("hi")]).choices[0].message.content == EXPECTED
        assert emu.accepted_connections - before == 1
        assert emu.open_connections == 1
    assert emu.wait_for_open_connections(0)


def test_a_stream_left_before_its_end_is_closed_and_not_reused(emu: Emulator) -> None:
    before = emu.accepted_connections
    with client_on(emu.url) as client:
        with client.create_streaming(
            messages=[UserMessage("one two three four")], headers={"x-emulator-fault": "slow-stream;delay=0.05"}
        ) as stream:
            next(iter(stream))
        assert emu.wait_for_open_connections(0)
        assert streamed_text(client) == EXPECTED
        assert streamed_text(client) == EXPECTED
        assert emu.accepted_connections - before == 2  # the abandoned one, then one for both later streams
    assert emu.wait_for_open_connections(0)


def test_the_pool_keeps_at_most_pool_maxsize_idle_connections(emu: Emulator) -> None:
    with client_on(emu.url, transport=HttpClientTransport(pool_maxsize=2)) as client:
        streams = [client.create_streaming(messages=[UserMessage("hi")]) for _ in range(4)]
        assert emu.wait_for_open_connections(4)  # four answers being read at once: four connections
        for stream in streams:
            assert "".join(u.choices[0].delta.content or "" for u in stream if u.choices) == EXPECTED
        assert emu.wait_for_open_connections(2)  # two kept alive, two closed
        before = emu.accepted_connections
        for _ in range(3):
            assert client.create(messages=[UserMessage("hi")]).choices[0].message.content == EXPECTED
        assert emu.accepted_connections == before
    assert emu.wait_for_open_connections(0)


def test_an_abandoned_stream_is_closed_without_a_resource_warning(emu: Emulator) -> None:
    with client_on(emu.url) as client:
        response = client.send_request(_chat_request(emu), stream=True)
        assert response.status_code == 200
        assert emu.wait_for_open_connections(1)
        del response  # never read, never closed: its connection is closed when it goes (ResourceWarning = error)
        gc.collect()
        assert emu.wait_for_open_connections(0)
        assert client.create(messages=[UserMessage("hi")]).choices[0].message.content == EXPECTED


def test_a_retried_stream_is_closed_and_the_retry_answers(emu: Emulator) -> None:
    before = emu.accepted_connections
    with client_on(emu.url) as client:
        fault = {"x-emulator-fault": "status-then-ok;status=503"}
        assert streamed_text(client, headers=fault, retry_backoff_factor=0.01) == EXPECTED
        assert emu.wait_for_open_connections(1, at_most=True)
    assert emu.accepted_connections - before <= 2
    assert emu.wait_for_open_connections(0)


def _chat_request(emu: Emulator) -> Any:
    from azure.core.rest import HttpRequest

    return HttpRequest(
        "POST",
        f"{emu.url}/v1/chat/completions?api-version=2024-04-01-preview",
        json={"messages": [{"role": "user", "content": "one two three four five"}], "stream": True},
        headers={"x-emulator-fault": "slow-stream;delay=0.05"},
    )


# ---------------------------------------------------------------------------------------------- proxy tunnel


class TunnelProxy:
    """A CONNECT-only proxy on a thread: records each CONNECT head, answers 407 without the expected
    `Proxy-Authorization`, and otherwise tunnels to 127.0.0.1 at the requested port."""

    def __init__(self, user: str, password: str) -> None:
        self.heads: list[str] = []
        self.expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        self._sock = socket.create_server(("127.0.0.1", 0))
        self.address = f"127.0.0.1:{self._sock.getsockname()[1]}"
        self._sockets: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self._accepter = threading.Thread(target=self._serve, daemon=True)
        self._accepter.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            self._sockets.append(conn)
            thread = threading.Thread(target=self._handle, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _handle(self, conn: socket.socket) -> None:
        head = b""
        while b"\r\n\r\n" not in head:
            data = conn.recv(4096)
            if not data:
                return
            head += data
        text = head.split(b"\r\n\r\n", 1)[0].decode("latin-1")
        self.heads.append(text)
        lines = text.split("\r\n")
        method, target, _ = lines[0].split(" ")
        auth = [line.split(":", 1)[1].strip() for line in lines[1:] if line.lower().startswith("proxy-authorization:")]
        if method != "CONNECT" or auth != [self.expected]:
            conn.sendall(b"HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n")
            return
        upstream = socket.create_connection(("127.0.0.1", int(target.rsplit(":", 1)[1])))
        self._sockets.append(upstream)
        conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        back = threading.Thread(target=_pipe, args=(upstream, conn), daemon=True)
        self._threads.append(back)
        back.start()
        _pipe(conn, upstream)

    def close(self) -> None:
        try:
            self._sock.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept()
        except OSError:
            pass
        self._sock.close()
        for sock in self._sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
        for thread in [self._accepter, *self._threads]:
            thread.join(5)


def _pipe(source: socket.socket, target: socket.socket) -> None:
    try:
        while True:
            data = source.recv(65536)
            if not data:
                break
            target.sendall(data)
    except OSError:
        pass
    try:
        target.shutdown(socket.SHUT_WR)
    except OSError:
        pass


@pytest.fixture
def tunnel() -> Iterator[TunnelProxy]:
    proxy = TunnelProxy("proxy user", "p@ss:word")
    yield proxy
    proxy.close()


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def tls_emu(ca: trustme.CA) -> Iterator[Emulator]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    with Emulator(ssl_context=context) as emu:
        yield emu


@pytest.fixture(scope="module")
def ca_file(ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)


def test_https_through_an_authenticating_proxy_tunnel_that_is_reused(
    tls_emu: Emulator, ca_file: str, tunnel: TunnelProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("NO_PROXY", "no_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTPS_PROXY", f"http://proxy%20user:p%40ss%3Aword@{tunnel.address}")
    transport = HttpClientTransport(connection_verify=ca_file)
    monkeypatch.delenv("HTTPS_PROXY")  # read once, at construction
    with client_on(tls_emu.url, transport=transport) as client:
        for _ in range(3):
            assert client.create(messages=[UserMessage("hi")]).choices[0].message.content == EXPECTED
        assert streamed_text(client) == EXPECTED
        assert client.create(messages=[UserMessage("hi")]).choices[0].message.content == EXPECTED
    port = tls_emu.url.rsplit(":", 1)[1].split("/", 1)[0]
    assert len(tunnel.heads) == 1  # one tunnel, kept alive through every call and the stream
    assert tunnel.heads[0].startswith(f"CONNECT 127.0.0.1:{port} HTTP/1.")
    assert f"Proxy-Authorization: {tunnel.expected}" in tunnel.heads[0]


def test_a_proxy_that_refuses_the_tunnel_is_a_service_request_error(
    tls_emu: Emulator, ca_file: str, tunnel: TunnelProxy
) -> None:
    transport = HttpClientTransport(connection_verify=ca_file, proxies={"https": f"http://{tunnel.address}"})
    with client_on(tls_emu.url, transport=transport) as client:
        with pytest.raises(ServiceRequestError, match="407"):
            client.create(messages=[UserMessage("hi")], retry_total=0)
    assert len(tunnel.heads) == 1 and "Proxy-Authorization" not in tunnel.heads[0]


# ---------------------------------------------------------------------------------------------- idle connections


class OneAnswerPerConnection:
    """Answers one request on each connection with a keep-alive answer, then closes the connection (as a server
    whose idle timeout passed does) and records that it did."""

    ANSWER = b'{"model_name": "m", "model_type": "chat-completion", "model_provider_name": "p"}'

    def __init__(self) -> None:
        self._sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        self.accepted = 0
        self.closed = threading.Semaphore(0)
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            self.accepted += 1
            with conn:
                head = b""
                while b"\r\n\r\n" not in head:
                    data = conn.recv(4096)
                    if not data:
                        break
                    head += data
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                    + str(len(self.ANSWER)).encode()
                    + b"\r\n\r\n"
                    + self.ANSWER
                )
            self.closed.release()

    def close(self) -> None:
        try:
            self._sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._sock.close()
        self._thread.join(5)


def test_an_idle_connection_the_server_closed_is_not_used() -> None:
    server = OneAnswerPerConnection()
    try:
        with client_on(server.url, api_version="2024-05-01-preview") as client:
            for _ in range(3):
                client._model_info = None  # pylint: disable=protected-access  # ask /info again
                assert client.get_model_info(retry_total=0).model_name == "m"
                assert server.closed.acquire(timeout=10)  # the server closed the kept-alive connection
        assert server.accepted == 3
    finally:
        server.close()
