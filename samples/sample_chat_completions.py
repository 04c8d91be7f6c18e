# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""
DESCRIPTION:
    Create a ChatCompletionsClient with a key, ask a question, then continue the conversation with the
    model's answer as history.

USAGE:
    python samples/sample_chat_completions.py

    AZURE_AI_CHAT_ENDPOINT  your endpoint, e.g. https://<deployment>.<region>.inference.ai.azure.com
    AZURE_AI_CHAT_KEY       its key
    Without them the sample runs on the local emulator.
"""

from __future__ import annotations

from _endpoint import endpoint_and_key


def main() -> None:
    endpoint, key = endpoint_and_key("CHAT")

    # [START create_client]
    from azure.ai.inference import ChatCompletionsClient
    from azure.core.credentials import AzureKeyCredential

    client = ChatCompletionsClient(endpoint=endpoint, credential=AzureKeyCredential(key))
    # [END create_client]

    # [START chat_completions]
    from azure.ai.inference.models import AssistantMessage, ChatRequestMessage, SystemMessage, UserMessage

    with client:
        messages: list[ChatRequestMessage] = [
            SystemMessage("You are a helpful assistant who answers in one sentence."),
            UserMessage("How many feet are in a mile?"),
        ]
        response = client.create(messages=messages)
        answer = response.choices[0].message.content
        print(f"Answer: {answer}")
        print(f"Tokens used: {response.usage.total_tokens}")

        # The service keeps no state: send the whole conversation with each call.
        messages += [AssistantMessage(answer), UserMessage("And how many meters is that?")]
        response = client.create(messages=messages)
        print(f"Follow-up answer: {response.choices[0].message.content}")
    # [END chat_completions]


if __name__ == "__main__":
    main()
