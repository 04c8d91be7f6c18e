"""Token credentials over TLS (the emulator serving HTTPS with a test CA), and load_client."""

from __future__ import annotations

import ssl
import time
from typing import Any, Iterator

import pytest
import trustme
from azure.core.credentials import AccessToken, AzureKeyCredential
from azure.core.exceptions import ResourceNotFoundError

from azure.ai.inference import load_client
from azure.ai.inference.aio import load_client as load_client_async
from azure.ai.inference.models import UserMessage
from inference_emulator import DEFAULT_KEY, Emulator

pytestmark = pytest.mark.timeout(60)

TOKEN = "emulator-token-7f3a"


class RecordingCredential:
    """A token credential that records the scopes it was asked for (sync and async shapes)."""

    def __init__(self, is_async: bool) -> None:
        self.scopes: list[tuple[str, ...]] = []
        self.is_async = is_async

    def _token(self, scopes: tuple[str, ...]) -> AccessToken:
        self.scopes.append(scopes)
        return AccessToken(TOKEN, int(time.time()) + 3600)

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        if self.is_async:

            async def token() -> AccessToken:
                return self._token(scopes)

            return token()
        return self._token(scopes)

    async def close(self) -> None:
        pass

    async def __aenter__(self) -> "RecordingCredential":
        return self

    async def __aexit__(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def tls_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Emulator, str]]:
    ca = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_context)
    ca_file = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    with Emulator(ssl_context=server_context) as emu:
        yield emu, str(ca_file)


@pytest.mark.parametrize("scopes", [None, ["https://example.test/.default"]])
def test_token_credential_over_tls(tls_emulator, mode, scopes):
    emu, ca_file = tls_emulator
    emu.clear()
    assert emu.url.startswith("https://")

    async def body(m):
        credential = RecordingCredential(m.is_async)
        kwargs: dict[str, Any] = {"connection_verify": ca_file}
        if scopes:
            kwargs["credential_scopes"] = scopes
        client = m.api.ChatCompletionsClient(emu.url, credential, **kwargs)
        try:
            result = await m.call(client.create(messages=[UserMessage("over tls")]))
            stream = await m.call(client.create_streaming(messages=[UserMessage("over tls")]))
            updates = await m.collect(stream)
        finally:
            await m.call(client.close())
        assert result.choices[0].message.content == "Emulated reply to: over tls"
        assert "".join(u.choices[0].delta.content for u in updates) == result.choices[0].message.content
        sent = emu.requests[-1]
        assert sent.headers["Authorization"] == f"Bearer {TOKEN}"
        assert "api-key" not in sent.headers
        assert credential.scopes[0] == tuple(scopes or ["https://ml.azure.com/.default"])

    mode.run(body)


def test_untrusted_certificate_is_refused(tls_emulator, mode):
    emu, _ = tls_emulator

    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url, retry_total=0) as client:
            error = await m.raises(Exception, lambda: client.create(messages=[UserMessage("x")]))
        assert "certificate" in str(error).lower() or "ssl" in str(error).lower()

    mode.run(body)


def test_token_credential_refuses_plain_http_to_a_remote_host(mode):
    with pytest.raises(ValueError, match="https"):
        mode.api.ChatCompletionsClient("http://inference.example.com", RecordingCredential(mode.is_async))


@pytest.mark.parametrize(
    "model_type,client_name",
    [
        ("chat", "ChatCompletionsClient"),
        ("embeddings", "EmbeddingsClient"),
        ("image_generation", "ImageGenerationClient"),
    ],
)
def test_load_client_picks_the_client_and_caches_info(mode, model_type, client_name):
    with Emulator(model_type=model_type) as emu:

        async def body(m):
            loader = load_client_async if m.is_async else load_client
            client = await m.call(loader(emu.url, AzureKeyCredential(DEFAULT_KEY), api_version="2024-04-01-preview"))
            try:
                assert type(client).__name__ == client_name
                assert type(client).__module__.startswith(
                    "azure.ai.inference.aio._" if m.is_async else "azure.ai.inference._"
                )
                info = await m.call(client.get_model_info())
            finally:
                await m.call(client.close())
            assert info.model_type == model_type
            assert [r.path for r in emu.requests] == ["/info"]  # read once, by load_client

        mode.run(body)


def test_load_client_passes_defaults_to_the_chosen_client(emu, mode):
    async def body(m):
        loader = load_client_async if m.is_async else load_client
        client = await m.call(loader(emu.url, AzureKeyCredential(DEFAULT_KEY), temperature=0.3))
        try:
            await m.call(client.create(messages=[UserMessage("hi")]))
        finally:
            await m.call(client.close())
        assert b'"temperature":0.3' in emu.requests[-1].body

    mode.run(body)


def test_load_client_without_info_route(emu, mode):
    async def body(m):
        loader = load_client_async if m.is_async else load_client
        error = await m.raises(
            ResourceNotFoundError,
            lambda: loader(
                emu.url + "/openai/deployments/x", AzureKeyCredential(DEFAULT_KEY), api_version="2024-10-21"
            ),
        )
        assert "load_client needs the endpoint's /info route" in str(error)

    mode.run(body)


def test_load_client_unknown_model_type():
    from azure.ai.inference._load_client import pick_client
    from azure.ai.inference.models import ModelInfo

    info = ModelInfo({"model_name": "m", "model_type": "audio_generation", "model_provider": "p"})
    with pytest.raises(ValueError, match="audio_generation"):
        pick_client(info, int, float, str, bytes)


def test_enforce_https_false_allows_a_local_http_server(emu, mode):
    async def body(m):
        credential = RecordingCredential(m.is_async)
        client = m.api.ChatCompletionsClient(emu.url, credential, enforce_https=False)
        try:
            result = await m.call(client.create(messages=[UserMessage("local")]))
        finally:
            await m.call(client.close())
        assert result.choices[0].message.content == "Emulated reply to: local"
        assert emu.requests[-1].headers["Authorization"] == f"Bearer {TOKEN}"

    mode.run(body)
