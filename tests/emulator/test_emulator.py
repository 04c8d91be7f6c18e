# Tests of the endpoint emulator itself: routes and api-versions, auth, extra-parameters, validation, each
# operation's deterministic behaviour, connection tracking, TLS, the command line and the fault catalogue.
from __future__ import annotations

import asyncio
import base64
import http.client
import json
import math
import os
import re
import signal
import socket
import ssl
import struct
import subprocess
import sys
import threading
import uuid
import zlib
from typing import Any

import aiohttp
import pytest
from emulator_support import (
    API_04,
    API_05,
    API_25,
    CHAT_04,
    CHAT_05,
    EMB_04,
    EMB_05,
    IMG_04,
    INFO_04,
    USER_HELLO,
    call,
    get,
    post,
    sse_data,
    sse_json,
    streamed_text,
)

from inference_emulator import DEFAULT_KEY, FAULTS, Emulator

pytestmark = pytest.mark.timeout(60)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
EMB_BODY = {"input": ["first text", "second one here"]}
IMG_BODY = {"prompt": "a red square", "size": "16x8"}


def user(text: Any, **extra: Any) -> dict[str, Any]:
    return {"messages": [{"role": "user", "content": text}], **extra}


# --- routes and api-versions ------------------------------------------------------------------------------

ROUTE_CASES = [
    ("POST", CHAT_04, USER_HELLO),
    ("POST", EMB_04, EMB_BODY),
    ("POST", IMG_04, IMG_BODY),
    ("GET", INFO_04, None),
    ("POST", CHAT_05, USER_HELLO),
    ("POST", EMB_05, EMB_BODY),
    ("POST", f"/images/embeddings?api-version={API_05}", {"input": [{"image": "data:image/png;base64,AAAA"}]}),
    ("GET", f"/info?api-version={API_05}", None),
    ("POST", f"/chat/completions?api-version={API_25}", USER_HELLO),
    ("POST", f"/embeddings?api-version={API_25}", EMB_BODY),
    ("GET", f"/info?api-version={API_25}", None),
    ("POST", f"/models/chat/completions?api-version={API_05}", USER_HELLO),
    ("POST", f"/models/embeddings?api-version={API_05}", EMB_BODY),
    ("GET", f"/models/info?api-version={API_05}", None),
    ("POST", "/openai/deployments/gpt/chat/completions?api-version=2024-06-01", USER_HELLO),
    ("POST", "/openai/deployments/gpt/chat/completions?api-version=2024-10-21", USER_HELLO),
    ("POST", "/openai/deployments/ada/embeddings?api-version=2024-02-15-preview", EMB_BODY),
]


@pytest.mark.parametrize("method,path,body", ROUTE_CASES)
def test_every_route_answers(emu: Emulator, method: str, path: str, body: Any) -> None:
    reply = call(emu.url, method, path, body)
    assert reply.status == 200, reply.body
    assert reply.headers["Content-Type"].startswith("application/json")
    uuid.UUID(reply.headers["x-request-id"])
    uuid.UUID(reply.headers["apim-request-id"])


@pytest.mark.parametrize(
    "method,path,status,code",
    [
        ("POST", f"/v1/chat/completions?api-version={API_05}", 404, "NotFound"),
        ("POST", f"/chat/completions?api-version={API_04}", 404, "NotFound"),
        ("POST", f"/images/generations?api-version={API_05}", 404, "NotFound"),
        ("POST", f"/v1/embeddings?api-version={API_25}", 404, "NotFound"),
        ("POST", "/v1/chat/completions", 400, "MissingApiVersionParameter"),
        ("POST", "/v1/chat/completions?api-version=2023-01-01", 400, "UnsupportedApiVersion"),
        ("POST", "/openai/deployments/gpt/chat/completions", 400, "MissingApiVersionParameter"),
        ("POST", "/openai/deployments/gpt/chat/completions?api-version=latest", 400, "UnsupportedApiVersion"),
        ("GET", "/openai/deployments/gpt/info?api-version=2024-06-01", 404, "404"),
        ("POST", f"/v2/unknown?api-version={API_04}", 404, "NotFound"),
        ("POST", f"//v1/chat/completions?api-version={API_04}", 404, "NotFound"),
        ("GET", CHAT_04, 405, "MethodNotAllowed"),
    ],
)
def test_route_errors(emu: Emulator, method: str, path: str, status: int, code: str) -> None:
    reply = call(emu.url, method, path, USER_HELLO if method == "POST" else None)
    assert reply.status == status
    assert reply.error_code == code
    assert reply.headers["x-ms-error-code"] == code
    assert reply.json["error"]["message"]
    uuid.UUID(reply.headers["x-request-id"])
    if code == "404":
        assert reply.json == {"error": {"code": "404", "message": "Resource not found"}}


def test_version_mismatch_names_the_right_routes(emu: Emulator) -> None:
    reply = post(emu.url, f"/v1/chat/completions?api-version={API_05}", USER_HELLO)
    assert "/chat/completions" in reply.json["error"]["message"]


def test_client_request_id_is_echoed(emu: Emulator) -> None:
    reply = post(emu.url, CHAT_04, USER_HELLO, headers={"x-ms-client-request-id": "abc-123"})
    assert reply.headers["x-ms-client-request-id"] == "abc-123"


# --- auth ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {"api-key": DEFAULT_KEY},
        {"Authorization": f"Bearer {DEFAULT_KEY}"},
        {"Authorization": "Bearer emulator-token-1234"},
        {"api-key": "stale", "Authorization": f"Bearer {DEFAULT_KEY}"},
    ],
)
def test_auth_accepted(emu: Emulator, headers: dict[str, str]) -> None:
    assert post(emu.url, CHAT_04, USER_HELLO, headers=headers, key=None).status == 200


@pytest.mark.parametrize(
    "headers", [{}, {"api-key": "wrong"}, {"Authorization": "Bearer wrong"}, {"Authorization": DEFAULT_KEY}]
)
def test_auth_rejected(emu: Emulator, headers: dict[str, str]) -> None:
    reply = post(emu.url, CHAT_04, USER_HELLO, headers=headers, key=None)
    assert reply.status == 401
    assert reply.error_code == "Unauthorized"
    assert reply.headers["x-ms-error-code"] == "Unauthorized"
    assert reply.json["error"]["message"].startswith("Access denied due to invalid subscription key or wrong API")


def test_custom_key() -> None:
    with Emulator("secret") as other:
        assert post(other.url, CHAT_04, USER_HELLO, key="secret").status == 200
        assert post(other.url, CHAT_04, USER_HELLO).status == 401


# --- extra-parameters -----------------------------------------------------------------------------------------


def test_extra_parameters_default_is_error(emu: Emulator) -> None:
    reply = post(emu.url, CHAT_04, user("hi", foo=1))
    assert reply.status == 400
    assert reply.error_code == "Invalid input"
    assert "extra parameters ['foo']" in reply.json["error"]["message"]
    assert reply.json["error"]["target"] == "foo"


@pytest.mark.parametrize(
    "path,value,passed",
    [
        (CHAT_04, "allow", True),
        (CHAT_04, "ignore", False),
        (CHAT_04, "error", None),
        (CHAT_05, "pass-through", True),
        (CHAT_05, "drop", False),
        (CHAT_05, "error", None),
    ],
)
def test_extra_parameters_modes(emu: Emulator, path: str, value: str, passed: bool | None) -> None:
    reply = post(emu.url, path, user("hi", foo=1, bar=None), headers={"extra-parameters": value})
    if passed is None:
        assert reply.status == 400
        return
    assert reply.status == 200
    assert reply.headers["x-emulator-extra-parameters"] == value
    if passed:
        assert reply.json["emulator_extras"] == ["bar", "foo"]
    else:
        assert "emulator_extras" not in reply.json


OTHER_VERSION_VALUES = [(CHAT_04, "pass-through"), (CHAT_04, "drop"), (CHAT_05, "allow"), (CHAT_05, "x")]


@pytest.mark.parametrize("path,value", OTHER_VERSION_VALUES)
def test_extra_parameters_value_of_other_version(emu: Emulator, path: str, value: str) -> None:
    reply = post(emu.url, path, USER_HELLO, headers={"extra-parameters": value})
    assert reply.status == 400
    assert reply.json["error"]["target"] == "extra-parameters"


def test_extra_parameters_default_header_echo_and_other_operations(emu: Emulator) -> None:
    assert post(emu.url, CHAT_04, USER_HELLO).headers["x-emulator-extra-parameters"] == "error"
    assert post(emu.url, EMB_04, {**EMB_BODY, "user": "u"}).status == 400
    assert post(emu.url, EMB_04, {**EMB_BODY, "user": "u"}, headers={"extra-parameters": "ignore"}).status == 200
    assert post(emu.url, IMG_04, {**IMG_BODY, "style": "v"}, headers={"extra-parameters": "allow"}).status == 200
    reply = post(emu.url, CHAT_04, user("hi", extras={"k1": "v"}), headers={"extra-parameters": "allow"})
    assert reply.json["emulator_extras"] == ["k1"]


# --- validation -------------------------------------------------------------------------------------------------

VALIDATION_CASES: list[tuple[str, Any, int, str | None]] = [
    (CHAT_04, b"{not json", 400, None),
    (CHAT_04, [1, 2], 400, None),
    (CHAT_04, {}, 400, "messages"),
    (CHAT_04, {"messages": []}, 400, "messages"),
    (CHAT_04, {"messages": "hello"}, 400, "messages"),
    (CHAT_04, {"messages": [{"content": "x"}]}, 400, "messages[0].role"),
    (CHAT_04, {"messages": [{"role": "robot", "content": "x"}]}, 400, "messages[0].role"),
    (CHAT_04, {"messages": [{"role": "tool", "content": "x"}]}, 400, "messages[0].tool_call_id"),
    (CHAT_04, {"messages": [{"role": "assistant", "content": None}]}, 400, "messages[0].content"),
    (CHAT_04, {"messages": [{"role": "user", "content": [{"type": "video"}]}]}, 400, "messages[0].content[0].type"),
    (CHAT_04, user("x", temperature=None), 400, "temperature"),
    (CHAT_04, user("x", temperature=5), 400, "temperature"),
    (CHAT_04, user("x", max_tokens=-1), 400, "max_tokens"),
    (CHAT_04, user("x", stop=[]), 400, "stop"),
    (CHAT_04, user("x", tool_choice={"type": "function", "function": {"name": "nope"}}), 400, "tool_choice"),
    (CHAT_05, user("x", response_format={"type": "xml"}), 422, "response_format"),
    (CHAT_05, user("x", response_format={"type": "json_schema", "json_schema": {"name": "a b"}}), 400, None),
    (EMB_04, {}, 400, "input"),
    (EMB_04, {"input": "text"}, 400, "input"),
    (EMB_04, {"input": []}, 400, "input"),
    (EMB_04, {"input": [1]}, 400, "input"),
    (EMB_04, {"input": ["a"], "dimensions": None}, 400, "dimensions"),
    (EMB_04, {"input": ["a"], "input_type": "image"}, 400, "input_type"),
    (EMB_04, {"input": ["a"], "encoding_format": "int8"}, 422, "encoding_format"),
    (EMB_04, {"input": ["a"], "encoding_format": "ubinary"}, 422, "encoding_format"),
    (EMB_04, {"input": ["a"], "encoding_format": "weird"}, 422, "encoding_format"),
    (IMG_04, {"size": "8x8"}, 400, "prompt"),
    (IMG_04, {"prompt": "p"}, 400, "size"),
    (IMG_04, {"prompt": "p", "size": "big"}, 400, "size"),
    (IMG_04, {"prompt": "p", "size": "0x10"}, 400, "size"),
    (IMG_04, {"prompt": "p", "size": "4096x10"}, 400, "size"),
    (IMG_04, {"prompt": "p", "size": "8x8", "quality": "ultra"}, 422, "quality"),
]


@pytest.mark.parametrize("path,body,status,target", VALIDATION_CASES)
def test_validation(emu: Emulator, path: str, body: Any, status: int, target: str | None) -> None:
    reply = post(emu.url, path, body)
    assert reply.status == status, reply.body
    assert reply.json["error"]["message"]
    assert reply.headers["x-ms-error-code"] == reply.error_code
    if target is not None:
        assert reply.json["error"]["target"] == target


def test_valid_edge_cases(emu: Emulator) -> None:
    call_msg = {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
    history = [
        {"role": "system", "content": "be brief"},
        {"role": "developer", "content": [{"type": "text", "text": "really"}]},
        {"role": "user", "content": "call f"},
        {"role": "assistant", "content": None, "tool_calls": [call_msg]},
        {"role": "tool", "content": "42", "tool_call_id": "c1"},
    ]
    assert post(emu.url, CHAT_04, {"messages": history}).status == 200
    assert post(emu.url, CHAT_04, user("x", response_format="json_object")).status == 200
    assert post(emu.url, CHAT_04, user("x", stop="y", temperature=0, top_p=1, max_tokens=0)).status == 200
    for size in ("1x1", "2048x2048"):
        assert post(emu.url, IMG_04, {"prompt": "p", "size": size, "quality": "hd"}).status == 200


# --- chat -----------------------------------------------------------------------------------------------------


def test_chat_reply_and_usage(emu: Emulator) -> None:
    system = {"role": "system", "content": "You are terse"}
    body = {"messages": [system, {"role": "user", "content": "hello big world"}]}
    reply = post(emu.url, CHAT_04, body).json
    assert re.fullmatch(r"chatcmpl-\d+", reply["id"])
    assert reply["object"] == "chat.completion"
    assert isinstance(reply["created"], int) and reply["model"] == "emulated-chat"
    assert reply["system_fingerprint"] == "emulator"
    choice = reply["choices"][0]
    assert choice["index"] == 0 and choice["finish_reason"] == "stop"
    assert choice["message"] == {"role": "assistant", "content": "Emulated reply to: hello big world"}
    assert reply["usage"] == {"prompt_tokens": 6, "completion_tokens": 6, "total_tokens": 12, "capacity_type": "usage"}
    later = post(emu.url, CHAT_05, {**body, "model": "my-model"}).json
    assert "capacity_type" not in later["usage"] and later["model"] == "my-model"


def test_chat_text_items_and_last_user_message(emu: Emulator) -> None:
    items = [{"type": "text", "text": "one"}, {"type": "image_url", "image_url": {"url": "data:,"}}]
    items.append({"type": "text", "text": "two"})
    body = {"messages": [{"role": "user", "content": items}, {"role": "assistant", "content": "ok"}]}
    assert post(emu.url, CHAT_04, body).json["choices"][0]["message"]["content"] == "Emulated reply to: one two"


def test_chat_max_tokens_stop_and_seed(emu: Emulator) -> None:
    message = post(emu.url, CHAT_04, user("a b c d e", max_tokens=3)).json["choices"][0]
    assert message["finish_reason"] == "length"
    assert message["message"]["content"] == "Emulated reply to: "
    cut = post(emu.url, CHAT_04, user("alpha beta gamma", stop=["gamma", "beta"])).json["choices"][0]
    assert cut["finish_reason"] == "stop" and cut["message"]["content"] == "Emulated reply to: alpha "
    seeded = post(emu.url, CHAT_04, user("x", seed=42)).json
    assert seeded["choices"][0]["message"]["content"] == "Emulated reply to: x (seed 42)"
    assert seeded["usage"]["completion_tokens"] == 6


def test_chat_json_formats(emu: Emulator) -> None:
    for simple in ("json_object", {"type": "json_object"}):
        content = post(emu.url, CHAT_04, user("hi", response_format=simple)).json["choices"][0]["message"]["content"]
        assert json.loads(content) == {"reply": "Emulated reply to: hi"}
    schema = {
        "type": "object",
        "properties": {"city": {"type": "string"}, "n": {"type": "integer"}, "ok": {"type": "boolean"}},
        "required": ["city", "n", "ok", "other"],
    }
    fmt: dict[str, Any] = {"type": "json_schema", "json_schema": {"name": "answer", "schema": schema, "strict": True}}
    content = post(emu.url, CHAT_05, user("hi", response_format=fmt)).json["choices"][0]["message"]["content"]
    assert json.loads(content) == {"city": "Emulated reply to: hi", "n": 0, "ok": True, "other": None}


TOOLS = [
    {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}},
    {"type": "function", "function": {"name": "get_time"}},
]


def test_chat_tool_calls(emu: Emulator) -> None:
    reply = post(emu.url, CHAT_04, user("please call get_weather", tools=TOOLS)).json
    choice = reply["choices"][0]
    assert choice["finish_reason"] == "tool_calls" and choice["message"]["content"] is None
    (tool_call,) = choice["message"]["tool_calls"]
    assert re.fullmatch(r"call_\d+", tool_call["id"]) and tool_call["type"] == "function"
    assert tool_call["function"]["name"] == "get_weather"
    assert json.loads(tool_call["function"]["arguments"]) == {"query": "please call get_weather"}
    both = post(emu.url, CHAT_04, user("call get_time and get_weather", tools=TOOLS)).json
    calls = both["choices"][0]["message"]["tool_calls"]
    assert [c["function"]["name"] for c in calls] == ["get_time", "get_weather"]
    assert calls[0]["id"] != calls[1]["id"]
    required = post(emu.url, CHAT_04, user("hi", tools=TOOLS, tool_choice="required")).json
    assert required["choices"][0]["message"]["tool_calls"][0]["function"]["name"] == "get_weather"
    named = {"type": "function", "function": {"name": "get_time"}}
    forced = post(emu.url, CHAT_04, user("hi", tools=TOOLS, tool_choice=named)).json
    assert forced["choices"][0]["message"]["tool_calls"][0]["function"]["name"] == "get_time"
    none = post(emu.url, CHAT_04, user("call get_time", tools=TOOLS, tool_choice="none")).json
    assert none["choices"][0]["message"]["content"] == "Emulated reply to: call get_time"
    no_word = post(emu.url, CHAT_04, user("get_time please", tools=TOOLS)).json
    assert "tool_calls" not in no_word["choices"][0]["message"]


def test_chat_tool_result_and_reasoning(emu: Emulator) -> None:
    call_msg = {"id": "call_9", "type": "function", "function": {"name": "get_time", "arguments": "{}"}}
    history = [
        {"role": "user", "content": "call get_time"},
        {"role": "assistant", "tool_calls": [call_msg]},
        {"role": "tool", "content": "noon", "tool_call_id": "call_9"},
    ]
    reply = post(emu.url, CHAT_04, {"messages": history, "tools": TOOLS}).json
    assert reply["choices"][0]["message"]["content"] == "Tool result received: noon"
    thinking = post(emu.url, CHAT_05, user("Think about it")).json["choices"][0]["message"]
    assert thinking["reasoning_content"] == "Thinking about: Think about it"
    assert "reasoning_content" not in post(emu.url, CHAT_05, user("rethinking")).json["choices"][0]["message"]


def test_chat_azure_openai_shape(emu: Emulator) -> None:
    reply = post(emu.url, "/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21", USER_HELLO).json
    assert reply["model"] == "gpt-4o"
    assert reply["prompt_filter_results"][0]["prompt_index"] == 0


# --- streaming --------------------------------------------------------------------------------------------------


def test_stream_chunks(emu: Emulator) -> None:
    body = user("stream me please", stream=True, stream_options={"include_usage": True})
    reply = post(emu.url, CHAT_04, body)
    assert reply.status == 200 and reply.headers["Content-Type"].startswith("text/event-stream")
    assert reply.body.startswith(b"data: {") and reply.body.endswith(b"data: [DONE]\n\n")
    assert sse_data(reply.body)[-1] == "[DONE]"
    chunks = sse_json(reply.body)
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    assert len({c["id"] for c in chunks}) == 1
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    content_chunks = chunks[1:-2]
    assert len(content_chunks) == 6
    assert streamed_text(chunks) == "Emulated reply to: stream me please"
    assert chunks[-2]["choices"][0] == {"index": 0, "delta": {}, "finish_reason": "stop"}
    assert chunks[-1]["choices"] == []
    assert chunks[-1]["usage"]["completion_tokens"] == 6
    plain = sse_json(post(emu.url, CHAT_05, user("x", stream=True)).body)
    assert "usage" not in plain[-1] and plain[-1]["choices"][0]["finish_reason"] == "stop"


def test_stream_tool_calls(emu: Emulator) -> None:
    reply = post(emu.url, CHAT_05, user("call get_weather and get_time", tools=TOOLS, stream=True))
    chunks = sse_json(reply.body)
    deltas = [tc for c in chunks for tc in c["choices"][0]["delta"].get("tool_calls", [])]
    heads = [d for d in deltas if "id" in d]
    assert [(h["index"], h["type"], h["function"]) for h in heads] == [
        (0, "function", {"name": "get_weather", "arguments": ""}),
        (1, "function", {"name": "get_time", "arguments": ""}),
    ]
    pieces = [d for d in deltas if "id" not in d]
    assert [d["index"] for d in pieces[:4]] == [0, 1, 0, 1]
    for index in (0, 1):
        mine = [d["function"]["arguments"] for d in pieces if d["index"] == index]
        assert len(mine) >= 3
        assert json.loads("".join(mine)) == {"query": "call get_weather and get_time"}
    assert chunks[-1]["choices"][0]["finish_reason"] == "tool_calls"


def test_stream_reasoning_before_content(emu: Emulator) -> None:
    chunks = sse_json(post(emu.url, CHAT_05, user("think hard", stream=True)).body)
    kinds = [next(iter(c["choices"][0]["delta"]), None) for c in chunks]
    assert kinds[1:4] == ["reasoning_content"] * 3
    reasoning = "".join(c["choices"][0]["delta"].get("reasoning_content", "") for c in chunks)
    assert reasoning == "Thinking about: think hard"
    assert kinds.index("content") > max(i for i, k in enumerate(kinds) if k == "reasoning_content")


def test_stream_extras_on_first_chunk(emu: Emulator) -> None:
    reply = post(emu.url, CHAT_05, user("x", stream=True, foo=1), headers={"extra-parameters": "pass-through"})
    assert sse_json(reply.body)[0]["emulator_extras"] == ["foo"]


# --- embeddings -------------------------------------------------------------------------------------------------


def test_embeddings_float(emu: Emulator) -> None:
    reply = post(emu.url, EMB_04, EMB_BODY).json
    assert reply["object"] == "list" and reply["model"] == "emulated-embeddings" and reply["id"]
    assert reply["usage"] == {"prompt_tokens": 5, "total_tokens": 5}
    first, second = reply["data"]
    assert (first["object"], first["index"], second["index"]) == ("embedding", 0, 1)
    assert len(first["embedding"]) == 1024
    assert math.isclose(math.fsum(v * v for v in first["embedding"]), 1.0, rel_tol=1e-9)
    assert first["embedding"] != second["embedding"]
    again = post(emu.url, EMB_05, {"input": ["first text"], "input_type": "query"}).json
    assert again["data"][0]["embedding"] == first["embedding"]
    short = post(emu.url, EMB_04, {"input": ["first text"], "dimensions": 8}).json["data"][0]["embedding"]
    assert len(short) == 8 and math.isclose(math.fsum(v * v for v in short), 1.0, rel_tol=1e-9)


def test_embeddings_base64(emu: Emulator) -> None:
    floats = post(emu.url, EMB_04, {"input": ["abc"], "dimensions": 64}).json["data"][0]["embedding"]
    encoded = post(emu.url, EMB_04, {"input": ["abc"], "dimensions": 64, "encoding_format": "base64"}).json
    raw = base64.b64decode(encoded["data"][0]["embedding"])
    assert len(raw) == 64 * 4
    vector = struct.unpack("<64f", raw)
    assert math.isclose(math.fsum(v * v for v in vector), 1.0, rel_tol=1e-5)
    assert all(math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-7) for a, b in zip(vector, floats))


def test_image_embeddings(emu: Emulator) -> None:
    body = {"input": [{"image": "data:image/png;base64,AAAA", "text": "a cat"}], "dimensions": 16}
    reply = post(emu.url, f"/images/embeddings?api-version={API_05}", body).json
    assert len(reply["data"][0]["embedding"]) == 16 and reply["usage"]["prompt_tokens"] == 2


# --- images -----------------------------------------------------------------------------------------------------


def parse_png(data: bytes) -> tuple[int, int, bytes]:
    """Check the signature and every CRC; return (width, height, decompressed pixel rows)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    offset, tags, idat, header = 8, [], b"", b""
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        tag, payload = data[offset + 4 : offset + 8], data[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack(">I", data[offset + 8 + length : offset + 12 + length])
        assert crc == zlib.crc32(tag + payload) & 0xFFFFFFFF
        tags.append(tag)
        header = payload if tag == b"IHDR" else header
        idat += payload if tag == b"IDAT" else b""
        offset += 12 + length
    assert tags[0] == b"IHDR" and tags[-1] == b"IEND" and b"IDAT" in tags
    width, height, depth, colour = struct.unpack(">IIBB", header[:10])
    assert (depth, colour) == (8, 2)
    return width, height, zlib.decompress(idat)


def test_image_generation_url_and_b64(emu: Emulator) -> None:
    reply = post(emu.url, IMG_04, {**IMG_BODY, "seed": 1})
    body = reply.json
    assert body["id"] and isinstance(body["created"], int) and body["model"] == "emulated-image"
    url = body["data"][0]["url"]
    assert url.startswith(emu.url + "/emulator/images/") and url.endswith(".png")
    image = get(emu.url, url[len(emu.url) :], key=None)
    assert image.status == 200 and image.headers["Content-Type"] == "image/png"
    width, height, pixels = parse_png(image.body)
    assert (width, height) == (16, 8)
    assert len(pixels) == 8 * (1 + 3 * 16)
    b64 = post(emu.url, IMG_04, {**IMG_BODY, "seed": 1, "response_format": "b64_json"}).json["data"][0]["b64_json"]
    assert base64.b64decode(b64) == image.body
    other = post(emu.url, IMG_04, {**IMG_BODY, "seed": 2, "response_format": "b64_json"}).json["data"][0]
    assert parse_png(base64.b64decode(other["b64_json"]))[2] != pixels
    assert get(emu.url, "/emulator/images/img-999999.png", key=None).status == 404


# --- model info ----------------------------------------------------------------------------------------------------


def test_info_per_version(emu: Emulator) -> None:
    assert get(emu.url, INFO_04).json == {
        "model_name": "emulated-chat",
        "model_type": "chat",
        "model_provider": "Emulator",
    }
    assert get(emu.url, f"/info?api-version={API_05}").json == {
        "model_name": "emulated-chat",
        "model_type": "chat_completion",
        "model_provider_name": "Emulator",
    }
    assert get(emu.url, f"/info?api-version={API_25}&model=phi").json["model_name"] == "phi"


MODEL_TYPE_NAMES = [
    ("embeddings", "emulated-embeddings"),
    ("image_generation", "emulated-image"),
    ("image_embeddings", "emulated-image-embeddings"),
]


@pytest.mark.parametrize("model_type,name", MODEL_TYPE_NAMES)
def test_info_model_types(model_type: str, name: str) -> None:
    with Emulator(model_type=model_type) as other:
        info = get(other.url, INFO_04).json
        assert info == {"model_name": name, "model_type": model_type, "model_provider": "Emulator"}
        assert post(other.url, CHAT_04, USER_HELLO).status == 200
    with pytest.raises(ValueError):
        Emulator(model_type="audio")


# --- recording, connections, lifecycle -------------------------------------------------------------------------------


def test_expect_100_continue(emu: Emulator) -> None:
    port = int(emu.url.rsplit(":", 1)[1])
    body = json.dumps(USER_HELLO).encode()
    head = (
        f"POST {CHAT_04} HTTP/1.1\r\nHost: 127.0.0.1\r\napi-key: {DEFAULT_KEY}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(head.encode())
        assert sock.recv(64) == b"HTTP/1.1 100 Continue\r\n\r\n"
        sock.sendall(body)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    assert received.startswith(b"HTTP/1.1 200 OK")


def test_requests_are_recorded(emu: Emulator) -> None:
    post(emu.url, CHAT_04, USER_HELLO, headers={"X-Custom": "1"})
    call(emu.url, "POST", CHAT_04, b"not json")
    first, second = emu.requests
    assert (first.method, first.path, first.query) == ("POST", "/v1/chat/completions", {"api-version": API_04})
    assert first.headers["x-custom"] == "1" and first.headers["API-KEY"] == DEFAULT_KEY
    assert first.json == USER_HELLO and json.loads(first.body) == USER_HELLO
    assert second.json is None and second.body == b"not json"
    emu.clear()
    assert emu.requests == []


def test_open_connections_http_client(emu: Emulator) -> None:
    assert emu.wait_for_open_connections(0)
    conn = http.client.HTTPConnection("127.0.0.1", int(emu.url.rsplit(":", 1)[1]), timeout=5)
    try:
        for _ in range(2):
            conn.request("GET", INFO_04, headers={"api-key": DEFAULT_KEY})
            assert conn.getresponse().read()
            assert emu.open_connections == 1
    finally:
        conn.close()
    assert emu.wait_for_open_connections(0)


def test_open_connections_aiohttp_pool(emu: Emulator) -> None:
    async def scenario() -> int:
        headers = {"api-key": DEFAULT_KEY}
        async with aiohttp.ClientSession() as session:

            async def one() -> None:
                async with session.post(emu.url + CHAT_04, json=user("x", stream=True), headers=headers) as response:
                    assert response.status == 200
                    await response.read()

            await asyncio.gather(*(one() for _ in range(3)))
            return emu.open_connections

    assert asyncio.run(scenario()) >= 1
    assert emu.wait_for_open_connections(0)


def test_open_connections_after_client_abandons_stream(emu: Emulator) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", int(emu.url.rsplit(":", 1)[1]), timeout=5)
    headers = {"api-key": DEFAULT_KEY, "Content-Type": "application/json", "x-emulator-fault": "slow-stream;delay=0.05"}
    conn.request("POST", CHAT_04, body=json.dumps(user("a b c d e f", stream=True)), headers=headers)
    response = conn.getresponse()
    assert response.read1(64)
    assert emu.open_connections == 1
    response.close()
    conn.close()
    assert emu.wait_for_open_connections(0)


def test_stop_is_idempotent_and_closes_connections() -> None:
    other = Emulator()
    url = other.start()
    assert other.start() == url and other.running
    conn = http.client.HTTPConnection("127.0.0.1", int(url.rsplit(":", 1)[1]), timeout=5)
    try:
        conn.request("GET", INFO_04, headers={"api-key": DEFAULT_KEY})
        conn.getresponse().read()
        assert other.open_connections == 1
        other.stop()
        other.stop()
        assert other.open_connections == 0 and not other.running
    finally:
        conn.close()
    with pytest.raises(RuntimeError):
        _ = Emulator().url


def test_tls() -> None:
    trustme = pytest.importorskip("trustme")
    authority = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(server_context)
    client_context = ssl.create_default_context()
    authority.configure_trust(client_context)
    with Emulator(ssl_context=server_context) as secure:
        assert secure.url.startswith("https://127.0.0.1:")
        conn = http.client.HTTPSConnection("127.0.0.1", int(secure.url.rsplit(":", 1)[1]), context=client_context)
        try:
            body = json.dumps(IMG_BODY)
            conn.request("POST", IMG_04, body=body, headers={"Authorization": "Bearer emulator-token-x"})
            reply = json.loads(conn.getresponse().read())
            assert reply["data"][0]["url"].startswith(secure.url + "/emulator/images/")
        finally:
            conn.close()
        assert secure.wait_for_open_connections(0)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_command_line(signum: int) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "inference_emulator", "--port", "0", "--key", "cli-key"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line: list[str] = []
        reader = threading.Thread(target=lambda: line.append(process.stdout.readline()))  # type: ignore[union-attr]
        reader.start()
        reader.join(10)
        assert line, "the emulator did not print its URL"
        match = re.fullmatch(r"Emulator listening on (http://127\.0\.0\.1:\d+)\n", line[0])
        assert match, line
        assert post(match.group(1), CHAT_04, USER_HELLO, key="cli-key").status == 200
        process.send_signal(signum)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()  # type: ignore[union-attr]
        process.stderr.close()  # type: ignore[union-attr]


# --- the fault catalogue ----------------------------------------------------------------------------------------


def test_fault_catalogue_is_documented_and_tested() -> None:
    with open(os.path.join(ROOT, "inference_emulator", "README.md"), encoding="utf-8") as handle:
        readme = handle.read()
    faults_section = readme.split("## Faults", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `([a-z0-9-]+)` \|", faults_section, re.MULTILINE))
    assert documented == set(FAULTS)
    sources = ""
    for name in ("test_emulator.py", "test_emulator_faults.py"):
        with open(os.path.join(HERE, name), encoding="utf-8") as handle:
            sources += handle.read()
    exercised = set(re.findall(r"\bf[hp]\(f?\"([a-z0-9-]+)", sources))
    exercised |= set(re.findall(r"FAULT_CASE\(\"([a-z0-9-]+)\"", sources))
    assert set(FAULTS) - exercised == set()
    assert all(description and "\n" not in description for description in FAULTS.values())
