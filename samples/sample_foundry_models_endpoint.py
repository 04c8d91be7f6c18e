# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""
DESCRIPTION:
    Use the Azure AI Foundry "/models" endpoint, which serves many models behind one URL with
    api-version 2024-05-01-preview: pick the model per call with `model=`.

USAGE:
    python samples/sample_foundry_models_endpoint.py

    AZURE_AI_FOUNDRY_ENDPOINT  https://<resource>.services.ai.azure.com/models
    AZURE_AI_FOUNDRY_KEY       the resource's key
    AZURE_AI_FOUNDRY_MODEL     a model deployed there (default: emulated-chat)
    Without the endpoint the sample runs on the local emulator.
"""

from __future__ import annotations

import os

from _endpoint import endpoint_and_key


def main() -> None:
    endpoint, key = endpoint_and_key("FOUNDRY_CHAT")
    model_name = os.environ.get("AZURE_AI_FOUNDRY_MODEL", "emulated-chat")

    # [START foundry_models_endpoint]
    from azure.ai.inference import ChatCompletionsClient
    from azure.ai.inference.models import UserMessage
    from azure.core.credentials import AzureKeyCredential

    # The /models endpoint speaks the later api-version: routes without /v1, and "pass-through" extras.
    with ChatCompletionsClient(endpoint, AzureKeyCredential(key), api_version="2024-05-01-preview") as client:
        response = client.create(messages=[UserMessage("Say hello in Portuguese.")], model=model_name)
        print(f"{response.model}: {response.choices[0].message.content}")
    # [END foundry_models_endpoint]


if __name__ == "__main__":
    main()
