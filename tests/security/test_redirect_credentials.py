"""Credentials never leave their origin: a redirect to another scheme, host or port is followed without them.

A hostile loopback network (`_redirects.Hub`) answers the sync and async ChatCompletionsClient's three operations
(`create`, `create_streaming`, `get_model_info`) with redirects (301, 302, 303, 307, 308) to another port, another
loopback address (127.0.0.2, ::1), another name for the same address and port (localhost), and from https to http
on the same host and port. Every request the hub receives is recorded, so the tests read exactly which credential
headers reached which origin, for a key (`Authorization: Bearer <key>` and `api-key`) and for a token credential.
"""

from __future__ import annotations

from typing import Any, Iterator

import pytest
from azure.core.credentials import AzureKeyCredential
from azure.core.exceptions import HttpResponseError, TooManyRedirectsError

from _redirects import (
    KEY,
    OPERATIONS,
    REPLY,
    STATUSES,
    TOKEN,
    AsyncToken,
    Hub,
    Seen,
    Server,
    Token,
    followed_by_azure_core,
    operation_path,
    run_operation,
)

pytestmark = [pytest.mark.timeout(60), pytest.mark.filterwarnings("error")]

CREDENTIALS = ["key", "token"]


@pytest.fixture(scope="module")
def hub_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Hub, dict[str, Server]]]:
    hub = Hub(tmp_path_factory.mktemp("hub"))
    servers = {
        "origin": hub.server("127.0.0.1"),
        "other-port": hub.server("127.0.0.1"),
        "other-address": hub.server("127.0.0.2"),
        "ipv6": hub.server("::1"),
    }
    try:
        yield hub, servers
    finally:
        hub.close()


@pytest.fixture
def hub(hub_servers: tuple[Hub, dict[str, Server]]) -> Hub:
    hub_servers[0].reset()
    return hub_servers[0]


@pytest.fixture
def servers(hub_servers: tuple[Hub, dict[str, Server]]) -> dict[str, Server]:
    return hub_servers[1]


def credential_for(m: Any, kind: str) -> Any:
    if kind == "key":
        return AzureKeyCredential(KEY)
    return AsyncToken() if m.is_async else Token()


def carries_the_credential(seen: Seen, kind: str) -> bool:
    if kind == "key":
        return seen.headers.get("authorization") == "Bearer " + KEY and seen.headers.get("api-key") == KEY
    return seen.headers.get("authorization") == "Bearer " + TOKEN


def expected_answer(operation: str) -> str:
    return "hub-model" if operation == "get_model_info" else REPLY


def targets(servers: dict[str, Server]) -> dict[str, str]:
    """One URL for each way of leaving the origin https://127.0.0.1:<origin port>."""
    origin = servers["origin"]
    return {
        "https-to-http": origin.url("http"),  # same host and port, clear text
        "other-port": servers["other-port"].url("https"),
        "other-address": servers["other-address"].url("https"),
        "localhost": origin.url("https", host="localhost"),  # same address and port, another name
        "ipv6": servers["ipv6"].url("https"),
    }


async def call_through(m: Any, hub: Hub, client: Any, operation: str, status: int, **options: Any) -> list[Seen]:
    """Run the operation; when azure-core does not follow this redirect, expect the 3xx as an error."""
    if followed_by_azure_core(operation, status):
        assert await run_operation(m, client, operation, **options) == expected_answer(operation)
    else:
        error = await m.raises(HttpResponseError, lambda: run_operation(m, client, operation, **options))
        assert error.status_code == status
    return list(hub.seen)


# ---------------------------------------------------------------------------------------------- one hop


@pytest.mark.parametrize("kind", CREDENTIALS)
@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("target", ["https-to-http", "other-port", "other-address", "localhost", "ipv6"])
def test_a_redirect_to_another_origin_is_followed_without_credentials(hub, servers, mode, kind, status, target):
    origin = servers["origin"]
    to = targets(servers)[target]

    async def body(m):
        credential = credential_for(m, kind)
        client = m.api.ChatCompletionsClient(origin.url("https"), credential, connection_verify=hub.ca_file)
        try:
            for operation in OPERATIONS:
                hub.reset()
                path = operation_path(operation)
                hub.redirect(origin.url("https", path=path), status, to + "/elsewhere" + path)
                seen = await call_through(m, hub, client, operation, status)
                first, rest = seen[0], seen[1:]
                assert (first.scheme, first.port, first.path) == ("https", origin.port, path)
                assert carries_the_credential(first, kind), "the origin itself must get the credential"
                if not followed_by_azure_core(operation, status):
                    assert rest == []
                    continue
                assert [s.path for s in rest] == ["/elsewhere" + path], operation
                assert rest[0].credentials == {}, f"{operation}: {target} got {sorted(rest[0].credentials)}"
                assert not rest[0].shows_a_secret()
        finally:
            await m.call(client.close())

    mode.run(body)


# ---------------------------------------------------------------------------------------------- chains


@pytest.mark.parametrize("kind", CREDENTIALS)
@pytest.mark.parametrize("status", STATUSES)
def test_a_chain_across_schemes_hosts_and_ports_never_carries_credentials(hub, servers, mode, kind, status):
    """origin (https) -> same host:port over http -> another port -> 127.0.0.2 -> localhost -> ::1 -> back to the
    origin: every hop after the first goes without credentials, the last one (at the origin again) included."""
    origin = servers["origin"]
    hops = [
        origin.url("http", path="/hop1"),
        servers["other-port"].url("https", path="/hop2"),
        servers["other-address"].url("http", path="/hop3"),
        origin.url("https", host="localhost", path="/hop4"),
        servers["ipv6"].url("https", path="/hop5"),
    ]

    async def body(m):
        credential = credential_for(m, kind)
        client = m.api.ChatCompletionsClient(origin.url("https"), credential, connection_verify=hub.ca_file)
        try:
            for operation in OPERATIONS:
                hub.reset()
                path = operation_path(operation)
                chain = [origin.url("https", path=path), *hops, origin.url("https", path="/back" + path)]
                for here, there in zip(chain, chain[1:]):
                    hub.redirect(here, status, there)
                seen = await call_through(m, hub, client, operation, status)
                assert carries_the_credential(seen[0], kind)
                if not followed_by_azure_core(operation, status):
                    assert len(seen) == 1
                    continue
                assert [s.path for s in seen] == [path, "/hop1", "/hop2", "/hop3", "/hop4", "/hop5", "/back" + path]
                assert [s.scheme for s in seen] == ["https", "http", "https", "http", "https", "https", "https"]
                for hop in seen[1:]:
                    assert hop.credentials == {} and not hop.shows_a_secret(), (operation, hop.target)
        finally:
            await m.call(client.close())

    mode.run(body)


# ---------------------------------------------------------------------------------------------- same origin


@pytest.mark.parametrize("kind", CREDENTIALS)
@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("scheme", ["http", "https"])
@pytest.mark.parametrize("location", ["absolute", "relative"])
def test_a_redirect_within_the_origin_keeps_the_credentials(hub, servers, mode, kind, status, scheme, location):
    origin = servers["origin"]

    async def body(m):
        credential = credential_for(m, kind)
        endpoint = origin.url(scheme)
        client = m.api.ChatCompletionsClient(endpoint, credential, connection_verify=hub.ca_file)
        try:
            for operation in OPERATIONS:
                hub.reset()
                path = operation_path(operation)
                moved = "/moved" + path
                to = {"absolute": endpoint + moved, "relative": moved}
                hub.redirect(origin.url(scheme, path=path), status, to[location])
                seen = await call_through(m, hub, client, operation, status)
                if not followed_by_azure_core(operation, status):
                    assert len(seen) == 1 and carries_the_credential(seen[0], kind)
                    continue
                assert [s.path for s in seen] == [path, moved]
                assert all(carries_the_credential(s, kind) for s in seen), operation
                if status == 303:
                    assert seen[1].method == "GET"
        finally:
            await m.call(client.close())

    mode.run(body)


def test_a_default_port_is_the_same_origin_as_no_port() -> None:
    from azure.ai.inference._core.credentials import origin_of

    assert origin_of("https://example.com/x") == origin_of("HTTPS://Example.com:443/y") == ("https", "example.com", 443)
    assert origin_of("http://example.com") == ("http", "example.com", 80)
    assert origin_of("http://example.com") != origin_of("https://example.com:80")
    assert origin_of("http://[::1") is None and origin_of("http://h:99999") is None


# ---------------------------------------------------------------------------------------------- loops


@pytest.mark.parametrize("kind", CREDENTIALS)
@pytest.mark.parametrize("operation", OPERATIONS)
def test_a_redirect_loop_ends_after_redirect_max(hub, servers, mode, kind, operation):
    origin = servers["origin"]

    async def body(m):
        credential = credential_for(m, kind)
        path = operation_path(operation)
        hub.redirect(origin.url("http", path=path), 307, origin.url("http", path=path))
        client = m.api.ChatCompletionsClient(origin.url("http"), credential, redirect_max=3)
        try:
            await m.raises(TooManyRedirectsError, lambda: run_operation(m, client, operation))
        finally:
            await m.call(client.close())
        assert len(hub.seen) == 4  # the request and 3 redirects
        assert all(carries_the_credential(s, kind) for s in hub.seen)

    mode.run(body)


@pytest.mark.parametrize("kind", CREDENTIALS)
def test_a_ping_pong_between_two_origins_is_bounded_and_the_other_never_gets_credentials(hub, servers, mode, kind):
    origin, other = servers["origin"], servers["other-port"]

    async def body(m):
        credential = credential_for(m, kind)
        hub.redirect(origin.url("http", path="/v1/chat/completions"), 307, other.url("http", path="/pong"))
        hub.redirect(other.url("http", path="/pong"), 307, origin.url("http", path="/v1/chat/completions"))
        client = m.api.ChatCompletionsClient(origin.url("http"), credential)
        try:
            await m.raises(TooManyRedirectsError, lambda: run_operation(m, client, "create"))
        finally:
            await m.call(client.close())
        assert len(hub.seen) == 31  # azure-core's default redirect_max is 30
        assert carries_the_credential(hub.seen[0], kind)
        assert all(s.credentials == {} for s in hub.seen[1:])  # once left, the origin too is called without

    mode.run(body)


# ---------------------------------------------------------------------------------------------- blocked headers


@pytest.mark.parametrize("kind", CREDENTIALS)
def test_blocked_redirect_headers_are_removed_on_leaving_the_origin_as_well_as_credentials(hub, servers, mode, kind):
    origin, other = servers["origin"], servers["other-address"]

    async def body(m):
        credential = credential_for(m, kind)
        client = m.api.ChatCompletionsClient(
            origin.url("http"),
            credential,
            blocked_redirect_headers=["X-Tenant-Secret"],
            headers={"x-tenant-secret": "tenant-7", "x-harmless": "1"},
        )
        try:
            hub.redirect(origin.url("http", path="/v1/chat/completions"), 307, origin.url("http", path="/same"))
            hub.redirect(origin.url("http", path="/same"), 307, other.url("http", path="/other"))
            assert await run_operation(m, client, "create") == REPLY
        finally:
            await m.call(client.close())
        first, same, elsewhere = hub.seen
        for seen in (first, same):
            assert seen.headers["x-tenant-secret"] == "tenant-7" and carries_the_credential(seen, kind)
        assert "x-tenant-secret" not in elsewhere.headers
        assert elsewhere.credentials == {}  # the caller's list adds to the credential headers, never replaces them
        assert elsewhere.headers["x-harmless"] == "1"

    mode.run(body)


@pytest.mark.parametrize("value", ["X-Tenant-Secret", [1], 5])
def test_blocked_redirect_headers_must_be_a_list_of_names(mode, value):
    with pytest.raises(TypeError, match="blocked_redirect_headers"):
        mode.api.ChatCompletionsClient("https://example.com", AzureKeyCredential(KEY), blocked_redirect_headers=value)


def test_disable_redirect_cleanup_is_not_accepted(mode):
    with pytest.raises(TypeError, match="disable_redirect_cleanup"):
        mode.api.ChatCompletionsClient("https://example.com", AzureKeyCredential(KEY), disable_redirect_cleanup=True)


# ---------------------------------------------------------------------------------------------- tokens


def test_another_origin_s_authentication_challenge_gets_no_token(hub, servers, mode):
    """A 401 with a claims challenge from the redirect target would make azure-core ask for a new token and send
    it: the token policy answers challenges from the origin only."""
    origin, other = servers["origin"], servers["other-port"]

    async def body(m):
        credential = credential_for(m, "token")
        hub.redirect(origin.url("http", path="/info"), 307, other.url("http", path="/challenge"))
        hub.challenge(other.url("http", path="/challenge"))
        client = m.api.ChatCompletionsClient(origin.url("http"), credential, retry_total=0)
        try:
            error = await m.raises(HttpResponseError, lambda: run_operation(m, client, "get_model_info"))
        finally:
            await m.call(client.close())
        assert error.status_code == 401
        assert len(credential.calls) == 1 and "claims" not in credential.calls[0]
        assert [s.path for s in hub.seen] == ["/info", "/challenge"]
        assert hub.seen[1].credentials == {}

    mode.run(body)
