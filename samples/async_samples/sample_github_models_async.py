# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""
DESCRIPTION:
    The async twin of sample_github_models.py: GitHub Models with a GitHub token and a model id.

USAGE:
    python samples/async_samples/sample_github_models_async.py

    GITHUB_MODELS_ENDPOINT  https://models.github.ai/inference (or .../orgs/<org>/inference)
    GITHUB_MODELS_TOKEN     a GitHub token with the `models` scope
    GITHUB_MODELS_MODEL     a model id (default: openai/gpt-4.1-mini)
    Without the endpoint the sample runs on the local emulator.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # makes samples/_endpoint.py importable
from _endpoint import endpoint_and_key  # noqa: E402  # pylint: disable=wrong-import-position


async def main() -> None:
    endpoint, token = endpoint_and_key("GITHUB_MODELS")
    model_id = os.environ.get("GITHUB_MODELS_MODEL", "openai/gpt-4.1-mini")

    # [START github_models]
    from azure.ai.inference.aio import ChatCompletionsClient
    from azure.ai.inference.models import SystemMessage, UserMessage
    from azure.core.credentials import AzureKeyCredential

    # endpoint: https://models.github.ai/inference; the token travels as a bearer token
    async with ChatCompletionsClient(endpoint, AzureKeyCredential(token), model=model_id) as client:
        response = await client.create(
            messages=[SystemMessage("Answer in one sentence."), UserMessage("What is GitHub Models?")],
            temperature=0.2,
        )
        print(f"{response.model}: {response.choices[0].message.content}")
    # [END github_models]


if __name__ == "__main__":
    asyncio.run(main())
