"""OpenAI's chat parameters (max_completion_tokens, reasoning_effort, parallel_tool_calls, n, user, logprobs,
top_logprobs, logit_bias, stream_options) and embeddings `user` and one-string `input`, sync and async."""

from __future__ import annotations

import json

import pytest
from azure.core.exceptions import HttpResponseError

from azure.ai.inference.models import UserMessage

pytestmark = pytest.mark.timeout(60)

HELLO = [UserMessage("hello there")]
V1 = "/openai/v1"

NEW_ARGUMENTS = {
    "max_completion_tokens": 50,
    "reasoning_effort": "low",
    "parallel_tool_calls": False,
    "n": 2,
    "user": "user-1",
    "logprobs": True,
    "top_logprobs": 2,
    "logit_bias": {50256: -100, "15": 5.5},
}
NEW_ON_THE_WIRE = {**NEW_ARGUMENTS, "logit_bias": {"50256": -100, "15": 5.5}}


def test_new_arguments_reach_the_v1_body_as_standard_fields(emu, mode):
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url + V1, model="gpt-4o") as client:
            result = await m.call(client.create(messages=HELLO, **NEW_ARGUMENTS))
        sent = emu.requests[-1]
        assert json.loads(sent.body) == {
            "messages": [{"role": "user", "content": "hello there"}],
            "model": "gpt-4o",
            **NEW_ON_THE_WIRE,
        }
        assert "extra-parameters" not in sent.headers
        assert [c.index for c in result.choices] == [0, 1]
        logprobs = result.choices[1].logprobs
        assert logprobs is not None
        tokens = [entry.token for entry in logprobs.content]
        assert "".join(tokens) == result.choices[1].message.content == "Emulated reply to: hello there"
        assert len(logprobs.content[0].top_logprobs) == 2
        assert logprobs.content[0].top_logprobs[0].token == tokens[0]
        assert logprobs.content[0].logprob < 0
        details = result.usage.completion_tokens_details
        assert details is not None and details.reasoning_tokens == 0
        assert result.usage.completion_tokens == 2 * len(tokens)

    mode.run(body)


@pytest.mark.parametrize(
    "suffix,api_version,header",
    [("", "2024-04-01-preview", "allow"), ("/models", "2024-05-01-preview", "pass-through")],
)
def test_on_model_inference_endpoints_they_travel_with_extra_parameters(emu, mode, suffix, api_version, header):
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url + suffix, api_version=api_version) as client:
            result = await m.call(client.create(messages=HELLO, n=2, user="u"))
            plain = await m.call(client.create(messages=HELLO))
        with_new, without = emu.requests[-2], emu.requests[-1]
        assert with_new.headers["extra-parameters"] == header
        assert json.loads(with_new.body) == {
            "messages": [{"role": "user", "content": "hello there"}],
            "n": 2,
            "user": "u",
        }
        assert len(result.choices) == 2
        assert "extra-parameters" not in without.headers and len(plain.choices) == 1

    mode.run(body)


def test_constructor_defaults_and_stream_options_for_streaming_only(emu, mode):
    async def body(m):
        async with m.client(
            "ChatCompletionsClient",
            emu.url + V1,
            model="gpt-4o",
            user="everyone",
            max_completion_tokens=3,
            stream_options={"include_usage": True},
        ) as client:
            result = await m.call(client.create(messages=HELLO, user="me"))
            plain = json.loads(emu.requests[-1].body)
            stream = await m.call(client.create_streaming(messages=HELLO))
            updates = await m.collect(stream)
        assert plain == {
            "messages": [{"role": "user", "content": "hello there"}],
            "model": "gpt-4o",
            "user": "me",
            "max_completion_tokens": 3,
        }
        assert result.choices[0].finish_reason == "length"
        streamed = json.loads(emu.requests[-1].body)
        assert streamed["stream_options"] == {"include_usage": True} and streamed["stream"] is True
        assert streamed["user"] == "everyone"
        assert updates[-1].as_dict()["choices"] == [] and updates[-1].usage.completion_tokens == 3

    mode.run(body)


def test_streamed_choices_and_logprobs(emu, mode):
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url + V1, model="gpt-4o") as client:
            stream = await m.call(
                client.create_streaming(messages=HELLO, n=2, logprobs=True, stream_options={"include_usage": True})
            )
            updates = await m.collect(stream)
        texts = {0: "", 1: ""}
        wire = [update.as_dict() for update in updates]
        for update in wire:
            for choice in update["choices"]:
                texts[choice["index"]] += choice["delta"].get("content") or ""
        assert texts == {0: "Emulated reply to: hello there", 1: "Emulated reply to: hello there"}
        with_logprobs = [u for u in updates if u.as_dict()["choices"] and u.choices[0].logprobs is not None]
        assert with_logprobs and with_logprobs[0].choices[0].logprobs.content[0].token
        assert updates[-1].usage.completion_tokens_details.reasoning_tokens == 0

    mode.run(body)


def test_reasoning_models_take_max_completion_tokens(emu, mode):
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url + V1, model="o3-mini") as client:
            error = await m.raises(HttpResponseError, lambda: client.create(messages=HELLO, max_tokens=5))
            result = await m.call(
                client.create(
                    messages=[UserMessage("think about it")], max_completion_tokens=5, reasoning_effort="high"
                )
            )
        assert error.status_code == 400 and "max_completion_tokens" in str(error)
        assert result.choices[0].finish_reason == "length"
        assert result.usage.completion_tokens_details.reasoning_tokens > 0

    mode.run(body)


@pytest.mark.parametrize(
    "kwargs,exc_type,needle",
    [
        ({"max_completion_tokens": -1}, ValueError, "max_completion_tokens"),
        ({"max_completion_tokens": 1.5}, TypeError, "max_completion_tokens"),
        ({"reasoning_effort": 3}, TypeError, "reasoning_effort"),
        ({"parallel_tool_calls": 1}, TypeError, "parallel_tool_calls"),
        ({"n": 0}, ValueError, "n must be"),
        ({"n": True}, TypeError, "n must be"),
        ({"user": ["u"]}, TypeError, "user"),
        ({"logprobs": "yes"}, TypeError, "logprobs"),
        ({"top_logprobs": 21}, ValueError, "top_logprobs"),
        ({"logit_bias": {"word": 1}}, TypeError, "logit_bias keys"),
        ({"logit_bias": {1: 101}}, ValueError, "logit_bias[1]"),
        ({"logit_bias": {1: float("nan")}}, ValueError, "logit_bias[1]"),
        ({"logit_bias": [1]}, TypeError, "logit_bias"),
        ({"model_extras": {"n": 3}, "n": 2}, ValueError, "model_extras must not repeat"),
    ],
)
def test_bad_values_fail_before_the_network(emu, mode, kwargs, exc_type, needle):
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url + V1, model="gpt-4o") as client:
            error = await m.raises(exc_type, lambda: client.create(messages=HELLO, **kwargs))
        assert needle in str(error)
        assert emu.requests == []

    mode.run(body)


@pytest.mark.parametrize("options", [{"include_usage": "yes"}, "include_usage"])
def test_bad_stream_options(emu, mode, options):
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url + V1, model="gpt-4o") as client:
            error = await m.raises(Exception, lambda: client.create_streaming(messages=HELLO, stream_options=options))
        assert isinstance(error, (TypeError, ValueError)) and "stream_options" in str(error)
        assert emu.requests == []

    mode.run(body)


def test_embeddings_user_and_one_string(emu, mode):
    async def body(m):
        async with m.client("EmbeddingsClient", emu.url + V1, model="text-embedding-3-small", user="u1") as client:
            one = await m.call(client.create(input="a single text"))
            many = await m.call(client.create(input=["a single text", "another"], user="u2"))
        bodies = [json.loads(r.body) for r in emu.requests]
        assert bodies == [
            {"input": ["a single text"], "model": "text-embedding-3-small", "user": "u1"},
            {"input": ["a single text", "another"], "model": "text-embedding-3-small", "user": "u2"},
        ]
        assert one.data[0].embedding == many.data[0].embedding

    mode.run(body)


def test_emulator_takes_one_string_input_on_openai_shapes_only(emu, mode):
    async def body(m):
        async with m.client("EmbeddingsClient", emu.url + V1, model="e") as client:
            result = await m.call(client.create({"input": "raw string", "model": "e"}))
        async with m.client("EmbeddingsClient", emu.url) as serverless:
            error = await m.raises(HttpResponseError, lambda: serverless.create({"input": "raw string"}))
        assert len(result.data) == 1
        assert error.status_code == 400

    mode.run(body)
