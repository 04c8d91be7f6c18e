# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""
DESCRIPTION:
    Use a chat model deployed in Azure OpenAI. The endpoint is the deployment's URL, and the api-version is one
    of Azure OpenAI's own; the key travels in the `api-key` header, which Azure OpenAI reads.

USAGE:
    python samples/sample_chat_completions_azure_openai.py

    AZURE_OPENAI_CHAT_ENDPOINT  https://<resource>.openai.azure.com/openai/deployments/<deployment>
    AZURE_OPENAI_CHAT_KEY       the resource's key
    Without them the sample runs on the local emulator.
"""

from __future__ import annotations

from _endpoint import endpoint_and_key


def main() -> None:
    endpoint, key = endpoint_and_key("AZURE_OPENAI_CHAT")

    # [START azure_openai_chat]
    from azure.ai.inference import ChatCompletionsClient
    from azure.ai.inference.models import SystemMessage, UserMessage
    from azure.core.credentials import AzureKeyCredential

    # endpoint: https://<resource>.openai.azure.com/openai/deployments/<deployment>
    with ChatCompletionsClient(
        endpoint=endpoint,
        credential=AzureKeyCredential(key),
        api_version="2024-10-21",  # an Azure OpenAI api-version
    ) as client:
        response = client.create(
            messages=[
                SystemMessage("You are a helpful assistant."),
                UserMessage("How many feet are in a mile?"),
            ]
        )
        print(f"{response.model} answered: {response.choices[0].message.content}")
    # [END azure_openai_chat]


if __name__ == "__main__":
    main()
