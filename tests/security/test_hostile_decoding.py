"""A hostile service's answers, decoded: bounded memory, linear merging, and only azure-core exceptions.

Each test points the sync and the async chat client at a loopback server that answers with scripted bytes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from azure.core.exceptions import DecodeError, HttpResponseError

from azure.ai.inference import StreamingError
from azure.ai.inference._core.accumulate import Accumulator

from _scripted import ScriptedServer

MESSAGES = [{"role": "user", "content": "hi"}]
DEEP = 100_000


@pytest.fixture(scope="module")
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as scripted:
        yield scripted


def event(payload: Any) -> bytes:
    return b"data: " + json.dumps(payload).encode() + b"\n\n"


def update(delta: dict[str, Any], finish_reason: Any = None) -> dict[str, Any]:
    return {
        "id": "x",
        "model": "m",
        "created": 1,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
    }


def tool_piece(index: Any, arguments: str, **fields: Any) -> dict[str, Any]:
    return update(
        {"tool_calls": [{"index": index, **fields, "function": {"arguments": arguments, **fields.pop("function", {})}}]}
    )


DONE = b"data: [DONE]\n\n"


async def stream_all(m: Any, client: Any) -> tuple[list[Any], Any, BaseException | None]:
    """Iterate a streamed call to its end: (updates, the stream, the exception that ended it or None)."""
    stream = await m.call(client.create_streaming(messages=MESSAGES))
    received: list[Any] = []
    try:
        if m.is_async:
            async for item in stream:
                received.append(item)
        else:
            for item in stream:
                received.append(item)
    except Exception as exc:  # pylint: disable=broad-except
        return received, stream, exc
    return received, stream, None


def test_a_huge_tool_call_index_costs_one_entry(server, mode):
    server.events(
        event(tool_piece(10**6, '{"a"', id="call_1", type="function", function={"name": "f"})),
        event(tool_piece(10**6, ": 1}")),
        DONE,
    )

    async def body(m):
        async with m.client("ChatCompletionsClient", server.url) as client:
            updates, stream, error = await stream_all(m, client)
            assert error is None and len(updates) == 2
            # Stored sparsely: one call, not a list of a million placeholders.
            assert list(stream._accumulator._choices[0].tool_calls.calls) == [10**6]
            final = await m.call(stream.get_final_completion())
        (call,) = final.choices[0].message.tool_calls
        assert (call.id, call.function.name, call.function.arguments) == ("call_1", "f", '{"a": 1}')

    mode.run(body)


@pytest.mark.parametrize("index", [-1, "0", 1.5, True])
def test_a_tool_call_index_that_is_not_a_non_negative_int_fails_the_stream(server, mode, index):
    server.events(event(update({"content": "before"})), event(tool_piece(index, "{}")), DONE)

    async def body(m):
        async with m.client("ChatCompletionsClient", server.url) as client:
            updates, _, error = await stream_all(m, client)
        assert [u.choices[0].delta.content for u in updates] == ["before"]
        assert isinstance(error, StreamingError)
        assert error.error.code == "InvalidStreamEvent"
        assert "non-negative int" in error.error.message

    mode.run(body)


def test_a_retry_field_of_thousands_of_digits_is_ignored_and_loses_nothing(server, mode):
    # The update and the absurd retry field arrive in the same chunk; the update must still be delivered.
    server.events(
        event(update({"content": "kept"})) + b"retry: " + b"9" * 5000 + b"\n\n", event(update({"content": "!"})), DONE
    )

    async def body(m):
        async with m.client("ChatCompletionsClient", server.url) as client:
            updates, _, error = await stream_all(m, client)
        assert error is None
        assert [u.choices[0].delta.content for u in updates] == ["kept", "!"]

    mode.run(body)


def test_deeply_nested_json_is_a_decode_error_with_the_status(server, mode):
    server.json(b"[" * DEEP + b"]" * DEEP, **{"x-request-id": "req-deep"})

    async def body(m):
        async with m.client("ChatCompletionsClient", server.url) as client:
            error = await m.raises(DecodeError, lambda: client.create(messages=MESSAGES))
        assert error.status_code == 200
        assert "req-deep" in str(error)

    mode.run(body)


def test_a_deeply_nested_streamed_event_fails_the_stream_after_the_earlier_updates(server, mode):
    server.events(event(update({"content": "first"})), b"data: " + b"[" * DEEP + b"]" * DEEP + b"\n\n", DONE)

    async def body(m):
        async with m.client("ChatCompletionsClient", server.url) as client:
            updates, _, error = await stream_all(m, client)
        assert [u.choices[0].delta.content for u in updates] == ["first"]
        assert isinstance(error, StreamingError) and error.error.code == "InvalidStreamEvent"

    mode.run(body)


def test_a_deeply_nested_error_body_still_gives_the_status(server, mode):
    server.json(b'{"error": ' + b"[" * DEEP + b"]" * DEEP + b"}", status=500)

    async def body(m):
        async with m.client("ChatCompletionsClient", server.url, retry_total=0) as client:
            error = await m.raises(HttpResponseError, lambda: client.create(messages=MESSAGES))
        assert error.status_code == 500
        assert len(str(error)) < 2000

    mode.run(body)


def test_error_messages_and_codes_are_bounded(server, mode):
    huge = "x" * 1_000_000
    server.json(json.dumps({"error": {"code": "C" * 100_000, "message": huge}}).encode(), status=400)

    async def body(m):
        async with m.client("ChatCompletionsClient", server.url) as client:
            error = await m.raises(HttpResponseError, lambda: client.create(messages=MESSAGES))
        assert error.status_code == 400
        assert error.error.message.startswith("xxx") and len(error.error.message) <= 4003
        assert len(error.error.code) <= 203
        assert len(str(error)) < 10_000

    mode.run(body)


def test_a_streamed_error_event_with_a_huge_message_is_bounded(server, mode):
    server.events(event(update({"content": "a"})), event({"error": {"code": "Boom", "message": "y" * 1_000_000}}))

    async def body(m):
        async with m.client("ChatCompletionsClient", server.url) as client:
            updates, _, error = await stream_all(m, client)
        assert len(updates) == 1
        assert isinstance(error, StreamingError) and error.error.code == "Boom"
        assert len(error.error.message) <= 4003

    mode.run(body)


# -------------------------------------------------------------------------------- merging stays linear
# Text is kept as a list of pieces and joined once per result, so N pieces cost O(N), whereas `a + b` on every
# piece copies the whole text each time (O(N^2)). The tests check both the exact merged text and that the pieces
# are held as pieces until a result is built.

PIECES = 100_000


def test_string_extras_are_kept_as_pieces_and_joined_once():
    accumulator = Accumulator()
    for _ in range(PIECES):
        accumulator.add(update({"reasoning_content": "ab", "content": "c"}))
    state = accumulator._choices[0]
    assert len(state.texts["reasoning_content"]) == PIECES and len(state.content) == PIECES
    message = accumulator.result().choices[0].message
    assert message["reasoning_content"] == "ab" * PIECES
    assert message.content == "c" * PIECES


def test_tool_call_arguments_are_kept_as_pieces_and_joined_once():
    accumulator = Accumulator()
    accumulator.add(tool_piece(0, "", id="call", type="function", function={"name": "f"}))
    for _ in range(PIECES):
        accumulator.add(tool_piece(0, "xy"))
    assert len(accumulator._choices[0].tool_calls.calls[0].arguments) == PIECES + 1
    (call,) = accumulator.result().choices[0].message.tool_calls
    assert call.function.arguments == "xy" * PIECES


def test_a_string_extra_after_another_value_restarts_and_other_values_replace():
    accumulator = Accumulator()
    for delta in ({"note": 1}, {"note": "a"}, {"note": "b"}, {"flag": "x"}, {"flag": True}):
        accumulator.add(update(delta))
    message = accumulator.result().choices[0].message
    assert message["note"] == "ab"
    assert message["flag"] is True


def test_result_with_extra_updates_leaves_the_accumulator_unchanged():
    accumulator = Accumulator()
    accumulator.add(update({"content": "a", "reasoning_content": "r"}))
    accumulator.add(tool_piece(0, "{", id="c1", function={"name": "f"}))
    preview = accumulator.result([update({"content": "b", "reasoning_content": "s"}), tool_piece(0, "}")])
    assert preview.choices[0].message.content == "ab"
    assert preview.choices[0].message["reasoning_content"] == "rs"
    assert preview.choices[0].message.tool_calls[0].function.arguments == "{}"
    now = accumulator.result().choices[0].message
    assert (now.content, now["reasoning_content"], now.tool_calls[0].function.arguments) == ("a", "r", "{")
