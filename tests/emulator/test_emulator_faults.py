# Tests of every fault of the emulator's catalogue, chosen by header or by path prefix.
from __future__ import annotations

import http.client
import json
import time
import urllib.parse
from collections.abc import Callable
from typing import Any

import pytest
from emulator_support import (
    CHAT_04,
    CHAT_05,
    EMB_04,
    INFO_04,
    USER_HELLO,
    Reply,
    fh,
    fp,
    get,
    post,
    raw_chunks,
    sse_data,
    sse_json,
    streamed_text,
    without_ids,
)

from inference_emulator import DEFAULT_KEY, Emulator, FaultSpecError

pytestmark = pytest.mark.timeout(60)

STREAM_BODY: dict[str, Any] = {
    "messages": [{"role": "user", "content": "hi there"}],
    "stream": True,
    "stream_options": {"include_usage": True},
}


def normal_chunks(emu: Emulator) -> list[dict[str, Any]]:
    chunks: list[dict[str, Any]] = sse_json(post(emu.url, CHAT_04, STREAM_BODY).body)
    return chunks


def statuses(emu: Emulator, path: str, headers: dict[str, str], times: int, body: Any = USER_HELLO) -> list[int]:
    return [post(emu.url, path, body, headers=headers).status for _ in range(times)]


def FAULT_CASE(name: str, check: Callable[[bytes], bool]) -> Any:  # noqa: N802 - reads like a table row
    return pytest.param(name, check, id=name)


# --- error answers ----------------------------------------------------------------------------------------------


def test_rate_limit(emu: Emulator) -> None:
    header = fh("rate-limit;retry_after=0;count=2")
    replies = [post(emu.url, CHAT_04, USER_HELLO, headers=header) for _ in range(3)]
    assert [r.status for r in replies] == [429, 429, 200]
    assert replies[0].headers["Retry-After"] == "0"
    assert replies[0].error_code == replies[0].headers["x-ms-error-code"] == "TooManyRequests"
    assert replies[0].headers["x-emulator-fault"] == "rate-limit"
    always = fh("rate-limit")
    assert statuses(emu, CHAT_04, always, 2) == [429, 429]
    assert post(emu.url, CHAT_04, USER_HELLO, headers=always).headers["Retry-After"] == "1"


def test_rate_limit_ms(emu: Emulator) -> None:
    reply = post(emu.url, EMB_04, {"input": ["a"]}, headers=fh("rate-limit-ms;retry_after_ms=0;count=1"))
    assert reply.status == 429 and reply.headers["retry-after-ms"] == "0" and "Retry-After" not in reply.headers
    assert post(emu.url, EMB_04, {"input": ["a"]}, headers=fh("rate-limit-ms;retry_after_ms=0;count=1")).status == 200
    assert post(emu.url, EMB_04, {"input": ["a"]}, headers=fh("rate-limit-ms")).headers["retry-after-ms"] == "1000"


def test_status_then_ok(emu: Emulator) -> None:
    header = fh("status-then-ok;status=503;count=2")
    replies = [post(emu.url, CHAT_04, USER_HELLO, headers=header) for _ in range(3)]
    assert [r.status for r in replies] == [503, 503, 200]
    assert replies[0].error_code == "ServiceUnavailable" == replies[0].headers["x-ms-error-code"]
    assert statuses(emu, CHAT_04, fh("status-then-ok"), 2) == [500, 200]
    emu.reset_faults()
    assert statuses(emu, CHAT_04, fh("status-then-ok"), 2) == [500, 200]
    with_retry = post(emu.url, CHAT_04, USER_HELLO, headers=fh("status-then-ok;status=504;retry_after=0;key=r"))
    assert with_retry.status == 504 and with_retry.headers["Retry-After"] == "0"


def test_fault_counter_keys(emu: Emulator) -> None:
    first, second = fh("status-then-ok;status=502;key=a"), fh("status-then-ok;status=502;key=b")
    assert post(emu.url, CHAT_04, USER_HELLO, headers=first).status == 502
    assert post(emu.url, CHAT_04, USER_HELLO, headers=second).status == 502
    assert post(emu.url, CHAT_04, USER_HELLO, headers=first).status == 200
    same_key = fh("status-then-ok;status=500;key=a")  # another text, the same key: already used up
    assert post(emu.url, CHAT_04, USER_HELLO, headers=same_key).status == 200


def test_error_bodies(emu: Emulator) -> None:
    html = post(emu.url, CHAT_04, USER_HELLO, headers=fh("html-502"))
    assert html.status == 502 and html.headers["Content-Type"].startswith("text/html")
    assert b"502 Bad Gateway" in html.body
    status_body = post(emu.url, CHAT_04, USER_HELLO, headers=fh("status-body"))
    assert (status_body.status, status_body.json) == (401, {"status": "Invalid auth token"})
    detail = post(emu.url, CHAT_04, USER_HELLO, headers=fh("detail-body"))
    assert (detail.status, detail.json) == (404, {"detail": "Not Found"})
    plain = post(emu.url, CHAT_04, USER_HELLO, headers=fh("plain-text"))
    assert plain.status == 500 and plain.headers["Content-Type"].startswith("text/plain")
    assert plain.body == b"Internal Server Error"
    assert post(emu.url, CHAT_04, USER_HELLO, headers=fh("html-502;count=1")).status == 502
    assert post(emu.url, CHAT_04, USER_HELLO, headers=fh("html-502;count=1")).status == 200


def test_faults_act_after_auth_and_routing(emu: Emulator) -> None:
    assert post(emu.url, CHAT_04, USER_HELLO, headers=fh("html-502"), key="bad").status == 401
    assert post(emu.url, CHAT_05.replace("/chat", "/v1/chat"), USER_HELLO, headers=fh("html-502")).status == 404
    assert get(emu.url, INFO_04, headers=fh("status-then-ok;status=503")).status == 503
    assert get(emu.url, INFO_04, headers=fh("status-then-ok;status=503")).status == 200


def test_wrong_content_type(emu: Emulator) -> None:
    plain = post(emu.url, CHAT_04, USER_HELLO, headers=fh("wrong-content-type"))
    assert plain.status == 200 and plain.headers["Content-Type"].startswith("text/plain")
    assert plain.json["object"] == "chat.completion"
    streamed = post(emu.url, CHAT_04, STREAM_BODY, headers=fh("wrong-content-type"))
    assert streamed.headers["Content-Type"].startswith("application/json")
    assert streamed.json["choices"][0]["message"]["content"] == "Emulated reply to: hi there"


def test_malformed_json(emu: Emulator) -> None:
    reply = post(emu.url, CHAT_04, USER_HELLO, headers=fh("malformed-json"))
    assert reply.status == 200 and reply.headers["Content-Type"].startswith("application/json")
    with pytest.raises(ValueError):
        json.loads(reply.body)
    data = sse_data(post(emu.url, CHAT_04, STREAM_BODY, headers=fh("malformed-json")).body)
    with pytest.raises(ValueError):
        json.loads(data[1])
    assert data[-1] == "[DONE]"


def test_big_event(emu: Emulator) -> None:
    chunks = sse_json(post(emu.url, CHAT_04, STREAM_BODY, headers=fh("big-event")).body)
    sizes = [len(c["choices"][0]["delta"].get("content") or "") for c in chunks if c["choices"]]
    assert max(sizes) == 1024 * 1024 and sorted(sizes)[-2] < 100
    content = post(emu.url, CHAT_04, USER_HELLO, headers=fh("big-event")).json["choices"][0]["message"]["content"]
    assert content.startswith("Emulated reply to: hello there") and len(content) > 1024 * 1024


# --- connection faults and timing ------------------------------------------------------------------------------


def _connection(emu: Emulator) -> http.client.HTTPConnection:
    return http.client.HTTPConnection("127.0.0.1", int(emu.url.rsplit(":", 1)[1]), timeout=5)


def _send(conn: http.client.HTTPConnection, body: Any, fault: dict[str, str]) -> None:
    headers = {"api-key": DEFAULT_KEY, "Content-Type": "application/json", **fault}
    conn.request("POST", CHAT_04, body=json.dumps(body), headers=headers)


def test_reset_non_stream(emu: Emulator) -> None:
    conn = _connection(emu)
    try:
        _send(conn, USER_HELLO, fh("reset;count=1"))
        with pytest.raises((ConnectionError, http.client.HTTPException)):
            conn.getresponse().read()
    finally:
        conn.close()
    assert post(emu.url, CHAT_04, USER_HELLO, headers=fh("reset;count=1")).status == 200
    assert emu.wait_for_open_connections(0)


def test_reset_mid_stream(emu: Emulator) -> None:
    conn = _connection(emu)
    received = b""
    try:
        _send(conn, STREAM_BODY, fh("reset;after=3"))
        response = conn.getresponse()
        assert response.status == 200
        with pytest.raises((ConnectionError, http.client.HTTPException)):
            while True:
                piece = response.read1(65536)
                if not piece:
                    break
                received += piece
    finally:
        conn.close()
    assert len(sse_data(received)) == 3
    assert emu.wait_for_open_connections(0)


def test_slow_first_byte(emu: Emulator) -> None:
    started = time.monotonic()
    assert post(emu.url, CHAT_04, USER_HELLO, headers=fh("slow-first-byte;delay=0.3")).status == 200
    assert time.monotonic() - started >= 0.3


def test_slow_stream_is_delivered_incrementally(emu: Emulator) -> None:
    conn = _connection(emu)
    try:
        started = time.monotonic()
        _send(conn, STREAM_BODY, fh("slow-stream;delay=0.05"))
        response = conn.getresponse()
        arrivals: list[tuple[float, bytes]] = []
        while True:
            piece = response.read1(65536)
            if not piece:
                break
            arrivals.append((time.monotonic() - started, piece))
    finally:
        conn.close()
    events = sse_data(b"".join(piece for _, piece in arrivals))
    assert len(events) == 9 and events[-1] == "[DONE]"
    assert len(arrivals) >= 5
    assert arrivals[-1][0] - arrivals[0][0] >= 0.05 * 6


def test_hold_stream_waits_for_a_release(emu: Emulator) -> None:
    conn = _connection(emu)
    try:
        _send(conn, STREAM_BODY, fh("hold-stream;after=2"))
        response = conn.getresponse()
        received = b""
        while received.count(b"\n\n") < 2:  # the events written before the hold, whatever the reads' sizes
            piece = response.read1(65536)
            assert piece, "the stream ended while held"
            received += piece
        assert len(sse_data(received)) == 2  # and nothing after them: the rest waits for the release
        emu.release_streams()
        received += response.read()
    finally:
        conn.close()
    events = sse_data(received)
    assert len(events) == 9 and events[-1] == "[DONE]"


# --- SSE framings -----------------------------------------------------------------------------------------------

FRAMING_CASES = [
    FAULT_CASE("crlf", lambda raw: raw.count(b"\r\n") > 10 and b"\n" not in raw.replace(b"\r\n", b"")),
    FAULT_CASE("cr", lambda raw: b"\n" not in raw and raw.count(b"\r") > 10),
    FAULT_CASE("keepalive", lambda raw: raw.startswith(b": ping - ") and raw.count(b": ping - ") > 5),
    FAULT_CASE("nospace", lambda raw: raw.startswith(b"data:{") and b"data: " not in raw),
    FAULT_CASE("multiline", lambda raw: raw.startswith(b'data: {\ndata:   "id"')),
    FAULT_CASE("event-id", lambda raw: raw.startswith(b"event: message\nid: 1\nretry: 1000\ndata: {")),
    FAULT_CASE("no-trailing-newline", lambda raw: raw.endswith(b"}\n\ndata: [DONE]")),
]


@pytest.mark.parametrize("fault,check", FRAMING_CASES)
def test_sse_framings_keep_the_events(emu: Emulator, fault: str, check: Callable[[bytes], bool]) -> None:
    expected = without_ids(normal_chunks(emu))
    reply = post(emu.url, CHAT_04, STREAM_BODY, headers=fh(fault))
    assert reply.status == 200 and reply.headers["Content-Type"].startswith("text/event-stream")
    assert check(reply.body), reply.body[:200]
    assert sse_data(reply.body)[-1] == "[DONE]"
    assert without_ids(sse_json(reply.body)) == expected


def test_no_done_and_no_trailing_newline_event(emu: Emulator) -> None:
    expected = without_ids(normal_chunks(emu))
    no_done = post(emu.url, CHAT_04, STREAM_BODY, headers=fh("no-done")).body
    assert b"[DONE]" not in no_done and no_done.endswith(b"}\n\n")
    assert without_ids(sse_json(no_done)) == expected
    unterminated = post(emu.url, CHAT_04, STREAM_BODY, headers=fh("no-trailing-newline-event")).body
    assert b"[DONE]" not in unterminated and unterminated.endswith(b"}")
    assert without_ids(sse_json(unterminated)) == expected


def test_tiny_chunks(emu: Emulator) -> None:
    status, headers, chunks = raw_chunks(emu.url, CHAT_04, STREAM_BODY, fh("tiny-chunks"))
    assert status == 200 and headers["content-type"].startswith("text/event-stream")
    assert len(chunks) > 500 and {len(chunk) for chunk in chunks} == {1}
    assert without_ids(sse_json(b"".join(chunks))) == without_ids(normal_chunks(emu))


def test_split_utf8(emu: Emulator) -> None:
    status, _, chunks = raw_chunks(emu.url, CHAT_04, STREAM_BODY, fh("split-utf8"))
    assert status == 200
    broken = 0
    for chunk in chunks:
        try:
            chunk.decode("utf-8")
        except UnicodeDecodeError:
            broken += 1
    assert broken >= 2
    body = b"".join(chunks)
    assert streamed_text(sse_json(body)) == "Emulated reply to: hi there café 日本"
    assert "café".encode() in body and "日本".encode() in body  # raw UTF-8, not \u escapes
    message = post(emu.url, CHAT_04, USER_HELLO, headers=fh("split-utf8")).json["choices"][0]["message"]
    assert message["content"] == "Emulated reply to: hello there café 日本"


@pytest.mark.parametrize("after", [None, 3])
def test_error_event(emu: Emulator, after: int | None) -> None:
    header = fh("error-event") if after is None else fh(f"error-event;after={after}")
    data = sse_data(post(emu.url, CHAT_04, STREAM_BODY, headers=header).body)
    assert len(data) == (after or 2) + 1
    assert json.loads(data[-1]) == {"error": {"code": "InternalServerError", "message": "The model failed mid-stream"}}


def test_repeat_tool_ids(emu: Emulator) -> None:
    tools = [{"type": "function", "function": {"name": "lookup"}}]
    body = {"messages": [{"role": "user", "content": "call lookup"}], "tools": tools, "stream": True}
    chunks = sse_json(post(emu.url, CHAT_05, body, headers=fh("repeat-tool-ids")).body)
    deltas = [tc for c in chunks for tc in c["choices"][0]["delta"].get("tool_calls", [])]
    assert len(deltas) >= 4 and len({d["id"] for d in deltas}) == 1
    assert all(d["function"]["name"] == "lookup" and d["type"] == "function" for d in deltas)
    assert json.loads("".join(d["function"]["arguments"] for d in deltas)) == {"query": "call lookup"}


def test_empty_choices(emu: Emulator) -> None:
    body = {**STREAM_BODY, "stream_options": {"include_usage": False}}
    chunks = sse_json(post(emu.url, CHAT_04, body, headers=fh("empty-choices")).body)
    first = chunks[0]
    assert first["choices"] == [] and first["id"] == "" and first["model"] == ""
    assert first["prompt_filter_results"] == [{"prompt_index": 0, "content_filter_results": {}}]
    assert chunks[-1]["choices"] == [] and chunks[-1]["usage"]["total_tokens"] > 0
    assert streamed_text(chunks) == "Emulated reply to: hi there"


# --- choosing faults --------------------------------------------------------------------------------------------


def test_fault_path_prefix(emu: Emulator) -> None:
    reply = post(emu.url, fp("crlf") + CHAT_04, STREAM_BODY)
    assert b"\r\n\r\n" in reply.body and without_ids(sse_json(reply.body)) == without_ids(normal_chunks(emu))
    assert emu.requests[0].path == "/fault/crlf/v1/chat/completions"
    assert post(emu.url, fp("crlf") + CHAT_04, USER_HELLO).status == 200  # framing faults leave JSON alone
    prefix = fp("status-then-ok;status=503;count=1")
    assert [post(emu.url, prefix + CHAT_05, USER_HELLO).status for _ in range(2)] == [503, 200]
    encoded = fp(urllib.parse.quote("status-then-ok;status=504;key=enc", safe=""))
    assert post(emu.url, encoded + CHAT_04, USER_HELLO).status == 504
    azure = fp("nospace") + "/openai/deployments/gpt/chat/completions?api-version=2024-06-01"
    assert post(emu.url, azure, STREAM_BODY).body.startswith(b"data:{")
    assert post(emu.url, fp("html-502") + "/v1/unknown?api-version=x", USER_HELLO).status == 404


def test_invalid_fault_specs(emu: Emulator) -> None:
    for fault in ("no-such-fault", "status-then-ok;status=abc", "rate-limit;count=x", "reset;oops"):
        reply: Reply = post(emu.url, CHAT_04, USER_HELLO, headers=fh(fault))
        assert reply.status == 400 and reply.error_code == "InvalidEmulatorFault", fault
    assert Emulator.fault_header("rate-limit", retry_after=0, count=1) == fh("rate-limit;retry_after=0;count=1")
    with pytest.raises(FaultSpecError):
        Emulator.fault_header("nope")
