"""Table-driven unit tests of the sans-IO core: each row is a wire input and the result it must give.

- error bodies of every shape -> (code, message) and the exception built from them (`_core.errors`);
- one server-sent event -> an update, nothing, or the StreamingError it raises (`_core.stream.event_to_update`);
- the bytes of a streamed body -> the updates and the final outcome (`_core.stream.UpdateDecoder`).
"""

from __future__ import annotations

import json
from typing import Any, Optional

import pytest
from azure.core.exceptions import ClientAuthenticationError, HttpResponseError, ResourceNotFoundError

from azure.ai.inference import StreamingError
from azure.ai.inference._core.errors import build_error, parse_error_body
from azure.ai.inference._core.sse import ServerSentEvent
from azure.ai.inference._core.stream import UpdateDecoder, event_to_update


class WireResponse:
    """The parts of an HTTP response that the sans-IO functions read: status, reason and headers."""

    def __init__(self, status: int = 200, headers: Optional[dict[str, str]] = None) -> None:
        self.status_code = status
        self.reason = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found"}.get(status, "Error")
        self.headers = headers or {}
        self.content_type = self.headers.get("Content-Type")

    def text(self) -> str:
        return ""


# ------------------------------------------------------------------------------------------ error bodies

AZURE = {"error": {"code": "BadRequest", "message": "messages is required", "target": "messages"}}

ERROR_BODIES = [
    # (body text, x-ms-error-code header, expected code, expected message)
    (json.dumps(AZURE), None, "BadRequest", "messages is required"),
    (json.dumps(AZURE), "HeaderCode", "BadRequest", "messages is required"),
    ('{"error": {"message": "no code"}}', "HeaderCode", "HeaderCode", "no code"),
    ('{"error": {"message": "no code"}}', None, "400", "no code"),
    ('{"error": {"code": "OnlyCode"}}', None, "OnlyCode", '{"code": "OnlyCode"}'),
    ('{"error": "plain error string"}', None, "400", "plain error string"),
    ('{"message": "top-level message"}', None, "400", "top-level message"),
    ('{"detail": "Not Found"}', None, "400", "Not Found"),
    ('{"status": "Invalid auth token"}', None, "400", "Invalid auth token"),
    ('{"title": "One or more validation errors occurred."}', None, "400", "One or more validation errors occurred."),
    ('{"error": "", "message": "the first non-empty one"}', None, "400", "the first non-empty one"),
    ('{"unexpected": 1}', "X", "X", '{"unexpected": 1}'),
    ("[1, 2]", None, "400", "[1, 2]"),
    ("Internal Server Error", None, "400", "Internal Server Error"),
    ("<html><body><h1>502 Bad Gateway</h1>\n<p>nginx</p></body></html>", None, "400", "502 Bad Gateway nginx"),
    ("", None, "400", "(empty body)"),
    ("   \n ", None, "400", "(empty body)"),
    ("[" * 100_000, None, "400", None),  # too deep to decode: read as text, never RecursionError
]


@pytest.mark.parametrize("text,header,code,message", ERROR_BODIES)
def test_error_bodies(text: str, header: Optional[str], code: str, message: Optional[str]) -> None:
    parsed_code, parsed_message, _ = parse_error_body(text, 400, header)
    assert parsed_code == code
    if message is not None:
        assert parsed_message == message


EXCEPTIONS = [
    # (status, headers, body, exception type, lines the message must contain)
    (400, {}, json.dumps(AZURE), HttpResponseError, ["(BadRequest) messages is required", "Status: 400 Bad Request"]),
    (
        401,
        {"x-request-id": "r-1"},
        '{"status": "bad key"}',
        ClientAuthenticationError,
        ["(401) bad key", "Request id: r-1"],
    ),
    (404, {"apim-request-id": "r-2"}, '{"detail": "Not Found"}', ResourceNotFoundError, ["Request id: r-2"]),
    (500, {"x-ms-error-code": "Boom"}, "oops", HttpResponseError, ["(Boom) oops"]),
    (502, {}, '{"unexpected": 1}', HttpResponseError, ["Status: 502 Error", '(502) {"unexpected": 1}']),
]


@pytest.mark.parametrize("status,headers,text,exc_type,lines", EXCEPTIONS)
def test_exceptions_from_error_bodies(status, headers, text, exc_type, lines) -> None:
    error = build_error(WireResponse(status, headers), text)
    assert type(error) is exc_type
    assert error.status_code == status
    for line in lines:
        assert line in str(error).splitlines()
    assert error.error.code == parse_error_body(text, status, headers.get("x-ms-error-code"))[0]


def test_the_azure_error_object_stays_readable() -> None:
    error = build_error(WireResponse(400), json.dumps(AZURE))
    assert (error.error.code, error.error.message, error.error.target) == (
        "BadRequest",
        "messages is required",
        "messages",
    )


# ------------------------------------------------------------------------------------------ one event

UPDATE = {
    "id": "c1",
    "model": "m",
    "created": 1,
    "choices": [{"index": 0, "delta": {"content": "hi"}, "finish_reason": None}],
}

EVENTS = [
    # (data, event type, expected: "update" | None | (error code, text in the message))
    (json.dumps(UPDATE), "message", "update"),
    (json.dumps({"id": "u", "choices": [], "usage": {"total_tokens": 3}}), "message", "update"),
    ("", "message", None),
    ("  \n ", "message", None),
    (
        json.dumps({"error": {"code": "content_filter", "message": "filtered"}}),
        "message",
        ("content_filter", "filtered"),
    ),
    (json.dumps({"error": {"message": "no code given"}}), "message", ("StreamError", "no code given")),
    (json.dumps({"error": {"code": "OnlyCode"}}), "message", ("OnlyCode", '"code": "OnlyCode"')),
    (json.dumps({"error": "rate limited"}), "message", ("StreamError", "rate limited")),
    (json.dumps({"error": {"code": "E", "message": "typed"}}), "error", ("E", "typed")),
    (json.dumps({"detail": "overloaded"}), "error", ("StreamError", "overloaded")),
    ("upstream overloaded", "error", ("StreamError", "upstream overloaded")),
    ("not json", "message", ("InvalidStreamEvent", "not JSON")),
    ("[1, 2]", "message", ("InvalidStreamEvent", "not a JSON object")),
    ('"text"', "message", ("InvalidStreamEvent", "not a JSON object")),
    ("[" * 100_000, "message", ("InvalidStreamEvent", "not JSON")),
    (
        json.dumps({"choices": [{"index": 0, "delta": {"tool_calls": [{"index": -1}]}}]}),
        "message",
        ("InvalidStreamEvent", "non-negative int"),
    ),
    (json.dumps({"choices": [{"index": 0, "delta": {"tool_calls": [{"index": 7, "id": "c"}]}}]}), "message", "update"),
]


@pytest.mark.parametrize("data,event_type,expected", EVENTS)
def test_one_event(data: str, event_type: str, expected: Any) -> None:
    event = ServerSentEvent(data, event_type)
    response = WireResponse(200)
    if expected is None:
        assert event_to_update(event, response) is None
    elif expected == "update":
        update = event_to_update(event, response)
        assert update is not None and update.as_dict() == json.loads(data)
    else:
        code, text = expected
        with pytest.raises(StreamingError) as info:
            event_to_update(event, response)
        assert info.value.error.code == code
        assert text in info.value.error.message
        assert info.value.status_code == 200


# ------------------------------------------------------------------------------------------ a whole body


def frame(payload: Any) -> bytes:
    return b"data: " + json.dumps(payload).encode() + b"\n\n"


def piece(text: str) -> dict[str, Any]:
    return {"id": "c", "choices": [{"index": 0, "delta": {"content": text}, "finish_reason": None}]}


DONE = b"data: [DONE]\n\n"

BODIES = [
    # (chunks, the text of the updates delivered, the error code that ends the stream or None)
    ([frame(piece("a")) + frame(piece("b")) + DONE], ["a", "b"], None),
    ([frame(piece("a")), DONE, frame(piece("after done"))], ["a"], None),
    ([frame(piece("a")) + DONE + frame(piece("same chunk after done"))], ["a"], None),
    ([b": keep-alive\n\n", frame(piece("a")), b"event: ping\ndata:\n\n", DONE], ["a"], None),
    ([frame(piece("a"))], ["a"], "IncompleteStream"),
    ([], [], "IncompleteStream"),
    ([frame(piece("a")), b"data: [DONE]"], ["a"], None),  # no final line break: flushed at the end
    ([frame(piece("a")) + b"data: \xff\xfe\n\n"], ["a"], "InvalidStream"),
    ([frame(piece("a")), frame({"error": {"code": "E", "message": "m"}}), frame(piece("lost"))], ["a"], "E"),
    ([frame(piece("a")), b"event: error\ndata: boom\n\n", DONE], ["a"], "StreamError"),
    ([frame(piece("a")), b"data: {truncated\n\n", DONE], ["a"], "InvalidStreamEvent"),
    # an event type in a chunk of its own: the next chunk, one whole `data:` event, is of that type
    ([frame(piece("a")), b"event: error\n", b"data: boom\n\n", DONE], ["a"], "StreamError"),
    ([frame(piece("a")), b"event: error\n", frame({"message": "m"}), DONE], ["a"], "StreamError"),
    ([frame(piece("a")), b"event: ping\n", b"data: \n\n", frame(piece("b")), DONE], ["a", "b"], None),
    # the chunk after one that ended in CR starts with the LF of that line break
    ([frame(piece("a"))[:-1] + b"\r", b"\n" + frame(piece("b")), DONE], ["a", "b"], None),
]


@pytest.mark.parametrize("chunks,texts,error_code", BODIES)
def test_a_whole_body(chunks: list[bytes], texts: list[str], error_code: Optional[str]) -> None:
    decoder = UpdateDecoder(WireResponse(200), 1 << 20)
    items: list[Any] = []
    for chunk in chunks:
        if decoder.finished:
            break
        items.extend(decoder.feed(chunk))
    if not decoder.finished:
        items.extend(decoder.end())
    errors = [item for item in items if isinstance(item, HttpResponseError)]
    updates = [item for item in items if not isinstance(item, HttpResponseError)]
    assert [update.choices[0].delta.content for update in updates] == texts
    if error_code is None:
        assert errors == []
    else:
        assert len(errors) == 1 and items[-1] is errors[0]
        assert isinstance(errors[0], StreamingError) and errors[0].error.code == error_code
    assert decoder.finished


@pytest.mark.parametrize("split", range(1, 40))
def test_a_body_split_anywhere_gives_the_same_updates(split: int) -> None:
    body = frame(piece("héllo")) + frame(piece("日本")) + DONE
    decoder = UpdateDecoder(WireResponse(200), 1 << 20)
    items = decoder.feed(body[:split]) + decoder.feed(body[split:])
    assert [item.choices[0].delta.content for item in items] == ["héllo", "日本"]
    assert decoder.finished


# ------------------------------------------------------------------------------------------ routes

from azure.ai.inference._core.endpoints import DEFAULT_API_VERSION, endpoint_shape, operation_request, served  # noqa: E402

S = "https://d.eastus.inference.ai.azure.com"
F = "https://r.services.ai.azure.com/models"
D = "https://r.openai.azure.com/openai/deployments/gpt"
V1 = "https://r.openai.azure.com/openai/v1"
G = "https://models.github.ai/inference"
L = "http://127.0.0.1:8080"

ROUTES = [
    # (endpoint, api_version given, operation, "METHOD url" or None when the shape does not serve it)
    (S, DEFAULT_API_VERSION, "chat", f"POST {S}/v1/chat/completions?api-version=2024-04-01-preview"),
    (S, DEFAULT_API_VERSION, "embeddings", f"POST {S}/v1/embeddings?api-version=2024-04-01-preview"),
    (S, DEFAULT_API_VERSION, "images", f"POST {S}/images/generations?api-version=2024-04-01-preview"),
    (S, DEFAULT_API_VERSION, "image_embeddings", None),
    (S, DEFAULT_API_VERSION, "info", f"GET {S}/info?api-version=2024-04-01-preview"),
    (F, "2024-05-01-preview", "chat", f"POST {F}/chat/completions?api-version=2024-05-01-preview"),
    (F, "2024-05-01-preview", "embeddings", f"POST {F}/embeddings?api-version=2024-05-01-preview"),
    (F, "2024-05-01-preview", "images", None),
    (F, "2024-05-01-preview", "image_embeddings", f"POST {F}/images/embeddings?api-version=2024-05-01-preview"),
    (F, "2025-04-01", "info", f"GET {F}/info?api-version=2025-04-01"),
    (D, "2024-10-21", "chat", f"POST {D}/chat/completions?api-version=2024-10-21"),
    (D, "2024-10-21", "images", f"POST {D}/images/generations?api-version=2024-10-21"),
    (D, "2024-10-21", "info", None),
    (V1, DEFAULT_API_VERSION, "chat", f"POST {V1}/chat/completions"),
    (V1, DEFAULT_API_VERSION, "embeddings", f"POST {V1}/embeddings"),
    (V1, "preview", "images", f"POST {V1}/images/generations?api-version=preview"),
    (G, DEFAULT_API_VERSION, "chat", f"POST {G}/chat/completions"),
    (G, DEFAULT_API_VERSION, "images", None),
    (L, None, "chat", f"POST {L}/v1/chat/completions"),
    (L, None, "images", f"POST {L}/v1/images/generations"),
    (L, None, "info", f"GET {L}/info"),
    (L + "/v1", DEFAULT_API_VERSION, "embeddings", f"POST {L}/v1/embeddings?api-version=2024-04-01-preview"),
]


@pytest.mark.parametrize("endpoint,api_version,operation,expected", ROUTES)
def test_routes(endpoint: str, api_version: Optional[str], operation: str, expected: Optional[str]) -> None:
    shape = endpoint_shape(endpoint, api_version)
    if expected is None:
        assert not served(shape, operation)
        return
    assert served(shape, operation)
    request = operation_request(endpoint, shape, operation, content=b"{}" if operation != "info" else None)
    assert f"{request.method} {request.url}" == expected
    assert request.headers["Accept"] == "application/json"
