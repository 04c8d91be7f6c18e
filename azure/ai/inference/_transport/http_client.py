# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""`HttpClientTransport`: azure-core's sync `HttpTransport` contract on the standard library's `http.client`;
`send` as a short sequence of named steps over the parts in `encoding`, `proxy`, `tls`, `pool` and `responses`.

The sync clients' default transport: it needs no package beyond the standard library and imports fast.

Strategy: a small pool of idle keep-alive connections per route (origin, proxy and TLS settings), at most
`pool_maxsize` each and `num_pools` routes (the least recently used route's idle connections are closed past
that). Everything that does not change from one request to the next is worked out once:

- the environment (`HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY`, `NO_PROXY`, `REQUESTS_CA_BUNDLE`, `CURL_CA_BUNDLE`,
  `SSL_CERT_FILE`) is read at construction, and the route of each origin is decided on its first request;
- the TLS settings become one `ssl.SSLContext` per distinct (verify, cert) pair.

Per-call keywords that azure-core passes to `send` (`stream`, `connection_timeout`, `read_timeout`,
`connection_verify`, `connection_cert`, `proxies`) override the constructor's settings for that request.
Redirects and retries are left to azure-core's policies. Errors are azure-core's: failing to connect (DNS, refused,
TLS, proxy tunnel) `ServiceRequestError` (`ServiceRequestTimeoutError` for a connect timeout); a failure once the
request is being sent (reset, timeout, malformed answer) `ServiceResponseError`; a body cut short
`IncompleteReadError`. An http proxy is reached in clear text; https requests go through it in a CONNECT tunnel,
with `Proxy-Authorization` from the credentials in the proxy URL.

Responses are azure-core rest responses (`HttpResponseImpl`). A non-streamed response is read whole, and its
connection given back to the pool, before `send` returns; a streamed one delivers each piece of the body as it
arrives, gzip and deflate decoded (by `bodies.BodyReader`, in bounded steps) for `iter_bytes()`, raw for
`iter_raw()`. Closing a response gives its connection back to the pool when the body was read to its end, or
when all that is left of a chunked body is its end and that end has already arrived (a stream closed right after
`[DONE]`); otherwise the connection is cut (socket shutdown, which wakes a read blocked in another thread) and
closed. `close()` on the transport closes the idle connections and cuts those still reading.

Bounds: `max_response_bytes` after decompression, `deadline` and `stream_deadline` (a
`bodies.Deadline` cuts the connection when its time is up); interim `1xx` answers are skipped; a transport used
again after `os.fork()` never reuses a connection another process opened.
"""

from __future__ import annotations

import collections
import enum
import http.client
import os
import socket
import ssl
import threading
from typing import Any, Callable, Mapping, Optional, Union, cast, overload
from urllib.parse import urlsplit

from azure.core.exceptions import (
    AzureError,
    ServiceRequestError,
    ServiceRequestTimeoutError,
    ServiceResponseTimeoutError,
)
from azure.core.pipeline.transport import HttpRequest as LegacyHttpRequest
from azure.core.pipeline.transport import HttpResponse as LegacyHttpResponse
from azure.core.pipeline.transport import HttpTransport
from azure.core.rest import HttpRequest, HttpResponse

from .._core.headers import check_header_fields
from .bodies import DEFAULT_MAX_RESPONSE_BYTES, BodyReader, Deadline, check_max_response_bytes, detach
from .encoding import body_and_headers
from .pool import Connection, Pool, Route, connection_maker, pid_of, shutdown, sock_of
from .proxy import EnvironmentProxies, choose_proxy_url, proxy_headers, split_origin
from .responses import (
    DEFAULT_BLOCK_SIZE,
    READ_SIZE,
    Exchange,
    HttpClientLegacyTransportResponse,
    HttpClientTransportResponse,
    response_error,
    timed_out,
)
from .tls import Cert, TLSContexts, Verify, as_cert

__all__ = ["HttpClientTransport"]

DEFAULT_TIMEOUT = 300.0  # seconds, connect and read, as azure-core's ConnectionConfiguration
DEFAULT_POOL_MAXSIZE = 10  # idle connections kept alive per route
DEFAULT_NUM_POOLS = 10  # routes whose idle connections are kept

Timeouts = Union[None, float, tuple[Optional[float], Optional[float]]]


class Unset(enum.Enum):
    """Marks a keyword argument that was not given (None is a meaningful timeout)."""

    UNSET = 0


UNSET = Unset.UNSET


class HttpClientTransport(HttpTransport[HttpRequest, HttpResponse]):  # pylint: disable=too-many-instance-attributes
    """A sync azure-core transport on the standard library's `http.client`, with keep-alive connection pools.

    The sync clients' default. Pass one yourself to set its options:
    `ChatCompletionsClient(endpoint, credential, transport=HttpClientTransport(pool_maxsize=4))`.
    One transport can serve several clients and threads; closing a client closes its transport.

    :keyword connection_timeout: Seconds to wait for a connection (default 300), or a (connect, read) tuple.
    :keyword read_timeout: Seconds to wait for each read of the response (default 300); None waits forever.
    :keyword connection_verify: True (default) to verify TLS certificates, False not to, or the path of a CA
     bundle file or directory.
    :keyword connection_cert: A client certificate: the path of a file holding the certificate and its key, or
     a (certificate, key) tuple of paths.
    :keyword proxies: Proxies by scheme (`{"https": "http://proxy:3128"}`; also `"all"`, `"http://host"`); they
     win over the environment's. Proxies are reached over http; https requests go through a CONNECT tunnel.
    :keyword use_env_settings: Whether to read the proxies and CA bundle from the environment (default True).
     The environment is read once, here: later changes to it are not seen.
    :keyword connection_data_block_size: The size of the pieces `iter_bytes()` yields from a body already read
     (default 4096); a streamed body is yielded as it arrives.
    :keyword pool_maxsize: Idle connections kept alive per origin (default 10).
    :keyword num_pools: Origins whose idle connections are kept (default 10).
    :keyword max_response_bytes: The most bytes a response body may hold once decompressed (default 256 MiB);
     a larger one raises `ResponseTooLargeError`. Also a per-request keyword of `send`.

    Other keywords (the rest of a client's options) are accepted and ignored, so that a client's keyword
    arguments can be passed on as they are.
    """

    # The clients pass `max_response_bytes`, `deadline` and `stream_deadline` to transports that say so.
    accepts_call_limits = True

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
        self._cert = as_cert(connection_cert)
        self._proxies: dict[str, str] = dict(proxies or {})
        self._use_env_settings = use_env_settings
        self._block_size = connection_data_block_size or DEFAULT_BLOCK_SIZE
        self._read_size = connection_data_block_size or READ_SIZE
        self._pool_maxsize = max(1, pool_maxsize)
        self._num_pools = max(1, num_pools)

        # The environment, read once.
        self._environment = EnvironmentProxies.read() if use_env_settings else None
        self._tls = TLSContexts(use_env_settings)  # one TLS context per distinct (verify, cert) setting

        self._lock = threading.RLock()  # reentrant: a response collected while it is held releases through it
        self._open = False
        self._has_been_opened = False
        # route key -> route, least recently used first
        self._routes: "collections.OrderedDict[Any, Route]" = collections.OrderedDict()
        self._in_use: set[Connection] = set()  # connections carrying a request or a response being read
        self._pid = os.getpid()

    # -- lifecycle

    def __enter__(self) -> "HttpClientTransport":
        self.open()
        return self

    def __exit__(self, *args: Any) -> None:
        self.close()

    def open(self) -> None:
        """Make the transport ready; a transport that was closed cannot be opened again."""
        if self._open:
            return
        if self._has_been_opened:
            raise ValueError(
                "HTTP transport has already been closed. "
                "You may check if you're calling a function outside of the `with` of your client creation, "
                "or if you called `close()` on your client already."
            )
        self._open = self._has_been_opened = True

    def close(self) -> None:
        """Close every idle connection and cut those still in use (a reader blocked on one returns at once)."""
        with self._lock:
            self._open = False
            routes = list(self._routes.values())
            self._routes.clear()
            in_use, self._in_use = self._in_use, set()
        for route in routes:
            route.pool.close()
        pid = os.getpid()
        for conn in in_use:
            if pid_of(conn) == pid:
                shutdown(sock_of(conn))
            conn.close()  # the socket itself closes once its response lets go of it

    def forget(self, conn: Connection) -> None:
        """A connection is no longer in use (released to its pool or closed)."""
        with self._lock:
            self._in_use.discard(conn)

    def _after_fork(self) -> None:
        """In a child process: forget the parent's connections (closed here, left open for the parent)."""
        with self._lock:
            self._pid = os.getpid()
            routes = list(self._routes.values())
            self._routes.clear()
            self._in_use = set()
        for route in routes:
            route.pool.close()

    # -- routes

    def _route(self, origin: str, proxies: Optional[Mapping[str, str]], tls: Optional[tuple[Verify, Cert]]) -> Route:
        key: Any = origin
        if proxies is not None or tls is not None:  # per-call settings: a route of their own
            key = (origin, tuple(sorted(proxies.items())) if proxies is not None else None, tls)
        with self._lock:
            route = self._routes.get(key)
            if route is not None:
                self._routes.move_to_end(key)
                return route
        route = self._new_route(origin, proxies, tls)
        evicted: list[Route] = []
        with self._lock:
            if not self._open:
                raise ValueError("The transport is closed.")
            self._routes[key] = route
            while len(self._routes) > self._num_pools:
                evicted.append(self._routes.popitem(last=False)[1])
        for old in evicted:
            old.pool.close()
        return route

    def _new_route(
        self, origin: str, proxies: Optional[Mapping[str, str]], tls: Optional[tuple[Verify, Cert]]
    ) -> Route:
        """How requests to an origin go out: direct, through an http proxy, or in a CONNECT tunnel through it.
        Explicit proxies (per call, then the constructor's) win; then the environment's, unless bypassed
        (`proxy.choose_proxy_url`, the decision the async transport makes too); decided once per route."""
        parts = urlsplit(origin)
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https"):
            raise ValueError(f"Unsupported URL scheme {parts.scheme!r}: only http and https are supported")
        host = parts.hostname
        if not host:
            raise ValueError(f"The URL has no host: {origin!r}")
        port = parts.port or (443 if scheme == "https" else 80)
        proxy_url = choose_proxy_url(scheme, host, port, (proxies, self._proxies), self._environment)
        context = self._tls.get(*(tls or (self._verify, self._cert))) if scheme == "https" else None
        if proxy_url is None:
            return self._new_pool(connection_maker(host, port, context, None, None))
        proxy_parts = urlsplit(proxy_url)
        if proxy_parts.scheme.lower() != "http" or not proxy_parts.hostname:
            raise ValueError(
                f"Unsupported proxy {proxy_parts.scheme}://{proxy_parts.hostname}: HttpClientTransport reaches "
                "proxies over http:// only (use transport=RequestsTransport() for other kinds)"
            )
        auth = proxy_headers(proxy_url)
        proxy_host, proxy_port = proxy_parts.hostname, proxy_parts.port or 80
        if scheme == "https":  # a CONNECT tunnel through the proxy, TLS inside it
            return self._new_pool(connection_maker(proxy_host, proxy_port, context, (host, port), auth))
        # Through an http proxy, plain http requests name the whole URL and carry the proxy's credentials.
        return self._new_pool(connection_maker(proxy_host, proxy_port, None, None, None), True, auth or None)

    def _new_pool(
        self, make: Callable[[], Connection], absolute: bool = False, extra_headers: Optional[dict[str, str]] = None
    ) -> Route:
        """A route with a pool of its own connections (`make`)."""
        return Route(Pool(self._pool_maxsize, make), absolute=absolute, extra_headers=extra_headers)

    # -- sending

    @overload
    def send(self, request: HttpRequest, **kwargs: Any) -> HttpResponse: ...

    @overload
    def send(self, request: LegacyHttpRequest, **kwargs: Any) -> LegacyHttpResponse: ...

    def send(  # pylint: disable=too-many-locals,too-many-branches,too-many-statements
        self,
        request: Union[HttpRequest, LegacyHttpRequest],
        *,
        stream: bool = False,
        proxies: Optional[Mapping[str, str]] = None,
        connection_timeout: Union[Timeouts, Unset] = UNSET,
        read_timeout: Union[Optional[float], Unset] = UNSET,
        connection_verify: Union[Verify, Unset] = UNSET,
        connection_cert: Union[Cert, Unset] = UNSET,
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
        if not self._open:
            self.open()
        limit = self._max_response_bytes if max_response_bytes is None else check_max_response_bytes(max_response_bytes)
        connect, read = self._timeouts(connection_timeout, read_timeout)
        route, target, body, headers = self._prepare(request, proxies, connection_verify, connection_cert)
        watch = _call_deadline(deadline, stream_deadline if stream else None)
        conn, raw = self._exchange(route, request.method, target, body, headers, (connect, read), watch)
        exchange = Exchange(raw, conn, route.pool, self)
        if watch is not None:
            watch = _body_deadline(exchange, conn, watch, stream, stream_deadline)
        return self._response(request, exchange, stream, limit, watch)

    def _timeouts(
        self, connection_timeout: Union[Timeouts, Unset], read_timeout: Union[Optional[float], Unset]
    ) -> tuple[Optional[float], Optional[float]]:
        """The connect and read timeouts of a request: the call's, else the transport's."""
        connect: Any = self._connection_timeout if connection_timeout is UNSET else connection_timeout
        if isinstance(connect, tuple):
            if read_timeout is not UNSET:
                raise ValueError("Cannot set tuple connection_timeout and read_timeout together")
            return cast("tuple[Optional[float], Optional[float]]", connect)
        return connect, (self._read_timeout if read_timeout is UNSET else read_timeout)

    def _prepare(
        self,
        request: Union[HttpRequest, LegacyHttpRequest],
        proxies: Optional[Mapping[str, str]],
        connection_verify: Union[Verify, Unset],
        connection_cert: Union[Cert, Unset],
    ) -> tuple[Route, str, Any, dict[str, str]]:
        """The route, the request target, and the body and headers to send. `ServiceRequestError` when the URL,
        proxy, TLS files or body cannot be used; `ValueError` for a header that must not go out (before any
        connection is made)."""
        tls: Optional[tuple[Verify, Cert]] = None
        if connection_verify is not UNSET or connection_cert is not UNSET:
            verify = self._verify if connection_verify is UNSET else connection_verify
            cert = as_cert(self._cert if connection_cert is UNSET else connection_cert)
            if (verify, cert) != (self._verify, self._cert):
                tls = (verify, cert)
        url = request.url
        origin, target = split_origin(url)
        try:
            route = self._route(origin, proxies, tls)
            body, headers = body_and_headers(request)
        except (ValueError, ssl.SSLError, OSError) as exc:
            raise ServiceRequestError(exc, error=exc) from exc
        if route.extra_headers:
            headers.update(route.extra_headers)
        check_header_fields(headers.items(), latin1=True)  # ValueError before connecting: no injected header goes out
        return route, (url if route.absolute else target), body, headers

    def _exchange(
        self,
        route: Route,
        method: str,
        target: str,
        body: Any,
        headers: dict[str, str],
        timeouts: tuple[Optional[float], Optional[float]],
        watch: Optional[Deadline],
    ) -> tuple[Connection, http.client.HTTPResponse]:
        """Take a connection from the route's pool (connecting a new one), send the request on it and read the
        answer's head. On a failure the connection is closed and the azure-core error raised."""
        conn, reused = route.pool.get()
        with self._lock:
            self._in_use.add(conn)
        sent = False
        try:
            if watch is None:
                detach(conn)
            else:
                watch.attach(conn)
            if conn.sock is None:
                _connect(conn, timeouts, watch)
            elif reused:
                conn.sock.settimeout(timeouts[1])
            sent = True
            encode_chunked = "chunked" in str(headers.get("Transfer-Encoding", "")).lower()
            conn.request(method, target, body=body, headers=headers, encode_chunked=encode_chunked)
            raw = conn.getresponse()
        except BaseException as exc:
            if watch is not None:
                watch.cancel()
            self.forget(conn)
            conn.close()
            if not isinstance(exc, Exception):
                raise
            raise _send_error(exc, watch, sent) from exc
        if conn.sock is not None:
            setattr(conn, "_inference_sock", conn.sock)
        return conn, raw

    def _response(
        self,
        request: Union[HttpRequest, LegacyHttpRequest],
        exchange: Exchange,
        stream: bool,
        limit: int,
        watch: Optional[Deadline],
    ) -> Union[HttpClientTransportResponse, HttpClientLegacyTransportResponse]:
        """The response to return: its body read whole unless `stream`; the connection released on a failure."""
        try:
            response: Union[HttpClientTransportResponse, HttpClientLegacyTransportResponse]
            if isinstance(request, HttpRequest):
                response = HttpClientTransportResponse(
                    request=request,
                    exchange=exchange,
                    block_size=self._block_size,
                    read_size=self._read_size,
                    limit=limit,
                    deadline=watch,
                )
                if stream:
                    BodyReader(response, limit)  # refuses an announced length over the limit at once
            else:
                response = HttpClientLegacyTransportResponse(request, exchange, self._block_size, self._read_size)
            if not stream:
                response.read_whole()  # its reader refuses an announced length over the limit before reading
        except BaseException:
            if watch is not None:
                watch.cancel()
            exchange.release(cut=False)
            raise
        return response


# ---------------------------------------------------------------------------------------------- send's steps


def _call_deadline(deadline: Optional[float], stream_deadline: Optional[float]) -> Optional[Deadline]:
    """The watchdog of a call's first deadline (`deadline`, or a streamed call's `stream_deadline` when that
    comes first), armed; None without either. `ServiceResponseTimeoutError` when it has already passed."""
    first = deadline
    if stream_deadline is not None:
        first = stream_deadline if deadline is None else min(deadline, stream_deadline)
    if first is None:
        return None
    watch = Deadline(first, "the call's timeout" if first == deadline else "stream_timeout")
    if watch.left() <= 0:
        raise ServiceResponseTimeoutError(f"The answer was not complete within {watch.what}.")
    return watch.arm()


def _connect(conn: Connection, timeouts: tuple[Optional[float], Optional[float]], watch: Optional[Deadline]) -> None:
    """Connect a new connection: within the connect timeout, and the deadline if it is sooner."""
    limit, read = timeouts
    if watch is not None and (limit is None or limit > watch.left()):
        limit = max(watch.left(), 0.001)  # connecting is bounded by the deadline too
    conn.timeout = limit
    conn.read_timeout = read
    conn.connect()


def _send_error(exc: Exception, watch: Optional[Deadline], sent: bool) -> AzureError:
    """The azure-core error for a failure to connect, send, or read the answer's head."""
    late = timed_out(exc, watch)
    if late is not None:
        return late
    if not sent:
        if isinstance(exc, (socket.timeout, TimeoutError)):
            return ServiceRequestTimeoutError(f"Could not connect in time: {exc}", error=exc)
        return ServiceRequestError(exc, error=exc)
    if isinstance(exc, ValueError) and not isinstance(exc, http.client.HTTPException):
        return ServiceRequestError(exc, error=exc)  # http.client refused the request as given
    return response_error(exc, watch)


def _body_deadline(
    exchange: Exchange, conn: Connection, watch: Deadline, stream: bool, stream_deadline: Optional[float]
) -> Optional[Deadline]:
    """The deadline of the body once the head has arrived: the call's still, or for a stream its own
    `stream_deadline` (None without one). `ServiceResponseTimeoutError` when the call's already cut the head."""
    if watch.expired:  # the headers seemed to end where the connection was cut
        exchange.release()
        raise ServiceResponseTimeoutError(f"The answer was not complete within {watch.what}.")
    if not stream or (stream_deadline is not None and watch.what == "stream_timeout"):
        return watch
    watch.cancel()  # the headers arrived in time; the body has a deadline of its own, if any
    if stream_deadline is None:
        return None
    body_watch = Deadline(stream_deadline, "stream_timeout").arm()
    body_watch.attach(conn)
    return body_watch
