# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""
DESCRIPTION:
    The async twin of sample_chat_completions_streaming.py: stream a chat completion and print each piece of
    the answer as it arrives.

USAGE:
    python samples/async_samples/sample_chat_completions_streaming_async.py

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

    # [START chat_completions_streaming]
    from azure.ai.inference.aio import ChatCompletionsClient
    from azure.ai.inference.models import SystemMessage, UserMessage
    from azure.core.credentials import AzureKeyCredential

    async with ChatCompletionsClient(endpoint=endpoint, credential=AzureKeyCredential(key)) as client:
        # Awaiting create_streaming returns once the response headers arrived.
        stream = await client.create_streaming(
            messages=[
                SystemMessage("You are a helpful assistant."),
                UserMessage("Give me five good reasons to learn to cook."),
            ]
        )
        # Leaving the `async with` block releases the connection, also when the loop stops early.
        async with stream:
            async for update in stream:
                # `content` is "" for updates that carry no text, so this loop never needs a None check.
                print(update.choices[0].delta.content, end="", flush=True)
                if update.usage is not None:
                    print(f"\n(tokens used: {update.usage.total_tokens})", end="")
        print()
    # [END chat_completions_streaming]


if __name__ == "__main__":
    asyncio.run(main())
