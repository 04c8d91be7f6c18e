# Audio in chat requests: both content item spellings, and an assistant message that refers to an audio answer.
from __future__ import annotations

from typing import Any

import pytest

from emulator_support import CHAT_05, post
from inference_emulator import Emulator

WAV = "UklGRiQAAABXQVZFZm10IBAAAAABAAEAQB8AAIA+AAACABAAZGF0YQAAAAA="


def _user(*items: dict[str, Any]) -> dict[str, Any]:
    return {"role": "user", "content": [{"type": "text", "text": "transcribe this"}, *items]}


def test_both_audio_item_spellings_are_accepted(emu: Emulator) -> None:
    input_audio = {"type": "input_audio", "input_audio": {"data": WAV, "format": "wav"}}
    audio_input = {"type": "audio_input", "audio_input": {"data": WAV, "mime_type": "audio/wav"}}
    for item in (input_audio, audio_input):
        reply = post(emu.url, CHAT_05, {"messages": [_user(item)]})
        assert reply.status == 200, reply.body
        assert reply.json["choices"][0]["message"]["content"] == "Emulated reply to: transcribe this"


@pytest.mark.parametrize(
    "item",
    [
        {"type": "audio_input", "audio_input": {"data": WAV, "mime_type": "text/plain"}},
        {"type": "audio_input", "audio_input": {"mime_type": "audio/wav"}},
        {"type": "input_audio", "input_audio": {"data": WAV, "format": "ogg"}},
    ],
)
def test_bad_audio_items_are_refused(emu: Emulator, item: dict[str, Any]) -> None:
    reply = post(emu.url, CHAT_05, {"messages": [_user(item)]})
    assert reply.status == 400 and "audio" in reply.json["error"]["message"], reply.body


def test_assistant_null_content_with_audio(emu: Emulator) -> None:
    history = [
        {"role": "user", "content": "say something"},
        {"role": "assistant", "content": None, "audio": {"id": "audio_1"}},
        {"role": "user", "content": "again"},
    ]
    reply = post(emu.url, CHAT_05, {"messages": history})
    assert reply.status == 200, reply.body
    assert reply.json["choices"][0]["message"]["content"] == "Emulated reply to: again"
    bad = [history[0], {"role": "assistant", "content": None, "audio": {"id": 3}}, history[2]]
    assert post(emu.url, CHAT_05, {"messages": bad}).status == 400
    no_audio = [history[0], {"role": "assistant", "content": None}, history[2]]
    assert post(emu.url, CHAT_05, {"messages": no_audio}).status == 400
