# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""
DESCRIPTION:
    The async twin of sample_load_client.py: `load_client` from `azure.ai.inference.aio` reads the endpoint's
    `/info` route and returns the async client for the model it serves.

USAGE:
    python samples/async_samples/sample_load_client_async.py

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

    # [START load_client]
    from azure.ai.inference.aio import ChatCompletionsClient, load_client
    from azure.ai.inference.models import UserMessage
    from azure.core.credentials import AzureKeyCredential
    from azure.core.exceptions import ResourceNotFoundError

    try:
        client = await load_client(endpoint=endpoint, credential=AzureKeyCredential(key))
    except ResourceNotFoundError:
        print("This endpoint has no /info route: create the client for its model directly.")
    else:
        async with client:
            info = await client.get_model_info()  # read by load_client and cached: no second request
            print(f"A {type(client).__name__} for {info.model_name}, from {info.model_provider}")
            if isinstance(client, ChatCompletionsClient):
                response = await client.create(messages=[UserMessage("How many feet are in a mile?")])
                print(response.choices[0].message.content)
    # [END load_client]


if __name__ == "__main__":
    asyncio.run(main())
