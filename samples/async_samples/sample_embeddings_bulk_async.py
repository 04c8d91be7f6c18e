# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""
DESCRIPTION:
    The async twin of sample_embeddings_bulk.py: embed a large number of texts with create_many, several
    batches in flight at once, one vector per text in input order.

USAGE:
    python samples/async_samples/sample_embeddings_bulk_async.py

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

    # [START embeddings_bulk]
    from collections.abc import AsyncIterator

    from azure.ai.inference.aio import EmbeddingsClient
    from azure.core.credentials import AzureKeyCredential

    async def corpus() -> AsyncIterator[str]:  # a sync iterable works too
        for n in range(1000):
            yield f"document number {n}"

    async with EmbeddingsClient(endpoint=endpoint, credential=AzureKeyCredential(key)) as client:
        count, size = 0, 0
        async for item in client.create_many(corpus(), batch_size=50, concurrency=16):
            assert item.index == count  # items come in input order
            count, size = count + 1, len(item.embedding)
        print(f"{count} vectors of {size} numbers")
    # [END embeddings_bulk]


if __name__ == "__main__":
    asyncio.run(main())
