# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""
DESCRIPTION:
    The async twin of sample_image_generation.py: generate an image from a prompt and save it as a PNG file
    in samples/output/.

USAGE:
    python samples/async_samples/sample_image_generation_async.py

    AZURE_AI_IMAGE_GENERATION_ENDPOINT, AZURE_AI_IMAGE_GENERATION_KEY: your endpoint and key; without them the
    sample runs on the local emulator.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # makes samples/_endpoint.py importable
from _endpoint import endpoint_and_key, output_dir  # noqa: E402  # pylint: disable=wrong-import-position


async def main() -> None:
    endpoint, key = endpoint_and_key("IMAGE_GENERATION")
    image_path = output_dir() / "generated_image_async.png"

    # [START image_generation]
    from azure.ai.inference.aio import ImageGenerationClient
    from azure.core.credentials import AzureKeyCredential

    async with ImageGenerationClient(endpoint=endpoint, credential=AzureKeyCredential(key)) as client:
        response = await client.create(
            prompt="A lighthouse on a cliff at sunset, watercolour",
            size=(1024, 768),  # or "1024x768"
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
    asyncio.run(main())
