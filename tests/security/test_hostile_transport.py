"""Reading hostile answers, sync and async: every body is bounded after decompression, every failure is an
azure-core exception with the status and request id, and valid but unusual answers (deflate, 103) are read."""

from __future__ import annotations

import zlib
from typing import Any

import pytest
from azure.core.exceptions import (
    DecodeError,
    HttpResponseError,
    IncompleteReadError,
    ServiceResponseError,
)

from azure.ai.inference import ResponseTooLargeError, StreamingError
from azure.ai.inference._transport.bodies import DEFAULT_MAX_RESPONSE_BYTES
from _hostile import (
    CHAT_ANSWER,
    MESSAGES,
    OPERATIONS,
    Conn,
    HostileServer,
    Request,
    call,
    deflated,
    gzip_bomb,
    gzipped,
    json_answer,
    ok_answer,
    serve_each,
    sse_answer_head,
    sse_body,
    sse_update,
)

MIB = 1 << 20
REQUEST_ID = {"x-request-id": "hostile-request-7"}


def head(status: str = "200 OK", **headers: str) -> bytes:
    lines = [f"HTTP/1.1 {status}"] + [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def encoded_answer(request: Request, encoding: str, encode: Any, status: str = "200 OK") -> bytes:
    """The right answer for the operation, its body encoded with `encode` and labelled `encoding`."""
    plain = ok_answer(request)
    head_part, body = plain.split(b"\r\n\r\n", 1)
    content_type = "text/event-stream" if b"event-stream" in head_part else "application/json"
    data = encode(body)
    return (
        head(
            status,
            Content_Type=content_type,
            Content_Encoding=encoding,
            Content_Length=str(len(data)),
            **{"x-request-id": REQUEST_ID["x-request-id"]},
        )
        + data
    )


def always(make: Any) -> Any:
    return serve_each(lambda conn, request, number: conn.send(make(request)))


# ---------------------------------------------------------------------------------------------- size limits


def test_the_default_limit_is_well_above_the_largest_real_answer() -> None:
    # 2,048 inputs x 3,072 float dimensions as JSON is about 130 MB.
    assert DEFAULT_MAX_RESPONSE_BYTES == 256 * MIB


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize("status", ["200 OK", "500 Internal Server Error", "429 Too Many Requests"])
def test_a_gzip_bomb_stops_at_the_limit(mode: Any, operation: str, status: str) -> None:
    bomb = gzip_bomb(64 * MIB)  # about 64 KiB on the wire

    def answer(request: Request) -> bytes:
        content_type = "text/event-stream" if request.body and request.json().get("stream") else "application/json"
        return (
            head(
                status,
                Content_Type=content_type,
                Content_Encoding="gzip",
                Content_Length=str(len(bomb)),
                **REQUEST_ID,
            )
            + bomb
        )

    async def body(mode: Any) -> None:
        with HostileServer(always(answer)) as server:
            async with mode.client("ChatCompletionsClient", server.url, max_response_bytes=MIB) as client:
                streamed_ok = operation == "create_streaming" and status == "200 OK"
                expected = StreamingError if streamed_ok else ResponseTooLargeError  # a stream fails as it goes
                error = await mode.raises(expected, call(mode, client, operation, retry_total=0))
            assert error.status_code == int(status[:3])
            assert "max_response_bytes (1048576 bytes" in str(error)
            assert "hostile-request-7" in str(error)
            assert len(server.requests) == 1

    mode.run(body)


@pytest.mark.parametrize("operation", OPERATIONS)
def test_an_endless_body_stops_at_the_limit_set_per_call(mode: Any, operation: str) -> None:
    def endless(conn: Conn) -> None:
        request = conn.read_request()
        assert request is not None
        stream = bool(request.body and request.json().get("stream"))
        if stream:
            conn.send(sse_answer_head())
            while conn.send(sse_update("x" * 1000)):
                pass
        else:
            conn.send(head(Content_Type="application/json", Connection="close") + b'{"pad": "')
            while conn.send(b"x" * 65536):
                pass

    async def body(mode: Any) -> None:
        with HostileServer(endless) as server:
            async with mode.client("ChatCompletionsClient", server.url) as client:
                expected = StreamingError if operation == "create_streaming" else ResponseTooLargeError
                error = await mode.raises(expected, call(mode, client, operation, max_response_bytes=2 * MIB))
            assert "max_response_bytes (2097152 bytes" in str(error)

    mode.run(body)


@pytest.mark.parametrize("operation", OPERATIONS)
def test_an_announced_length_over_the_limit_is_refused_before_reading(mode: Any, operation: str) -> None:
    async def body(mode: Any) -> None:
        answer = head(Content_Type="application/json", Content_Length=str(3 * MIB), **REQUEST_ID) + b'{"a": 1}'
        with HostileServer(always(lambda request: answer)) as server:
            async with mode.client("ChatCompletionsClient", server.url, max_response_bytes=2 * MIB) as client:
                error = await mode.raises(ResponseTooLargeError, call(mode, client, operation))
            assert "announces a body larger than max_response_bytes" in str(error)
            assert error.status_code == 200 and "hostile-request-7" in str(error)

    mode.run(body)


@pytest.mark.parametrize("operation", OPERATIONS)
def test_an_impossible_announced_length_is_a_service_response_error(mode: Any, operation: str) -> None:
    async def body(mode: Any) -> None:
        answer = head(Content_Type="application/json", Content_Length=str(10**30), **REQUEST_ID) + b'{"a": 1}'
        with HostileServer(always(lambda request: answer)) as server:
            async with mode.client("ChatCompletionsClient", server.url, retry_total=0) as client:
                error = await mode.raises(ServiceResponseError, call(mode, client, operation))
            assert type(error) is ServiceResponseError  # never OverflowError; the same type in sync and async

    mode.run(body)


@pytest.mark.parametrize("operation", ["create", "get_model_info"])
def test_a_body_shorter_than_announced_is_an_incomplete_read(mode: Any, operation: str) -> None:
    def short(conn: Conn) -> None:
        if conn.read_request() is not None:
            conn.send(head(Content_Type="application/json", Content_Length="1000", **REQUEST_ID) + b'{"a": ')

    async def body(mode: Any) -> None:
        with HostileServer(short) as server:
            async with mode.client("ChatCompletionsClient", server.url) as client:
                await mode.raises(IncompleteReadError, call(mode, client, operation, retry_total=0))

    mode.run(body)


@pytest.mark.parametrize("value", [0, -1, 1.5, "1", True])
def test_a_bad_limit_is_refused_before_any_request(mode: Any, value: Any) -> None:
    async def body(mode: Any) -> None:
        with HostileServer(always(ok_answer)) as server:
            with pytest.raises(ValueError, match="max_response_bytes"):
                async with mode.client("ChatCompletionsClient", server.url, max_response_bytes=value):
                    pass
            async with mode.client("ChatCompletionsClient", server.url) as client:
                await mode.raises(ValueError, call(mode, client, "create", max_response_bytes=value))
            assert server.requests == []

    mode.run(body)


# ---------------------------------------------------------------------------------------------- encodings


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize(
    "encoding,encode",
    [
        ("gzip", gzipped),
        ("x-gzip", gzipped),
        ("deflate", deflated),  # a zlib stream, as RFC 9110 defines deflate
        ("deflate", lambda data: zlib.compress(data)[2:-4]),  # raw deflate, as some servers send it
        ("GZIP", lambda data: gzipped(data[:20]) + gzipped(data[20:])),  # two gzip members
    ],
    ids=["gzip", "x-gzip", "deflate-zlib", "deflate-raw", "gzip-two-members"],
)
def test_compressed_answers_are_decoded(mode: Any, operation: str, encoding: str, encode: Any) -> None:
    async def body(mode: Any) -> None:
        with HostileServer(always(lambda request: encoded_answer(request, encoding, encode))) as server:
            async with mode.client("ChatCompletionsClient", server.url) as client:
                result = await call(mode, client, operation)
            if operation == "create":
                assert result.choices[0].message.content == "hi"
            elif operation == "create_streaming":
                assert [update.choices[0].delta.content for update in result] == ["hi"]
            else:
                assert result.model_name == "hostile-model"

    mode.run(body)


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
@pytest.mark.parametrize("status", ["200 OK", "500 Internal Server Error"])
def test_a_broken_compressed_body_is_a_decode_error(mode: Any, operation: str, encoding: str, status: str) -> None:
    garbage = b"\x1f\x8b\x08\x00 this is not a gzip stream at all " * 10 if encoding == "gzip" else b"\xff" * 200

    def answer(request: Request) -> bytes:
        stream = bool(request.body and request.json().get("stream"))
        content_type = "text/event-stream" if stream else "application/json"
        return (
            head(
                status,
                Content_Type=content_type,
                Content_Encoding=encoding,
                Content_Length=str(len(garbage)),
                **REQUEST_ID,
            )
            + garbage
        )

    async def body(mode: Any) -> None:
        with HostileServer(always(answer)) as server:
            async with mode.client("ChatCompletionsClient", server.url) as client:
                streamed_ok = operation == "create_streaming" and status == "200 OK"
                expected = StreamingError if streamed_ok else DecodeError
                # A streamed call's 500 is retried on its status before its body is read: not the point here.
                retries = {"retry_total": 0} if operation == "create_streaming" else {}
                error = await mode.raises(expected, call(mode, client, operation, **retries))
            assert f"not valid {encoding} data" in str(error)
            assert error.status_code == int(status[:3])
            assert "hostile-request-7" in str(error)
            assert len(server.requests) == 1  # the same answer would come again: not retried, GET included

    mode.run(body)


# ---------------------------------------------------------------------------------------------- odd answers


@pytest.mark.parametrize("operation", OPERATIONS)
def test_interim_answers_before_the_final_one_are_skipped(mode: Any, operation: str) -> None:
    def answer(conn: Conn, request: Request, number: int) -> bool:
        interim = b"HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"
        interim += b"HTTP/1.1 100 Continue\r\n\r\n" + b"HTTP/1.1 103 Early Hints\r\nLink: </a.js>; rel=preload\r\n\r\n"
        return conn.send(interim + ok_answer(request))

    async def body(mode: Any) -> None:
        with HostileServer(serve_each(answer)) as server:
            async with mode.client("ChatCompletionsClient", server.url) as client:
                for _ in range(2):  # the second call on the same connection gets its own answer
                    assert await call(mode, client, operation)
                    client._model_info = None  # pylint: disable=protected-access  # ask /info again
            assert len(server.requests) == 2 and server.connections == 1

    mode.run(body)


@pytest.mark.parametrize("operation", OPERATIONS)
def test_a_reset_after_the_request_is_a_service_response_error(mode: Any, operation: str) -> None:
    def reset(conn: Conn) -> None:
        if conn.read_request() is not None:
            conn.reset()

    async def body(mode: Any) -> None:
        with HostileServer(reset) as server:
            async with mode.client("ChatCompletionsClient", server.url, retry_total=0) as client:
                error = await mode.raises(ServiceResponseError, call(mode, client, operation))
            assert type(error) is ServiceResponseError  # the same type in sync and async
            if operation != "get_model_info":  # aiohttp itself tries a GET again once on a new connection
                assert len(server.requests) == 1

    mode.run(body)


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize("location", ["http://[::1", "http://[::1]:99999/x", "http://h:abc/"])
def test_a_redirect_that_cannot_be_parsed_is_not_followed(mode: Any, operation: str, location: str) -> None:
    answer = head("302 Found", Location=location, Content_Length="0", **REQUEST_ID)

    async def body(mode: Any) -> None:
        with HostileServer(always(lambda request: answer)) as server:
            async with mode.client("ChatCompletionsClient", server.url) as client:
                error = await mode.raises(HttpResponseError, call(mode, client, operation))
            assert error.status_code == 302 and "hostile-request-7" in str(error)
            assert len(server.requests) == 1

    mode.run(body)


def test_a_plain_answer_still_works_on_every_operation(mode: Any) -> None:
    async def body(mode: Any) -> None:
        with HostileServer(always(ok_answer)) as server:
            async with mode.client("ChatCompletionsClient", server.url) as client:
                completion = await mode.call(client.create(messages=MESSAGES))
                assert completion.id == CHAT_ANSWER["id"]
                assert await call(mode, client, "create_streaming")
                assert await call(mode, client, "get_model_info")

    mode.run(body)


def test_the_sse_body_helper_matches_the_stream_decoder() -> None:
    assert sse_body("a").endswith(b"data: [DONE]\n\n")
    assert json_answer().startswith(b"HTTP/1.1 200 OK")
