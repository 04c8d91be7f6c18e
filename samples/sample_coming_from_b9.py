# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""
DESCRIPTION:
    Code written for the retired azure-ai-inference 1.0.0b9 runs unchanged: `complete(...)`, `complete(stream=True)`
    whose updates read as they did in 1.0.0b9 (no placeholder choice, `delta.content` None without text),
    `embed(...)`, and mapping access that gives typed values (`response["choices"][0].message`).

USAGE:
    python samples/sample_coming_from_b9.py

    AZURE_AI_CHAT_ENDPOINT, AZURE_AI_CHAT_KEY, AZURE_AI_EMBEDDINGS_ENDPOINT, AZURE_AI_EMBEDDINGS_KEY: your
    endpoints and keys; without them the sample runs on the local emulator.
"""

from __future__ import annotations

from _endpoint import endpoint_and_key


def main() -> None:
    endpoint, key = endpoint_and_key("CHAT")
    embeddings_endpoint, embeddings_key = endpoint_and_key("EMBEDDINGS")

    # [START coming_from_b9]
    from azure.ai.inference import ChatCompletionsClient, EmbeddingsClient
    from azure.ai.inference.models import SystemMessage, UserMessage
    from azure.core.credentials import AzureKeyCredential

    client = ChatCompletionsClient(endpoint=endpoint, credential=AzureKeyCredential(key))
    messages = [SystemMessage("You are a helpful assistant."), UserMessage("How many feet are in a mile?")]

    response = client.complete(messages=messages, temperature=0.2)
    print(response["choices"][0].message.content)  # mapping access gives the same typed value as .choices

    stream = client.complete(messages=messages, stream=True)
    for update in stream:
        if update.choices:  # as in 1.0.0b9, an update may carry no choice, and a delta no content
            print(update.choices[0].delta.content or "", end="", flush=True)
    print()
    client.close()

    embeddings_credential = AzureKeyCredential(embeddings_key)
    with EmbeddingsClient(endpoint=embeddings_endpoint, credential=embeddings_credential) as embedder:
        result = embedder.embed(input=["first phrase", "second phrase"])
        print([len(item.embedding) for item in result.data])
    # [END coming_from_b9]


if __name__ == "__main__":
    main()
