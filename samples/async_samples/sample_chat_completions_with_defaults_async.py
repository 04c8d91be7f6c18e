# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""
DESCRIPTION:
    The async twin of sample_chat_completions_with_defaults.py: default settings given once in the client's
    constructor, used by every call unless the call gives the same argument.

USAGE:
    python samples/async_samples/sample_chat_completions_with_defaults_async.py

    AZURE_AI_CHAT_ENDPOINT, AZURE_AI_CHAT_KEY: your endpoint and key; without them the sample runs on the
    local emulator.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # makes samples/_endpoint.py importable
from _endpoint import endpoint_and_key  # noqa: E402  # pylint: disable=wrong-import-position


async def main() -> None:
    endpoint, key = endpoint_and_key("CHAT")

    # [START client_defaults]
    from azure.ai.inference.aio import ChatCompletionsClient
    from azure.ai.inference.models import CompletionsFinishReason, UserMessage
    from azure.core.credentials import AzureKeyCredential

    async with ChatCompletionsClient(
        endpoint=endpoint,
        credential=AzureKeyCredential(key),
        temperature=0.2,
        max_tokens=50,
        seed=42,
    ) as client:
        question = [UserMessage("Write a haiku about the sea.")]

        # Sent with temperature 0.2, max_tokens 50 and seed 42.
        response = await client.create(messages=question)
        print(f"With the defaults: {response.choices[0].message.content}")

        # An argument given to the call wins over the default: max_tokens 4 here.
        response = await client.create(messages=question, max_tokens=4)
        print(f"With max_tokens=4: {response.choices[0].message.content}")
        if response.choices[0].finish_reason == CompletionsFinishReason.TOKEN_LIMIT_REACHED:
            print("The answer was cut short by max_tokens.")
    # [END client_defaults]


if __name__ == "__main__":
    asyncio.run(main())
