"""What 1.0.0b9's own unit tests (and the frameworks' test doubles) rely on, against the emulator, sync and async:
message constructors, `str(model)`, a call's `model_extras` replacing the client's, unknown constructor keywords,
and updates built in Python with choices of one's own."""

from __future__ import annotations

import datetime
import json
import warnings
from typing import Any
from unittest.mock import MagicMock

import pytest
from azure.core.credentials import AzureKeyCredential
from azure.core.pipeline.policies import SansIOHTTPPolicy

from azure.ai.inference import models
from azure.ai.inference.models import (
    AssistantMessage,
    DeveloperMessage,
    SystemMessage,
    ToolMessage,
    UserMessage,
)
from inference_emulator import DEFAULT_KEY

pytestmark = pytest.mark.timeout(60)

KEY = AzureKeyCredential(DEFAULT_KEY)


def _sent(emu: Any) -> dict[str, Any]:
    return json.loads(emu.requests[-1].body)


# ---------------------------------------------------------------------------------------------- messages


def test_tool_message_without_tool_call_id_is_built_and_refused_when_sent(emu, mode):
    for message in (ToolMessage(content="22 C"), ToolMessage("22 C"), ToolMessage({"role": "tool", "content": "22 C"})):
        assert message.as_dict() == {"role": "tool", "content": "22 C"}
    assert ToolMessage("22 C", tool_call_id="c1").as_dict() == {"role": "tool", "content": "22 C", "tool_call_id": "c1"}
    assert ToolMessage(content="22 C", tool_call_id="c1").tool_call_id == "c1"

    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url) as client:
            history = [UserMessage("weather?"), ToolMessage("22 C")]
            error = await m.raises(TypeError, lambda: client.complete(messages=history))
            assert "tool_call_id" in str(error)
        assert emu.requests == []

    mode.run(body)


@pytest.mark.parametrize("cls", [SystemMessage, DeveloperMessage, UserMessage, AssistantMessage, ToolMessage])
def test_content_both_positional_and_by_keyword_is_a_value_error(cls):
    with pytest.raises(ValueError) as info:
        cls("a", content="b")
    assert str(info.value) == "content cannot be provided as positional and keyword arguments"
    # Either way alone gives the same message; `content=None` beside a positional content is "not given".
    assert cls("a").as_dict() == cls(content="a").as_dict() == cls("a", content=None).as_dict()
    assert cls("a")["content"] == "a"
    with pytest.raises(TypeError, match="one positional argument"):
        cls("a", "b")


def test_messages_that_need_content_still_say_so():
    for cls in (SystemMessage, DeveloperMessage, UserMessage):
        with pytest.raises(TypeError, match="content"):
            cls()
    assert AssistantMessage().as_dict() == {"role": "assistant"}


# ---------------------------------------------------------------------------------------------- str(model)


def test_str_of_a_result_is_its_json_indented_by_2(emu, mode):
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url) as client:
            response = await m.call(client.complete(messages=[UserMessage("hi")]))
            assert str(response) == json.dumps(response.as_dict(), indent=2)
            assert json.loads(str(response))["choices"][0]["message"]["content"] == "Emulated reply to: hi"
            assert str(response.choices[0]) == json.dumps(response.choices[0].as_dict(), indent=2)
            assert f"{response.usage}" == json.dumps(response.usage.as_dict(), indent=2)
            # repr stays the dict it was, on one line.
            assert repr(response) == repr(response._data) and "\n" not in repr(response)
        async with m.client("EmbeddingsClient", emu.url) as client:
            result = await m.call(client.embed(input=["a", "b"], dimensions=3))
            assert str(result) == json.dumps(result.as_dict(), indent=2)
            assert len(json.loads(str(result))["data"]) == 2

    mode.run(body)


def test_str_of_models_built_in_python():
    message = UserMessage([models.TextContentItem(text="hi")])
    assert str(message) == json.dumps(message.as_dict(), indent=2)
    assert json.loads(str(message)) == {"role": "user", "content": [{"type": "text", "text": "hi"}]}
    # 1.0.0b9's unit test: any mapping, even of another model's shape.
    odd = models.ChatCompletions({"id": "x", "data": [{"index": 0, "embedding": [0.5, -1.25]}]})
    assert str(odd) == json.dumps(odd.as_dict(), indent=2)
    # Values JSON does not know (a datetime given in Python) are written as the wire would carry them.
    when = datetime.datetime(2025, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    built = models.ChatCompletions(id="x", created=when, model="m", choices=[], usage=None)
    assert json.loads(str(built))["id"] == "x"


# ---------------------------------------------------------------------------------------------- model_extras


def test_a_calls_model_extras_replace_the_clients_chat(emu, mode):
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url, model_extras={"a": 1, "b": 2}) as client:
            messages = [UserMessage("hi")]
            for call in (client.create, client.complete):
                await m.call(call(messages=messages, model_extras={"a": 3}))
                sent = _sent(emu)
                assert sent["a"] == 3 and "b" not in sent
                assert emu.requests[-1].headers["extra-parameters"] == "allow"
                await m.call(call(messages=messages))
                assert {k: _sent(emu)[k] for k in ("a", "b")} == {"a": 1, "b": 2}
                # None or {} leaves the client's in place, as 1.0.0b9 did.
                await m.call(call(messages=messages, model_extras={}))
                assert {k: _sent(emu)[k] for k in ("a", "b")} == {"a": 1, "b": 2}
            stream = await m.call(client.create_streaming(messages=messages, model_extras={"c": 4}))
            await m.collect(stream)
            sent = _sent(emu)
            assert sent["c"] == 4 and "a" not in sent and "b" not in sent and sent["stream"] is True
            stream = await m.call(client.complete(messages=messages, stream=True, model_extras={"c": 5}))
            await m.collect(stream)
            sent = _sent(emu)
            assert sent["c"] == 5 and "a" not in sent and "b" not in sent

    mode.run(body)


def test_a_calls_model_extras_replace_the_clients_embeddings_images_bulk(emu, mode):
    async def body(m):
        async with m.client("EmbeddingsClient", emu.url, model_extras={"a": 1, "b": 2}) as client:
            for call in (client.create, client.embed):
                await m.call(call(input=["x"], model_extras={"a": 3}))
                sent = _sent(emu)
                assert sent["a"] == 3 and "b" not in sent
            items = client.create_many(["x", "y", "z"], batch_size=2, model_extras={"c": 4})
            got = [item async for item in items] if m.is_async else list(items)
            assert len(got) == 3
            batches = [json.loads(r.body) for r in emu.requests[-2:]]
            assert all(b["c"] == 4 and "a" not in b and "b" not in b for b in batches)
        async with m.client("ImageEmbeddingsClient", emu.url, model_extras={"a": 1, "b": 2}) as client:
            image = {"image": "data:image/png;base64,iVBORw0KGgo="}
            await m.call(client.embed(input=[image], model_extras={"a": 3}))
            sent = _sent(emu)
            assert sent["a"] == 3 and "b" not in sent
        async with m.client("ImageGenerationClient", emu.url, model_extras={"a": 1, "b": 2}) as client:
            await m.call(client.create(prompt="a dot", size="64x64", model_extras={"a": 3}))
            sent = _sent(emu)
            assert sent["a"] == 3 and "b" not in sent

    mode.run(body)


# ---------------------------------------------------------------------------------------------- constructors


class _SeenOptions(SansIOHTTPPolicy):  # type: ignore[type-arg]
    """Records the keyword options each request carries to the transport."""

    def __init__(self) -> None:
        self.options: list[dict[str, Any]] = []

    def on_request(self, request: Any) -> None:
        self.options.append(dict(request.context.options))


def test_unknown_constructor_keywords_warn_and_never_reach_the_transport(emu, mode):
    seen = _SeenOptions()

    async def body(m):
        with pytest.warns(UserWarning) as record:
            client = m.api.ChatCompletionsClient(
                emu.url, KEY, per_call_policies=[seen], bogus_option=1, temprature=0.5
            )
        (warning,) = [w for w in record if issubclass(w.category, UserWarning)]
        text = str(warning.message)
        assert "'bogus_option'" in text and "'temprature'" in text and "model_extras" in text
        assert warning.filename == __file__  # it points at the caller's line
        try:
            response = await m.call(client.complete(messages=[UserMessage("hi")], temperature=0.25))
            assert response.choices[0].message.content == "Emulated reply to: hi"
        finally:
            await m.call(client.close())
        assert seen.options and all("bogus_option" not in o and "temprature" not in o for o in seen.options)
        sent = _sent(emu)
        assert sent["temperature"] == 0.25 and "bogus_option" not in sent and "temprature" not in sent

        # Known keywords warn about nothing; a call's unknown keywords still raise.
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            async with m.client("EmbeddingsClient", emu.url, logging_enable=False, retry_total=1) as embeddings:
                error = await m.raises(TypeError, lambda: embeddings.embed(input=["x"], bogus_option=1))
                assert "bogus_option" in str(error) and "model_extras" in str(error)
        # The switches that would let credentials follow a redirect elsewhere are refused, not ignored.
        with pytest.raises(TypeError, match="disable_redirect_cleanup"):
            m.api.ChatCompletionsClient(emu.url, KEY, disable_redirect_cleanup=True)

    mode.run(body)


# ---------------------------------------------------------------------------------------------- updates


def test_updates_built_in_python_keep_choices_of_ones_own():
    double = MagicMock()
    double.delta.content = "from a test double"
    double.finish_reason = "stop"
    update = models.StreamingChatCompletionsUpdate(id="u", model="m", created=0, choices=[double])
    (choice,) = update.choices
    assert choice is double
    assert choice.delta.content == "from a test double" and choice.finish_reason == "stop"

    # Mixed with a model and a dict: those read as choices, the double stays as it is.
    model_choice = models.StreamingChatChoiceUpdate(
        index=1, finish_reason=None, delta=models.StreamingChatResponseMessageUpdate(content="model")
    )
    mixed = models.StreamingChatCompletionsUpdate(
        id="u",
        model="m",
        created=0,
        choices=[double, model_choice, {"index": 2, "finish_reason": None, "delta": {"content": "dict"}}],
    )
    first, second, third = mixed.choices
    assert first is double
    assert isinstance(second, models.StreamingChatChoiceUpdate) and second.delta.content == "model"
    assert isinstance(third, models.StreamingChatChoiceUpdate) and third.delta.content == "dict"

    # Wire-shaped updates are unchanged: no choices on the wire still read as one empty choice.
    empty = models.StreamingChatCompletionsUpdate({"id": "u", "choices": []})
    assert [c.delta.content for c in empty.choices] == [""]
