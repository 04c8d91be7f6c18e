# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""
DESCRIPTION:
    `run_tools` with the async client: the client calls the model, runs the functions it asks for (the async ones
    of one round concurrently, under asyncio.gather), sends their results back, and repeats until the model
    answers without tool calls (at most `max_rounds` calls). A tool that raises, an unknown function or invalid
    arguments become a tool message with the error's text. The result holds the last answer and the whole
    conversation, ready for the next question.

USAGE:
    pip install "azure-ai-inference[structured,aio]"
    python samples/async_samples/sample_run_tools_async.py

    AZURE_AI_CHAT_ENDPOINT, AZURE_AI_CHAT_KEY  your endpoint and key; without them the sample runs on the local
    emulator. Without Pydantic it prints why and exits with 77, which samples/run_samples.py reports as SKIPPED.
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

    # [START run_tools]
    from azure.ai.inference.aio import ChatCompletionsClient
    from azure.ai.inference.models import SystemMessage, ToolRoundsExceededError, UserMessage
    from azure.core.credentials import AzureKeyCredential

    async def get_weather(city: str) -> str:
        """Get the current weather in a city.

        Args:
            city: The city's name.
        """
        await asyncio.sleep(0.1)  # a weather service; get_time runs meanwhile
        return f"Sunny, 21 degrees, in {city}"

    async def get_time(city: str) -> dict[str, str]:
        """Get the local time in a city.

        :param city: The city's name.
        """
        await asyncio.sleep(0.1)
        return {"city": city, "time": "14:05"}  # anything but a str is sent as JSON

    def to_fahrenheit(celsius: float) -> float:
        """Convert a temperature; a sync function runs in the event loop's thread."""
        return celsius * 9 / 5 + 32

    async with ChatCompletionsClient(endpoint, AzureKeyCredential(key)) as client:
        try:
            run = await client.run_tools(
                messages=[
                    SystemMessage("You are a helpful assistant."),
                    UserMessage("Weather and time in Oslo? Please call get_weather and get_time."),
                ],
                tools=[get_weather, get_time, to_fahrenheit],
                max_rounds=5,
            )
        except ToolRoundsExceededError as error:  # still asking for tools after 5 calls to the model
            print(f"Stopped after {error.max_rounds} rounds; {len(error.messages)} messages so far")
        else:
            print(f"{run.rounds} calls to the model: {run.completion.choices[0].message.content}")
            for message in run.messages:
                print(f"  {message['role']}: {message.get('content') or message.get('tool_calls')}")
            # The conversation goes on from the transcript.
            follow_up = await client.create(messages=run.messages + [UserMessage("Thanks!")])
            print(follow_up.choices[0].message.content)
    # [END run_tools]


if __name__ == "__main__":
    asyncio.run(main())
