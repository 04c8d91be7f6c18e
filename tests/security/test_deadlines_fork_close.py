"""Deadlines against a server that drips bytes, connections after os.fork(), closing a client from another
thread while a stream is stalled, and the CA bundle from the environment: sync and async alike."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import threading
from typing import Any, Optional

import pytest
import trustme
from azure.core.credentials import AzureKeyCredential
from azure.core.exceptions import ServiceRequestError, ServiceResponseTimeoutError

import azure.ai.inference as sync_api
import azure.ai.inference.aio as async_api
from azure.ai.inference import StreamingError
from _hostile import Conn, HostileServer, Request, call, json_answer, ok_answer, serve_each, sse_answer_head, sse_update

# A generous bound on calls that must end "promptly": far under the 300 s default read timeout, far over what a
# loaded machine needs. The clients' own read_timeout is larger, so a regression fails instead of passing late.
SLOW = 60
pytestmark = pytest.mark.timeout(SLOW * 2)


def drip_headers(conn: Conn) -> None:
    """Answers each request with headers that never end, one byte every 0.3 s."""
    if conn.read_request() is not None:
        conn.send(b"HTTP/1.1 200 OK\r\n")
        while conn.drip(b"X-Pad: a\r\n", 0.3):
            pass


def drip_body(conn: Conn) -> None:
    """Answers with complete headers, then a body that never ends, one byte every 0.3 s."""
    request = conn.read_request()
    if request is None:
        return
    if request.body and request.json().get("stream"):
        conn.send(sse_answer_head() + sse_update("first"))
        while conn.drip(b": keep-alive\n", 0.3):
            pass
    else:
        conn.send(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n")
        while conn.drip(b" ", 0.3):
            pass


@pytest.mark.parametrize("operation", ["create", "create_streaming", "get_model_info"])
def test_timeout_bounds_a_call_whose_headers_drip(mode: Any, operation: str) -> None:
    async def body(mode: Any) -> None:
        with HostileServer(drip_headers) as server:
            async with mode.client("ChatCompletionsClient", server.url, read_timeout=SLOW * 3) as client:
                error = await mode.raises(ServiceResponseTimeoutError, call(mode, client, operation, timeout=1.5))
            assert "timeout" in str(error)

    mode.run(body)


@pytest.mark.parametrize("operation", ["create", "get_model_info"])
def test_timeout_bounds_a_non_streamed_body_that_drips(mode: Any, operation: str) -> None:
    async def body(mode: Any) -> None:
        with HostileServer(drip_body) as server:
            async with mode.client("ChatCompletionsClient", server.url, read_timeout=SLOW * 3, timeout=1.5) as client:
                error = await mode.raises(ServiceResponseTimeoutError, call(mode, client, operation))
            assert "timeout" in str(error)

    mode.run(body)


def test_stream_timeout_bounds_a_stream_that_drips(mode: Any) -> None:
    async def body(mode: Any) -> None:
        with HostileServer(drip_body) as server:
            async with mode.client("ChatCompletionsClient", server.url, read_timeout=SLOW * 3) as client:
                stream = await mode.call(
                    client.create_streaming(messages=[{"role": "user", "content": "hi"}], stream_timeout=1.5)
                )
                received: list[Any] = []
                with pytest.raises(StreamingError, match="stream_timeout") as info:
                    if mode.is_async:
                        async for update in stream:
                            received.append(update)
                    else:
                        for update in stream:
                            received.append(update)
            assert [update.choices[0].delta.content for update in received] == ["first"]
            assert info.value.status_code == 200

    mode.run(body)


def test_timeout_covers_a_streams_headers_only(mode: Any) -> None:
    """A stream may last longer than `timeout`: five events 0.3 s apart with timeout=1 all arrive."""

    def paced(conn: Conn) -> None:
        if conn.read_request() is not None:
            conn.send(sse_answer_head())
            for index in range(5):
                conn.send(sse_update(str(index)))
                if conn.server.stopping.wait(0.3):
                    return
            conn.send(b"data: [DONE]\n\n")

    async def body(mode: Any) -> None:
        with HostileServer(paced) as server:
            async with mode.client("ChatCompletionsClient", server.url) as client:
                updates = await call(mode, client, "create_streaming", timeout=1)
            assert "".join(update.choices[0].delta.content for update in updates) == "01234"

    mode.run(body)


@pytest.mark.parametrize("value", [0, -1, "3", float("nan"), True])
def test_a_bad_stream_timeout_is_refused_before_any_request(mode: Any, value: Any) -> None:
    async def body(mode: Any) -> None:
        with HostileServer(serve_each(lambda conn, request, number: conn.send(ok_answer(request)))) as server:
            with pytest.raises(ValueError, match="stream_timeout"):
                async with mode.client("ChatCompletionsClient", server.url, stream_timeout=value):
                    pass
            async with mode.client("ChatCompletionsClient", server.url) as client:
                await mode.raises(ValueError, call(mode, client, "create_streaming", stream_timeout=value))
                await mode.raises(TypeError, call(mode, client, "create", stream_timeout=1))
            assert server.requests == []

    mode.run(body)


# ---------------------------------------------------------------------------------------------- fork


def echo(conn: Conn, request: Request, number: int) -> bool:
    """Answers each chat request with the text of its user message, so each caller can tell its own answer."""
    said = request.json()["messages"][0]["content"]
    answer = json.loads(json.dumps(json_answer_payload()))
    answer["choices"][0]["message"]["content"] = said
    return conn.send(json_answer(answer))


def json_answer_payload() -> dict[str, Any]:
    from _hostile import CHAT_ANSWER  # pylint: disable=import-outside-toplevel

    return CHAT_ANSWER


async def _ask(mode: Any, client: Any, text: str) -> str:
    completion = await mode.call(client.create(messages=[{"role": "user", "content": text}]))
    return str(completion.choices[0].message.content)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="os.fork is tested on Linux only")
def test_after_fork_the_child_never_uses_the_parents_connection(mode: Any) -> None:
    async def body(mode: Any) -> None:
        with HostileServer(serve_each(echo)) as server:
            async with mode.client("ChatCompletionsClient", server.url) as client:
                assert await _ask(mode, client, "before") == "before"  # one pooled connection now
                assert server.connections == 1
                read_end, write_end = os.pipe()
                pid = os.fork()
                if pid == 0:  # the child: report what it got, then leave without running any cleanup
                    os.close(read_end)
                    outcome = _child_call(mode, client)
                    os.write(write_end, json.dumps(outcome).encode())
                    os._exit(0)
                os.close(write_end)
                parent_answers = [await _ask(mode, client, f"parent {index}") for index in range(3)]
                with os.fdopen(read_end, "rb") as pipe:
                    reported = json.loads(pipe.read() or b"{}")
                os.waitpid(pid, 0)
            assert parent_answers == ["parent 0", "parent 1", "parent 2"]
            assert reported == {"answers": ["child 0", "child 1", "child 2"], "error": None}
            assert server.connections == 2  # the child opened its own; the parent kept its one

    mode.run(body)


def _child_call(mode: Any, client: Any) -> dict[str, Any]:
    """In the forked child: three calls on the inherited client (async ones on a new loop in a new thread)."""
    outcome: dict[str, Any] = {"answers": [], "error": None}

    async def ask_all() -> None:
        for index in range(3):
            outcome["answers"].append(await _ask(mode, client, f"child {index}"))

    def run() -> None:
        try:
            asyncio.run(ask_all())
        except Exception as exc:  # pylint: disable=broad-except  # reported to the parent
            outcome["error"] = repr(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(SLOW)
    if thread.is_alive():
        outcome["error"] = "the child's calls did not end"
    return outcome


# ---------------------------------------------------------------------------------------------- close


# How the stalled stream's body is framed. Each takes its own path when the stream is closed: a body read to the
# end of the connection is cut at once, one of announced length is complete only at its end, and a chunked one
# first looks for its already arrived end (a stream closed at `[DONE]` keeps its connection) -- that look must never
# wait for a read blocked in another thread. (This test once used only the first kind, which never looks, and so
# missed a close() that waited read_timeout for the reader's lock.)
FRAMINGS = {
    "until-close": lambda first: sse_answer_head() + first,
    "content-length": lambda first: (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: 100000\r\n\r\n" + first
    ),
    "chunked": lambda first: (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
        + b"%x\r\n" % len(first)
        + first
        + b"\r\n"
    ),
}


def stalled_stream(headers_sent: threading.Event, framing: str = "until-close") -> Any:
    def handler(conn: Conn) -> None:
        if conn.read_request() is not None:
            conn.send(FRAMINGS[framing](sse_update("first")))
            headers_sent.set()
            conn.hold()

    return handler


def _blocked_in_a_socket_read(thread: threading.Thread) -> bool:
    """Whether a thread is inside a socket read (http.client's buffered reader holds its lock there)."""
    frame = sys._current_frames().get(thread.ident or 0)  # pylint: disable=protected-access
    while frame is not None:
        if frame.f_code.co_name == "readinto" and frame.f_code.co_filename.endswith("socket.py"):
            return True
        frame = frame.f_back
    return False


def _wait_until_blocked_in_a_socket_read(thread: threading.Thread) -> bool:
    pause = threading.Event()  # never set: its wait is the polling interval
    for _ in range(SLOW * 100):
        if _blocked_in_a_socket_read(thread):
            return True
        if not thread.is_alive():
            return False
        pause.wait(0.01)
    return False


@pytest.mark.parametrize("framing", list(FRAMINGS))
def test_closing_the_client_from_another_thread_ends_a_stalled_sync_stream(framing: str) -> None:
    headers_sent = threading.Event()
    started = threading.Event()
    outcome: dict[str, Any] = {}
    with HostileServer(stalled_stream(headers_sent, framing)) as server:
        # The default read timeout (300 s): a close() that waits for the blocked read outlasts the test's timeout.
        client = sync_api.ChatCompletionsClient(server.url, AzureKeyCredential("key"), read_timeout=300)
        stream = client.create_streaming(messages=[{"role": "user", "content": "hi"}])

        def read() -> None:
            received = []
            try:
                for update in stream:
                    received.append(update.choices[0].delta.content)
                    started.set()
            except Exception as exc:  # pylint: disable=broad-except  # checked below
                outcome["error"] = exc
            outcome["received"] = received

        reader = threading.Thread(target=read)
        reader.start()
        assert headers_sent.wait(SLOW) and started.wait(SLOW)
        # Close only once the reader is blocked in its read (a condition polled, not a delay taken on trust).
        assert _wait_until_blocked_in_a_socket_read(reader), "the reader never blocked in its read"
        closer = threading.Thread(target=client.close)
        closer.start()
        closer.join(SLOW)
        assert not closer.is_alive(), "close() waited for the stalled read"
        reader.join(SLOW)
        assert not reader.is_alive(), "the reader is still blocked"
    assert outcome["received"] == ["first"]
    error = outcome["error"]
    assert isinstance(error, StreamingError)
    assert "closed" in str(error)


def test_closing_the_client_from_another_task_ends_a_stalled_async_stream() -> None:
    headers_sent = threading.Event()

    async def body() -> None:
        with HostileServer(stalled_stream(headers_sent)) as server:
            client = async_api.ChatCompletionsClient(server.url, AzureKeyCredential("key"), read_timeout=SLOW * 3)
            stream = await client.create_streaming(messages=[{"role": "user", "content": "hi"}])
            started = asyncio.Event()
            received: list[Optional[str]] = []

            async def read() -> None:
                async for update in stream:
                    received.append(update.choices[0].delta.content)
                    started.set()

            reader = asyncio.ensure_future(read())
            await asyncio.wait_for(started.wait(), SLOW)
            await asyncio.wait_for(client.close(), SLOW)
            with pytest.raises(StreamingError, match="closed"):
                await asyncio.wait_for(reader, SLOW)
            assert received == ["first"]

    asyncio.run(body())


# ---------------------------------------------------------------------------------------------- CA bundle


@pytest.fixture(scope="module")
def tls_server_context() -> Any:
    authority = trustme.CA()
    context = __import__("ssl").create_default_context(__import__("ssl").Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(context)
    return authority, context


@pytest.mark.parametrize("variable", ["REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE"])
def test_the_ca_bundle_from_the_environment_is_trusted_by_both(
    mode: Any, variable: str, tls_server_context: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    authority, context = tls_server_context
    bundle = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(bundle))
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE"):
        monkeypatch.delenv(name, raising=False)

    async def body(mode: Any) -> None:
        handler = serve_each(lambda conn, request, number: conn.send(ok_answer(request)))
        with HostileServer(handler, tls=context) as server:
            async with mode.client("ChatCompletionsClient", server.url, retry_total=0) as client:
                await mode.raises(ServiceRequestError, call(mode, client, "create"))  # not trusted without it
            monkeypatch.setenv(variable, str(bundle))
            async with mode.client("ChatCompletionsClient", server.url, retry_total=0) as client:
                assert await call(mode, client, "create")

    mode.run(body)


def test_timeout_bounds_connecting_to_a_server_that_never_accepts(mode: Any) -> None:
    """A listener whose backlog is full: the kernel drops new connection attempts, so connecting hangs."""
    import socket  # pylint: disable=import-outside-toplevel

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    try:
        for _ in range(4):  # fill the accept queue (Linux keeps backlog + 1); the rest time out or stay pending
            filler = socket.socket()
            filler.setblocking(False)
            filler.connect_ex(("127.0.0.1", port))
            fillers.append(filler)

        async def body(mode: Any) -> None:
            options = {"connection_timeout": SLOW * 3, "retry_total": 0}
            async with mode.client("ChatCompletionsClient", f"http://127.0.0.1:{port}", **options) as client:
                error = await mode.raises(Exception, call(mode, client, "create", timeout=1.5))
            assert "timeout" in str(error).lower() or "timed out" in str(error).lower()
            assert type(error).__module__.startswith("azure.core")

        mode.run(body)
    finally:
        for filler in fillers:
            filler.close()
        listener.close()
