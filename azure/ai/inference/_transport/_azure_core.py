# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""Every private azure-core name the package relies on, each imported here once with the reason; the rest of the
package imports them from this module.

They are not part of azure-core's public API and may change in any release: pyproject.toml bounds azure-core
(`<2`), and `./tasks lowest` (run by CI) tests the transports on the lowest azure-core and aiohttp declared. The
aiohttp-based names are loaded on first use (module `__getattr__`), so that the sync transport never imports
aiohttp.

Besides these names, `request_with_body` makes a rest request as azure-core's constructor does (its fields and
its headers' `_store` set directly), and `run_pipeline`/`run_pipeline_async` run a pipeline's policies as azure-core's
`run` does (its `_impl_policies` and `_transport`) without the multipart preparation a plain request does not need;
`_policies._BoundedRetry` overrides the retry policies' `_configure_positions` for a request whose body is in memory
(`in_memory_body`), which has no stream position to remember. `tracing_surely_off` reads the tracing settings'
private `_user_value`, `_default` and `_system_hook` to tell, without their environment lookups, that tracing is off;
`_policies.UserAgentPolicy` reads azure-core's `UserAgentPolicy._user_agent`, `_USERAGENT` and
`_ENV_ADDITIONAL_USER_AGENT` (the base text, the header's and the variable's names) to give the same header
without a lookup of an absent variable (`tests/test_policy_twins.py` compares the two).
The transports subclass public azure-core classes and use some of their private members:
`AioHttpTransport.session`, `._session_owner`, `._has_been_opened`, `._build_ssl_config()` (our session, our TLS
contexts), `._get_request_data()` (files as aiohttp form data, as azure-core sends them); the rest requests'
`_data` and `_files` (what `request.data` and `request.files` return, without their slow backcompat lookup), and
their headers' `CaseInsensitiveDict._store` (the name/value pairs, handed to aiohttp without a Python call each); the
rest responses' private fields (`_content`, `_is_closed`, ..., each set by `aiohttp._Response` itself, as
azure-core's constructors set them; `tests/test_transport_aiohttp.py` compares the two), `_stream_download_check()`
and `_set_read_checks()` (a body read by our bounded reader counts as read).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Optional

from azure.core import settings as _settings_module
from azure.core.pipeline import PipelineContext, PipelineRequest
from azure.core.rest import HttpRequest
from azure.core.settings import settings
from azure.core.utils import case_insensitive_dict

# The implementation behind azure-core's sync rest responses (read, iter_bytes, json, ...): azure-core has no
# public base class for a transport's own `azure.core.rest.HttpResponse`.
from azure.core.rest._http_response_impl import (  # pyright: ignore[reportPrivateUsage]
    HttpResponseImpl,
)

if TYPE_CHECKING:
    # azure-core's aiohttp transport, which `_transport.aiohttp.AioHttpTransport` extends: the same class as the
    # public `azure.core.pipeline.transport.AioHttpTransport`, which an untyped module `__getattr__` resolves.
    from azure.core.pipeline.transport._aiohttp import AioHttpTransport  # pyright: ignore[reportPrivateUsage]

    # aiohttp's rest response, which `_transport.aiohttp._Response` extends (its body read by our bounded reader):
    # azure-core exposes only the legacy `AioHttpTransportResponse` publicly.
    from azure.core.rest._aiohttp import RestAioHttpTransportResponse  # pyright: ignore[reportPrivateUsage]

    # The headers of azure-core's aiohttp rest responses (case-insensitive, repeated ones joined with ", "), which
    # `_transport.aiohttp._Response` keeps, so that its headers behave as azure-core's do.
    CIMultiDict: type[Any]  # azure.core.rest._aiohttp._CIMultiDict

__all__ = [
    "AioHttpTransport",
    "CIMultiDict",
    "HttpResponseImpl",
    "RestAioHttpTransportResponse",
    "has_header",
    "header_pairs",
    "in_memory_body",
    "environment_has",
    "request_with_body",
    "run_pipeline",
    "run_pipeline_async",
    "tracing_surely_off",
]


def _pairs_by_key(headers: Any) -> Any:
    """The dict behind azure-core's `CaseInsensitiveDict` (lower-case name -> (name, value)), or None."""
    pairs: Any = getattr(headers, "_store", None)
    return pairs if isinstance(pairs, dict) else None  # pyright: ignore[reportUnknownVariableType]


def header_pairs(headers: Any) -> Any:
    """The (name, value) pairs of a request's headers, in their order and case: the pairs behind azure-core's
    `CaseInsensitiveDict` when it has them (iterating the mapping itself costs two Python calls per header),
    else `headers.items()`."""
    pairs = _pairs_by_key(headers)
    return headers.items() if pairs is None else pairs.values()


def __getattr__(name: str) -> Any:
    """The aiohttp-based names, imported on first use (importing them imports aiohttp)."""
    if name == "AioHttpTransport":
        from azure.core.pipeline.transport._aiohttp import (  # pylint: disable=import-outside-toplevel
            AioHttpTransport as transport_type,  # pyright: ignore[reportPrivateUsage]
        )

        return transport_type
    if name == "RestAioHttpTransportResponse":
        from azure.core.rest._aiohttp import (  # pylint: disable=import-outside-toplevel
            RestAioHttpTransportResponse as response_type,  # pyright: ignore[reportPrivateUsage]
        )

        return response_type
    if name == "CIMultiDict":
        from azure.core.rest._aiohttp import (  # pylint: disable=import-outside-toplevel
            _CIMultiDict as headers_type,  # pyright: ignore[reportPrivateUsage]
        )

        return headers_type
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# The marker of a setting given no value in code (azure-core's `_unset`); a fresh object if it is ever gone, which
# makes `tracing_surely_off` always defer to azure-core.
_UNSET: Any = getattr(_settings_module, "_unset", object())
_TRACING_VARIABLES = ("AZURE_TRACING_ENABLED", "AZURE_SDK_TRACING_IMPLEMENTATION")


def tracing_surely_off() -> bool:
    """True when azure-core's `settings.tracing_enabled()` is surely False, told without asking it (its lookups of
    two absent environment variables each raise and catch a `KeyError`): neither `tracing_enabled` nor
    `tracing_implementation` was given a value, in code or in the environment, and both fall back to defaults
    that make tracing off (None, with no system hook). False when that cannot be told: then ask azure-core."""
    given: Any = settings
    for setting in (given.tracing_enabled, given.tracing_implementation):
        fields: Any = getattr(setting, "__dict__", {})
        if fields.get("_user_value") is not _UNSET or fields.get("_default", _UNSET) is not None:
            return False
        if fields.get("_system_hook", _UNSET) is not None:
            return False
    return not any(environment_has(name) for name in _TRACING_VARIABLES)


def environment_has(name: str) -> bool:
    """`name in os.environ`, read from the dict behind `os.environ` when it has one (the mapping's own lookup raises
    and catches a `KeyError` for an absent name); as live as `os.environ` itself."""
    environ: Any = os.environ
    data: Any = getattr(environ, "_data", None)
    encode: Any = getattr(environ, "encodekey", None)
    if type(data) is not dict or encode is None:
        return name in environ
    return encode(name) in data


def request_with_body(template: HttpRequest, content: bytes) -> HttpRequest:
    """`HttpRequest(template.method, template.url, headers=template.headers, content=content)` for a template
    without a body, made with the fields azure-core's constructor sets (`url`, `method`, `_files`, `_data`,
    `headers`, its pairs in `_store`: `Content-Length` first, then the template's), without its per-field
    backcompat lookups (~8 µs a call). `tests/test_azure_core_private.py` compares the two."""
    pairs: Any = getattr(template.headers, "_store", None)
    fields: Any = template.__dict__
    if type(template) is not HttpRequest or not isinstance(pairs, dict) or fields.get("_data") is not None:
        return HttpRequest(template.method, template.url, headers=template.headers, content=content)
    headers: Any = case_insensitive_dict()
    store: dict[str, tuple[str, str]] = {"content-length": ("Content-Length", str(len(content)))} if content else {}
    store.update(pairs)  # pyright: ignore[reportUnknownArgumentType]
    headers._store = store  # pylint: disable=protected-access
    request = HttpRequest.__new__(HttpRequest)
    request.__dict__.update(url=fields["url"], method=fields["method"], _files=None, _data=content, headers=headers)
    return request


def has_header(headers: Any, lowered: str) -> bool:
    """Whether a request's headers hold `lowered` (a lower-case name), read from the pairs behind azure-core's
    `CaseInsensitiveDict` when it has them (its `in` raises and catches a `KeyError` for an absent name)."""
    pairs = _pairs_by_key(headers)
    return lowered in (headers if pairs is None else pairs)


def in_memory_body(request: Any) -> bool:
    """Whether a request is a rest `HttpRequest` whose body is bytes (or none) and which has no files: one whose
    body a retry sends again as it is, with no stream position to remember."""
    fields: Any = getattr(request, "__dict__", {})
    return type(request) is HttpRequest and fields.get("_files") is None and type(fields.get("_data")) in _IN_MEMORY


_IN_MEMORY = (bytes, type(None))


def _plain(request: Any) -> bool:
    """Whether a request is a rest `HttpRequest` with no multipart/mixed parts (every request the clients build):
    one whose preparation by the pipeline does nothing."""
    return type(request) is HttpRequest and "_multipart_mixed_info_val" not in request.__dict__


def run_pipeline_async(pipeline: Any, request: Any, *, marks: Optional[str] = None, **options: Any) -> Any:
    """`pipeline.run(request, **options)`: what the run of azure-core's pipeline does (a context with the
    transport, the first policy's `send`) without first preparing a multipart/mixed body that a plain request does
    not have (~10 µs a call through the request's backcompat lookups). Any other request goes to `pipeline.run`.
    `marks` names a context key set to True for the policies (one of ours, such as `TRACING_FOUND_OFF`). What the
    first policy's `send` returns is returned as it is (in the async pipeline, its coroutine), with no coroutine of
    this function's own around it."""
    if not _plain(request):
        return pipeline.run(request, **options)
    policies: Any = pipeline._impl_policies  # pylint: disable=protected-access
    if not policies:
        return pipeline.run(request, **options)
    context = PipelineContext(pipeline._transport, **options)  # pylint: disable=protected-access
    if marks is not None:
        context[marks] = True
    return policies[0].send(PipelineRequest(request, context))


# <generated by scripts/unasync.py from run_pipeline_async above; do not edit>
def run_pipeline(pipeline: Any, request: Any, *, marks: Optional[str] = None, **options: Any) -> Any:
    """`pipeline.run(request, **options)`: what the run of azure-core's pipeline does (a context with the
    transport, the first policy's `send`) without first preparing a multipart/mixed body that a plain request does
    not have (~10 µs a call through the request's backcompat lookups). Any other request goes to `pipeline.run`.
    `marks` names a context key set to True for the policies (one of ours, such as `TRACING_FOUND_OFF`). What the
    first policy's `send` returns is returned as it is (in the async pipeline, its coroutine), with no coroutine of
    this function's own around it."""
    if not _plain(request):
        return pipeline.run(request, **options)
    policies: Any = pipeline._impl_policies  # pylint: disable=protected-access
    if not policies:
        return pipeline.run(request, **options)
    context = PipelineContext(pipeline._transport, **options)  # pylint: disable=protected-access
    if marks is not None:
        context[marks] = True
    return policies[0].send(PipelineRequest(request, context))
# </generated>
