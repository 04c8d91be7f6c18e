# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""
DESCRIPTION:
    The async twin of sample_chat_completions_with_image.py: ask about a local image, loaded into a data URL
    with `ImageUrl.load`. The model must accept images.

USAGE:
    python samples/async_samples/sample_chat_completions_with_image_async.py

    AZURE_AI_CHAT_ENDPOINT, AZURE_AI_CHAT_KEY: your endpoint and key; without them the sample runs on the
    local emulator. The image is samples/sample_image.png, a small blue square.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # makes samples/_endpoint.py importable
from _endpoint import SAMPLES_DIR, endpoint_and_key  # noqa: E402  # pylint: disable=wrong-import-position


async def main() -> None:
    endpoint, key = endpoint_and_key("CHAT")
    image_file = str(SAMPLES_DIR / "sample_image.png")

    # [START chat_completions_with_image]
    from azure.ai.inference.aio import ChatCompletionsClient
    from azure.ai.inference.models import ImageContentItem, ImageUrl, SystemMessage, TextContentItem, UserMessage
    from azure.core.credentials import AzureKeyCredential

    async with ChatCompletionsClient(endpoint=endpoint, credential=AzureKeyCredential(key)) as client:
        response = await client.create(
            messages=[
                SystemMessage("You describe images in one short sentence."),
                UserMessage(
                    [
                        TextContentItem(text="What colour is this image?"),
                        ImageContentItem(
                            image_url=ImageUrl.load(image_file=image_file, image_format="png", detail="low")
                        ),
                    ]
                ),
            ]
        )
        print(response.choices[0].message.content)
    # [END chat_completions_with_image]


if __name__ == "__main__":
    asyncio.run(main())
