# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""Argument checks and request bodies, sans-IO: the keyword options a call or a constructor may take, the
check and wire form of every body field, the merge of client defaults with a call's values, and the JSON bytes.

Rules kept here: a bad argument fails with `TypeError`/`ValueError` naming it, before any network call; optional
fields that were not given are absent from the body, never `null`; unknown keyword arguments never reach the
transport (a call refuses them with TypeError; a constructor drops them with a UserWarning, as azure-core's
clients accept them); a value given to a call replaces the client's default of the same name, `model_extras` too.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Mapping, Sequence
from typing import Any, Callable, Optional, cast

from .json import as_mapping, as_sequence
from .._utils.model_base import SdkJSONEncoder

__all__: list[str] = []

# One encoder for every request body: compact, UTF-8, models as their JSON, no NaN or infinity.
_ENCODER = SdkJSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False)
_FIRST_VERSION = "2024-04-01-preview"

# Keyword arguments that azure-core's pipeline understands on a single call.
PER_CALL_OPTIONS = frozenset(
    {
        "headers",
        "timeout",
        "connection_timeout",
        "read_timeout",
        "retry_total",
        "retry_connect",
        "retry_read",
        "retry_status",
        "retry_backoff_factor",
        "retry_backoff_max",
        "retry_mode",
        "retry_on_status_codes",
        "retry_after_max",
        "max_response_bytes",
        "logging_enable",
        "logger",
        "raw_request_hook",
        "raw_response_hook",
        "user_agent",
        "request_id",
        "auto_request_id",
        "connection_verify",
        "connection_cert",
        "proxies",
        "tracing_attributes",
        "network_span_namer",
    }
)

# A streamed call also takes `stream_timeout`: the most seconds the whole stream may take.
STREAM_CALL_OPTIONS = PER_CALL_OPTIONS | {"stream_timeout"}

# Keyword arguments that azure-core's PipelineClient, its policies and transports understand at construction.
CONSTRUCTOR_OPTIONS = STREAM_CALL_OPTIONS | frozenset(
    {
        "transport",
        "policies",
        "per_call_policies",
        "per_retry_policies",
        "credential_scopes",
        "authentication_policy",
        "headers_policy",
        "user_agent_policy",
        "user_agent_overwrite",
        "user_agent_use_env",
        "proxy_policy",
        "logging_policy",
        "http_logging_policy",
        "retry_policy",
        "redirect_policy",
        "custom_hook_policy",
        "permit_redirects",
        "redirect_max",
        "session",
        "session_owner",
        "use_env_settings",
        "enforce_https",
        "blocked_redirect_headers",
        "sdk_moniker",
        "polling_interval",
    }
)


# azure-core's switches that would let credentials follow a redirect to another origin: refused, not ignored.
REFUSED_OPTIONS = frozenset({"disable_redirect_cleanup", "insecure_domain_change"})


def _check_headers(kwargs: Mapping[str, Any], method: str) -> None:
    headers = kwargs.get("headers")
    if headers is not None:
        mapping = as_mapping(headers)
        pairs: list[tuple[object, object]] = list(mapping.items()) if mapping is not None else []
        if mapping is None or not all(isinstance(k, str) and isinstance(v, str) for k, v in pairs):
            raise TypeError(f"{method}(): headers must be a dict of str header names to str values")


def drop_unknown_options(kwargs: dict[str, Any], name: str, *, stacklevel: int) -> None:
    """A constructor's keyword arguments that neither it nor azure-core's pipeline knows: removed from `kwargs`
    (they never reach the pipeline or the transport) with a `UserWarning` that names them, as azure-core's clients
    accept and ignore them. A `headers` that is not a mapping of str to str, and the switches that would let
    credentials follow a redirect to another origin, raise TypeError."""
    _check_headers(kwargs, name)
    refused = sorted(REFUSED_OPTIONS.intersection(kwargs))
    if refused:
        raise TypeError(
            f"{name}() does not accept {', '.join(refused)}: credentials never follow a redirect to another origin"
        )
    unknown = sorted(option for option in kwargs if option not in CONSTRUCTOR_OPTIONS)
    if unknown:
        for option in unknown:
            del kwargs[option]
        names = ", ".join(repr(n) for n in unknown)
        warnings.warn(
            f"{name}() ignores unknown keyword argument(s) {names}: they are not sent anywhere. To send extra "
            "fields in the request body, pass them in model_extras={...}.",
            UserWarning,
            stacklevel=stacklevel + 1,
        )


def check_options(kwargs: Mapping[str, Any], allowed: frozenset[str], method: str) -> None:
    """Raise TypeError for keyword arguments of a call that neither the method nor azure-core's pipeline
    knows, and for a `headers` that is not a mapping of str to str."""
    _check_headers(kwargs, method)
    unknown = [name for name in kwargs if name not in allowed]
    if unknown:
        names = ", ".join(repr(n) for n in sorted(unknown))
        raise TypeError(
            f"{method}() got unexpected keyword argument(s) {names}. To send extra fields in the request body, "
            "pass them in model_extras={...}."
        )


# ---------------------------------------------------------------------------------------------- body fields

Check = Callable[[str, Any, str], Any]


def _number(name: str, value: Any, _: str) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number, not {type(value).__name__}")
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, not {value!r}: JSON cannot carry NaN or infinity")
    return value


def _integer(name: str, value: Any, _: str) -> Any:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    return value


def _boolean(name: str, value: Any, _: str) -> Any:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be a bool, not {type(value).__name__}")
    return value


def _non_negative(name: str, value: Any, _: str) -> Any:
    _integer(name, value, _)
    if value < 0:
        raise ValueError(f"{name} must be an int >= 0, not {value!r}")
    return value


def _choice_count(name: str, value: Any, _: str) -> Any:
    _integer(name, value, _)
    if value < 1:
        raise ValueError(f"{name} must be an int >= 1, not {value!r}")
    return value


def _top_logprobs(name: str, value: Any, _: str) -> Any:
    _integer(name, value, _)
    if not 0 <= value <= 20:
        raise ValueError(f"{name} must be an int from 0 to 20, not {value!r}")
    return value


def _logit_bias(name: str, value: Any, _: str) -> Any:
    """Token ids (int or str of digits) to a bias from -100 to 100; sent with str keys, as JSON needs."""
    pairs: list[tuple[object, Any]] = list(_mapping(name, value).items())
    result: dict[str, Any] = {}
    for token_id, bias in pairs:
        if isinstance(token_id, bool) or not (
            isinstance(token_id, int) or (isinstance(token_id, str) and token_id.isascii() and token_id.isdigit())
        ):
            raise TypeError(f"{name} keys must be token ids (int or a str of digits), not {token_id!r}")
        _number(f"{name}[{token_id!r}]", bias, _)
        if not -100 <= bias <= 100:
            raise ValueError(f"{name}[{token_id!r}] must be from -100 to 100, not {bias!r}")
        result[str(token_id)] = bias
    return result


def _stream_options(name: str, value: Any, _: str) -> Any:
    options = dict(_mapping(name, value))
    if "include_usage" in options and not isinstance(options["include_usage"], bool):
        raise TypeError(f"{name}['include_usage'] must be a bool")
    return options


def _string(name: str, value: Any, _: str) -> Any:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    return value


def _mapping(name: str, value: Any) -> Mapping[str, Any]:
    mapping = as_mapping(value)
    if mapping is None:
        raise TypeError(f"{name} must be a model or a dict, not {type(value).__name__}")
    return mapping


def _string_list(name: str, value: Any, _: str) -> Any:
    if isinstance(value, str):
        return [value]
    items = as_sequence(value)
    if not items or not all(isinstance(v, str) for v in items):
        raise TypeError(f"{name} must be a non-empty list of str")
    return list(items)


_ROLES = ("system", "developer", "user", "assistant", "tool")
# `audio_input` is the spelling of the REST specification's 2024-05-01-preview examples.
_CONTENT_TYPES = ("text", "image_url", "input_audio", "audio_input")


def _messages(name: str, value: Any, _: str) -> Any:
    messages = as_sequence(value)
    if messages is None:
        raise TypeError(f"{name} must be a list of chat messages (SystemMessage, UserMessage, ... or dicts)")
    if not messages:
        raise ValueError(f"{name} must hold at least one message")
    wire: list[Any] = []
    for i, item in enumerate(messages):
        where = f"{name}[{i}]"
        item = _wire_form(item)  # a model's own dict, read without the model's mapping methods
        message = as_mapping(item)
        if message is None:
            raise TypeError(f"{where} must be a chat message or a dict, not {type(item).__name__}")
        role = message.get("role")
        if role not in _ROLES:
            raise ValueError(f"{where} has role {role!r}; expected one of {', '.join(_ROLES)}")
        content = message.get("content")
        if role == "user":
            _user_content(f"{where}.content", content)
        elif role == "tool":
            if not isinstance(message.get("tool_call_id"), str):
                raise TypeError(f"{where} is a tool message and needs a str tool_call_id")
        elif role == "assistant":
            if content is not None and not isinstance(content, str):
                raise TypeError(f"{where}.content must be a str")
        elif not isinstance(content, str):
            raise TypeError(f"{where}.content must be a str, not {type(content).__name__}")
        wire.append(item)
    return wire


def _wire_form(item: Any) -> Any:
    """A message as the body's encoder writes it: a model's own dict (which the encoder would copy, key by key,
    through the model's mapping methods) or the item itself."""
    data: Any = getattr(item, "_data", None) if getattr(item, "_is_model", False) else None
    if type(data) is dict:  # pyright: ignore[reportUnknownArgumentType]
        return cast("dict[str, Any]", data)
    return item


def _user_content(where: str, content: Any) -> None:
    if isinstance(content, str):
        return
    items = as_sequence(content)
    if items:
        for j, value in enumerate(items):
            item = as_mapping(value)
            if item is None or item.get("type") not in _CONTENT_TYPES:
                raise TypeError(
                    f"{where}[{j}] must be a content item (TextContentItem, ImageContentItem, ...) "
                    f"with a type of {', '.join(_CONTENT_TYPES)}"
                )
        return
    raise TypeError(f"{where} must be a str or a non-empty list of content items")


def _response_format(name: str, value: Any, api_version: str) -> Any:
    """Send response_format in the form the api-version expects; a dict passes through unchanged."""
    if isinstance(value, str):
        if api_version == _FIRST_VERSION:
            return value
        return {"type": value}
    body = _mapping(name, value)
    if "type" in body:
        return body
    # A JsonSchemaFormat (name, schema, ...) given on its own.
    if "name" in body and "schema" in body:
        return {"type": "json_schema", "json_schema": body}
    raise ValueError(f"{name} must be 'text', 'json_object', a JsonSchemaFormat or a dict with a 'type'")


def _tools(name: str, value: Any, _: str) -> Any:
    tools = as_sequence(value)
    if tools is None:
        raise TypeError(f"{name} must be a list of ChatCompletionsToolDefinition or dicts")
    for i, tool in enumerate(tools):
        function = as_mapping(_mapping(f"{name}[{i}]", tool).get("function"))
        if function is None or not isinstance(function.get("name"), str):
            raise ValueError(f"{name}[{i}] must have a function with a str name")
    return value


def _tool_choice(name: str, value: Any, _: str) -> Any:
    if isinstance(value, str):
        return value
    function = as_mapping(_mapping(name, value).get("function"))
    if function is None or not isinstance(function.get("name"), str):
        raise ValueError(f"{name} must be 'auto', 'none', 'required' or a named function choice")
    return value


_SIZE = re.compile(r"([1-9][0-9]{0,5})x([1-9][0-9]{0,5})")


def _image_size(name: str, value: Any, _: str) -> Any:
    pair = as_sequence(value)
    if isinstance(value, tuple) and pair is not None and len(pair) == 2 and all(type(v) is int and v > 0 for v in pair):
        return f"{pair[0]}x{pair[1]}"
    if isinstance(value, str) and _SIZE.fullmatch(value):
        return value
    raise ValueError(f"{name} must be '<width>x<height>' such as '1024x768', or a (width, height) tuple; got {value!r}")


def _image_inputs(name: str, value: Any, _: str) -> Any:
    items = as_sequence(value)
    if not items:
        raise TypeError(f"{name} must be a non-empty list of ImageEmbeddingInput (or dicts with an 'image' data URL)")
    for i, item in enumerate(items):
        image = _mapping(f"{name}[{i}]", item)
        if not isinstance(image.get("image"), str):
            raise TypeError(f"{name}[{i}] must have an 'image' str, a data URL such as 'data:image/png;base64,...'")
        if image.get("text") is not None and not isinstance(image.get("text"), str):
            raise TypeError(f"{name}[{i}].text must be a str")
    return list(items)


def _dimensions(name: str, value: Any, api_version: str) -> Any:
    _integer(name, value, api_version)
    if value <= 0:
        raise ValueError(f"{name} must be a positive int")
    return value


# The body fields of each operation, with the check and wire conversion of each argument.
CHAT_FIELDS: dict[str, Check] = {
    "messages": _messages,
    "frequency_penalty": _number,
    "presence_penalty": _number,
    "temperature": _number,
    "top_p": _number,
    "max_tokens": _integer,
    "stop": _string_list,
    "seed": _integer,
    "model": _string,
    "response_format": _response_format,
    "tools": _tools,
    "tool_choice": _tool_choice,
    "max_completion_tokens": _non_negative,
    "reasoning_effort": _string,
    "parallel_tool_calls": _boolean,
    "n": _choice_count,
    "user": _string,
    "logprobs": _boolean,
    "top_logprobs": _top_logprobs,
    "logit_bias": _logit_bias,
    "stream_options": _stream_options,
}
# OpenAI's parameters that the Azure AI Model Inference API does not define: on its endpoints they are sent
# with the `extra-parameters` header, as model_extras are, so that the service passes them on to the model.
OPENAI_FIELDS = frozenset(
    {
        "max_completion_tokens",
        "reasoning_effort",
        "parallel_tool_calls",
        "n",
        "user",
        "logprobs",
        "top_logprobs",
        "logit_bias",
    }
)
EMBEDDINGS_FIELDS: dict[str, Check] = {
    "input": _string_list,
    "dimensions": _dimensions,
    "encoding_format": _string,
    "input_type": _string,
    "model": _string,
    "user": _string,
}
IMAGE_EMBEDDINGS_FIELDS: dict[str, Check] = {**EMBEDDINGS_FIELDS, "input": _image_inputs}
IMAGE_FIELDS: dict[str, Check] = {
    "prompt": _string,
    "size": _image_size,
    "quality": _string,
    "response_format": _string,
    "seed": _integer,
    "model": _string,
}


def collect_defaults(fields: Mapping[str, Check], values: Mapping[str, Any], api_version: str) -> dict[str, Any]:
    """Check the sticky defaults given to a client constructor; returns only the ones given."""
    return {k: fields[k](k, v, api_version) for k, v in values.items() if v is not None}


_LATER_FIELDS = OPENAI_FIELDS | {"stream_options"}


def check_model_extras(model_extras: Any, fields: Mapping[str, Check]) -> Optional[dict[str, Any]]:
    if model_extras is None:
        return None
    extras = dict(_mapping("model_extras", model_extras))
    keys: list[object] = list(extras)
    if not all(isinstance(k, str) for k in keys):
        raise TypeError("model_extras keys must be str")
    # OpenAI's fields may come in model_extras too, as they had to before they were named arguments.
    clash = sorted(k for k in extras if (k in fields and k not in _LATER_FIELDS) or k == "stream")
    if clash:
        raise ValueError(f"model_extras must not repeat named arguments: {', '.join(clash)}; pass them directly")
    return extras


def build_body(
    fields: Mapping[str, Check],
    defaults: Mapping[str, Any],
    given: Mapping[str, Any],
    api_version: str,
    required: Sequence[str],
) -> dict[str, Any]:
    """Merge the client defaults with this call's arguments (None means "not given"), checking each."""
    body = dict(defaults)
    for name, value in given.items():
        if value is not None:
            body[name] = fields[name](name, value, api_version)
    for name in required:
        if name not in body:
            raise TypeError(f"missing required keyword argument: {name!r}")
    return body


def encode_body(body: Mapping[str, Any], extras: Optional[Mapping[str, Any]] = None, *, stream: bool = False) -> bytes:
    """The JSON bytes of a request body, with `extras` merged in and `stream: true` for a streamed call."""
    payload = dict(body)
    if extras:
        payload.update(extras)
    if stream:
        payload["stream"] = True
    try:
        return _ENCODER.encode(payload).encode()
    except ValueError as exc:  # NaN or infinity, which only model_extras or a whole body can bring
        where = "model_extras" if extras else "body"
        raise ValueError(f"{where} holds a value JSON cannot carry (NaN or infinity): {exc}") from None


def body_from_mapping(body: Any, stream: bool) -> dict[str, Any]:
    """A request body given whole, as a dict or model: sent as it is, apart from `stream`."""
    payload = dict(_mapping("body", body))
    if stream:
        payload["stream"] = True
    else:
        payload.pop("stream", None)
    return payload
