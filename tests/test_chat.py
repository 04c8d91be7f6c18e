"""ChatCompletionsClient.create, sync and async, against the local emulator over loopback."""

from __future__ import annotations

import base64
import json
import logging

import pytest
from azure.core.credentials import AzureKeyCredential
from azure.core.exceptions import ClientAuthenticationError, HttpResponseError, ResourceNotFoundError

from azure.ai.inference.models import (
    AssistantMessage,
    ChatCompletions,
    DeveloperMessage,
    ImageContentItem,
    ImageUrl,
    SystemMessage,
    TextContentItem,
    ToolMessage,
    UserMessage,
)
from inference_emulator import DEFAULT_KEY

pytestmark = pytest.mark.timeout(60)

MESSAGES = [SystemMessage("You are terse."), UserMessage("How many feet are in a mile?")]


def test_seed_usage_and_exact_wire_request(emu, mode):
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url) as client:
            result = await m.call(client.create(messages=MESSAGES))
        assert isinstance(result, ChatCompletions)
        assert result.choices[0].message.content == "Emulated reply to: How many feet are in a mile?"
        assert result.choices[0].finish_reason == "stop"
        assert result.usage.prompt_tokens == 10  # words in all messages

        sent = emu.requests[-1]
        assert (sent.method, sent.path) == ("POST", "/v1/chat/completions")
        assert sent.query == {"api-version": "2024-04-01-preview"}
        assert sent.headers["Authorization"] == f"Bearer {DEFAULT_KEY}"
        assert sent.headers["api-key"] == DEFAULT_KEY
        assert "extra-parameters" not in sent.headers
        # Only what was given is sent: no nulls, no defaults invented by the client.
        assert json.loads(sent.body) == {
            "messages": [
                {"role": "system", "content": "You are terse."},
                {"role": "user", "content": "How many feet are in a mile?"},
            ]
        }

    mode.run(body)


def test_every_argument_reaches_the_body(emu, mode):
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url) as client:
            await m.call(
                client.create(
                    messages=[{"role": "user", "content": "hi"}],
                    frequency_penalty=0.5,
                    presence_penalty=-0.5,
                    temperature=0.2,
                    top_p=0.9,
                    max_tokens=7,
                    stop=["END"],
                    seed=42,
                    model="emulated-chat",
                    response_format="json_object",
                )
            )
        assert json.loads(emu.requests[-1].body) == {
            "messages": [{"role": "user", "content": "hi"}],
            "frequency_penalty": 0.5,
            "presence_penalty": -0.5,
            "temperature": 0.2,
            "top_p": 0.9,
            "max_tokens": 7,
            "stop": ["END"],
            "seed": 42,
            "model": "emulated-chat",
            "response_format": "json_object",
        }

    mode.run(body)


def test_max_tokens_stop_and_seed_shape_the_answer(emu, mode):
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url) as client:
            short = await m.call(client.create(messages=[UserMessage("one two three four")], max_tokens=2))
            stopped = await m.call(client.create(messages=[UserMessage("one two three four")], stop=["three"]))
            seeded = await m.call(client.create(messages=[UserMessage("one")], seed=7))
        assert short.choices[0].finish_reason == "length"
        assert short.usage.completion_tokens == 2
        assert stopped.choices[0].message.content == "Emulated reply to: one two "
        assert seeded.choices[0].message.content.endswith("(seed 7)")

    mode.run(body)


def test_sticky_defaults_and_per_call_overrides(emu, mode):
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url, temperature=0.2, max_tokens=100, seed=1) as client:
            await m.call(client.create(messages=MESSAGES))
            first = json.loads(emu.requests[-1].body)
            await m.call(client.create(messages=MESSAGES, max_tokens=5, top_p=0.5))
            second = json.loads(emu.requests[-1].body)
        assert (first["temperature"], first["max_tokens"], first["seed"]) == (0.2, 100, 1)
        assert "top_p" not in first
        assert (second["temperature"], second["max_tokens"], second["top_p"], second["seed"]) == (0.2, 5, 0.5, 1)

    mode.run(body)


def test_model_extras_merge_into_body_and_set_extra_parameters(emu, mode):
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url, model_extras={"safe_mode": True}) as client:
            result = await m.call(client.create(messages=MESSAGES, model_extras={"top_k": 3}))
        sent = emu.requests[-1]
        assert sent.headers["extra-parameters"] == "allow"
        payload = json.loads(sent.body)
        # A call's model_extras replace the client's, as any argument of a call replaces the client's default.
        assert payload["top_k"] == 3 and "safe_mode" not in payload
        # The emulator reports which extra fields it passed to the model.
        assert sorted(result["emulator_extras"]) == ["top_k"]

    mode.run(body)


def test_json_dict_body_is_sent_as_given(emu, mode):
    request_body = {"messages": [{"role": "user", "content": "from a dict"}], "temperature": 0.1}

    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url) as client:
            result = await m.call(client.create(request_body))
        assert json.loads(emu.requests[-1].body) == request_body
        assert result.choices[0].message.content == "Emulated reply to: from a dict"

    mode.run(body)


def test_message_types_and_content_items(emu, mode, tmp_path):
    image = tmp_path / "pixel.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\nfake")
    messages = [
        DeveloperMessage("Answer in French."),
        UserMessage(
            [
                TextContentItem(text="What is this?"),
                ImageContentItem(image_url=ImageUrl.load(image_file=str(image), image_format="png", detail="low")),
            ]
        ),
        AssistantMessage(
            tool_calls=[{"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]
        ),
        ToolMessage("42", tool_call_id="call_1"),
        UserMessage("and now?"),
    ]

    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url) as client:
            await m.call(client.create(messages=messages))
        sent = json.loads(emu.requests[-1].body)["messages"]
        assert sent[0] == {"role": "developer", "content": "Answer in French."}
        assert sent[1]["content"][0] == {"type": "text", "text": "What is this?"}
        assert (
            sent[1]["content"][1]["image_url"]["url"]
            == "data:image/png;base64," + base64.b64encode(image.read_bytes()).decode()
        )
        assert sent[1]["content"][1]["image_url"]["detail"] == "low"
        assert "content" not in sent[2]  # absent, never null
        assert sent[3] == {"role": "tool", "content": "42", "tool_call_id": "call_1"}

    mode.run(body)


def test_extra_response_fields_stay_reachable(emu, mode):
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url) as client:
            result = await m.call(client.create(messages=[UserMessage("think about it")]))
        assert result["system_fingerprint"] == "emulator"
        message = result.choices[0].message
        assert message["reasoning_content"] == "Thinking about: think about it"

    mode.run(body)


def test_key_rotation_takes_effect_on_the_next_request(emu, mode):
    async def body(m):
        credential = AzureKeyCredential("wrong-key")
        client = m.api.ChatCompletionsClient(emu.url, credential)
        try:
            await m.raises(ClientAuthenticationError, lambda: client.create(messages=MESSAGES))
            credential.update(DEFAULT_KEY)
            result = await m.call(client.create(messages=MESSAGES))
        finally:
            await m.call(client.close())
        assert result.choices[0].message.content
        assert emu.requests[-1].headers["api-key"] == DEFAULT_KEY

    mode.run(body)


@pytest.mark.parametrize(
    "fault,status,exc_type,text",
    [
        (None, 401, ClientAuthenticationError, "Access denied"),
        ("status-body", 401, ClientAuthenticationError, "Invalid auth token"),
        ("detail-body", 404, ResourceNotFoundError, "Not Found"),
        ("plain-text", 500, HttpResponseError, "Internal Server Error"),
        ("html-502", 502, HttpResponseError, "Bad Gateway"),
    ],
)
def test_errors_carry_status_code_and_message(emu, mode, fault, status, exc_type, text):
    async def body(m):
        key = "wrong-key" if fault is None else DEFAULT_KEY
        headers = {"x-emulator-fault": fault} if fault else {}
        async with m.client("ChatCompletionsClient", emu.url, key=key, retry_total=0) as client:
            error = await m.raises(exc_type, lambda: client.create(messages=MESSAGES, headers=headers))
        assert error.status_code == status
        assert error.reason
        assert error.error is not None
        assert text in error.error.message
        assert error.error.code
        assert str(status) in str(error) and text in str(error)
        assert DEFAULT_KEY not in str(error) and "wrong-key" not in str(error)

    mode.run(body)


def test_azure_error_body_gives_service_code_and_message(emu, mode):
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url) as client:
            error = await m.raises(
                HttpResponseError,
                lambda: client.create(
                    messages=[{"role": "user", "content": "x"}],
                    model_extras={"x": 1},
                    headers={"extra-parameters": "error"},
                ),
            )
        assert error.status_code == 400

    mode.run(body)


@pytest.mark.parametrize(
    "kwargs,exc_type,needle",
    [
        ({"messages": []}, ValueError, "messages"),
        ({"messages": "hello"}, TypeError, "messages"),
        ({"messages": [42]}, TypeError, "messages[0]"),
        ({"messages": [{"role": "robot", "content": "x"}]}, ValueError, "role"),
        ({"messages": MESSAGES, "temperature": "hot"}, TypeError, "temperature"),
        ({"messages": MESSAGES, "max_tokens": 1.5}, TypeError, "max_tokens"),
        ({"messages": MESSAGES, "stop": [1]}, TypeError, "stop"),
        ({"messages": MESSAGES, "tools": [{"type": "function"}]}, ValueError, "tools[0]"),
        ({"messages": MESSAGES, "model_extras": {"temperature": 1}}, ValueError, "temperature"),
        ({"messages": MESSAGES, "temprature": 0.1}, TypeError, "temprature"),
        ({}, TypeError, "messages"),
    ],
)
def test_bad_input_fails_before_the_network(emu, mode, kwargs, exc_type, needle):
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url) as client:
            error = await m.raises(exc_type, lambda: client.create(**kwargs))
        assert needle in str(error)
        assert emu.requests == []

    mode.run(body)


@pytest.mark.parametrize(
    "endpoint,kwargs,exc_type",
    [
        ("ftp://example.com", {}, ValueError),
        ("https://", {}, ValueError),
        ("https://exa mple.com", {}, ValueError),
        ("https://example.com\n", {}, ValueError),
        (42, {}, TypeError),
        ("https://example.com", {"temperature": "hot"}, TypeError),
    ],
)
def test_bad_construction_is_rejected(mode, endpoint, kwargs, exc_type):
    with pytest.raises(exc_type):
        mode.api.ChatCompletionsClient(endpoint, AzureKeyCredential(DEFAULT_KEY), **kwargs)


def test_per_call_options_reach_the_pipeline(emu, mode):
    seen = []

    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url, headers={"azureml-model-deployment": "blue"}) as client:
            await m.call(
                client.create(
                    messages=MESSAGES,
                    headers={"x-custom": "1"},
                    raw_response_hook=lambda response: seen.append(response.http_response.status_code),
                    user_agent="my-app/1.0",
                )
            )
        sent = emu.requests[-1]
        assert sent.headers["x-custom"] == "1"
        assert sent.headers["azureml-model-deployment"] == "blue"
        assert "my-app/1.0" in sent.headers["User-Agent"]
        assert "azsdk-python-ai-inference" in sent.headers["User-Agent"]
        assert seen == [200]

    mode.run(body)


def test_logging_enable_masks_credentials(emu, mode, caplog):
    async def body(m):
        with caplog.at_level(logging.DEBUG, logger="azure"):
            async with m.client("ChatCompletionsClient", emu.url, logging_enable=True) as client:
                await m.call(client.create(messages=MESSAGES))
                await m.call(client.create(messages=MESSAGES, logging_enable=True))
        text = caplog.text
        assert "How many feet are in a mile?" in text  # unredacted body at DEBUG
        assert "/v1/chat/completions" in text
        assert DEFAULT_KEY not in text
        assert "***" in text
        for record in caplog.records:
            assert DEFAULT_KEY not in record.getMessage()

    mode.run(body)


def test_default_logging_is_redacted(emu, mode, caplog):
    async def body(m):
        with caplog.at_level(logging.DEBUG, logger="azure"):
            async with m.client("ChatCompletionsClient", emu.url) as client:
                await m.call(client.create(messages=MESSAGES))
        assert "REDACTED" in caplog.text
        assert "How many feet" not in caplog.text
        assert DEFAULT_KEY not in caplog.text

    mode.run(body)


def test_repr_hides_the_key(emu, mode):
    client = mode.api.ChatCompletionsClient(emu.url, AzureKeyCredential(DEFAULT_KEY))
    assert emu.url in repr(client) and DEFAULT_KEY not in repr(client)
    assert DEFAULT_KEY not in str(client)


@pytest.mark.parametrize("fault", ["rate-limit;count=2;retry_after=0", "rate-limit-ms;count=2;retry_after_ms=10"])
def test_retry_after_and_retry_after_ms_are_retried(emu, mode, fault):
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url, retry_backoff_factor=0.01) as client:
            result = await m.call(client.create(messages=MESSAGES, headers={"x-emulator-fault": fault}))
        assert result.choices[0].message.content
        assert len(emu.requests) == 3  # two 429 answers, then the success

    mode.run(body)


def test_client_errors_without_a_retry_hint_are_not_retried(emu, mode):
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url, retry_backoff_factor=0.01) as client:
            error = await m.raises(
                HttpResponseError,
                lambda: client.create(
                    messages=MESSAGES, headers={"x-emulator-fault": "status-then-ok;status=400;count=1"}
                ),
            )
        assert error.status_code == 400
        assert len(emu.requests) == 1

    mode.run(body)


def test_a_reply_message_content_reads_and_writes_as_the_generated_field_does() -> None:
    """`ChatResponseMessage.content` reads text (and None) straight from the JSON, anything else as the generated
    field converts it, and can be set."""
    from azure.ai.inference.models import ChatResponseMessage  # pylint: disable=import-outside-toplevel
    from azure.ai.inference.models import _models as generated  # pylint: disable=import-outside-toplevel

    for value in ("5,280 feet", "", None, [{"type": "text", "text": "x"}], 7):
        ours = ChatResponseMessage({"role": "assistant", "content": value})
        theirs = generated.ChatResponseMessage({"role": "assistant", "content": value})
        assert ours.content == theirs.content
    message = ChatResponseMessage({"role": "assistant", "content": "old"})
    message.content = "new"
    assert message.content == "new" and message["content"] == "new" and message.as_dict()["content"] == "new"
