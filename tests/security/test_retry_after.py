"""Retry-After from a hostile server: waits are honoured only up to `retry_after_max` and the call's `timeout`;
longer ones fail at once with the 429/503 and its headers; unreadable values fall back to the normal backoff."""

from __future__ import annotations

from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError

from _hostile import OPERATIONS, Conn, HostileServer, Request, call, json_answer, ok_answer, serve_each

RATE_LIMITED = {"error": {"code": "TooManyRequests", "message": "slow down"}}


def limited_then_ok(headers: dict[str, str], status: str = "429 Too Many Requests") -> Any:
    """The first request gets `status` with `headers`; every later one succeeds."""

    def answer(conn: Conn, request: Request, number: int) -> bool:
        if number == 1:
            return conn.send(json_answer(RATE_LIMITED, status=status, headers=headers))
        return conn.send(ok_answer(request))

    return serve_each(answer)


# A wait longer than any cap: the call must fail at once, after one request, whatever the timeouts.
TOO_LONG = [
    ({"Retry-After": "999999"}, "999999"),
    ({"Retry-After": "Fri, 31 Dec 9999 23:59:59 GMT"}, None),
    ({"retry-after-ms": "999999999"}, None),
    ({"x-ms-retry-after-ms": "999999999"}, None),
    ({"Retry-After": "61"}, "61"),
]


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize("headers,shown", TOO_LONG, ids=[str(h) for h, _ in TOO_LONG])
@pytest.mark.parametrize("status", ["429 Too Many Requests", "503 Service Unavailable"])
def test_a_wait_over_the_cap_fails_at_once(
    mode: Any, operation: str, headers: dict[str, str], shown: Any, status: str
) -> None:
    async def body(mode: Any) -> None:
        with HostileServer(limited_then_ok(headers, status)) as server:
            async with mode.client("ChatCompletionsClient", server.url) as client:
                error = await mode.raises(
                    HttpResponseError, call(mode, client, operation, timeout=3, retry_backoff_max=2)
                )
            assert error.status_code == int(status[:3])
            assert len(server.requests) == 1
            name, value = next(iter(headers.items()))
            assert error.response.headers[name] == value  # the answer that carries the header
            assert "retry_after_max" in str(error)
            if shown:
                assert f"wait {shown} s" in str(error)

    mode.run(body)


# Values that name no usable wait: the normal backoff applies and the retry succeeds.
UNREADABLE = [
    "garbage",
    "inf",
    "-inf",
    "nan",
    "-5",
    "1e999",
    "9" * 5000,
    "0x10",
    "1_0",
    "Mon, 99 Foo 2024 99:99:99 GMT",
]


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize("value", UNREADABLE, ids=[v[:12] for v in UNREADABLE])
def test_an_unreadable_wait_falls_back_to_backoff(mode: Any, operation: str, value: str) -> None:
    async def body(mode: Any) -> None:
        for header in ("Retry-After", "retry-after-ms"):
            with HostileServer(limited_then_ok({header: value})) as server:
                async with mode.client("ChatCompletionsClient", server.url) as client:
                    result = await call(mode, client, operation, timeout=30, retry_backoff_max=0.01)
                assert result
                assert len(server.requests) == 2

    mode.run(body)


@pytest.mark.parametrize("operation", OPERATIONS)
def test_a_short_wait_is_honoured(mode: Any, operation: str) -> None:
    async def body(mode: Any) -> None:
        for headers in ({"Retry-After": "0"}, {"Retry-After": "0.01"}, {"retry-after-ms": "10"}):
            with HostileServer(limited_then_ok(headers)) as server:
                async with mode.client("ChatCompletionsClient", server.url) as client:
                    assert await call(mode, client, operation)
                assert len(server.requests) == 2

    mode.run(body)


@pytest.mark.parametrize("operation", OPERATIONS)
def test_the_cap_is_configurable_on_the_client_and_the_call(mode: Any, operation: str) -> None:
    async def body(mode: Any) -> None:
        with HostileServer(limited_then_ok({"Retry-After": "1"})) as server:
            async with mode.client("ChatCompletionsClient", server.url, retry_after_max=0.5) as client:
                error = await mode.raises(HttpResponseError, call(mode, client, operation))
            assert error.status_code == 429 and len(server.requests) == 1
            assert "retry_after_max (0.5 s)" in str(error)
        with HostileServer(limited_then_ok({"Retry-After": "1"})) as server:
            async with mode.client("ChatCompletionsClient", server.url) as client:
                error = await mode.raises(HttpResponseError, call(mode, client, operation, retry_after_max=0))
            assert error.status_code == 429 and len(server.requests) == 1

    mode.run(body)


@pytest.mark.parametrize("operation", OPERATIONS)
def test_a_wait_past_the_calls_timeout_fails_at_once(mode: Any, operation: str) -> None:
    async def body(mode: Any) -> None:
        with HostileServer(limited_then_ok({"Retry-After": "30"})) as server:  # under the 60 s cap
            async with mode.client("ChatCompletionsClient", server.url) as client:
                error = await mode.raises(HttpResponseError, call(mode, client, operation, timeout=3))
            assert error.status_code == 429 and len(server.requests) == 1
            assert "timeout" in str(error)

    mode.run(body)


@pytest.mark.parametrize("value", [-1, "60", float("inf"), float("nan"), True])
def test_a_bad_cap_is_refused_before_any_request(mode: Any, value: Any) -> None:
    async def body(mode: Any) -> None:
        with HostileServer(limited_then_ok({})) as server:
            with pytest.raises(ValueError, match="retry_after_max"):
                async with mode.client("ChatCompletionsClient", server.url, retry_after_max=value):
                    pass
            async with mode.client("ChatCompletionsClient", server.url) as client:
                await mode.raises(ValueError, call(mode, client, "create", retry_after_max=value))
            assert server.requests == []

    mode.run(body)
