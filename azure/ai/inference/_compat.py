# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""What the 1.0.0b9 names `complete(stream=...)` need beyond `create` and `create_streaming`.

Strategy: `complete` and `embed` on the clients are thin methods over the same request building as `create`;
this module only holds what differs. A stream opened through `complete(stream=True)` yields its updates the way
1.0.0b9 did: an update whose wire `choices` list is empty has `choices == []`, and `delta.content` is None when the
delta carries no text. The updates are the same JSON wrapped in subclasses of the public update models, so
`isinstance` checks and `as_dict()` behave as for any other update. No I/O here beyond the stream classes' own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Optional

from ._core.json import as_mapping, dicts
from ._streaming import AsyncStreamingChatCompletions, StreamingChatCompletions
from .models._patch import (
    StreamingChatChoiceUpdate,
    StreamingChatCompletionsUpdate,
    StreamingChatResponseMessageUpdate,
    choices_as_given,
    json_object,
    wrap_json,
)

__all__: list[str] = []


def wants_stream(body: Any, stream: Any) -> bool:
    """Whether a `complete` call streams: `stream=` when given, else the body's own `"stream"` field."""
    if stream is not None:
        if not isinstance(stream, bool):
            raise TypeError(f"stream must be a bool, not {type(stream).__name__}")
        return stream
    mapping = as_mapping(body)
    return mapping is not None and mapping.get("stream") is True


def lift_named_extras(
    fields: Mapping[str, Any], given: dict[str, Any], model_extras: Any
) -> tuple[dict[str, Any], Any]:
    """Move named parameters found in `model_extras` to the named arguments, where they are checked.

    1.0.0b9 merged `model_extras` into the body as it was, so frameworks pass named parameters there (for example
    `response_format` from langchain's `model_kwargs`). A parameter given both ways is left in `model_extras`, which
    then refuses it as before.
    """
    extras = as_mapping(model_extras)
    if not extras or not any(name in fields for name in extras):
        return given, model_extras
    lifted, rest = dict(given), dict(extras)
    for name in [name for name in extras if name in fields]:
        if lifted.get(name) is None:
            lifted[name] = rest.pop(name)
    return lifted, rest


class _DeltaAsBefore(StreamingChatResponseMessageUpdate):
    """A streamed delta whose `content` is None when it carries no text."""

    @property
    def content(self) -> Optional[str]:  # type: ignore[override]
        """The next piece of the text, or None when the update carries none."""
        value: Any = self._data.get("content")
        return value if isinstance(value, str) else None


class _ChoiceAsBefore(StreamingChatChoiceUpdate):
    @property
    def delta(self) -> _DeltaAsBefore:  # type: ignore[override]
        """The change to the message."""
        return wrap_json(_DeltaAsBefore, json_object(self._data.get("delta")))


class _UpdateAsBefore(StreamingChatCompletionsUpdate):
    """A streamed update whose `choices` are exactly the wire's, possibly none."""

    @property
    def choices(self) -> list[_ChoiceAsBefore]:  # type: ignore[override]
        """The changes, one per choice; empty when the update carries none."""
        given: Any = self._data.get("choices")
        wire = dicts(given)
        kept = choices_as_given(_ChoiceAsBefore, given, wire)  # built in Python, with models or test doubles
        if kept is not None:
            return kept
        return [wrap_json(_ChoiceAsBefore, choice) for choice in wire]


def as_before(update: StreamingChatCompletionsUpdate) -> StreamingChatCompletionsUpdate:
    """The same update, read the 1.0.0b9 way."""
    data = update._data  # pyright: ignore[reportPrivateUsage]  # pylint: disable=protected-access
    return wrap_json(_UpdateAsBefore, data)


class CompatStreamingChatCompletions(StreamingChatCompletions):
    """The stream `complete(stream=True)` returns: a `StreamingChatCompletions` whose updates read as in 1.0.0b9."""

    def __next__(self) -> StreamingChatCompletionsUpdate:
        return as_before(StreamingChatCompletions.__next__(self))


class AsyncCompatStreamingChatCompletions(AsyncStreamingChatCompletions):
    """The stream the async `complete(stream=True)` returns; see `CompatStreamingChatCompletions`."""

    async def __anext__(self) -> StreamingChatCompletionsUpdate:
        return as_before(await AsyncStreamingChatCompletions.__anext__(self))
