# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""How a client turns a call into a request: its endpoint and shape (`endpoints`), its defaults and extras
(`arguments`). Sans-IO: it sends nothing and awaits nothing, so that the sync and the async clients share it whole.

A call's request line and headers are made by the spec's generated request builder of its operation
(`endpoints.operation_request`), once per kind of call, and copied with each call's body. The bounds of a
client's answers and its pipeline are added by `_settings.ClientSettings`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Optional

from azure.core.exceptions import ResourceNotFoundError
from azure.core.rest import HttpRequest

from .arguments import (
    OPENAI_FIELDS,
    Check,
    body_from_mapping,
    build_body,
    check_model_extras,
    collect_defaults,
    encode_body,
)
from .endpoints import check_api_version, endpoint_shape, normalize_endpoint, operation_request, served

__all__: list[str] = []


class RequestSettings:
    """What one client knows to build its requests: endpoint, its shape (routes, api-version), defaults and
    extras."""

    def __init__(
        self,
        *,
        endpoint: Any,
        api_version: Any,
        fields: Mapping[str, Check],
        defaults: Mapping[str, Any],
        model_extras: Any,
    ) -> None:
        self.endpoint = normalize_endpoint(endpoint)
        self.shape = endpoint_shape(self.endpoint, check_api_version(api_version))
        self.api_version = self.shape.api_version
        self.routes = self.shape.routes
        # The api-version the body's form follows (response_format as a string in 2024-04); "" for the others.
        self.body_version = (self.api_version or "") if self.shape.model_inference else ""
        self.fields = fields
        self.defaults = collect_defaults(fields, defaults, self.body_version)
        self.extras = check_model_extras(model_extras, fields)
        self._templates: dict[tuple[str, bool, Optional[str]], HttpRequest] = {}

    def request(
        self,
        operation: str,
        *,
        method: str,
        body: Any,
        given: Mapping[str, Any],
        model_extras: Any,
        required: Sequence[str],
        stream: bool = False,
    ) -> HttpRequest:
        """Check a call's arguments and build the request of `operation` (`chat`, `embeddings`, `images`,
        `image_embeddings`); a `body` given whole is sent as it is. `method` names the public method in errors."""
        shape = self.shape
        if not served(shape, operation):
            version = f"api_version {self.api_version!r}" if shape.model_inference else shape.label
            raise ValueError(f"{method} is not available with {version} on this endpoint")
        if body is not None:
            return self._body_request(operation, method, body, given, model_extras, stream)
        payload = build_body(self.fields, self.defaults, given, self.body_version, required)
        if not stream:
            payload.pop("stream_options", None)  # a client default that applies to streamed calls only
        self._check_model(payload)
        # A call's model_extras replace the client's, as every argument given to a call replaces the client's
        # default (`None` or `{}` leaves the client's in place, as in 1.0.0b9).
        extras = check_model_extras(model_extras, self.fields) or self.extras
        twice = sorted(k for k in extras or () if k in payload)
        if twice:
            raise ValueError(f"model_extras must not repeat named arguments: {', '.join(twice)}; pass them once")
        allow = None
        if extras or (shape.model_inference and not OPENAI_FIELDS.isdisjoint(payload)):
            allow = self.routes.extras_allow
        content = encode_body(payload, extras, stream=stream)
        return self._request(operation, content, stream, allow)

    def _body_request(
        self, operation: str, method: str, body: Any, given: Mapping[str, Any], model_extras: Any, stream: bool
    ) -> HttpRequest:
        """The request of a call that gave its `body` whole: sent as it is, with no keyword argument beside it."""
        if any(v is not None for v in given.values()) or model_extras is not None:
            raise TypeError(f"{method}() takes either a body or keyword arguments, not both")
        payload = body_from_mapping(body, stream)
        self._check_model(payload)
        return self._request(operation, encode_body(payload, stream=stream), stream, None)

    def _request(self, operation: str, content: bytes, stream: bool, extra_params: Optional[str]) -> HttpRequest:
        """The operation's request with this body. The generated builder makes the request line and headers once
        per kind of call (operation, streamed or not, `extra-parameters`); each call copies them with its body,
        since building them again gives the same request and costs a third of a call's own work."""
        key = (operation, stream, extra_params)
        template = self._templates.get(key)
        if template is None:
            template = self._templates[key] = operation_request(
                self.endpoint, self.shape, operation, stream=stream, extra_params=extra_params
            )
        return self._with_body(template, content)

    def _with_body(self, template: HttpRequest, content: bytes) -> HttpRequest:
        """A copy of a request template (no body) with this body."""
        return HttpRequest(template.method, template.url, headers=template.headers, content=content)

    def _check_model(self, payload: Mapping[str, Any]) -> None:
        if self.shape.model_required and not isinstance(payload.get("model"), str):
            what = "the deployment name" if self.shape.name == "azure-openai-v1" else "the model id"
            raise TypeError(
                f"missing required keyword argument: 'model'. {self.shape.label} need {what} in the request: "
                "pass model=... to the client or to the call"
            )

    def info_request(self) -> HttpRequest:
        if not self.routes.info:
            raise ResourceNotFoundError(
                f"This endpoint has no model info route: {self.shape.label} do not serve /info. "
                "The other operations work without it."
            )
        return operation_request(self.endpoint, self.shape, "info")
