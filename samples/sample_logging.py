# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""
DESCRIPTION:
    Print every request and response in full, for debugging: send the `azure` logger's DEBUG records to the
    console and create the client with `logging_enable=True`. The values of the `Authorization` and `api-key`
    headers are always written as `***`; the rest is not redacted, so keep such logs private.

USAGE:
    python samples/sample_logging.py

    AZURE_AI_CHAT_ENDPOINT, AZURE_AI_CHAT_KEY: your endpoint and key; without them the sample runs on the
    local emulator.
"""

from __future__ import annotations

from _endpoint import endpoint_and_key


def main() -> None:
    endpoint, key = endpoint_and_key("CHAT")

    # [START logging]
    import logging
    import sys

    from azure.ai.inference import ChatCompletionsClient
    from azure.ai.inference.models import UserMessage
    from azure.core.credentials import AzureKeyCredential

    # The client library logs to the "azure" logger and its children.
    logger = logging.getLogger("azure")
    logger.setLevel(logging.DEBUG)
    logger.addHandler(logging.StreamHandler(stream=sys.stdout))

    with ChatCompletionsClient(endpoint=endpoint, credential=AzureKeyCredential(key), logging_enable=True) as client:
        response = client.create(messages=[UserMessage("How many feet are in a mile?")])
        print(response.choices[0].message.content)
    # [END logging]


if __name__ == "__main__":
    main()
