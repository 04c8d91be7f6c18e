# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""
DESCRIPTION:
    Give the client default settings (temperature, max_tokens, seed) once in its constructor; every call uses
    them unless it gives the same argument itself.

USAGE:
    python samples/sample_chat_completions_with_defaults.py

    AZURE_AI_CHAT_ENDPOINT, AZURE_AI_CHAT_KEY: your endpoint and key; without them the sample runs on the
    local emulator.
"""

from __future__ import annotations

from _endpoint import endpoint_and_key


def main() -> None:
    endpoint, key = endpoint_and_key("CHAT")

    # [START client_defaults]
    from azure.ai.inference import ChatCompletionsClient
    from azure.ai.inference.models import CompletionsFinishReason, UserMessage
    from azure.core.credentials import AzureKeyCredential

    with ChatCompletionsClient(
        endpoint=endpoint,
        credential=AzureKeyCredential(key),
        temperature=0.2,
        max_tokens=50,
        seed=42,
    ) as client:
        question = [UserMessage("Write a haiku about the sea.")]

        # Sent with temperature 0.2, max_tokens 50 and seed 42.
        response = client.create(messages=question)
        print(f"With the defaults: {response.choices[0].message.content}")

        # An argument given to the call wins over the default: max_tokens 4 here.
        response = client.create(messages=question, max_tokens=4)
        print(f"With max_tokens=4: {response.choices[0].message.content}")
        if response.choices[0].finish_reason == CompletionsFinishReason.TOKEN_LIMIT_REACHED:
            print("The answer was cut short by max_tokens.")
    # [END client_defaults]


if __name__ == "__main__":
    main()
