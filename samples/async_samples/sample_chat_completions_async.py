# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""
DESCRIPTION:
    The async twin of sample_chat_completions.py: create an async ChatCompletionsClient with a key, ask a
    question, then continue the conversation with the model's answer as history.

USAGE:
    python samples/async_samples/sample_chat_completions_async.py

    AZURE_AI_CHAT_ENDPOINT, AZURE_AI_CHAT_KEY: your endpoint and key; without them the sample runs on the
    local emulator. Needs aiohttp (`pip install azure-ai-inference[aio]`).
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # makes samples/_endpoint.py importable
from _endpoint import endpoint_and_key  # noqa: E402  # pylint: disable=wrong-import-position


async def main() -> None:
    endpoint, key = endpoint_and_key("CHAT")

    # [START create_client]
    from azure.ai.inference.aio import ChatCompletionsClient
    from azure.core.credentials import AzureKeyCredential

    client = ChatCompletionsClient(endpoint=endpoint, credential=AzureKeyCredential(key))
    # [END create_client]

    # [START chat_completions]
    from azure.ai.inference.models import AssistantMessage, ChatRequestMessage, SystemMessage, UserMessage

    async with client:
        messages: list[ChatRequestMessage] = [
            SystemMessage("You are a helpful assistant who answers in one sentence."),
            UserMessage("How many feet are in a mile?"),
        ]
        response = await client.create(messages=messages)
        answer = response.choices[0].message.content
        print(f"Answer: {answer}")
        print(f"Tokens used: {response.usage.total_tokens}")

        # The service keeps no state: send the whole conversation with each call.
        messages += [AssistantMessage(answer), UserMessage("And how many meters is that?")]
        response = await client.create(messages=messages)
        print(f"Follow-up answer: {response.choices[0].message.content}")
    # [END chat_completions]


if __name__ == "__main__":
    asyncio.run(main())
