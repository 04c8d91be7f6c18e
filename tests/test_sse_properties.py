"""Property tests for the event-stream decoder.

Valid streams are generated as structured blocks of fields, encoded with random line endings, spacing, comments and a
byte order mark, then fed in random chunks. The expected events come from the structure, not from the bytes.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from azure.ai.inference._core.sse import ServerSentEvent, SSEDecoder, SSEError

pytestmark = pytest.mark.timeout(60)

SETTINGS = settings(max_examples=200, deadline=None)

# Any character but CR and LF (and surrogates, which UTF-8 cannot encode) may appear inside a line.
line_text = st.text(st.characters(codec="utf-8", exclude_characters="\r\n"), max_size=12)
# Data may hold LF too: it is sent as several data lines.
data_text = st.text(st.characters(codec="utf-8", exclude_characters="\r"), max_size=30)
retry_text = st.one_of(st.integers(0, 10**12).map(str), line_text)
id_text = st.one_of(line_text, st.sampled_from(["", "1", "a\x00b", "\x00"]))
unknown_name = st.sampled_from(["Data", "DATA", " data", "dat", "datas", "events", "ID", "x", "日本"])


@dataclass
class Field:
    name: str  # "" for a comment
    value: str


field = st.one_of(
    st.builds(Field, st.just("data"), data_text),
    st.builds(Field, st.just("event"), line_text),
    st.builds(Field, st.just("id"), id_text),
    st.builds(Field, st.just("retry"), retry_text),
    st.builds(Field, st.just(""), st.one_of(line_text, st.just(" ping - 2024-05-01 12:00:00.000000+00:00"))),
    st.builds(Field, unknown_name, line_text),
)
blocks = st.lists(st.lists(field, max_size=6), max_size=8)


def expected_events(stream: list[list[Field]]) -> list[ServerSentEvent]:
    events: list[ServerSentEvent] = []
    last_id: str | None = None
    retry: int | None = None
    for block in stream:
        data: list[str] = []
        event = "message"
        for f in block:
            if f.name == "data":
                data.append(f.value)
            elif f.name == "event":
                event = f.value or "message"
            elif f.name == "id" and "\x00" not in f.value:
                last_id = f.value
            elif f.name == "retry" and f.value and all(c in "0123456789" for c in f.value):
                retry = int(f.value)
        if data:
            events.append(ServerSentEvent("\n".join(data), event, last_id, retry))
    return events


@st.composite
def encoded_streams(draw: st.DrawFn) -> tuple[bytes, list[ServerSentEvent]]:
    """A valid stream and its events; the final blank line and final line break may be missing."""
    stream = draw(blocks)
    lines: list[str] = []
    for block in stream:
        for f in block:
            values = f.value.split("\n") if f.name == "data" else [f.value]
            for value in values:
                if f.name == "":
                    lines.append(":" + value)
                    continue
                forms = [f"{f.name}: {value}"]
                if not value.startswith(" "):
                    forms.append(f"{f.name}:{value}")
                if not value:
                    forms.append(f.name)
                lines.append(draw(st.sampled_from(forms)))
        lines.append("")
    drop_last_blank_line: bool = draw(st.booleans())
    if lines and drop_last_blank_line:
        lines.pop()  # no blank line after the last block: flush dispatches it
    out = [b"\xef\xbb\xbf"] if draw(st.booleans()) else []
    previous = ""
    for i, line in enumerate(lines):
        eol = draw(st.sampled_from(["\n", "\r\n", "\r"]))
        if previous == "\r" and not line and eol == "\n":
            eol = "\r\n"  # a lone LF after a CR would merge with it into one line break
        if i == len(lines) - 1 and line and draw(st.booleans()):
            eol = ""  # an unterminated final line is still interpreted
        out.append(line.encode() + eol.encode())
        previous = eol
    return b"".join(out), expected_events(stream)


@st.composite
def chunkings(draw: st.DrawFn, data: bytes) -> list[bytes]:
    if draw(st.integers(0, 4)) == 0:
        return [data[i : i + 1] for i in range(len(data))]
    cuts = sorted(draw(st.lists(st.integers(0, len(data)), max_size=12)))
    return [data[a:b] for a, b in zip([0, *cuts], [*cuts, len(data)])]


def feed_all(decoder: SSEDecoder, chunks: list[bytes], limit: int) -> list[ServerSentEvent]:
    events: list[ServerSentEvent] = []
    for chunk in chunks:
        try:
            events += decoder.feed(chunk)
        finally:
            assert decoder.pending <= limit + len(chunk) + 3  # + a byte order mark at the start
    return events + decoder.flush()


@SETTINGS
@given(st.data())
def test_valid_streams_decode_in_any_chunking(data: st.DataObject) -> None:
    stream, expected = data.draw(encoded_streams())
    chunks = data.draw(chunkings(stream))
    assert b"".join(chunks) == stream
    assert feed_all(SSEDecoder(), chunks, 1 << 24) == expected


@SETTINGS
@given(st.data())
def test_crlf_and_utf8_splits(data: st.DataObject) -> None:
    text = data.draw(st.text(st.characters(codec="utf-8", exclude_characters="\r\n"), min_size=1))
    stream = b"data: " + text.encode() + b"\r\n\r\n"
    cut = data.draw(st.integers(0, len(stream)))
    assert feed_all(SSEDecoder(), [stream[:cut], stream[cut:]], 1 << 24) == [ServerSentEvent(text)]


tokens = st.sampled_from(
    [b"data", b"data:", b": ", b"event:", b"id:", b"retry:", b"1", b"x", b" ", b"\n", b"\r", b"\r\n", b"\x00"]
    + [b"\xef\xbb\xbf", b"\xff", b"\xc3", b"\xa9", b"\xe6\x97", b"\xa5", b"\xf0\x9f\x98\x80", b"\xed\xa0\x80"]
)
garbage = st.one_of(st.binary(max_size=200), st.lists(tokens, max_size=60).map(b"".join))


@SETTINGS
@given(garbage, st.integers(1, 64), st.data())
def test_garbage_fails_only_with_sse_error(stream: bytes, limit: int, data: st.DataObject) -> None:
    outcomes: list[object] = []
    for chunks in ([stream], data.draw(chunkings(stream))):
        decoder = SSEDecoder(max_event_size=limit)
        try:
            outcomes.append(feed_all(decoder, chunks, limit))
        except SSEError as exc:
            assert len(str(exc)) < 300
            with pytest.raises(SSEError):
                decoder.feed(b"data: more\n\n")
            outcomes.append("error")
    # Whether the stream fails, and the events when it does not, do not depend on how it was cut.
    assert outcomes[0] == outcomes[1]
