# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""
DESCRIPTION:
    Catch the errors a service answers with. Every failed call raises azure-core's HttpResponseError, or a
    subclass of it such as ClientAuthenticationError (401) or ResourceNotFoundError (404), which carries the
    HTTP status, the service's error code and its message. The sample makes two calls that fail on purpose:
    one with a wrong key and one with a temperature out of range.

USAGE:
    python samples/sample_error_handling.py

    AZURE_AI_CHAT_ENDPOINT, AZURE_AI_CHAT_KEY: your endpoint and key; without them the sample runs on the
    local emulator.
"""

from __future__ import annotations

from _endpoint import endpoint_and_key


def main() -> None:
    endpoint, key = endpoint_and_key("CHAT")

    # [START error_handling]
    from azure.ai.inference import ChatCompletionsClient
    from azure.ai.inference.models import UserMessage
    from azure.core.credentials import AzureKeyCredential
    from azure.core.exceptions import ClientAuthenticationError, HttpResponseError

    question = [UserMessage("How many feet are in a mile?")]

    # A wrong key: the service answers 401, raised as ClientAuthenticationError.
    with ChatCompletionsClient(endpoint=endpoint, credential=AzureKeyCredential("not-the-right-key")) as client:
        try:
            client.create(messages=question)
        except ClientAuthenticationError as error:
            print(f"Authentication failed with status {error.status_code} ({error.reason})")
            if error.error is not None:
                print(f"  code: {error.error.code}; message: {error.error.message}")

    # A value the service rejects: a 400 Bad Request.
    with ChatCompletionsClient(endpoint=endpoint, credential=AzureKeyCredential(key)) as client:
        try:
            client.create(messages=question, temperature=5.0)
            print("The service accepted temperature=5.0")
        except HttpResponseError as error:
            print(f"The call failed with status {error.status_code} ({error.reason})")
            if error.error is not None:
                print(f"  code: {error.error.code}; message: {error.error.message}")
            print("The whole error, as str(error):")
            print(error)
    # [END error_handling]


if __name__ == "__main__":
    main()
