"""`run_tools`, sync and async: the loop on the emulator's Model Inference, Azure OpenAI v1 and OpenAI-compatible
shapes (a round of calls, parallel calls in order, the transcript ready to send again), its bounds (max_rounds, a
tool that raises, an unknown tool and invalid arguments from a scripted server, on_error), async tools running
concurrently (proved with events), and bad inputs refused before anything is sent."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from azure.ai.inference.models import (
    ParsedChatCompletions,
    ToolRoundsExceededError,
    ToolRun,
    UserMessage,
)
from _scripted import ScriptedServer

from .test_structured_schema import Person
from .test_structured_tools import Lookup, add, explode, get_weather
from .test_typed_clients import SHAPES, compatible, endpoint_of  # noqa: F401  # `compatible` is a fixture

pytestmark = pytest.mark.timeout(60)


def sync_tools(mode: Any) -> list[Any]:
    """get_weather and Lookup, with `add` (async) for the async client only."""
    return [get_weather, add, Lookup] if mode.is_async else [get_weather, Lookup]


def roles(messages: list[Any]) -> list[str]:
    return [message["role"] for message in messages]


@pytest.mark.parametrize("shape", SHAPES)
def test_a_round_of_parallel_calls_then_the_answer_on_every_shape(emu, compatible, mode, shape):
    endpoint, kwargs = endpoint_of(shape, emu, compatible)
    tools = sync_tools(mode)
    names = [getattr(tool, "__name__") for tool in tools]
    given = [UserMessage(f"please call {' and '.join(names)}")]

    async def body(m):
        async with m.client("ChatCompletionsClient", endpoint, **kwargs) as client:
            run = await m.call(client.run_tools(messages=given, tools=tools))
            assert isinstance(run, ToolRun) and run.rounds == 2 and len(given) == 1  # the caller's list is kept
            assert roles(run.messages) == ["user", "assistant"] + ["tool"] * len(tools) + ["assistant"]
            calls = run.messages[1]["tool_calls"]
            assert [call["function"]["name"] for call in calls] == names
            results = run.messages[2 : 2 + len(tools)]
            assert [r["tool_call_id"] for r in results] == [call["id"] for call in calls]  # in the order of the calls
            assert results[0]["content"].endswith(": sunny, 21 degrees celsius, 0 days")
            assert json.loads(results[-1]["content"])["word"]  # a model tool answers with its validated instance
            assert run.completion.choices[0].finish_reason == "stop"
            assert run.messages[-1]["content"] == run.completion.choices[0].message.content
            # the transcript is ready to send again
            again = await m.call(client.create(messages=run.messages + [UserMessage("thanks")]))
            assert again.choices[0].message.content

    mode.run(body)


def test_max_rounds_raises_with_the_whole_conversation(emu, mode):
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url) as client:
            for max_rounds in (1, 3):
                error = await m.raises(
                    ToolRoundsExceededError,
                    lambda: client.run_tools(
                        messages=[UserMessage("weather?")],
                        tools=[get_weather],
                        tool_choice="required",
                        max_rounds=max_rounds,
                    ),
                )
                assert error.max_rounds == max_rounds and str(max_rounds) in str(error)
                assert roles(error.messages) == ["user"] + ["assistant", "tool"] * max_rounds
                assert error.completion.choices[0].finish_reason == "tool_calls"
            # the conversation goes on from where it stopped
            run = await m.call(client.run_tools(messages=error.messages, tools=[get_weather]))
            assert run.rounds == 1 and roles(run.messages)[-1] == "assistant"

    mode.run(body)


def test_a_tool_that_raises_becomes_a_tool_message(emu, mode):
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url) as client:
            run = await m.call(
                client.run_tools(
                    messages=[UserMessage("please call explode and get_weather")], tools=[explode, get_weather]
                )
            )
            assert roles(run.messages) == ["user", "assistant", "tool", "tool", "assistant"]
            assert run.messages[2]["content"].startswith("Error: the tool explode raised RuntimeError: boom:")
            assert "sunny" in run.messages[3]["content"]

            custom = await m.call(
                client.run_tools(
                    messages=[UserMessage("please call explode")],
                    tools=[explode],
                    on_error=lambda error, name: f"{name} failed ({type(error).__name__})",
                )
            )
            assert custom.messages[2]["content"] == "explode failed (RuntimeError)"

            def stop(error: BaseException, name: str) -> str:
                raise error

            await m.raises(
                RuntimeError,
                lambda: client.run_tools(messages=[UserMessage("please call explode")], tools=[explode], on_error=stop),
            )

    mode.run(body)


def _calls(*calls: tuple[str, str]) -> bytes:
    tool_calls = [
        {"id": f"call_{i}", "type": "function", "function": {"name": name, "arguments": arguments}}
        for i, (name, arguments) in enumerate(calls)
    ]
    message = {"role": "assistant", "content": None, "tool_calls": tool_calls}
    choice = {"index": 0, "finish_reason": "tool_calls", "message": message}
    return json.dumps(
        {"id": "x", "object": "chat.completion", "created": 1, "model": "m", "choices": [choice]}
    ).encode()


def test_an_unknown_tool_and_invalid_arguments_become_tool_messages(mode):
    async def body(m):
        with ScriptedServer() as server:
            server.json(_calls(("nope", "{}"), ("get_weather", '{"city": 5}'), ("get_weather", "{not json")))
            async with m.client("ChatCompletionsClient", server.url, api_version=None) as client:
                error = await m.raises(
                    ToolRoundsExceededError,
                    lambda: client.run_tools(messages=[UserMessage("x")], tools=[get_weather], max_rounds=1),
                )
            texts = [message["content"] for message in error.messages[2:]]
            assert texts[0] == "Error: no tool named 'nope'; the tools: get_weather"
            assert texts[1].startswith("Error: invalid arguments for get_weather: city:")
            assert texts[2].startswith("Error: invalid arguments for get_weather:")
            assert [message["tool_call_id"] for message in error.messages[2:]] == ["call_0", "call_1", "call_2"]
            assert server.hits == 1

    mode.run(body)


def test_async_tools_of_one_round_run_concurrently(emu):
    """Each tool waits for the other to have started: run one after the other, the first would wait forever (the
    bound only ends a failing test)."""
    started: dict[str, asyncio.Event] = {}
    order: list[str] = []

    async def meet(me: str, other: str) -> str:
        order.append(f"{me} started")
        started[me].set()
        await asyncio.wait_for(started[other].wait(), 20)
        order.append(f"{me} done")
        return f"{me} met {other}"

    async def north(city: str) -> str:
        """Goes north."""
        return await meet("north", "south")

    async def south(city: str) -> str:
        """Goes south."""
        return await meet("south", "north")

    def local(city: str) -> str:
        """A sync tool in the async client: runs in the event loop's thread."""
        order.append("local")
        return "local"

    async def main() -> ToolRun:
        from azure.ai.inference.aio import ChatCompletionsClient
        from azure.core.credentials import AzureKeyCredential

        started.update(north=asyncio.Event(), south=asyncio.Event())
        async with ChatCompletionsClient(emu.url, AzureKeyCredential("emulator-key")) as client:
            return await client.run_tools(
                messages=[UserMessage("please call north and local and south")], tools=[north, local, south]
            )

    run = asyncio.run(main())
    assert [m["content"] for m in run.messages[2:5]] == ["north met south", "local", "south met north"]
    assert order.index("south started") < order.index("north done")


def test_the_answer_after_the_tools_is_read_into_a_type(emu, mode):
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url + "/models", api_version="2024-05-01-preview") as client:
            run = await m.call(
                client.run_tools(
                    messages=[UserMessage("please call get_weather")], tools=[get_weather], response_format=Person
                )
            )
            assert isinstance(run.completion, ParsedChatCompletions)
            assert isinstance(run.completion.choices[0].message.parsed, Person)

    mode.run(body)


class _Definition(dict):
    pass


BAD = [
    ({"tools": []}, TypeError, "non-empty list"),
    ({"tools": [{"type": "function", "function": {"name": "f"}}]}, TypeError, "cannot be run"),
    ({"tools": [lambda city: city]}, TypeError, "needs a type hint"),
    ({"tools": [get_weather, get_weather]}, ValueError, "two tools are named"),
    ({"tools": [get_weather], "max_rounds": 0}, ValueError, "max_rounds"),
    ({"tools": [get_weather], "on_error": "text"}, TypeError, "on_error"),
    ({"tools": [get_weather], "stream": True}, TypeError, "stream"),
    ({"tools": [get_weather], "messages": "hello"}, TypeError, "messages"),
]


@pytest.mark.parametrize("arguments, error_type, words", BAD, ids=[str(i) for i in range(len(BAD))])
def test_bad_arguments_are_refused_before_anything_is_sent(mode, arguments, error_type, words):
    async def body(m):
        with ScriptedServer() as server:
            async with m.client("ChatCompletionsClient", server.url, api_version=None) as client:
                kwargs = {"messages": [UserMessage("x")], **arguments}
                error = await m.raises(error_type, lambda: client.run_tools(**kwargs))
                assert words in str(error)
            assert server.hits == 0

    mode.run(body)


def test_the_sync_client_refuses_async_tools_before_anything_is_sent():
    from azure.ai.inference import ChatCompletionsClient
    from azure.core.credentials import AzureKeyCredential

    with ScriptedServer() as server:
        with ChatCompletionsClient(server.url, AzureKeyCredential("key"), api_version=None) as client:
            with pytest.raises(TypeError) as info:
                client.run_tools(messages=[UserMessage("x")], tools=[get_weather, add])
        assert "'add' is an async function" in str(info.value) and "azure.ai.inference.aio" in str(info.value)
        assert server.hits == 0
