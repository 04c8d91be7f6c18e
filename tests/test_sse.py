"""Tests for the sans-IO event-stream decoder.

Every case runs through ``check``, which feeds the input whole, one byte at a time and split in two at every offset,
and requires the same events each time, both from ``feed`` and from ``flush``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from azure.ai.inference._core.sse import DEFAULT_MAX_EVENT_SIZE, ServerSentEvent, SSEDecoder, SSEError

pytestmark = pytest.mark.timeout(60)

E = ServerSentEvent


def splits(stream: bytes) -> Iterator[list[bytes]]:
    yield [stream]
    yield [stream[i : i + 1] for i in range(len(stream))]
    for i in range(len(stream) + 1):
        yield [stream[:i], stream[i:]]
    yield [b"", stream, b""]


def decode(chunks: list[bytes], **kwargs: int) -> tuple[list[ServerSentEvent], list[ServerSentEvent]]:
    """Return (events from feed, events from flush)."""
    decoder = SSEDecoder(**kwargs)
    fed: list[ServerSentEvent] = []
    for chunk in chunks:
        fed += decoder.feed(chunk)
        assert decoder.pending <= kwargs.get("max_event_size", DEFAULT_MAX_EVENT_SIZE) + len(chunk)
    return fed, decoder.flush()


def check(
    stream: bytes, fed: list[ServerSentEvent], flushed: list[ServerSentEvent] | None = None, **kwargs: int
) -> None:
    for chunks in splits(stream):
        assert decode(chunks, **kwargs) == (fed, flushed or []), chunks


def check_error(stream: bytes, match: str, **kwargs: int) -> None:
    for chunks in splits(stream):
        with pytest.raises(SSEError, match=match):
            decode(chunks, **kwargs)


# Framing


@pytest.mark.parametrize("eol", [b"\n", b"\r\n", b"\r"])
def test_line_endings(eol: bytes) -> None:
    stream = b"data: a" + eol + eol + b"data: b" + eol + b"data: c" + eol + eol
    check(stream, [E("a"), E("b\nc")])


def test_mixed_line_endings() -> None:
    check(b"data: a\r\n\ndata: b\r\rdata: c\n\r\ndata: d\r\n\r", [E("a"), E("b"), E("c"), E("d")])


def test_crlf_split_across_chunks_is_one_line_break() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: a\r") == []
    assert decoder.feed(b"\n") == []
    assert decoder.feed(b"\r") == [E("a")]
    assert decoder.feed(b"\n") == []
    assert decoder.feed(b"data: b\r") == []
    assert decoder.feed(b"") == []
    assert decoder.feed(b"\n\n") == [E("b")]
    assert decoder.flush() == []


def test_cr_at_end_of_chunk_does_not_delay_the_event() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: a\r\r") == [E("a")]
    assert decoder.feed(b"data: b\r") == []
    assert decoder.flush() == [E("b")]
    check(b"data: a\r\rdata: b\r", [E("a")], [E("b")])


def test_many_events_in_one_chunk() -> None:
    stream = b"".join(b"data: %d\n\n" % i for i in range(100))
    assert SSEDecoder().feed(stream) == [E(str(i)) for i in range(100)]


# Fields


def test_one_optional_space_after_colon() -> None:
    check(b"data:a\n\ndata: a\n\ndata:  a\n\ndata:\n\ndata: \n\n", [E("a"), E("a"), E(" a"), E(""), E("")])


def test_colons_in_value_are_kept() -> None:
    check(b'data: {"a": "b:c"}\n\n', [E('{"a": "b:c"}')])


def test_field_names_are_exact() -> None:
    check(b"Data: a\n data: b\ndat: c\nfoo: d\ndata : e\n\n", [])


def test_comments_and_keep_alives_are_ignored() -> None:
    stream = (
        b": ping - 2024-05-01 12:00:00.000000+00:00\n\n"
        b":\n\n"
        b"data: a\n: a comment inside an event\ndata: b\n\n"
        b": ping - 2024-05-01 12:00:15.000000+00:00\r\n\r\n"
    )
    check(stream, [E("a\nb")])


def test_multi_line_data() -> None:
    check(b"data: a\ndata:\ndata: b\ndata\n\n", [E("a\n\nb\n")])


def test_empty_data_line_is_an_event() -> None:
    check(b"data\n\n", [E("")])
    check(b"data:\n\n", [E("")])
    check(b"data\ndata\n\n", [E("\n")])


def test_blank_lines_without_data_are_no_event() -> None:
    check(b"\n\n\r\n\r\r\n", [])
    check(b"event: x\n\ndata: a\n\n", [E("a")])


def test_event_type() -> None:
    check(b"event: delta\ndata: a\n\ndata: b\n\n", [E("a", "delta"), E("b")])
    check(b"event: x\nevent: y\ndata: a\n\n", [E("a", "y")])
    check(b"event\ndata: a\n\nevent:\ndata: b\n\n", [E("a"), E("b")])


def test_id_persists_across_events() -> None:
    stream = b"data: a\n\nid: 1\ndata: b\n\ndata: c\n\nid: 2\n\ndata: d\n\nid\ndata: e\n\n"
    check(stream, [E("a"), E("b", id="1"), E("c", id="1"), E("d", id="2"), E("e", id="")])


def test_id_with_nul_is_ignored() -> None:
    check(b"id: 1\ndata: a\n\nid: 2\x003\ndata: b\n\n", [E("a", id="1"), E("b", id="1")])


def test_retry() -> None:
    stream = b"retry: 1500\ndata: a\n\ndata: b\n\nretry:0\ndata: c\n\n"
    check(stream, [E("a", retry=1500), E("b", retry=1500), E("c", retry=0)])


@pytest.mark.parametrize(
    "value", [b"", b" 5", b"-1", b"1.5", b"10s", b"1e3", b"\xd9\xa1\xd9\xa2", b"\xc2\xb2", b"+5", b"0x10"]
)
def test_bad_retry_is_ignored(value: bytes) -> None:
    check(b"retry: 7\n\nretry: " + value + b"\ndata: a\n\n", [E("a", retry=7)])


def test_all_fields_together() -> None:
    check(b"id: 42\nevent: update\nretry: 3000\ndata: x\n\n", [E("x", "update", "42", 3000)])


def test_done_is_an_ordinary_event() -> None:
    check(b'data: {"a": 1}\n\ndata: [DONE]\n\n', [E('{"a": 1}'), E("[DONE]")])


# Encoding


def test_byte_order_mark_at_start_is_skipped() -> None:
    check(b"\xef\xbb\xbfdata: a\n\n", [E("a")])
    check(b"\xef\xbb\xbf", [])
    # Only the very first one: a second mark is part of a field name, which is then unknown.
    check(b"\xef\xbb\xbf\xef\xbb\xbfdata: a\n\ndata: b\n\n", [E("b")])
    check(b"data: \xef\xbb\xbfa\n\n", [E("\ufeffa")])


# The last case holds characters that str.splitlines() breaks on, but an event stream does not.
@pytest.mark.parametrize("text", ["é", "日本", "😀", "naïve 日本語 👍🏽 text", "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"])
def test_multi_byte_utf8_split_anywhere(text: str) -> None:
    raw = text.encode()
    check(b"event: " + raw + b"\nid: " + raw + b"\ndata: " + raw + b"\n\n", [E(text, text, text)])


def test_invalid_utf8_raises() -> None:
    for bad in [b"\xff", b"\xc3", b"\xc0\xaf", b"\xed\xa0\x80", b"\xe6\x97"]:
        check_error(b"data: a" + bad + b"\n\n", "invalid UTF-8")
        check_error(b": comment " + bad + b"\n", "invalid UTF-8")
        check_error(b"data: ok\n" + bad, "invalid UTF-8")  # the unterminated final line, at flush
    check_error(b"\xef\xbb", "invalid UTF-8")  # an incomplete byte order mark


def test_error_message_quotes_little_input() -> None:
    with pytest.raises(SSEError) as info:
        SSEDecoder().feed(b"data: " + b"x" * 10_000 + b"\xff" + b"y" * 10_000 + b"\n")
    message = str(info.value)
    assert len(message) < 300
    assert "\\xff" in message


# End of stream


def test_final_event_without_blank_line_is_flushed() -> None:
    check(b"data: a\n\ndata: b\n", [E("a")], [E("b")])
    check(b"data: a\r\n", [], [E("a")])
    check(b"id: 1\ndata: a\ndata: b\r", [], [E("a\nb", id="1")])


def test_final_unterminated_line_is_interpreted() -> None:
    check(b"data: a\n\ndata: b", [E("a")], [E("b")])
    check(b"data: a\nevent: last", [], [E("a", "last")])
    check(b"data: [DONE]", [], [E("[DONE]")])
    check(b"data: a\n\n: comment", [E("a")], [])
    check(b"event: x", [], [])


def test_empty_stream() -> None:
    check(b"", [])


def test_feed_after_flush_raises() -> None:
    decoder = SSEDecoder()
    decoder.feed(b"data: a\n")
    assert decoder.flush() == [E("a")]
    assert decoder.flush() == []
    with pytest.raises(SSEError, match="finished"):
        decoder.feed(b"data: b\n\n")
    with pytest.raises(SSEError, match="finished"):
        decoder.feed(b"")


def test_errors_are_sticky() -> None:
    decoder = SSEDecoder()
    with pytest.raises(SSEError):
        decoder.feed(b"data: \xff\n")
    with pytest.raises(SSEError, match="finished"):
        decoder.feed(b"data: a\n\n")


# Limits


def test_line_over_limit_raises() -> None:
    check_error(b"data: 0123456789abcdef\n\n", r"line is longer than max_event_size \(16 bytes\)", max_event_size=16)
    check_error(b": 0123456789abcdefgh\n", "max_event_size", max_event_size=16)
    check_error(b"data: 0123456789abcdef", "max_event_size", max_event_size=16)
    check(b"data: 0123456789\n\n", [E("0123456789")], max_event_size=16)


def test_event_over_limit_raises() -> None:
    stream = b"data: 01234567\ndata: 01234567\n\n"
    check_error(stream, r"event's data is larger than max_event_size \(16 bytes\)", max_event_size=16)
    check_error(b"data\n" * 17, "max_event_size", max_event_size=16)
    check(b"data: 0123456\ndata: 0123456\n\n" * 3, [E("0123456\n0123456")] * 3, max_event_size=16)


def test_limit_message_says_how_to_raise_it() -> None:
    with pytest.raises(SSEError) as info:
        SSEDecoder(max_event_size=8).feed(b"data: 0123456789")
    assert "pass a larger max_event_size to SSEDecoder" in str(info.value)


def test_over_limit_line_is_not_buffered_past_the_limit() -> None:
    decoder = SSEDecoder(max_event_size=1000)
    for _ in range(10):
        decoder.feed(b"x" * 100)
    assert decoder.pending == 1000
    with pytest.raises(SSEError):
        decoder.feed(b"x")
    assert decoder.pending == 0


def test_bad_max_event_size() -> None:
    with pytest.raises(ValueError):
        SSEDecoder(max_event_size=0)


def test_one_mebibyte_event_under_default_limit() -> None:
    assert DEFAULT_MAX_EVENT_SIZE == 16 * 1024 * 1024
    data = "日本" * (1 << 17) + "x" * ((1 << 20) - 6 * (1 << 17) + 1)  # 1 MiB + 1 byte of UTF-8
    assert len(data.encode()) == (1 << 20) + 1
    stream = b"data: " + data.encode() + b"\ndata: end\n\n"
    for size in (len(stream), 65536, 1000, 7):
        assert decode([stream[i : i + size] for i in range(0, len(stream), size)]) == ([E(data + "\nend")], [])


def test_long_line_trickling_in_is_linear() -> None:
    decoder = SSEDecoder()
    line = b"data: " + b"x" * (4 << 20)
    for i in range(0, len(line), 64):  # quadratic rescanning would take minutes here
        assert decoder.feed(line[i : i + 64]) == []
    assert decoder.pending == len(line)
    assert decoder.feed(b"\n\n") == [E("x" * (4 << 20))]


# API


def test_event_defaults_and_immutability() -> None:
    event = ServerSentEvent("a")
    assert (event.data, event.event, event.id, event.retry) == ("a", "message", None, None)
    with pytest.raises(AttributeError):
        event.data = "b"  # type: ignore[misc]
    assert not hasattr(event, "__dict__")


def test_feed_accepts_bytes_like_but_not_str() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(bytearray(b"data: a\n")) == []  # type: ignore[arg-type]
    assert decoder.feed(memoryview(b"\n")) == [E("a")]  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="bytes"):
        decoder.feed("data: b\n\n")  # type: ignore[arg-type]


def test_pending_counts_the_unterminated_line() -> None:
    decoder = SSEDecoder()
    assert decoder.pending == 0
    decoder.feed(b"data: a\n\ndata: b")
    assert decoder.pending == 7
    decoder.feed(b"c\n")
    assert decoder.pending == 0
