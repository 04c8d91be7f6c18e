# The wire rules shared by every operation: api-versions and their route sets, endpoint shapes
# (serverless, Foundry `/models`, Azure OpenAI deployments, the Azure OpenAI v1 API, GitHub Models and an
# OpenAI-compatible server), authentication and the extra-parameters header.
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .errors import INVALID_INPUT, ApiError, invalid

__all__ = [
    "V2024_04",
    "LATER_VERSIONS",
    "API_VERSIONS",
    "ROUTES",
    "KNOWN_FIELDS",
    "Route",
    "resolve_route",
    "check_auth",
    "extra_parameters_mode",
    "split_extras",
    "reject_nulls",
    "TOKEN_PREFIX",
    "OPENAI_SHAPES",
]

V2024_04 = "2024-04-01-preview"
LATER_VERSIONS = ("2024-05-01-preview", "2025-04-01")
API_VERSIONS = (V2024_04, *LATER_VERSIONS)

# Bearer tokens starting with this prefix are accepted as Entra ID tokens.
TOKEN_PREFIX = "emulator-token"

_LATER_ROUTES: dict[str, tuple[str, str]] = {
    "/chat/completions": ("POST", "chat"),
    "/embeddings": ("POST", "embeddings"),
    "/images/embeddings": ("POST", "image_embeddings"),
    "/info": ("GET", "info"),
}
# path -> (method, operation), per api-version.
ROUTES: dict[str, dict[str, tuple[str, str]]] = {
    V2024_04: {
        "/v1/chat/completions": ("POST", "chat"),
        "/v1/embeddings": ("POST", "embeddings"),
        "/images/generations": ("POST", "images"),
        "/info": ("GET", "info"),
    },
    **{version: _LATER_ROUTES for version in LATER_VERSIONS},
}
_ALL_PATHS = {path for routes in ROUTES.values() for path in routes}

_COMMON_CHAT = (
    "messages frequency_penalty presence_penalty temperature top_p max_tokens stop seed model stream "
    "response_format tools tool_choice stream_options"
)
# Top-level body fields each operation knows; anything else is an "extra parameter".
KNOWN_FIELDS: dict[str, frozenset[str]] = {
    "chat": frozenset(_COMMON_CHAT.split()),
    "embeddings": frozenset("input dimensions encoding_format input_type model".split()),
    "image_embeddings": frozenset("input dimensions encoding_format input_type model".split()),
    "images": frozenset("prompt size quality response_format seed model".split()),
}
# OpenAI's standard fields, which the OpenAI-style shapes know as well.
OPENAI_FIELDS: dict[str, frozenset[str]] = {
    "chat": frozenset(
        "max_completion_tokens reasoning_effort parallel_tool_calls n user logprobs top_logprobs logit_bias".split()
    ),
    "embeddings": frozenset({"user"}),
    "images": frozenset({"n", "user", "style"}),
}
# The shapes that speak OpenAI's dialect: standard fields known, `model` a deployment or model id.
OPENAI_SHAPES = ("azure-openai", "azure-openai-v1", "github-models", "openai-compatible")

_AOAI_RE = re.compile(r"^/openai/deployments/([^/]+)/(chat/completions|embeddings|images/generations)$")
_V1_RE = re.compile(r"^/openai/v1/(chat/completions|embeddings|images/generations)$")
_GITHUB_RE = re.compile(r"^(?:/orgs/[^/]+)?/inference/(chat/completions|embeddings)$")
_OPENAI_COMPATIBLE_RE = re.compile(r"^/v1/(chat/completions|embeddings|images/generations)$")
_OPERATIONS = {"chat/completions": "chat", "embeddings": "embeddings", "images/generations": "images"}
_DATE_VERSION_RE = re.compile(r"^\d{4}-\d{2}-\d{2}(-preview)?$")
_EXTRA_VALUES_2024_04 = ("error", "ignore", "allow")
_EXTRA_VALUES_LATER = ("error", "drop", "pass-through")


@dataclass(frozen=True)
class Route:
    """What a request path and api-version resolved to."""

    operation: str  # chat | embeddings | image_embeddings | images | info
    api_version: str | None
    shape: str  # serverless | foundry | azure-openai | azure-openai-v1 | github-models | openai-compatible
    deployment: str | None = None

    @property
    def legacy(self) -> bool:
        """Whether the 2024-04-01-preview field names and header values apply."""
        return self.shape in ("serverless", "foundry") and self.api_version == V2024_04

    @property
    def openai(self) -> bool:
        """Whether the shape speaks OpenAI's dialect (standard fields known, a string embeddings input, ...)."""
        return self.shape in OPENAI_SHAPES

    def known_fields(self) -> frozenset[str]:
        return KNOWN_FIELDS[self.operation] | (OPENAI_FIELDS.get(self.operation, frozenset()) if self.openai else set())


def _version_error(api_version: str | None) -> ApiError | None:
    if api_version is None or api_version == "":
        return ApiError(
            400,
            "MissingApiVersionParameter",
            "The api-version query parameter (?api-version=) is required for all requests.",
            "api-version",
        )
    return None


def resolve_route(method: str, path: str, query: Mapping[str, str], openai_compatible: bool = False) -> Route:
    """Map a request to an operation, or raise the 400/404/405 a real endpoint would answer.

    With `openai_compatible`, the `/v1/...` routes answer as llama.cpp and vLLM do: any api-version or none."""
    api_version = query.get("api-version")
    if path.startswith("/openai/v1/"):
        return _azure_openai_v1_route(method, path, api_version)
    if path.startswith("/openai/"):
        return _azure_openai_route(method, path, api_version)
    github = _GITHUB_RE.match(path)
    if github is not None:
        _check_method(method, "POST", path)
        return Route(_OPERATIONS[github.group(1)], api_version, "github-models")
    compatible = _OPENAI_COMPATIBLE_RE.match(path) if openai_compatible else None
    if compatible is not None:
        _check_method(method, "POST", path)
        return Route(_OPERATIONS[compatible.group(1)], api_version, "openai-compatible")
    if openai_compatible and api_version is None:  # like llama.cpp: any other route is unknown
        raise ApiError(404, "NotFound", f"No route matches '{path}'.")
    return _model_inference_route(method, path, api_version)


def _azure_openai_v1_route(method: str, path: str, api_version: str | None) -> Route:
    match = _V1_RE.match(path)
    if match is None:
        raise ApiError(404, "404", "Resource not found")
    if api_version is not None and api_version != "preview":
        raise ApiError(
            400,
            "BadRequest",
            f"API version not supported: the v1 API takes no dated api-version (got '{api_version}'); omit "
            "api-version, or use 'preview' for preview features.",
            "api-version",
        )
    _check_method(method, "POST", path)
    return Route(_OPERATIONS[match.group(1)], api_version, "azure-openai-v1")


def _azure_openai_route(method: str, path: str, api_version: str | None) -> Route:
    match = _AOAI_RE.match(path)
    if match is None:
        raise ApiError(404, "404", "Resource not found")
    version = _required_version(api_version)
    if not _DATE_VERSION_RE.match(version):
        raise ApiError(400, "UnsupportedApiVersion", f"API version '{version}' is not supported.")
    _check_method(method, "POST", path)
    return Route(_OPERATIONS[match.group(2)], version, "azure-openai", match.group(1))


def _required_version(api_version: str | None) -> str:
    missing = _version_error(api_version)
    if missing is not None:
        raise missing
    assert api_version is not None
    return api_version


def _model_inference_route(method: str, path: str, api_version: str | None) -> Route:
    """The model inference API's routes, at the root (serverless) or under `/models` (Foundry)."""
    shape = "serverless"
    if path == "/models" or path.startswith("/models/"):
        shape = "foundry"
        path = path[len("/models") :] or "/"
    if path not in _ALL_PATHS:
        raise ApiError(404, "NotFound", f"No route matches '{path}'.")
    version = _required_version(api_version)
    if version not in ROUTES:
        raise ApiError(
            400,
            "UnsupportedApiVersion",
            f"The api-version '{version}' is not supported; supported versions: {', '.join(API_VERSIONS)}.",
            "api-version",
        )
    routes = ROUTES[version]
    if path not in routes:
        hint = ", ".join(sorted(routes))
        raise ApiError(
            404,
            "NotFound",
            f"The route '{path}' is not available in api-version {version}; routes of this version: {hint}.",
        )
    expected_method, operation = routes[path]
    _check_method(method, expected_method, path)
    return Route(operation, version, shape)


def _check_method(method: str, expected: str, path: str) -> None:
    if method.upper() != expected:
        raise ApiError(
            405,
            "MethodNotAllowed",
            f"The method {method} is not allowed on '{path}'; use {expected}.",
            headers={"Allow": expected},
        )


def check_auth(headers: Mapping[str, str], key: str, route: Route | None = None) -> None:
    """Accept `api-key: <key>`, `Authorization: Bearer <key>` or a bearer token starting with `emulator-token`;
    GitHub Models reads only the bearer token."""
    github = route is not None and route.shape == "github-models"
    if headers.get("api-key") == key and not github:
        return
    scheme, _, credential = headers.get("Authorization", "").partition(" ")
    credential = credential.strip()
    if scheme.lower() == "bearer" and (credential == key or credential.startswith(TOKEN_PREFIX)):
        return
    if github:
        raise ApiError(401, "unauthorized", "Bad credentials: send a GitHub token as 'Authorization: Bearer <token>'.")
    raise ApiError(
        401,
        "Unauthorized",
        "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key "
        "for an active subscription and use a correct regional API endpoint for your resource.",
    )


def extra_parameters_mode(headers: Mapping[str, str], route: Route) -> str:
    """The effective `extra-parameters` value (default `error`); a value of the other api-version is a 400."""
    raw = headers.get("extra-parameters")
    if route.shape in ("github-models", "openai-compatible"):
        return "ignore"  # these servers ignore the header and unknown fields
    if raw is None:
        return "error"
    value = raw.strip().lower()
    if route.shape in ("azure-openai", "azure-openai-v1"):
        allowed: tuple[str, ...] = _EXTRA_VALUES_2024_04 + _EXTRA_VALUES_LATER[1:]
    elif route.legacy:
        allowed = _EXTRA_VALUES_2024_04
    else:
        allowed = _EXTRA_VALUES_LATER
    if value not in allowed:
        raise ApiError(
            400,
            INVALID_INPUT,
            f"The extra-parameters header value '{raw}' is not valid for api-version {route.api_version}; "
            f"expected one of: {', '.join(allowed)}.",
            "extra-parameters",
        )
    return value


def split_extras(body: Mapping[str, Any], route: Route, mode: str) -> list[str]:
    """The names of unknown top-level fields that are passed through to the model.

    Raises a 400 when there are unknown fields and the mode is `error`; returns [] when they are dropped."""
    legacy = route.legacy
    known = route.known_fields() | ({"extras"} if legacy else set())
    extras = sorted(name for name in body if name not in known)
    nested: list[str] = []
    if legacy and isinstance(body.get("extras"), dict):
        nested = sorted(str(name) for name in body["extras"])
    if mode == "error":
        if extras:
            raise invalid(
                f"Unknown parameters: extra parameters {extras!r} are not allowed when the extra-parameters header "
                "is missing or set to 'error'. Set it to 'drop' or 'pass-through' ('ignore' or 'allow' in "
                "api-version 2024-04-01-preview) to accept them.",
                extras[0],
            )
        return []
    if mode in ("drop", "ignore"):
        return []
    return sorted(set(extras + nested))


def reject_nulls(body: Mapping[str, Any], route: Route) -> None:
    """A known field that is present must not be null (servers such as llama.cpp reject it)."""
    for name in sorted(route.known_fields()):
        if name in body and body[name] is None:
            raise invalid(f"'{name}' must not be null; omit the field instead.", name)
