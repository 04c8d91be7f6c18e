# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""
DESCRIPTION:
    `run_tools`: the client calls the model, runs the Python functions it asks for, sends their results back, and
    repeats until the model answers without tool calls (at most `max_rounds` calls). A tool that raises, an
    unknown function or invalid arguments become a tool message with the error's text, so the model can correct
    itself. The result holds the last answer and the whole conversation, ready for the next question.

USAGE:
    pip install "azure-ai-inference[structured]"
    python samples/sample_run_tools.py

    AZURE_AI_CHAT_ENDPOINT, AZURE_AI_CHAT_KEY  your endpoint and key; without them the sample runs on the local
    emulator. Without Pydantic it prints why and exits with 77, which samples/run_samples.py reports as SKIPPED.
"""

from __future__ import annotations

import importlib.util

from _endpoint import endpoint_and_key, skip_sample


def main() -> None:
    if importlib.util.find_spec("pydantic") is None:
        skip_sample('needs Pydantic 2: pip install "azure-ai-inference[structured]"')
    endpoint, key = endpoint_and_key("CHAT")

    # [START run_tools]
    from azure.ai.inference import ChatCompletionsClient
    from azure.ai.inference.models import SystemMessage, ToolRoundsExceededError, UserMessage
    from azure.core.credentials import AzureKeyCredential

    def get_weather(city: str) -> str:
        """Get the current weather in a city.

        Args:
            city: The city's name.
        """
        return f"Sunny, 21 degrees, in {city}"

    def get_time(city: str) -> dict[str, str]:
        """Get the local time in a city.

        :param city: The city's name.
        """
        return {"city": city, "time": "14:05"}  # anything but a str is sent as JSON

    with ChatCompletionsClient(endpoint, AzureKeyCredential(key)) as client:
        try:
            run = client.run_tools(
                messages=[
                    SystemMessage("You are a helpful assistant."),
                    UserMessage("Weather and time in Oslo? Please call get_weather and get_time."),
                ],
                tools=[get_weather, get_time],
                max_rounds=5,
            )
        except ToolRoundsExceededError as error:  # still asking for tools after 5 calls to the model
            print(f"Stopped after {error.max_rounds} rounds; {len(error.messages)} messages so far")
        else:
            print(f"{run.rounds} calls to the model: {run.completion.choices[0].message.content}")
            for message in run.messages:
                print(f"  {message['role']}: {message.get('content') or message.get('tool_calls')}")
            # The conversation goes on from the transcript.
            follow_up = client.create(messages=run.messages + [UserMessage("Thanks!")])
            print(follow_up.choices[0].message.content)
    # [END run_tools]


if __name__ == "__main__":
    main()
