# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""Request bodies as the sync transport sends them: the bytes (or stream) and the headers that frame them, form
data URL-encoded, files as multipart/form-data (RFC 7578). No I/O: a streamed body is only measured.
"""

from __future__ import annotations

import os
import uuid
from typing import Any, Mapping, Optional, Union, cast
from urllib.parse import quote, urlencode

from azure.core.pipeline.transport import HttpRequest as LegacyHttpRequest
from azure.core.rest import HttpRequest

__all__ = ["body_and_headers", "multipart"]

# What the requests transport sent when the request did not say: kept so that servers answer alike.
DEFAULT_HEADERS = (("Accept-Encoding", "accept-encoding", "gzip, deflate"), ("Accept", "accept", "*/*"))


def _file_length(body: Any) -> Optional[int]:
    """The bytes left in a seekable file-like body, or None when that cannot be known."""
    try:
        position: int = body.tell()
        end: int = body.seek(0, os.SEEK_END)
        body.seek(position)
    except (AttributeError, OSError, ValueError):
        return None
    return end - position


def _form_fields(data: Any) -> list[tuple[str, str]]:
    """Form data (a mapping of field to value or list of values) as name/value pairs."""
    items: Any = data.items() if hasattr(data, "items") else data
    fields: list[tuple[str, str]] = []
    for name, value in items:
        values: Any = cast(Any, value) if isinstance(value, (list, tuple)) else (value,)
        one: Any
        for one in values:
            if one is not None:
                fields.append((str(name), one.decode("utf-8") if isinstance(one, bytes) else str(one)))
    return fields


def _quoted(value: str) -> str:
    """A value for a `Content-Disposition` parameter: quotes, backslashes and line breaks escaped."""
    return quote(value, safe=" !#$%&'()*+,-./:;<=>?@[]^_`{|}~")


def _part(
    boundary: str,
    name: str,
    payload: Any,
    filename: Optional[str],
    content_type: Optional[str],
    extra: Optional[Mapping[str, str]],
) -> bytes:
    """One part of a multipart body: its boundary line, headers and content."""
    disposition = f'form-data; name="{_quoted(name)}"'
    if filename is not None:
        disposition += f'; filename="{_quoted(filename)}"'
    lines = [f"--{boundary}", f"Content-Disposition: {disposition}"]
    if content_type:
        lines.append(f"Content-Type: {content_type}")
    for key, value in (extra or {}).items():
        lines.append(f"{key}: {value}")
    if isinstance(payload, str):
        payload = payload.encode("utf-8")
    return "\r\n".join(lines).encode("utf-8") + b"\r\n\r\n" + bytes(payload) + b"\r\n"


def _file_part(boundary: str, name: str, spec: Any) -> bytes:
    """The part of one file: a value, a file object, or a (filename, content[, content type[, headers]]) tuple."""
    filename: Optional[str] = None
    content_type: Optional[str] = None
    headers: Any = None
    if isinstance(spec, (tuple, list)):
        values: tuple[Any, ...] = tuple(cast("list[Any]", spec))
        filename, content = values[0], values[1]
        content_type = values[2] if len(values) > 2 else None
        headers = values[3] if len(values) > 3 else None
    else:
        content = spec
        filename = os.path.basename(str(getattr(spec, "name", "") or "")) or name
    payload: Any = content.read() if hasattr(content, "read") else content
    return _part(boundary, name, payload, filename, content_type or "application/octet-stream", headers)


def multipart(data: Any, files: Any) -> tuple[bytes, str]:
    """A multipart/form-data body (RFC 7578) and its content type, from form fields and files: each file a
    value, a file object, or a (filename, content[, content type[, headers]]) tuple, as requests takes them."""
    boundary = uuid.uuid4().hex
    parts = [_part(boundary, name, value, None, None, None) for name, value in _form_fields(data or {})]
    items: Any = files.items() if hasattr(files, "items") else files
    for name, spec in items:
        parts.append(_file_part(boundary, str(name), spec))
    parts.append(f"--{boundary}--\r\n".encode("ascii"))
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def _without(headers: dict[str, str], lowered: set[str], name: str) -> None:
    """Remove a header from a plain dict whatever the case of its name."""
    if name in lowered:
        for key in [key for key in headers if key.lower() == name]:
            del headers[key]
        lowered.discard(name)


def body_and_headers(request: Union[HttpRequest, LegacyHttpRequest]) -> tuple[Any, dict[str, str]]:
    """The body to send and the headers to send with it (a copy: the request is not changed).

    Bytes and text get an exact `Content-Length`; form data is URL-encoded; files make a multipart body;
    file-like objects and iterables are streamed, with `Content-Length` when it can be known and chunked
    transfer encoding otherwise.
    """
    headers = dict(request.headers)
    lowered = {name.lower() for name in headers}
    for name, lower, value in DEFAULT_HEADERS:
        if lower not in lowered:
            headers[name] = value
    if not isinstance(request, HttpRequest):
        return _encoded(request.data, request.files, headers, lowered)
    data: Any = request.content
    if data.__class__ is bytes:  # what our clients send: nothing to work out
        length = str(len(data))
        if headers.get("Content-Length") != length:
            _without(headers, lowered, "content-length")
            headers["Content-Length"] = length
        return data or None, headers
    if data is not None and not isinstance(data, (bytes, str)):
        # `content` is the form data if any, else the files: ask for each
        return _encoded(request.data, request.files, headers, lowered)
    return _encoded(data, None, headers, lowered)


def _encoded(data: Any, files: Any, headers: dict[str, str], lowered: set[str]) -> tuple[Any, dict[str, str]]:
    """`body_and_headers` for anything but a rest request's bytes: text, form data, files, streams."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    elif isinstance(data, (bytearray, memoryview)):
        data = bytes(cast(bytes, data))
    if files:
        data, content_type = multipart(data, files)
        _without(headers, lowered, "content-type")
        headers["Content-Type"] = content_type
    elif isinstance(data, Mapping):
        data = urlencode(_form_fields(data)).encode("ascii")
    if isinstance(data, bytes):
        _without(headers, lowered, "content-length")
        _without(headers, lowered, "transfer-encoding")
        headers["Content-Length"] = str(len(data))
        return data or None, headers
    if data is None:
        return None, headers
    if "transfer-encoding" in lowered:
        _without(headers, lowered, "content-length")
    elif "content-length" not in lowered and hasattr(data, "read"):
        size = _file_length(data)
        if size is not None:
            headers["Content-Length"] = str(size)
    return data, headers
