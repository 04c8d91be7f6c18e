# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""
DESCRIPTION:
    The async twin of sample_managed_endpoint_deployment.py: send every request of a client to one deployment
    of a managed online endpoint with the `azureml-model-deployment` header.

USAGE:
    python samples/async_samples/sample_managed_endpoint_deployment_async.py

    AZURE_AI_CHAT_ENDPOINT, AZURE_AI_CHAT_KEY: your endpoint and key; without them the sample runs on the
    local emulator.
    AZURE_AI_CHAT_DEPLOYMENT: the deployment's name (default "blue").
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # makes samples/_endpoint.py importable
from _endpoint import endpoint_and_key  # noqa: E402  # pylint: disable=wrong-import-position


async def main() -> None:
    endpoint, key = endpoint_and_key("CHAT")
    deployment = os.environ.get("AZURE_AI_CHAT_DEPLOYMENT", "blue")

    # [START deployment_header]
    from azure.ai.inference.aio import ChatCompletionsClient
    from azure.ai.inference.models import UserMessage
    from azure.core.credentials import AzureKeyCredential

    async with ChatCompletionsClient(
        endpoint=endpoint,
        credential=AzureKeyCredential(key),
        headers={"azureml-model-deployment": deployment},  # sent with every request of this client
    ) as client:
        response = await client.create(messages=[UserMessage("How many feet are in a mile?")])
        print(f"Deployment {deployment!r} answered: {response.choices[0].message.content}")
    # [END deployment_header]


if __name__ == "__main__":
    asyncio.run(main())
