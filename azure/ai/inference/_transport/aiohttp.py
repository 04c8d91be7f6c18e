# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""`AioHttpTransport`, the async transport: azure-core's aiohttp transport with the bounds and behaviour of
our sync transport.

Strategy: the session, its opening and closing are azure-core's transport's; a rest request is sent here, on the
aiohttp session, with the keywords azure-core's transport would give it (and the same errors for its failures),
and answered with one lean azure-core aiohttp rest response (`_Response`, its fields set at once). Legacy requests
go to azure-core's `send`. The body is read through the same `BodyReader` as the sync transport (`bodies`):
decoded in bounded steps (`gzip`, and `deflate` as a zlib stream or raw; azure-core decodes `deflate` as raw
only), counted against `max_response_bytes`, with `DecodeError` for a body that cannot be decoded. Beyond
azure-core's transport:

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
import multidict
from aiohttp.client_proto import ResponseHandler
from azure.core.exceptions import (
    AzureError,
    IncompleteReadError,
    ResponseNotReadError,
    ServiceRequestError,
    ServiceRequestTimeoutError,
    ServiceResponseError,
    ServiceResponseTimeoutError,
)
from azure.core.rest import HttpRequest

from ._azure_core import AioHttpTransport as _AioHttpTransport
from ._azure_core import CIMultiDict as _CIMultiDict
from ._azure_core import RestAioHttpTransportResponse, header_pairs
from .bodies import DEFAULT_MAX_RESPONSE_BYTES, BodyReader, check_max_response_bytes
from .idle import QuietCheck, quiet
from .proxy import EnvironmentProxies, choose_proxy_url, split_origin
from .tls import TLSContexts

__all__ = ["AioHttpTransport"]

DEFAULT_BLOCK_SIZE = 4096  # the slices `iter_bytes()` yields from an already-read body (azure-core's default)
_NO_CONTENT_TYPE = ("Content-Type",)  # a request without a body: aiohttp adds no Content-Type of its own
_MOST_REMEMBERED = 1024  # proxy choices (one per origin) and socket timeouts (one per distinct pair) kept

# Sessions a child process inherited: never used, closed or collected there.
_INHERITED: list[Any] = []


def _expired(what: str, exc: Optional[BaseException] = None) -> ServiceResponseTimeoutError:
    return ServiceResponseTimeoutError(f"The answer was not complete within {what}.", error=exc)


def _failure(exc: BaseException) -> BaseException:
    """The azure-core error for a failure while a body is read (the exception itself when it is one already)."""
    if isinstance(exc, AzureError):
        return exc
    if isinstance(exc, aiohttp.ClientPayloadError):
        return IncompleteReadError(exc, error=exc)
    if isinstance(exc, asyncio.TimeoutError):
        return ServiceResponseTimeoutError(exc, error=exc)
    if isinstance(exc, aiohttp.ClientError):
        return ServiceResponseError(exc, error=exc)
    return exc


async def _next_piece(internal: Any, deadline: Optional[float]) -> bytes:
    """What has arrived of a body (b"" at its end), within the stream's deadline if any."""
    if deadline is None:
        return cast(bytes, await internal.content.readany())
    left = deadline - time.monotonic()
    if left <= 0:
        raise _expired("stream_timeout")
    try:
        return cast(bytes, await asyncio.wait_for(internal.content.readany(), left))
    except asyncio.TimeoutError as exc:
        if deadline - time.monotonic() <= 0:
            raise _expired("stream_timeout", exc) from exc
        raise


async def _body_pieces(pipeline: Any = None, response: Any = None, decompress: bool = True) -> AsyncIterator[bytes]:
    """The body of one of our responses as it arrives, decoded and counted (its `stream_download_generator`)."""
    del pipeline
    reader = BodyReader(response, response.limit, decompress)
    internal: Any = response.raw
    deadline: Optional[float] = response.deadline
    try:
        while True:
            chunk = await _next_piece(internal, deadline)
            if not chunk:
                break
            for piece in reader.feed(chunk):
                yield piece
    except BaseException as exc:
        internal.close()
        error = _failure(exc)
        if error is exc:
            raise
        raise error from exc
    internal.close()  # read to its end: aiohttp has released the connection already


async def _whole_body(response: "_Response", reader: BodyReader) -> bytes:
    """The whole body of a response with no stream deadline, decoded and counted; the connection is released."""
    internal: Any = response.raw
    content: Any = internal.content
    parts: list[bytes] = []
    try:
        while True:
            chunk = await content.readany()
            if not chunk:
                break
            parts.extend(reader.feed(chunk))
    except BaseException as exc:
        internal.close()
        error = _failure(exc)
        if error is exc:
            raise
        raise error from exc
    internal.close()  # read to its end: aiohttp has released the connection already
    return parts[0] if len(parts) == 1 else b"".join(parts)


# The public names azure-core's rest responses store under a private name when they are set.
_PUBLIC_FIELDS = frozenset(
    ("block_size", "internal_response", "request", "status_code", "headers", "reason", "content_type", "stream_download")
)


class _Response(RestAioHttpTransportResponse):
    """azure-core's aiohttp rest response, whose body is read by our bounded reader (`_body_pieces`,
    `_whole_body`); its fields are set without azure-core's per-assignment cost, and closing it releases the
    connection without an extra turn of the event loop."""

    def __init__(  # pylint: disable=super-init-not-called  # the fields azure-core's constructors set, set here
        self, *, request: HttpRequest, internal: Any, block_size: int, limit: Optional[int], deadline: Optional[float]
    ) -> None:
        headers: Any = _CIMultiDict(internal.headers)  # azure-core's view of aiohttp's headers (repeated joined)
        fields: Any = self.__dict__
        fields.update(
            _request=request,
            _internal_response=internal,
            _block_size=block_size or DEFAULT_BLOCK_SIZE,
            _status_code=internal.status,
            _reason=internal.reason,
            _content_type=headers.get("content-type"),
            _headers=headers,
            _stream_download_generator=_body_pieces,
            _is_closed=False,
            _is_stream_consumed=False,
            _json=None,
            _content=None,
            _text=None,
            _decompress=True,
            _decompressed_content=False,
            raw=internal,  # `internal_response`, without its slow backcompat lookup
            limit=limit,
            deadline=deadline,
        )

    def __setattr__(self, name: str, value: Any) -> None:
        # What azure-core's response does on every assignment (setting one of a few public names sets its
        # private field), without the cost.
        object.__setattr__(self, "_" + name if name in _PUBLIC_FIELDS else name, value)

    @property
    def content(self) -> bytes:
        if self._content is None:
            raise ResponseNotReadError(self)
        return self._content  # always decoded by our reader

    async def read(self) -> bytes:
        if self._content is None:
            self._stream_download_check()  # type: ignore[no-untyped-call]  # pyright: ignore[reportUnknownMemberType]
            if self.deadline is None:
                self._content = await _whole_body(self, BodyReader(self, self.limit))
            else:
                self._content = b"".join([piece async for piece in _body_pieces(response=self)])
            self._decompressed_content = True
        self._is_stream_consumed = True
        await self.close()
        return self._content

    async def close(self) -> None:
        if not self._is_closed:
            self._is_closed = True
            self.raw.close()

    async def load(self, reader: BodyReader) -> None:
        """Read the whole body now (the transport's answer to a request that is not streamed)."""
        content = await _whole_body(self, reader)  # a new response: neither consumed nor closed yet
        fields: Any = self.__dict__
        fields.update(_content=content, _decompressed_content=True, _is_stream_consumed=True, _is_closed=True)


# ---------------------------------------------------------------------------------------------- clean reuse


def _bytes_waiting(transport: Any) -> bool:
    """Whether the socket under an idle connection has something to read (bytes, or the peer's close) that the
    event loop has not delivered yet; True when that cannot be told."""
    raw: Any = transport.get_extra_info("socket") if transport is not None else None
    if raw is None:
        return False
    own: Any = getattr(raw, "_sock", None)  # the event loop's socket under asyncio's wrapper, non-blocking
    if isinstance(own, socket.socket):
        return _peek(own)
    try:
        fd: int = raw.fileno()
    except (OSError, ValueError):
        return True
    if fd < 0:
        return True
    peek = socket.socket(fileno=fd)  # the same descriptor, left non-blocking as the event loop set it
    try:
        return _peek(peek)
    finally:
        peek.detach()  # the descriptor stays the event loop's


_PEEK_FLAGS = socket.MSG_PEEK | getattr(socket, "MSG_DONTWAIT", 0)


def _peek(sock: socket.socket) -> bool:
    """Whether a non-blocking socket has a byte to read, or the peer's close; True when that cannot be told."""
    clean = quiet(sock)
    if clean is not None:
        return not clean
    try:
        sock.recv(1, _PEEK_FLAGS)
    except (BlockingIOError, InterruptedError):
        return False  # nothing to read: clean
    except OSError:
        return True
    return True  # bytes nobody asked for, or b"" (the server closed it)


class _Protocol(ResponseHandler):
    """aiohttp's protocol, which counts the bytes it receives, so that a connection on which anything arrived
    while it sat in the pool is not used again (see `_Connector`)."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(loop)
        self.received = 0  # bytes delivered by the event loop
        self.idle_mark: Optional[int] = None  # `received` when the connection went back to the pool
        self._quiet: Optional[QuietCheck] = None  # the socket's quiet check, made on the first reuse

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
        check = self._quiet
        if check is None:  # the socket stays this connection's while it is connected (checked just above)
            raw: Any = self.transport.get_extra_info("socket") if self.transport is not None else None
            check = self._quiet = QuietCheck(raw)
        clean = check()
        return clean if clean is not None else not _bytes_waiting(self.transport)


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


def _headers(request: HttpRequest) -> Any:
    """A request's headers for aiohttp, in their order and case."""
    return multidict.CIMultiDict(header_pairs(request.headers))


def _sent_then_reset(exc: aiohttp.ClientError) -> bool:
    """Whether aiohttp's failure came after the request went out (the peer closed or reset the connection)."""
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return True
    return isinstance(exc, aiohttp.ClientOSError) and not isinstance(exc, aiohttp.ClientConnectorError)


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
        self._client_timeouts: dict[tuple[Any, Any], aiohttp.ClientTimeout] = {}

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
        # Remembered by the URL up to the first "/" after "//": the same text there is the same origin.
        end = url.find("/", url.find("//") + 2)
        key = url if end < 0 else url[:end]
        if not proxies:
            try:
                return self._proxy_choice[key]
            except KeyError:
                pass
        parts = urlsplit(split_origin(url)[0])
        chosen = choose_proxy_url(
            parts.scheme, parts.hostname or "", parts.port, (proxies, self._proxies), self._environment
        )
        if not proxies and len(self._proxy_choice) < _MOST_REMEMBERED:
            self._proxy_choice[key] = chosen
        return chosen

    def _build_ssl_config(self, cert: Any, verify: Any) -> Union[bool, ssl.SSLContext]:
        """One TLS context per distinct (verify, cert), trusting the same CA bundle as the sync transport."""
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

    def _timeouts(self, config: dict[str, Any]) -> aiohttp.ClientTimeout:
        """aiohttp's socket timeouts for `connection_timeout` and `read_timeout` (made once per distinct pair)."""
        key = (
            config.pop("connection_timeout", self.connection_config.timeout),
            config.pop("read_timeout", self.connection_config.read_timeout),
        )
        timeouts = self._client_timeouts.get(key)
        if timeouts is None:
            timeouts = aiohttp.ClientTimeout(sock_connect=key[0], sock_read=key[1])
            if len(self._client_timeouts) < _MOST_REMEMBERED:  # calls may pass a different timeout every time
                self._client_timeouts[key] = timeouts
        return timeouts

    def _form_data(self, request: HttpRequest) -> Any:
        """The files of a request as aiohttp form data, as azure-core's transport makes them."""
        base: Any = super()
        return base._get_request_data(request)

    def _request_options(self, request: HttpRequest, config: dict[str, Any]) -> dict[str, Any]:
        """aiohttp's keywords for a request, as azure-core's transport makes them: the proxy (ours), the TLS
        context (https only), the socket timeouts, the body, and no `Content-Type` of aiohttp's own."""
        url = request.url
        if "proxy" in config:  # aiohttp's own keyword, when given, as azure-core takes it
            proxy = config.pop("proxy")
            proxies: Optional[Mapping[str, str]] = config.pop("proxies", None)
            if proxies and not proxy:
                proxy = next((proxies[p] for p in sorted(proxies, reverse=True) if url.startswith(p)), None)
        else:
            proxy = self._proxy_for(url, config.pop("proxies", None))
        cert = config.pop("connection_cert", self.connection_config.cert)
        verify = config.pop("connection_verify", self.connection_config.verify)
        if url[:6].lower() == "https:":  # else no TLS context to build (nor a CA bundle to load)
            config["ssl"] = self._build_ssl_config(cert, verify)
        config["timeout"] = self._timeouts(config)
        fields: Any = request  # `request.data` and `request.files` without azure-core's backcompat lookups
        data: Any = fields._data if fields._files is None else self._form_data(request)
        if not data and not fields._files:
            config["skip_auto_headers"] = _NO_CONTENT_TYPE
        config["data"] = data
        config["proxy"] = proxy
        config["allow_redirects"] = False
        return config

    async def _send(
        self, request: HttpRequest, stream: bool, limit: int, stream_deadline: Optional[float], config: Any
    ) -> _Response:
        session: Any = self.session
        if session is None or not self._has_been_opened:
            await self.open()
            session = self.session
        options = self._request_options(request, config)
        try:
            internal: Any = await session.request(request.method, request.url, headers=_headers(request), **options)
        except aiohttp.ClientResponseError as exc:
            raise ServiceResponseError(exc, error=exc) from exc
        except aiohttp.ConnectionTimeoutError as exc:
            raise ServiceRequestTimeoutError(exc, error=exc) from exc
        except asyncio.TimeoutError as exc:
            raise ServiceResponseTimeoutError(exc, error=exc) from exc
        except aiohttp.ClientError as exc:
            if _sent_then_reset(exc):
                raise ServiceResponseError(exc, error=exc) from exc
            raise ServiceRequestError(exc, error=exc) from exc
        try:
            response = _Response(
                request=request,
                internal=internal,
                block_size=self.connection_config.data_block_size,
                limit=limit,
                deadline=stream_deadline,
            )
            reader = BodyReader(response, limit)  # refuses an announced length over the limit at once
            if not stream:
                await response.load(reader)
        except BaseException:
            internal.close()
            raise
        return response
