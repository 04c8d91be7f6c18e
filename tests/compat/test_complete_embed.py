"""The 1.0.0b9 call names against the emulator, sync and async: `complete` (with and without a stream) and
`embed`, with b9's signatures and stream behaviour, beside the unchanged `create` / `create_streaming`."""

from __future__ import annotations

import inspect
import json

import pytest
from azure.core.exceptions import HttpResponseError

import azure.ai.inference as sync_api
import azure.ai.inference.aio as async_api
from azure.ai.inference import StreamingError, models
from azure.ai.inference.models import SystemMessage, UserMessage

pytestmark = pytest.mark.timeout(60)

B9_COMPLETE_KEYWORDS = [
    "messages",
    "stream",
    "frequency_penalty",
    "presence_penalty",
    "temperature",
    "top_p",
    "max_tokens",
    "response_format",
    "stop",
    "tools",
    "tool_choice",
    "seed",
    "model",
    "model_extras",
]
B9_EMBED_KEYWORDS = ["input", "dimensions", "encoding_format", "input_type", "model", "model_extras"]
EMPTY_CHOICES = {"x-emulator-fault": "empty-choices"}


@pytest.mark.parametrize("api", [sync_api, async_api], ids=["sync", "async"])
def test_signatures_are_b9s(api):
    complete = inspect.getfullargspec(api.ChatCompletionsClient.complete)
    assert complete.args == ["self", "body"] and complete.kwonlyargs == B9_COMPLETE_KEYWORDS
    assert complete.varkw == "kwargs"
    for client in (api.EmbeddingsClient, api.ImageEmbeddingsClient):
        embed = inspect.getfullargspec(client.embed)
        assert embed.args == ["self", "body"] and embed.kwonlyargs == B9_EMBED_KEYWORDS


def test_complete_without_stream(emu, mode):
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url) as client:
            response = await m.call(
                client.complete(messages=[SystemMessage("Be brief."), UserMessage("hello")], temperature=0.5, seed=3)
            )
            assert isinstance(response, models.ChatCompletions)
            assert response.choices[0].message.content == "Emulated reply to: hello (seed 3)"
            sent = json.loads(emu.requests[-1].body)
            assert sent["temperature"] == 0.5 and "stream" not in sent
            explicit = await m.call(client.complete(messages=[UserMessage("hi")], stream=False))
            assert explicit.choices[0].message.content == "Emulated reply to: hi"
            whole = await m.call(client.complete({"messages": [{"role": "user", "content": "raw"}]}))
            assert whole.choices[0].message.content == "Emulated reply to: raw"

    mode.run(body)


def test_complete_stream_reads_as_b9(emu, mode):
    async def body(m):
        stream_type = async_api.AsyncStreamingChatCompletions if m.is_async else sync_api.StreamingChatCompletions
        async with m.client("ChatCompletionsClient", emu.url) as client:
            stream = await m.call(client.complete(messages=[UserMessage("hello there")], stream=True))
            assert isinstance(stream, stream_type)
            assert isinstance(
                stream, models.AsyncStreamingChatCompletions if m.is_async else models.StreamingChatCompletions
            )
            updates = await m.collect(stream)
            assert json.loads(emu.requests[-1].body)["stream"] is True
            assert all(isinstance(u, models.StreamingChatCompletionsUpdate) for u in updates)
            # The role update carries "" on the wire; the finish update carries no content: None, as in b9.
            assert updates[-1].choices[0].delta.content is None
            assert updates[-1].choices[0].finish_reason == "stop"
            text = "".join(u.choices[0].delta.content or "" for u in updates if u.choices)
            assert text == "Emulated reply to: hello there"

            # Updates without choices on the wire have none, as in b9; the usage update keeps its usage.
            stream = await m.call(
                client.complete(
                    messages=[UserMessage("hi")],
                    stream=True,
                    model_extras={"stream_options": {"include_usage": True}},
                    headers=EMPTY_CHOICES,
                )
            )
            updates = await m.collect(stream)
            assert updates[0].choices == [] and updates[0]["prompt_filter_results"]
            assert updates[-1].choices == [] and updates[-1].usage.total_tokens > 0
            assert updates[-1]["choices"] == []

            # `"stream": true` in a whole body streams too.
            stream = await m.call(client.complete({"messages": [{"role": "user", "content": "x"}], "stream": True}))
            assert isinstance(stream, stream_type)
            final = await m.call(stream.get_final_completion())
            assert final.choices[0].message.content == "Emulated reply to: x"

            # create_streaming keeps the seed's behaviour.
            stream = await m.call(client.create_streaming(messages=[UserMessage("hi")], headers=EMPTY_CHOICES))
            updates = await m.collect(stream)
            assert updates[0].choices[0].delta.content == "" and updates[-1].choices[0].delta.content == ""

    mode.run(body)


def test_complete_bad_arguments_fail_before_the_network(emu, mode):
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url) as client:
            with pytest.raises(TypeError, match="stream"):
                await m.call(client.complete(messages=[UserMessage("hi")], stream="yes"))
            with pytest.raises(TypeError, match="complete"):
                await m.call(client.complete(messages=[UserMessage("hi")], not_an_option=1))
            with pytest.raises(TypeError, match="messages"):
                await m.call(client.complete(stream=True))
        assert emu.requests == []

    mode.run(body)


def test_complete_errors_are_azure_core_errors(emu, mode):
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url, key="wrong") as client:
            with pytest.raises(HttpResponseError) as info:
                await m.call(client.complete(messages=[UserMessage("hi")], stream=True))
            assert info.value.status_code == 401

    mode.run(body)


def test_embed(emu, mode):
    async def body(m):
        async with m.client("EmbeddingsClient", emu.url) as client:
            result = await m.call(client.embed(input=["first", "second"], dimensions=8, encoding_format="base64"))
            assert isinstance(result, models.EmbeddingsResult)
            assert [len(item.embedding) for item in result.data] == [8, 8]
            same = await m.call(client.create(input=["first"], dimensions=8))
            assert same.data[0].embedding == pytest.approx(result.data[0].embedding, rel=1e-6)
            sent = json.loads(emu.requests[0].body)
            assert sent == {"input": ["first", "second"], "dimensions": 8, "encoding_format": "base64"}
            with pytest.raises(TypeError, match="embed"):
                await m.call(client.embed(input=["x"], bogus=True))

    mode.run(body)


def test_final_completion_is_the_public_type_and_refuses_a_closed_stream(emu, mode):
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url) as client:
            stream = await m.call(client.create_streaming(messages=[UserMessage("one two three")]))
            final = await m.call(stream.get_final_completion())
            assert isinstance(final, models.ChatCompletions)
            assert final["choices"][0].message.content == "Emulated reply to: one two three"

            slow = {"x-emulator-fault": "slow-stream;delay=0.5"}
            stream = await m.call(client.complete(messages=[UserMessage("one two three")], stream=True, headers=slow))
            first = await (stream.__anext__() if m.is_async else m.call(next(stream)))
            assert first.choices[0].delta.role == "assistant"
            await m.call(stream.close())
            with pytest.raises(StreamingError, match="incomplete"):
                await m.call(stream.get_final_completion())

    mode.run(body)


def test_named_parameters_in_model_extras_are_lifted(emu, mode):
    """1.0.0b9 merged model_extras into the body as it was; frameworks put named parameters there."""

    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url) as client:
            extras = {"response_format": {"type": "json_object"}, "logit_bias": {"1": 2}}
            response = await m.call(client.complete(messages=[UserMessage("hi")], model_extras=extras))
            assert json.loads(response.choices[0].message.content) == {"reply": "Emulated reply to: hi"}
            sent = emu.requests[-1]
            assert json.loads(sent.body)["response_format"] == {"type": "json_object"}
            assert json.loads(sent.body)["logit_bias"] == {"1": 2} and sent.headers["extra-parameters"] == "allow"
            with pytest.raises(TypeError, match="temperature"):
                await m.call(client.complete(messages=[UserMessage("hi")], model_extras={"temperature": "hot"}))
            with pytest.raises(ValueError, match="model_extras must not repeat"):
                await m.call(client.complete(messages=[UserMessage("hi")], seed=1, model_extras={"seed": 2}))
            # create keeps the seed's rule: named parameters are refused in model_extras.
            with pytest.raises(ValueError, match="model_extras must not repeat"):
                await m.call(client.create(messages=[UserMessage("hi")], model_extras={"seed": 2}))
        async with m.client("EmbeddingsClient", emu.url) as embeddings:
            result = await m.call(embeddings.embed(input=["x"], model_extras={"dimensions": 8}))
            assert len(result.data[0].embedding) == 8
            assert "extra-parameters" not in emu.requests[-1].headers

    mode.run(body)
