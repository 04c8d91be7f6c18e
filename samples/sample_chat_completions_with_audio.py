# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""
DESCRIPTION:
    A user message with text and audio (api-version 2024-05-01-preview and later, on models that hear):
    `InputAudio.load` reads a local WAV or MP3 file as base64, sent in an `AudioContentItem`.

USAGE:
    python samples/sample_chat_completions_with_audio.py

    AZURE_AI_CHAT_ENDPOINT, AZURE_AI_CHAT_KEY: your endpoint and key; without them the sample runs on the
    local emulator.
"""

from __future__ import annotations

from _endpoint import SAMPLES_DIR, endpoint_and_key


def main() -> None:
    endpoint, key = endpoint_and_key("CHAT")
    audio_file = str(SAMPLES_DIR / "sample_audio.wav")

    # [START chat_with_audio]
    from azure.ai.inference import ChatCompletionsClient
    from azure.ai.inference.models import (
        AudioContentFormat,
        AudioContentItem,
        InputAudio,
        TextContentItem,
        UserMessage,
    )
    from azure.core.credentials import AzureKeyCredential

    with ChatCompletionsClient(
        endpoint=endpoint, credential=AzureKeyCredential(key), api_version="2024-05-01-preview"
    ) as client:
        audio = InputAudio.load(audio_file=audio_file, audio_format=AudioContentFormat.WAV)
        message = UserMessage([TextContentItem(text="What do you hear?"), AudioContentItem(input_audio=audio)])
        response = client.create(messages=[message])
        print(response.choices[0].message.content)
    # [END chat_with_audio]


if __name__ == "__main__":
    main()
