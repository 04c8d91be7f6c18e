# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""
DESCRIPTION:
    Authenticate with Microsoft Entra ID instead of a key, using DefaultAzureCredential from azure-identity
    (pip install azure-identity aiohttp). The token is requested for https://ml.azure.com/.default unless
    credential_scopes says otherwise (Azure OpenAI: https://cognitiveservices.azure.com/.default).

USAGE:
    python samples/async_samples/sample_entra_id_async.py

    AZURE_AI_CHAT_ENDPOINT  your https endpoint; with it the sample uses DefaultAzureCredential.
    On the local emulator (an http:// endpoint) the sample uses a fixed test token instead (the emulator accepts
    tokens that start with "emulator-token"), over plain http: credentials go over http:// only to loopback
    hosts (127.0.0.1, ::1, localhost); any other host needs https:// (or enforce_https=False).
"""

from __future__ import annotations

import time
from types import TracebackType
from typing import Any, Optional

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # makes samples/_endpoint.py importable
from _endpoint import endpoint_and_key  # noqa: E402  # pylint: disable=wrong-import-position


class LocalTestCredential:
    """A token credential for the local emulator only."""

    async def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        from azure.core.credentials import AccessToken

        return AccessToken("emulator-token-sample", int(time.time()) + 3600)

    async def close(self) -> None:
        pass

    async def __aenter__(self) -> "LocalTestCredential":
        return self

    async def __aexit__(
        self,
        exc_type: Optional[type[BaseException]] = None,
        exc_value: Optional[BaseException] = None,
        traceback: Optional[TracebackType] = None,
    ) -> None:
        pass


async def main() -> None:
    endpoint, _ = endpoint_and_key("CHAT")
    on_real_endpoint = endpoint.startswith("https://")

    from azure.ai.inference.aio import ChatCompletionsClient
    from azure.ai.inference.models import UserMessage

    if on_real_endpoint:
        # [START entra_id]
        from azure.identity.aio import DefaultAzureCredential

        client = ChatCompletionsClient(
            endpoint=endpoint,
            credential=DefaultAzureCredential(),
            credential_scopes=["https://ml.azure.com/.default"],  # the default; shown for clarity
        )
        # [END entra_id]
    else:
        client = ChatCompletionsClient(endpoint, LocalTestCredential())

    async with client:
        response = await client.create(messages=[UserMessage("Hello with a token")])
        print(response.choices[0].message.content)


if __name__ == "__main__":
    asyncio.run(main())
