# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""`AioHttpTransport`, the async transport: azure-core's aiohttp transport with the bounds and behaviour of
our sync transport.

Strategy: azure-core's transport sends the request and reads the headers (always as a streamed request); the body
is then read here, through the same `BodyReader` as the sync transport (`bodies`): decoded in bounded steps
(`gzip`, and `deflate` as a zlib stream or raw; azure-core decodes `deflate` as raw only), counted against
`max_response_bytes`, with `DecodeError` for a body that cannot be decoded. On top of azure-core's:

- `deadline` (a `time.monotonic()` value) bounds the whole answer of a non-streamed request, body included, and
  the headers of a streamed one; `stream_deadline` bounds a streamed body (`ServiceResponseTimeoutError`);
- a connection reset after the request was sent is `ServiceResponseError`, as in the sync transport (azure-core
  reports it as `ServiceRequestError`);
- the CA bundle comes from `REQUESTS_CA_BUNDLE`, `CURL_CA_BUNDLE` or `SSL_CERT_FILE`, else certifi's, with one
  TLS context per distinct setting (`tls.TLSContexts`, as in the sync transport);
- used again after `os.fork()`, it opens a new session instead of reusing the parent's connections (the
  parent's session is left untouched: closing it here could act on connections the parent still uses);
- a pooled connection is reused only when it is clean (`_Connector`, `_Protocol`): nothing arrived on it while it
  was idle, nothing is waiting to be read from its socket, and aiohttp holds nothing unread for it; otherwise it
  is closed and another one used, so an answer never reaches a call it was not for. aiohttp's own extra attempt
  of an idempotent request on a reused connection is off: azure-core's retry policy alone decides, so a call is
  sent at most `retry_total + 1` times;
- the proxy is decided by `proxy.choose_proxy_url`, as in the sync transport (the environment read once, at
  construction; `NO_PROXY` with `host:port`, IPv6 and CIDR entries; `ALL_PROXY`), and the session trusts no
  environment of its own (aiohttp's per-request proxy and `.netrc` lookups are not made); the tunnel through a
  proxy is set up within the connect timeout;
- a CA bundle or client certificate that cannot be loaded is the sync transport's `ServiceRequestError` naming
  the file, raised for https requests only.
"""

from __future__ import annotations

import asyncio
import functools
import os
import socket
import ssl
import time
from typing import Any, AsyncIterator, Mapping, Optional, Union, cast
from urllib.parse import urlsplit

import aiohttp
from aiohttp.client_proto import ResponseHandler
from azure.core.exceptions import (
    AzureError,
    IncompleteReadError,
    ServiceRequestError,
    ServiceResponseError,
    ServiceResponseTimeoutError,
)
from azure.core.rest import HttpRequest

from ._azure_core import AioHttpTransport as _AioHttpTransport
from ._azure_core import RestAioHttpTransportResponse
from .bodies import DEFAULT_MAX_RESPONSE_BYTES, BodyReader, check_max_response_bytes
from .proxy import EnvironmentProxies, choose_proxy_url, split_origin
from .tls import TLSContexts

__all__ = ["AioHttpTransport"]

_PLAIN_HTTP: Any = object()  # `connection_verify` of a plain http request: no TLS context is built

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


# ---------------------------------------------------------------------------------------------- clean reuse


def _bytes_waiting(transport: Any) -> bool:
    """Whether the socket under an idle connection has something to read (bytes, or the peer's close) that the
    event loop has not delivered yet; True when that cannot be told."""
    raw: Any = transport.get_extra_info("socket") if transport is not None else None
    if raw is None:
        return False
    try:
        fd: int = raw.fileno()
    except (OSError, ValueError):
        return True
    if fd < 0:
        return True
    peek = socket.socket(fileno=fd)  # the same descriptor, left non-blocking as the event loop set it
    try:
        peek.recv(1, socket.MSG_PEEK | getattr(socket, "MSG_DONTWAIT", 0))
    except (BlockingIOError, InterruptedError):
        return False  # nothing to read: clean
    except OSError:
        return True
    finally:
        peek.detach()  # the descriptor stays the event loop's
    return True  # bytes nobody asked for, or b"" (the server closed it)


class _Protocol(ResponseHandler):
    """aiohttp's protocol, which counts the bytes it receives, so that a connection on which anything arrived
    while it sat in the pool is not used again (see `_Connector`)."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(loop)
        self.received = 0  # bytes delivered by the event loop
        self.idle_mark: Optional[int] = None  # `received` when the connection went back to the pool

    def data_received(self, data: bytes) -> None:
        self.received += len(data)
        payload: Any = getattr(self, "_payload", None)  # the body being read, if any
        before = self.exception()
        super().data_received(data)
        failure = self.exception()
        if failure is not None and failure is not before and payload is not None and not payload.is_eof():
            # aiohttp fails the protocol on a body it cannot parse (a bad chunk size, no CRLF after a chunk) and
            # closes the connection, but leaves the body's reader waiting, with no read timeout: fail it too.
            error = aiohttp.ClientConnectionError(f"The answer's body framing is invalid: {failure}")
            payload.set_exception(error, failure)

    def pooled(self) -> None:
        """The connection was released: it sits in the pool from now on, if it is still open."""
        self.idle_mark = self.received if self.is_connected() else None

    def take(self) -> bool:
        """The connection is about to carry a request: whether it may (a new one, or a pooled one still clean)."""
        mark, self.idle_mark = self.idle_mark, None
        if mark is None:
            return True  # new: never released
        if mark != self.received or self.should_close or not self.is_connected():
            return False
        return not _bytes_waiting(self.transport)


class _Connector(aiohttp.TCPConnector):
    """aiohttp's connector that hands out a pooled connection only when `_Protocol.take` says it is clean (a dirty
    one is closed and the next tried), and bounds the set-up of a tunnel through a proxy by the connect timeout."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)  # pyright: ignore[reportUnknownMemberType]
        self._factory = cast(Any, functools.partial(_Protocol, loop=self._loop))

    def _release(self, key: Any, protocol: Any, *args: Any, **kwargs: Any) -> None:
        super()._release(key, protocol, *args, **kwargs)  # pyright: ignore[reportUnknownMemberType]
        if isinstance(protocol, _Protocol):
            protocol.pooled()

    async def connect(self, req: Any, traces: Any, timeout: Any) -> Any:
        while True:
            limit: Optional[float] = timeout.sock_connect if req.proxy is not None else None
            if limit:
                try:
                    conn: Any = await asyncio.wait_for(super().connect(req, traces, timeout), limit)
                except asyncio.TimeoutError as exc:
                    raise aiohttp.ConnectionTimeoutError(
                        f"Connection through the proxy not set up within the connect timeout ({limit} s)"
                    ) from exc
            else:
                conn = await super().connect(req, traces, timeout)
            protocol = conn.protocol
            if not isinstance(protocol, _Protocol) or protocol.take():
                return conn
            conn.close()  # not clean: never used again


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
    :keyword trust_env: Whether the proxy settings of the environment are used (default: `use_env_settings`);
     the CA bundle follows `use_env_settings`. They are read once, here, and applied as the sync transport
     applies them; the session itself never reads the environment (nor `.netrc`).
    :keyword proxies: Proxies by scheme (`{"https": "http://proxy:3128"}`; also `"all"`, `"http://host"`), as the
     sync transport takes them; they win over the environment's. Also a per-request keyword of `send`.

    Other keywords are azure-core's `AioHttpTransport`'s.
    """

    # The clients pass `max_response_bytes`, `deadline` and `stream_deadline` to transports that say so.
    accepts_call_limits = True

    def __init__(
        self,
        *,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        trust_env: Optional[bool] = None,
        proxies: Optional[Mapping[str, str]] = None,
        **kwargs: Any,
    ) -> None:
        use_env_settings = bool(kwargs.get("use_env_settings", True))
        super().__init__(**kwargs)  # pyright: ignore[reportUnknownMemberType]
        self._max_response_bytes = check_max_response_bytes(max_response_bytes)
        self._tls = TLSContexts(use_env_settings)  # one TLS context per distinct (verify, cert) setting
        self._use_env_settings = use_env_settings if trust_env is None else trust_env
        self._proxies: dict[str, str] = dict(proxies or {})
        self._environment = EnvironmentProxies.read() if self._use_env_settings else None
        self._proxy_choice: dict[str, Optional[str]] = {}  # origin -> proxy (None: direct), without call proxies
        self._pid = os.getpid()

    async def open(self) -> None:
        """Open the session (ours: the clean-reuse connector, no environment lookups, no extra attempts)."""
        if self.session is None and self._session_owner and not self._has_been_opened:
            session = aiohttp.ClientSession(
                connector=_Connector(),
                trust_env=False,
                cookie_jar=aiohttp.DummyCookieJar(),
                auto_decompress=False,
            )
            if hasattr(session, "_retry_connection"):
                setattr(session, "_retry_connection", False)  # azure-core's retry policy decides alone
            self.session = session
        await super().open()  # type: ignore[no-untyped-call]  # pyright: ignore[reportUnknownMemberType]

    def _proxy_for(self, url: str, proxies: Optional[Mapping[str, str]]) -> Optional[str]:
        """The proxy a request goes through (`proxy.choose_proxy_url`), or None to go direct."""
        origin = split_origin(url)[0]
        if not proxies:
            try:
                return self._proxy_choice[origin]
            except KeyError:
                pass
        parts = urlsplit(origin)
        chosen = choose_proxy_url(
            parts.scheme, parts.hostname or "", parts.port, (proxies, self._proxies), self._environment
        )
        if not proxies:
            self._proxy_choice[origin] = chosen
        return chosen

    def _build_ssl_config(self, cert: Any, verify: Any) -> Union[bool, ssl.SSLContext]:
        """One TLS context per distinct (verify, cert), trusting the same CA bundle as the sync transport (none
        for a plain http request)."""
        if verify is _PLAIN_HTTP:
            return True  # aiohttp's default, unused without TLS
        return self._tls.get(verify, cert)

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
        if "proxy" not in config:  # aiohttp's own keyword, when given, as azure-core takes it
            config["proxy"] = self._proxy_for(request.url, config.pop("proxies", None))
            config["proxies"] = None
        if request.url[:6].lower() != "https:":  # no TLS context to build (nor a CA bundle to load)
            config.pop("connection_cert", None)
            config["connection_verify"] = _PLAIN_HTTP
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
