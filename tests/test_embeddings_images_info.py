"""EmbeddingsClient, ImageGenerationClient and get_model_info on all three clients, sync and async."""
from __future__ import annotations

import base64
import json
import math
import struct
import zlib

import pytest
from azure.core.exceptions import ResourceNotFoundError

from azure.ai.inference.models import EmbeddingsResult, ImageGenerations, ModelInfo

pytestmark = pytest.mark.timeout(60)


def test_embeddings_wire_request_and_result(emu, mode):
    async def body(m):
        async with m.client("EmbeddingsClient", emu.url, dimensions=16) as client:
            result = await m.call(client.create(input=["first text", "second"], input_type="query"))
        assert isinstance(result, EmbeddingsResult)
        sent = emu.requests[-1]
        assert (sent.method, sent.path, sent.query["api-version"]) == ("POST", "/v1/embeddings", "2024-04-01-preview")
        assert json.loads(sent.body) == {"input": ["first text", "second"], "dimensions": 16, "input_type": "query"}
        assert [item.index for item in result.data] == [0, 1]
        vector = result.data[0].embedding
        assert isinstance(vector, list) and len(vector) == 16
        assert math.isclose(math.fsum(v * v for v in vector), 1.0, rel_tol=1e-6)
        assert result.usage.prompt_tokens == 3 and result.model

    mode.run(body)


def test_base64_embeddings_are_decoded_to_floats(emu, mode):
    async def body(m):
        async with m.client("EmbeddingsClient", emu.url) as client:
            floats = await m.call(client.create(input=["same text"], dimensions=32))
            packed = await m.call(client.create(input=["same text"], dimensions=32, encoding_format="base64"))
        assert json.loads(emu.requests[-1].body)["encoding_format"] == "base64"
        decoded = packed.data[0].embedding
        assert isinstance(decoded, list) and all(isinstance(v, float) for v in decoded)
        # float32 on the wire: equal to the float answer to float32 precision.
        assert decoded == pytest.approx(floats.data[0].embedding, rel=1e-6, abs=1e-7)
        raw = packed.data[0]["embedding_base64"]
        assert list(struct.unpack("<32f", base64.b64decode(raw))) == decoded

    mode.run(body)


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR"
    chunk = data[12 : 16 + length]
    assert struct.unpack(">I", data[16 + length : 20 + length])[0] == zlib.crc32(chunk)
    return struct.unpack(">II", data[16:24])


def test_image_generation_b64_json_is_bytes(emu, mode):
    async def body(m):
        async with m.client("ImageGenerationClient", emu.url) as client:
            result = await m.call(client.create(prompt="a lighthouse", size=(40, 30), response_format="b64_json", seed=3))
        assert isinstance(result, ImageGenerations)
        sent = emu.requests[-1]
        assert (sent.method, sent.path) == ("POST", "/images/generations")
        assert json.loads(sent.body) == {"prompt": "a lighthouse", "size": "40x30", "response_format": "b64_json", "seed": 3}
        image = result.data[0].b64_json
        assert isinstance(image, bytes)
        assert _png_size(image) == (40, 30)

    mode.run(body)


def test_image_generation_url(emu, mode):
    async def body(m):
        async with m.client("ImageGenerationClient", emu.url, quality="hd") as client:
            result = await m.call(client.create(prompt="a lighthouse", size="24x12"))
        assert json.loads(emu.requests[-1].body)["quality"] == "hd"
        url = result.data[0].url
        assert url.startswith(emu.url)

    mode.run(body)


@pytest.mark.parametrize("size", ["1024", "1024x", "x768", "10 x 10", "0x10", "-1x5", (0, 5), (1.5, 2), 1024, "axb"])
def test_malformed_sizes_fail_before_the_network(emu, mode, size):
    async def body(m):
        async with m.client("ImageGenerationClient", emu.url) as client:
            error = await m.raises(ValueError, lambda: client.create(prompt="x", size=size))
        assert "size" in str(error)
        assert emu.requests == []

    mode.run(body)


@pytest.mark.parametrize("name", ["ChatCompletionsClient", "EmbeddingsClient", "ImageGenerationClient"])
def test_model_info_is_read_once_and_cached(emu, mode, name):
    async def body(m):
        async with m.client(name, emu.url) as client:
            first = await m.call(client.get_model_info())
            second = await m.call(client.get_model_info())
        assert isinstance(first, ModelInfo) and first is second
        assert first.model_name and first.model_provider and first.model_type
        info_requests = [r for r in emu.requests if r.path == "/info"]
        assert len(info_requests) == 1 and info_requests[0].method == "GET"

    mode.run(body)


def test_model_info_404_explains_the_missing_route(emu, mode):
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url + "/fault/detail-body") as client:
            error = await m.raises(ResourceNotFoundError, lambda: client.get_model_info())
        assert error.status_code == 404
        assert "does not serve /info" in str(error)

    mode.run(body)
