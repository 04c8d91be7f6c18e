# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""
DESCRIPTION:
    The async twin of sample_logging.py: print every request and response in full with `logging_enable=True`
    and a DEBUG handler on the `azure` logger. `Authorization` and `api-key` values are written as `***`.

USAGE:
    python samples/async_samples/sample_logging_async.py

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

    # [START logging]
    import logging

    from azure.ai.inference.aio import ChatCompletionsClient
    from azure.ai.inference.models import UserMessage
    from azure.core.credentials import AzureKeyCredential

    # The client library logs to the "azure" logger and its children.
    logger = logging.getLogger("azure")
    logger.setLevel(logging.DEBUG)
    logger.addHandler(logging.StreamHandler(stream=sys.stdout))

    async with ChatCompletionsClient(
        endpoint=endpoint, credential=AzureKeyCredential(key), logging_enable=True
    ) as client:
        response = await client.create(messages=[UserMessage("How many feet are in a mile?")])
        print(response.choices[0].message.content)
    # [END logging]


if __name__ == "__main__":
    asyncio.run(main())
