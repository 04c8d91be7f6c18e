"""Credentials (keys and tokens) go over plain http:// only to loopback hosts, unless enforce_https=False.

An http endpoint whose host is not 127.0.0.0/8, ::1 or localhost is refused at construction with a ValueError
that says so, before any connection (a token credential is not even asked for a token); loopback endpoints work
with no flag. Per request, credentials are only ever attached to the endpoint's own origin, so a redirect to an
http host elsewhere is followed without them: the hub, standing in as an http proxy for `example.invalid`,
records what would have reached that host, with no DNS and no traffic beyond loopback.
"""

from __future__ import annotations

from typing import Any, Iterator

import pytest
from azure.core.credentials import AzureKeyCredential

from _redirects import KEY, OPERATIONS, TOKEN, AsyncToken, Hub, Server, Token, operation_path, run_operation

pytestmark = [pytest.mark.timeout(60), pytest.mark.filterwarnings("error")]

CLIENTS = ["ChatCompletionsClient", "EmbeddingsClient", "ImageGenerationClient"]
RULE = "credentials are sent over http:// only to loopback hosts (127.0.0.0/8, ::1, localhost)"

REMOTE_HTTP = [
    "http://example.invalid",
    "http://example.inference.ai.azure.com/models",
    "http://10.0.0.1:8080",
    "http://0.0.0.0:8080",
    "http://[2001:db8::1]:8080",
    "http://127.0.0.1.example.invalid",  # a name that starts like a loopback address is not one
    "http://localhost.example.invalid",
    "HTTP://EXAMPLE.INVALID",
]


class Counting:
    """What a test needs to prove nothing went out: a transport that counts the requests it was given."""

    def __init__(self) -> None:
        self.sent = 0

    def send(self, request: Any, **kwargs: Any) -> Any:
        self.sent += 1
        raise AssertionError("nothing should be sent")

    async def __aenter__(self) -> "Counting":
        return self

    async def __aexit__(self, *args: Any) -> None:
        pass

    def __enter__(self) -> "Counting":
        return self

    def __exit__(self, *args: Any) -> None:
        pass

    def open(self) -> None:
        pass

    def close(self) -> None:
        pass


def credential_for(m: Any, kind: str) -> Any:
    if kind == "key":
        return AzureKeyCredential(KEY)
    return AsyncToken() if m.is_async else Token()


@pytest.fixture(scope="module")
def hub_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Hub, dict[str, Server]]]:
    hub = Hub(tmp_path_factory.mktemp("hub"))
    servers = {"127.0.0.1": hub.server("127.0.0.1"), "127.0.0.2": hub.server("127.0.0.2"), "::1": hub.server("::1")}
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


# ---------------------------------------------------------------------------------------------- construction


@pytest.mark.parametrize("kind", ["key", "token"])
@pytest.mark.parametrize("name", CLIENTS)
@pytest.mark.parametrize("endpoint", REMOTE_HTTP)
def test_http_to_a_host_that_is_not_loopback_is_refused_at_construction(mode, kind, name, endpoint):
    credential = credential_for(mode, kind)
    transport = Counting()
    with pytest.raises(ValueError) as info:
        getattr(mode.api, name)(endpoint, credential, transport=transport)
    message = str(info.value)
    assert RULE in message and "enforce_https=False" in message and "https://" in message
    assert f"send the {kind} in clear text" in message
    assert KEY not in message
    assert transport.sent == 0
    if kind == "token":
        assert credential.calls == []  # no token was even asked for


@pytest.mark.parametrize("kind", ["key", "token"])
@pytest.mark.parametrize("endpoint", REMOTE_HTTP)
def test_enforce_https_false_allows_http_to_any_host(mode, kind, endpoint):
    client = mode.api.ChatCompletionsClient(endpoint, credential_for(mode, kind), enforce_https=False)
    assert "example" in repr(client) or "0" in repr(client)


@pytest.mark.parametrize("value", [0, "false", None])
def test_enforce_https_must_be_a_bool(mode, value):
    with pytest.raises(TypeError, match="enforce_https"):
        mode.api.ChatCompletionsClient("https://example.com", AzureKeyCredential(KEY), enforce_https=value)


# ---------------------------------------------------------------------------------------------- loopback


@pytest.mark.parametrize("kind", ["key", "token"])
@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "localhost", "::1"])
def test_loopback_http_works_without_the_flag(hub, servers, mode, kind, host):
    server = servers["127.0.0.1" if host == "localhost" else host]
    endpoint = server.url("http", host="localhost" if host == "localhost" else None)

    async def body(m: Any) -> None:
        credential = credential_for(m, kind)
        client = m.api.ChatCompletionsClient(endpoint, credential)
        try:
            for operation in OPERATIONS:
                await run_operation(m, client, operation)
        finally:
            await m.call(client.close())
        assert [s.path for s in hub.seen] == [operation_path(op) for op in OPERATIONS]
        expected = "Bearer " + (KEY if kind == "key" else TOKEN)
        assert all(s.headers["authorization"] == expected for s in hub.seen)

    mode.run(body)


# ---------------------------------------------------------------------------------------------- per request


@pytest.mark.parametrize("kind", ["key", "token"])
@pytest.mark.parametrize("status", [303, 307, 308])
def test_a_redirect_to_http_on_another_host_goes_without_credentials(hub, servers, mode, kind, status):
    """The origin is http://127.0.0.1:<port>; it redirects to http://example.invalid/..., which the client reaches
    through the hub as its http proxy: what arrives there is what example.invalid would have received."""
    origin = servers["127.0.0.1"]

    async def body(m: Any) -> None:
        credential = credential_for(m, kind)
        client = m.api.ChatCompletionsClient(origin.url(), credential, proxies={"http": origin.url()})
        try:
            for operation in OPERATIONS:
                hub.reset()
                path = operation_path(operation)
                hub.redirect(origin.url(path=path), status, "http://example.invalid/moved" + path)
                await run_operation(m, client, operation)
                first, moved = hub.seen
                assert first.credentials and first.target.startswith(origin.url())  # proxied: absolute form
                assert moved.target.startswith("http://example.invalid/moved"), moved.target
                assert moved.headers["host"] == "example.invalid"
                assert moved.credentials == {} and not moved.shows_a_secret()
        finally:
            await m.call(client.close())

    mode.run(body)


@pytest.mark.parametrize("kind", ["key", "token"])
def test_an_absolute_url_elsewhere_gets_no_credentials(hub, servers, mode, kind):
    """`send_request` with a URL outside the endpoint's origin: the request is sent as asked, without the client's
    credentials, which belong to the endpoint's origin."""
    from azure.core.rest import HttpRequest

    origin = servers["127.0.0.1"]

    async def body(m: Any) -> None:
        credential = credential_for(m, kind)
        client = m.api.ChatCompletionsClient(origin.url(), credential, proxies={"http": origin.url()})
        try:
            response = await m.call(client.send_request(HttpRequest("GET", "http://example.invalid/info")))
            assert response.status_code == 200
            response = await m.call(client.send_request(HttpRequest("GET", origin.url(path="/info"))))
            assert response.status_code == 200
        finally:
            await m.call(client.close())
        elsewhere, home = hub.seen
        assert elsewhere.headers["host"] == "example.invalid" and elsewhere.credentials == {}
        assert home.credentials  # the endpoint's own origin still gets them

    mode.run(body)
