"""The sync transports over loopback: the public clients on them against the emulator, and the transports' contract.

Every test runs on the default `HttpClientTransport` (http.client). The clients are built as
`ChatCompletionsClient(emu.url, key, transport=Transport(...))`. Besides the
emulator, two small raw-socket servers run in threads here: a forward proxy that records each request line
(and tunnels CONNECT), and a scripted server that answers every connection with fixed bytes (gzip bodies,
truncated bodies, redirects), for what the emulator does not do.
"""

from __future__ import annotations

import gzip
import json
import socket
import ssl
import subprocess
import sys
import threading
import time
import warnings
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Optional
from urllib.parse import urlsplit

import pytest
import trustme
from azure.core.credentials import AzureKeyCredential
from azure.core.exceptions import (
    AzureError,
    ClientAuthenticationError,
    HttpResponseError,
    IncompleteReadError,
    ResourceNotFoundError,
    ResponseNotReadError,
    ServiceRequestError,
    ServiceResponseError,
    ServiceResponseTimeoutError,
    StreamConsumedError,
)
from azure.core.pipeline.transport import HttpRequest as LegacyHttpRequest
from azure.core.rest import HttpRequest

from azure.ai.inference import ChatCompletionsClient, EmbeddingsClient, ImageGenerationClient, StreamingError
from azure.ai.inference._transport.http_client import HttpClientTransport
from azure.ai.inference._transport.responses import HttpClientTransportResponse
from azure.ai.inference.models import UserMessage
from inference_emulator import DEFAULT_KEY, Emulator

pytestmark = pytest.mark.timeout(60)

Transport: Any = HttpClientTransport
TransportResponse: Any = HttpClientTransportResponse


PROMPT = "tell me about café 日本"
EXPECTED = "Emulated reply to: " + PROMPT
CHAT_PATH = "/v1/chat/completions?api-version=2024-04-01-preview"
PROXY_ENV = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "all_proxy", "no_proxy")


def fault(spec: str) -> dict[str, str]:
    return {"x-emulator-fault": spec}


def messages(text: str = PROMPT) -> list[UserMessage]:
    return [UserMessage(text)]


@contextmanager
def chat_client(endpoint: str, **transport_options: Any) -> Iterator[ChatCompletionsClient]:
    client = ChatCompletionsClient(endpoint, AzureKeyCredential(DEFAULT_KEY), transport=Transport(**transport_options))
    with client:
        yield client


def text_of(updates: list[Any]) -> str:
    return "".join(u.choices[0].delta.content or "" for u in updates if u.choices)


def drain(stream: Any) -> tuple[list[Any], Optional[BaseException]]:
    received: list[Any] = []
    try:
        for update in stream:
            received.append(update)
    except Exception as exc:  # pylint: disable=broad-except
        return received, exc
    return received, None


def chat_request(emu: Emulator, body: Optional[dict[str, Any]] = None, **kwargs: Any) -> HttpRequest:
    headers = {"api-key": DEFAULT_KEY, **kwargs.pop("headers", {})}
    return HttpRequest(
        "POST", emu.url + CHAT_PATH, json=body or {"messages": [{"role": "user", "content": PROMPT}]}, headers=headers
    )


@pytest.fixture(autouse=True)
def clean_proxy_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No proxy from the machine's environment: each test sets the variables it is about."""
    for name in PROXY_ENV:
        monkeypatch.delenv(name, raising=False)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# ---------------------------------------------------------------------------------------------- helper servers


def _read_head(conn: socket.socket) -> tuple[bytes, bytes]:
    """The request head (up to the blank line) and whatever body bytes came with it."""
    data = b""
    while b"\r\n\r\n" not in data:
        piece = conn.recv(65536)
        if not piece:
            return b"", b""
        data += piece
    head, _, rest = data.partition(b"\r\n\r\n")
    return head, rest


def _pipe(source: socket.socket, target: socket.socket) -> None:
    try:
        while True:
            data = source.recv(65536)
            if not data:
                break
            target.sendall(data)
    except OSError:
        pass
    finally:
        for sock in (source, target):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def _stop_listening(sock: socket.socket) -> None:
    """Close a listening socket, waking the thread blocked in accept() (closing alone does not, on Linux)."""
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()


class ForwardProxy:
    """An HTTP forward proxy on a thread: records each request line, forwards every request to 127.0.0.1 at
    the requested port (whatever the host name), one request per connection, and tunnels CONNECT."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self._sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        self._threads: list[threading.Thread] = []
        self._open: list[socket.socket] = []
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            thread = threading.Thread(target=self._handle, args=(conn,), daemon=True)
            with self._lock:
                self._open.append(conn)
                self._threads.append(thread)
            thread.start()

    def _handle(self, conn: socket.socket) -> None:
        head, rest = _read_head(conn)
        if not head:
            conn.close()
            return
        lines = head.decode("latin-1").split("\r\n")
        method, target, version = lines[0].split(" ")
        self.lines.append(lines[0])
        if method == "CONNECT":
            host, port = target.rsplit(":", 1)
            upstream = socket.create_connection(("127.0.0.1", int(port)))
            conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            back = threading.Thread(target=_pipe, args=(upstream, conn), daemon=True)
            back.start()
            _pipe(conn, upstream)
            back.join(5)
            upstream.close()
            conn.close()
            return
        url = urlsplit(target)
        headers = [line for line in lines[1:] if not line.lower().startswith(("proxy-", "connection:"))]
        length = next((int(h.split(":", 1)[1]) for h in headers if h.lower().startswith("content-length:")), 0)
        body = rest
        while len(body) < length:
            body += conn.recv(65536)
        path = url.path + ("?" + url.query if url.query else "")
        request = "\r\n".join([f"{method} {path} {version}", *headers, "Connection: close", "", ""]).encode("latin-1")
        with socket.create_connection(("127.0.0.1", url.port or 80)) as upstream:
            upstream.sendall(request + body)
            while True:
                data = upstream.recv(65536)
                if not data:
                    break
                conn.sendall(data)
        conn.close()

    def close(self) -> None:
        _stop_listening(self._sock)
        with self._lock:
            for conn in self._open:
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                conn.close()
        for thread in self._threads:
            thread.join(5)
        self._thread.join(5)


@pytest.fixture
def proxy() -> Iterator[ForwardProxy]:
    server = ForwardProxy()
    yield server
    server.close()


class ScriptedServer:
    """Answers each connection's first request with the next of the given raw responses, then closes it
    (after `linger` seconds, so that a client reading a short body waits rather than seeing the end)."""

    def __init__(self, *responses: bytes, linger: float = 0.0) -> None:
        self._responses = list(responses)
        self.heads: list[bytes] = []
        self.bodies: list[bytes] = []
        self._linger = linger
        self._sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while self._responses:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            with conn:
                head, rest = _read_head(conn)
                length = 0
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                while len(rest) < length:
                    rest += conn.recv(65536)
                self.heads.append(head)
                self.bodies.append(rest)
                conn.sendall(self._responses.pop(0))
                time.sleep(self._linger)

    def close(self) -> None:
        _stop_listening(self._sock)
        self._thread.join(5)


def raw_response(status: str, headers: dict[str, str], body: bytes, length: Optional[int] = None) -> bytes:
    lines = [f"HTTP/1.1 {status}", *(f"{k}: {v}" for k, v in headers.items())]
    lines.append(f"Content-Length: {len(body) if length is None else length}")
    lines.append("Connection: close")  # the scripted server answers one request per connection
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def completion(content: str) -> bytes:
    return json.dumps(
        {
            "id": "c1",
            "object": "chat.completion",
            "created": 1,
            "model": "m",
            "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": content}}],
        }
    ).encode()


# ---------------------------------------------------------------------------------------------- the clients


def test_create_and_the_request_on_the_wire(emu: Emulator) -> None:
    with chat_client(emu.url) as client:
        result = client.create(messages=messages(), temperature=0.5)
    assert result.choices[0].message.content == EXPECTED
    sent = emu.requests[-1]
    assert sent.method == "POST" and sent.path == "/v1/chat/completions"
    assert sent.json == {"messages": [{"role": "user", "content": PROMPT}], "temperature": 0.5}
    assert int(sent.headers["Content-Length"]) == len(sent.body)
    assert sent.headers["api-key"] == DEFAULT_KEY
    assert sent.headers["Authorization"] == "Bearer " + DEFAULT_KEY
    assert sent.headers["Accept-Encoding"] == "gzip, deflate"
    assert sent.headers["User-Agent"].startswith("azsdk-python-ai-inference/")
    assert "Transfer-Encoding" not in sent.headers


def test_embeddings_images_and_model_info(emu: Emulator) -> None:
    key = AzureKeyCredential(DEFAULT_KEY)
    with EmbeddingsClient(emu.url, key, transport=Transport()) as embeddings:
        floats = embeddings.create(input=["one", "two"])
        packed = embeddings.create(input=["one", "two"], encoding_format="base64")
        assert embeddings.get_model_info().model_name == "emulated-chat"
    assert len(floats.data) == 2 and len(floats.data[0].embedding) == 1024
    assert [round(v, 5) for v in packed.data[1].embedding] == [round(v, 5) for v in floats.data[1].embedding]
    with ImageGenerationClient(emu.url, key, transport=Transport()) as images:
        result = images.create(prompt="a red square", size="16x16", response_format="b64_json")
    assert result.data[0].b64_json


def test_error_bodies(emu: Emulator) -> None:
    with ChatCompletionsClient(emu.url, AzureKeyCredential("wrong-key"), transport=Transport()) as client:
        with pytest.raises(ClientAuthenticationError) as unauthorized:
            client.create(messages=messages())
    assert unauthorized.value.status_code == 401
    assert "Access denied" in str(unauthorized.value)
    with chat_client(emu.url) as client:
        with pytest.raises(ResourceNotFoundError) as not_found:
            client.create(messages=messages(), headers=fault("detail-body"))
        assert not_found.value.status_code == 404 and "Not Found" in str(not_found.value)
        with pytest.raises(HttpResponseError) as gateway:
            client.create(messages=messages(), headers=fault("html-502"), retry_total=0)
        assert gateway.value.status_code == 502
        with pytest.raises(HttpResponseError) as streamed:
            client.create_streaming(messages=messages(), headers=fault("html-502"), retry_total=0)
        assert streamed.value.status_code == 502
        assert client.create(messages=messages()).choices[0].message.content == EXPECTED


def test_retries_are_azure_cores(emu: Emulator) -> None:
    with chat_client(emu.url) as client:
        result = client.create(
            messages=messages(), headers=fault("status-then-ok;status=503;count=2"), retry_backoff_factor=0.01
        )
    assert result.choices[0].message.content == EXPECTED
    assert len(emu.requests) == 3


def test_reset_mid_stream_raises_streaming_error_after_the_earlier_updates(emu: Emulator) -> None:
    with chat_client(emu.url) as client:
        updates, error = drain(client.create_streaming(messages=messages(), headers=fault("reset;after=3")))
        assert isinstance(error, StreamingError)
        assert isinstance(error.__cause__, AzureError)
        assert len(updates) == 3
        # The client goes on working on a new connection.
        assert client.create(messages=messages()).choices[0].message.content == EXPECTED


def test_reset_before_the_answer_raises_service_response_error(emu: Emulator) -> None:
    with chat_client(emu.url) as client:
        with pytest.raises(ServiceResponseError):
            client.create(messages=messages(), headers=fault("reset"), retry_total=0)


def test_read_timeout_raises_service_response_error(emu: Emulator) -> None:
    # The emulator would answer only after 30 s, far past the read timeout (and past a wait the test could
    # sit out): only the timeout can end these calls; each leaves its connection, and the emulator stops
    # waiting with it.
    stalled = fault("slow-first-byte;delay=30")
    with chat_client(emu.url) as client:
        with pytest.raises(ServiceResponseTimeoutError):
            client.create(messages=messages(), headers=stalled, read_timeout=0.3, retry_total=0)
        with pytest.raises(ServiceResponseError):
            client.create_streaming(messages=messages(), headers=stalled, read_timeout=0.3, retry_total=0)
    with chat_client(emu.url, read_timeout=0.3) as client:
        with pytest.raises(ServiceResponseError):
            client.create(messages=messages(), headers=stalled, retry_total=0)
        # A longer timeout for one call wins over the transport's.
        slow = fault("slow-first-byte;delay=1")
        result = client.create(messages=messages(), headers=slow, read_timeout=5, retry_total=0)
        assert result.choices[0].message.content == EXPECTED
    assert emu.wait_for_open_connections(0)


def test_connection_refused_raises_service_request_error() -> None:
    with chat_client(f"http://127.0.0.1:{free_port()}") as client:
        with pytest.raises(ServiceRequestError):
            client.create(messages=messages(), retry_total=0)


def test_connections_are_reused_and_released(emu: Emulator) -> None:
    with chat_client(emu.url) as client:
        for _ in range(20):
            assert client.create(messages=messages()).choices[0].message.content == EXPECTED
        assert emu.open_connections == 1
        for _ in range(3):
            assert text_of(list(client.create_streaming(messages=messages()))) == EXPECTED
            with client.create_streaming(messages=messages(), headers=fault("slow-stream;delay=0.05")) as stream:
                next(iter(stream))  # left early: that connection is closed, not reused
            assert emu.wait_for_open_connections(1, at_most=True)
        assert client.create(messages=messages()).choices[0].message.content == EXPECTED
        assert emu.open_connections == 1
    assert emu.wait_for_open_connections(0)


def test_one_client_from_several_threads(emu: Emulator) -> None:
    results: list[str] = []
    with chat_client(emu.url) as client:

        def work() -> None:
            for _ in range(5):
                results.append(client.create(messages=messages()).choices[0].message.content)

        threads = [threading.Thread(target=work) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert 1 <= emu.open_connections <= 4
    assert results == [EXPECTED] * 20
    assert emu.wait_for_open_connections(0)


def test_a_closed_transport_refuses_to_send(emu: Emulator) -> None:
    client = ChatCompletionsClient(emu.url, AzureKeyCredential(DEFAULT_KEY), transport=Transport())
    client.create(messages=messages())
    client.close()
    with pytest.raises(ValueError, match="already been closed"):
        client.create(messages=messages())


# ---------------------------------------------------------------------------------------------- TLS


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def ca_file(ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)


@pytest.fixture(scope="module")
def tls_emu(ca: trustme.CA) -> Iterator[Emulator]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    with Emulator(ssl_context=context) as emu:
        yield emu


def test_tls_with_a_ca_bundle(tls_emu: Emulator, ca_file: str) -> None:
    assert tls_emu.url.startswith("https://")
    with chat_client(tls_emu.url, connection_verify=ca_file) as client:
        assert client.create(messages=messages()).choices[0].message.content == EXPECTED
        assert text_of(list(client.create_streaming(messages=messages()))) == EXPECTED


def test_tls_default_verification_rejects_the_test_ca(tls_emu: Emulator, ca_file: str) -> None:
    with chat_client(tls_emu.url) as client:
        with pytest.raises(ServiceRequestError) as error:
            client.create(messages=messages(), retry_total=0)
        assert "certificate" in str(error.value).lower()
        # The CA bundle given for one call is used for that call only.
        result = client.create(messages=messages(), connection_verify=ca_file, retry_total=0)
        assert result.choices[0].message.content == EXPECTED
        with pytest.raises(ServiceRequestError):
            client.create(messages=messages(), retry_total=0)


def test_tls_without_verification(tls_emu: Emulator) -> None:
    with chat_client(tls_emu.url, connection_verify=False) as client:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # urllib3's InsecureRequestWarning
            assert client.create(messages=messages()).choices[0].message.content == EXPECTED


@pytest.mark.parametrize("variable", ["REQUESTS_CA_BUNDLE", "SSL_CERT_FILE"])
def test_tls_ca_bundle_from_the_environment_read_once(
    tls_emu: Emulator, ca_file: str, variable: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(variable, ca_file)
    transport = Transport()
    ignored = Transport(use_env_settings=False)
    monkeypatch.delenv(variable)  # read at construction: removing it now changes nothing
    with ChatCompletionsClient(tls_emu.url, AzureKeyCredential(DEFAULT_KEY), transport=transport) as client:
        assert client.create(messages=messages()).choices[0].message.content == EXPECTED
    with ChatCompletionsClient(tls_emu.url, AzureKeyCredential(DEFAULT_KEY), transport=ignored) as client:
        with pytest.raises(ServiceRequestError):
            client.create(messages=messages(), retry_total=0)


def test_tls_client_certificate(ca: trustme.CA, ca_file: str, tmp_path: Path) -> None:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    ca.configure_trust(context)
    context.verify_mode = ssl.CERT_REQUIRED
    context.maximum_version = ssl.TLSVersion.TLSv1_2  # the handshake, not the first read, fails without one
    cert_file = tmp_path / "client.pem"
    ca.issue_cert("client.example").private_key_and_cert_chain_pem.write_to_path(str(cert_file))
    with Emulator(ssl_context=context) as emu:
        with chat_client(emu.url, connection_verify=ca_file, connection_cert=str(cert_file)) as client:
            assert client.create(messages=messages()).choices[0].message.content == EXPECTED
        with chat_client(emu.url, connection_verify=ca_file) as client:
            with pytest.raises(AzureError):
                client.create(messages=messages(), retry_total=0)


# ---------------------------------------------------------------------------------------------- proxies


@pytest.mark.parametrize("variable", ["HTTP_PROXY", "http_proxy"])
def test_environment_proxy_used_and_bypassed(
    emu: Emulator, proxy: ForwardProxy, variable: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = urlsplit(emu.url).port
    monkeypatch.setenv(variable, proxy.url)
    monkeypatch.setenv("NO_PROXY" if variable.isupper() else "no_proxy", "127.0.0.1,localhost")
    transport = Transport()
    # A host that only the proxy can reach (it does not resolve here): the request goes through the proxy.
    # It is not a loopback host, so sending the key over http to it needs enforce_https=False.
    with ChatCompletionsClient(
        f"http://inference.test:{port}", AzureKeyCredential(DEFAULT_KEY), transport=transport, enforce_https=False
    ) as client:
        assert client.create(messages=messages()).choices[0].message.content == EXPECTED
        assert text_of(list(client.create_streaming(messages=messages()))) == EXPECTED
    assert proxy.lines == [f"POST http://inference.test:{port}{CHAT_PATH} HTTP/1.1"] * 2
    assert emu.requests[-1].headers["Host"] == f"inference.test:{port}"
    # 127.0.0.1 is in NO_PROXY: reached directly.
    with chat_client(emu.url) as client:
        assert client.create(messages=messages()).choices[0].message.content == EXPECTED
    assert len(proxy.lines) == 2


def test_environment_is_read_once(emu: Emulator, proxy: ForwardProxy, monkeypatch: pytest.MonkeyPatch) -> None:
    port = urlsplit(emu.url).port
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    proxied = Transport()
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    direct = Transport()
    # Changed after construction: neither transport sees it.
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{free_port()}")
    monkeypatch.delenv("NO_PROXY")
    with ChatCompletionsClient(emu.url, AzureKeyCredential(DEFAULT_KEY), transport=proxied) as client:
        assert client.create(messages=messages()).choices[0].message.content == EXPECTED
    assert proxy.lines == [f"POST http://127.0.0.1:{port}{CHAT_PATH} HTTP/1.1"]
    with ChatCompletionsClient(emu.url, AzureKeyCredential(DEFAULT_KEY), transport=direct) as client:
        assert client.create(messages=messages()).choices[0].message.content == EXPECTED
    assert len(proxy.lines) == 1
    with chat_client(emu.url, use_env_settings=False) as client:
        assert client.create(messages=messages()).choices[0].message.content == EXPECTED
    assert len(proxy.lines) == 1


def test_explicit_proxies(emu: Emulator, proxy: ForwardProxy, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_PROXY", "*")  # explicit proxies win over the environment
    with chat_client(emu.url, proxies={"http": proxy.url}) as client:
        assert client.create(messages=messages()).choices[0].message.content == EXPECTED
    assert len(proxy.lines) == 1
    with chat_client(emu.url) as client:
        assert client.create(messages=messages()).choices[0].message.content == EXPECTED
        assert len(proxy.lines) == 1
        assert client.create(messages=messages(), proxies={"all": proxy.url}).choices[0].message.content == EXPECTED
        assert len(proxy.lines) == 2


def test_https_through_a_proxy_tunnel(
    tls_emu: Emulator, ca_file: str, proxy: ForwardProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    with chat_client(tls_emu.url, connection_verify=ca_file) as client:
        assert client.create(messages=messages()).choices[0].message.content == EXPECTED
    assert len(proxy.lines) == 1 and proxy.lines[0].startswith(f"CONNECT 127.0.0.1:{urlsplit(tls_emu.url).port} ")


def test_proxy_refusing_connections_raises_service_request_error(emu: Emulator) -> None:
    with chat_client(emu.url, proxies={"http": f"http://127.0.0.1:{free_port()}"}) as client:
        with pytest.raises(ServiceRequestError):
            client.create(messages=messages(), retry_total=0)


# ---------------------------------------------------------------------------------------------- the transport


def test_response_contract(emu: Emulator) -> None:
    with Transport() as transport:
        request = chat_request(emu)
        response = transport.send(request)
        assert isinstance(response, TransportResponse)
        assert response.status_code == 200 and response.reason == "OK"
        assert response.request is request
        assert response.headers["content-type"] == response.headers["CONTENT-TYPE"]
        assert response.content_type is not None and response.content_type.startswith("application/json")
        assert response.is_closed and response.is_stream_consumed
        assert response.json()["choices"][0]["message"]["content"] == EXPECTED
        assert json.loads(response.text()) == json.loads(response.content) == response.json()
        assert response.read() == response.content
        assert b"".join(response.iter_bytes()) == response.content
        with pytest.raises(StreamConsumedError):
            list(response.iter_raw())

        streamed = transport.send(chat_request(emu), stream=True)
        assert not streamed.is_closed and not streamed.is_stream_consumed
        with pytest.raises(ResponseNotReadError):
            streamed.content  # pylint: disable=pointless-statement
        with streamed:
            assert streamed.read() == response.content.replace(
                response.json()["id"].encode(), streamed.json()["id"].encode()
            )
        assert streamed.is_closed and streamed.is_stream_consumed
        assert b"".join(streamed.iter_bytes()) == streamed.content  # from the body read
        with pytest.raises(StreamConsumedError):
            list(streamed.iter_raw())

        early = transport.send(chat_request(emu, {"messages": [{"role": "user", "content": "x"}], "stream": True}))
        assert early.content.startswith(b"data: ")


def test_streamed_response_is_delivered_incrementally(emu: Emulator) -> None:
    body = {"messages": [{"role": "user", "content": "one two three"}], "stream": True}
    with Transport() as transport:
        # The emulator writes the first event, then holds the rest until the test releases it: the first chunk
        # can only reach the client before the rest is written (a transport that waited for the whole body would
        # wait until the test's timeout).
        response = transport.send(chat_request(emu, body, headers=fault("hold-stream;after=1")), stream=True)
        chunks = response.iter_bytes()
        first = next(chunks)
        assert first.startswith(b"data: ")
        assert b"[DONE]" not in first
        emu.release_streams()
        rest = b"".join(chunks)
        assert rest.rstrip().endswith(b"data: [DONE]")
        assert response.is_closed and response.is_stream_consumed
        # Fully read: the connection went back to the pool and serves the next request.
        assert transport.send(chat_request(emu)).status_code == 200
        assert emu.open_connections == 1


def test_closing_an_unfinished_stream_discards_its_connection(emu: Emulator) -> None:
    body = {"messages": [{"role": "user", "content": "one two three"}], "stream": True}
    with Transport() as transport:
        response = transport.send(chat_request(emu, body, headers=fault("slow-stream;delay=0.1")), stream=True)
        next(response.iter_bytes())
        response.close()
        assert response.is_closed
        assert emu.wait_for_open_connections(0)
        assert transport.send(chat_request(emu)).status_code == 200
    assert emu.wait_for_open_connections(0)


def test_legacy_requests(emu: Emulator) -> None:
    body = json.dumps({"messages": [{"role": "user", "content": PROMPT}]})
    with Transport() as transport:
        request = LegacyHttpRequest("POST", emu.url + CHAT_PATH, headers={"api-key": DEFAULT_KEY})
        request.set_json_body(json.loads(body))
        response = transport.send(request)
        assert response.status_code == 200
        assert json.loads(response.text())["choices"][0]["message"]["content"] == EXPECTED
        assert emu.requests[-1].json == json.loads(body)

        request = LegacyHttpRequest("POST", emu.url + CHAT_PATH, headers={"api-key": DEFAULT_KEY})
        request.set_json_body({"messages": [{"role": "user", "content": PROMPT}], "stream": True})
        streamed = transport.send(request, stream=True)
        data = b"".join(streamed.stream_download(None))
        assert data.rstrip().endswith(b"data: [DONE]")


def test_text_body_content_length_counts_bytes(emu: Emulator) -> None:
    with Transport() as transport:
        request = chat_request(emu)  # json= gives text whose length azure-core counts in characters
        assert transport.send(request).status_code == 200
    sent = emu.requests[-1]
    assert sent.json == {"messages": [{"role": "user", "content": PROMPT}]}
    assert int(sent.headers["Content-Length"]) == len(sent.body) == len(json.dumps(sent.json).encode())


def test_bodies_of_every_kind(emu: Emulator, tmp_path: Path) -> None:
    url = emu.url + "/anything"
    upload = tmp_path / "upload.bin"
    upload.write_bytes(b"file bytes")
    with Transport() as transport, upload.open("rb") as stream:
        transport.send(HttpRequest("POST", url, data={"a": "1", "b": ["2", "3"]}))
        form = emu.requests[-1]
        assert form.body == b"a=1&b=2&b=3"
        assert form.headers["Content-Type"] == "application/x-www-form-urlencoded"

        transport.send(HttpRequest("POST", url, files={"file": ("upload.bin", b"file bytes")}, data={"x": "y"}))
        multipart = emu.requests[-1]
        assert multipart.headers["Content-Type"].startswith("multipart/form-data; boundary=")
        assert b'name="file"; filename="upload.bin"' in multipart.body and b"file bytes" in multipart.body
        assert b'name="x"' in multipart.body

        transport.send(HttpRequest("POST", url, content=iter([b"chunk one, ", b"chunk two"])))
        chunked = emu.requests[-1]
        assert chunked.body == b"chunk one, chunk two"
        assert chunked.headers["Transfer-Encoding"] == "chunked"

        transport.send(HttpRequest("PUT", url, content=stream))
        streamed = emu.requests[-1]
        assert streamed.body == b"file bytes" and streamed.headers["Content-Length"] == "10"

        transport.send(HttpRequest("GET", url))
        assert emu.requests[-1].body == b""


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_compressed_bodies_are_decoded(encoding: str) -> None:
    body = completion("decoded " * 50)
    packed = gzip.compress(body) if encoding == "gzip" else zlib.compress(body)
    headers = {"Content-Type": "application/json", "Content-Encoding": encoding}
    server = ScriptedServer(*(raw_response("200 OK", headers, packed) for _ in range(3)))
    try:
        with chat_client(server.url) as client:
            assert client.create(messages=messages()).choices[0].message.content == "decoded " * 50
        with Transport() as transport:
            request = HttpRequest("POST", server.url + CHAT_PATH, content=b"{}")
            assert b"".join(transport.send(request, stream=True).iter_bytes()) == body
            assert b"".join(transport.send(request, stream=True).iter_raw()) == packed
    finally:
        server.close()


def test_truncated_body_raises_incomplete_read_error() -> None:
    short = raw_response("200 OK", {"Content-Type": "application/json"}, b'{"partial": ', length=100)
    server = ScriptedServer(short, short, linger=0.05)
    try:
        with Transport() as transport:
            request = HttpRequest("POST", server.url + CHAT_PATH, content=b"{}")
            with pytest.raises(IncompleteReadError):
                transport.send(request)
            response = transport.send(request, stream=True)
            with pytest.raises(IncompleteReadError):
                response.read()
    finally:
        server.close()


def test_redirects_are_left_to_the_pipeline() -> None:
    server = ScriptedServer(raw_response("307 Temporary Redirect", {"Location": "http://127.0.0.1:1/elsewhere"}, b""))
    try:
        with Transport() as transport:
            response = transport.send(HttpRequest("POST", server.url + CHAT_PATH, content=b"{}"))
            assert response.status_code == 307
            assert response.headers["location"] == "http://127.0.0.1:1/elsewhere"
    finally:
        server.close()


def test_no_requests_import(emu: Emulator) -> None:
    script = f"""
import sys
from azure.ai.inference import ChatCompletionsClient
from {Transport.__module__} import {Transport.__name__} as Transport
from azure.ai.inference.models import UserMessage
from azure.core.credentials import AzureKeyCredential
client = ChatCompletionsClient({emu.url!r}, AzureKeyCredential({DEFAULT_KEY!r}), transport=Transport())
assert client.create(messages=[UserMessage("hi")]).choices[0].message.content == "Emulated reply to: hi"
client.close()
assert "requests" not in sys.modules, "requests was imported"
print("ok")
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, cwd=Path(__file__).parent.parent
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
