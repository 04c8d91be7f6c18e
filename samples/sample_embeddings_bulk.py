# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""
DESCRIPTION:
    Embed a large number of texts with EmbeddingsClient.create_many: batches sent a few at a time, throttling
    handled, one vector per text in input order, and memory that does not grow with the input.

USAGE:
    python samples/sample_embeddings_bulk.py

    AZURE_AI_EMBEDDINGS_ENDPOINT  your embeddings endpoint
    AZURE_AI_EMBEDDINGS_KEY       its key
    Without them the sample runs on the local emulator.
"""

from __future__ import annotations

from _endpoint import endpoint_and_key


def main() -> None:
    endpoint, key = endpoint_and_key("EMBEDDINGS")

    # [START embeddings_bulk]
    from collections.abc import Iterator

    from azure.ai.inference import BulkProgress, EmbeddingsClient
    from azure.core.credentials import AzureKeyCredential

    def corpus() -> Iterator[str]:  # any iterable works: a list, a generator, an open file
        for n in range(1000):
            yield f"document number {n}"

    def report(progress: BulkProgress) -> None:
        if progress.batches % 5 == 0:
            print(f"{progress.texts} texts embedded in {progress.batches} batches")

    with EmbeddingsClient(endpoint=endpoint, credential=AzureKeyCredential(key)) as client:
        vectors: dict[int, list[float]] = {}
        for item in client.create_many(corpus(), batch_size=50, concurrency=4, on_progress=report):
            vectors[item.index] = item.embedding  # items come in input order: item.index counts from 0
        print(f"{len(vectors)} vectors of {len(vectors[0])} numbers")
    # [END embeddings_bulk]


if __name__ == "__main__":
    main()
