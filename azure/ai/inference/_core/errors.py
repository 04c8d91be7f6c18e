# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""Turning failed responses into exceptions, shared by the sync and async clients.

Strategy: one function reads an error body of any shape (the Azure `{"error": {...}}` object,
`{"status": ...}`, `{"detail": ...}`, plain text, a gateway's HTML page) and one builds the
azure-core exception for it, so that every failure carries a status, an error code and a message:
`e.status_code`, `e.reason`, `e.error.code`, `e.error.message`, and `str(e)` shows them all.
No I/O: the caller reads the body first.
"""

from __future__ import annotations

import json
import re
from typing import Any, Optional

from azure.core.exceptions import (
    ClientAuthenticationError,
    HttpResponseError,
    ODataV4Format,
    ResourceExistsError,
    ResourceNotFoundError,
)

from .json import as_dict, loads

__all__ = ["StreamingError"]

_EXCERPT = 500
# Patterns compiled on first use (through `re`'s cache): only an error page needs them.
_TAGS = r"<[^>]*>"
_SPACES = r"\s+"


class StreamingError(HttpResponseError):
    """A streamed answer failed after it started: an error event arrived, the body ended without
    `data: [DONE]`, the connection broke, or an event could not be decoded.

    Every update that arrived before the failure was delivered first. `status_code` is the stream's
    HTTP status (200), and `error.code` / `error.message` say what went wrong.
    """


def excerpt(text: str, limit: int = _EXCERPT) -> str:
    """A bounded, one-line excerpt of a body, with HTML tags removed."""
    if "<" in text and ">" in text:
        text = re.sub(_TAGS, " ", text)
    text = re.sub(_SPACES, " ", text).strip()
    return text if len(text) <= limit else text[:limit] + "..."


MAX_MESSAGE = 4000  # characters of a service's error message kept in the exception
MAX_CODE = 200


def bounded(value: object, limit: int) -> str:
    """`str(value)`, cut to `limit` characters: a hostile server cannot make an exception message huge."""
    text = str(value)
    return text if len(text) <= limit else text[:limit] + "..."


def json_excerpt(value: object, limit: int = _EXCERPT) -> str:
    """A bounded excerpt of a decoded JSON value, for messages; never raises."""
    try:
        return excerpt(json.dumps(value), limit)
    except (ValueError, TypeError, RecursionError):
        return "(an error object too deeply nested to show)"


def parse_error_body(text: str, status: int, header_code: Optional[str]) -> tuple[str, str, dict[str, Any]]:
    """Read an error body of any shape: returns (code, message, the Azure error object or {})."""
    data: Any = None
    try:
        data = loads(text)
    except ValueError:
        pass
    body = as_dict(data)
    if body is not None:
        error = as_dict(body.get("error"))
        if error is not None:
            code = error.get("code") or header_code or str(status)
            message = error.get("message") or json_excerpt(error)
            return bounded(code, MAX_CODE), bounded(message, MAX_MESSAGE), error
        for key in ("error", "message", "detail", "status", "title"):
            value = body.get(key)
            if isinstance(value, str) and value:
                return header_code or str(status), bounded(value, MAX_MESSAGE), {}
        return header_code or str(status), excerpt(text), {}
    return header_code or str(status), excerpt(text) or "(empty body)", {}


class _ErrorDetails(ODataV4Format):
    """The `error` of our exceptions: azure-core's ODataV4Format, also for bodies that are not Azure errors."""

    def __init__(self, code: str, message: str, error: dict[str, Any]) -> None:
        super().__init__({"error": {**error, "code": code, "message": message}})


_BY_STATUS: dict[int, type[HttpResponseError]] = {
    401: ClientAuthenticationError,
    404: ResourceNotFoundError,
    409: ResourceExistsError,
}


def request_id_of(headers: Any) -> Optional[str]:
    value = headers.get("x-request-id") or headers.get("apim-request-id") or headers.get("x-ms-request-id")
    return str(value) if value else None


def build_error(
    response: Any,
    text: str,
    *,
    hint: Optional[str] = None,
    exc_type: Optional[type[HttpResponseError]] = None,
    code: Optional[str] = None,
    message: Optional[str] = None,
) -> HttpResponseError:
    """The exception for a failed response whose body text was already read."""
    headers = response.headers
    status = response.status_code
    parsed_code, parsed_message, error = parse_error_body(text, status, headers.get("x-ms-error-code"))
    code = code or parsed_code
    message = message or parsed_message
    if exc_type is None:
        exc_type = _BY_STATUS.get(status, HttpResponseError)
    lines = [f"({code}) {message}", f"Status: {status} {response.reason or ''}".rstrip()]
    request_id = request_id_of(headers)
    if request_id:
        lines.append(f"Request id: {request_id}")
    if hint:
        lines.append(hint)
    if not error and text and excerpt(text) != message:
        lines.append(f"Body: {excerpt(text)}")
    exc = exc_type(message="\n".join(lines), response=response)
    # azure-core reads `error` from Azure-shaped bodies only; set it for every body, with our message.
    exc.error = _ErrorDetails(code, message, error)
    exc.message = "\n".join(lines)
    exc.args = (exc.message,)
    return exc


def stream_error(response: Any, code: str, message: str) -> StreamingError:
    """The exception for a stream that failed after its headers arrived."""
    exc = build_error(response, "", exc_type=StreamingError, code=code, message=message)
    return exc  # type: ignore[return-value]
