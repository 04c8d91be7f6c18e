# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""
DESCRIPTION:
    Let the endpoint choose the client: `load_client` reads the endpoint's `/info` route and returns a
    ChatCompletionsClient, EmbeddingsClient or ImageGenerationClient for the model it serves, with the model
    information already cached. Endpoints without `/info` answer 404, which the sample reports.

USAGE:
    python samples/sample_load_client.py

    AZURE_AI_CHAT_ENDPOINT, AZURE_AI_CHAT_KEY: your endpoint and key; without them the sample runs on the
    local emulator.
"""

from __future__ import annotations

from _endpoint import endpoint_and_key


def main() -> None:
    endpoint, key = endpoint_and_key("CHAT")

    # [START load_client]
    from azure.ai.inference import ChatCompletionsClient, load_client
    from azure.ai.inference.models import UserMessage
    from azure.core.credentials import AzureKeyCredential
    from azure.core.exceptions import ResourceNotFoundError

    try:
        client = load_client(endpoint=endpoint, credential=AzureKeyCredential(key))
    except ResourceNotFoundError:
        print("This endpoint has no /info route: create the client for its model directly.")
    else:
        with client:
            info = client.get_model_info()  # read by load_client and cached: no second request
            print(f"A {type(client).__name__} for {info.model_name}, from {info.model_provider}")
            if isinstance(client, ChatCompletionsClient):
                response = client.create(messages=[UserMessage("How many feet are in a mile?")])
                print(response.choices[0].message.content)
    # [END load_client]


if __name__ == "__main__":
    main()
