# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""
DESCRIPTION:
    The async twin of sample_embeddings_base64.py: embeddings in base64 on the wire, decoded by the client
    into lists of floats.

USAGE:
    python samples/async_samples/sample_embeddings_base64_async.py

    AZURE_AI_EMBEDDINGS_ENDPOINT, AZURE_AI_EMBEDDINGS_KEY: your endpoint and key; without them the sample runs
    on the local emulator. The model must support `dimensions` and base64.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # makes samples/_endpoint.py importable
from _endpoint import endpoint_and_key  # noqa: E402  # pylint: disable=wrong-import-position


async def main() -> None:
    endpoint, key = endpoint_and_key("EMBEDDINGS")

    # [START embeddings_base64]
    from azure.ai.inference.aio import EmbeddingsClient
    from azure.core.credentials import AzureKeyCredential

    async with EmbeddingsClient(endpoint=endpoint, credential=AzureKeyCredential(key)) as client:
        response = await client.create(
            input=["first phrase", "second phrase"],
            encoding_format="base64",
            dimensions=8,
        )
        for item in response.data:
            print(f"data[{item.index}]: {item.embedding}")  # little-endian float32 values, decoded
            print(f"  as sent: {item['embedding_base64']}")
    # [END embeddings_base64]


if __name__ == "__main__":
    asyncio.run(main())
