# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""
DESCRIPTION:
    Ask about a local image: `ImageUrl.load` turns the file into a data URL that travels in the user message
    next to the question. The model must accept images.

USAGE:
    python samples/sample_chat_completions_with_image.py

    AZURE_AI_CHAT_ENDPOINT, AZURE_AI_CHAT_KEY: your endpoint and key; without them the sample runs on the
    local emulator. The image is samples/sample_image.png, a small blue square.
"""

from __future__ import annotations

from _endpoint import SAMPLES_DIR, endpoint_and_key


def main() -> None:
    endpoint, key = endpoint_and_key("CHAT")
    image_file = str(SAMPLES_DIR / "sample_image.png")

    # [START chat_completions_with_image]
    from azure.ai.inference import ChatCompletionsClient
    from azure.ai.inference.models import ImageContentItem, ImageUrl, SystemMessage, TextContentItem, UserMessage
    from azure.core.credentials import AzureKeyCredential

    with ChatCompletionsClient(endpoint=endpoint, credential=AzureKeyCredential(key)) as client:
        response = client.create(
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
    main()
