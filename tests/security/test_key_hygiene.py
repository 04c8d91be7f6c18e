"""A key that cannot travel unchanged in an HTTP header is refused with a ValueError that never shows it.

At construction, and again before a request is sent when `AzureKeyCredential.update()` brought such a key: the
error surfaces from `create`, `create_streaming` and `get_model_info` as the `ValueError` itself (a `ValueError`
is not an azure-core error, so no azure-core policy retries or wraps it), and the hub receives nothing. A token
credential's token is held to the same rule.
"""

from __future__ import annotations

from typing import Any, Iterator

import pytest
from azure.core.credentials import AzureKeyCredential

from _redirects import KEY, OPERATIONS, REPLY, AsyncToken, Hub, Server, Token, run_operation

pytestmark = [pytest.mark.timeout(60), pytest.mark.filterwarnings("error")]

CLIENTS = ["ChatCompletionsClient", "EmbeddingsClient", "ImageGenerationClient"]

# A distinctive key body, so that any echo of it is found by a substring search.
BODY = "rk-2Jd7-BADKEYSECRET-88f1e0"

BAD_KEYS = {
    "CR": BODY + "\r",
    "LF": BODY + "\n",
    "CRLF-injection": BODY + "\r\nX-Injected: 1",
    "NUL": BODY + "\x00tail",
    "TAB": BODY + "\tmore",
    "DEL": BODY + "\x7f",
    "other-C0-control": BODY + "\x1b[0m",
    "C1-control": BODY + "\x85",
    "non-ASCII-latin": BODY + "-clé",
    "non-ASCII-emoji": BODY + "-\U0001f511",
    "no-break-space": BODY + "\u00a0",
    "line-separator": BODY + "\u2028",
    "leading-space": " " + BODY,
    "trailing-space": BODY + " ",
}


def assert_hidden(error: BaseException) -> None:
    for text in (str(error), repr(error), str(error.args)):
        assert "BADKEYSECRET" not in text and "2Jd7" not in text, text


@pytest.fixture(scope="module")
def hub_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Hub, Server]]:
    hub = Hub(tmp_path_factory.mktemp("hub"))
    server = hub.server("127.0.0.1")
    try:
        yield hub, server
    finally:
        hub.close()


@pytest.fixture
def hub(hub_server: tuple[Hub, Server]) -> Hub:
    hub_server[0].reset()
    return hub_server[0]


@pytest.fixture
def server(hub_server: tuple[Hub, Server]) -> Server:
    return hub_server[1]


@pytest.mark.parametrize("name", CLIENTS)
@pytest.mark.parametrize("kind", list(BAD_KEYS))
def test_a_bad_key_is_refused_at_construction_without_showing_it(mode, name, kind):
    with pytest.raises(ValueError) as info:
        getattr(mode.api, name)("https://example.com", AzureKeyCredential(BAD_KEYS[kind]))
    assert "key" in str(info.value)
    assert "printable ASCII" in str(info.value) or "space" in str(info.value)
    assert_hidden(info.value)


@pytest.mark.parametrize("kind", list(BAD_KEYS))
def test_a_bad_key_from_update_fails_each_call_before_anything_is_sent(hub, server, mode, kind):
    async def body(m: Any) -> None:
        credential = AzureKeyCredential(KEY)
        client = m.api.ChatCompletionsClient(server.url(), credential)
        try:
            credential.update(BAD_KEYS[kind])
            for operation in OPERATIONS:
                error = await m.raises(ValueError, lambda: run_operation(m, client, operation))
                assert "update()" in str(error)
                assert_hidden(error)
            assert hub.seen == []  # refused before any byte went out
            credential.update(KEY)  # a good key again: the same client works
            assert await run_operation(m, client, "create") == REPLY
        finally:
            await m.call(client.close())
        assert len(hub.seen) == 1 and hub.seen[0].headers["api-key"] == KEY

    mode.run(body)


def test_the_position_and_class_of_the_bad_character_are_named(mode):
    with pytest.raises(ValueError) as info:
        mode.api.ChatCompletionsClient("https://example.com", AzureKeyCredential("abc\n"))
    assert "control character" in str(info.value) and "position 3" in str(info.value)
    with pytest.raises(ValueError) as info:
        mode.api.ChatCompletionsClient("https://example.com", AzureKeyCredential("abcé"))
    assert "non-ASCII" in str(info.value) and "position 3" in str(info.value)


def test_printable_keys_of_every_shape_are_accepted(hub, server, mode):
    keys = ["a", "0123456789abcdef" * 8, "key with inner spaces", "!#$%&'*+-.^_`|~=/:;<>?@[]{}()\"\\,"]

    async def body(m: Any) -> None:
        for key in keys:
            client = m.api.ChatCompletionsClient(server.url(), AzureKeyCredential(key))
            try:
                assert await run_operation(m, client, "create") == REPLY
            finally:
                await m.call(client.close())
        assert [s.headers["api-key"] for s in hub.seen] == keys
        assert [s.headers["authorization"] for s in hub.seen] == ["Bearer " + k for k in keys]

    mode.run(body)


@pytest.mark.parametrize("kind", ["CRLF-injection", "NUL", "non-ASCII-latin"])
def test_a_bad_token_fails_each_call_before_anything_is_sent(hub, server, mode, kind):
    async def body(m: Any) -> None:
        credential = (AsyncToken if m.is_async else Token)(token=BAD_KEYS[kind])
        client = m.api.ChatCompletionsClient(server.url(), credential)
        try:
            for operation in OPERATIONS:
                error = await m.raises(ValueError, lambda: run_operation(m, client, operation))
                assert "token" in str(error)
                assert_hidden(error)
        finally:
            await m.call(client.close())
        assert hub.seen == []

    mode.run(body)
