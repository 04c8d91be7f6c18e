# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""
DESCRIPTION:
    Let the model call a function: describe the tool, run the call the model asks for, send the result
    back in a ToolMessage, and read the final answer.

USAGE:
    python samples/sample_chat_completions_with_tools.py

    AZURE_AI_CHAT_ENDPOINT, AZURE_AI_CHAT_KEY  your endpoint and key; without them the sample runs on the
    local emulator.
"""

from __future__ import annotations

import json

from _endpoint import endpoint_and_key


def get_weather(city: str) -> str:
    """The tool: a stand-in for a real weather service."""
    return f"18 C and sunny in {city}"


def main() -> None:
    endpoint, key = endpoint_and_key("CHAT")

    # [START chat_completions_with_tools]
    from azure.ai.inference import ChatCompletionsClient
    from azure.ai.inference.models import (
        AssistantMessage,
        ChatCompletionsToolDefinition,
        ChatRequestMessage,
        FunctionDefinition,
        ToolMessage,
        UserMessage,
    )
    from azure.core.credentials import AzureKeyCredential

    weather_tool = ChatCompletionsToolDefinition(
        function=FunctionDefinition(
            name="get_weather",
            description="The current weather in a city.",
            parameters={"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]},
        )
    )
    messages: list[ChatRequestMessage] = [UserMessage("What is the weather in Paris? Please call get_weather.")]
    with ChatCompletionsClient(endpoint, AzureKeyCredential(key), tools=[weather_tool]) as client:
        response = client.create(messages=messages, tool_choice="auto")
        choice = response.choices[0]
        if choice.message.tool_calls:
            # Keep the model's request in the history, then answer each call by its id.
            messages.append(AssistantMessage(tool_calls=choice.message.tool_calls))
            for call in choice.message.tool_calls:
                arguments = json.loads(call.function.arguments)
                print(f"The model calls {call.function.name}({arguments})")
                messages.append(ToolMessage(get_weather(arguments["query"]), tool_call_id=call.id))
            response = client.create(messages=messages)
        print(f"Answer: {response.choices[0].message.content}")
    # [END chat_completions_with_tools]


if __name__ == "__main__":
    main()
