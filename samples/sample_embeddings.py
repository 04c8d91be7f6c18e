# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""
DESCRIPTION:
    Turn sentences into embedding vectors with an EmbeddingsClient.

USAGE:
    python samples/sample_embeddings.py

    AZURE_AI_EMBEDDINGS_ENDPOINT  your embeddings endpoint
    AZURE_AI_EMBEDDINGS_KEY       its key
    Without them the sample runs on the local emulator.
"""

from __future__ import annotations

from _endpoint import endpoint_and_key


def main() -> None:
    endpoint, key = endpoint_and_key("EMBEDDINGS")

    # [START embeddings]
    from azure.ai.inference import EmbeddingsClient
    from azure.core.credentials import AzureKeyCredential

    with EmbeddingsClient(endpoint=endpoint, credential=AzureKeyCredential(key)) as client:
        response = client.create(input=["first phrase", "second phrase", "third phrase"])
        for item in response.data:
            vector = item.embedding
            print(f"data[{item.index}]: {len(vector)} numbers, starting {vector[:3]}")
        print(f"Model: {response.model}; tokens used: {response.usage.total_tokens}")
    # [END embeddings]


if __name__ == "__main__":
    main()
