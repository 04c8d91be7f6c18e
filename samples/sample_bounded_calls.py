# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""
DESCRIPTION:
    Bound what a call may cost: how large an answer may be (max_response_bytes), how long a call may take
    (timeout), how long a stream may last (stream_timeout) and how long a rate-limited call may wait before it is
    retried (retry_after_max). Each bound can be set on the client and changed for one call. The sample asks for
    an answer with a size limit too small for it, to show the error going over a bound raises.

USAGE:
    python samples/sample_bounded_calls.py

    AZURE_AI_CHAT_ENDPOINT, AZURE_AI_CHAT_KEY: your endpoint and key; without them the sample runs on the
    local emulator.
"""

from __future__ import annotations

from _endpoint import endpoint_and_key


def main() -> None:
    endpoint, key = endpoint_and_key("CHAT")

    # [START bounded_calls]
    from azure.ai.inference import ChatCompletionsClient, ResponseTooLargeError
    from azure.ai.inference.models import UserMessage
    from azure.core.credentials import AzureKeyCredential

    question = [UserMessage("How many feet are in a mile?")]

    with ChatCompletionsClient(
        endpoint=endpoint,
        credential=AzureKeyCredential(key),
        timeout=60,  # seconds for a whole call: every attempt, every wait, the answer's headers and body
        stream_timeout=300,  # seconds for a whole stream, from the call to its last update
        max_response_bytes=64 * 1024 * 1024,  # decompressed bytes an answer may hold (default 256 MiB)
        retry_after_max=30,  # the longest Retry-After wait honoured (default 60 s); longer ones fail at once
    ) as client:
        completion = client.create(messages=question)
        print(completion.choices[0].message.content)

        with client.create_streaming(messages=question, stream_timeout=120) as stream:
            print("".join(update.choices[0].delta.content for update in stream if update.choices))

        try:
            client.create(messages=question, max_response_bytes=16)  # far too small, on purpose
        except ResponseTooLargeError as error:
            print(f"The answer was larger than allowed: status {error.status_code}")
    # [END bounded_calls]


if __name__ == "__main__":
    main()
