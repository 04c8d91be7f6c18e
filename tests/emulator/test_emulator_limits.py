# The work one request may ask of the emulator is bounded: deep JSON and requests past a bound are answered 400
# (413 for the body) with a clear error, and a large request that is allowed does not keep others waiting.
from __future__ import annotations

import http.client
import json
import random
import select
import socket
import time
import urllib.parse
from typing import Any

import pytest

from emulator_support import CHAT_05, EMB_05, INFO_04, Reply, get, post
from inference_emulator import DEFAULT_KEY
from inference_emulator.embeddings import embedding_vector
from inference_emulator.limits import (
    MAX_ANSWER_TOKENS,
    MAX_EMBEDDING_INPUTS,
    MAX_EMBEDDING_VALUES,
    MAX_REQUEST_BODY,
    MAX_STOP_SEQUENCES,
    MAX_TOOLS,
    count_words,
)

DEPTH = 100_000


def assert_refused(reply: Reply, target: str | None, *words: str, status: int = 400) -> None:
    assert reply.status == status, reply.body[:300]
    error = reply.json["error"]
    assert error.get("target") == target
    for word in words:
        assert word in error["message"]


@pytest.mark.parametrize("path", [CHAT_05, EMB_05])
@pytest.mark.parametrize("opening, closing", [(b"[", b"]"), (b'{"a":', b"}")])
def test_deeply_nested_json_is_a_400(emu, path, opening, closing):
    reply = post(emu.url, path, opening * DEPTH + b"1" + closing * DEPTH)
    assert_refused(reply, None, "not valid JSON", "nested too deeply")
    assert reply.error_code == "Invalid input"
    wrapped = b'{"input": ' + opening * DEPTH + b'"x"' + closing * DEPTH + b"}"  # deep inside an object
    assert_refused(post(emu.url, path, wrapped), None, "nested too deeply")
    assert get(emu.url, INFO_04).status == 200  # and the server carries on


def test_embeddings_past_the_bound_of_values_are_a_400(emu):
    texts = [f"text {i}" for i in range(1000)]
    reply = post(emu.url, EMB_05, {"input": texts, "dimensions": 16384})
    assert_refused(reply, "input", "1000 inputs x 16384 dimensions", str(MAX_EMBEDDING_VALUES), "a limit of")
    too_many = post(emu.url, EMB_05, {"input": ["x"] * (MAX_EMBEDDING_INPUTS + 1), "dimensions": 1})
    assert_refused(too_many, "input", f"{MAX_EMBEDDING_INPUTS + 1} items", f"at most {MAX_EMBEDDING_INPUTS}")
    # at the bound itself: answered
    at_bound = post(emu.url, EMB_05, {"input": ["x"] * MAX_EMBEDDING_INPUTS, "dimensions": 2})
    assert at_bound.status == 200 and len(at_bound.json["data"]) == MAX_EMBEDDING_INPUTS


def test_a_chat_answer_past_the_bound_of_tokens_is_a_400(emu):
    long_message = {"role": "user", "content": "word " * (MAX_ANSWER_TOKENS + 10)}
    reply = post(emu.url, CHAT_05, {"messages": [long_message]})
    assert_refused(reply, "messages", "more than", str(MAX_ANSWER_TOKENS), "max_tokens")
    streamed = post(emu.url, CHAT_05, {"messages": [long_message], "stream": True})
    assert_refused(streamed, "messages", "more than")
    # max_tokens bounds the answer: the same message is answered
    short = post(emu.url, CHAT_05, {"messages": [long_message], "max_tokens": 3})
    assert short.status == 200 and short.json["choices"][0]["finish_reason"] == "length"
    # choices and log probabilities count too
    many = {"role": "user", "content": "word " * (MAX_ANSWER_TOKENS // 100)}
    n_path = "/openai/deployments/d/chat/completions?api-version=2024-10-21"
    body: dict[str, Any] = {"messages": [many], "n": 100, "logprobs": True, "top_logprobs": 5}
    assert_refused(post(emu.url, n_path, body), "messages", "100 choices", "5 alternatives a token")


def test_tools_and_stop_sequences_past_their_bounds_are_a_400(emu):
    tool = {"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}
    hello = [{"role": "user", "content": "hello"}]
    tools = post(emu.url, CHAT_05, {"messages": hello, "tools": [tool] * (MAX_TOOLS + 1)})
    assert_refused(tools, "tools", f"at most {MAX_TOOLS}")
    stops = post(emu.url, CHAT_05, {"messages": hello, "stop": ["x"] * (MAX_STOP_SEQUENCES + 1)})
    assert_refused(stops, "stop", f"at most {MAX_STOP_SEQUENCES}")
    assert post(emu.url, CHAT_05, {"messages": hello, "tools": [tool] * MAX_TOOLS}).status == 200


def test_a_body_past_the_bound_is_a_413_with_a_json_error(emu):
    parts = urllib.parse.urlsplit(emu.url)
    assert parts.hostname is not None and parts.port is not None
    size = MAX_REQUEST_BODY + 1024
    head = (
        f"POST {EMB_05} HTTP/1.1\r\nHost: {parts.netloc}\r\napi-key: {DEFAULT_KEY}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {size}\r\nConnection: close\r\n\r\n"
    )
    received = bytearray()
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
        sock.sendall(head.encode("ascii"))
        block = b" " * 65536
        try:
            for _ in range(size // len(block) + 1):
                sock.sendall(block)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed before reading it all
        try:
            while True:
                piece = sock.recv(65536)
                if not piece:
                    break
                received += piece
        except ConnectionResetError:
            pass
    status_line, _, rest = bytes(received).partition(b"\r\n")
    assert status_line.split()[1] == b"413", bytes(received[:300])
    assert b'"code": "RequestEntityTooLarge"' in rest and str(MAX_REQUEST_BODY).encode() in rest


def test_other_requests_are_answered_while_a_large_embeddings_request_is_computed(emu):
    texts = [f"a longer text number {i}" for i in range(256)]
    parts = urllib.parse.urlsplit(emu.url)
    assert parts.hostname is not None and parts.port is not None
    large = http.client.HTTPConnection(parts.hostname, parts.port, timeout=300)
    try:
        body = json.dumps({"input": texts, "dimensions": 4096})
        large.request("POST", EMB_05, body, {"api-key": DEFAULT_KEY, "Content-Type": "application/json"})
        # The emulator records a request before it computes the answer.
        deadline = time.monotonic() + 60
        while not any(len((r.json or {}).get("input", [])) == 256 for r in list(emu.requests)):
            assert time.monotonic() < deadline, "the large request never arrived"
            time.sleep(0.001)
        small = post(emu.url, EMB_05, {"input": ["small"], "dimensions": 4})
        info = get(emu.url, INFO_04)
        # Over loopback, what the server sends is in the receiving socket at once: nothing of the large answer
        # is there yet, so the small ones were answered while it was being computed.
        assert large.sock is not None
        large_answer_started = bool(select.select([large.sock], [], [], 0)[0])
        response = large.getresponse()
        data = json.loads(response.read())["data"]
    finally:
        large.close()
    assert small.status == 200 and info.status == 200
    assert small.json["data"][0]["embedding"] == pytest.approx(embedding_vector("small", 4))
    assert not large_answer_started, "the small requests waited for the large one"
    assert response.status == 200
    assert [item["index"] for item in data] == list(range(256))
    assert data[255]["embedding"] == pytest.approx(embedding_vector(texts[255], 4096))


def test_an_answer_computed_in_slices_is_the_same_answer(emu):
    body = {"input": ["one", "two words", "three more words"], "dimensions": 5, "encoding_format": "float"}
    reply = post(emu.url, EMB_05, body)
    assert reply.status == 200
    answer = reply.json
    assert list(answer) == ["id", "object", "data", "model", "usage"]
    assert answer["usage"] == {"prompt_tokens": 6, "total_tokens": 6}
    assert [item["embedding"] for item in answer["data"]] == [embedding_vector(t, 5) for t in body["input"]]


def test_words_are_counted_across_slices_as_split_counts_them():
    rng = random.Random(7)
    blanks = [" ", "  ", "\n", "\t", "\u3000", "\u2028"]
    pieces: list[str] = []
    length = 0
    while length < 3 * (1 << 20) + 17:  # past three slices
        pieces.append("w" * rng.randint(1, 12) + rng.choice(blanks) * rng.randint(0, 2))
        length += len(pieces[-1])
    text = "".join(pieces)
    for cut in (text, " " + text, text[:-1], text[5:]):
        assert count_words(cut) == len(cut.split())
    assert count_words("") == 0 and count_words("a b") == 2
