# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""
DESCRIPTION:
    Python functions as tools, with the async client: give the functions themselves (sync or async) in `tools=`
    (type hints and a docstring describe them). `function_tool(f)` gives the definition sent and checks a call's
    arguments against the function before you run it.

USAGE:
    pip install "azure-ai-inference[structured,aio]"
    python samples/async_samples/sample_chat_completions_tools_functions_async.py

    AZURE_AI_CHAT_ENDPOINT, AZURE_AI_CHAT_KEY  your endpoint and key; without them the sample runs on the local
    emulator. Without Pydantic it prints why and exits with 77, which samples/run_samples.py reports as SKIPPED.
"""

from __future__ import annotations

import asyncio
import importlib.util
import sys
from pathlib import Path
from typing import Literal  # at module level: the tool's type hints are read from the module's names

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # makes samples/_endpoint.py importable
from _endpoint import endpoint_and_key, skip_sample  # noqa: E402  # pylint: disable=wrong-import-position


async def main() -> None:
    if importlib.util.find_spec("pydantic") is None:
        skip_sample('needs Pydantic 2: pip install "azure-ai-inference[structured]"')
    endpoint, key = endpoint_and_key("CHAT")

    # [START chat_completions_tools_functions]
    from azure.ai.inference.aio import ChatCompletionsClient
    from azure.ai.inference.models import (
        AssistantMessage,
        ChatRequestMessage,
        ToolArgumentsError,
        ToolMessage,
        UserMessage,
        function_tool,
    )
    from azure.core.credentials import AzureKeyCredential

    async def get_weather(city: str, unit: Literal["celsius", "fahrenheit"] = "celsius") -> str:
        """Get the current weather in a city.

        Args:
            city: The city's name, for example Paris.
            unit: The temperature unit.
        """
        await asyncio.sleep(0)  # a real tool would ask a weather service here
        return f"Sunny, 21 degrees {unit}, in {city}"

    weather = function_tool(get_weather)
    print(f"The definition sent: {weather.definition}")

    async with ChatCompletionsClient(endpoint, AzureKeyCredential(key)) as client:
        messages: list[ChatRequestMessage] = [UserMessage("What is the weather in Lisbon? Please call get_weather.")]
        response = await client.create(messages=messages, tools=[get_weather])
        calls = response.choices[0].message.tool_calls or []
        messages.append(AssistantMessage(tool_calls=calls))
        for call in calls:
            try:
                arguments = weather.parse_arguments(call.function.arguments)  # validated keyword arguments
                result = await get_weather(**arguments)
            except ToolArgumentsError as error:
                result = f"Error: {error}"
            messages.append(ToolMessage(result, tool_call_id=call.id))
        final = await client.create(messages=messages, tools=[get_weather])
        print(final.choices[0].message.content)
    # [END chat_completions_tools_functions]


if __name__ == "__main__":
    asyncio.run(main())
