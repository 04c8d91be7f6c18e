"""Every fault of the emulator's catalogue, through the sync and async clients: retried, raised or survived.

The outcome of each fault is written in OUTCOMES below (and in docs/reliability.md); one test checks that the
table covers the whole catalogue, so a fault added to the emulator without a test here fails the suite.

Retries are azure-core's RetryPolicy (the library's subclass also reads `retry-after-ms`): a POST is retried on
500/503/504, and on any status >= 400 that carries `Retry-After` or `retry-after-ms`; it is not retried after the
connection broke, nor once a stream's first byte arrived.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from azure.core.exceptions import (
    ClientAuthenticationError,
    DecodeError,
    HttpResponseError,
    ResourceNotFoundError,
    ServiceResponseError,
)

from azure.ai.inference import StreamingError
from inference_emulator import FAULTS

from _reliability import (
    EXPECTED,
    FAST_RETRY,
    assert_all_closed,
    assert_clear_error,
    assert_released,
    drain,
    first_update,
    fault,
    text_of,
    user,
)
from _reliability import clean_emulator  # noqa: F401  (autouse: each test starts with no open connection)

pytestmark = [pytest.mark.timeout(60), pytest.mark.filterwarnings("error")]

OUTCOMES = {
    "rate-limit": "429 + Retry-After: retried, then succeeds; once retries run out, HttpResponseError 429",
    "rate-limit-ms": "429 + retry-after-ms: retried like Retry-After, then succeeds; once retries run out, 429",
    "status-then-ok": "500/503/504, or any status with Retry-After: retried, then succeeds; 400/429/502 bare: raised",
    "reset": "before the answer: ServiceResponseError (sync and async), not retried; "
    "mid-stream: StreamingError after the updates, not retried",
    "slow-first-byte": "read_timeout shorter than the delay: ServiceResponseError; otherwise succeeds",
    "slow-stream": "all updates, as they arrive; read_timeout between events: StreamingError",
    "hold-stream": "the first update arrives while the rest is held; once released, every update",
    "crlf": "same updates as a plain stream",
    "cr": "same updates as a plain stream",
    "keepalive": "same updates as a plain stream",
    "nospace": "same updates as a plain stream",
    "split-utf8": "same updates, multi-byte text intact",
    "multiline": "same updates as a plain stream",
    "event-id": "same updates as a plain stream",
    "error-event": "the earlier updates, then StreamingError with the event's code and message",
    "no-done": "every update, then StreamingError IncompleteStream",
    "no-trailing-newline": "same updates as a plain stream",
    "no-trailing-newline-event": "every update including the last, then StreamingError IncompleteStream",
    "tiny-chunks": "same updates as a plain stream",
    "repeat-tool-ids": "tool-call deltas stitch to the same calls as a plain stream",
    "empty-choices": "same text; the choice-less first and usage updates stay readable",
    "html-502": "HttpResponseError 502 with the page's text (tags stripped), not retried",
    "wrong-content-type": "non-stream: the JSON is read; stream: StreamingError UnexpectedContentType",
    "big-event": "a 1 MiB update is delivered whole",
    "status-body": "ClientAuthenticationError 401 'Invalid auth token', not retried",
    "detail-body": "ResourceNotFoundError 404 'Not Found' with a route hint, not retried",
    "plain-text": "500: retried, then succeeds; once retries run out, HttpResponseError 500",
    "malformed-json": "non-stream: DecodeError; stream: the earlier update, then StreamingError InvalidStreamEvent",
}

FRAMINGS = ["crlf", "cr", "keepalive", "nospace", "multiline", "event-id", "tiny-chunks", "no-trailing-newline"]


def test_the_outcome_table_covers_the_whole_catalogue():
    assert set(OUTCOMES) == set(FAULTS)


def test_the_reliability_doc_names_every_fault():
    text = (Path(__file__).resolve().parents[2] / "docs" / "reliability.md").read_text(encoding="utf-8")
    assert [name for name in FAULTS if f"`{name}`" not in text] == []


async def plain_stream(m, client, **kwargs):
    stream = await m.call(client.create_streaming(messages=user(), **kwargs))
    updates, error = await drain(m, stream)
    assert error is None
    return updates


# ----------------------------------------------------------------------------------------- framings


@pytest.mark.parametrize("name", FRAMINGS + ["split-utf8"])
def test_framing_faults_give_the_same_updates(emu, mode, name):
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url) as client:
            plain = await plain_stream(m, client)
            emu.clear()
            framed = await plain_stream(m, client, headers=fault(name))
            assert len(emu.requests) == 1
            # Non-streaming calls do not use SSE: the same fault leaves them untouched.
            result = await m.call(client.create(messages=user(), headers=fault(name)))
            await assert_released(emu)
        await assert_all_closed(emu)
        suffix = " café 日本" if name == "split-utf8" else ""
        assert text_of(plain) == EXPECTED
        assert text_of(framed) == EXPECTED + suffix
        assert result.choices[0].message.content == EXPECTED + suffix
        assert framed[-1].choices[0].finish_reason == plain[-1].choices[0].finish_reason == "stop"
        if not suffix:
            assert len(framed) == len(plain)
        assert framed[0].choices[0].delta.role == "assistant"

    mode.run(body)


# ----------------------------------------------------------------------------------------- retries


@pytest.mark.parametrize(
    "spec",
    [
        "rate-limit;retry_after=0;count=2",
        "status-then-ok;status=500;count=2",
        "status-then-ok;status=503;count=2",
        "status-then-ok;status=504;count=2",
        "status-then-ok;status=429;retry_after=0;count=2",
        "status-then-ok;status=502;retry_after=0;count=2",
        "plain-text;count=2",
        "rate-limit-ms;retry_after_ms=0;count=2",
        "status-then-ok;status=502;retry_after_ms=0;count=2",
    ],
)
@pytest.mark.parametrize("streaming", [False, True], ids=["create", "create_streaming"])
def test_retryable_answers_are_retried_then_succeed(emu, mode, spec, streaming):
    failure = []

    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url, **FAST_RETRY) as client:
            try:
                if streaming:
                    text = text_of(await plain_stream(m, client, headers=fault(spec)))
                else:
                    result = await m.call(client.create(messages=user(), headers=fault(spec)))
                    text = result.choices[0].message.content
            except HttpResponseError as exc:
                # Keep only the text: a live exception would hold its response (and socket) past the test.
                failure.append(f"{type(exc).__name__} after {len(emu.requests)} request(s): {exc}")
                return
            # Two failed answers, then the success: three requests, all with the same body.
            assert len(emu.requests) == 3
            assert len({r.body for r in emu.requests}) == 1
            await assert_released(emu)
        await assert_all_closed(emu)
        assert text == EXPECTED

    mode.run(body)
    assert not failure, failure[0]


@pytest.mark.parametrize(
    "spec,status,code,exc_type,text",
    [
        ("status-then-ok;status=502;count=1", 502, "BadGateway", HttpResponseError, "answered 502"),
        ("status-then-ok;status=429;count=1", 429, "TooManyRequests", HttpResponseError, "answered 429"),
        ("status-then-ok;status=400;count=1", 400, "Status400", HttpResponseError, "answered 400"),
        ("html-502;count=1", 502, "502", HttpResponseError, "502 Bad Gateway"),
        ("status-body;count=1", 401, "401", ClientAuthenticationError, "Invalid auth token"),
        ("detail-body;count=1", 404, "404", ResourceNotFoundError, "Not Found"),
    ],
)
@pytest.mark.parametrize("streaming", [False, True], ids=["create", "create_streaming"])
def test_answers_not_retried_for_a_post_raise_a_clear_error(emu, mode, spec, status, code, exc_type, text, streaming):
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url, **FAST_RETRY) as client:
            call = client.create_streaming if streaming else client.create
            error = await m.raises(exc_type, lambda: call(messages=user(), headers=fault(spec)))
            assert len(emu.requests) == 1
            assert_clear_error(error, status, code, text)
            if spec.startswith("html-502"):
                assert "<" not in str(error) and "emulated-gateway" in str(error)
            if spec.startswith("detail-body"):
                assert "api_version" in str(error)  # the hint on which routes to try
            # The client stays usable: the next call (the fault's count is used up) succeeds.
            result = await m.call(client.create(messages=user(), headers=fault(spec)))
            assert result.choices[0].message.content == EXPECTED
            del error
            await assert_released(emu)
        await assert_all_closed(emu)

    mode.run(body)


@pytest.mark.parametrize(
    "spec,retry_total,status,code,text",
    [
        ("rate-limit;retry_after=0", 2, 429, "TooManyRequests", "exceeded the rate limit"),
        ("plain-text", 2, 500, "500", "Internal Server Error"),
        ("status-then-ok;status=503;count=99", 1, 503, "ServiceUnavailable", "answered 503"),
        ("rate-limit-ms;retry_after_ms=0", 2, 429, "TooManyRequests", "exceeded the rate limit"),
    ],
)
@pytest.mark.parametrize("streaming", [False, True], ids=["create", "create_streaming"])
def test_when_retries_run_out_the_last_answer_is_raised(emu, mode, spec, retry_total, status, code, text, streaming):
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url, **FAST_RETRY) as client:
            call = client.create_streaming if streaming else client.create
            error = await m.raises(
                HttpResponseError, lambda: call(messages=user(), headers=fault(spec), retry_total=retry_total)
            )
            assert len(emu.requests) == retry_total + 1
            assert_clear_error(error, status, code, text)
            del error
            await assert_released(emu)
        await assert_all_closed(emu)

    mode.run(body)


# ----------------------------------------------------------------------------------------- broken connections


def test_reset_before_the_answer_is_not_retried_for_a_post(emu, mode):
    # A reset after the request was sent is ServiceResponseError with both transports (azure-core's aiohttp
    # transport alone would say ServiceRequestError); a POST is not replayed.
    expected = ServiceResponseError

    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url, **FAST_RETRY) as client:
            error = await m.raises(expected, lambda: client.create(messages=user(), headers=fault("reset;count=1")))
            assert "reset" in str(error).lower()
            # The request may have reached the model: azure-core does not replay a POST after a broken connection.
            assert len(emu.requests) == 1
            del error
            result = await m.call(client.create(messages=user()))
            assert result.choices[0].message.content == EXPECTED
            await assert_released(emu)
        await assert_all_closed(emu)

    mode.run(body)


def test_reset_mid_stream_raises_after_the_updates_and_is_not_retried(emu, mode):
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url, **FAST_RETRY) as client:
            stream = await m.call(client.create_streaming(messages=user(), headers=fault("reset;after=3")))
            updates, error = await drain(m, stream)
            assert len(emu.requests) == 1  # never replayed once the first byte arrived
            assert len(updates) == 3
            assert updates[0].choices[0].delta.role == "assistant"
            assert isinstance(error, StreamingError)
            assert_clear_error(error, 200, "StreamInterrupted", "before 'data: [DONE]'")
            del error, stream
            await assert_released(emu)
        await assert_all_closed(emu)

    mode.run(body)


@pytest.mark.parametrize("streaming", [False, True], ids=["create", "create_streaming"])
def test_slow_first_byte_beyond_read_timeout_raises_service_response_error(emu, mode, streaming):
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url) as client:
            call = client.create_streaming if streaming else client.create
            # Without the read timeout the call would succeed after the delay; it raises instead.
            error = await m.raises(
                ServiceResponseError,
                lambda: call(
                    messages=user(), headers=fault("slow-first-byte;delay=1"), read_timeout=0.25, retry_total=0
                ),
            )
            assert len(emu.requests) == 1
            del error
            # Within the timeout the same delay is only a delay.
            start = time.monotonic()
            result = await m.call(client.create(messages=user(), headers=fault("slow-first-byte;delay=0.3")))
            assert time.monotonic() - start >= 0.3
            assert result.choices[0].message.content == EXPECTED
        await assert_all_closed(emu)

    mode.run(body)


def test_slow_stream_delivers_everything_and_a_stall_beyond_read_timeout_raises(emu, mode):
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url) as client:
            slow = await plain_stream(m, client, headers=fault("slow-stream;delay=0.02"))
            assert text_of(slow) == EXPECTED
            emu.clear()
            stream = await m.call(
                client.create_streaming(
                    messages=user(), headers=fault("slow-stream;delay=0.8"), read_timeout=0.3, retry_total=0
                )
            )
            updates, error = await drain(m, stream)
            assert len(emu.requests) == 1
            assert len(updates) >= 1
            assert isinstance(error, StreamingError)
            assert_clear_error(error, 200, "StreamInterrupted")
            del error, stream
        await assert_all_closed(emu)

    mode.run(body)


def test_held_stream_gives_its_first_update_before_the_rest_is_written(emu, mode):
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url) as client:
            stream = await m.call(client.create_streaming(messages=user(), headers=fault("hold-stream;after=1")))
            first = await first_update(m, stream)  # arrives while the emulator holds the rest
            emu.release_streams()
            rest, error = await drain(m, stream)
            assert error is None
            assert text_of([first, *rest]) == EXPECTED
            del stream
        await assert_all_closed(emu)

    mode.run(body)


# ----------------------------------------------------------------------------------------- streams that fail


@pytest.mark.parametrize("after", [0, 2])
def test_error_event_raises_after_the_earlier_updates(emu, mode, after):
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url) as client:
            stream = await m.call(client.create_streaming(messages=user(), headers=fault(f"error-event;after={after}")))
            updates, error = await drain(m, stream)
            assert len(updates) == after
            assert isinstance(error, StreamingError)
            assert_clear_error(error, 200, "InternalServerError", "failed mid-stream")
            assert len(emu.requests) == 1
            del error, stream
            await assert_released(emu)
        await assert_all_closed(emu)

    mode.run(body)


@pytest.mark.parametrize("name", ["no-done", "no-trailing-newline-event"])
def test_streams_ending_without_done_raise_after_every_update(emu, mode, name):
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url) as client:
            plain = await plain_stream(m, client)
            stream = await m.call(client.create_streaming(messages=user(), headers=fault(name)))
            updates, error = await drain(m, stream)
            assert isinstance(error, StreamingError), "a stream without [DONE] must not end silently"
            assert_clear_error(error, 200, "IncompleteStream", "[DONE]")
            # Every update arrived, the last one (the finish reason) included.
            assert len(updates) == len(plain)
            assert text_of(updates) == EXPECTED
            assert updates[-1].choices[0].finish_reason == "stop"
            del error, stream
            await assert_released(emu)
        await assert_all_closed(emu)

    mode.run(body)


def test_wrong_content_type(emu, mode):
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url) as client:
            # Non-stream: a text/plain body that holds the JSON is still read.
            result = await m.call(client.create(messages=user(), headers=fault("wrong-content-type")))
            assert result.choices[0].message.content == EXPECTED
            # Stream: a JSON body instead of an event stream is a clear error, raised before any update.
            error = await m.raises(
                StreamingError, lambda: client.create_streaming(messages=user(), headers=fault("wrong-content-type"))
            )
            assert_clear_error(error, 200, "UnexpectedContentType", "text/event-stream", "application/json")
            assert len(str(error)) < 2000
            del error
            await assert_released(emu)
        await assert_all_closed(emu)

    mode.run(body)


def test_malformed_json(emu, mode):
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url, **FAST_RETRY) as client:
            error = await m.raises(DecodeError, lambda: client.create(messages=user(), headers=fault("malformed-json")))
            assert len(emu.requests) == 1  # a 200 is never retried
            assert error.status_code == 200
            assert '"id": "chatcmpl-' in str(error)  # an excerpt of the body
            del error
            emu.clear()
            stream = await m.call(client.create_streaming(messages=user(), headers=fault("malformed-json")))
            updates, error = await drain(m, stream)
            assert len(updates) == 1  # the event before the broken one
            assert isinstance(error, StreamingError)
            assert_clear_error(error, 200, "InvalidStreamEvent", "not JSON")
            assert len(str(error)) < 1000
            assert len(emu.requests) == 1
            del error, stream
            await assert_released(emu)
        await assert_all_closed(emu)

    mode.run(body)


# ----------------------------------------------------------------------------------------- unusual but valid streams


def test_big_event(emu, mode):
    big = "0123456789abcdef" * 65536

    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url) as client:
            updates = await plain_stream(m, client, headers=fault("big-event"))
            result = await m.call(client.create(messages=user(), headers=fault("big-event")))
        await assert_all_closed(emu)
        assert big in [u.choices[0].delta.content for u in updates]
        assert text_of(updates).replace(big, "") == EXPECTED
        assert big in result.choices[0].message.content

    mode.run(body)


def test_empty_choices(emu, mode):
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url) as client:
            updates = await plain_stream(m, client, headers=fault("empty-choices"))
        await assert_all_closed(emu)
        assert text_of(updates) == EXPECTED
        assert updates[0].as_dict()["choices"] == [] and updates[0]["prompt_filter_results"]
        assert updates[-1].as_dict()["choices"] == [] and updates[-1].usage.total_tokens > 0

    mode.run(body)


TOOLS = [
    {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}},
    {"type": "function", "function": {"name": "get_time", "parameters": {"type": "object"}}},
]


def stitch(updates):
    """Tool calls from streamed deltas, by index: id and name are taken once, arguments are concatenated."""
    calls: dict[int, dict[str, str]] = {}
    for update in updates:
        for delta in update.choices[0].delta.tool_calls or []:
            call = calls.setdefault(delta.index, {"id": "", "name": "", "arguments": ""})
            call["id"] = call["id"] or (delta.id or "")
            call["name"] = call["name"] or (delta.function.name or "")
            call["arguments"] += delta.function.arguments or ""
    return [calls[i] for i in sorted(calls)]


def test_repeat_tool_ids(emu, mode):
    prompt = "please call get_weather and call get_time"

    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url, tools=TOOLS) as client:
            plain = await m.call(client.create_streaming(messages=user(prompt)))
            plain_updates, _ = await drain(m, plain)
            repeated = await m.call(client.create_streaming(messages=user(prompt), headers=fault("repeat-tool-ids")))
            repeated_updates, error = await drain(m, repeated)
        await assert_all_closed(emu)
        assert error is None
        calls, plain_calls = stitch(repeated_updates), stitch(plain_updates)
        # The emulator numbers call ids across requests; everything else matches the plain stream.
        assert [(c["name"], c["arguments"]) for c in calls] == [(c["name"], c["arguments"]) for c in plain_calls]
        assert len({c["id"] for c in calls}) == 2 and all(c["id"].startswith("call_") for c in calls)
        assert [c["name"] for c in calls] == ["get_weather", "get_time"]
        assert all(json.loads(c["arguments"]) == {"query": prompt} for c in calls)
        # Every delta of the llama.cpp style repeats the id and name.
        deltas = [d for u in repeated_updates for d in (u.choices[0].delta.tool_calls or [])]
        assert all(d.id and d.function.name for d in deltas)
        assert repeated_updates[-1].choices[0].finish_reason == "tool_calls"

    mode.run(body)


@pytest.mark.parametrize(
    "spec", ["error-event", "no-done", "no-trailing-newline-event", "reset;after=2", "malformed-json"]
)
def test_get_final_completion_never_returns_a_partial_answer(emu, mode, spec):
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url, **FAST_RETRY) as client:
            whole = await m.call((await m.call(client.create_streaming(messages=user()))).get_final_completion())
            assert whole.choices[0].message.content == EXPECTED
            stream = await m.call(client.create_streaming(messages=user(), headers=fault(spec)))
            error = await m.raises(StreamingError, stream.get_final_completion)
            assert error.status_code == 200 and error.error.code
            assert len(emu.requests) == 2
            del error, stream
            await assert_released(emu)
        await assert_all_closed(emu)

    mode.run(body)
