"""Body framing read strictly, sync and async from one table: chunk sizes are hex digits on a bounded CRLF line
(no `0x`, sign or `_`, which Python's int() takes), each chunk's data ends with CRLF, Content-Length is a
number and one value, Transfer-Encoding is `chunked` alone and never beside Content-Length. A broken framing is a
`ServiceResponseError` at once (the server keeps the connection open, and the clients' read timeout is far
longer than the test's), and the connection is closed: the next call opens a new one. The sync client's chunked
framing (`ChunkedBody`, sans-IO) reads the same from any split of the bytes."""

from __future__ import annotations

import json
import select
import socket
import threading
from http.client import IncompleteRead
from typing import Any, Callable

import pytest
from azure.core.exceptions import ServiceResponseError

from azure.ai.inference import StreamingError
from azure.ai.inference._transport.framing import ChunkedBody, FramingError
from _hostile import CHAT_ANSWER, MODEL_INFO, Conn, HostileServer, Request, call, ok_answer, serve_each, sse_update

pytestmark = pytest.mark.timeout(60)
READ_TIMEOUT = 300  # a framing error noticed only when a read times out fails the test (its timeout is 60 s)

HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
Answer = Callable[[bytes], bytes]


def chunked(size: Callable[[bytes], bytes] = lambda body: b"%x" % len(body), end: bytes = b"\r\n0\r\n\r\n") -> Answer:
    """The body in one chunk whose size line is `size(body)` (without its CRLF), then `end`."""
    return lambda body: HEAD + b"Transfer-Encoding: chunked\r\n\r\n" + size(body) + b"\r\n" + body + end


def with_length(*values: str, extra: bytes = b"") -> Answer:
    """The body after one Content-Length field per value (`{n}` is the body's length)."""

    def answer(body: bytes) -> bytes:
        fields = b"".join(b"Content-Length: " + value.format(n=len(body)).encode() + b"\r\n" for value in values)
        return HEAD + fields + extra + b"\r\n" + body

    return answer


# id -> (the answer, what the sync client does, what the async client does): "refused" or "read".
CASES: dict[str, tuple[Answer, str, str]] = {
    # chunk sizes Python's int(x, 16) takes
    "chunk-size-0x": (chunked(lambda body: b"0x%x" % len(body)), "refused", "refused"),
    "chunk-size-plus": (chunked(lambda body: b"+%x" % len(body)), "refused", "refused"),
    "chunk-size-underscore": (chunked(lambda body: b"%x_%x" % (len(body) >> 4, len(body) & 15)), "refused", "refused"),
    "chunk-size-negative": (chunked(lambda body: b"-5"), "refused", "refused"),
    "chunk-size-17-digits": (chunked(lambda body: b"1" + b"0" * 16), "refused", "refused"),
    "chunk-size-bare-lf": (lambda body: chunked()(body).replace(b"%x\r\n" % len(body), b"%x\n" % len(body), 1),
                           "refused", "refused"),
    "chunk-data-without-crlf": (chunked(end=b"XX0\r\n\r\n"), "refused", "refused"),
    # a size line past the sync client's bound; aiohttp skips an extension of any length without keeping it
    "chunk-line-too-long": (chunked(lambda body: b"%x;" % len(body) + b"e" * 10_000), "refused", "read"),
    # Content-Length
    "content-length-two-values": (with_length("{n}", "{n}5"), "refused", "refused"),
    "content-length-list-of-two": (with_length("{n}, {n}5"), "refused", "refused"),
    "content-length-plus": (with_length("+{n}"), "refused", "refused"),
    "content-length-negative": (with_length("-5"), "refused", "refused"),
    "content-length-hex": (with_length("0x{n}"), "refused", "refused"),
    "content-length-and-chunked": (lambda body: chunked()(body).replace(b"\r\n\r\n", b"\r\nContent-Length: 5\r\n\r\n", 1),
                                   "refused", "refused"),
    # valid framings still read
    "chunk-extension": (chunked(lambda body: b"%x;name=value" % len(body)), "read", "read"),
    "chunk-extension-after-space": (chunked(lambda body: b"%x ;name" % len(body)), "read", "read"),
    "chunk-leading-zeros": (chunked(lambda body: b"000%x" % len(body)), "read", "read"),
    "chunk-trailer": (chunked(end=b"\r\n0\r\nX-Trailer: 1\r\n\r\n"), "read", "read"),
    # the same length twice (RFC 9110 8.6 lets a client accept it; aiohttp refuses it)
    "content-length-same-twice": (with_length("{n}", "{n}"), "read", "refused"),
    "content-length-list-of-same": (with_length("{n}, {n}"), "read", "refused"),
}


def hostile_first(answer: Answer) -> Any:
    """Answers the server's first request with `answer`, every later one (on any connection) correctly."""

    def reply(conn: Conn, request: Request, number: int) -> bool:
        if number > 1:
            return conn.send(ok_answer(request))
        payload = MODEL_INFO if request.target.startswith("/info") else CHAT_ANSWER
        return conn.send(answer(json.dumps(payload).encode()))

    return serve_each(reply)


@pytest.mark.parametrize("operation", ["create", "get_model_info"])
@pytest.mark.parametrize("case", list(CASES))
def test_framing_is_read_strictly_and_a_broken_one_closes_the_connection(mode: Any, case: str, operation: str) -> None:
    answer, sync_outcome, async_outcome = CASES[case]
    outcome = async_outcome if mode.is_async else sync_outcome

    async def body(mode: Any) -> None:
        with HostileServer(hostile_first(answer)) as server:
            options = {"read_timeout": READ_TIMEOUT, "retry_total": 0}
            async with mode.client("ChatCompletionsClient", server.url, **options) as client:
                if outcome == "refused":
                    error = await mode.raises(ServiceResponseError, call(mode, client, operation))
                    assert type(error).__module__.startswith("azure.core")
                else:
                    result = await call(mode, client, operation)
                    assert (result.model_name if operation == "get_model_info" else result.id) in (
                        "hostile-model",
                        "hostile-1",
                    )
                assert await call(mode, client, "create")  # the next call is answered (model info is cached)
            assert len(server.requests) == 2
            if outcome == "refused":
                assert server.connections == 2  # the broken connection was closed, not reused

    mode.run(body)


@pytest.mark.parametrize("size", [b"0x20", b"+20", b"2_0", b"-5"])
def test_a_bad_chunk_size_mid_stream_ends_the_stream_at_once(mode: Any, size: bytes) -> None:
    """The updates before the broken chunk are delivered, then StreamingError; the connection is not reused."""
    first = sse_update("first")
    received_first = threading.Event()

    def reply(conn: Conn, request: Request, number: int) -> bool:
        if number > 1:
            return conn.send(ok_answer(request))
        head = b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
        conn.send(head + b"%x\r\n" % len(first) + first + b"\r\n")
        # The broken chunk only once the first update was delivered, so that it arrives on its own.
        if not received_first.wait(30) or conn.server.stopping.is_set():
            return False
        return conn.send(size + b"\r\n" + b"x" * 32 + b"\r\n")

    async def body(mode: Any) -> None:
        with HostileServer(serve_each(reply)) as server:
            async with mode.client("ChatCompletionsClient", server.url, read_timeout=READ_TIMEOUT) as client:
                stream = await mode.call(client.create_streaming(messages=[{"role": "user", "content": "hi"}]))
                received: list[Any] = []
                with pytest.raises(StreamingError):
                    if mode.is_async:
                        async for update in stream:
                            received.append(update.choices[0].delta.content)
                            received_first.set()
                    else:
                        for update in stream:
                            received.append(update.choices[0].delta.content)
                            received_first.set()
                assert received == ["first"]
                assert await call(mode, client, "create")
            assert server.connections == 2

    mode.run(body)


def test_the_sync_client_refuses_transfer_codings_it_does_not_decode() -> None:
    """`gzip, chunked` (or `chunked` twice) is not what the sync client can read: refused at once instead of read
    to the end of a connection the server keeps open."""
    from azure.core.credentials import AzureKeyCredential  # pylint: disable=import-outside-toplevel

    import azure.ai.inference as sync_api  # pylint: disable=import-outside-toplevel

    for coding in (b"gzip, chunked", b"chunked\r\nTransfer-Encoding: chunked"):
        answer = chunked()
        hostile: Answer = lambda body, coding=coding: answer(body).replace(b"chunked", coding, 1)  # noqa: E731
        with HostileServer(hostile_first(hostile)) as server:
            options = {"read_timeout": READ_TIMEOUT, "retry_total": 0}
            with sync_api.ChatCompletionsClient(server.url, AzureKeyCredential("key"), **options) as client:
                with pytest.raises(ServiceResponseError, match="Transfer-Encoding"):
                    client.create(messages=[{"role": "user", "content": "hi"}])
                assert client.create(messages=[{"role": "user", "content": "hi"}])
            assert server.connections == 2


# ---------------------------------------------------------------------------------------------- ChunkedBody, sans-IO

FRAMED = (
    b"5\r\nhello\r\n"
    b"000a;name=value\r\n0123456789\r\n"
    b"1 ;ext\r\n!\r\n"
    b"10\r\n" + b"x" * 16 + b"\r\n"
    b"0\r\nX-Trailer: 1\r\nX-Other: 2\r\n\r\n"
)
DATA = b"hello0123456789!" + b"x" * 16


def read_in(pieces: list[bytes]) -> tuple[ChunkedBody, bytes]:
    body = ChunkedBody()
    out = b"".join(b"".join(body.feed(piece)) for piece in pieces)
    return body, out


def test_any_split_of_a_chunked_body_gives_the_same_data() -> None:
    for cut in range(len(FRAMED) + 1):
        body, out = read_in([FRAMED[:cut], FRAMED[cut:]])
        assert (out, body.done, body.excess) == (DATA, True, False), cut
        assert body.made >= 4
    body, out = read_in([FRAMED[i : i + 1] for i in range(len(FRAMED))])  # a byte at a time
    assert (out, body.done, body.excess) == (DATA, True, False)
    body, out = read_in([FRAMED.replace(b"X-Other: 2\r\n\r\n", b"\n")])  # the trailer may end with a bare LF
    assert (out, body.done) == (DATA, True)


@pytest.mark.parametrize(
    "framed",
    [
        b"0x5\r\nhello\r\n0\r\n\r\n",
        b"+5\r\nhello\r\n0\r\n\r\n",
        b"-5\r\nhello\r\n0\r\n\r\n",
        b"5_\r\nhello\r\n0\r\n\r\n",
        b"5\nhello\r\n0\r\n\r\n",
        b"\r\nhello\r\n0\r\n\r\n",
        b"1" + b"0" * 16 + b"\r\n",
        b"5\r\nhelloXX0\r\n\r\n",
        b"5;" + b"e" * 5000 + b"\r\nhello\r\n0\r\n\r\n",
        b"0\r\n" + b"X: 1\r\n" * 101 + b"\r\n",
        b"0\r\nX: " + b"v" * 70_000 + b"\r\n\r\n",
    ],
)
def test_a_broken_chunked_framing_is_refused_however_it_arrives(framed: bytes) -> None:
    for pieces in ([framed], [framed[i : i + 1] for i in range(len(framed))]):
        with pytest.raises(FramingError):
            read_in(pieces)


def test_bytes_after_the_end_and_a_body_cut_short() -> None:
    body, out = read_in([FRAMED + b"HTTP/1.1 200 OK\r\n"])
    assert (out, body.done, body.excess) == (DATA, True, True)
    body, _ = read_in([FRAMED, b"x"])
    assert body.excess
    for cut in (3, 10, len(FRAMED) - 40):
        body, _ = read_in([FRAMED[:cut]])
        with pytest.raises(IncompleteRead):
            body.end()
    body, _ = read_in([b"0\r\nX-Trailer: 1\r\n"])  # the connection ended inside the trailer, as http.client allows
    body.end()
    assert body.done


def test_a_trailer_that_trickles_in_is_counted_not_kept() -> None:
    """A trailer line arriving in small pieces is bounded by its length (not kept: each piece costs its own
    length), and an empty line after it, in any split, still ends the body."""
    body = ChunkedBody()
    body.feed(b"0\r\nX-Long: ")
    with pytest.raises(FramingError, match="trailer line"):
        for _ in range(70_000 // 1000):
            body.feed(b"v" * 1000)
    for ending in (b"\r\n\r\n", b"\n\n", b"\r\n\n"):
        body = ChunkedBody()
        pieces = [b"0\r\n", b"X-A: 1", *(bytes([byte]) for byte in ending)]
        for piece in pieces:
            assert body.feed(piece) == []
        assert body.done and not body.excess
        assert getattr(body, "_pending") == b""  # nothing of the trailer was kept


# ---------------------------------------------------------------------------------------------- a stream closed early


def test_a_chunked_body_closed_at_its_last_data_is_complete_only_when_its_end_has_arrived() -> None:
    """Closing a stream whose last data was read: the connection may go back to the pool only when the end of the
    body (`0\\r\\n\\r\\n`, perhaps after a trailer) has already arrived, with nothing after it; it is never waited
    for. Over a socket pair: the answer's head and data are written first, then (or not) its end."""
    from azure.ai.inference._transport.framing import FinalResponse
    from azure.ai.inference._transport.responses import _finish_buffered  # pyright: ignore[reportPrivateUsage]

    head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    data = b"data: [DONE]\n\n"
    cases = [  # (what comes after the data, once it was read; whether the body is then complete)
        (b"\r\n0\r\n\r\n", True),
        (b"\r\n0\r\nX-Trailer: 1\r\n\r\n", True),
        (b"", False),  # not arrived yet: not waited for
        (b"\r\n0\r\n", False),  # only part of it
        (b"\r\n5\r\nmore!\r\n0\r\n\r\n", False),  # more data: the body was not at its end
        (b"\r\n0\r\n\r\nHTTP/1.1 200 OK\r\n", False),  # bytes after the end
    ]
    for rest, complete in cases:
        ours, theirs = socket.socketpair()
        with ours, theirs:
            theirs.sendall(head + b"%x\r\n" % len(data) + data)
            raw = FinalResponse(ours)
            raw.begin()
            body = ChunkedBody()
            pieces = body.feed(raw.fp.read1(65536))  # type: ignore[union-attr]  # pyright: ignore
            body.given = len(pieces)
            assert b"".join(pieces) == data and not body.done
            theirs.sendall(rest)
            if rest:
                assert select.select([ours], [], [], 30)[0]  # arrived (in the socket, not read yet)
            assert _finish_buffered(raw, body) is complete, rest
            raw.close()
    # Data that arrived but was never handed on: not complete, whatever follows.
    body = ChunkedBody()
    body.feed(b"5\r\nhello\r\n0\r\n\r\n")
    ours, theirs = socket.socketpair()
    with ours, theirs:
        raw = FinalResponse(ours)
        assert body.done and _finish_buffered(raw, body) is False
        raw.close()
