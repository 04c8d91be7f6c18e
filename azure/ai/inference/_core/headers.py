# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""Header fields that cannot change the headers a server reads, checked before anything is sent: used by the
pipeline's `HeaderCheckPolicy` (whatever the transport) and by the http.client transport itself (sans-IO)."""

from __future__ import annotations

import re
from typing import Any, Iterable

from .credentials import CREDENTIAL_HEADERS

__all__ = ["check_header_fields"]


# RFC 9110 5.1 and 5.5: a name is a token; a value holds no control character but HTAB. A CR or LF (alone, or
# CRLF followed by a space: an obsolete line folding) or a NUL would let a lenient parser read a header the
# value's author chose.
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_FORBIDDEN_IN_VALUE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_CONTROL_NAMES = {"\r": "CR", "\n": "LF", "\x00": "NUL", "\x7f": "DEL"}


def _describe_char(char: str) -> str:
    return _CONTROL_NAMES.get(char) or f"U+{ord(char):04X}"


# Header fields already found valid (Latin-1 text included), as (name, value) pairs: most of a client's headers are
# the same on every call, so a call usually checks only its request id. Bounded: emptied when full. Credentials are
# never kept (checked on every call): a key or token stays nowhere beyond the requests that carry it. Nor are the
# request ids azure-core's policy sends, new on every call: keeping them would only empty the table every few
# hundred calls.
_VALID: dict[tuple[str, str], bool] = {}
_NEVER_KEPT = frozenset(
    name.lower() for name in (*CREDENTIAL_HEADERS, "Proxy-Authorization", "Cookie", "x-ms-client-request-id")
)
_VALID_MOST = 512
_VALID_VALUE_MOST = 1024  # longer values are checked every time rather than kept


def check_header_fields(items: Iterable[tuple[Any, Any]], latin1: bool = False) -> None:
    """ValueError for a header whose name is not a token or whose value holds a control character other than
    HTAB (CR, LF, NUL, ...); with `latin1`, also for a value that is not Latin-1 text (what http.client sends).
    `items` are the (name, value) pairs. The message names a valid name and the position, never the value (it
    may be a credential)."""
    pairs = list(items)  # once: `items` may be an iterator
    valid = _VALID
    try:
        unknown = [item for item in pairs if item not in valid]
    except TypeError:  # a value that cannot be hashed (not text): checked as it is
        unknown = pairs
    if unknown:
        _check_each(unknown, latin1)  # every name is a str from here on
        for item in unknown:
            if item[0].lower() not in _NEVER_KEPT:
                _remember(item)


def _remember(item: tuple[Any, Any]) -> None:
    name, value = item
    if type(name) is str and type(value) is str and len(value) <= _VALID_VALUE_MOST and _is_latin1(value):
        if len(_VALID) >= _VALID_MOST:
            _VALID.clear()
        _VALID[item] = True


def _is_latin1(text: str) -> bool:
    if text.isascii():
        return True
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


def _check_each(items: list[tuple[Any, Any]], latin1: bool) -> None:
    """`check_header_fields` one header at a time, raising for the first one that is refused."""
    for name, value in items:
        if not isinstance(name, str) or not _TOKEN.fullmatch(name):
            text = name if isinstance(name, str) else str(name)
            bad = next((index for index, char in enumerate(text) if not _TOKEN.fullmatch(char)), 0)
            what = f"{_describe_char(text[bad])} at position {bad}" if text else "nothing (an empty name)"
            raise ValueError(
                f"headers: a header name holds {what}; names are letters, digits and !#$%&'*+-.^_`|~ only, and "
                "the header is not sent"
            )
        text = value if isinstance(value, str) else value.decode("latin-1") if isinstance(value, bytes) else str(value)
        match = _FORBIDDEN_IN_VALUE.search(text)
        if match is not None:
            raise ValueError(
                f"headers: the value of {name!r} holds a control character ({_describe_char(match.group())}) at "
                f"position {match.start()}; a header value may hold no CR, LF, NUL or other control character "
                "but TAB, and the request is not sent"
            )
        if latin1:
            try:
                text.encode("latin-1")
            except UnicodeEncodeError as exc:
                raise ValueError(
                    f"headers: the value of {name!r} holds a character that is not Latin-1 at position {exc.start}; "
                    "the request is not sent"
                ) from None
