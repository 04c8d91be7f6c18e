# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""
DESCRIPTION:
    The async twin of sample_emulator_in_tests.py: application code on the async client, tested offline with the
    emulator's pytest fixtures (each test drives its coroutine with asyncio.run, so no async pytest plugin is
    needed).

USAGE:
    pip install "azure-ai-inference[emulator]" pytest
    python samples/async_samples/sample_emulator_in_tests_async.py
"""

from __future__ import annotations

# [START emulator_in_tests]
import asyncio
from typing import Any

import pytest

from azure.ai.inference.aio import ChatCompletionsClient
from azure.core.credentials import AzureKeyCredential
from azure.core.exceptions import HttpResponseError


async def summarize(client: ChatCompletionsClient, text: str) -> str:  # the application code under test
    answer = await client.create(messages=[{"role": "user", "content": "Summarize: " + text}], retry_total=0)
    return answer.choices[0].message.content or ""


async def summarize_at(endpoint: str, key: str, text: str) -> str:
    async with ChatCompletionsClient(endpoint, AzureKeyCredential(key)) as client:
        return await summarize(client, text)


def test_summarize(inference_emulator: Any) -> None:
    answer = asyncio.run(summarize_at(inference_emulator.url, inference_emulator.key, "some text"))
    assert answer == "Emulated reply to: Summarize: some text"


@pytest.mark.inference_emulator(fault="status-then-ok;status=503;count=10")
def test_summarize_reports_an_outage(inference_emulator: Any) -> None:
    with pytest.raises(HttpResponseError) as caught:
        asyncio.run(summarize_at(inference_emulator.url, inference_emulator.key, "some text"))
    assert caught.value.status_code == 503


# [END emulator_in_tests]


def main() -> None:
    code = pytest.main([__file__, "-q", "-p", "no:cacheprovider"])
    if code != 0:
        raise SystemExit(int(code))


if __name__ == "__main__":
    main()
