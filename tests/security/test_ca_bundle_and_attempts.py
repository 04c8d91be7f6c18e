"""Sync and async agree: a CA bundle that cannot be loaded is the same azure-core error, naming the file (and a
plain http endpoint never loads one); a call whose connection the server keeps closing is sent at most
`retry_total + 1` times (aiohttp's own extra attempt on a reused connection is off)."""

from __future__ import annotations

from typing import Any

import pytest
from azure.core.exceptions import ServiceRequestError, ServiceResponseError

from _hostile import Conn, HostileServer, Request, call, ok_answer, serve_each

KEY = "ca-bundle-test-key-7"
CA_VARIABLES = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE")


def answer_all(conn: Conn, request: Request, number: int) -> bool:
    return conn.send(ok_answer(request))


@pytest.mark.parametrize("where", ["connection_verify", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE"])
def test_a_missing_ca_bundle_is_a_service_request_error_naming_it(
    mode: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Any, where: str
) -> None:
    for name in CA_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    missing = str(tmp_path / "no" / "such-ca.pem")
    options: dict[str, Any] = {}
    if where == "connection_verify":
        options["connection_verify"] = missing
    else:
        monkeypatch.setenv(where, missing)

    async def body(mode: Any) -> None:
        with HostileServer(serve_each(answer_all)) as server:
            url = server.url.replace("http://", "https://")
            async with mode.client("ChatCompletionsClient", url, key=KEY, **options) as client:
                for operation in ("create", "create_streaming", "get_model_info"):
                    error = await mode.raises(ServiceRequestError, call(mode, client, operation, retry_total=0))
                    assert missing in str(error)
                    assert "CA bundle" in str(error)
                    assert KEY not in str(error)
            assert server.requests == []

    mode.run(body)


def test_a_ca_bundle_that_is_not_pem_is_named_too(mode: Any, tmp_path: Any) -> None:
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a certificate\n")

    async def body(mode: Any) -> None:
        async with mode.client(
            "ChatCompletionsClient", "https://127.0.0.1:9", connection_verify=str(garbage)
        ) as client:
            error = await mode.raises(ServiceRequestError, call(mode, client, "create", retry_total=0))
            assert str(garbage) in str(error)

    mode.run(body)


def test_a_plain_http_endpoint_never_loads_the_ca_bundle(mode: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/no/such/ca.pem")

    async def body(mode: Any) -> None:
        with HostileServer(serve_each(answer_all)) as server:
            async with mode.client("ChatCompletionsClient", server.url) as client:
                for operation in ("create", "create_streaming", "get_model_info"):
                    await call(mode, client, operation, retry_total=0)
            assert len(server.requests) == 3

    mode.run(body)


@pytest.mark.parametrize("retry_total", [0, 1, 3])
def test_a_closed_reused_connection_is_sent_at_most_retry_total_plus_one_times(mode: Any, retry_total: int) -> None:
    """The first call is answered on a keep-alive connection; from then on the server reads each request and
    closes its connection without an answer. `get_model_info` (a GET, which aiohttp would send once more on
    each attempt) is sent `retry_total + 1` times."""

    def first_only(conn: Conn, request: Request, number: int) -> bool:
        if number == 1:
            return conn.send(ok_answer(request))
        return False  # read, then closed unanswered

    async def body(mode: Any) -> None:
        with HostileServer(serve_each(first_only)) as server:
            async with mode.client("ChatCompletionsClient", server.url, retry_backoff_factor=0) as client:
                await call(mode, client, "create", retry_total=0)
                await mode.raises(ServiceResponseError, call(mode, client, "get_model_info", retry_total=retry_total))
            gets = [request for request in server.requests if request.method == "GET"]
            assert len(gets) == retry_total + 1
            assert len(server.requests) == retry_total + 2

    mode.run(body)


def test_the_tls_contexts_a_transport_keeps_stay_bounded(tmp_path: Any) -> None:
    """Calls that pass a new `connection_verify` every time make a new TLS context each, but a transport keeps at
    most `MOST_KEPT` of them (each holds its CA bundle in memory), the least recently used given up first."""
    import trustme  # pylint: disable=import-outside-toplevel

    from azure.ai.inference._transport.tls import TLSContexts  # pylint: disable=import-outside-toplevel

    ca = trustme.CA()
    bundles = []
    for number in range(TLSContexts.MOST_KEPT + 8):
        path = tmp_path / f"ca-{number}.pem"
        ca.cert_pem.write_to_path(str(path))
        bundles.append(str(path))
    contexts = TLSContexts(use_env_settings=False)
    first = contexts.get(bundles[0], None)
    assert contexts.get(bundles[0], None) is first and len(contexts) == 1
    for bundle in bundles[1:]:
        contexts.get(bundle, None)
        contexts.get(bundles[0], None)  # used again and again: never the one given up
        assert len(contexts) <= TLSContexts.MOST_KEPT
    assert len(contexts) == TLSContexts.MOST_KEPT
    assert contexts.get(bundles[0], None) is first
    given_up = contexts.get(bundles[1], None)  # given up long ago: made again
    assert contexts.get(bundles[1], None) is given_up and len(contexts) == TLSContexts.MOST_KEPT
