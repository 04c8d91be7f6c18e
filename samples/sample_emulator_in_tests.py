# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""
DESCRIPTION:
    Test your own code offline with the emulator's pytest fixtures: `inference_emulator` serves a fresh emulator
    to each test, and the `inference_emulator` marker injects a fault. The test functions below are what a test
    module of your application looks like; running this file runs them with pytest.

USAGE:
    pip install "azure-ai-inference[emulator]" pytest
    python samples/sample_emulator_in_tests.py      (or: pytest samples/sample_emulator_in_tests.py)

    The tests never leave the machine: the emulator serves on 127.0.0.1.
"""

from __future__ import annotations

# [START emulator_in_tests]
from typing import Any

import pytest

from azure.ai.inference import ChatCompletionsClient
from azure.core.credentials import AzureKeyCredential
from azure.core.exceptions import HttpResponseError


def summarize(client: ChatCompletionsClient, text: str) -> str:  # the application code under test
    answer = client.create(messages=[{"role": "user", "content": "Summarize: " + text}], retry_total=0)
    return answer.choices[0].message.content or ""


def test_summarize(inference_emulator: Any) -> None:
    with ChatCompletionsClient(inference_emulator.url, AzureKeyCredential(inference_emulator.key)) as client:
        assert summarize(client, "some text") == "Emulated reply to: Summarize: some text"
    assert inference_emulator.requests[-1].json["messages"][-1]["content"] == "Summarize: some text"


@pytest.mark.inference_emulator(fault="status-then-ok;status=503;count=10")
def test_summarize_reports_an_outage(inference_emulator: Any) -> None:
    with ChatCompletionsClient(inference_emulator.url, AzureKeyCredential(inference_emulator.key)) as client:
        with pytest.raises(HttpResponseError) as caught:
            summarize(client, "some text")
    assert caught.value.status_code == 503


# [END emulator_in_tests]


def main() -> None:
    code = pytest.main([__file__, "-q", "-p", "no:cacheprovider"])
    if code != 0:
        raise SystemExit(int(code))


if __name__ == "__main__":
    main()
