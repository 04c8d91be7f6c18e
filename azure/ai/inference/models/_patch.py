# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""Hand-written additions to the generated models.

- Short message names that take their content positionally or as `content=` (not both: ValueError):
  `SystemMessage("Be brief.")`, `UserMessage("Hi")`, `AssistantMessage(...)`, `ToolMessage(..., tool_call_id=...)`,
  `DeveloperMessage(...)`. Each also accepts a dict, like every generated model.
- `str(model)` is the model's wire JSON indented by 2 (`json.dumps(model.as_dict(), indent=2)`), on every model;
  `repr(model)` stays the dict.
- `ImageUrl.load(image_file=..., image_format=...)` builds a data URL from a local image. The loaders read
  regular files only, of at most 20 MiB unless `max_bytes=` says otherwise (`read_local_file`).
- Mapping access to a declared field gives the same typed value as attribute access, on every result model
  (`response["choices"][0].message.content`); `as_dict()` gives the wire JSON, and fields the models do not
  declare are read by key. `patch_sdk()` installs this on the generated result classes.
- `ImageEmbeddingInput.load(...)` and `InputAudio.load(...)` read local files; `ModelInfo` answers both
  `model_provider` and `model_provider_name`; `ChatCompletionsNamedToolChoiceFunction` is the 1.0.0b9 name of
  `ChatCompletionsFunctionToolSelection`. `StreamingChatCompletions` and `AsyncStreamingChatCompletions` are the
  stream classes, also exported here under their 1.0.0b9 place.
- Streamed updates keep the seed's `update.choices[0].delta.content` loop safe on every real stream:
  an update whose wire `choices` list is empty (Azure OpenAI's first prompt-filter update, the usage-only
  last update) shows one empty choice, and a delta without text shows `content == ""`. The wire data
  stays as it came in the mapping view: `update["choices"]` is the empty list, `update.usage` and
  `update["prompt_filter_results"]` hold what the update carried. An update built in Python keeps choices that
  are not mappings (test doubles) as they were given.
- Results wrap the JSON they came from and build the models of their parts when those are read, so that
  a call costs little beyond parsing its JSON.
- Embeddings results read their vectors without per-float conversion: `data[i].embedding` is the decoded
  list of floats itself (also for base64, which is decoded once with the standard library's `array`).
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Generic, Optional, TypeVar, Union, cast, overload

from . import _models  # pyright: ignore[reportPrivateUsage]
from .._core.json import as_dict, as_mapping, as_sequence, dicts
from .._core.structured import (
    ContentFilterFinishReasonError,
    ContentParseError,
    LengthFinishReasonError,
    RefusalError,
    StructuredOutputError,
)
from .._core.tools import (
    FunctionTool,
    ToolArgumentsError,
    ToolCallError,
    ToolRoundsExceededError,
    ToolRun,
    UnknownToolError,
    function_tool,
)
from .._utils.model_base import Model, SdkJSONEncoder
from ._enums import AudioContentFormat, ImageDetailLevel
from ._files import DEFAULT_MAX_FILE_BYTES, base64_file

__all__ = [
    "SystemMessage",
    "DeveloperMessage",
    "UserMessage",
    "AssistantMessage",
    "ToolMessage",
    "ImageUrl",
    "ImageEmbeddingInput",
    "InputAudio",
    "DEFAULT_MAX_FILE_BYTES",
    "ModelInfo",
    "ChatCompletionsNamedToolChoiceFunction",
    "StreamingChatCompletionsUpdate",
    "StreamingChatChoiceUpdate",
    "StreamingChatResponseMessageUpdate",
    "EmbeddingItem",
    "EmbeddingsResult",
    "ChatCompletions",
    "ChatChoice",
    "ChatResponseMessage",
    "ParsedChatCompletions",
    "ParsedChatChoice",
    "ParsedChatResponseMessage",
    "StructuredOutputError",
    "ContentParseError",
    "RefusalError",
    "LengthFinishReasonError",
    "ContentFilterFinishReasonError",
    "FunctionTool",
    "function_tool",
    "ToolRun",
    "ToolCallError",
    "UnknownToolError",
    "ToolArgumentsError",
    "ToolRoundsExceededError",
]

if TYPE_CHECKING:
    # The stream classes, also exported by `models` at their 1.0.0b9 place. At run time `_streaming` (a layer
    # above, which imports this module) puts them in `models` when it loads, which the package's import does first.
    from .._streaming import AsyncStreamingChatCompletions, StreamingChatCompletions

    __all__ += ["StreamingChatCompletions", "AsyncStreamingChatCompletions"]


_M = TypeVar("_M")
_PREPARED: set[type] = set()


def wrap_json(cls: type[_M], data: dict[str, Any]) -> _M:
    """Wrap a decoded JSON object in a model without copying or converting it.

    Only for the classes below whose model-typed attributes are properties that wrap their part of the JSON
    when read (results and streamed updates), so that building one costs next to nothing.
    """
    if cls not in _PREPARED:
        cls.__new__(cls)  # the generated base builds the class's field table on first construction
        _PREPARED.add(cls)
    obj = object.__new__(cls)
    obj._data = data  # type: ignore[attr-defined]  # pylint: disable=protected-access
    return obj


# The messages below store their wire form directly: it is already JSON-ready, and it keeps a `str` content
# from being read as a sequence of content items. Each takes its content positionally or as `content=`, as
# 1.0.0b9's did, but not both.


def _message_data(role: str, content: Any, **fields: Any) -> dict[str, Any]:
    mapping = as_mapping(content)
    if mapping is not None:
        return {**mapping, "role": role}
    data: dict[str, Any] = {"role": role}
    if content is not None:
        data["content"] = content if isinstance(content, str) else list(as_sequence(content) or ())
    data.update((k, v) for k, v in fields.items() if v is not None)
    return data


def _content(cls: str, args: tuple[Any, ...], content: Any, *, required: bool = True) -> Any:
    """The content given positionally (the first argument) or as `content=`."""
    if len(args) > 1:
        raise TypeError(f"{cls}() takes one positional argument, the content ({len(args)} given)")
    if args:
        if content is not None:
            raise ValueError("content cannot be provided as positional and keyword arguments")
        return args[0]
    if content is None and required:
        raise TypeError(f"{cls}() missing its content: {cls}('...') or {cls}(content='...')")
    return content


class SystemMessage(_models.ChatRequestSystemMessage):
    """A system message: instructions for the assistant. `SystemMessage("Be brief.")`."""

    @overload
    def __init__(self, content: Union[str, Mapping[str, Any]], /) -> None: ...

    @overload
    def __init__(self, *, content: str) -> None: ...

    def __init__(self, *args: Any, content: Optional[str] = None) -> None:  # pylint: disable=super-init-not-called
        self._data = _message_data("system", _content("SystemMessage", args, content))


class DeveloperMessage(_models.ChatRequestDeveloperMessage):
    """A developer message: instructions for newer models, in place of a system message."""

    @overload
    def __init__(self, content: Union[str, Mapping[str, Any]], /) -> None: ...

    @overload
    def __init__(self, *, content: str) -> None: ...

    def __init__(self, *args: Any, content: Optional[str] = None) -> None:  # pylint: disable=super-init-not-called
        self._data = _message_data("developer", _content("DeveloperMessage", args, content))


_UserContent = Union[str, Sequence[_models.ContentItem]]


class UserMessage(_models.ChatRequestUserMessage):
    """A user message: text, or a list of content items (`TextContentItem`, `ImageContentItem`)."""

    @overload
    def __init__(self, content: Union[_UserContent, Mapping[str, Any]], /) -> None: ...

    @overload
    def __init__(self, *, content: _UserContent) -> None: ...

    def __init__(  # pylint: disable=super-init-not-called
        self, *args: Any, content: Optional[_UserContent] = None
    ) -> None:
        self._data = _message_data("user", _content("UserMessage", args, content))


class AssistantMessage(_models.ChatRequestAssistantMessage):
    """An earlier reply of the model, given back as history: text, tool calls, or both.

    A reply without text is sent without a `content` field (never `null`, which some servers reject).
    """

    @overload
    def __init__(
        self,
        content: Optional[Union[str, Mapping[str, Any]]] = None,
        /,
        *,
        tool_calls: Optional[Sequence[_models.ChatCompletionsToolCall]] = None,
    ) -> None: ...

    @overload
    def __init__(
        self, *, content: Optional[str] = None, tool_calls: Optional[Sequence[_models.ChatCompletionsToolCall]] = None
    ) -> None: ...

    def __init__(  # pylint: disable=super-init-not-called
        self,
        *args: Any,
        content: Optional[str] = None,
        tool_calls: Optional[Sequence[_models.ChatCompletionsToolCall]] = None,
    ) -> None:
        text = _content("AssistantMessage", args, content, required=False)
        self._data = _message_data("assistant", text, tool_calls=list(tool_calls) if tool_calls else None)


class ToolMessage(_models.ChatRequestToolMessage):
    """The result of a tool call: `ToolMessage("22 C", tool_call_id=call.id)`.

    `tool_call_id` may be left out when the message is built, as 1.0.0b9 allowed; a request that sends a tool
    message without one is refused with `TypeError` before anything is sent.
    """

    @overload
    def __init__(
        self, content: Optional[Union[str, Mapping[str, Any]]] = None, /, *, tool_call_id: Optional[str] = None
    ) -> None: ...

    @overload
    def __init__(self, *, content: Optional[str] = None, tool_call_id: Optional[str] = None) -> None: ...

    def __init__(  # pylint: disable=super-init-not-called
        self, *args: Any, content: Optional[str] = None, tool_call_id: Optional[str] = None
    ) -> None:
        text = _content("ToolMessage", args, content, required=False)
        self._data = _message_data("tool", text, tool_call_id=tool_call_id)


_IMAGE_TYPES = {"png": "png", "jpg": "jpeg", "jpeg": "jpeg", "gif": "gif", "webp": "webp", "bmp": "bmp"}

def _image_kind(image_format: Any) -> str:
    kind = _IMAGE_TYPES.get(str(image_format).lower())
    if kind is None:
        raise ValueError(f"image_format must be one of {', '.join(sorted(_IMAGE_TYPES))}, got {image_format!r}")
    return kind


class ImageUrl(_models.ImageUrl):
    """An image for a user message, by URL or data URL; `ImageUrl.load()` reads a local file."""

    @classmethod
    def load(
        cls,
        *,
        image_file: Union[str, "os.PathLike[str]"],
        image_format: str,
        detail: Optional[Union[str, ImageDetailLevel]] = None,
        max_bytes: int = DEFAULT_MAX_FILE_BYTES,
    ) -> "ImageUrl":
        """Read an image file into a `data:image/<format>;base64,...` URL.

        :keyword image_file: The path of the image file: a regular file.
        :keyword image_format: The image's format, such as `png` or `jpeg`.
        :keyword detail: How much detail the model should see: `auto`, `low` or `high`.
        :keyword max_bytes: The largest file read, in bytes; 20 MiB by default.
        :raises ValueError: for an unknown image format, or a file that is not a regular file or is larger
         than `max_bytes`.
        """
        kind = _image_kind(image_format)
        return cls(url=f"data:image/{kind};base64,{base64_file(image_file, max_bytes)}", detail=detail)


class ImageEmbeddingInput(_models.ImageEmbeddingInput):
    """An image to embed, as a data URL, with optional text; `ImageEmbeddingInput.load()` reads a local file."""

    @classmethod
    def load(
        cls,
        *,
        image_file: Union[str, "os.PathLike[str]"],
        image_format: str,
        text: Optional[str] = None,
        max_bytes: int = DEFAULT_MAX_FILE_BYTES,
    ) -> "ImageEmbeddingInput":
        """Read an image file into a `data:image/<format>;base64,...` URL.

        :keyword image_file: The path of the image file: a regular file.
        :keyword image_format: The image's format, such as `png` or `jpeg`.
        :keyword text: Text that goes with the image, on models that embed both together.
        :keyword max_bytes: The largest file read, in bytes; 20 MiB by default.
        :raises ValueError: for an unknown image format, or a file that is not a regular file or is larger
         than `max_bytes`.
        """
        kind = _image_kind(image_format)
        return cls(image=f"data:image/{kind};base64,{base64_file(image_file, max_bytes)}", text=text)


_AUDIO_FORMATS = ("wav", "mp3")


class InputAudio(_models.InputAudio):
    """Audio for a user message (in an `AudioContentItem`); `InputAudio.load()` reads a local file."""

    @classmethod
    def load(
        cls,
        *,
        audio_file: Union[str, "os.PathLike[str]"],
        audio_format: Union[str, AudioContentFormat],
        max_bytes: int = DEFAULT_MAX_FILE_BYTES,
    ) -> "InputAudio":
        """Read an audio file as base64 data.

        :keyword audio_file: The path of the audio file: a regular file.
        :keyword audio_format: `wav` or `mp3` (`AudioContentFormat.WAV` or `.MP3`).
        :keyword max_bytes: The largest file read, in bytes; 20 MiB by default.
        :raises ValueError: for another format, or a file that is not a regular file or is larger than
         `max_bytes`.
        """
        fmt = str(getattr(audio_format, "value", audio_format)).lower()
        if fmt not in _AUDIO_FORMATS:
            raise ValueError(f"audio_format must be one of {', '.join(_AUDIO_FORMATS)}, got {audio_format!r}")
        return cls(data=base64_file(audio_file, max_bytes), format=fmt)


class ModelInfo(_models.ModelInfo):
    """Information about the model an endpoint serves. The provider is readable under both names, whichever the
    endpoint's api-version uses: `model_provider` (2024-04-01-preview) and `model_provider_name` (later)."""

    @property
    def model_provider(self) -> str:  # type: ignore[override]
        """The model's provider, for example `Microsoft`."""
        return cast(str, self._data.get("model_provider") or self._data.get("model_provider_name"))

    @property
    def model_provider_name(self) -> str:  # type: ignore[override]
        """The model's provider, under the name later api-versions use."""
        return cast(str, self._data.get("model_provider_name") or self._data.get("model_provider"))


ChatCompletionsNamedToolChoiceFunction = _models.ChatCompletionsFunctionToolSelection


class StreamingChatResponseMessageUpdate(_models.StreamingChatResponseMessageUpdate):
    """The change to the message carried by one streamed update. `content` is `""` when it carries no text."""

    @property
    def content(self) -> str:  # type: ignore[override]
        """The next piece of the text; an empty string when the update carries none."""
        return self._data.get("content") or ""

    @property
    def tool_calls(self) -> Optional[list[_models.StreamingChatResponseToolCallUpdate]]:  # type: ignore[override]
        """Pieces of tool calls, when the update carries some."""
        calls = self._data.get("tool_calls")
        if calls is None:
            return None
        return [_models.StreamingChatResponseToolCallUpdate(call) for call in json_objects(calls)]


class StreamingChatChoiceUpdate(_models.StreamingChatChoiceUpdate):
    """One choice of a streamed update."""

    @property
    def delta(self) -> StreamingChatResponseMessageUpdate:  # type: ignore[override]
        """The change to the message."""
        delta: Any = self._data.get("delta")
        data: Any = delta if delta.__class__ is dict else json_object(delta)  # no `cast`: a call per update
        return wrap_json(StreamingChatResponseMessageUpdate, data)

    @property
    def logprobs(self) -> Optional[_models.ChatChoiceLogProbabilityInfo]:  # type: ignore[override]
        """The log probabilities of the tokens of this update, when the request set `logprobs`."""
        return _logprobs(self._data)


class StreamingChatCompletionsUpdate(_models.StreamingChatCompletionsUpdate):
    """One streamed update of a chat completions answer.

    `choices` always has at least one element: an update that carries no choice on the wire (a prompt-filter
    update, or the usage-only last update) shows one empty choice with `index` 0, an empty delta and no
    finish reason. The mapping view keeps the wire data: `update["choices"]` is then `[]`, and
    `update.usage`, `update["prompt_filter_results"]` and any other field hold what the update carried.
    """

    @property
    def usage(self) -> Optional[_models.CompletionsUsage]:  # type: ignore[override]
        """Token counts, usually in the last update only."""
        usage: Any = self._data.get("usage")
        if usage is None or isinstance(usage, _models.CompletionsUsage):
            return usage
        return _models.CompletionsUsage(json_object(usage))

    @property
    def choices(self) -> list[StreamingChatChoiceUpdate]:  # type: ignore[override]
        """The changes, one per choice; one empty choice when the update carries none on the wire."""
        given: Any = self._data.get("choices")
        if given.__class__ is list and len(given) == 1 and given[0].__class__ is dict:  # the usual streamed shape
            return [wrap_json(StreamingChatChoiceUpdate, given[0])]
        wire = dicts(given)
        kept = choices_as_given(StreamingChatChoiceUpdate, given, wire)
        if kept is not None:
            return kept
        if not wire:
            empty: dict[str, Any] = {"index": 0, "finish_reason": None, "delta": {}}
            wire = [empty]
        return [wrap_json(StreamingChatChoiceUpdate, c) for c in wire]


def choices_as_given(cls: type[_M], given: object, wire: list[dict[str, Any]]) -> Optional[list[_M]]:
    """The choices of an update built in Python, or None for a list of JSON objects only (`wire`, its dicts),
    as updates decoded from a stream hold: models and dicts read as `cls`, any other object is kept as it is (a
    test double such as a `MagicMock` keeps the attributes it was given, as with 1.0.0b9)."""
    items = as_sequence(given)
    if type(given) is not list or items is None or len(items) == len(wire):
        return None
    choices: list[_M] = []
    for choice in items:
        mapping = as_mapping(choice)
        choices.append(choice if mapping is None else wrap_json(cls, json_object(mapping)))
    return choices


# ---------------------------------------------------------------------------------------------- mapping access

# The models whose mapping access gives typed values: every model a response is read into.
_RESULT_MODELS: tuple[type[Any], ...] = (
    _models.ChatCompletions,
    _models.ChatChoice,
    _models.ChatResponseMessage,
    _models.ChatCompletionsToolCall,
    _models.FunctionCall,
    _models.CompletionsUsage,
    _models.StreamingChatCompletionsUpdate,
    _models.StreamingChatChoiceUpdate,
    _models.StreamingChatResponseMessageUpdate,
    _models.StreamingChatResponseToolCallUpdate,
    _models.StreamingFunctionCallUpdate,
    _models.EmbeddingsResult,
    _models.EmbeddingItem,
    _models.EmbeddingsUsage,
    _models.ImageGenerations,
    _models.ImageGenerationData,
    _models.ModelInfo,
)
_DECLARED: dict[type[Any], dict[str, str]] = {}


def _declared(cls: type[Any]) -> dict[str, str]:
    """Wire name -> attribute name of the fields a model class declares."""
    names = _DECLARED.get(cls)
    if names is None:
        if "_attr_to_rest_field" not in cls.__dict__:
            new: Any = cls.__new__
            new(cls)  # the generated base builds the class's field table on first construction
        fields: dict[str, Any] = getattr(cls, "_attr_to_rest_field", {})
        names = _DECLARED[cls] = {field._rest_name: attr for attr, field in fields.items()}
    return names


def _typed_getitem(self: Any, key: str) -> Any:
    """`model[key]`: the typed value of a declared field (as `model.<field>` gives it), else the JSON value.

    A declared field absent from the JSON is a KeyError, unless the model reads it from elsewhere (`ModelInfo`
    answers `model_provider_name` from `model_provider`)."""
    data: dict[str, Any] = self._data
    cls: Any = self.__class__
    attribute = _declared(cls).get(key)
    if attribute is None:
        return data[key]
    value = getattr(self, attribute)
    if value is None and key not in data:
        raise KeyError(key)
    return value


def _json_str(self: Any) -> str:
    """`str(model)`: its wire JSON, indented by 2, as 1.0.0b9 printed its results (`repr` stays the dict)."""
    return json.dumps(self.as_dict(), indent=2, cls=SdkJSONEncoder)


def patch_sdk() -> None:
    """Give the result models typed mapping access, and every model a `str()` that is its JSON (see the module
    docstring)."""
    for cls in _RESULT_MODELS:
        setattr(cls, "__getitem__", _typed_getitem)
    setattr(Model, "__str__", _json_str)


def json_object(value: object) -> dict[str, Any]:
    """A JSON object, also when the generated deserializer already made a model of it; {} otherwise."""
    if type(value) is dict:
        return cast("dict[str, Any]", value)
    return as_dict(value) or as_dict(getattr(value, "_data", None)) or {}


def json_objects(value: object) -> list[dict[str, Any]]:
    """The JSON objects of a list, also when the generated deserializer already made models of them
    (a model built in Python from keywords or a dict holds its parts as models)."""
    items = dicts(value)
    if type(value) is not list:
        return items
    values: list[Any] = cast("list[Any]", value)  # type: ignore[redundant-cast, unused-ignore]
    if len(items) == len(values):
        return items
    return [json_object(item) for item in values]


class EmbeddingItem(_models.EmbeddingItem):
    """One embedding vector. `embedding` is a list of floats, whatever `encoding_format` was asked for;
    with base64 the string the service sent stays in `item["embedding_base64"]`."""

    @property
    def embedding(self) -> list[float]:  # type: ignore[override]
        """The vector, as a list of floats."""
        value: Any = self._data.get("embedding")
        return cast("list[float]", value) if isinstance(value, list) else []


class EmbeddingsResult(_models.EmbeddingsResult):
    """The answer to an embeddings request: one vector per input, in `data`, with usage."""

    @functools.cached_property
    def data(self) -> list[EmbeddingItem]:  # type: ignore[override]
        """The vectors, one per input."""
        return [wrap_json(EmbeddingItem, item) for item in json_objects(self._data.get("data"))]

    @property
    def usage(self) -> _models.EmbeddingsUsage:  # type: ignore[override]
        """Token counts."""
        usage: Any = self._data.get("usage")
        return usage if isinstance(usage, _models.EmbeddingsUsage) else _models.EmbeddingsUsage(as_dict(usage) or {})


def _tool_call(call: dict[str, Any]) -> _models.ChatCompletionsToolCall:
    """A tool call model that keeps the `type` the service sent (its constructor sets `function`)."""
    tool = _models.ChatCompletionsToolCall(call)
    if isinstance(call.get("type"), str):
        tool["type"] = call["type"]
    return tool


def _logprobs(data: Mapping[str, Any]) -> Optional[_models.ChatChoiceLogProbabilityInfo]:
    value = as_dict(data.get("logprobs"))
    return _models.ChatChoiceLogProbabilityInfo(value) if value is not None else None


_GENERATED_CONTENT: Any = _models.ChatResponseMessage.__dict__["content"]


class ChatResponseMessage(_models.ChatResponseMessage):
    """A message generated by the model: `content`, and `tool_calls` when the model called tools. Fields
    outside the spec, such as `reasoning_content`, are read as mapping keys: `message["reasoning_content"]`.

    `parsed` is the content read into the type given as `response_format` (see `ParsedChatCompletions`); None
    when no type was given, and for a message that called tools instead of answering."""

    parsed: Any = None

    @property
    def content(self) -> str:
        """The text of the reply, or None when the model only called tools."""
        value: Any = self._data.get("content")
        if value is None or type(value) is str:  # as the generated field gives it, without its per-read conversion
            return cast(str, value)
        return cast(str, _GENERATED_CONTENT.__get__(self, type(self)))

    @content.setter
    def content(self, value: str) -> None:  # pyright: ignore[reportIncompatibleVariableOverride]
        _GENERATED_CONTENT.__set__(self, value)

    @property
    def tool_calls(self) -> Optional[list[_models.ChatCompletionsToolCall]]:  # type: ignore[override]
        """The tool calls the model asked for, if any."""
        calls = self._data.get("tool_calls")
        if calls is None:
            return None
        return [_tool_call(call) for call in json_objects(calls)]


class ChatChoice(_models.ChatChoice):
    """One choice of a chat completions answer."""

    @property
    def message(self) -> ChatResponseMessage:  # type: ignore[override]
        """The message."""
        return wrap_json(ChatResponseMessage, json_object(self._data.get("message")))

    @property
    def logprobs(self) -> Optional[_models.ChatChoiceLogProbabilityInfo]:  # type: ignore[override]
        """The log probabilities of the tokens, when the request set `logprobs`."""
        return _logprobs(self._data)


class ChatCompletions(_models.ChatCompletions):
    """The answer to a chat completions request: `choices[0].message.content` holds the text."""

    @property
    def choices(self) -> list[ChatChoice]:  # type: ignore[override]
        """The choices of reply."""
        return [wrap_json(ChatChoice, choice) for choice in json_objects(self._data.get("choices"))]

    @property
    def usage(self) -> _models.CompletionsUsage:  # type: ignore[override]
        """Token counts."""
        usage: Any = self._data.get("usage")
        return usage if isinstance(usage, _models.CompletionsUsage) else _models.CompletionsUsage(json_object(usage))


# `Generic` comes first below: the generated models' `__init_subclass__` does not call Generic's, which makes a class
# subscriptable (pyright sees an inconsistent order, wrongly: the generic ABCs are plain classes at run time).
_T = TypeVar("_T")


class ParsedChatResponseMessage(Generic[_T], ChatResponseMessage):  # pyright: ignore[reportGeneralTypeIssues]
    """A message whose content was read into the type given as `response_format`: `parsed` is an instance of it
    (a validated dict for a TypedDict), or None for a message that called tools instead of answering."""

    parsed: Optional[_T] = None


class ParsedChatChoice(Generic[_T], ChatChoice):  # pyright: ignore[reportGeneralTypeIssues]
    """A choice of a `ParsedChatCompletions`: `message.parsed` holds the instance."""

    _parsed: Optional[_T] = None

    @property
    def message(self) -> ParsedChatResponseMessage[_T]:  # type: ignore[override]
        """The message, with `parsed`."""
        wire = json_object(self._data.get("message"))
        message = cast("ParsedChatResponseMessage[_T]", wrap_json(ParsedChatResponseMessage, wire))
        message.parsed = self._parsed
        return message


class ParsedChatCompletions(Generic[_T], ChatCompletions):  # pyright: ignore[reportGeneralTypeIssues]
    """The answer to a request whose `response_format` was a type (a Pydantic model class, a dataclass or a
    TypedDict): `choices[i].message.parsed` is the instance read from that choice's content. The parsed values are
    kept beside the JSON, never in it: `as_dict()` and `str()` give the wire JSON, as for any `ChatCompletions`."""

    _parsed: Sequence[Optional[_T]] = ()

    @property
    def choices(self) -> list[ParsedChatChoice[_T]]:  # type: ignore[override]
        """The choices of reply, each with `message.parsed`."""
        wire = json_objects(self._data.get("choices"))
        choices = [cast("ParsedChatChoice[_T]", wrap_json(ParsedChatChoice, choice)) for choice in wire]
        for choice, value in zip(choices, self._parsed):
            choice._parsed = value  # pylint: disable=protected-access  # pyright: ignore[reportPrivateUsage]
        return choices
