"""ChatCompletionsClient.create_streaming, sync and async, over loopback: framings, ends, failures, release."""

from __future__ import annotations

import gc
import json
import threading

import pytest

from azure.ai.inference import StreamingError
from azure.ai.inference.models import StreamingChatCompletionsUpdate, UserMessage

from _scripted import ScriptedServer

pytestmark = pytest.mark.timeout(60)

PROMPT = "tell me a story about café 日本"
EXPECTED = "Emulated reply to: " + PROMPT


def fault(name: str) -> dict[str, str]:
    return {"x-emulator-fault": name}


async def stream_text(m, client, headers=None, **kwargs):
    stream = await m.call(client.create_streaming(messages=[UserMessage(PROMPT)], headers=headers or {}, **kwargs))
    updates = await m.collect(stream)
    return updates, "".join(u.choices[0].delta.content for u in updates)


def test_seed_loop_and_wire_request(emu, mode):
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url) as client:
            updates, text = await stream_text(m, client, temperature=0.3)
        assert text == EXPECTED
        assert all(isinstance(u, StreamingChatCompletionsUpdate) for u in updates)
        assert updates[0].choices[0].delta.role == "assistant"
        assert updates[-1].choices[0].finish_reason == "stop"
        sent = emu.requests[-1]
        assert sent.path == "/v1/chat/completions"
        assert json.loads(sent.body) == {
            "messages": [{"role": "user", "content": PROMPT}],
            "temperature": 0.3,
            "stream": True,
        }
        assert sent.headers["Accept"] == "text/event-stream"

    mode.run(body)


def test_empty_choices_updates_keep_the_seed_loop_working(emu, mode):
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url) as client:
            updates, text = await stream_text(m, client, headers=fault("empty-choices"))
        assert text.startswith("Emulated reply to:")
        first, last = updates[0], updates[-1]
        assert first.as_dict()["choices"] == [] and first["prompt_filter_results"]
        assert first.choices[0].delta.content == "" and first.choices[0].finish_reason is None
        assert last.as_dict()["choices"] == []
        assert last.usage.total_tokens == last.usage.prompt_tokens + last.usage.completion_tokens > 0

    mode.run(body)


def test_usage_only_last_update(emu, mode):
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url) as client:
            updates, _ = await stream_text(m, client, model_extras={"stream_options": {"include_usage": True}})
        assert updates[-1].as_dict()["choices"] == []
        assert updates[-1].usage.completion_tokens > 0

    mode.run(body)


def test_error_event_raises_after_earlier_updates(emu, mode):
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url) as client:
            stream = await m.call(client.create_streaming(messages=[UserMessage(PROMPT)], headers=fault("error-event")))
            received = []
            with pytest.raises(StreamingError) as info:
                if m.is_async:
                    async for update in stream:
                        received.append(update)
                else:
                    for update in stream:
                        received.append(update)
        assert len(received) == 2
        assert info.value.error.code == "InternalServerError"
        assert "failed mid-stream" in info.value.error.message
        assert info.value.status_code == 200

    mode.run(body)


@pytest.mark.parametrize(
    "ending,code",
    [
        ("no-done", "IncompleteStream"),
        ("no-trailing-newline-event", "IncompleteStream"),
        ("reset", "StreamInterrupted"),
    ],
)
def test_streams_that_end_badly_raise_after_delivering(emu, mode, ending, code):
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url, retry_total=0) as client:
            plain, _ = await stream_text(m, client)
            stream = await m.call(client.create_streaming(messages=[UserMessage(PROMPT)], headers=fault(ending)))
            received = []
            with pytest.raises(StreamingError) as info:
                if m.is_async:
                    async for update in stream:
                        received.append(update)
                else:
                    for update in stream:
                        received.append(update)
        assert info.value.error.code == code
        assert received, "updates before the failure were delivered"
        if ending != "reset":
            # Everything but [DONE] arrived, the last event included.
            assert len(received) == len(plain)

    mode.run(body)


def test_wrong_content_type_is_a_clear_error(emu, mode):
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url) as client:
            error = await m.raises(
                StreamingError,
                lambda: client.create_streaming(messages=[UserMessage(PROMPT)], headers=fault("wrong-content-type")),
            )
        assert error.error.code == "UnexpectedContentType"
        assert "application/json" in error.error.message

    mode.run(body)


def test_one_mebibyte_event(emu, mode):
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url) as client:
            updates, text = await stream_text(m, client, headers=fault("big-event"))
        assert max(len(u.choices[0].delta.content) for u in updates) >= 1024 * 1024

    mode.run(body)


def test_updates_arrive_before_the_stream_ends(mode):
    # The server sends two updates, then waits until the test has received the first one before it sends the
    # rest: a client that buffered the body would never deliver that first update, and the test would fail.
    first_received = threading.Event()
    frames = [json.dumps({"id": "c", "choices": [{"index": 0, "delta": {"content": t}}]}) for t in ("a", "b", "c")]
    events = [b"data: " + f.encode() + b"\n\n" for f in frames]

    async def body(m):
        with ScriptedServer() as server:
            server.gated_events(events[0], events[1], first_received, events[2], b"data: [DONE]\n\n")
            async with m.client("ChatCompletionsClient", server.url, read_timeout=30) as client:
                stream = await m.call(client.create_streaming(messages=[UserMessage("hi")]))
                iterator = stream.__aiter__() if m.is_async else iter(stream)
                first = await m.call(iterator.__anext__() if m.is_async else next(iterator))
                assert first.choices[0].delta.content == "a"
                first_received.set()
                rest = await m.collect(stream)
        assert [u.choices[0].delta.content for u in rest] == ["b", "c"]

    mode.run(body)


def test_connection_released_at_done_break_close_with_and_gc(emu, mode):
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url) as client:
            for _ in range(3):
                # To [DONE].
                await stream_text(m, client)
                # Break out of the loop and drop the stream.
                stream = await m.call(
                    client.create_streaming(messages=[UserMessage(PROMPT)], headers=fault("slow-stream;delay=0.05"))
                )
                if m.is_async:
                    async for _update in stream:
                        break
                else:
                    for _update in stream:
                        break
                del stream
                gc.collect()
                # close().
                stream = await m.call(client.create_streaming(messages=[UserMessage(PROMPT)]))
                await m.call(stream.close())
                await m.call(stream.close())  # twice is fine
                # Leave a with block early.
                stream = await m.call(
                    client.create_streaming(messages=[UserMessage(PROMPT)], headers=fault("slow-stream;delay=0.05"))
                )
                if m.is_async:
                    async with stream:
                        await stream.__anext__()
                else:
                    with stream:
                        next(stream)
            # Released connections are reused or closed: at most the one pooled connection stays open.
            assert emu.wait_for_open_connections(1, at_most=True)
        assert emu.wait_for_open_connections(0, timeout=5)

    mode.run(body)


def test_error_before_stream_starts_raises_http_error(emu, mode):
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url, key="bad") as client:
            error = await m.raises(Exception, lambda: client.create_streaming(messages=[UserMessage(PROMPT)]))
            assert error.status_code == 401
            # The exception keeps its response (and with it the socket) reachable until it is dropped.
            del error
            gc.collect()
        assert emu.wait_for_open_connections(0, timeout=5)

    mode.run(body)


@pytest.mark.parametrize("mode", [True], indirect=True, ids=["async"])
def test_async_streams_that_reach_done_hand_their_connection_back(emu, mode):
    # Ten streams in a row on one client: each one read to [DONE] returns its connection to the pool, so the next
    # one reuses it and the emulator accepts a single connection for all of them. (The sync transport's own test
    # is beside its other tests.)
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url) as client:
            before = emu.accepted_connections
            for _ in range(10):
                stream = await m.call(client.create_streaming(messages=[UserMessage(PROMPT)]))
                updates = await m.collect(stream)
                assert updates[-1].choices[0].finish_reason == "stop"
            assert emu.accepted_connections - before == 1

    mode.run(body)
