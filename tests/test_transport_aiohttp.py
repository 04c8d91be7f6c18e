"""The async transport's own response (`_transport.aiohttp._Response`): the `azure.core.rest.AsyncHttpResponse`
contract, as azure-core's aiohttp rest response keeps it, and the same fields as azure-core's constructors set
(the response sets them itself, without azure-core's per-assignment cost)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import multidict
import pytest
from azure.core.exceptions import ResponseNotReadError, StreamConsumedError
from azure.core.rest import AsyncHttpResponse, HttpRequest
from azure.core.rest._aiohttp import RestAioHttpTransportResponse  # pyright: ignore[reportPrivateUsage]

from azure.ai.inference._transport.aiohttp import AioHttpTransport, _Response  # pyright: ignore[reportPrivateUsage]
from inference_emulator import DEFAULT_KEY, Emulator

PROMPT = "tell me about café 日本"
CHAT_PATH = "/v1/chat/completions?api-version=2024-04-01-preview"


def chat_request(emu: Emulator, body: Any = None) -> HttpRequest:
    return HttpRequest(
        "POST",
        emu.url + CHAT_PATH,
        json=body or {"messages": [{"role": "user", "content": PROMPT}]},
        headers={"api-key": DEFAULT_KEY, "X-Mixed-Case": "kept"},
    )


class _Internal:
    """What the response reads of aiohttp's response at construction."""

    status = 200
    reason = "OK"
    headers = multidict.CIMultiDictProxy(
        multidict.CIMultiDict([("Content-Type", "application/json"), ("X-Twice", "a"), ("x-twice", "b")])
    )


def test_the_response_sets_the_fields_azure_cores_constructors_set() -> None:
    request = HttpRequest("GET", "http://127.0.0.1/")
    ours = _Response(request=request, internal=_Internal(), block_size=0, limit=10, deadline=None)
    theirs = RestAioHttpTransportResponse(  # pyright: ignore[reportUnknownVariableType]
        request=request, internal_response=_Internal(), block_size=None
    )
    assert set(theirs.__dict__) <= set(ours.__dict__)  # pyright: ignore[reportUnknownArgumentType]
    for name, value in theirs.__dict__.items():  # pyright: ignore[reportUnknownVariableType]
        if name not in ("_internal_response", "_headers", "_stream_download_generator"):
            assert ours.__dict__[name] == value, name
    assert ours.headers["x-twice"] == theirs.headers["X-TWICE"] == "a, b"  # pyright: ignore[reportUnknownMemberType]
    assert ours.content_type == "application/json" and ours.internal_response is ours.raw


def test_response_contract(emu: Emulator) -> None:
    async def main() -> None:
        async with AioHttpTransport() as transport:
            request = chat_request(emu)
            response = await transport.send(request)
            assert isinstance(response, AsyncHttpResponse) and isinstance(response, RestAioHttpTransportResponse)
            assert response.status_code == 200 and response.reason == "OK"
            assert response.request is request
            assert response.headers["content-type"] == response.headers["CONTENT-TYPE"]
            assert response.content_type is not None and response.content_type.startswith("application/json")
            assert response.is_closed and response.is_stream_consumed
            assert PROMPT in response.json()["choices"][0]["message"]["content"]
            assert json.loads(response.text()) == json.loads(response.content) == response.json()
            assert await response.read() == response.content
            assert b"".join([piece async for piece in response.iter_bytes()]) == response.content
            with pytest.raises(StreamConsumedError):
                [piece async for piece in response.iter_raw()]  # pylint: disable=expression-not-assigned

            streamed = await transport.send(chat_request(emu), stream=True)
            assert not streamed.is_closed and not streamed.is_stream_consumed
            with pytest.raises(ResponseNotReadError):
                streamed.content  # pylint: disable=pointless-statement
            async with streamed:
                body = await streamed.read()
            assert json.loads(body)["choices"] == response.json()["choices"]
            assert streamed.is_closed and streamed.is_stream_consumed
            assert b"".join([piece async for piece in streamed.iter_bytes()]) == streamed.content

            raw = await transport.send(chat_request(emu), stream=True)
            pieces = [piece async for piece in raw.iter_raw()]
            assert json.loads(b"".join(pieces))["choices"] == response.json()["choices"] and raw.is_closed

    asyncio.run(main())


def test_request_headers_reach_the_server_in_their_case(emu: Emulator) -> None:
    async def main() -> None:
        async with AioHttpTransport() as transport:
            response = await transport.send(chat_request(emu))
            assert response.status_code == 200

    asyncio.run(main())
    seen = emu.requests[-1].headers
    assert "X-Mixed-Case" in list(seen.keys()) and seen["X-Mixed-Case"] == "kept"
    assert seen["api-key"] == DEFAULT_KEY


def test_a_call_s_own_timeouts_are_used_and_few_are_kept(emu: Emulator) -> None:
    """Each call's `read_timeout` reaches aiohttp as that call's socket read timeout; the transport keeps at most
    1,024 of them (a caller may pass a different one on every call), and calls still succeed past that."""

    async def main() -> None:
        async with AioHttpTransport() as transport:
            kept: Any = getattr(transport, "_client_timeouts")
            for seconds in range(1, 1101):
                timeouts: Any = getattr(transport, "_timeouts")({"read_timeout": seconds, "connection_timeout": 5})
                assert (timeouts.sock_read, timeouts.sock_connect) == (seconds, 5)
            assert len(kept) == 1024
            response = await transport.send(chat_request(emu), read_timeout=2000.5)
            assert response.status_code == 200 and len(kept) == 1024

    asyncio.run(main())
