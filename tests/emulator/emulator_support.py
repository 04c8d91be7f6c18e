# Helpers for the emulator tests: plain http.client calls, a raw socket reader that keeps the HTTP chunk
# boundaries, and a small WHATWG-style SSE parser.
from __future__ import annotations

import http.client
import json
import re
import socket
import urllib.parse
from dataclasses import dataclass
from typing import Any

from inference_emulator import DEFAULT_KEY

API_04 = "2024-04-01-preview"
API_05 = "2024-05-01-preview"
API_25 = "2025-04-01"
CHAT_04 = f"/v1/chat/completions?api-version={API_04}"
CHAT_05 = f"/chat/completions?api-version={API_05}"
EMB_04 = f"/v1/embeddings?api-version={API_04}"
EMB_05 = f"/embeddings?api-version={API_05}"
IMG_04 = f"/images/generations?api-version={API_04}"
INFO_04 = f"/info?api-version={API_04}"

USER_HELLO: dict[str, Any] = {"messages": [{"role": "user", "content": "hello there"}]}


def fh(fault: str) -> dict[str, str]:
    """The fault header."""
    return {"x-emulator-fault": fault}


def fp(fault: str) -> str:
    """The fault path prefix."""
    return f"/fault/{fault}"


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def error_code(self) -> str:
        return str(self.json["error"]["code"])


def _connection(url: str, timeout: float) -> http.client.HTTPConnection:
    parts = urllib.parse.urlsplit(url)
    assert parts.hostname is not None and parts.port is not None
    return http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)


def _headers(body: Any, headers: dict[str, str] | None, key: str | None) -> tuple[bytes | None, dict[str, str]]:
    sent: dict[str, str] = {}
    if key is not None:
        sent["api-key"] = key
    data: bytes | None = None
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
        sent["Content-Type"] = "application/json"
    sent.update(headers or {})
    return data, sent


def call(
    url: str,
    method: str,
    path: str,
    body: Any = None,
    headers: dict[str, str] | None = None,
    key: str | None = DEFAULT_KEY,
    timeout: float = 10.0,
) -> Reply:
    """One request on a fresh connection, closed afterwards."""
    data, sent = _headers(body, headers, key)
    conn = _connection(url, timeout)
    try:
        conn.request(method, path, body=data, headers=sent)
        response = conn.getresponse()
        content = response.read()
        return Reply(response.status, response.headers, content)
    finally:
        conn.close()


def post(url: str, path: str, body: Any, **kwargs: Any) -> Reply:
    return call(url, "POST", path, body, **kwargs)


def get(url: str, path: str, **kwargs: Any) -> Reply:
    return call(url, "GET", path, **kwargs)


def raw_chunks(
    url: str, path: str, body: Any, headers: dict[str, str] | None = None, key: str = DEFAULT_KEY
) -> tuple[int, dict[str, str], list[bytes]]:
    """POST over a raw socket; returns the status, the headers and the HTTP chunks exactly as framed."""
    parts = urllib.parse.urlsplit(url)
    assert parts.port is not None
    data, sent = _headers(body, headers, key)
    assert data is not None
    lines = [f"POST {path} HTTP/1.1", f"Host: {parts.netloc}", "Connection: close", f"Content-Length: {len(data)}"]
    lines += [f"{name}: {value}" for name, value in sent.items()]
    received = bytearray()
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + data)
        while True:
            piece = sock.recv(65536)
            if not piece:
                break
            received += piece
    head, _, rest = bytes(received).partition(b"\r\n\r\n")
    head_lines = head.decode("latin-1").split("\r\n")
    status = int(head_lines[0].split()[1])
    found = {name.strip().lower(): value.strip() for name, _, value in (h.partition(":") for h in head_lines[1:])}
    chunks: list[bytes] = []
    if found.get("transfer-encoding") != "chunked":
        return status, found, [rest]
    while rest:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        chunks.append(rest[:size])
        rest = rest[size + 2 :]
    return status, found, chunks


def parse_sse(data: bytes) -> list[dict[str, str]]:
    """Events as {"data", "event", "id"}; any line ending; a last event without a blank line still counts."""
    events: list[dict[str, str]] = []
    data_lines: list[str] = []
    fields: dict[str, str] = {}
    for line in re.split(r"\r\n|\r|\n", data.decode("utf-8")):
        if line == "":
            if data_lines:
                events.append({**fields, "data": "\n".join(data_lines)})
            data_lines, fields = [], {}
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if name == "data":
            data_lines.append(value)
        else:
            fields[name] = value
    if data_lines:
        events.append({**fields, "data": "\n".join(data_lines)})
    return events


def sse_data(data: bytes) -> list[str]:
    return [event["data"] for event in parse_sse(data)]


def sse_json(data: bytes) -> list[dict[str, Any]]:
    return [json.loads(item) for item in sse_data(data) if item != "[DONE]"]


def streamed_text(chunks: list[dict[str, Any]]) -> str:
    return "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c.get("choices"))


def without_ids(chunks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The chunks without the fields that differ between two otherwise equal responses."""
    return [{k: v for k, v in chunk.items() if k not in ("id", "created")} for chunk in chunks]
