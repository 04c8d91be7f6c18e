"""The 1.0.0b9 names, typed mapping access, image embeddings, audio input and the version, against the
emulator, sync and async."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from azure.core.credentials import AzureKeyCredential

import azure.ai.inference as sync_api
import azure.ai.inference.aio as async_api
from azure.ai.inference import models
from azure.ai.inference.models import (
    AssistantMessage,
    AudioContentFormat,
    AudioContentItem,
    ImageEmbeddingInput,
    InputAudio,
    TextContentItem,
    UserMessage,
)
from inference_emulator import DEFAULT_KEY, Emulator

pytestmark = pytest.mark.timeout(60)

LATER = "2024-05-01-preview"
SAMPLES = Path(__file__).resolve().parent.parent.parent / "samples"
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC")
WAV = (SAMPLES / "sample_audio.wav").read_bytes()


def test_b9_names():
    assert models.ChatCompletionsNamedToolChoiceFunction is models.ChatCompletionsFunctionToolSelection
    assert models.StreamingChatCompletions is sync_api.StreamingChatCompletions
    assert models.AsyncStreamingChatCompletions is async_api.AsyncStreamingChatCompletions
    choice = models.ChatCompletionsNamedToolChoice(function=models.ChatCompletionsNamedToolChoiceFunction(name="f"))
    assert choice.as_dict() == {"type": "function", "function": {"name": "f"}}
    info = models.ModelInfo(model_name="m", model_type="chat-completion", model_provider_name="Acme")
    assert info.model_provider_name == "Acme" and info.model_provider == "Acme"
    assert models.ModelType("chat-completion") == "chat-completion"


def test_version_satisfies_the_frameworks_specifiers():
    from azure.ai.inference import __version__

    assert __version__ == "1.0.0"
    major, minor, patch = (int(part) for part in __version__.split("."))
    assert (major, minor, patch) >= (1, 0, 0)  # >=1.0.0b9 and ~=1.0.0b9 (i.e. >=1.0.0b9, ==1.0.*) both hold


def test_mapping_access_is_typed(emu, mode):
    async def body(m):
        tools = [
            models.ChatCompletionsToolDefinition(
                function=models.FunctionDefinition(name="get_time", parameters={"type": "object"})
            )
        ]
        async with m.client("ChatCompletionsClient", emu.url) as client:
            response = await m.call(client.complete(messages=[UserMessage("please call get_time")], tools=tools))
            choice = response["choices"][0]
            assert isinstance(choice, models.ChatChoice) and choice.finish_reason == "tool_calls"
            call = response["choices"][0]["message"]["tool_calls"][0]
            assert isinstance(call, models.ChatCompletionsToolCall)
            assert call["function"].name == "get_time" and json.loads(call.function.arguments)
            assert response["usage"].total_tokens == response.usage.total_tokens
            assert response.get("choices")[0].message.tool_calls[0].id == call.id
            assert response["system_fingerprint"] == "emulator"  # undeclared: the JSON value
            assert response.as_dict()["choices"][0]["message"]["tool_calls"][0]["function"]["name"] == "get_time"
            assert isinstance(response.as_dict()["choices"][0], dict)

            stream = await m.call(client.complete(messages=[UserMessage("hi")], stream=True))
            updates = await m.collect(stream)
            assert isinstance(updates[1]["choices"][0].delta, models.StreamingChatResponseMessageUpdate)
            assert updates[1]["choices"][0]["delta"].content == updates[1].choices[0].delta.content

            info = await m.call(client.get_model_info())
            assert info["model_provider_name"] == info.model_provider == "Emulator"
            assert info.get("model_provider_name").lower() == "emulator"

    mode.run(body)


def test_updates_built_in_python_keep_their_data():
    usage = {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3}
    from_dict = models.StreamingChatCompletionsUpdate(
        {"id": "u", "choices": [{"index": 0, "finish_reason": None, "delta": {"content": "hi"}}], "usage": usage}
    )
    from_keywords = models.StreamingChatCompletionsUpdate(
        id="u",
        choices=[
            models.StreamingChatChoiceUpdate(
                index=0,
                finish_reason=None,
                delta=models.StreamingChatResponseMessageUpdate(
                    content="hi",
                    tool_calls=[
                        models.StreamingChatResponseToolCallUpdate(
                            index=0, id="c", function=models.StreamingFunctionCallUpdate(name="f", arguments="{")
                        )
                    ],
                ),
            )
        ],
        usage=models.CompletionsUsage(**usage),
    )
    for update in (from_dict, from_keywords):
        assert update.choices[0].delta.content == "hi"
        assert update.usage is not None and update.usage.total_tokens == 3
        assert update["choices"][0].delta.content == "hi"
    (piece,) = from_keywords.choices[0].delta.tool_calls or []
    assert piece.id == "c" and piece.function is not None and piece.function.arguments == "{"


def test_image_embeddings(emu, mode, tmp_path):
    image = tmp_path / "dot.png"
    image.write_bytes(PNG)

    async def body(m):
        loaded = ImageEmbeddingInput.load(image_file=str(image), image_format="png", text="a dot")
        assert loaded.image == "data:image/png;base64," + base64.b64encode(PNG).decode()
        async with m.client("ImageEmbeddingsClient", emu.url) as client:
            result = await m.call(
                client.embed(input=[loaded, {"image": loaded.image}], dimensions=4, encoding_format="base64")
            )
            assert [len(item.embedding) for item in result.data] == [4, 4]
            assert result.data[0].embedding != result.data[1].embedding  # the text is embedded with the image
            sent = emu.requests[-1]
            assert sent.path == "/images/embeddings" and sent.query["api-version"] == LATER
            assert json.loads(sent.body)["input"][0] == {"image": loaded.image, "text": "a dot"}
            again = await m.call(client.create(input=[loaded], dimensions=4))
            assert again.data[0].embedding == pytest.approx(result.data[0].embedding, rel=1e-6)
            with pytest.raises(TypeError, match="image"):
                await m.call(client.embed(input=[{"text": "no image"}]))
        async with m.client("ImageEmbeddingsClient", emu.url, api_version="2024-04-01-preview") as old:
            with pytest.raises(ValueError, match="not available with api_version"):
                await m.call(old.embed(input=[loaded]))
        with pytest.raises(ValueError, match="image_format"):
            ImageEmbeddingInput.load(image_file=str(image), image_format="tiff")

    mode.run(body)


def test_load_client_returns_the_image_embeddings_client(mode):
    async def body(m):
        with Emulator(model_type="image_embeddings") as emu:
            client = await m.call(m.api.load_client(emu.url, AzureKeyCredential(DEFAULT_KEY), api_version=LATER))
            try:
                assert type(client) is m.api.ImageEmbeddingsClient
                info = await m.call(client.get_model_info())
                assert info.model_type == "image_embeddings"
            finally:
                await m.call(client.close())

    mode.run(body)


def test_audio_input(emu, mode, tmp_path):
    audio_file = tmp_path / "tone.wav"
    audio_file.write_bytes(WAV)
    encoded = base64.b64encode(WAV).decode()

    async def body(m):
        audio = InputAudio.load(audio_file=str(audio_file), audio_format=AudioContentFormat.WAV)
        assert audio.data == encoded and audio.format == "wav"
        item = AudioContentItem(input_audio=audio)
        async with m.client("ChatCompletionsClient", emu.url, api_version=LATER) as client:
            response = await m.call(client.complete(messages=[UserMessage([TextContentItem(text="transcribe"), item])]))
            assert response.choices[0].message.content == "Emulated reply to: transcribe"
            sent = json.loads(emu.requests[-1].body)["messages"][0]["content"][1]
            assert sent == {"type": "input_audio", "input_audio": {"data": encoded, "format": "wav"}}

            # The REST specification's 2024-05-01-preview example forms, as dicts.
            history = [
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": "and this"},
                        {"type": "audio_input", "audio_input": {"data": encoded, "mime_type": "audio/wav"}},
                    ],
                },
                {"role": "assistant", "content": None, "audio": {"id": "audio_abc"}},
                {"role": "user", "content": "again"},
            ]
            response = await m.call(client.complete(messages=history))
            assert response.choices[0].message.content == "Emulated reply to: again"
            assert json.loads(emu.requests[-1].body)["messages"][1] == history[1]
            with pytest.raises(TypeError, match="content item"):
                await m.call(client.complete(messages=[{"role": "user", "content": [{"type": "video"}]}]))
        with pytest.raises(ValueError, match="audio_format"):
            InputAudio.load(audio_file=str(audio_file), audio_format="ogg")
        assert AssistantMessage(tool_calls=None).as_dict() == {"role": "assistant"}

    mode.run(body)
