"""No answer reaches the wrong call, sync and async: bytes a server sends on an idle pooled connection (a second,
unsolicited answer after a complete one) never become the next call's answer; that connection is closed and the
next call gets its own answer on another. Clean connections are still reused.

The hostile server answers the first call, waits until the test says that call is over, writes a whole second
answer (`SMUGGLED`) on the same connection, and says so; only then is the next call made. Every other request
gets `answer N`, N counting the server's requests.
"""

from __future__ import annotations

import asyncio
import json
import socket
import ssl
import struct
import threading
from typing import Any, Callable, Iterator, Optional

import pytest
import trustme
from azure.core.exceptions import AzureError

from _hostile import MODEL_INFO, OPERATIONS, Conn, HostileServer, Request, call

First = Callable[[Request], bytes]


def _chat(text: str) -> dict[str, Any]:
    return {
        "id": "hostile-1",
        "created": 1700000000,
        "model": "hostile-model",
        "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": text}}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


def _delta(text: str) -> bytes:
    update = {
        "id": "hostile-1",
        "created": 1700000000,
        "model": "hostile-model",
        "choices": [{"index": 0, "delta": {"content": text}, "finish_reason": None}],
    }
    return b"data: " + json.dumps(update).encode() + b"\n\ndata: [DONE]\n\n"


def _is_stream(request: Request) -> bool:
    return bool(request.body) and bool(request.json().get("stream"))


def _body(request: Request, text: str) -> tuple[str, bytes]:
    """The content type and body of the right answer to `request`, saying `text`."""
    if request.target.startswith("/info"):
        return "application/json", json.dumps({**MODEL_INFO, "model_name": text}).encode()
    if _is_stream(request):
        return "text/event-stream", _delta(text)
    return "application/json", json.dumps(_chat(text)).encode()


def answer(request: Request, text: str) -> bytes:
    """A whole keep-alive answer with a Content-Length."""
    content_type, body = _body(request, text)
    head = f"HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n"
    return head.encode("latin-1") + body


def chunked(request: Request, text: str, trailers: bytes = b"") -> bytes:
    """A whole keep-alive answer in chunked encoding (in two chunks), with trailer fields if given."""
    content_type, body = _body(request, text)
    half = len(body) // 2
    parts = b"".join(b"%x\r\n%s\r\n" % (len(piece), piece) for piece in (body[:half], body[half:]))
    head = f"HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nTransfer-Encoding: chunked\r\n\r\n"
    return head.encode("latin-1") + parts + b"0\r\n" + trailers + b"\r\n"


def text_of(operation: str, result: Any) -> str:
    if operation == "get_model_info":
        return str(result.model_name)
    if operation == "create_streaming":
        return "".join(update.choices[0].delta.content or "" for update in result if update.choices)
    return str(result.choices[0].message.content)


# How the first call is answered, before the unsolicited answer comes.
FIRST: dict[str, First] = {
    "content-length": lambda request: answer(request, "answer 1"),
    "chunked-trailers": lambda request: chunked(request, "answer 1", b"X-Checksum: abc\r\nX-More: 1\r\n"),
    "no-content-204": lambda request: b"HTTP/1.1 204 No Content\r\n\r\n",
    "not-modified-304": lambda request: b"HTTP/1.1 304 Not Modified\r\n\r\n",
}


def unacknowledged(sock: Any) -> Optional[int]:
    """Bytes written on a socket that its peer has not acknowledged yet; None where that cannot be asked."""
    try:
        import fcntl  # pylint: disable=import-outside-toplevel
        import termios  # pylint: disable=import-outside-toplevel
    except ImportError:
        return None
    count: int = struct.unpack("i", fcntl.ioctl(sock.fileno(), termios.TIOCOUTQ, b"\0" * 4))[0]
    return count


def delivered(conn: Conn) -> bool:
    """Wait until the client's side has acknowledged every byte written (they are in its socket's receive
    queue, not only in ours or on their way); False when the connection or the server ends first. Where
    that cannot be asked, the bytes written are taken as delivered."""
    while True:
        try:
            left = unacknowledged(conn.sock)
        except OSError:
            return False
        if not left:
            return True
        if conn.server.stopping.wait(0.001):
            return False


class Smuggler:
    """The hostile server's script (see the module's docstring)."""

    def __init__(self, first: First) -> None:
        self.first = first
        self.first_done = threading.Event()  # set by the test once its first call returned
        self.smuggled = threading.Event()  # set by the server once the unsolicited answer is written

    def handler(self, conn: Conn) -> None:
        while True:
            request = conn.read_request()
            if request is None:
                return
            number = len(conn.server.requests)
            if number == 1:
                if not conn.send(self.first(request)):
                    return
                if not self.first_done.wait(30):
                    return
                sent = conn.send(answer(request, "SMUGGLED")) and delivered(conn)
                self.smuggled.set()
                if not sent:
                    return
            elif not conn.send(answer(request, f"answer {number}")):
                return


async def first_call(mode: Any, client: Any, operation: str) -> None:
    try:
        await call(mode, client, operation, retry_total=0)
    except AzureError:
        pass  # a 204 or 304 is no answer to these calls; what counts is what happens next


async def waiting(mode: Any, event: threading.Event, loop_runs: bool) -> None:
    """Wait for the server's word, with the async client's event loop running meanwhile or not."""
    if mode.is_async and loop_runs:
        assert await asyncio.to_thread(event.wait, 30)
    else:
        assert event.wait(30)


@pytest.fixture(scope="module")
def tls() -> Iterator[tuple[ssl.SSLContext, str]]:
    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    with ca.cert_pem.tempfile() as ca_file:
        yield context, ca_file


def run_smuggling(mode: Any, first: First, first_op: str, second_op: str, **options: Any) -> None:
    server_tls = options.pop("server_tls", None)
    loop_runs = options.pop("loop_runs", True)
    script = Smuggler(first)

    async def body(mode: Any) -> None:
        with HostileServer(script.handler, tls=server_tls) as server:
            async with mode.client("ChatCompletionsClient", server.url, **options) as client:
                await first_call(mode, client, first_op)
                script.first_done.set()
                await waiting(mode, script.smuggled, loop_runs)
                second = await call(mode, client, second_op, retry_total=0)
                assert text_of(second_op, second) == "answer 2"
                # (the model info is kept once read: the third call is a chat call)
                third = await call(mode, client, "create", retry_total=0)
                assert text_of("create", third) == "answer 3"
            assert len(server.requests) == 3
            # The connection that carried the unsolicited answer was dropped; the next one was kept and reused.
            assert server.connections == 2

    mode.run(body)


@pytest.mark.parametrize("second_op", OPERATIONS)
@pytest.mark.parametrize("kind", sorted(FIRST))
def test_an_unsolicited_answer_on_an_idle_connection_never_answers_the_next_call(
    mode: Any, kind: str, second_op: str
) -> None:
    run_smuggling(mode, FIRST[kind], "create", second_op)


@pytest.mark.parametrize("second_op", OPERATIONS)
def test_after_a_stream_read_to_done(mode: Any, second_op: str) -> None:
    run_smuggling(mode, lambda request: chunked(request, "answer 1"), "create_streaming", second_op)


@pytest.mark.parametrize("second_op", ["create", "create_streaming"])
def test_after_get_model_info(mode: Any, second_op: str) -> None:
    run_smuggling(mode, lambda request: answer(request, "answer 1"), "get_model_info", second_op)


@pytest.mark.parametrize("second_op", OPERATIONS)
def test_over_tls(mode: Any, second_op: str, tls: tuple[ssl.SSLContext, str]) -> None:
    context, ca_file = tls
    run_smuggling(
        mode,
        lambda request: answer(request, "answer 1"),
        "create",
        second_op,
        server_tls=context,
        connection_verify=ca_file,
    )


@pytest.mark.parametrize("second_op", OPERATIONS)
def test_when_the_bytes_are_still_in_the_socket(mode: Any, second_op: str) -> None:
    """The unsolicited answer has arrived but the event loop has not run since: found at the socket."""
    run_smuggling(mode, lambda request: answer(request, "answer 1"), "create", second_op, loop_runs=False)


def smuggled_in_the_first_write(first: First) -> Callable[[Conn], None]:
    """A server script: the first request is answered by `first` and a whole second answer (`SMUGGLED`) in one
    write; every later one by `answer N`, N counting the server's requests."""

    def handler(conn: Conn) -> None:
        while True:
            request = conn.read_request()
            if request is None:
                return
            number = len(conn.server.requests)
            data = answer(request, f"answer {number}")
            if number == 1:
                data = first(request) + answer(request, "SMUGGLED")
            if not conn.send(data):
                return

    return handler


def test_an_answer_and_an_unsolicited_one_in_one_write(mode: Any) -> None:
    """A 204 whose 'body' is a whole second answer, all in one write: the second never answers the next call."""

    def first(request: Request) -> bytes:  # pylint: disable=unused-argument
        return b"HTTP/1.1 204 No Content\r\n\r\n"

    async def body(mode: Any) -> None:
        with HostileServer(smuggled_in_the_first_write(first)) as server:
            async with mode.client("ChatCompletionsClient", server.url) as client:
                await first_call(mode, client, "get_model_info")
                info = await mode.call(client.get_model_info(retry_total=0))
                assert info.model_name == "answer 2"
                result = await call(mode, client, "create", retry_total=0)
                assert text_of("create", result) == "answer 3"

    mode.run(body)


@pytest.mark.parametrize("first_op", ["create", "create_streaming"])
@pytest.mark.parametrize("kind", ["content-length", "chunked", "chunked-trailers"])
def test_bytes_right_after_the_end_of_a_body_never_answer_the_next_call(mode: Any, kind: str, first_op: str) -> None:
    """A whole second answer in the same write as the end of the first one's body (read with it, by the sync
    client's chunked framing in one read): the connection is closed, and the next call gets its own answer."""
    first = {
        "content-length": lambda request: answer(request, "answer 1"),
        "chunked": lambda request: chunked(request, "answer 1"),
        "chunked-trailers": lambda request: chunked(request, "answer 1", b"X-Checksum: abc\r\n"),
    }[kind]

    async def body(mode: Any) -> None:
        with HostileServer(smuggled_in_the_first_write(first)) as server:
            async with mode.client("ChatCompletionsClient", server.url) as client:
                result = await call(mode, client, first_op, retry_total=0)
                assert text_of(first_op, result) == "answer 1"
                second = await call(mode, client, "create", retry_total=0)
                assert text_of("create", second) == "answer 2"
            if kind == "content-length" and not mode.is_async:
                # http.client may have read the bytes ahead with the head, into a buffer dropped with the answer;
                # whatever it did not read is found in the socket before the connection is reused.
                assert server.connections in (1, 2)
            else:
                assert server.connections == 2

    mode.run(body)


def test_clean_connections_are_reused(mode: Any, emu: Any) -> None:
    """The check costs no reuse: calls of every kind in a row share one connection."""

    async def body(mode: Any) -> None:
        async with mode.client("ChatCompletionsClient", emu.url) as client:
            await call(mode, client, "create")
            before = emu.accepted_connections
            for _ in range(3):
                for operation in OPERATIONS:
                    await call(mode, client, operation)
            assert emu.accepted_connections == before

    mode.run(body)


def test_the_quiet_check_made_once_keeps_telling_the_truth() -> None:
    """A connection's quiet check is made on its first reuse and asked again on every later one: each time it must
    see what is in the socket now (bytes, then none once read, then the peer's close)."""
    from azure.ai.inference._transport.idle import QuietCheck, quiet  # pylint: disable=import-outside-toplevel

    ours, peer = socket.socketpair()
    with ours, peer:
        ours.setblocking(False)
        check = QuietCheck(ours)
        assert check() is True and quiet(ours) is True
        peer.sendall(b"HTTP/1.1 200 OK\r\n")
        assert check() is False and quiet(ours) is False
        ours.recv(100)
        assert check() is True
        peer.close()
        assert check() is False and quiet(ours) is False
    assert QuietCheck(None)() is None  # nothing to ask: the caller peeks itself
