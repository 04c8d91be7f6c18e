"""The official `openai` package, pointed at the emulator's OpenAI-style shapes, accepts every answer.

The package runs with `_strict_response_validation=True`, so each answer is validated against its types
(non-streamed, streamed, tool calls, logprobs, usage details, embeddings in base64 and floats, images), on the
Azure OpenAI v1 shape (`<url>/openai/v1`), an Azure OpenAI deployment, and the OpenAI-compatible `/v1` mode.
"""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any, Iterator

import openai
import pytest

from inference_emulator import DEFAULT_KEY, Emulator

pytestmark = pytest.mark.timeout(60)

HELLO = [{"role": "user", "content": "hello there"}]
REPLY = "Emulated reply to: hello there"
WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather in a city",
        "parameters": {"type": "object", "properties": {"query": {"type": "string"}}},
    },
}


@pytest.fixture(scope="module")
def compatible() -> Iterator[Emulator]:
    with Emulator(openai_compatible=True) as emu:
        yield emu


@pytest.fixture(params=["azure-openai-v1", "openai-compatible"])
def target(request: pytest.FixtureRequest, emu: Emulator, compatible: Emulator) -> tuple[Emulator, str, str]:
    """(emulator, base URL, model) of each OpenAI-style shape."""
    if request.param == "azure-openai-v1":
        return emu, emu.url + "/openai/v1/", "gpt-4o"
    compatible.clear()
    return compatible, compatible.url + "/v1", "local-model"


def _client(base_url: str, is_async: bool, strict: bool = True) -> Any:
    options: dict[str, Any] = {
        "base_url": base_url,
        "api_key": DEFAULT_KEY,
        "max_retries": 0,
        "timeout": 30,
        "_strict_response_validation": strict,
    }
    return openai.AsyncOpenAI(**options) if is_async else openai.OpenAI(**options)


async def _run(client: Any, is_async: bool, call: Any) -> Any:
    result = call(client)
    return await result if is_async else result


async def _collect(stream: Any, is_async: bool) -> list[Any]:
    if is_async:
        return [chunk async for chunk in stream]
    return list(stream)


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
def test_chat_completions_with_every_standard_parameter(target, is_async):
    server, base_url, model = target

    async def body() -> None:
        client = _client(base_url, is_async)
        try:
            completion = await _run(
                client,
                is_async,
                lambda c: c.chat.completions.create(
                    model=model,
                    messages=HELLO,
                    n=2,
                    logprobs=True,
                    top_logprobs=2,
                    max_completion_tokens=40,
                    user="user-1",
                    logit_bias={"50256": -100},
                    seed=7,
                ),
            )
        finally:
            await _run(client, is_async, lambda c: c.close())
        assert [c.index for c in completion.choices] == [0, 1]
        assert completion.choices[0].message.content == REPLY + " (seed 7)"
        assert completion.choices[0].finish_reason == "stop"
        tokens = completion.choices[1].logprobs.content
        assert "".join(t.token for t in tokens) == REPLY + " (seed 7)"
        assert len(tokens[0].top_logprobs) == 2
        assert completion.usage.completion_tokens_details.reasoning_tokens == 0
        assert completion.usage.prompt_tokens_details.cached_tokens == 0
        sent = json.loads(server.requests[-1].body)
        assert sent["model"] == model and sent["max_completion_tokens"] == 40 and sent["n"] == 2

    asyncio.run(body())


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
def test_streamed_chat_with_usage(target, is_async):
    server, base_url, model = target

    async def body() -> None:
        client = _client(base_url, is_async)
        try:
            stream = await _run(
                client,
                is_async,
                lambda c: c.chat.completions.create(
                    model=model, messages=HELLO, stream=True, stream_options={"include_usage": True}, logprobs=True
                ),
            )
            chunks = await _collect(stream, is_async)
        finally:
            await _run(client, is_async, lambda c: c.close())
        text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
        assert text == REPLY
        assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "stop"
        assert chunks[-1].choices == [] and chunks[-1].usage.total_tokens > 0
        assert any(c.choices and c.choices[0].logprobs for c in chunks)
        assert server.requests[-1].headers["Accept"] == "application/json"  # what the package sends

    asyncio.run(body())


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
def test_tool_calls_streamed_and_not(target, is_async):
    _, base_url, model = target
    messages = [{"role": "user", "content": "please call get_weather for Paris"}]

    async def body() -> None:
        client = _client(base_url, is_async)
        try:
            completion = await _run(
                client,
                is_async,
                lambda c: c.chat.completions.create(
                    model=model, messages=messages, tools=[WEATHER], parallel_tool_calls=False
                ),
            )
            stream = await _run(
                client,
                is_async,
                lambda c: c.chat.completions.create(model=model, messages=messages, tools=[WEATHER], stream=True),
            )
            chunks = await _collect(stream, is_async)
        finally:
            await _run(client, is_async, lambda c: c.close())
        call = completion.choices[0].message.tool_calls[0]
        assert (call.type, call.function.name) == ("function", "get_weather")
        assert json.loads(call.function.arguments) == {"query": "please call get_weather for Paris"}
        pieces = [tc for c in chunks if c.choices for tc in c.choices[0].delta.tool_calls or ()]
        assert pieces[0].function.name == "get_weather"
        assert "".join(p.function.arguments or "" for p in pieces) == call.function.arguments

    asyncio.run(body())


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
def test_structured_output(target, is_async):
    _, base_url, model = target
    schema = {
        "name": "answer",
        "schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
        "strict": True,
    }

    async def body() -> None:
        client = _client(base_url, is_async)
        try:
            completion = await _run(
                client,
                is_async,
                lambda c: c.chat.completions.create(
                    model=model, messages=HELLO, response_format={"type": "json_schema", "json_schema": schema}
                ),
            )
        finally:
            await _run(client, is_async, lambda c: c.close())
        assert json.loads(completion.choices[0].message.content) == {"city": REPLY}

    asyncio.run(body())


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
def test_embeddings_in_base64_and_floats(target, is_async):
    server, base_url, model = target

    async def body() -> None:
        # The package asks for base64 by default and decodes it after parsing; its strict mode checks the wire
        # string against `list[float]` first and refuses any base64 answer, so that call runs in its default mode.
        lenient = _client(base_url, is_async, strict=False)
        client = _client(base_url, is_async)
        try:
            packed = await _run(
                lenient, is_async, lambda c: c.embeddings.create(model=model, input="one text", dimensions=8, user="u")
            )
            floats = await _run(
                client,
                is_async,
                lambda c: c.embeddings.create(model=model, input=["one text"], dimensions=8, encoding_format="float"),
            )
        finally:
            await _run(lenient, is_async, lambda c: c.close())
            await _run(client, is_async, lambda c: c.close())
        assert json.loads(server.requests[-2].body)["encoding_format"] == "base64"  # the package's default
        assert len(packed.data) == 1 and len(packed.data[0].embedding) == 8
        assert packed.data[0].embedding == pytest.approx(floats.data[0].embedding, rel=1e-6)
        assert floats.usage.prompt_tokens == 2

    asyncio.run(body())


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
def test_images(target, is_async):
    _, base_url, model = target

    async def body() -> None:
        client = _client(base_url, is_async)
        try:
            result = await _run(
                client,
                is_async,
                lambda c: c.images.generate(model=model, prompt="a red square", size="8x8", response_format="b64_json"),
            )
        finally:
            await _run(client, is_async, lambda c: c.close())
        assert base64.b64decode(result.data[0].b64_json).startswith(b"\x89PNG")
        assert result.data[0].revised_prompt == "a red square"

    asyncio.run(body())


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
def test_azure_openai_deployment_shape(emu, is_async):
    options: dict[str, Any] = {
        "azure_endpoint": emu.url,
        "api_key": DEFAULT_KEY,
        "api_version": "2024-10-21",
        "max_retries": 0,
        "_strict_response_validation": True,
    }

    async def body() -> None:
        client = openai.AsyncAzureOpenAI(**options) if is_async else openai.AzureOpenAI(**options)
        try:
            completion = await _run(
                client, is_async, lambda c: c.chat.completions.create(model="gpt-4o", messages=HELLO)
            )
            stream = await _run(
                client,
                is_async,
                lambda c: c.chat.completions.create(
                    model="gpt-4o", messages=HELLO, stream=True, stream_options={"include_usage": True}
                ),
            )
            chunks = await _collect(stream, is_async)
        finally:
            await _run(client, is_async, lambda c: c.close())
        assert completion.choices[0].message.content == REPLY
        assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == REPLY
        sent = emu.requests[-1]
        assert (sent.path, sent.query) == ("/openai/deployments/gpt-4o/chat/completions", {"api-version": "2024-10-21"})
        assert sent.headers["api-key"] == DEFAULT_KEY

    asyncio.run(body())


def test_v1_errors_reach_the_package_as_its_errors(emu):
    client = _client(emu.url + "/openai/v1/", False)
    try:
        with pytest.raises(openai.BadRequestError) as missing_model:
            client.chat.completions.create(messages=HELLO, model="")  # type: ignore[arg-type]
        with pytest.raises(openai.BadRequestError) as stream_options:
            client.chat.completions.create(model="gpt-4o", messages=HELLO, stream_options={"include_usage": True})
        with pytest.raises(openai.BadRequestError) as reasoning:
            client.chat.completions.create(model="o3-mini", messages=HELLO, max_tokens=5)
    finally:
        client.close()
    assert missing_model.value.status_code == 400
    assert "only allowed when 'stream' is enabled" in str(stream_options.value)
    assert "max_completion_tokens" in str(reasoning.value)
