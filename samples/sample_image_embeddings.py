# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""
DESCRIPTION:
    Embed an image, with text that describes it, with an `ImageEmbeddingsClient` (`/images/embeddings`,
    api-version 2024-05-01-preview and later). `ImageEmbeddingInput.load` reads a local image into a data URL.

USAGE:
    python samples/sample_image_embeddings.py

    AZURE_AI_IMAGE_EMBEDDINGS_ENDPOINT, AZURE_AI_IMAGE_EMBEDDINGS_KEY: your endpoint and key; without them the
    sample runs on the local emulator.
"""

from __future__ import annotations

from _endpoint import SAMPLES_DIR, endpoint_and_key


def main() -> None:
    endpoint, key = endpoint_and_key("IMAGE_EMBEDDINGS")
    image_file = str(SAMPLES_DIR / "sample_image.png")

    # [START image_embeddings]
    from azure.ai.inference import ImageEmbeddingsClient
    from azure.ai.inference.models import ImageEmbeddingInput
    from azure.core.credentials import AzureKeyCredential

    with ImageEmbeddingsClient(endpoint=endpoint, credential=AzureKeyCredential(key)) as client:
        image = ImageEmbeddingInput.load(image_file=image_file, image_format="png", text="a sample image")
        result = client.embed(input=[image])
        for item in result.data:
            print(f"image {item.index}: {len(item.embedding)} dimensions, starting {item.embedding[:3]}")
    # [END image_embeddings]


if __name__ == "__main__":
    main()
