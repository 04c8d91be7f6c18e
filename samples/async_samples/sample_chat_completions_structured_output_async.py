# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""
DESCRIPTION:
    Ask for an answer that follows a JSON Schema (api-version 2024-05-01-preview and later), or for any
    JSON object, and parse it.

USAGE:
    python samples/async_samples/sample_chat_completions_structured_output_async.py

    AZURE_AI_CHAT_ENDPOINT, AZURE_AI_CHAT_KEY  your endpoint and key; without them the sample runs on the
    local emulator.
"""

from __future__ import annotations

import json

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # makes samples/_endpoint.py importable
from _endpoint import endpoint_and_key  # noqa: E402  # pylint: disable=wrong-import-position


async def main() -> None:
    endpoint, key = endpoint_and_key("CHAT")

    # [START chat_completions_structured_output]
    from azure.ai.inference.aio import ChatCompletionsClient
    from azure.ai.inference.models import JsonSchemaFormat, SystemMessage, UserMessage
    from azure.core.credentials import AzureKeyCredential

    city_schema = JsonSchemaFormat(
        name="city_facts",
        schema={
            "type": "object",
            "properties": {"city": {"type": "string"}, "population": {"type": "integer"}},
            "required": ["city", "population"],
            "additionalProperties": False,
        },
        description="A city and its population",
        strict=True,
    )
    async with ChatCompletionsClient(endpoint, AzureKeyCredential(key), api_version="2024-05-01-preview") as client:
        response = await client.create(
            messages=[SystemMessage("Answer in JSON."), UserMessage("Which is the largest city of Japan?")],
            response_format=city_schema,
        )
        facts = json.loads(response.choices[0].message.content or "{}")
        print(f"Following the schema: {facts}")

        # Any JSON object: "json_object" (sent in the form the api-version expects), or a dict sent unchanged.
        response = await client.create(messages=[UserMessage("Describe Lisbon.")], response_format="json_object")
        print(f"A JSON object: {json.loads(response.choices[0].message.content or '{}')}")
    # [END chat_completions_structured_output]


if __name__ == "__main__":
    asyncio.run(main())
