"""The generated layer on its own: each internal operation, sync and async, over loopback to the emulator."""

from __future__ import annotations

import asyncio
import base64
import datetime
import json

import pytest
from azure.core.credentials import AzureKeyCredential
from azure.core.exceptions import HttpResponseError

from azure.ai.inference._client import ChatCompletionsClient, EmbeddingsClient, ImageGenerationClient
from azure.ai.inference.aio._client import ChatCompletionsClient as AsyncChat
from azure.ai.inference.aio._client import EmbeddingsClient as AsyncEmbeddings
from azure.ai.inference.aio._client import ImageGenerationClient as AsyncImages
from inference_emulator import DEFAULT_KEY

pytestmark = pytest.mark.timeout(60)

CHAT_BODY = {"messages": [{"role": "user", "content": "hello generated"}], "max_tokens": 20}
EMBED_BODY = {"input": ["one", "two"], "dimensions": 8}
IMAGE_BODY = {"prompt": "a red square", "size": "8x4", "response_format": "b64_json"}

CASES = [
    ("chat", ChatCompletionsClient, AsyncChat, CHAT_BODY, "/v1/chat/completions"),
    ("embeddings", EmbeddingsClient, AsyncEmbeddings, EMBED_BODY, "/v1/embeddings"),
    ("images", ImageGenerationClient, AsyncImages, IMAGE_BODY, "/images/generations"),
]


def _call(is_async, client_types, url, method, *args, **kwargs):
    sync_type, async_type = client_types
    if not is_async:
        with sync_type(url, AzureKeyCredential(DEFAULT_KEY)) as client:
            return getattr(client, method)(*args, **kwargs)

    async def run():
        async with async_type(url, AzureKeyCredential(DEFAULT_KEY)) as client:
            return await getattr(client, method)(*args, **kwargs)

    return asyncio.run(run())


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("name,sync_type,async_type,body,route", CASES, ids=[c[0] for c in CASES])
def test_create_operation_on_the_wire(emu, is_async, name, sync_type, async_type, body, route):
    result = _call(is_async, (sync_type, async_type), emu.url, "_create", body, model_deployment="blue")

    sent = emu.requests[-1]
    assert sent.method == "POST"
    assert sent.path == route
    assert sent.query["api-version"] == "2024-04-01-preview"
    assert sent.headers["api-key"] == DEFAULT_KEY
    assert sent.headers["azureml-model-deployment"] == "blue"
    assert sent.headers["Content-Type"].startswith("application/json")
    assert json.loads(sent.body) == body

    if name == "chat":
        assert result.choices[0].message.content.startswith("Emulated reply to: hello generated")
        assert isinstance(result.created, datetime.datetime)
        assert result.usage.total_tokens == result.usage.prompt_tokens + result.usage.completion_tokens
    elif name == "embeddings":
        assert [item.index for item in result.data] == [0, 1]
        assert len(result.data[0].embedding) == 8
    else:
        png = result.data[0].b64_json
        assert isinstance(png, bytes)
        assert png.startswith(b"\x89PNG\r\n\x1a\n")
        assert isinstance(result.created, datetime.datetime)


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
def test_get_model_info_operation(emu, is_async):
    info = _call(is_async, (ChatCompletionsClient, AsyncChat), emu.url, "_get_model_info")
    sent = emu.requests[-1]
    assert (sent.method, sent.path, sent.query["api-version"]) == ("GET", "/info", "2024-04-01-preview")
    assert info.model_type == "chat"
    assert info.model_name


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
def test_error_status_raises_http_response_error(emu, is_async):
    with pytest.raises(HttpResponseError) as info:
        _call(is_async, (ChatCompletionsClient, AsyncChat), emu.url, "_create", {"messages": []})
    assert info.value.status_code == 400
    assert info.value.error is not None and info.value.error.code


def test_image_bytes_round_trip_through_the_model(emu):
    result = _call(False, (ImageGenerationClient, AsyncImages), emu.url, "_create", IMAGE_BODY)
    raw = result.as_dict()["data"][0]["b64_json"]
    assert base64.b64decode(raw) == result.data[0].b64_json
