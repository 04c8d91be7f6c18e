# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""
DESCRIPTION:
    Ask the endpoint which model it serves. The answer is read from `/info` on the first call and cached by
    the client. Many endpoints (Azure OpenAI, Foundry `/models`, OpenAI-compatible servers) have no `/info`
    route and answer 404, which the sample reports.

USAGE:
    python samples/sample_get_model_info.py

    AZURE_AI_CHAT_ENDPOINT, AZURE_AI_CHAT_KEY: your endpoint and key; without them the sample runs on the
    local emulator.
"""

from __future__ import annotations

from _endpoint import endpoint_and_key


def main() -> None:
    endpoint, key = endpoint_and_key("CHAT")

    # [START get_model_info]
    from azure.ai.inference import ChatCompletionsClient
    from azure.core.credentials import AzureKeyCredential
    from azure.core.exceptions import ResourceNotFoundError

    with ChatCompletionsClient(endpoint=endpoint, credential=AzureKeyCredential(key)) as client:
        try:
            info = client.get_model_info()
        except ResourceNotFoundError:
            print("This endpoint does not say which model it serves (no /info route).")
        else:
            print(f"Model name: {info.model_name}")
            print(f"Model type: {info.model_type}")
            print(f"Model provider: {info.model_provider}")
            # Later calls answer from the cache, without a request.
            assert client.get_model_info() is info
    # [END get_model_info]


if __name__ == "__main__":
    main()
