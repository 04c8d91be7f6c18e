# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""
DESCRIPTION:
    Generate an image from a prompt and save it as a PNG file in samples/output/.

USAGE:
    python samples/sample_image_generation.py

    AZURE_AI_IMAGE_GENERATION_ENDPOINT  your image generation endpoint (api-version 2024-04-01-preview)
    AZURE_AI_IMAGE_GENERATION_KEY       its key
    Without them the sample runs on the local emulator.
"""

from __future__ import annotations

from _endpoint import endpoint_and_key, output_dir


def main() -> None:
    endpoint, key = endpoint_and_key("IMAGE_GENERATION")
    image_path = output_dir() / "generated_image.png"

    # [START image_generation]
    from azure.ai.inference import ImageGenerationClient
    from azure.core.credentials import AzureKeyCredential

    with ImageGenerationClient(endpoint=endpoint, credential=AzureKeyCredential(key)) as client:
        response = client.create(
            prompt="A lighthouse on a cliff at sunset, watercolour",
            size="1024x768",  # or a (width, height) tuple
            response_format="b64_json",
            seed=7,
        )
        image = response.data[0].b64_json  # the image's bytes, already decoded from base64
        if image is None:
            raise RuntimeError("The service sent no image data")
        with open(image_path, "wb") as f:
            f.write(image)
        print(f"Saved a {len(image)} byte image to {image_path}")
    # [END image_generation]


if __name__ == "__main__":
    main()
