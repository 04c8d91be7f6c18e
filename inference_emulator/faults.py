# Fault injection: the documented catalogue (FAULTS), parsing of fault specs such as
# "status-then-ok;status=503;count=2", and the per-emulator counters behind "N times, then success".
from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field

__all__ = ["FAULTS", "FaultSpec", "FaultCounters", "parse_fault", "FaultSpecError"]

FAULTS: dict[str, str] = {
    "rate-limit": "429 + Retry-After: <retry_after> s (default 1) + Azure error body; `count` times, else always.",
    "rate-limit-ms": "429 + retry-after-ms: <retry_after_ms> (default 1000); `count` times, else always.",
    "status-then-ok": "`count` (default 1) answers of HTTP `status` (default 500) + Azure error body, then success.",
    "reset": "Streams: abort the connection after `after` events (default 2); otherwise abort before answering.",
    "slow-first-byte": "Wait `delay` seconds (default 2) before sending the response headers.",
    "slow-stream": "Wait `delay` seconds (default 0.2) between streamed events.",
    "hold-stream": "Streams: after `after` events (default 1) wait until `Emulator.release_streams()` is called.",
    "crlf": "SSE lines end in CRLF.",
    "cr": "SSE lines end in CR only.",
    "keepalive": "SSE `: ping - <timestamp>` comment lines at the start and between events.",
    "nospace": "SSE `data:{...}` without the space after the colon.",
    "split-utf8": "Reply gains ' café 日本'; SSE bytes are written so a UTF-8 sequence is split across two writes.",
    "multiline": "Each SSE event's JSON is pretty-printed over several `data:` lines.",
    "event-id": "Each SSE event is preceded by `event: message`, `id: <n>` and `retry: 1000` lines.",
    "error-event": 'After `after` events (default 2) send a `data: {"error": ...}` event and end the stream.',
    "no-done": "The stream ends without `data: [DONE]`.",
    "no-trailing-newline": "The last frame `data: [DONE]` has no terminating newline.",
    "no-trailing-newline-event": "The last frame is a JSON event without a terminating newline; no [DONE].",
    "tiny-chunks": "The SSE bytes are written one byte per write.",
    "repeat-tool-ids": "llama.cpp style: every streamed tool-call delta repeats the call's id, type and name.",
    "empty-choices": "Azure OpenAI style: a first chunk with `choices: []` + prompt_filter_results; a usage chunk.",
    "html-502": "502 with a text/html gateway error page.",
    "wrong-content-type": "Non-stream: 200 text/plain of valid JSON; stream: 200 application/json, not SSE.",
    "big-event": "One streamed content event carrying 1 MiB of text (non-stream: appended to the content).",
    "status-body": '401 with the body {"status": "Invalid auth token"}.',
    "detail-body": '404 with the body {"detail": "Not Found"}.',
    "plain-text": '500 text/plain "Internal Server Error".',
    "malformed-json": "Non-stream: 200 application/json with a truncated body; stream: one truncated JSON event.",
}

# Faults that stay active on every request unless a `count` parameter is given.
_DEFAULT_COUNTS: dict[str, int] = {"status-then-ok": 1}


class FaultSpecError(ValueError):
    """A fault spec names no known fault or carries a malformed parameter."""


@dataclass(frozen=True)
class FaultSpec:
    """One parsed fault: its name, its `key=value` parameters and the text it came from."""

    name: str
    params: dict[str, str] = field(default_factory=dict)
    text: str = ""

    def number(self, param: str, default: float) -> float:
        raw = self.params.get(param)
        if raw is None:
            return default
        try:
            value = float(raw)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            raise FaultSpecError(f"fault parameter {param}={raw!r} is not a finite number")
        return value

    def integer(self, param: str, default: int) -> int:
        raw = self.params.get(param)
        if raw is None:
            return default
        try:
            return int(raw)
        except ValueError:
            raise FaultSpecError(f"fault parameter {param}={raw!r} is not an integer") from None

    @property
    def counter_key(self) -> str:
        return f"{self.name}|{self.params.get('key', self.text)}"

    @property
    def count(self) -> int | None:
        if "count" in self.params:
            return self.integer("count", 0)
        return _DEFAULT_COUNTS.get(self.name)


def parse_fault(text: str) -> FaultSpec:
    """Parse `name;key=value;...` (whitespace around the parts is ignored)."""
    parts = [part.strip() for part in text.split(";")]
    name = parts[0].lower()
    if name not in FAULTS:
        raise FaultSpecError(f"unknown emulator fault {name!r}; known faults: {', '.join(sorted(FAULTS))}")
    params: dict[str, str] = {}
    for part in parts[1:]:
        if not part:
            continue
        key, sep, value = part.partition("=")
        if not sep or not key.strip():
            raise FaultSpecError(f"fault parameter {part!r} is not of the form key=value")
        params[key.strip().lower()] = value.strip()
    spec = FaultSpec(name=name, params=params, text=text.strip())
    spec.count  # validates `count` early
    return spec


class FaultCounters:
    """How many times each counted fault has fired, shared by every connection of one emulator."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._fired: dict[str, int] = {}

    def take(self, spec: FaultSpec) -> bool:
        """Whether the fault fires on this request; counts the firing."""
        limit = spec.count
        with self._lock:
            fired = self._fired.get(spec.counter_key, 0)
            if limit is not None and fired >= limit:
                return False
            self._fired[spec.counter_key] = fired + 1
            return True

    def reset(self) -> None:
        with self._lock:
            self._fired.clear()
