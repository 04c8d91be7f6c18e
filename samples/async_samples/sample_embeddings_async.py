# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""
DESCRIPTION:
    The async twin of sample_embeddings.py: turn sentences into embedding vectors.

USAGE:
    python samples/async_samples/sample_embeddings_async.py

    AZURE_AI_EMBEDDINGS_ENDPOINT, AZURE_AI_EMBEDDINGS_KEY: your endpoint and key; without them the sample runs
    on the local emulator.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # makes samples/_endpoint.py importable
from _endpoint import endpoint_and_key  # noqa: E402  # pylint: disable=wrong-import-position


async def main() -> None:
    endpoint, key = endpoint_and_key("EMBEDDINGS")

    # [START embeddings]
    from azure.ai.inference.aio import EmbeddingsClient
    from azure.core.credentials import AzureKeyCredential

    async with EmbeddingsClient(endpoint=endpoint, credential=AzureKeyCredential(key)) as client:
        response = await client.create(input=["first phrase", "second phrase", "third phrase"])
        for item in response.data:
            vector = item.embedding
            print(f"data[{item.index}]: {len(vector)} numbers, starting {vector[:3]}")
        print(f"Model: {response.model}; tokens used: {response.usage.total_tokens}")
    # [END embeddings]


if __name__ == "__main__":
    asyncio.run(main())
