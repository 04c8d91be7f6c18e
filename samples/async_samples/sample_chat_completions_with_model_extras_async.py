# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""
DESCRIPTION:
    The async twin of sample_chat_completions_with_model_extras.py: send a parameter the REST API does not
    define, but the model understands, with `model_extras`.

USAGE:
    python samples/async_samples/sample_chat_completions_with_model_extras_async.py

    AZURE_AI_CHAT_ENDPOINT, AZURE_AI_CHAT_KEY: your endpoint and key; without them the sample runs on the
    local emulator. The model must know the extra parameter (`top_k` here), or the service answers with an
    error.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # makes samples/_endpoint.py importable
from _endpoint import endpoint_and_key  # noqa: E402  # pylint: disable=wrong-import-position


async def main() -> None:
    endpoint, key = endpoint_and_key("CHAT")

    # [START model_extras]
    from azure.ai.inference.aio import ChatCompletionsClient
    from azure.ai.inference.models import UserMessage
    from azure.core.credentials import AzureKeyCredential

    async with ChatCompletionsClient(endpoint=endpoint, credential=AzureKeyCredential(key)) as client:
        response = await client.create(
            messages=[UserMessage("Suggest a name for a bakery.")],
            temperature=0.9,
            model_extras={"top_k": 40},  # sent in the body as "top_k": 40
        )
        print(response.choices[0].message.content)
    # [END model_extras]


if __name__ == "__main__":
    asyncio.run(main())
