# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""
DESCRIPTION:
    The async twin of sample_bounded_calls.py: max_response_bytes, timeout, stream_timeout and retry_after_max
    on the client and per call, and the error an answer over the size limit raises.

USAGE:
    python samples/async_samples/sample_bounded_calls_async.py

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

    # [START bounded_calls]
    from azure.ai.inference import ResponseTooLargeError
    from azure.ai.inference.aio import ChatCompletionsClient
    from azure.ai.inference.models import UserMessage
    from azure.core.credentials import AzureKeyCredential

    question = [UserMessage("How many feet are in a mile?")]

    async with ChatCompletionsClient(
        endpoint=endpoint,
        credential=AzureKeyCredential(key),
        timeout=60,  # seconds for a whole call: every attempt, every wait, the answer's headers and body
        stream_timeout=300,  # seconds for a whole stream, from the call to its last update
        max_response_bytes=64 * 1024 * 1024,  # decompressed bytes an answer may hold (default 256 MiB)
        retry_after_max=30,  # the longest Retry-After wait honoured (default 60 s); longer ones fail at once
    ) as client:
        completion = await client.create(messages=question)
        print(completion.choices[0].message.content)

        async with await client.create_streaming(messages=question, stream_timeout=120) as stream:
            print("".join([update.choices[0].delta.content async for update in stream if update.choices]))

        try:
            await client.create(messages=question, max_response_bytes=16)  # far too small, on purpose
        except ResponseTooLargeError as error:
            print(f"The answer was larger than allowed: status {error.status_code}")
    # [END bounded_calls]


if __name__ == "__main__":
    asyncio.run(main())
