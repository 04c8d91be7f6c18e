# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""
DESCRIPTION:
    Stream an answer and print it as it arrives, then get the whole answer (content, tool calls, finish
    reason and usage) from the same stream with get_final_completion(), without a second request.

USAGE:
    python samples/sample_chat_completions_streaming_accumulate.py

    AZURE_AI_CHAT_ENDPOINT, AZURE_AI_CHAT_KEY  your endpoint and key; without them the sample runs on the
    local emulator.
"""

from __future__ import annotations

from _endpoint import endpoint_and_key


def main() -> None:
    endpoint, key = endpoint_and_key("CHAT")

    # [START chat_completions_streaming_accumulate]
    from azure.ai.inference import ChatCompletionsClient
    from azure.ai.inference.models import UserMessage
    from azure.core.credentials import AzureKeyCredential

    with ChatCompletionsClient(endpoint, AzureKeyCredential(key)) as client:
        # OpenAI-style servers send usage in a last update when asked to; model_extras passes the request on.
        with client.create_streaming(
            messages=[UserMessage("Name three rivers of Europe.")],
            model_extras={"stream_options": {"include_usage": True}},
        ) as stream:
            for update in stream:
                print(update.choices[0].delta.content, end="", flush=True)
            print()
            completion = stream.get_final_completion()
        message = completion.choices[0].message
        print(f"Whole answer: {message.content!r}")
        print(f"Finish reason: {completion.choices[0].finish_reason}, tokens: {completion.usage.total_tokens}")
    # [END chat_completions_streaming_accumulate]


if __name__ == "__main__":
    main()
