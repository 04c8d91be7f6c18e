# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""
DESCRIPTION:
    The async twin of sample_openai_compatible_server.py: an OpenAI-compatible server (llama.cpp, vLLM, ...)
    serving `/v1/...`, with `api_version=None` so that no api-version query parameter is sent.

USAGE:
    python samples/async_samples/sample_openai_compatible_server_async.py

    OPENAI_COMPATIBLE_ENDPOINT  the server's base URL, e.g. http://127.0.0.1:8080
    OPENAI_COMPATIBLE_KEY       its key (any text when the server takes none)
    Without the endpoint the sample runs on the local emulator.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # makes samples/_endpoint.py importable
from _endpoint import endpoint_and_key  # noqa: E402  # pylint: disable=wrong-import-position


async def main() -> None:
    endpoint, key = endpoint_and_key("OPENAI_COMPATIBLE")

    # [START openai_compatible_server]
    from azure.ai.inference.aio import ChatCompletionsClient, EmbeddingsClient
    from azure.ai.inference.models import UserMessage
    from azure.core.credentials import AzureKeyCredential

    # endpoint: http://127.0.0.1:8080; requests go to /v1/chat/completions and /v1/embeddings, without api-version
    async with ChatCompletionsClient(endpoint, AzureKeyCredential(key), api_version=None) as client:
        response = await client.create(messages=[UserMessage("Name a prime number.")], max_tokens=20)
        print(f"chat: {response.choices[0].message.content}")

    async with EmbeddingsClient(endpoint, AzureKeyCredential(key), api_version=None) as embeddings:
        result = await embeddings.create(input="a single text")
        print(f"embeddings: {len(result.data[0].embedding)} dimensions")
    # [END openai_compatible_server]


if __name__ == "__main__":
    asyncio.run(main())
