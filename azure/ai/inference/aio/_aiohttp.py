# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""`AioHttpTransport`: azure-core's aiohttp transport with the bounds and behaviour of our sync transport.

Strategy: azure-core's transport sends the request and reads the headers (always as a streamed request); the body
is then read here, through the same `BodyReader` as the sync transport (`_bodies`): decoded in bounded steps
(`gzip`, and `deflate` as a zlib stream or raw; azure-core decodes `deflate` as raw only), counted against
`max_response_bytes`, with `DecodeError` for a body that cannot be decoded. On top of azure-core's:

- `deadline` (a `time.monotonic()` value) bounds the whole answer of a non-streamed request, body included, and
  the headers of a streamed one; `stream_deadline` bounds a streamed body (`ServiceResponseTimeoutError`);
- a connection reset after the request was sent is `ServiceResponseError`, as in the sync transport (azure-core
  reports it as `ServiceRequestError`);
- the CA bundle comes from `REQUESTS_CA_BUNDLE`, `CURL_CA_BUNDLE` or `SSL_CERT_FILE`, else certifi's, as in the
  sync transport, with one TLS context per distinct setting;
- used again after `os.fork()`, it opens a new session instead of reusing the parent's connections (the
  parent's session is left untouched: closing it here could act on connections the parent still uses).
"""

from __future__ import annotations

import asyncio
import os
import ssl
import time
from typing import Any, AsyncIterator, Optional, Union

import aiohttp
from azure.core.exceptions import (
    AzureError,
    IncompleteReadError,
    ServiceRequestError,
    ServiceResponseError,
    ServiceResponseTimeoutError,
)
from azure.core.pipeline.transport._aiohttp import AioHttpTransport as _AioHttpTransport
from azure.core.rest import HttpRequest
from azure.core.rest._aiohttp import RestAioHttpTransportResponse

from .._bodies import DEFAULT_MAX_RESPONSE_BYTES, BodyReader, check_max_response_bytes
from .._http_transport import Cert, Verify
from .._http_transport import as_cert as _as_cert
from .._http_transport import default_ca_bundle as _default_ca_bundle
from .._http_transport import ssl_context as _ssl_context

__all__ = ["AioHttpTransport"]

# Sessions a child process inherited: never used, closed or collected there.
_INHERITED: list[Any] = []


def _expired(what: str, exc: Optional[BaseException] = None) -> ServiceResponseTimeoutError:
    return ServiceResponseTimeoutError(f"The answer was not complete within {what}.", error=exc)


async def _body_pieces(pipeline: Any = None, response: Any = None, decompress: bool = True) -> AsyncIterator[bytes]:
    """The body of one of our responses as it arrives, decoded and counted (its `stream_download_generator`)."""
    del pipeline
    reader = BodyReader(response, response.limit, decompress)
    internal: Any = response.internal_response
    deadline: Optional[float] = response.deadline
    try:
        while True:
            if deadline is None:
                chunk = await internal.content.readany()
            else:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise _expired("stream_timeout")
                try:
                    chunk = await asyncio.wait_for(internal.content.readany(), left)
                except asyncio.TimeoutError as exc:
                    if deadline - time.monotonic() <= 0:
                        raise _expired("stream_timeout", exc) from exc
                    raise
            if not chunk:
                break
            for piece in reader.feed(chunk):
                yield piece
    except AzureError:
        internal.close()
        raise
    except aiohttp.ClientPayloadError as exc:
        internal.close()
        raise IncompleteReadError(exc, error=exc) from exc
    except asyncio.TimeoutError as exc:
        internal.close()
        raise ServiceResponseTimeoutError(exc, error=exc) from exc
    except aiohttp.ClientError as exc:
        internal.close()
        raise ServiceResponseError(exc, error=exc) from exc
    except BaseException:
        internal.close()
        raise
    internal.close()  # read to its end: aiohttp has released the connection already


class _Response(RestAioHttpTransportResponse):
    """azure-core's aiohttp rest response, whose body is read by `_body_pieces`."""

    def __init__(self, *, limit: Optional[int], deadline: Optional[float], **kwargs: Any) -> None:
        super().__init__(decompress=True, **kwargs)  # pyright: ignore[reportUnknownMemberType]
        self._stream_download_generator: Any = _body_pieces
        self.limit = limit
        self.deadline = deadline

    async def read(self) -> bytes:
        if self._content is None:
            self._stream_download_check()  # type: ignore[no-untyped-call]  # pyright: ignore[reportUnknownMemberType]
            parts = [piece async for piece in _body_pieces(response=self)]
            self._content = b"".join(parts)
            self._decompressed_content = True
            await self._set_read_checks()  # type: ignore[no-untyped-call]  # pyright: ignore[reportUnknownMemberType]
        return self._content


def _sent_then_reset(exc: ServiceRequestError) -> bool:
    """Whether aiohttp's failure came after the request went out (the peer closed or reset the connection)."""
    inner = exc.inner_exception
    if isinstance(inner, aiohttp.ServerDisconnectedError):
        return True
    return isinstance(inner, aiohttp.ClientOSError) and not isinstance(inner, aiohttp.ClientConnectorError)


class AioHttpTransport(_AioHttpTransport):
    """azure-core's `AioHttpTransport` with bounded bodies and deadlines (see the module's docstring).

    :keyword max_response_bytes: The most bytes a response body may hold once decompressed (default 256 MiB);
     a larger one raises `ResponseTooLargeError`. Also a per-request keyword of `send`.
    :keyword trust_env: Whether the aiohttp session reads proxy settings and `.netrc` from the environment
     (default: `use_env_settings`); the CA bundle follows `use_env_settings`.

    Other keywords are azure-core's `AioHttpTransport`'s.
    """

    # The clients pass `max_response_bytes`, `deadline` and `stream_deadline` to transports that say so.
    accepts_call_limits = True

    def __init__(
        self,
        *,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        trust_env: Optional[bool] = None,
        **kwargs: Any,
    ) -> None:
        use_env_settings = bool(kwargs.get("use_env_settings", True))
        super().__init__(**kwargs)  # pyright: ignore[reportUnknownMemberType]
        self._max_response_bytes = check_max_response_bytes(max_response_bytes)
        self._default_ca = _default_ca_bundle(use_env_settings)
        self._use_env_settings = use_env_settings if trust_env is None else trust_env
        self._contexts: dict[tuple[Verify, Cert], ssl.SSLContext] = {}
        self._pid = os.getpid()

    def _build_ssl_config(self, cert: Any, verify: Any) -> Union[bool, ssl.SSLContext]:
        """One TLS context per distinct (verify, cert), trusting the same CA bundle as the sync transport."""
        cert = _as_cert(cert)
        key = (verify, cert)
        context = self._contexts.get(key)
        if context is None:
            context = self._contexts[key] = _ssl_context(verify, cert, self._default_ca)
        return context

    def _leave_to_parent(self) -> None:
        """In a child process: the inherited session is set aside and a new one opened on next use."""
        _INHERITED.append(self.session)
        self.session = None
        self._has_been_opened = False
        self._pid = os.getpid()

    async def send(self, request: Any, **config: Any) -> Any:  # pyright: ignore[reportIncompatibleMethodOverride]
        """Send a request: as azure-core's transport does, with the keywords `max_response_bytes`, `deadline`
        and `stream_deadline` of the sync `HttpClientTransport.send`."""
        if self._pid != os.getpid() and self.session is not None:
            self._leave_to_parent()
        limit_given = config.pop("max_response_bytes", None)
        deadline: Optional[float] = config.pop("deadline", None)
        stream_deadline: Optional[float] = config.pop("stream_deadline", None)
        stream = bool(config.pop("stream", False))
        if not isinstance(request, HttpRequest):  # a legacy request: azure-core's behaviour
            return await super().send(request, stream=stream, **config)  # pyright: ignore
        limit = self._max_response_bytes if limit_given is None else check_max_response_bytes(limit_given)
        first, what = deadline, "the call's timeout"
        if stream and stream_deadline is not None and (first is None or stream_deadline < first):
            first, what = stream_deadline, "stream_timeout"
        sending = self._send(request, stream, limit, stream_deadline if stream else None, config)
        if first is None:
            return await sending
        left = first - time.monotonic()
        if left <= 0:
            sending.close()
            raise _expired(what)
        try:
            return await asyncio.wait_for(sending, left)
        except asyncio.TimeoutError as exc:
            raise _expired(what, exc) from exc

    async def _send(
        self, request: HttpRequest, stream: bool, limit: int, stream_deadline: Optional[float], config: Any
    ) -> _Response:
        try:
            answer: Any = await super().send(request, stream=True, **config)
        except ServiceRequestError as exc:
            if _sent_then_reset(exc):
                inner = exc.inner_exception
                raise ServiceResponseError(inner, error=inner) from inner
            raise
        internal: Any = answer.internal_response
        try:
            response = _Response(
                request=request,
                internal_response=internal,
                block_size=self.connection_config.data_block_size,
                limit=limit,
                deadline=stream_deadline,
            )
            BodyReader(response, limit)  # refuses an announced length over the limit at once
            if not stream:
                await response.read()
        except BaseException:
            internal.close()
            raise
        return response
