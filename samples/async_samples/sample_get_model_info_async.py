# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""
DESCRIPTION:
    The async twin of sample_get_model_info.py: ask the endpoint which model it serves (read from `/info`
    once, then cached), and report endpoints that have no `/info` route.

USAGE:
    python samples/async_samples/sample_get_model_info_async.py

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

    # [START get_model_info]
    from azure.ai.inference.aio import ChatCompletionsClient
    from azure.core.credentials import AzureKeyCredential
    from azure.core.exceptions import ResourceNotFoundError

    async with ChatCompletionsClient(endpoint=endpoint, credential=AzureKeyCredential(key)) as client:
        try:
            info = await client.get_model_info()
        except ResourceNotFoundError:
            print("This endpoint does not say which model it serves (no /info route).")
        else:
            print(f"Model name: {info.model_name}")
            print(f"Model type: {info.model_type}")
            print(f"Model provider: {info.model_provider}")
            # Later calls answer from the cache, without a request.
            assert await client.get_model_info() is info
    # [END get_model_info]


if __name__ == "__main__":
    asyncio.run(main())
