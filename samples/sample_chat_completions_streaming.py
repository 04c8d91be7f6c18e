# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""
DESCRIPTION:
    Stream a chat completion: print each piece of the answer as it arrives.

USAGE:
    python samples/sample_chat_completions_streaming.py

    AZURE_AI_CHAT_ENDPOINT, AZURE_AI_CHAT_KEY: your endpoint and key; without them the sample runs on the
    local emulator.
"""

from __future__ import annotations

from _endpoint import endpoint_and_key


def main() -> None:
    endpoint, key = endpoint_and_key("CHAT")

    # [START chat_completions_streaming]
    from azure.ai.inference import ChatCompletionsClient
    from azure.ai.inference.models import SystemMessage, UserMessage
    from azure.core.credentials import AzureKeyCredential

    with ChatCompletionsClient(endpoint=endpoint, credential=AzureKeyCredential(key)) as client:
        stream = client.create_streaming(
            messages=[
                SystemMessage("You are a helpful assistant."),
                UserMessage("Give me five good reasons to learn to cook."),
            ]
        )
        # Leaving the `with` block releases the connection, also when the loop stops early.
        with stream:
            for update in stream:
                # `content` is "" for updates that carry no text, so this loop never needs a None check.
                print(update.choices[0].delta.content, end="", flush=True)
                if update.usage is not None:
                    print(f"\n(tokens used: {update.usage.total_tokens})", end="")
        print()
    # [END chat_completions_streaming]


if __name__ == "__main__":
    main()
