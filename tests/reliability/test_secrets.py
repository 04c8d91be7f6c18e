"""Credentials stay secret: never logged, never shown by repr()/str(); bearer tokens need https; endpoints are checked.

A distinctive key is served by an emulator of its own (module scope), so that a leak anywhere is found by a plain
substring search. The root logger is captured at DEBUG, with and without `logging_enable=True`.
"""

from __future__ import annotations

import logging
import ssl
import time

import pytest
import trustme
from azure.core.credentials import AccessToken, AzureKeyCredential

from azure.ai.inference import StreamingError
from inference_emulator import Emulator

from _reliability import FAST_RETRY, PROMPT, drain, fault, first_update, user

pytestmark = [pytest.mark.timeout(60), pytest.mark.filterwarnings("error")]

SECRET = "rk-7Qz9-SECRET-d41d8cd98f00b204e980"
WRONG = "rk-5Hx2-WRONGKEY-0cc175b9c0f1b6a831"
TOKEN = "emulator-token-TOKENSECRET-92eb5ffee6ae2fec3ad7"
CLIENTS = ["ChatCompletionsClient", "EmbeddingsClient", "ImageGenerationClient"]


def leaks(text: str) -> list[str]:
    """The secrets (or their Bearer forms) found in a text."""
    found = [s for s in (SECRET, WRONG, TOKEN) if s in text]
    # A distinctive middle part catches a secret that was cut or re-quoted.
    found += [part for part in ("7Qz9-SECRET", "5Hx2-WRONGKEY", "TOKENSECRET") if part in text]
    return found


@pytest.fixture(scope="module")
def secret_emu():
    with Emulator(key=SECRET) as emulator:
        yield emulator


@pytest.fixture(scope="module")
def tls(tmp_path_factory):
    """An https emulator with a throw-away CA; yields (emulator, path of the CA certificate)."""
    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    ca_file = tmp_path_factory.mktemp("tls") / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    with Emulator(ssl_context=context) as emulator:
        yield emulator, str(ca_file)


class Token:
    """The smallest token credential."""

    def __init__(self) -> None:
        self.scopes: list[tuple[str, ...]] = []

    def get_token(self, *scopes, **kwargs):
        self.scopes.append(scopes)
        return AccessToken(TOKEN, int(time.time()) + 3600)


class AsyncToken(Token):
    async def get_token(self, *scopes, **kwargs):  # type: ignore[override]
        self.scopes.append(scopes)
        return AccessToken(TOKEN, int(time.time()) + 3600)

    async def close(self):
        pass


def token_for(m):
    return AsyncToken() if m.is_async else Token()


# ----------------------------------------------------------------------------------------- logs


async def exercise(m, client, texts, **options):
    """A success, retried and failed calls, a stream to its end and a failed stream; collects every str/repr."""
    result = await m.call(client.create(messages=user(), **options))
    assert result.choices[0].message.content.endswith(PROMPT)
    retried = {**FAST_RETRY, **options}
    await m.call(client.create(messages=user(), headers=fault("status-then-ok;status=503;count=1"), **retried))
    error = await m.raises(
        Exception, lambda: client.create(messages=user(), headers=fault("plain-text"), retry_total=0, **options)
    )
    texts += [str(error), repr(error), repr(error.response), repr(error.response.request), str(error.error)]
    stream = await m.call(client.create_streaming(messages=user(), **options))
    texts += [repr(stream), str(stream), repr(stream.response)]
    updates, failure = await drain(m, stream)
    assert failure is None and updates
    stream = await m.call(client.create_streaming(messages=user(), headers=fault("error-event"), **options))
    updates, failure = await drain(m, stream)
    assert isinstance(failure, StreamingError)
    texts += [str(failure), repr(failure), repr(failure.response)]
    texts += [repr(client), str(client)]


@pytest.mark.parametrize("logging_enable", ["off", "client", "per-call"])
def test_the_key_never_reaches_logs_repr_or_str(secret_emu, mode, caplog, logging_enable):
    texts: list[str] = []

    async def body(m):
        kwargs = {"logging_enable": True} if logging_enable == "client" else {}
        client = m.api.ChatCompletionsClient(secret_emu.url, AzureKeyCredential(SECRET), **kwargs)
        options = {"logging_enable": True} if logging_enable == "per-call" else {}
        try:
            await exercise(m, client, texts, **options)
        finally:
            await m.call(client.close())
        # A wrong key: the 401 and its exception do not echo it either.
        wrong = m.api.ChatCompletionsClient(
            secret_emu.url, AzureKeyCredential(WRONG), logging_enable=logging_enable != "off"
        )
        try:
            error = await m.raises(Exception, lambda: wrong.create(messages=user()))
            assert error.status_code == 401
            texts.extend([str(error), repr(error), repr(wrong)])
            stream_error = await m.raises(Exception, lambda: wrong.create_streaming(messages=user()))
            texts.extend([str(stream_error), repr(stream_error)])
        finally:
            await m.call(wrong.close())

    with caplog.at_level(logging.DEBUG):
        mode.run(body)

    assert caplog.records, "nothing was logged: the test would prove nothing"
    # The calls really were logged: with logging_enable the request bodies, and always the redacted headers.
    if logging_enable != "off":
        assert PROMPT in caplog.text
        assert "***" in caplog.text  # the masked credential headers
    assert "REDACTED" in caplog.text
    assert not leaks(caplog.text)
    for record in caplog.records:
        assert not leaks(record.getMessage()), record.name
        assert not leaks(repr(record.args))
        assert not leaks(record.exc_text or "")
    for text in texts:
        assert not leaks(text), text


def test_a_token_never_reaches_logs_or_repr(tls, mode, caplog):
    emulator, ca_file = tls

    async def body(m):
        credential = token_for(m)
        client = m.api.ChatCompletionsClient(
            emulator.url, credential, logging_enable=True, connection_verify=ca_file
        )
        texts = [repr(client), str(client)]
        try:
            result = await m.call(client.create(messages=user()))
            assert result.choices[0].message.content.endswith(PROMPT)
            stream = await m.call(client.create_streaming(messages=user()))
            texts += [repr(stream), str(stream)]
            updates, failure = await drain(m, stream)
            assert failure is None and updates
            error = await m.raises(Exception, lambda: client.create(messages=user(), headers=fault("status-body")))
            texts += [str(error), repr(error)]
        finally:
            await m.call(client.close())
        assert emulator.requests[-1].headers["Authorization"] == "Bearer " + TOKEN
        assert credential.scopes and credential.scopes[0] == ("https://ml.azure.com/.default",)
        for text in texts:
            assert not leaks(text), text

    with caplog.at_level(logging.DEBUG):
        mode.run(body)
    assert PROMPT in caplog.text
    assert not leaks(caplog.text)
    for record in caplog.records:
        assert not leaks(record.getMessage())


# ----------------------------------------------------------------------------------------- https for tokens


@pytest.mark.parametrize("name", CLIENTS)
def test_a_token_credential_refuses_plain_http_at_construction(mode, name):
    credential = AsyncToken() if mode.is_async else Token()
    with pytest.raises(ValueError) as info:
        getattr(mode.api, name)("http://example.inference.ai.azure.com/", credential)
    assert "https" in str(info.value) and "loopback" in str(info.value)
    assert credential.scopes == []  # no token was even asked for
    # A loopback host is fine over http (local servers, emulators), and so is any host with enforce_https=False.
    getattr(mode.api, name)("http://127.0.0.1:1", credential)
    getattr(mode.api, name)("http://example.inference.ai.azure.com/", credential, enforce_https=False)
    assert credential.scopes == []


@pytest.mark.parametrize("endpoint", ["HTTP://example.inference.ai.azure.com", "Http://example.inference.ai.azure.com"])
def test_a_token_credential_refuses_plain_http_in_any_case(mode, endpoint):
    with pytest.raises(ValueError, match="https"):
        mode.api.ChatCompletionsClient(endpoint, token_for(mode))


def test_a_token_credential_is_accepted_with_https(mode):
    for name in CLIENTS:
        client = getattr(mode.api, name)("https://example.inference.ai.azure.com", token_for(mode))
        assert "example.inference.ai.azure.com" in repr(client)


# ----------------------------------------------------------------------------------------- endpoints


BAD_ENDPOINTS = [
    ("ftp://example.com", "scheme"),
    ("example.com", "no scheme"),
    ("https:example.com", "no //"),
    ("wss://example.com", "scheme"),
    ("https://", "no host"),
    ("https:///models", "no host"),
    ("http://:8080", "no host"),
    ("https://exa mple.com", "space"),
    ("https://example.com/my models", "space in path"),
    (" https://example.com", "leading space"),
    ("https://example.com\n", "newline"),
    ("https://example.com\r\nX-Injected: 1", "header injection"),
    ("https://exa\tmple.com", "tab"),
    ("https://example.com\x00", "NUL"),
    ("https://example.com\x7f", "DEL"),
    ("https://example.com?api-version=1", "query"),
]


@pytest.mark.parametrize("name", CLIENTS)
@pytest.mark.parametrize("endpoint,why", BAD_ENDPOINTS, ids=[why for _, why in BAD_ENDPOINTS])
def test_bad_endpoints_are_rejected_at_construction(mode, name, endpoint, why):
    with pytest.raises(ValueError) as info:
        getattr(mode.api, name)(endpoint, AzureKeyCredential(SECRET))
    assert "endpoint" in str(info.value)
    assert not leaks(str(info.value))


@pytest.mark.parametrize(
    "endpoint",
    ["https://example.com\x85", "https://exa\u00a0mple.com", "https://example.com/\u2028", "https://exa\u3000mple.com"],
    ids=["C1-NEL", "no-break-space", "line-separator", "ideographic-space"],
)
def test_unicode_spaces_and_c1_controls_are_rejected(mode, endpoint):
    with pytest.raises(ValueError, match="endpoint"):
        mode.api.ChatCompletionsClient(endpoint, AzureKeyCredential(SECRET))


def test_an_endpoint_with_credentials_is_rejected_without_echoing_them(mode):
    with pytest.raises(ValueError) as info:
        mode.api.ChatCompletionsClient("https://user:p4ssw0rd-SECRET@example.com", AzureKeyCredential(SECRET))
    assert "p4ssw0rd-SECRET" not in str(info.value)


def test_a_credential_of_the_wrong_type_is_rejected_without_echoing_it(mode):
    with pytest.raises(TypeError) as info:
        mode.api.ChatCompletionsClient("https://example.com", SECRET)
    assert "credential" in str(info.value)
    assert not leaks(str(info.value))


def test_a_rotated_key_is_sent_and_the_old_one_is_gone(secret_emu, mode):
    async def body(m):
        credential = AzureKeyCredential(WRONG)
        client = m.api.ChatCompletionsClient(secret_emu.url, credential)
        try:
            await m.raises(Exception, lambda: client.create(messages=user()))
            credential.update(SECRET)
            stream = await m.call(client.create_streaming(messages=user()))
            await first_update(m, stream)
            await m.call(stream.close())
        finally:
            await m.call(client.close())
        headers = secret_emu.requests[-1].headers
        assert headers["Authorization"] == "Bearer " + SECRET and headers["api-key"] == SECRET
        assert WRONG not in str(dict(headers))

    mode.run(body)
