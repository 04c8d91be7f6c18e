# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""Endpoint shapes, sans-IO: which shape an endpoint URL and api-version are (routes, api-version query, required
model, token scope), the hint a 404 gets, and the request of each operation, built by the request builder that
the spec generated for it (method, path, api-version query, headers).

The paths themselves live in the spec (`spec/main.tsp`); this module only chooses, for each shape, which
operations it serves and the `versionPath` segment (`v1/` or empty) the builders put in front of the route.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, NamedTuple, Optional
from urllib.parse import urlsplit

from azure.core.rest import HttpRequest

from .._operations._operations import (
    build_chat_completions_create_request,
    build_chat_completions_get_model_info_request,
    build_embeddings_create_request,
    build_image_embeddings_create_request,
    build_image_generation_create_request,
)

__all__: list[str] = []

IMAGE_EMBEDDINGS_API_VERSION = "2024-05-01-preview"  # the first api-version with /images/embeddings
_FIRST_VERSION = "2024-04-01-preview"


class Routes(NamedTuple):
    """Which operations an endpoint shape serves: for chat, embeddings and images the `versionPath` the spec puts
    in front of the route (`"v1/"` or `""`), None where the shape does not serve it."""

    chat: Optional[str]
    embeddings: Optional[str]
    images: Optional[str]
    info: bool
    extras_allow: str  # the `extra-parameters` value that passes extra body fields to the model
    image_embeddings: bool = False


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

# What each shape serves. Azure OpenAI, GitHub Models and OpenAI-compatible base URLs serve OpenAI's routes after
# their own path, and none has /info; an OpenAI-compatible server given without /v1 serves them under /v1/.
_ROUTES_2024_04 = Routes("v1/", "v1/", "", True, "allow")
_ROUTES_LATER = Routes("", "", None, True, "pass-through", image_embeddings=True)
_ROUTES_OPENAI = Routes("", "", "", False, "pass-through")
_ROUTES_GITHUB = Routes("", "", None, False, "pass-through")
_ROUTES_OPENAI_COMPATIBLE = Routes("v1/", "v1/", "v1/", True, "pass-through")

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


# ---------------------------------------------------------------------------------------------- requests

_JSON = "application/json"
_EVENT_STREAM = "text/event-stream"


def operation_request(
    endpoint: str,
    shape: EndpointShape,
    operation: str,
    *,
    content: Optional[bytes] = None,
    stream: bool = False,
    extra_params: Optional[str] = None,
) -> HttpRequest:
    """The request of one operation (`chat`, `embeddings`, `images`, `image_embeddings` or `info`) on a shape,
    made by the operation's generated request builder and addressed to the endpoint. The caller has checked that
    the shape serves it (`served`)."""
    routes = shape.routes
    headers = {"Accept": _EVENT_STREAM if stream else _JSON}
    options: dict[str, Any] = {"api_version": shape.api_version, "headers": headers}
    if operation == "info":
        # The builders of get_model_info are the same for every client; the chat client's serves them all.
        request = build_chat_completions_get_model_info_request(**options)
    else:
        options.update(content=content, content_type=_JSON, extra_params=extra_params)
        if operation == "chat":
            request = build_chat_completions_create_request(_version_path(routes.chat), **options)
        elif operation == "embeddings":
            request = build_embeddings_create_request(_version_path(routes.embeddings), **options)
        elif operation == "images":
            request = build_image_generation_create_request(_version_path(routes.images), **options)
        else:
            request = build_image_embeddings_create_request(**options)
    request.url = endpoint + request.url
    return request


def served(shape: EndpointShape, operation: str) -> bool:
    """Whether the shape serves the operation."""
    value = getattr(shape.routes, operation)
    return value is not None and value is not False


def _version_path(value: Optional[str]) -> str:
    if value is None:  # pragma: no cover - `served` is checked first
        raise ValueError("the endpoint does not serve this operation")
    return value
