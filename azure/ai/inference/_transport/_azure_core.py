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

Besides these names, the transports subclass public azure-core classes and use some of their private members:
`AioHttpTransport.session`, `._session_owner`, `._has_been_opened`, `._build_ssl_config()` (our session, our TLS
contexts), `._get_request_data()` (files as aiohttp form data, as azure-core sends them); the rest requests'
`_data` and `_files` (what `request.data` and `request.files` return, without their slow backcompat lookup), and
their headers' `CaseInsensitiveDict._store` (the name/value pairs, handed to aiohttp without a Python call each); the
rest responses' private fields (`_content`, `_is_closed`, ..., each set by `aiohttp._Response` itself, as
azure-core's constructors set them; `tests/test_transport_aiohttp.py` compares the two), `_stream_download_check()`
and `_set_read_checks()` (a body read by our bounded reader counts as read).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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

__all__ = ["AioHttpTransport", "CIMultiDict", "HttpResponseImpl", "RestAioHttpTransportResponse"]


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
