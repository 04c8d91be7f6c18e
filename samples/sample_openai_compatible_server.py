# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""
DESCRIPTION:
    Use an OpenAI-compatible server, such as llama.cpp's or vLLM's, which serves `/v1/chat/completions` and
    `/v1/embeddings`. `api_version=None` sends no api-version query parameter, which some gateways reject.
    (An endpoint given as OpenAI's clients take it, ending in `/v1`, works too.)

USAGE:
    python samples/sample_openai_compatible_server.py

    OPENAI_COMPATIBLE_ENDPOINT  the server's base URL, e.g. http://127.0.0.1:8080
    OPENAI_COMPATIBLE_KEY       its key (any text when the server takes none)
    Without the endpoint the sample runs on the local emulator.
"""

from __future__ import annotations

from _endpoint import endpoint_and_key


def main() -> None:
    endpoint, key = endpoint_and_key("OPENAI_COMPATIBLE")

    # [START openai_compatible_server]
    from azure.ai.inference import ChatCompletionsClient, EmbeddingsClient
    from azure.ai.inference.models import UserMessage
    from azure.core.credentials import AzureKeyCredential

    # endpoint: http://127.0.0.1:8080; requests go to /v1/chat/completions and /v1/embeddings, without api-version
    with ChatCompletionsClient(endpoint, AzureKeyCredential(key), api_version=None) as client:
        response = client.create(messages=[UserMessage("Name a prime number.")], max_tokens=20)
        print(f"chat: {response.choices[0].message.content}")

    with EmbeddingsClient(endpoint, AzureKeyCredential(key), api_version=None) as embeddings:
        result = embeddings.create(input="a single text")
        print(f"embeddings: {len(result.data[0].embedding)} dimensions")
    # [END openai_compatible_server]


if __name__ == "__main__":
    main()
