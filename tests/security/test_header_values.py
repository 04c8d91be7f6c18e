"""Header names and values that could make a server read a header of someone else's choosing (a CR, LF or NUL,
an obsolete line folding `CRLF SP`, another control character, a name that is not a token) are refused by both
clients with a `ValueError` before anything is sent: the loopback server sees no connection, and the message
never holds the value (it may be a credential). TAB and Latin-1 text stay allowed."""

from __future__ import annotations

from typing import Any

import pytest
from azure.core.credentials import AccessToken, AzureKeyCredential

from _hostile import OPERATIONS, HostileServer, call, ok_answer, serve_each

SECRET = "s3cr3t-value-never-echoed"

# (where the bad text goes, the text): `headers=` per call, the client's `user_agent`, or a token credential.
REFUSED = [
    pytest.param("value", f"{SECRET}\r\n X-Injected: yes", id="obs-fold"),
    pytest.param("value", f"{SECRET}\r\nX-Injected: yes", id="crlf"),
    pytest.param("value", f"{SECRET}\rX-Injected: yes", id="cr"),
    pytest.param("value", f"{SECRET}\nX-Injected: yes", id="lf"),
    pytest.param("value", f"{SECRET}\x00X-Injected: yes", id="nul"),
    pytest.param("value", f"{SECRET}\x01", id="soh"),
    pytest.param("value", f"{SECRET}\x1b[0m", id="esc"),
    pytest.param("value", f"{SECRET}\x7f", id="del"),
    pytest.param("name", "x y", id="name-space"),
    pytest.param("name", "x:y", id="name-colon"),
    pytest.param("name", "x\r\nX-Injected", id="name-crlf"),
    pytest.param("name", "x\x00", id="name-nul"),
    pytest.param("name", "", id="name-empty"),
    pytest.param("name", "caf\u00e9", id="name-non-ascii"),
    pytest.param("user_agent", f"{SECRET}\r\n X-Injected: yes", id="user-agent-obs-fold"),
    pytest.param("user_agent", f"{SECRET}\x00", id="user-agent-nul"),
    pytest.param("token", f"{SECRET}\r\n X-Injected: yes", id="token-obs-fold"),
    pytest.param("token", f"{SECRET}\x00", id="token-nul"),
]


class _Token:
    """A token credential whose token is the given text."""

    def __init__(self, token: str) -> None:
        self._token = token

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken(self._token, 2**31)


class _AsyncToken(_Token):
    async def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:  # type: ignore[override]
        return AccessToken(self._token, 2**31)

    async def close(self) -> None:
        pass


def _client(mode: Any, where: str, text: str, url: str) -> Any:
    """A client with the bad text in its user agent or credential (when `where` says so)."""
    options: dict[str, Any] = {"retry_total": 0}
    if where == "user_agent":
        options["user_agent"] = text
    if where == "token":
        credential: Any = (_AsyncToken if mode.is_async else _Token)(text)
    else:
        credential = AzureKeyCredential("key")
    return mode.api.ChatCompletionsClient(url, credential, **options)


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize(("where", "text"), REFUSED)
def test_a_header_that_could_inject_another_is_refused_before_any_connection(
    mode: Any, operation: str, where: str, text: str
) -> None:
    async def body(mode: Any) -> None:
        with HostileServer(serve_each(lambda conn, request, number: conn.send(ok_answer(request)))) as server:
            headers = {"x-custom": text} if where == "value" else {text: "ok"} if where == "name" else {}
            client = _client(mode, where, text, server.url)
            try:
                error = await mode.raises(ValueError, call(mode, client, operation, headers=headers))
            finally:
                await mode.call(client.close())
            assert "header" in str(error)
            assert SECRET not in str(error) and SECRET not in repr(error) and "X-Injected" not in str(error)
            # A clean call afterwards is the server's first connection and request: the refused one opened none
            # (the server accepts connections in the order they were made).
            async with mode.client("ChatCompletionsClient", server.url) as clean:
                assert await call(mode, clean, operation)
            assert server.connections == 1 and len(server.requests) == 1
            assert "x-injected" not in server.requests[0].headers

    mode.run(body)


@pytest.mark.parametrize(
    "value", [pytest.param("a\tb", id="tab"), pytest.param("caf\u00e9", id="latin-1"), pytest.param("", id="empty")]
)
def test_tab_and_latin_1_text_in_a_value_are_sent(mode: Any, value: str) -> None:
    async def body(mode: Any) -> None:
        with HostileServer(serve_each(lambda conn, request, number: conn.send(ok_answer(request)))) as server:
            async with mode.client("ChatCompletionsClient", server.url) as client:
                assert await call(mode, client, "create", headers={"x-custom": value})
            assert len(server.requests) == 1 and "x-custom" in server.requests[0].headers

    mode.run(body)


def test_the_sync_transport_itself_refuses_before_connecting() -> None:
    """`HttpClientTransport` used on its own (in a pipeline of the caller's) checks too; it also refuses text that
    is not Latin-1, which http.client could only fail to encode once connected."""
    from azure.core.rest import HttpRequest  # pylint: disable=import-outside-toplevel

    from azure.ai.inference._transport.http_client import HttpClientTransport  # pylint: disable=import-outside-toplevel

    with HostileServer(serve_each(lambda conn, request, number: conn.send(ok_answer(request)))) as server:
        with HttpClientTransport() as transport:
            for headers in ({"x": f"{SECRET}\r\n X-Injected: yes"}, {"x": f"{SECRET}\x00"}, {"x": "\u20ac"}):
                with pytest.raises(ValueError, match="header") as info:
                    transport.send(HttpRequest("GET", server.url + "/info", headers=headers))
                assert SECRET not in str(info.value)
            response = transport.send(HttpRequest("GET", server.url + "/info"))
            assert response.status_code == 200
            response.close()
        assert server.connections == 1 and len(server.requests) == 1


def test_a_header_sent_clean_once_is_checked_again_with_another_value(mode: Any) -> None:
    """Valid header fields are remembered (most headers repeat on every call), by name and value together: the
    same header with an injected value on a later call is still refused before anything is sent."""

    async def body(mode: Any) -> None:
        with HostileServer(serve_each(lambda conn, request, number: conn.send(ok_answer(request)))) as server:
            async with mode.client("ChatCompletionsClient", server.url) as client:
                assert await call(mode, client, "create", headers={"x-custom": SECRET})
                for text in (f"{SECRET}\r\n X-Injected: yes", f"{SECRET}\x00", f"{SECRET}\n"):
                    error = await mode.raises(ValueError, call(mode, client, "create", headers={"x-custom": text}))
                    assert SECRET not in str(error)
                assert await call(mode, client, "create", headers={"x-custom": SECRET})
            assert len(server.requests) == 2
            assert all("x-injected" not in request.headers for request in server.requests)

    mode.run(body)


def test_the_remembered_header_fields_stay_bounded() -> None:
    """A header whose value changes on every call fills the remembered fields, which are emptied when full; the
    request ids (new on every call) are never kept, and neither is a value that is long or not Latin-1 text (each
    is checked every time)."""
    from azure.ai.inference._core import headers as checks  # pylint: disable=import-outside-toplevel

    for number in range(3 * checks._VALID_MOST):  # pylint: disable=protected-access
        checks.check_header_fields([("x-changing", f"value-{number}")])
        assert len(checks._VALID) <= checks._VALID_MOST  # pylint: disable=protected-access
    checks._VALID.clear()  # pylint: disable=protected-access
    checks.check_header_fields([("x-ms-client-request-id", "id-1"), ("X-MS-Client-Request-Id", "id-2")])
    assert not checks._VALID  # pylint: disable=protected-access
    with pytest.raises(ValueError, match="control character"):
        checks.check_header_fields([("x-ms-client-request-id", "id-1\r\nX-Injected: yes")])
    long_value = "v" * (checks._VALID_VALUE_MOST + 1)  # pylint: disable=protected-access
    checks.check_header_fields([("x-long", long_value), ("x-euro", "\u20ac")])
    assert ("x-long", long_value) not in checks._VALID  # pylint: disable=protected-access
    assert ("x-euro", "\u20ac") not in checks._VALID  # pylint: disable=protected-access
    with pytest.raises(ValueError, match="not Latin-1"):
        checks.check_header_fields([("x-euro", "\u20ac")], latin1=True)
    # Pairs given as an iterator are all checked, also when one of them cannot be hashed.
    with pytest.raises(ValueError, match="control character"):
        checks.check_header_fields(iter([("x-bad", f"{SECRET}\r\nX-Injected: yes"), ("x-list", ["a"])]))


def test_credentials_are_never_among_the_remembered_header_fields(mode: Any) -> None:
    """The key (and a token, a proxy's credentials, cookies) is checked on every call and kept nowhere beyond the
    requests that carry it."""
    from azure.ai.inference._core import headers as checks  # pylint: disable=import-outside-toplevel

    async def body(mode: Any) -> None:
        checks._VALID.clear()  # pylint: disable=protected-access  # what earlier tests kept (say an x-custom: SECRET)
        with HostileServer(serve_each(lambda conn, request, number: conn.send(ok_answer(request)))) as server:
            async with mode.client("ChatCompletionsClient", server.url) as client:
                assert await call(mode, client, "create", headers={"Cookie": SECRET, "Proxy-Authorization": SECRET})
            assert len(server.requests) == 1
        kept = {name.lower() for name, _ in checks._VALID}  # pylint: disable=protected-access
        assert kept and kept.isdisjoint({"api-key", "authorization", "cookie", "proxy-authorization"})
        assert all(SECRET not in value for _, value in checks._VALID)  # pylint: disable=protected-access

    mode.run(body)
