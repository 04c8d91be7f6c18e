# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""
DESCRIPTION:
    Ask for embeddings in base64, a smaller answer on the wire. The client decodes them: `embedding` is a list
    of floats either way, and the base64 text stays available.

USAGE:
    python samples/sample_embeddings_base64.py

    AZURE_AI_EMBEDDINGS_ENDPOINT, AZURE_AI_EMBEDDINGS_KEY: your endpoint and key; without them the sample runs
    on the local emulator. The model must support `dimensions` and base64.
"""

from __future__ import annotations

from _endpoint import endpoint_and_key


def main() -> None:
    endpoint, key = endpoint_and_key("EMBEDDINGS")

    # [START embeddings_base64]
    from azure.ai.inference import EmbeddingsClient
    from azure.core.credentials import AzureKeyCredential

    with EmbeddingsClient(endpoint=endpoint, credential=AzureKeyCredential(key)) as client:
        response = client.create(
            input=["first phrase", "second phrase"],
            encoding_format="base64",
            dimensions=8,
        )
        for item in response.data:
            print(f"data[{item.index}]: {item.embedding}")  # little-endian float32 values, decoded
            print(f"  as sent: {item['embedding_base64']}")
    # [END embeddings_base64]


if __name__ == "__main__":
    main()
