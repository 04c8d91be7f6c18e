"""Transports of the caller's own: the bounds that only the clients' transports enforce are refused, not
silently dropped, and calls with `timeout` still work (no keyword of ours reaches a transport that would choke)."""

from __future__ import annotations

from typing import Any

import pytest
from azure.core.credentials import AzureKeyCredential
from azure.core.pipeline.transport import AioHttpTransport, RequestsTransport

import azure.ai.inference as sync_api
import azure.ai.inference.aio as async_api
from _hostile import HostileServer, call, ok_answer, serve_each


def foreign(mode: Any) -> Any:
    return AioHttpTransport() if mode.is_async else RequestsTransport()


@pytest.mark.parametrize("option", [{"max_response_bytes": 1000}, {"stream_timeout": 5}])
def test_bounds_need_the_clients_own_transports(mode: Any, option: dict[str, Any]) -> None:
    api: Any = async_api if mode.is_async else sync_api
    with pytest.raises(TypeError, match="own transports"):
        api.ChatCompletionsClient("http://127.0.0.1:1", AzureKeyCredential("key"), transport=foreign(mode), **option)


def test_a_transport_of_your_own_works_with_timeout_and_refuses_per_call_bounds(mode: Any) -> None:
    async def body(mode: Any) -> None:
        handler = serve_each(lambda conn, request, number: conn.send(ok_answer(request)))
        with HostileServer(handler) as server:
            async with mode.client("ChatCompletionsClient", server.url, transport=foreign(mode), timeout=30) as client:
                for operation in ("create", "create_streaming", "get_model_info"):
                    assert await call(mode, client, operation, timeout=20)
                await mode.raises(TypeError, call(mode, client, "create", max_response_bytes=1000))
                await mode.raises(TypeError, call(mode, client, "create_streaming", stream_timeout=5))
            assert len(server.requests) == 3

    mode.run(body)
