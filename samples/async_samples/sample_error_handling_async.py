# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""
DESCRIPTION:
    The async twin of sample_error_handling.py: catch HttpResponseError and its subclasses and print the
    status, the service's error code and its message, for a wrong key and for a temperature out of range.

USAGE:
    python samples/async_samples/sample_error_handling_async.py

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

    # [START error_handling]
    from azure.ai.inference.aio import ChatCompletionsClient
    from azure.ai.inference.models import UserMessage
    from azure.core.credentials import AzureKeyCredential
    from azure.core.exceptions import ClientAuthenticationError, HttpResponseError

    question = [UserMessage("How many feet are in a mile?")]

    # A wrong key: the service answers 401, raised as ClientAuthenticationError.
    async with ChatCompletionsClient(endpoint=endpoint, credential=AzureKeyCredential("not-the-right-key")) as client:
        try:
            await client.create(messages=question)
        except ClientAuthenticationError as error:
            print(f"Authentication failed with status {error.status_code} ({error.reason})")
            if error.error is not None:
                print(f"  code: {error.error.code}; message: {error.error.message}")

    # A value the service rejects: a 400 Bad Request.
    async with ChatCompletionsClient(endpoint=endpoint, credential=AzureKeyCredential(key)) as client:
        try:
            await client.create(messages=question, temperature=5.0)
            print("The service accepted temperature=5.0")
        except HttpResponseError as error:
            print(f"The call failed with status {error.status_code} ({error.reason})")
            if error.error is not None:
                print(f"  code: {error.error.code}; message: {error.error.message}")
            print("The whole error, as str(error):")
            print(error)
    # [END error_handling]


if __name__ == "__main__":
    asyncio.run(main())
