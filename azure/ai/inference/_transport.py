# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""`Urllib3Transport`: azure-core's sync `HttpTransport` contract on urllib3 (2.0 or later), without `requests`.

Not the default (that is `_http_transport.HttpClientTransport`, on the standard library): select it with
`transport=Urllib3Transport()` (`pip install azure-ai-inference[urllib3]`) for what http.client lacks, such as
https:// and SOCKS proxies. It shares the request building, proxy and TLS helpers of `_http_transport`.

Strategy: one `urllib3.PoolManager` per transport (plus one `ProxyManager` per proxy in use) keeps connections
alive; everything that does not change from one request to the next is worked out once and cached:

- the environment (`HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY`, `NO_PROXY`, `REQUESTS_CA_BUNDLE`, `CURL_CA_BUNDLE`,
  `SSL_CERT_FILE`) is read at construction, and the proxy decision for each origin (scheme, host and port) is
  made on its first request and remembered;
- each origin's connection pool is looked up once, then reused while it stays open;
- the TLS settings become one `ssl.SSLContext` per distinct (verify, cert) pair, built on the first https
  request, so certificates are not parsed again for every new connection;
- the urllib3 `Timeout` of each (connect, read) pair is built once.

Per-call keywords that azure-core passes to `send` (`stream`, `connection_timeout`, `read_timeout`,
`connection_verify`, `connection_cert`, `proxies`) override the constructor's settings for that request.
Redirects and retries are left to azure-core's `RedirectPolicy` and `RetryPolicy`: urllib3 follows no
redirect and retries nothing. urllib3 errors become the azure-core errors the requests transport raises:
connection failures `ServiceRequestError`, failures after the request was sent (timeouts, resets)
`ServiceResponseError`, a body cut short `IncompleteReadError`.

Responses are azure-core rest responses (`HttpResponseImpl`). A non-streamed response is read whole (and its
connection released) before `send` returns; a streamed one delivers each piece of the body as it arrives, gzip
and deflate decoded for `iter_bytes()`, raw for `iter_raw()`. Closing a response returns its connection to the
pool when the body was read to its end, and closes the connection otherwise, cutting it first (socket shutdown)
so that a read blocked in another thread returns at once.

Bounds (see `_bodies`): every body, streamed or not, is decoded in bounded steps and may hold at most
`max_response_bytes` decoded bytes (`ResponseTooLargeError` past it); `deadline` (a `time.monotonic()` value)
ends a request whose answer (headers and, unless streamed, body) is not complete by then, and
`stream_deadline` ends a streamed body that is not read to its end by then (`ServiceResponseTimeoutError`), even
against a server that sends one byte at a time. Interim `1xx` answers (`103 Early Hints`) before the final one
are skipped. A transport used again after `os.fork()` never reuses a connection the parent process opened.
"""

from __future__ import annotations

import http.client
import os
import socket
import ssl
import threading
from typing import Any, Iterator, Mapping, Optional, Union, overload
from urllib.parse import urlsplit
from urllib.request import getproxies, getproxies_environment, proxy_bypass

import urllib3
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool
from urllib3.exceptions import ConnectTimeoutError
from urllib3.exceptions import DecodeError as Urllib3DecodeError
from urllib3.exceptions import (
    HTTPError,
    LocationValueError,
    NewConnectionError,
    PoolError,
    ProxyError,
    ReadTimeoutError,
    SSLError,
)
from urllib3.response import BaseHTTPResponse
from urllib3.util.ssl_ import create_urllib3_context

from azure.core.exceptions import (
    AzureError,
    DecodeError,
    IncompleteReadError,
    ServiceRequestError,
    ServiceRequestTimeoutError,
    ServiceResponseError,
    ServiceResponseTimeoutError,
)
from azure.core.pipeline.transport import HttpRequest as LegacyHttpRequest
from azure.core.pipeline.transport import HttpResponse as LegacyHttpResponse
from azure.core.pipeline.transport import HttpTransport
from azure.core.rest import HttpRequest, HttpResponse
from azure.core.rest._http_response_impl import (  # pyright: ignore[reportPrivateUsage]
    HttpResponseImpl,
)

from ._bodies import DEFAULT_MAX_RESPONSE_BYTES, BodyReader, Deadline, check_max_response_bytes, detach
from ._http_transport import DEFAULT_BLOCK_SIZE, DEFAULT_NUM_POOLS, DEFAULT_POOL_MAXSIZE, DEFAULT_TIMEOUT
from ._http_transport import PUBLIC_FIELDS as _PUBLIC_FIELDS
from ._http_transport import UNSET as _UNSET
from ._http_transport import Cert, Timeouts, Verify
from ._http_transport import FinalResponse as _FinalResponse
from ._http_transport import Unset as _Unset
from ._http_transport import as_cert as _as_cert
from ._http_transport import body_and_headers as _body_and_headers
from ._http_transport import default_ca_bundle as _default_ca_bundle
from ._http_transport import load_trust, pick_proxy as _pick_proxy
from ._http_transport import proxy_bypass_environment as _proxy_bypass_environment
from ._http_transport import proxy_headers as _proxy_headers
from ._http_transport import split_origin as _split_origin
from ._http_transport import stream_download as _stream_download
from ._http_transport import timed_out as _timed_out

__all__ = ["Urllib3Transport", "Urllib3TransportResponse", "Urllib3LegacyTransportResponse"]

_READ_SIZE = 65536  # the most one read of a streamed body returns; a read returns what has arrived, not more
_NO_RETRIES = urllib3.Retry(total=False, redirect=False)  # azure-core's policies retry and redirect

# ---------------------------------------------------------------------------------------------- responses


def _is_incomplete(exc: BaseException) -> bool:
    """Whether a urllib3 error says the body ended before its announced end."""
    if isinstance(exc, http.client.IncompleteRead):
        return True
    return any(isinstance(arg, http.client.IncompleteRead) for arg in exc.args)


def _response_error(exc: Exception) -> AzureError:
    """The azure-core error for a failure while reading a response (headers or body)."""
    if isinstance(exc, ReadTimeoutError):
        return ServiceResponseTimeoutError(exc, error=exc)
    if isinstance(exc, Urllib3DecodeError):
        return DecodeError(exc, error=exc)
    if _is_incomplete(exc):
        return IncompleteReadError(exc, error=exc)
    return ServiceResponseError(exc, error=exc)


def _request_error(exc: Exception) -> AzureError:
    """The azure-core error for a failure of `urlopen`: before the request was sent, or while waiting for or
    reading the response (a response read whole inside `urlopen`)."""
    if isinstance(exc, ReadTimeoutError):  # before PoolError: urllib3 derives one from the other
        return ServiceResponseTimeoutError(exc, error=exc)
    if isinstance(exc, NewConnectionError):  # before ConnectTimeoutError: urllib3 derives one from the other
        return ServiceRequestError(exc, error=exc)
    if isinstance(exc, ConnectTimeoutError):
        return ServiceRequestTimeoutError(exc, error=exc)
    if isinstance(exc, (SSLError, ProxyError, PoolError, LocationValueError)):
        return ServiceRequestError(exc, error=exc)
    return _response_error(exc)


def _release(raw: BaseHTTPResponse, cut: bool = False) -> None:
    """Give the connection back to its pool: kept alive when the body was read to its end (urllib3 has then
    released it already), closed first otherwise, so that the pool opens a new one in its place. `cut` shuts an
    unfinished connection's socket down first, which wakes a read blocked on it in another thread (closing
    alone would wait for that read); never a connection of another process."""
    if cut:
        conn: Any = getattr(raw, "_connection", None)
        sock: Any = getattr(conn, "sock", None) or getattr(conn, "_inference_sock", None)
        if sock is not None and getattr(conn, "_inference_pid", None) == os.getpid():
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
    raw.close()
    raw.release_conn()


def _body_chunks(raw: BaseHTTPResponse, reader: BodyReader, size: int, deadline: Optional[Deadline]) -> Iterator[bytes]:
    """The body, one piece per read as it arrives, decoded and counted by `reader`.

    A chunked body is read chunk by chunk (each as soon as it is complete); any other body one read at a time,
    each returning what has arrived (at most `size` bytes) rather than waiting for `size` bytes. The deadline,
    if any, is disarmed when the body ends, fails or is closed.
    """
    try:
        if raw.chunked and isinstance(raw, urllib3.HTTPResponse) and raw.supports_chunked_reads():
            for chunk in raw.read_chunked(size, decode_content=False):
                yield from reader.feed(chunk)
        else:
            read1 = raw.read1
            while True:
                chunk = read1(size, decode_content=False)
                if not chunk:
                    break
                yield from reader.feed(chunk)
        if deadline is not None and deadline.expired:  # the end was the cut, not the body's own end
            raise _timed_out(EOFError("connection cut"), deadline) or ServiceResponseTimeoutError("timeout")
    except (HTTPError, OSError, http.client.HTTPException, ValueError) as exc:
        _release(raw)
        raise (_timed_out(exc, deadline) or _response_error(exc)) from exc
    except AzureError:
        _release(raw)
        raise
    finally:
        if deadline is not None:
            deadline.cancel()


class Urllib3TransportResponse(HttpResponseImpl):
    """An `azure.core.rest.HttpResponse` read from a urllib3 response (`internal_response`).

    Status, reason, headers (case-insensitive; urllib3's `HTTPHeaderDict`) and content type come from the
    urllib3 response; `read()`, `content`, `text()`, `json()`, `iter_bytes()`, `iter_raw()`, `close()` and the
    rest behave as azure-core's own rest responses do.
    """

    def __init__(
        self,
        *,
        request: HttpRequest,
        internal_response: BaseHTTPResponse,
        block_size: int = DEFAULT_BLOCK_SIZE,
        read_size: int = _READ_SIZE,
        content: Optional[bytes] = None,
        limit: Optional[int] = None,
        deadline: Optional[Deadline] = None,
    ) -> None:
        headers = internal_response.headers
        super().__init__(  # pyright: ignore[reportUnknownMemberType]
            request=request,
            internal_response=internal_response,
            block_size=block_size,
            status_code=internal_response.status,
            reason=internal_response.reason or "",
            headers=headers,
            content_type=headers.get("Content-Type"),
            stream_download_generator=_stream_download,
        )
        self._raw = internal_response
        self._read_size = read_size
        self._limit = limit
        self._deadline = deadline
        if content is not None:  # read whole by the transport: consumed and closed, as azure-core leaves it
            self._set_content(content)

    def _set_content(self, content: bytes) -> None:
        self._content = content
        self._is_stream_consumed = True
        self._is_closed = True

    def read_whole(self) -> None:
        """Read the body now (decoded, within the limit) and release the connection."""
        self._set_content(b"".join(self.body_chunks()))
        _release(self._raw)

    def __setattr__(self, name: str, value: Any) -> None:
        # What azure-core's response does on every assignment (setting one of a few public names sets its
        # private field), without the cost: every response sets a dozen fields.
        object.__setattr__(self, "_" + name if name in _PUBLIC_FIELDS else name, value)

    def body_chunks(self, decompress: bool = True) -> Iterator[bytes]:
        """The body as it arrives from the network (what `iter_bytes()` and `iter_raw()` read)."""
        return _body_chunks(self._raw, BodyReader(self, self._limit, decompress), self._read_size, self._deadline)

    def close(self) -> None:
        """Release the connection; one still being read is cut, so that a reader in another thread returns."""
        if not self._is_closed:
            self._is_closed = True
            if self._deadline is not None:
                self._deadline.cancel()
            _release(self._raw, cut=True)


class Urllib3LegacyTransportResponse(LegacyHttpResponse):
    """The response to a legacy `azure.core.pipeline.transport.HttpRequest`: `body()`, `text()` and
    `stream_download(pipeline)` over a urllib3 response."""

    def __init__(
        self,
        request: LegacyHttpRequest,
        internal_response: BaseHTTPResponse,
        block_size: int = DEFAULT_BLOCK_SIZE,
        read_size: int = _READ_SIZE,
        content: Optional[bytes] = None,
    ) -> None:
        super().__init__(request, internal_response, block_size=block_size)
        self._raw = internal_response
        self._read_size = read_size
        self._content = content
        self.status_code = internal_response.status
        self.headers = internal_response.headers
        self.reason = internal_response.reason
        self.content_type = internal_response.headers.get("Content-Type")

    def read_whole(self) -> None:
        """Read the body now and release the connection."""
        self.body()

    def body(self) -> bytes:
        if self._content is None:
            self._content = b"".join(self.body_chunks())
            _release(self._raw)
        return self._content

    def body_chunks(self, decompress: bool = True) -> Iterator[bytes]:
        return _body_chunks(self._raw, BodyReader(self, None, decompress), self._read_size, None)

    def stream_download(self, pipeline: Any, **kwargs: Any) -> Iterator[bytes]:
        """The body as it arrives; `decompress=False` leaves gzip/deflate encoded bytes as they are."""
        decompress = kwargs.pop("decompress", True)
        if kwargs:
            raise TypeError(f"Got an unexpected keyword argument: {next(iter(kwargs))}")
        return _stream_download(pipeline, self, decompress=bool(decompress))


# ---------------------------------------------------------------------------------------------- requests


# ---------------------------------------------------------------------------------------------- proxies


def _ssl_context(verify: Verify, cert: Cert, default_ca: Optional[str]) -> ssl.SSLContext:
    """One TLS context for every connection with these settings (urllib3's defaults, our trust store)."""
    context = create_urllib3_context(cert_reqs=ssl.CERT_NONE if verify is False else ssl.CERT_REQUIRED)
    return load_trust(context, verify, cert, default_ca)


def _close_pools(manager: urllib3.PoolManager) -> None:
    """Close a manager's pools now (urllib3 would only close them once they are garbage collected)."""
    pools = manager.pools
    for key in list(pools.keys()):
        pool = pools.get(key)
        if pool is not None:
            pool.close()
    manager.clear()


# The call whose request a thread is sending, so that its connection can be cut when its deadline passes.
_SENDING = threading.local()


class _Connection(HTTPConnection):
    """urllib3's connection, which reads the final answer after interim ones, remembers the process that opened
    it, and tells the call being sent (if it has a deadline) which connection carries it."""

    response_class = _FinalResponse

    def connect(self) -> None:
        self._inference_pid = os.getpid()
        super().connect()

    def request(self, *args: Any, **kwargs: Any) -> None:  # pyright: ignore[reportIncompatibleMethodOverride]
        deadline: Optional[Deadline] = getattr(_SENDING, "deadline", None)
        if deadline is None:
            detach(self)
        else:
            deadline.attach(self)
        super().request(*args, **kwargs)

    def getresponse(self) -> Any:  # pyright: ignore[reportIncompatibleMethodOverride]
        # http.client forgets the socket of an answer that closes the connection; it can still be cut.
        self._inference_sock = self.sock
        return super().getresponse()


class _TLSConnection(HTTPSConnection):
    """`_Connection`'s twin for https."""

    response_class = _FinalResponse

    def connect(self) -> None:
        self._inference_pid = os.getpid()
        super().connect()

    def request(self, *args: Any, **kwargs: Any) -> None:  # pyright: ignore[reportIncompatibleMethodOverride]
        deadline: Optional[Deadline] = getattr(_SENDING, "deadline", None)
        if deadline is None:
            detach(self)
        else:
            deadline.attach(self)
        super().request(*args, **kwargs)

    def getresponse(self) -> Any:  # pyright: ignore[reportIncompatibleMethodOverride]
        # http.client forgets the socket of an answer that closes the connection; it can still be cut.
        self._inference_sock = self.sock
        return super().getresponse()


class _Route:
    """How requests to one origin go out: the pool to use and whether the target is the absolute URL."""

    __slots__ = ("pool", "absolute")

    def __init__(self, pool: HTTPConnectionPool, absolute: bool) -> None:
        self.pool = pool
        self.absolute = absolute


# ---------------------------------------------------------------------------------------------- transport


class Urllib3Transport(HttpTransport[HttpRequest, HttpResponse]):  # pylint: disable=too-many-instance-attributes
    """A sync azure-core transport on urllib3, with connection pooling and keep-alive.

    Pass it to any client: `ChatCompletionsClient(endpoint, credential, transport=Urllib3Transport())`.
    One transport can serve several clients and threads; closing a client closes its transport.

    :keyword connection_timeout: Seconds to wait for a connection (default 300), or a (connect, read) tuple.
    :keyword read_timeout: Seconds to wait for each read of the response (default 300); None waits forever.
    :keyword connection_verify: True (default) to verify TLS certificates, False not to, or the path of a CA
     bundle file or directory.
    :keyword connection_cert: A client certificate: the path of a file holding the certificate and its key, or
     a (certificate, key) tuple of paths.
    :keyword proxies: Proxies by scheme (`{"https": "http://proxy:3128"}`; also `"all"`, `"http://host"`); they
     win over the environment's.
    :keyword use_env_settings: Whether to read the proxies and CA bundle from the environment (default True).
     The environment is read once, here: later changes to it are not seen.
    :keyword connection_data_block_size: The size of the pieces `iter_bytes()` yields from a body already read
     (default 4096); a streamed body is yielded as it arrives.
    :keyword pool_maxsize: Connections kept alive per origin (default 10).
    :keyword num_pools: Origins whose connections are kept (default 10).
    :keyword max_response_bytes: The most bytes a response body may hold once decompressed (default 256 MiB);
     a larger one raises `ResponseTooLargeError`. Also a per-request keyword of `send`.

    Other keywords (the rest of a client's options) are accepted and ignored, so that a client's keyword
    arguments can be passed on as they are.
    """

    def __init__(
        self,
        *,
        connection_timeout: Timeouts = DEFAULT_TIMEOUT,
        read_timeout: Optional[float] = DEFAULT_TIMEOUT,
        connection_verify: Verify = True,
        connection_cert: Cert = None,
        proxies: Optional[Mapping[str, str]] = None,
        use_env_settings: bool = True,
        connection_data_block_size: Optional[int] = None,
        pool_maxsize: int = DEFAULT_POOL_MAXSIZE,
        num_pools: int = DEFAULT_NUM_POOLS,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        **kwargs: Any,
    ) -> None:
        del kwargs  # the rest of a client's options: not the transport's business
        self._max_response_bytes = check_max_response_bytes(max_response_bytes)
        self._connection_timeout = connection_timeout
        self._read_timeout = read_timeout
        self._verify = connection_verify
        self._cert = _as_cert(connection_cert)
        self._proxies: dict[str, str] = dict(proxies or {})
        self._use_env_settings = use_env_settings
        self._block_size = connection_data_block_size or DEFAULT_BLOCK_SIZE
        self._read_size = connection_data_block_size or _READ_SIZE
        self._pool_maxsize = pool_maxsize
        self._num_pools = num_pools

        # The environment, read once.
        self._env_proxies: dict[str, str] = {}
        self._env_bypass: Optional[Mapping[str, str]] = None  # the mapping holding NO_PROXY, when from the env
        if use_env_settings:
            environment = getproxies_environment()
            found = environment or getproxies()  # the system's settings (macOS, Windows) when the env has none
            self._env_bypass = environment if environment else None
            self._env_proxies = {key: value for key, value in found.items() if key != "no" and value}
        self._default_ca = _default_ca_bundle(use_env_settings)

        self._manager: Optional[urllib3.PoolManager] = None
        self._proxy_managers: dict[str, urllib3.PoolManager] = {}
        # origin ("scheme://host:port") -> route; (origin, per-call proxies, per-call TLS) -> route
        self._routes: dict[Union[str, tuple[Any, ...]], _Route] = {}
        self._env_choice: dict[str, Optional[str]] = {}  # origin -> environment proxy (None: direct)
        self._contexts: dict[tuple[Verify, Cert], ssl.SSLContext] = {}
        self._timeouts: dict[tuple[Optional[float], Optional[float]], urllib3.Timeout] = {}
        self._has_been_opened = False
        self._pid = os.getpid()

    # -- lifecycle

    def __enter__(self) -> "Urllib3Transport":
        self.open()
        return self

    def __exit__(self, *args: Any) -> None:
        self.close()

    def open(self) -> None:
        """Create the connection pools; a transport that was closed cannot be opened again."""
        if self._manager is not None:
            return
        if self._has_been_opened:
            raise ValueError(
                "HTTP transport has already been closed. "
                "You may check if you're calling a function outside of the `with` of your client creation, "
                "or if you called `close()` on your client already."
            )
        self._manager = urllib3.PoolManager(num_pools=self._num_pools, maxsize=self._pool_maxsize, retries=False)
        self._has_been_opened = True

    # The clients pass `max_response_bytes`, `deadline` and `stream_deadline` to transports that say so.
    accepts_call_limits = True

    def _after_fork(self) -> None:
        """In a child process: forget the parent's connections (closed here, left open for the parent)."""
        self._pid = os.getpid()
        if self._manager is not None:
            self.close()
            self._manager = urllib3.PoolManager(num_pools=self._num_pools, maxsize=self._pool_maxsize, retries=False)

    def close(self) -> None:
        """Close every idle connection; connections still reading a response close when it is released."""
        managers = [self._manager, *self._proxy_managers.values()]
        self._manager = None
        self._proxy_managers.clear()
        self._routes.clear()
        for manager in managers:
            if manager is not None:
                _close_pools(manager)

    # -- settings

    def _timeout(self, connect: Timeouts, read: Union[Optional[float], _Unset]) -> urllib3.Timeout:
        if isinstance(connect, tuple):
            if read is not _UNSET:
                raise ValueError("Cannot set tuple connection_timeout and read_timeout together")
            connect, read = connect
        elif read is _UNSET:
            read = self._read_timeout
        key = (connect, read)
        timeout = self._timeouts.get(key)
        if timeout is None:
            timeout = self._timeouts[key] = urllib3.Timeout(connect=connect, read=read)
        return timeout

    def _tls(self, verify: Verify, cert: Cert) -> dict[str, Any]:
        """Pool keywords for these TLS settings: one shared SSLContext per distinct pair."""
        key = (verify, cert)
        context = self._contexts.get(key)
        if context is None:
            context = self._contexts[key] = _ssl_context(verify, cert, self._default_ca)
        return {"ssl_context": context}

    def _env_proxy(self, origin: str, scheme: str, host: str, netloc: str) -> Optional[str]:
        """The environment's proxy for an origin, or None when it is to be reached directly (decided once)."""
        try:
            return self._env_choice[origin]
        except KeyError:
            pass
        proxy = _pick_proxy(self._env_proxies, scheme, host) if self._env_proxies else None
        if proxy is not None:
            if self._env_bypass is not None:
                bypass = _proxy_bypass_environment(netloc, self._env_bypass)  # matches host:port and host
            else:
                bypass = bool(proxy_bypass(host))
            if bypass:
                proxy = None
        self._env_choice[origin] = proxy
        return proxy

    def _choose_proxy(
        self, origin: str, scheme: str, host: str, netloc: str, proxies: Optional[Mapping[str, str]]
    ) -> Optional[str]:
        """Explicit proxies (per call, then the constructor's) win; then the environment's, unless bypassed."""
        for given in (proxies, self._proxies):
            if given:
                proxy = _pick_proxy(given, scheme, host)
                if proxy is not None:
                    return proxy
        if not self._use_env_settings:
            return None
        if proxies and proxies.get("no_proxy"):
            if _proxy_bypass_environment(netloc, {"no": proxies["no_proxy"]}):
                return None
        return self._env_proxy(origin, scheme, host, netloc)

    def _proxy_manager(self, proxy_url: str) -> urllib3.PoolManager:
        """The pool manager for a proxy, made on first use."""
        manager = self._proxy_managers.get(proxy_url)
        if manager is None:
            if "://" not in proxy_url:
                proxy_url = "http://" + proxy_url
            options: dict[str, Any] = {"num_pools": self._num_pools, "maxsize": self._pool_maxsize, "retries": False}
            if proxy_url.lower().startswith("socks"):
                from urllib3.contrib.socks import (  # pylint: disable=import-outside-toplevel
                    SOCKSProxyManager,
                )

                manager = SOCKSProxyManager(proxy_url, **options)
            else:
                manager = urllib3.ProxyManager(proxy_url, proxy_headers=_proxy_headers(proxy_url), **options)
            self._proxy_managers[proxy_url] = manager
        return manager

    def _route(
        self,
        url: str,
        proxies: Optional[Mapping[str, str]],
        tls: Optional[tuple[Verify, Cert]],
    ) -> tuple[_Route, str]:
        """The route for a URL and the part of the URL after the origin (path and query)."""
        origin, target = _split_origin(url)
        key: Union[str, tuple[Any, ...]] = origin
        if proxies is not None or tls is not None:  # per-call settings: a route of their own
            key = (origin, tuple(sorted(proxies.items())) if proxies is not None else None, tls)
        route = self._routes.get(key)
        if route is None or route.pool.pool is None:  # a pool that urllib3 closed is not reused
            route = self._routes[key] = self._new_route(origin, proxies, tls)
        return route, target

    def _new_route(
        self, origin: str, proxies: Optional[Mapping[str, str]], tls: Optional[tuple[Verify, Cert]]
    ) -> _Route:
        manager = self._manager
        if manager is None:
            raise ValueError("The transport is closed.")
        parts = urlsplit(origin)
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https"):
            raise ValueError(f"Unsupported URL scheme {parts.scheme!r}: only http and https are supported")
        host = parts.hostname
        if not host:
            raise ValueError(f"The URL has no host: {origin!r}")
        netloc = parts.netloc.rsplit("@", 1)[-1].lower()
        port = parts.port
        proxy = self._choose_proxy(origin, scheme, host, netloc, proxies)
        pool_kwargs: Optional[dict[str, Any]] = None
        if scheme == "https":
            pool_kwargs = self._tls(*(tls or (self._verify, self._cert)))
        if proxy is not None:
            manager = self._proxy_manager(proxy)
        pool_host = f"[{host}]" if ":" in host else host
        pool = manager.connection_from_host(pool_host, port, scheme, pool_kwargs=pool_kwargs)
        connection_type: Any = _TLSConnection if scheme == "https" else _Connection
        pool.ConnectionCls = connection_type
        # Through an HTTP proxy, plain http requests name the whole URL; https ones go through a CONNECT tunnel.
        forwarded = proxy is not None and scheme == "http" and not proxy.lower().startswith("socks")
        return _Route(pool, absolute=forwarded)

    # -- sending

    @overload
    def send(self, request: HttpRequest, **kwargs: Any) -> HttpResponse: ...

    @overload
    def send(self, request: LegacyHttpRequest, **kwargs: Any) -> LegacyHttpResponse: ...

    def send(  # pylint: disable=too-many-locals
        self,
        request: Union[HttpRequest, LegacyHttpRequest],
        *,
        stream: bool = False,
        proxies: Optional[Mapping[str, str]] = None,
        connection_timeout: Union[Timeouts, _Unset] = _UNSET,
        read_timeout: Union[Optional[float], _Unset] = _UNSET,
        connection_verify: Union[Verify, _Unset] = _UNSET,
        connection_cert: Union[Cert, _Unset] = _UNSET,
        max_response_bytes: Optional[int] = None,
        deadline: Optional[float] = None,
        stream_deadline: Optional[float] = None,
        **kwargs: Any,
    ) -> Union[HttpResponse, LegacyHttpResponse]:
        """Send a request and return its response (read whole unless `stream=True`).

        :param request: An `azure.core.rest.HttpRequest` (or a legacy `azure.core.pipeline.transport.HttpRequest`).
        :keyword stream: Whether to leave the body to be read (`iter_bytes()`, `read()`) rather than read it now.
        :keyword proxies: Proxies for this request, as in the constructor.
        :keyword connection_timeout: As in the constructor, for this request.
        :keyword read_timeout: As in the constructor, for this request.
        :keyword connection_verify: As in the constructor, for this request.
        :keyword connection_cert: As in the constructor, for this request.
        :keyword max_response_bytes: As in the constructor, for this request.
        :keyword deadline: A `time.monotonic()` time by which the answer must be complete (its headers, and its
         body unless `stream=True`); the connection is cut then and `ServiceResponseTimeoutError` raised.
        :keyword stream_deadline: With `stream=True`, the time by which the body must be read to its end.
        :return: The response; an `azure.core.rest.HttpResponse` for a rest request.
        :raises ~azure.core.exceptions.ServiceRequestError: when the request could not be sent.
        :raises ~azure.core.exceptions.ServiceResponseError: when the response could not be read.
        """
        del kwargs  # other pipeline options are not the transport's business
        if self._pid != os.getpid():
            self._after_fork()
        if self._manager is None:
            self.open()
        limit = self._max_response_bytes if max_response_bytes is None else check_max_response_bytes(max_response_bytes)
        timeout = self._timeout(
            self._connection_timeout if connection_timeout is _UNSET else connection_timeout, read_timeout
        )
        tls: Optional[tuple[Verify, Cert]] = None
        if connection_verify is not _UNSET or connection_cert is not _UNSET:
            verify = self._verify if connection_verify is _UNSET else connection_verify
            cert = self._cert if connection_cert is _UNSET else connection_cert
            cert = _as_cert(cert)
            if (verify, cert) != (self._verify, self._cert):
                tls = (verify, cert)
        url = request.url
        try:
            route, target = self._route(url, proxies, tls)
        except (HTTPError, ValueError, ssl.SSLError, OSError) as exc:
            raise ServiceRequestError(exc, error=exc) from exc
        body, headers = _body_and_headers(request)
        first = deadline
        if stream and stream_deadline is not None:
            first = stream_deadline if deadline is None else min(deadline, stream_deadline)
        watch = None
        if first is not None:
            watch = Deadline(first, "the call's timeout" if first == deadline else "stream_timeout")
            if watch.left() <= 0:
                raise ServiceResponseTimeoutError(f"The answer was not complete within {watch.what}.")
            watch.arm()
            connect: Any = timeout.connect_timeout
            if not isinstance(connect, (int, float)) or connect > watch.left():  # connecting is bounded too
                timeout = urllib3.Timeout(connect=max(watch.left(), 0.001), read=timeout.read_timeout)
        _SENDING.deadline = watch
        try:
            raw = route.pool.urlopen(
                request.method,
                url if route.absolute else target,
                body=body,
                headers=headers,
                retries=_NO_RETRIES,
                redirect=False,
                assert_same_host=False,
                timeout=timeout,
                preload_content=False,
                decode_content=False,
            )
        except (HTTPError, OSError, http.client.HTTPException, ValueError) as exc:
            if watch is not None:
                watch.cancel()
            raise (_timed_out(exc, watch) or _request_error(exc)) from exc
        finally:
            _SENDING.deadline = None
        if watch is not None and watch.expired:  # the headers seemed to end where the connection was cut
            _release(raw)
            raise ServiceResponseTimeoutError(f"The answer was not complete within {watch.what}.")
        if stream and watch is not None and (stream_deadline is None or watch.what != "stream_timeout"):
            watch.cancel()  # the headers arrived in time; the body has a deadline of its own, if any
            watch = None
            if stream_deadline is not None:
                watch = Deadline(stream_deadline, "stream_timeout").arm()
                watch.attach(raw.connection)
        try:
            response: Union[Urllib3TransportResponse, Urllib3LegacyTransportResponse]
            if isinstance(request, HttpRequest):
                response = Urllib3TransportResponse(
                    request=request,
                    internal_response=raw,
                    block_size=self._block_size,
                    read_size=self._read_size,
                    limit=limit,
                    deadline=watch,
                )
                BodyReader(response, limit)  # refuses an announced length over the limit at once
            else:
                response = Urllib3LegacyTransportResponse(request, raw, self._block_size, self._read_size)
            if not stream:
                response.read_whole()
        except BaseException:
            if watch is not None:
                watch.cancel()
            _release(raw)
            raise
        return response
