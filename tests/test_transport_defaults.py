"""The default transports read the environment once, at construction."""

from __future__ import annotations

import pytest

from azure.ai.inference._pipeline import default_async_transport


@pytest.mark.parametrize("variable", ["HTTPS_PROXY", "http_proxy", "ALL_PROXY"])
def test_async_transport_trusts_the_environment_when_it_sets_a_proxy(monkeypatch, tmp_path, variable):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv(variable, "http://127.0.0.1:9")
    assert default_async_transport()._use_env_settings is True


def test_async_transport_trusts_the_environment_when_a_netrc_exists(monkeypatch, tmp_path):
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    netrc = tmp_path / "netrc"
    netrc.write_text("machine example.com login a password b\n")
    monkeypatch.setenv("NETRC", str(netrc))
    assert default_async_transport()._use_env_settings is True


def test_async_transport_skips_per_request_lookups_otherwise(monkeypatch, tmp_path):
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy", "NETRC"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_async_transport()._use_env_settings is False
    assert default_async_transport(use_env_settings=True)._use_env_settings is True


def test_sync_clients_default_to_the_http_client_transport_and_keep_requests_selectable(emu):
    from azure.core.credentials import AzureKeyCredential
    from azure.core.pipeline.transport import RequestsTransport

    from azure.ai.inference import ChatCompletionsClient
    from azure.ai.inference._pipeline import default_transport
    from azure.ai.inference._transport.http_client import HttpClientTransport
    from azure.ai.inference.models import UserMessage
    from inference_emulator import DEFAULT_KEY

    assert isinstance(default_transport(), HttpClientTransport)
    with ChatCompletionsClient(emu.url, AzureKeyCredential(DEFAULT_KEY), transport=RequestsTransport()) as client:
        result = client.create(messages=[UserMessage("through requests")])
        stream = client.create_streaming(messages=[UserMessage("through requests")])
        text = "".join(update.choices[0].delta.content for update in stream)
    assert result.choices[0].message.content == text == "Emulated reply to: through requests"
    assert "python-requests" not in emu.requests[-1].headers.get("User-Agent", "")


def test_the_default_sync_and_async_transports_do_not_import_urllib3(emu):
    """urllib3 is an optional extra (`[urllib3]`): constructing clients and calling them never imports it."""
    import subprocess
    import sys

    from inference_emulator import DEFAULT_KEY

    script = f"""
import asyncio, sys
from azure.core.credentials import AzureKeyCredential
from azure.ai.inference import ChatCompletionsClient
from azure.ai.inference.aio import ChatCompletionsClient as AsyncChatCompletionsClient
with ChatCompletionsClient({emu.url!r}, AzureKeyCredential({DEFAULT_KEY!r})) as client:
    assert client.create(messages=[{{"role": "user", "content": "hi"}}]).choices
async def main():
    async with AsyncChatCompletionsClient({emu.url!r}, AzureKeyCredential({DEFAULT_KEY!r})) as client:
        assert (await client.create(messages=[{{"role": "user", "content": "hi"}}])).choices
asyncio.run(main())
print(sorted(name for name in sys.modules if name.split(".")[0] == "urllib3"))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip() == "[]", done.stdout + done.stderr
