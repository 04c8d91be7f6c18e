# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""
DESCRIPTION:
    Typed structured output with the async client: give a Pydantic model class (or a dataclass, or a TypedDict)
    as `response_format`; `choices[0].message.parsed` is an instance. A refusal, an answer cut at the token limit
    or one that does not validate raise their own StructuredOutputError. Streamed: the updates stay text,
    `await stream.get_final_completion()` gives the parsed answer.

USAGE:
    pip install "azure-ai-inference[structured,aio]"
    python samples/async_samples/sample_chat_completions_structured_typed_async.py

    AZURE_AI_CHAT_ENDPOINT, AZURE_AI_CHAT_KEY  your endpoint and key (api-version 2024-05-01-preview or later
    for `json_schema`); without them the sample runs on the local emulator. Without Pydantic it prints why and
    exits with 77, which samples/run_samples.py reports as SKIPPED.
"""

from __future__ import annotations

import asyncio
import importlib.util
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # makes samples/_endpoint.py importable
from _endpoint import endpoint_and_key, skip_sample  # noqa: E402  # pylint: disable=wrong-import-position


async def main() -> None:
    if importlib.util.find_spec("pydantic") is None:
        skip_sample('needs Pydantic 2: pip install "azure-ai-inference[structured]"')
    endpoint, key = endpoint_and_key("CHAT")

    # [START chat_completions_structured_typed]
    from pydantic import BaseModel

    from azure.ai.inference.aio import ChatCompletionsClient
    from azure.ai.inference.models import LengthFinishReasonError, StructuredOutputError, UserMessage
    from azure.core.credentials import AzureKeyCredential

    class City(BaseModel):
        """A city and its population."""

        name: str
        country: str
        population: int

    async with ChatCompletionsClient(endpoint, AzureKeyCredential(key), api_version="2024-05-01-preview") as client:
        response = await client.create(
            messages=[UserMessage("Which is the largest city of Japan?")], response_format=City
        )
        city = response.choices[0].message.parsed  # a City (None only for an answer that called tools)
        if city is not None:
            print(f"{city.name} ({city.country}): {city.population} inhabitants")

        # Streamed: the updates are text as usual; the final completion is read into the type.
        stream = await client.create_streaming(messages=[UserMessage("And of France?")], response_format=City)
        async with stream:
            async for update in stream:
                print(update.choices[0].delta.content, end="", flush=True)
            print()
            final = await stream.get_final_completion()
            print(f"Parsed: {final.choices[0].message.parsed!r}")

        # Each failure has its error, with the answer in `.completion` and the raw text in `.content`.
        try:
            await client.create(messages=[UserMessage("And of Italy?")], response_format=City, max_tokens=3)
        except LengthFinishReasonError as error:
            print(f"Cut at the token limit: {error.content!r}")
        except StructuredOutputError as error:
            print(f"Not read ({error.reason}): {error}")
    # [END chat_completions_structured_typed]


if __name__ == "__main__":
    asyncio.run(main())
