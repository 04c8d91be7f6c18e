# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""
DESCRIPTION:
    Use GitHub Models: the endpoint is https://models.github.ai/inference, the credential a GitHub token (sent
    as `Authorization: Bearer <token>`), and `model` a model id such as `openai/gpt-4.1-mini`. No api-version
    is sent. Chat completions and embeddings are served there.

USAGE:
    python samples/sample_github_models.py

    GITHUB_MODELS_ENDPOINT  https://models.github.ai/inference (or .../orgs/<org>/inference)
    GITHUB_MODELS_TOKEN     a GitHub token with the `models` scope
    GITHUB_MODELS_MODEL     a model id (default: openai/gpt-4.1-mini)
    Without the endpoint the sample runs on the local emulator.
"""

from __future__ import annotations

import os

from _endpoint import endpoint_and_key


def main() -> None:
    endpoint, token = endpoint_and_key("GITHUB_MODELS")
    model_id = os.environ.get("GITHUB_MODELS_MODEL", "openai/gpt-4.1-mini")

    # [START github_models]
    from azure.ai.inference import ChatCompletionsClient
    from azure.ai.inference.models import SystemMessage, UserMessage
    from azure.core.credentials import AzureKeyCredential

    # endpoint: https://models.github.ai/inference; the token travels as a bearer token
    with ChatCompletionsClient(endpoint, AzureKeyCredential(token), model=model_id) as client:
        response = client.create(
            messages=[SystemMessage("Answer in one sentence."), UserMessage("What is GitHub Models?")],
            temperature=0.2,
        )
        print(f"{response.model}: {response.choices[0].message.content}")
    # [END github_models]


if __name__ == "__main__":
    main()
