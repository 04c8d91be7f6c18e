"""Proxies, sync and async: one decision (`_transport.proxy.choose_proxy`) for both clients, honouring the
`NO_PROXY` forms requests honours, so the key never goes to a proxy for a host that bypasses it; and a hostile
proxy's answer to CONNECT (endless or dripped headers) fails the call promptly with an azure-core error, the
connection closed."""

from __future__ import annotations

from typing import Any, Iterator, Optional

import pytest
from azure.core.exceptions import AzureError

from azure.ai.inference._transport.proxy import EnvironmentProxies, NoProxy, choose_proxy
from _hostile import Conn, HostileServer, Request, call, ok_answer, serve_each

PROXY_VARIABLES = [
    f"{name}_proxy" if lower else f"{name.upper()}_PROXY"
    for name in ("http", "https", "all", "no")
    for lower in (False, True)
]
KEY = "proxy-test-key-7"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in PROXY_VARIABLES + ["REQUEST_METHOD"]:
        monkeypatch.delenv(name, raising=False)
    yield


# ---------------------------------------------------------------------------------------------- the decision

P = "http://proxy.example:3128"


@pytest.mark.parametrize(
    ("environment", "url", "expected"),
    [
        # which variable
        ({"HTTP_PROXY": P}, "http://api.example.com", P),
        ({"HTTP_PROXY": P}, "https://api.example.com", None),
        ({"HTTPS_PROXY": P}, "https://api.example.com", P),
        ({"ALL_PROXY": P}, "https://api.example.com", P),
        ({"all_proxy": P}, "http://api.example.com", P),
        ({"ALL_PROXY": "http://other:1", "HTTPS_PROXY": P}, "https://api.example.com", P),
        # lowercase wins; an empty lowercase one unsets
        ({"HTTPS_PROXY": "http://upper:1", "https_proxy": P}, "https://api.example.com", P),
        ({"HTTPS_PROXY": P, "NO_PROXY": "api.example.com", "no_proxy": "other.example"}, "https://api.example.com", P),
        (
            {"HTTPS_PROXY": P, "NO_PROXY": "other.example", "no_proxy": "api.example.com"},
            "https://api.example.com",
            None,
        ),
        # *
        ({"HTTPS_PROXY": P, "NO_PROXY": "*"}, "https://api.example.com", None),
        # domains, with or without a leading dot or *.
        ({"HTTPS_PROXY": P, "NO_PROXY": "example.com"}, "https://api.example.com", None),
        ({"HTTPS_PROXY": P, "NO_PROXY": "example.com"}, "https://example.com", None),
        ({"HTTPS_PROXY": P, "NO_PROXY": ".example.com"}, "https://api.example.com", None),
        ({"HTTPS_PROXY": P, "NO_PROXY": ".example.com"}, "https://example.com", None),
        ({"HTTPS_PROXY": P, "NO_PROXY": "*.example.com"}, "https://a.b.example.com", None),
        ({"HTTPS_PROXY": P, "NO_PROXY": "example.com"}, "https://badexample.com", P),
        ({"HTTPS_PROXY": P, "NO_PROXY": "EXAMPLE.com"}, "https://API.Example.COM", None),
        ({"HTTPS_PROXY": P, "NO_PROXY": " a.test , example.com ,"}, "https://api.example.com", None),
        ({"HTTPS_PROXY": P, "NO_PROXY": "a.test example.com"}, "https://api.example.com", None),
        # host:port
        ({"HTTPS_PROXY": P, "NO_PROXY": "api.example.com:8443"}, "https://api.example.com:8443", None),
        ({"HTTPS_PROXY": P, "NO_PROXY": "api.example.com:8443"}, "https://api.example.com", P),
        ({"HTTPS_PROXY": P, "NO_PROXY": "api.example.com:443"}, "https://api.example.com", None),
        ({"HTTPS_PROXY": P, "NO_PROXY": "127.0.0.1:8000"}, "https://127.0.0.1:8000", None),
        ({"HTTPS_PROXY": P, "NO_PROXY": "127.0.0.1:8000"}, "https://127.0.0.1:9000", P),
        # IP addresses and CIDR
        ({"HTTPS_PROXY": P, "NO_PROXY": "127.0.0.1"}, "https://127.0.0.1:8000", None),
        ({"HTTPS_PROXY": P, "NO_PROXY": "127.0.0.0/8"}, "https://127.3.4.5:8000", None),
        ({"HTTPS_PROXY": P, "NO_PROXY": "10.0.0.0/8"}, "https://127.0.0.1", P),
        ({"HTTPS_PROXY": P, "NO_PROXY": "192.168.0.0/16"}, "https://192.168.7.7", None),
        ({"HTTPS_PROXY": P, "NO_PROXY": "127.0.0.0/8"}, "https://localhost", P),  # names are not resolved
        # IPv6, bare and bracketed, with a port, CIDR
        ({"HTTPS_PROXY": P, "NO_PROXY": "::1"}, "https://[::1]:8000", None),
        ({"HTTPS_PROXY": P, "NO_PROXY": "[::1]"}, "https://[::1]:8000", None),
        ({"HTTPS_PROXY": P, "NO_PROXY": "0:0::1"}, "https://[::1]", None),
        ({"HTTPS_PROXY": P, "NO_PROXY": "[::1]:8000"}, "https://[::1]:8000", None),
        ({"HTTPS_PROXY": P, "NO_PROXY": "[::1]:8000"}, "https://[::1]:9000", P),
        ({"HTTPS_PROXY": P, "NO_PROXY": "fd00::/8"}, "https://[fd12::5]", None),
        ({"HTTPS_PROXY": P, "NO_PROXY": "::1"}, "https://[::2]", P),
        # malformed entries match nothing
        ({"HTTPS_PROXY": P, "NO_PROXY": "[::1"}, "https://[::1]", P),
        ({"HTTPS_PROXY": P, "NO_PROXY": "example.com:https"}, "https://example.com", P),
        # no proxy variable
        ({"NO_PROXY": "example.com"}, "https://api.example.com", None),
    ],
)
def test_the_environment_decides_as_requests_does(
    monkeypatch: pytest.MonkeyPatch, environment: dict[str, str], url: str, expected: Optional[str]
) -> None:
    from urllib.parse import urlsplit

    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    parts = urlsplit(url)
    assert parts.hostname is not None
    decided = choose_proxy(parts.scheme, parts.hostname, parts.port, (None, None), EnvironmentProxies.read())
    assert decided == expected


def test_explicit_proxies_win_and_a_no_proxy_key_bypasses_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", P)
    environment = EnvironmentProxies.read()
    explicit = {"https": "http://explicit:1"}
    assert choose_proxy("https", "api.example.com", None, (explicit, None), environment) == "http://explicit:1"
    assert choose_proxy("https", "api.example.com", None, (None, explicit), environment) == "http://explicit:1"
    specific = {"https://api.example.com": "http://specific:1", "all": "http://all:1"}
    assert choose_proxy("https", "api.example.com", None, (specific, None), environment) == "http://specific:1"
    assert choose_proxy("https", "other.example", None, (specific, None), environment) == "http://all:1"
    bypass = {"no_proxy": "example.com"}
    assert choose_proxy("https", "api.example.com", None, (bypass, None), environment) is None
    assert choose_proxy("https", "api.example.com", None, (None, None), None) is None  # environment not used


def test_a_cgi_request_method_drops_http_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REQUEST_METHOD", "GET")
    monkeypatch.setenv("HTTP_PROXY", P)  # may come from a request's Proxy header (httpoxy)
    assert choose_proxy("http", "api.example.com", None, (None, None), EnvironmentProxies.read()) is None


def test_no_proxy_parsing_is_cheap_and_total() -> None:
    assert not NoProxy("")
    assert NoProxy("*").matches("anything", 1)
    entries = NoProxy(",".join(["[", "]", ":", "[]:1", "a:b:c", "/8", "1.2.3.4/99", "..", "*."]))
    assert not entries.matches("example.com", 443)


# ---------------------------------------------------------------------------------------------- loopback


class RecordingProxy:
    """A forward proxy that answers every request itself (as the service would) and records what it got."""

    def __init__(self) -> None:
        self.server = HostileServer(serve_each(lambda conn, request, number: conn.send(ok_answer(request))))

    def __enter__(self) -> "RecordingProxy":
        self.server.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.close()

    @property
    def url(self) -> str:
        return self.server.url


def service(host: str = "127.0.0.1") -> HostileServer:
    return HostileServer(serve_each(lambda conn, request, number: conn.send(ok_answer(request))), host=host)


BYPASS_FORMS = [
    ("::1", "HTTP_PROXY", "{bare}"),
    ("::1", "HTTP_PROXY", "[{bare}]:{port}"),
    ("::1", "ALL_PROXY", "::/127"),
    ("127.0.0.1", "HTTP_PROXY", "127.0.0.0/8"),
    ("127.0.0.1", "ALL_PROXY", "{bare}:{port}"),
    ("127.0.0.1", "all_proxy", "localhost, {bare}"),
]


@pytest.mark.parametrize(("host", "variable", "form"), BYPASS_FORMS)
def test_the_key_never_reaches_a_proxy_for_a_bypassed_host(
    mode: Any, monkeypatch: pytest.MonkeyPatch, host: str, variable: str, form: str
) -> None:
    async def body(mode: Any) -> None:
        with RecordingProxy() as proxy, service(host) as target:
            port = target.url.rsplit(":", 1)[1]
            monkeypatch.setenv(variable, proxy.url)
            monkeypatch.setenv("NO_PROXY", form.format(bare=host, port=port))
            async with mode.client("ChatCompletionsClient", target.url, key=KEY) as client:
                for operation in ("create", "create_streaming", "get_model_info"):
                    await call(mode, client, operation, retry_total=0)
            assert proxy.server.connections == 0 and proxy.server.requests == []
            assert len(target.requests) == 3
            assert all(request.headers.get("api-key") == KEY for request in target.requests)

    mode.run(body)


@pytest.mark.parametrize(("host", "variable", "form"), BYPASS_FORMS[1:2] + BYPASS_FORMS[4:5])
def test_the_proxy_is_used_for_another_port_of_the_same_host(
    mode: Any, monkeypatch: pytest.MonkeyPatch, host: str, variable: str, form: str
) -> None:
    """The control of the test above: the environment's proxy is in force (and `host:port` means that port)."""

    async def body(mode: Any) -> None:
        with RecordingProxy() as proxy, service(host) as target:
            port = int(target.url.rsplit(":", 1)[1])
            monkeypatch.setenv(variable, proxy.url)
            monkeypatch.setenv("NO_PROXY", form.format(bare=host, port=port + 1))
            async with mode.client("ChatCompletionsClient", target.url, key=KEY) as client:
                await call(mode, client, "create", retry_total=0)
            assert target.requests == []
            assert [request.target.split("?")[0] for request in proxy.server.requests] == [
                f"{target.url}/v1/chat/completions"
            ]

    mode.run(body)


# ---------------------------------------------------------------------------------------------- hostile CONNECT


class HostileTunnel:
    """A proxy that answers CONNECT with `200` and then header lines that never end, as fast as it can, or one
    header line that never ends, a byte at a time (dripped); `closed` is set once the client closed the
    connection."""

    def __init__(self, drip: bool) -> None:
        self.drip = drip
        self.connect_lines: list[str] = []
        self.server = HostileServer(self.handler)
        import threading

        self.closed = threading.Event()

    def handler(self, conn: Conn) -> None:
        request = conn.read_request()
        if request is None:
            return
        self.connect_lines.append(f"{request.method} {request.target}")
        sent = conn.send(b"HTTP/1.1 200 Connection established\r\n")
        if self.drip:  # one header line that never ends, a byte at a time: only a time bound stops it
            sent = sent and conn.send(b"X-Pad: ")
            while sent and not conn.server.stopping.wait(0.02):
                sent = conn.send(b"x")
        while sent:
            sent = conn.send(b"X-Pad: " + b"x" * 64 + b"\r\n")
        if not conn.server.stopping.is_set():
            self.closed.set()


@pytest.mark.parametrize("drip", [False, True], ids=["endless", "dripped"])
def test_a_hostile_connect_answer_fails_promptly(mode: Any, drip: bool) -> None:
    tunnel = HostileTunnel(drip)

    async def body(mode: Any) -> None:
        with tunnel.server:
            async with mode.client(
                "ChatCompletionsClient",
                "https://inference.test",
                key=KEY,
                proxies={"https": tunnel.server.url},
                connection_timeout=1,
                read_timeout=300,
            ) as client:
                with pytest.raises(AzureError) as error:
                    await call(mode, client, "create", retry_total=0)
            assert tunnel.closed.wait(60), "the client never closed its connection to the proxy"
            assert tunnel.connect_lines == ["CONNECT inference.test:443"]
            assert KEY not in str(error.value)

    mode.run(body)


def test_a_refused_tunnel_names_the_status(mode: Any) -> None:
    def refuse(conn: Conn, request: Request, number: int) -> bool:
        conn.send(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        return False

    async def body(mode: Any) -> None:
        with HostileServer(serve_each(refuse)) as proxy:
            async with mode.client(
                "ChatCompletionsClient", "https://inference.test", key=KEY, proxies={"https": proxy.url}
            ) as client:
                with pytest.raises(AzureError) as error:
                    await call(mode, client, "create", retry_total=0)
            assert "403" in str(error.value)

    mode.run(body)
