# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""
DESCRIPTION:
    The async twin of sample_chat_completions_azure_openai.py: use a chat model deployed in Azure OpenAI, with
    the deployment's URL as the endpoint and an Azure OpenAI api-version.

USAGE:
    python samples/async_samples/sample_chat_completions_azure_openai_async.py

    AZURE_OPENAI_CHAT_ENDPOINT  https://<resource>.openai.azure.com/openai/deployments/<deployment>
    AZURE_OPENAI_CHAT_KEY       the resource's key
    Without them the sample runs on the local emulator.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # makes samples/_endpoint.py importable
from _endpoint import endpoint_and_key  # noqa: E402  # pylint: disable=wrong-import-position


async def main() -> None:
    endpoint, key = endpoint_and_key("AZURE_OPENAI_CHAT")

    # [START azure_openai_chat]
    from azure.ai.inference.aio import ChatCompletionsClient
    from azure.ai.inference.models import SystemMessage, UserMessage
    from azure.core.credentials import AzureKeyCredential

    # endpoint: https://<resource>.openai.azure.com/openai/deployments/<deployment>
    async with ChatCompletionsClient(
        endpoint=endpoint,
        credential=AzureKeyCredential(key),
        api_version="2024-10-21",  # an Azure OpenAI api-version
    ) as client:
        response = await client.create(
            messages=[
                SystemMessage("You are a helpful assistant."),
                UserMessage("How many feet are in a mile?"),
            ]
        )
        print(f"{response.model} answered: {response.choices[0].message.content}")
    # [END azure_openai_chat]


if __name__ == "__main__":
    asyncio.run(main())
