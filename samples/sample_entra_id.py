# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""
DESCRIPTION:
    Authenticate with Microsoft Entra ID instead of a key, using DefaultAzureCredential from azure-identity
    (pip install azure-identity). The token is requested for https://ml.azure.com/.default unless
    credential_scopes says otherwise (Azure OpenAI: https://cognitiveservices.azure.com/.default).

USAGE:
    python samples/sample_entra_id.py

    AZURE_AI_CHAT_ENDPOINT  your https endpoint; with it the sample uses DefaultAzureCredential.
    On the local emulator (an http:// endpoint) the sample uses a fixed test token instead (the emulator accepts
    tokens that start with "emulator-token"), over plain http: credentials go over http:// only to loopback
    hosts (127.0.0.1, ::1, localhost); any other host needs https:// (or enforce_https=False).
"""

from __future__ import annotations

import time
from typing import Any

from _endpoint import endpoint_and_key


class LocalTestCredential:
    """A token credential for the local emulator only."""

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        from azure.core.credentials import AccessToken

        return AccessToken("emulator-token-sample", int(time.time()) + 3600)


def main() -> None:
    endpoint, _ = endpoint_and_key("CHAT")
    on_real_endpoint = endpoint.startswith("https://")

    from azure.ai.inference import ChatCompletionsClient
    from azure.ai.inference.models import UserMessage

    if on_real_endpoint:
        # [START entra_id]
        from azure.identity import DefaultAzureCredential

        client = ChatCompletionsClient(
            endpoint=endpoint,
            credential=DefaultAzureCredential(),
            credential_scopes=["https://ml.azure.com/.default"],  # the default; shown for clarity
        )
        # [END entra_id]
    else:
        client = ChatCompletionsClient(endpoint, LocalTestCredential())

    with client:
        response = client.create(messages=[UserMessage("Hello with a token")])
        print(response.choices[0].message.content)


if __name__ == "__main__":
    main()
