# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""The request side of the sans-IO core, shared by the sync and async clients.

Strategy: everything a client call does before the network, as plain functions over plain values.
This module resolves endpoints, routes and api-versions, checks arguments, merges client defaults
with per-call values and builds the `HttpRequest`. It sends nothing and awaits nothing; the public
clients in `_patch.py` and `aio/_patch.py` only call these functions and run the pipeline.

Rules kept here:
- a bad argument fails with `TypeError`/`ValueError` naming it, before any network call;
- optional fields that were not given are absent from the body, never `null`;
- unknown keyword arguments never reach the transport.
"""

from __future__ import annotations

import math
import re
import time
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any, Callable, NamedTuple, Optional
from urllib.parse import urlsplit

from azure.core.credentials import AzureKeyCredential
from azure.core.exceptions import ResourceNotFoundError
from azure.core.rest import HttpRequest

from ._json import as_mapping, as_sequence
from ._credentials import KeyCredentialPolicy, check_blocked_headers, check_endpoint_security, check_key
from ._policies import DEFAULT_RETRY_AFTER_MAX, OWN_RETRY_POLICIES, check_retry_after_max, logging_policies
from ._bodies import check_max_response_bytes, check_seconds
from ._sse import DEFAULT_MAX_EVENT_SIZE
from ._utils.model_base import SdkJSONEncoder

__all__: list[str] = []

IMAGE_EMBEDDINGS_API_VERSION = "2024-05-01-preview"  # the first api-version with /images/embeddings

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


def check_options(kwargs: Mapping[str, Any], allowed: frozenset[str], method: str) -> None:
    """Raise TypeError for keyword arguments that neither the method nor azure-core's pipeline knows,
    and for a `headers` that is not a mapping of str to str."""
    headers = kwargs.get("headers")
    if headers is not None:
        mapping = as_mapping(headers)
        pairs: list[tuple[object, object]] = list(mapping.items()) if mapping is not None else []
        if mapping is None or not all(isinstance(k, str) and isinstance(v, str) for k, v in pairs):
            raise TypeError(f"{method}(): headers must be a dict of str header names to str values")
    unknown = [name for name in kwargs if name not in allowed]
    if unknown:
        names = ", ".join(repr(n) for n in sorted(unknown))
        raise TypeError(
            f"{method}() got unexpected keyword argument(s) {names}. To send extra fields in the request body, "
            "pass them in model_extras={...}."
        )


# ---------------------------------------------------------------------------------------------- endpoints


class Routes(NamedTuple):
    """The paths of one endpoint and api-version; None where the endpoint has no such route."""

    chat: str
    embeddings: str
    images: Optional[str]
    info: Optional[str]
    extras_allow: str  # the `extra-parameters` value that passes extra body fields to the model
    image_embeddings: Optional[str] = None


_CONTROL = re.compile(r"[\x00-\x20\x7f]")


def _unsafe_character(text: str) -> bool:
    """True for ASCII controls and spaces, and any Unicode space, separator or control character."""
    if _CONTROL.search(text):
        return True
    return any(ord(c) > 0x7E and (c.isspace() or unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp")) for c in text)


def normalize_endpoint(endpoint: Any) -> str:
    """Check an endpoint URL and return it with a lower-case scheme and without a trailing slash."""
    if not isinstance(endpoint, str):
        raise TypeError(f"endpoint must be a str URL, not {type(endpoint).__name__}")
    if _unsafe_character(endpoint):
        raise ValueError("endpoint must not contain spaces or control characters")
    scheme, sep, rest = endpoint.partition("://")
    if not sep or scheme.lower() not in ("http", "https"):
        raise ValueError(f"endpoint must start with https:// or http://, got {endpoint[:100]!r}")
    authority = rest.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    if "@" in authority:
        raise ValueError(
            "endpoint must not contain a user name or password (user:password@host); pass a credential instead"
        )
    if not authority or authority.startswith(":"):
        raise ValueError(f"endpoint has no host name: {endpoint[:100]!r}")
    if "?" in rest or "#" in rest:
        raise ValueError("endpoint must not contain a query or fragment; pass api_version= instead")
    _check_host_and_port(authority)
    return scheme.lower() + "://" + rest.rstrip("/")


def _check_host_and_port(authority: str) -> None:
    """ValueError for a host or port no request could use: `h:99999`, `h:abc`, `h:0`, `[::1` and the like."""
    problem = f"endpoint has a malformed host or port {authority[:100]!r}: expected host, host:port or [IPv6]:port "
    problem += "with a port from 1 to 65535"
    try:
        parts = urlsplit("//" + authority)
        host, port = parts.hostname, parts.port
    except ValueError:
        raise ValueError(problem) from None
    after_brackets = authority.partition("]")[2] if authority.startswith("[") else ""
    if not host or port == 0 or (after_brackets and not re.fullmatch(r":[0-9]*", after_brackets)):
        raise ValueError(problem)


class _DefaultApiVersion(str):
    """The type of `DEFAULT_API_VERSION`, so that the default can be told apart from the same text given on purpose:
    endpoints of the Azure OpenAI v1 API and GitHub Models take no api-version unless one is given."""


DEFAULT_API_VERSION: str = _DefaultApiVersion(_FIRST_VERSION)


class EndpointShape(NamedTuple):
    """One endpoint shape, as `endpoint_shape` resolves it for an endpoint and api-version."""

    name: str  # serverless | models | azure-openai | azure-openai-v1 | github-models | openai-compatible
    label: str  # for messages: "Azure OpenAI v1 endpoints", ...
    routes: Routes
    api_version: Optional[str]  # the api-version query sent; None sends none
    model_required: bool  # the body must name the model (the deployment on the v1 API)
    token_scope: str  # the default scope for token credentials
    model_inference: bool  # the Azure AI Model Inference API: fields outside its spec need `extra-parameters`


_AI_SCOPE = "https://ai.azure.com/.default"
_OPENAI_SCOPE = "https://cognitiveservices.azure.com/.default"
_ML_SCOPE = "https://ml.azure.com/.default"

# The route sets. Azure OpenAI, GitHub Models and OpenAI-compatible base URLs serve OpenAI's routes; none has /info.
_ROUTES_2024_04 = Routes("/v1/chat/completions", "/v1/embeddings", "/images/generations", "/info", "allow")
_ROUTES_LATER = Routes("/chat/completions", "/embeddings", None, "/info", "pass-through", "/images/embeddings")
_ROUTES_OPENAI = Routes("/chat/completions", "/embeddings", "/images/generations", None, "pass-through")
_ROUTES_GITHUB = Routes("/chat/completions", "/embeddings", None, None, "pass-through")
_ROUTES_OPENAI_COMPATIBLE = Routes(
    "/v1/chat/completions", "/v1/embeddings", "/v1/images/generations", "/info", "pass-through"
)

_GITHUB_HOSTS = ("models.github.ai",)


def _url_path(endpoint: str) -> tuple[str, str]:
    """The lower-case host name and path of a normalized endpoint."""
    rest = endpoint.split("://", 1)[1]
    authority, _, path = rest.partition("/")
    host = authority.rsplit("@", 1)[-1]
    host = host.split("]")[0] + "]" if host.startswith("[") else host.split(":")[0]
    return host.lower(), "/" + path.lower()


def endpoint_shape(endpoint: str, api_version: Optional[str]) -> EndpointShape:
    """Which endpoint shape a (normalized) endpoint and api-version are: its routes, the api-version query it
    gets, whether the body must name the model, and the default token scope. The one place these are decided.

    `api_version` is what the caller gave: `DEFAULT_API_VERSION` itself when they gave none, None for "send none".
    """
    host, path = _url_path(endpoint)
    given = None if api_version is DEFAULT_API_VERSION else api_version
    if path.endswith("/openai/v1"):
        return EndpointShape(
            "azure-openai-v1", "Azure OpenAI v1 endpoints", _ROUTES_OPENAI, given, True, _AI_SCOPE, False
        )
    if "/openai/deployments/" in path:
        return EndpointShape(
            "azure-openai", "Azure OpenAI deployments", _ROUTES_OPENAI, api_version, False, _OPENAI_SCOPE, False
        )
    if host in _GITHUB_HOSTS or path.endswith("/inference"):
        return EndpointShape("github-models", "GitHub Models endpoints", _ROUTES_GITHUB, given, True, _ML_SCOPE, False)
    if path.endswith("/v1"):  # an OpenAI-style base URL, as given to OpenAI's own clients
        return EndpointShape(
            "openai-compatible", "OpenAI-compatible endpoints", _ROUTES_OPENAI, api_version, False, _ML_SCOPE, False
        )
    if api_version is None:
        return EndpointShape(
            "openai-compatible", "OpenAI-compatible endpoints", _ROUTES_OPENAI_COMPATIBLE, None, False, _ML_SCOPE, False
        )
    name = "models" if path.endswith("/models") else "serverless"
    routes = _ROUTES_2024_04 if api_version == _FIRST_VERSION else _ROUTES_LATER
    return EndpointShape(name, "Azure AI Model Inference endpoints", routes, api_version, False, _ML_SCOPE, True)


def check_api_version(api_version: Any) -> Optional[str]:
    """A dated api-version, `preview` (the Azure OpenAI v1 API's preview features), or None to send none."""
    if api_version is None:
        return None
    if not isinstance(api_version, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}(-preview)?|preview", api_version):
        raise ValueError(
            "api_version must look like '2024-04-01-preview' or '2025-04-01', be 'preview' (Azure OpenAI v1), "
            f"or be None to send no api-version; got {api_version!r}"
        )
    return api_version


def not_found_hint(shape: EndpointShape, path: str) -> str:
    """A sentence on the likely cause of a 404, for the exception message."""
    api_version = shape.api_version
    if path.endswith("/info"):
        return (
            f"This endpoint does not serve {path}: Azure OpenAI, Foundry /models and OpenAI-compatible endpoints "
            "often have no model info route. The other operations may still work."
        )
    if shape.name == "azure-openai-v1":
        return (
            "Check that model= names a deployment of this resource: the v1 API takes the deployment name as the "
            "model. The endpoint looks like https://<resource>.openai.azure.com/openai/v1."
        )
    if shape.name == "azure-openai":
        return (
            "Check the deployment name in the endpoint and that api_version is an Azure OpenAI version "
            "such as '2024-10-21'."
        )
    if shape.name == "github-models":
        return "Check the model id: GitHub Models names models as publisher/name, such as 'openai/gpt-4.1'."
    if shape.name == "openai-compatible":
        return (
            f"The server does not serve {path}. An OpenAI-compatible server usually serves /v1/chat/completions: "
            "give its base URL without /v1 and api_version=None, or with /v1."
        )
    if shape.name == "models" and api_version == _FIRST_VERSION:
        return "Foundry '/models' endpoints need api_version='2024-05-01-preview' or later."
    if api_version == _FIRST_VERSION:
        return (
            f"api-version {api_version} uses {path}; if the endpoint serves the later routes "
            "(/chat/completions, /embeddings), pass api_version='2024-05-01-preview'."
        )
    return (
        f"api-version {api_version} uses {path}; if the endpoint serves the /v1 routes, "
        "pass api_version='2024-04-01-preview' (the default)."
    )


# ---------------------------------------------------------------------------------------------- arguments

_Check = Callable[[str, Any, str], Any]


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
    for i, item in enumerate(messages):
        where = f"{name}[{i}]"
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
    return value


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
CHAT_FIELDS: dict[str, _Check] = {
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
EMBEDDINGS_FIELDS: dict[str, _Check] = {
    "input": _string_list,
    "dimensions": _dimensions,
    "encoding_format": _string,
    "input_type": _string,
    "model": _string,
    "user": _string,
}
IMAGE_EMBEDDINGS_FIELDS: dict[str, _Check] = {**EMBEDDINGS_FIELDS, "input": _image_inputs}
IMAGE_FIELDS: dict[str, _Check] = {
    "prompt": _string,
    "size": _image_size,
    "quality": _string,
    "response_format": _string,
    "seed": _integer,
    "model": _string,
}


def collect_defaults(fields: Mapping[str, _Check], values: Mapping[str, Any], api_version: str) -> dict[str, Any]:
    """Check the sticky defaults given to a client constructor; returns only the ones given."""
    return {k: fields[k](k, v, api_version) for k, v in values.items() if v is not None}


_LATER_FIELDS = OPENAI_FIELDS | {"stream_options"}


def check_model_extras(model_extras: Any, fields: Mapping[str, _Check]) -> Optional[dict[str, Any]]:
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
    fields: Mapping[str, _Check],
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


def build_request(
    endpoint: str,
    path: str,
    api_version: Optional[str],
    body: Optional[Mapping[str, Any]],
    extras: Optional[Mapping[str, Any]],
    extras_allow: Optional[str],
    stream: bool = False,
) -> HttpRequest:
    """The HttpRequest of one call: URL, api-version (none when None), headers and the JSON body.

    `extras_allow` is the `extra-parameters` header value, sent when `extras` are merged into the body or when
    it is given without extras (for fields outside the Model Inference spec)."""
    headers = {"Accept": "text/event-stream" if stream else "application/json"}
    content: Optional[bytes] = None
    if body is not None:
        payload = dict(body)
        if extras:
            payload.update(extras)
        if extras_allow:
            headers["extra-parameters"] = extras_allow
        if stream:
            payload["stream"] = True
        try:
            text = _ENCODER.encode(payload)
        except ValueError as exc:  # NaN or infinity, which only model_extras or a whole body can bring
            where = "model_extras" if extras else "body"
            raise ValueError(f"{where} holds a value JSON cannot carry (NaN or infinity): {exc}") from None
        content = text.encode()
        headers["Content-Type"] = "application/json"
    return HttpRequest(
        "POST" if body is not None else "GET",
        endpoint + path,
        params={"api-version": api_version} if api_version is not None else None,
        headers=headers,
        content=content,
    )


def body_from_mapping(body: Any, stream: bool) -> dict[str, Any]:
    """A request body given whole, as a dict or model: sent as it is, apart from `stream`."""
    payload = dict(_mapping("body", body))
    if stream:
        payload["stream"] = True
    else:
        payload.pop("stream", None)
    return payload


# ---------------------------------------------------------------------------------------------- clients

_NEEDS_OUR_TRANSPORT = (
    "{name} needs the clients' own transports (the default ones, Urllib3Transport or aio's AioHttpTransport); "
    "a transport= of another kind reads answers as it was built to"
)


class ClientSettings:
    """What one client knows after construction: endpoint, its shape (routes, api-version), defaults and extras."""

    def __init__(
        self,
        name: str,
        endpoint: Any,
        credential: Any,
        api_version: Any,
        fields: Mapping[str, _Check],
        defaults: Mapping[str, Any],
        model_extras: Any,
        kwargs: dict[str, Any],
        retry_policy_type: Any,
        transport_type: Any,
        token_policy_type: Any,
        redirect_policy_type: Any,
    ) -> None:
        check_options(kwargs, CONSTRUCTOR_OPTIONS, name)
        self.endpoint = normalize_endpoint(endpoint)
        self.shape = endpoint_shape(self.endpoint, check_api_version(api_version))
        self.api_version = self.shape.api_version
        self.routes = self.shape.routes
        # The api-version the body's form follows (response_format as a string in 2024-04); "" for the others.
        self.body_version = (self.api_version or "") if self.shape.model_inference else ""
        self.fields = fields
        self.defaults = collect_defaults(fields, defaults, self.body_version)
        self.extras = check_model_extras(model_extras, fields)
        is_key = isinstance(credential, AzureKeyCredential)
        if not is_key and not (hasattr(credential, "get_token") or hasattr(credential, "get_token_info")):
            raise TypeError(
                "credential must be an AzureKeyCredential or a token credential (an object with get_token), "
                f"not {type(credential).__name__}"
            )
        # Credentials go only to the endpoint's origin, and over http only to a loopback host (see `_credentials`).
        origin = check_endpoint_security(self.endpoint, kwargs.pop("enforce_https", True), "key" if is_key else "token")
        check_blocked_headers(kwargs.get("blocked_redirect_headers"))
        if is_key:
            check_key(credential.key)
            kwargs.setdefault("authentication_policy", KeyCredentialPolicy(credential, origin))
        else:
            if "credential_scopes" not in kwargs:
                kwargs["credential_scopes"] = [self.shape.token_scope]
            if "authentication_policy" not in kwargs:
                kwargs["authentication_policy"] = token_policy_type(
                    credential, *kwargs["credential_scopes"], origin=origin, **kwargs
                )
        logging_policies(kwargs)
        if "redirect_policy" not in kwargs:
            kwargs["redirect_policy"] = redirect_policy_type(**kwargs)
        retry_after_max = check_retry_after_max(kwargs.pop("retry_after_max", DEFAULT_RETRY_AFTER_MAX))
        if "retry_policy" not in kwargs:
            kwargs["retry_policy"] = retry_policy_type(retry_after_max=retry_after_max, **kwargs)
        # Whether the per-call keywords of our own policies and transports can be passed on.
        self.own_retry_policy = isinstance(kwargs["retry_policy"], OWN_RETRY_POLICIES)
        # Bounds of each answer: the size of a body, the time a call (`timeout`) and a stream may take.
        limit = kwargs.pop("max_response_bytes", None)
        self.max_response_bytes = None if limit is None else check_max_response_bytes(limit)
        self.timeout = check_seconds("timeout", kwargs.get("timeout"))
        self.stream_timeout = check_seconds("stream_timeout", kwargs.pop("stream_timeout", None))
        if "transport" not in kwargs:  # one transport, shared by the generated pipeline and ours
            if self.max_response_bytes is not None:
                kwargs["max_response_bytes"] = self.max_response_bytes
            kwargs["transport"] = transport_type(**kwargs)
            kwargs.pop("max_response_bytes", None)
        # Our transports take those bounds per call; a transport of your own reads as it was built to.
        self.bounded_transport = bool(getattr(kwargs["transport"], "accepts_call_limits", False))
        if not self.bounded_transport and (self.max_response_bytes is not None or self.stream_timeout is not None):
            raise TypeError(_NEEDS_OUR_TRANSPORT.format(name="max_response_bytes or stream_timeout"))

    def request(
        self,
        path: Optional[str],
        operation: str,
        body: Any,
        given: Mapping[str, Any],
        model_extras: Any,
        required: Sequence[str],
        stream: bool = False,
    ) -> HttpRequest:
        """Check a call's arguments and build its request; a `body` given whole is sent as it is."""
        shape = self.shape
        if path is None:
            version = f"api_version {self.api_version!r}" if shape.model_inference else shape.label
            raise ValueError(f"{operation} is not available with {version} on this endpoint")
        if body is not None:
            if any(v is not None for v in given.values()) or model_extras is not None:
                raise TypeError(f"{operation}() takes either a body or keyword arguments, not both")
            payload = body_from_mapping(body, stream)
            self._check_model(payload)
            return build_request(self.endpoint, path, self.api_version, payload, None, None, stream)
        payload = build_body(self.fields, self.defaults, given, self.body_version, required)
        if not stream:
            payload.pop("stream_options", None)  # a client default that applies to streamed calls only
        self._check_model(payload)
        extras = self.extras
        call_extras = check_model_extras(model_extras, self.fields)
        if call_extras:
            extras = {**(extras or {}), **call_extras}
        twice = sorted(k for k in extras or () if k in payload)
        if twice:
            raise ValueError(f"model_extras must not repeat named arguments: {', '.join(twice)}; pass them once")
        allow = None
        if extras or (shape.model_inference and not OPENAI_FIELDS.isdisjoint(payload)):
            allow = self.routes.extras_allow
        return build_request(self.endpoint, path, self.api_version, payload, extras, allow, stream)

    def _check_model(self, payload: Mapping[str, Any]) -> None:
        if self.shape.model_required and not isinstance(payload.get("model"), str):
            what = "the deployment name" if self.shape.name == "azure-openai-v1" else "the model id"
            raise TypeError(
                f"missing required keyword argument: 'model'. {self.shape.label} need {what} in the request: "
                "pass model=... to the client or to the call"
            )

    def call_options(self, kwargs: dict[str, Any], stream: bool = False) -> dict[str, Any]:
        """A call's azure-core keywords, checked (bad values raise before any network call), with the bounds our
        transports enforce: `max_response_bytes`, and the `deadline` and `stream_deadline` (monotonic clock)
        that `timeout` and `stream_timeout` set from now."""
        if "retry_after_max" in kwargs:
            if not self.own_retry_policy:
                raise TypeError("retry_after_max needs the clients' own retry policy, not a retry_policy= of your own")
            check_retry_after_max(kwargs["retry_after_max"])
        timeout = check_seconds("timeout", kwargs["timeout"]) if "timeout" in kwargs else self.timeout
        stream_timeout = self.stream_timeout
        if "stream_timeout" in kwargs:
            stream_timeout = check_seconds("stream_timeout", kwargs.pop("stream_timeout"))
        limit = self.max_response_bytes
        if "max_response_bytes" in kwargs:
            limit = check_max_response_bytes(kwargs["max_response_bytes"])
        if not self.bounded_transport:
            if stream_timeout is not None or "max_response_bytes" in kwargs:
                raise TypeError(_NEEDS_OUR_TRANSPORT.format(name="max_response_bytes or stream_timeout"))
            return kwargs
        now = time.monotonic()
        if limit is not None:
            kwargs["max_response_bytes"] = limit
        if timeout is not None:
            kwargs["deadline"] = now + timeout
        if stream and stream_timeout is not None:
            kwargs["stream_deadline"] = now + stream_timeout
        return kwargs

    def max_event_size(self, kwargs: Mapping[str, Any]) -> int:
        """The bound on one event of a stream: `max_response_bytes` when given, else the SSE decoder's 16 MiB."""
        limit: Optional[int] = kwargs.get("max_response_bytes", self.max_response_bytes)
        return limit or DEFAULT_MAX_EVENT_SIZE

    def info_request(self) -> HttpRequest:
        if self.routes.info is None:
            raise ResourceNotFoundError(
                f"This endpoint has no model info route: {self.shape.label} do not serve /info. "
                "The other operations work without it."
            )
        return build_request(self.endpoint, self.routes.info, self.api_version, None, None, None)


def given_arguments(fields: Mapping[str, _Check], arguments: Mapping[str, Any]) -> dict[str, Any]:
    """The arguments of a call that are body fields (from the method's `locals()`)."""
    return {k: v for k, v in arguments.items() if k in fields}
