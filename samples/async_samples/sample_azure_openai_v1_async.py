# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""
DESCRIPTION:
    The async twin of sample_azure_openai_v1.py: the Azure OpenAI v1 API (an endpoint ending in `/openai/v1`,
    no api-version, `model` naming the deployment), and the parameters of today's models.

USAGE:
    python samples/async_samples/sample_azure_openai_v1_async.py

    AZURE_OPENAI_V1_ENDPOINT    https://<resource>.openai.azure.com/openai/v1
                                (or https://<resource>.services.ai.azure.com/openai/v1)
    AZURE_OPENAI_V1_KEY         the resource's key
    AZURE_OPENAI_V1_DEPLOYMENT  a chat deployment of the resource (default: gpt-4o-mini)
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
    endpoint, key = endpoint_and_key("AZURE_OPENAI_V1")
    deployment = os.environ.get("AZURE_OPENAI_V1_DEPLOYMENT", "gpt-4o-mini")

    # [START azure_openai_v1]
    from azure.ai.inference.aio import ChatCompletionsClient
    from azure.ai.inference.models import UserMessage
    from azure.core.credentials import AzureKeyCredential

    # Before, on the retired /models endpoint of the same resource:
    #   ChatCompletionsClient("https://<resource>.services.ai.azure.com/models", credential,
    #                         api_version="2024-05-01-preview")
    # Now only the endpoint changes: https://<resource>.services.ai.azure.com/openai/v1
    async with ChatCompletionsClient(endpoint, AzureKeyCredential(key)) as client:
        response = await client.create(messages=[UserMessage("Say hello in Portuguese.")], model=deployment)
        print(f"{response.model}: {response.choices[0].message.content}")

        async with await client.create_streaming(messages=[UserMessage("Count to three.")], model=deployment) as stream:
            async for update in stream:
                print(update.choices[0].delta.content, end="", flush=True)
        print()
    # [END azure_openai_v1]

    # [START reasoning_parameters]
    # Give the deployment once; reasoning models take max_completion_tokens (not max_tokens) and reasoning_effort.
    async with ChatCompletionsClient(endpoint, AzureKeyCredential(key), model=deployment) as client:
        response = await client.create(
            messages=[UserMessage("Think: is 221 a prime number?")],
            max_completion_tokens=2000,
            reasoning_effort="low",
            logprobs=True,
        )
        print(response.choices[0].message.content)
        details = response.usage.completion_tokens_details
        if details is not None:
            print(f"{details.reasoning_tokens} reasoning tokens of {response.usage.completion_tokens}")
        logprobs = response.choices[0].logprobs
        if logprobs is not None and logprobs.content:
            first = logprobs.content[0]
            print(f"first token {first.token!r} with log probability {first.logprob}")
    # [END reasoning_parameters]


if __name__ == "__main__":
    asyncio.run(main())
