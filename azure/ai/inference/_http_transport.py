# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""`HttpClientTransport`: azure-core's sync `HttpTransport` contract on the standard library's `http.client`.

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
arrives, gzip and deflate decoded (by `_bodies.BodyReader`, in bounded steps) for `iter_bytes()`, raw for
`iter_raw()`. Closing a response gives its connection back to the pool when the body was read to its end, or
when all that is left of a chunked body is its end and that end has already arrived (a stream closed right after
`[DONE]`); otherwise the connection is cut (socket shutdown, which wakes a read blocked in another thread) and
closed. `close()` on the transport closes the idle connections and cuts those still reading.

Bounds: `max_response_bytes` after decompression, `deadline` and `stream_deadline` (a
`_bodies.Deadline` cuts the connection when its time is up); interim `1xx` answers are skipped; a transport used
again after `os.fork()` never reuses a connection another process opened.
"""

from __future__ import annotations

import collections
import enum
import http.client
import os
import re
import socket
import ssl
import threading
import time
import uuid
from typing import Any, Callable, Iterator, Mapping, Optional, Union, cast, overload
from urllib.parse import quote, urlencode, urlsplit

from azure.core.exceptions import (
    AzureError,
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
from azure.core.utils import CaseInsensitiveDict

from ._bodies import DEFAULT_MAX_RESPONSE_BYTES, BodyReader, Deadline, check_max_response_bytes, detach
from ._policies import check_header_fields
from ._proxy import EnvironmentProxies, choose_proxy, proxy_headers

__all__ = ["HttpClientTransport", "HttpClientTransportResponse", "HttpClientLegacyTransportResponse"]

DEFAULT_TIMEOUT = 300.0  # seconds, connect and read, as azure-core's ConnectionConfiguration
DEFAULT_POOL_MAXSIZE = 10  # idle connections kept alive per route
DEFAULT_NUM_POOLS = 10  # routes whose idle connections are kept
DEFAULT_BLOCK_SIZE = 4096  # the slices `iter_bytes()` yields from an already-read body (azure-core's default)
READ_SIZE = 65536  # the most one read of a streamed body returns; a read returns what has arrived, not more

# What the requests transport sent when the request did not say: kept so that servers answer alike.
DEFAULT_HEADERS = (("Accept-Encoding", "accept-encoding", "gzip, deflate"), ("Accept", "accept", "*/*"))

Timeouts = Union[None, float, tuple[Optional[float], Optional[float]]]
Verify = Union[bool, str]
Cert = Union[None, str, tuple[str, str]]


class Unset(enum.Enum):
    """Marks a keyword argument that was not given (None is a meaningful timeout)."""

    UNSET = 0


UNSET = Unset.UNSET


# ---------------------------------------------------------------------------------------------- shared helpers
# (also used by the async transport, `aio._aiohttp`)


def stream_download(pipeline: Any, response: Any, decompress: bool = True) -> Iterator[bytes]:
    """The `stream_download_generator` of our responses; called as azure-core's rest responses call it
    (`response=..., pipeline=None, decompress=...`) and as the legacy `stream_download(pipeline)` does."""
    del pipeline  # not needed to read the body
    chunks: Iterator[bytes] = response.body_chunks(decompress)
    return chunks


# The public names azure-core's rest responses store under a private name when they are set.
PUBLIC_FIELDS = frozenset(
    (
        "block_size",
        "internal_response",
        "request",
        "status_code",
        "headers",
        "reason",
        "content_type",
        "stream_download",
    )
)


def _file_length(body: Any) -> Optional[int]:
    """The bytes left in a seekable file-like body, or None when that cannot be known."""
    try:
        position: int = body.tell()
        end: int = body.seek(0, os.SEEK_END)
        body.seek(position)
    except (AttributeError, OSError, ValueError):
        return None
    return end - position


def _form_fields(data: Any) -> list[tuple[str, str]]:
    """Form data (a mapping of field to value or list of values) as name/value pairs."""
    items: Any = data.items() if hasattr(data, "items") else data
    fields: list[tuple[str, str]] = []
    for name, value in items:
        values: Any = cast(Any, value) if isinstance(value, (list, tuple)) else (value,)
        one: Any
        for one in values:
            if one is not None:
                fields.append((str(name), one.decode("utf-8") if isinstance(one, bytes) else str(one)))
    return fields


def _quoted(value: str) -> str:
    """A value for a `Content-Disposition` parameter: quotes, backslashes and line breaks escaped."""
    return quote(value, safe=" !#$%&'()*+,-./:;<=>?@[]^_`{|}~")


def multipart(data: Any, files: Any) -> tuple[bytes, str]:
    """A multipart/form-data body (RFC 7578) and its content type, from form fields and files: each file a
    value, a file object, or a (filename, content[, content type[, headers]]) tuple, as requests takes them."""
    boundary = uuid.uuid4().hex
    parts: list[bytes] = []

    def part(
        name: str,
        payload: Any,
        filename: Optional[str],
        content_type: Optional[str],
        extra: Optional[Mapping[str, str]],
    ) -> None:
        disposition = f'form-data; name="{_quoted(name)}"'
        if filename is not None:
            disposition += f'; filename="{_quoted(filename)}"'
        lines = [f"--{boundary}", f"Content-Disposition: {disposition}"]
        if content_type:
            lines.append(f"Content-Type: {content_type}")
        for key, value in (extra or {}).items():
            lines.append(f"{key}: {value}")
        if isinstance(payload, str):
            payload = payload.encode("utf-8")
        parts.append("\r\n".join(lines).encode("utf-8") + b"\r\n\r\n" + bytes(payload) + b"\r\n")

    for name, value in _form_fields(data or {}):
        part(name, value, None, None, None)
    items: Any = files.items() if hasattr(files, "items") else files
    for name, spec in items:
        filename: Optional[str] = None
        content_type: Optional[str] = None
        headers: Any = None
        if isinstance(spec, (tuple, list)):
            values: tuple[Any, ...] = tuple(cast("list[Any]", spec))
            filename, content = values[0], values[1]
            content_type = values[2] if len(values) > 2 else None
            headers = values[3] if len(values) > 3 else None
        else:
            content = spec
            filename = os.path.basename(str(getattr(spec, "name", "") or "")) or str(name)
        payload: Any = content.read() if hasattr(content, "read") else content
        part(str(name), payload, filename, content_type or "application/octet-stream", headers)
    parts.append(f"--{boundary}--\r\n".encode("ascii"))
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def _without(headers: dict[str, str], lowered: set[str], name: str) -> None:
    """Remove a header from a plain dict whatever the case of its name."""
    if name in lowered:
        for key in [key for key in headers if key.lower() == name]:
            del headers[key]
        lowered.discard(name)


def body_and_headers(request: Union[HttpRequest, LegacyHttpRequest]) -> tuple[Any, dict[str, str]]:
    """The body to send and the headers to send with it (a copy: the request is not changed).

    Bytes and text get an exact `Content-Length`; form data is URL-encoded; files make a multipart body;
    file-like objects and iterables are streamed, with `Content-Length` when it can be known and chunked
    transfer encoding otherwise.
    """
    headers = dict(request.headers)
    lowered = {name.lower() for name in headers}
    for name, lower, value in DEFAULT_HEADERS:
        if lower not in lowered:
            headers[name] = value
    data: Any
    if isinstance(request, HttpRequest):
        data = request.content
        if data.__class__ is bytes:  # what our clients send: nothing to work out
            length = str(len(data))
            if headers.get("Content-Length") != length:
                _without(headers, lowered, "content-length")
                headers["Content-Length"] = length
            return data or None, headers
        files: Any = None
        if data is not None and not isinstance(data, (bytes, str)):
            # `content` is the form data if any, else the files: ask for each
            data, files = request.data, request.files
    else:
        data, files = request.data, request.files
    if isinstance(data, str):
        data = data.encode("utf-8")
    elif isinstance(data, (bytearray, memoryview)):
        data = bytes(cast(bytes, data))
    if files:
        data, content_type = multipart(data, files)
        _without(headers, lowered, "content-type")
        headers["Content-Type"] = content_type
    elif isinstance(data, Mapping):
        data = urlencode(_form_fields(data)).encode("ascii")
    if isinstance(data, bytes):
        _without(headers, lowered, "content-length")
        _without(headers, lowered, "transfer-encoding")
        headers["Content-Length"] = str(len(data))
        return data or None, headers
    if data is None:
        return None, headers
    if "transfer-encoding" in lowered:
        _without(headers, lowered, "content-length")
    elif "content-length" not in lowered and hasattr(data, "read"):
        size = _file_length(data)
        if size is not None:
            headers["Content-Length"] = str(size)
    return data, headers


def as_cert(cert: Any) -> Cert:
    """A client certificate setting in a hashable form (a list of two paths becomes a tuple)."""
    if isinstance(cert, (list, tuple)):
        paths = cast("list[Any]", cert)
        return (str(paths[0]), str(paths[1]))
    return cast(Cert, cert)


def default_ca_bundle(use_env_settings: bool) -> Optional[str]:
    """The CA bundle used when `connection_verify` is True: `REQUESTS_CA_BUNDLE`, `CURL_CA_BUNDLE` or
    `SSL_CERT_FILE` from the environment, else certifi's bundle (requests' default), else None (the system's)."""
    if use_env_settings:
        for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE"):
            value = os.environ.get(name)
            if value:
                return value
    try:
        import certifi  # pylint: disable=import-outside-toplevel
    except ImportError:
        return None
    return certifi.where()


def _unreadable(what: str, path: str, exc: Exception) -> ServiceRequestError:
    """The error for a CA bundle or client certificate that cannot be loaded, naming the file."""
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return ServiceRequestError(f"Could not load the {what} {path!r}: {reason}", error=exc)


def load_trust(context: ssl.SSLContext, verify: Verify, cert: Cert, default_ca: Optional[str]) -> ssl.SSLContext:
    """Load the CA bundle (unless `verify` is False) and the client certificate into a TLS context.

    :raises ~azure.core.exceptions.ServiceRequestError: naming the file, when one cannot be loaded (missing,
     unreadable, not PEM).
    """
    if verify is False:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    else:
        context.verify_mode = ssl.CERT_REQUIRED
        ca = verify if isinstance(verify, str) else default_ca
        if ca is None:
            context.load_default_certs()
        else:
            try:
                if os.path.isdir(ca):
                    context.load_verify_locations(capath=ca)
                else:
                    context.load_verify_locations(cafile=ca)
            except (OSError, ValueError) as exc:  # ssl.SSLError is an OSError
                raise _unreadable("CA bundle", ca, exc) from exc
    if cert is not None:
        try:
            if isinstance(cert, str):
                context.load_cert_chain(cert)
            else:
                context.load_cert_chain(cert[0], cert[1])
        except (OSError, ValueError) as exc:
            raise _unreadable("client certificate", cert if isinstance(cert, str) else cert[0], exc) from exc
    return context


def ssl_context(verify: Verify, cert: Cert, default_ca: Optional[str]) -> ssl.SSLContext:
    """One TLS context for every connection with these settings: TLS 1.2 or later, hostnames checked."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.set_alpn_protocols(["http/1.1"])
    return load_trust(context, verify, cert, default_ca)


def split_origin(url: str) -> tuple[str, str]:
    """`scheme://host:port` and the request target (path and query, at least `/`) of an absolute URL."""
    start = url.find("://") + 3
    end = len(url)
    for mark in "/?#":
        found = url.find(mark, start)
        if 0 <= found < end:
            end = found
    target = url[end:].split("#", 1)[0]
    if not target.startswith("/"):
        target = "/" + target
    return url[:end], target


_MAX_INTERIM = 100  # interim (1xx) answers skipped before a final one, at most
_MAX_HEADER_LINE = 65536
_MAX_HEADERS = 100
_MAX_CHUNK_LINE = 4096  # a chunk's size line, extensions included

# chunk = chunk-size [ chunk-ext ] CRLF (RFC 9112 7.1): hex digits only (no sign, `0x` or `_`, which Python's
# int() takes), at most 16 of them after leading zeros; whitespace only before an extension.
_CHUNK_SIZE = re.compile(rb"0*([0-9A-Fa-f]{1,16})[ \t]*(?:;[^\r\n]*)?\r\n")
_DIGITS = re.compile(r"[0-9]+")


class FramingError(http.client.HTTPException):
    """The answer's framing (Content-Length, Transfer-Encoding, chunks) cannot be trusted: where it ends, and so
    where the next answer on the connection would begin, is unknown. The connection is closed, never reused."""


def _content_length(values: list[str]) -> Optional[int]:
    """The one length that Content-Length fields announce: each a number, and all the same (RFC 9110 8.6 lets
    a recipient accept `5, 5` or the same field twice); FramingError otherwise."""
    numbers: set[int] = set()
    for value in values:
        for item in value.split(","):
            text = item.strip(" \t")
            if not _DIGITS.fullmatch(text):
                raise FramingError(f"The answer's Content-Length is not a number: {text[:40]!r}.")
            numbers.add(int(text))
    if len(numbers) > 1:
        raise FramingError(
            "The answer has Content-Length fields that differ ("
            + ", ".join(str(number) for number in sorted(numbers)[:4])
            + "): where its body ends is unknown."
        )
    return numbers.pop() if numbers else None


class FinalResponse(http.client.HTTPResponse):
    """http.client's response, which skips every interim `1xx` answer (`103 Early Hints`, ...) before the final
    one, as http.client itself skips only `100 Continue` (`101` is final), and reads its framing strictly: one
    Content-Length value, `Transfer-Encoding: chunked` alone and never with Content-Length, chunk sizes of hex
    digits on a bounded CRLF line, CRLF after each chunk's data, a bounded trailer. Anything else is a
    `FramingError` at once (http.client takes `+1f`, `0x1f`, `1_f` and `-5` as chunk sizes and the first of two
    Content-Length values)."""

    def begin(self) -> None:
        super().begin()
        fields = self.msg
        lengths = fields.get_all("Content-Length") or []
        codings = fields.get_all("Transfer-Encoding") or []
        if codings:
            if len(codings) > 1 or codings[0].strip(" \t").lower() != "chunked":
                raise FramingError(f"The answer's Transfer-Encoding is not supported: {', '.join(codings)[:60]!r}.")
            if lengths:
                raise FramingError("The answer has both Transfer-Encoding and Content-Length.")
            return
        length = _content_length(lengths)
        if length is not None and self.length is None and not self.chunked:
            # http.client could not read `5, 5`: it would read to the end of the connection instead.
            if not (self.status in (204, 304) or 100 <= self.status < 200 or getattr(self, "_method", None) == "HEAD"):
                self.length = length

    def _read_next_chunk_size(self) -> int:  # pyright: ignore[reportIncompatibleMethodOverride]
        line: bytes = self.fp.readline(_MAX_CHUNK_LINE + 1)
        if len(line) > _MAX_CHUNK_LINE:
            raise FramingError(f"A chunk size line of the answer is longer than {_MAX_CHUNK_LINE} bytes.")
        match = _CHUNK_SIZE.fullmatch(line)
        if match is None:
            if not line:
                raise http.client.IncompleteRead(b"")  # the connection ended before the next chunk
            raise FramingError(f"A chunk size of the answer is not hexadecimal digits: {line[:40]!r}.")
        return int(match.group(1), 16)

    def _get_chunk_left(self) -> Optional[int]:  # pyright: ignore[reportIncompatibleMethodOverride]
        if self.chunk_left == 0:  # the end of a chunk's data: its CRLF (which http.client skips unread)
            end = self._safe_read(2)  # type: ignore[attr-defined]  # pyright: ignore
            if end != b"\r\n":
                raise FramingError(f"A chunk of the answer does not end where its size says: {end!r}.")
            self.chunk_left = None
        return cast("Optional[int]", super()._get_chunk_left())  # type: ignore[misc]  # pyright: ignore

    def _read_and_discard_trailer(self) -> None:  # pyright: ignore[reportIncompatibleMethodOverride]
        for _ in range(_MAX_HEADERS + 1):
            line = self.fp.readline(_MAX_HEADER_LINE + 1)
            if len(line) > _MAX_HEADER_LINE:
                raise FramingError(f"A trailer line of the answer is longer than {_MAX_HEADER_LINE} bytes.")
            if line in (b"\r\n", b"\n", b""):
                return
        raise FramingError(f"The answer has more than {_MAX_HEADERS} trailer lines.")

    def _read_status(self) -> tuple[str, int, str]:  # pyright: ignore[reportIncompatibleMethodOverride]
        for _ in range(_MAX_INTERIM):
            read = cast("tuple[str, int, str]", super()._read_status())  # type: ignore[misc]  # pyright: ignore
            version, status, reason = read
            if not 100 <= status < 200 or status == 101:
                return version, status, reason
            for _ in range(_MAX_HEADERS + 1):  # the interim answer's header lines, up to its blank line
                line = self.fp.readline(_MAX_HEADER_LINE + 1)
                if len(line) > _MAX_HEADER_LINE:
                    raise http.client.LineTooLong("header line")
                if line in (b"\r\n", b"\n", b""):
                    break
            else:
                raise http.client.HTTPException(f"got more than {_MAX_HEADERS} headers in an interim answer")
        raise http.client.HTTPException(f"got more than {_MAX_INTERIM} interim (1xx) answers")


def timed_out(exc: BaseException, deadline: Optional[Deadline]) -> Optional[AzureError]:
    """The timeout error when a failure came from a deadline cutting the connection."""
    if deadline is None or not deadline.expired:
        return None
    return ServiceResponseTimeoutError(f"The answer was not complete within {deadline.what}.", error=exc)


# ---------------------------------------------------------------------------------------------- connections


def _shutdown(sock: Any) -> None:
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def _pid_of(conn: Any) -> int:
    """The process that opened a connection."""
    pid: int = getattr(conn, "_inference_pid", 0)
    return pid


def _sock_of(conn: Any) -> Any:
    """A connection's socket, also after http.client let go of it (an answer that closes the connection)."""
    return getattr(conn, "_inference_sock", None)


_MAX_TUNNEL_HEAD = 65536  # bytes of a proxy's answer to CONNECT (status line and headers), at most


def _open_tunnel(conn: Any) -> None:
    """Ask the proxy `conn` is connected to for a tunnel to the origin (`CONNECT`) and read its answer: within
    the connect timeout (`conn.timeout`) in all, at most `_MAX_HEADERS` header lines and `_MAX_TUNNEL_HEAD`
    bytes, whatever Python's http.client would allow. OSError (`TimeoutError` when time ran out) otherwise."""
    host: str = conn._tunnel_host  # pylint: disable=protected-access
    port: int = conn._tunnel_port  # pylint: disable=protected-access
    extra: Mapping[str, str] = conn._tunnel_headers  # pylint: disable=protected-access
    authority = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    lines = [f"CONNECT {authority} HTTP/1.1", f"Host: {authority}"]
    lines += [f"{name}: {value}" for name, value in extra.items()]
    sock: socket.socket = conn.sock
    timeout: Optional[float] = conn.timeout
    deadline = None if timeout is None else time.monotonic() + timeout
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
    head = b""
    while True:
        end = head.find(b"\r\n\r\n")
        if end >= 0:
            break
        if len(head) > _MAX_TUNNEL_HEAD or head.count(b"\n") > _MAX_HEADERS + 1:
            raise OSError(
                f"Tunnel connection failed: the proxy's answer to CONNECT has more than {_MAX_HEADERS} headers "
                f"or {_MAX_TUNNEL_HEAD} bytes"
            )
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("Tunnel connection failed: no answer to CONNECT within the connect timeout")
            sock.settimeout(left)
        data = sock.recv(8192)
        if not data:
            raise OSError("Tunnel connection failed: the proxy closed the connection")
        head += data
    if len(head) > end + 4:
        raise OSError("Tunnel connection failed: the proxy sent data before the tunnel was used")
    status = head.split(b"\r\n", 1)[0].decode("latin-1")
    version, _, rest = status.partition(" ")
    code, _, reason = rest.partition(" ")
    if not version.startswith("HTTP/1.") or code != "200":
        raise OSError(f"Tunnel connection failed: {code or status[:40]} {reason.strip()[:200]}".rstrip())


class _Connection(http.client.HTTPConnection):
    """http.client's connection, which reads the final answer after interim ones, remembers the process that
    opened it, and is read with the read timeout once connected (the connect timeout bounds connecting only,
    the tunnel set-up through a proxy included)."""

    response_class = FinalResponse
    read_timeout: Optional[float] = None
    _inference_pid = 0
    _inference_sock: Any = None
    _inference_deadline: Optional[Deadline] = None

    def connect(self) -> None:
        self._inference_pid = os.getpid()
        super().connect()
        self._inference_sock = self.sock
        self.sock.settimeout(self.read_timeout)

    def _tunnel(self) -> None:
        _open_tunnel(self)


class _TLSConnection(http.client.HTTPSConnection):
    """`_Connection`'s twin for https (direct, or in a CONNECT tunnel through a proxy)."""

    response_class = FinalResponse
    read_timeout: Optional[float] = None
    _inference_pid = 0
    _inference_sock: Any = None
    _inference_deadline: Optional[Deadline] = None

    def connect(self) -> None:
        self._inference_pid = os.getpid()
        super().connect()
        self._inference_sock = self.sock
        self.sock.settimeout(self.read_timeout)

    def _tunnel(self) -> None:
        _open_tunnel(self)


Connection = Union[_Connection, _TLSConnection]


def _dropped(conn: Connection) -> bool:
    """Whether an idle connection was closed by the server (or has something unexpected to read)."""
    sock: Any = conn.sock
    if sock is None:
        return True
    try:
        timeout = sock.gettimeout()
        sock.settimeout(0.0)
        try:
            if isinstance(sock, ssl.SSLSocket):  # TLS records that carry no data (session tickets) are fine
                sock.recv(1)
            else:
                sock.recv(1, socket.MSG_PEEK)
        finally:
            sock.settimeout(timeout)
    except (BlockingIOError, ssl.SSLWantReadError):
        return False  # nothing to read: alive
    except (OSError, ValueError):
        return True
    return True  # b"" (closed by the server) or stray bytes


class _Pool:
    """The idle keep-alive connections of one route, at most `maxsize`, most recently used first out."""

    __slots__ = ("idle", "lock", "maxsize", "closed", "make")

    def __init__(self, maxsize: int, make: Callable[[], Connection]) -> None:
        self.idle: list[Connection] = []
        self.lock = threading.RLock()  # reentrant: a response collected while it is held releases through it
        self.maxsize = maxsize
        self.closed = False
        self.make = make

    def get(self) -> tuple[Connection, bool]:
        """A connection (and whether it is a reused one): an idle one of this process, or a new one."""
        pid = os.getpid()
        while True:
            with self.lock:
                conn = self.idle.pop() if self.idle else None
            if conn is None:
                return self.make(), False
            if _pid_of(conn) == pid and not _dropped(conn):
                return conn, True
            conn.close()

    def put(self, conn: Connection) -> None:
        with self.lock:
            if not self.closed and len(self.idle) < self.maxsize:
                self.idle.append(conn)
                return
        conn.close()

    def close(self) -> None:
        with self.lock:
            self.closed = True
            idle, self.idle = self.idle, []
        for conn in idle:
            conn.close()


class _Route:
    """How requests to one origin go out: the pool to use, the target form, and headers for an http proxy."""

    __slots__ = ("pool", "absolute", "extra_headers")

    def __init__(self, pool: _Pool, absolute: bool, extra_headers: Optional[dict[str, str]]) -> None:
        self.pool = pool
        self.absolute = absolute
        self.extra_headers = extra_headers


# ---------------------------------------------------------------------------------------------- responses


class _Exchange:
    """One request's connection and answer, from sending to release (to its pool, or closed).

    `reading` is True while a read of the body is under way (in any thread). Releasing then never touches the
    response's buffered reader, whose lock that read holds until data arrives: it shuts the socket down first,
    which ends the read at once. A read starts only while the exchange holds its connection, so once `release`
    has taken it no new read begins."""

    __slots__ = ("raw", "conn", "pool", "transport", "complete", "lock", "reading")

    def __init__(self, raw: http.client.HTTPResponse, conn: Connection, pool: _Pool, transport: Any) -> None:
        self.raw = raw
        self.conn: Optional[Connection] = conn
        self.pool = pool
        self.transport = transport
        self.complete = False  # the body was read to its end
        self.lock = threading.Lock()
        self.reading = False

    def __del__(self) -> None:
        # A response dropped unclosed (a retried stream, an abandoned one): its connection is closed now.
        if getattr(self, "conn", None) is not None:
            try:
                self.release()
            except Exception:  # pylint: disable=broad-except  # nothing to report to at this point
                pass

    def release(self, cut: bool = False) -> None:
        """Give the connection back to its pool when the answer was read to its end (or only the already
        arrived end of a chunked body is left), else close it; `cut` shuts it down first, which wakes a read
        blocked on it in another thread (never a connection of another process)."""
        with self.lock:
            conn, self.conn = self.conn, None
            busy = self.reading
        if conn is None:
            return
        raw = self.raw
        own = _pid_of(conn) == os.getpid()
        if cut and own and busy:  # a read is blocked in another thread, holding the reader's lock: wake it first
            _shutdown(_sock_of(conn))
        self.transport.forget(conn)
        if own and not busy and not raw.will_close and (self.complete or (cut and _finish_buffered(raw))):
            raw.close()
            self.pool.put(conn)
            return
        if cut and own and not busy:
            _shutdown(_sock_of(conn))
        raw.close()
        conn.close()


def _finish_buffered(raw: http.client.HTTPResponse) -> bool:
    """Read the end of a chunked body (the last, empty chunk) when it has already arrived, without waiting for
    it; True when the body is then complete. A stream closed at `[DONE]` keeps its connection this way."""
    if getattr(raw, "fp", None) is None:
        return False
    if not raw.chunked:  # a body of announced length: complete when all of it was read
        return raw.length == 0
    left: Optional[int] = getattr(raw, "chunk_left", None)
    if left is None:
        expected = b"0\r\n\r\n"
    elif left == 0:
        expected = b"\r\n0\r\n\r\n"  # the end of the last data chunk, then the last chunk
    else:
        return False
    fp: Any = raw.fp
    sock: Any = getattr(getattr(fp, "raw", None), "_sock", None)
    if sock is None:
        return False
    got = b""
    try:
        timeout = sock.gettimeout()
        sock.settimeout(0.0)  # what is buffered, or already in the socket: never wait
        try:
            for _ in range(len(expected)):
                have = fp.peek(1)
                if not have:
                    return False
                take = have[: len(expected) - len(got)]
                if not expected.startswith(got + take):
                    return False
                fp.read(len(take))
                got += take
                if got == expected:
                    break
        finally:
            sock.settimeout(timeout)
    except (OSError, ValueError):
        return False
    if got != expected:
        return False
    raw.chunk_left = None
    raw.close()  # http.client would close it after the last chunk: the connection may send again
    return True


def _is_incomplete(exc: BaseException) -> bool:
    return isinstance(exc, http.client.IncompleteRead)


def _response_error(exc: BaseException, deadline: Optional[Deadline]) -> AzureError:
    """The azure-core error for a failure while waiting for or reading a response (headers or body)."""
    late = timed_out(exc, deadline)
    if late is not None:
        return late
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return ServiceResponseTimeoutError(f"The service did not answer in time: {exc}", error=exc)
    if _is_incomplete(exc):
        return IncompleteReadError(f"The response body ended early: {exc!r}", error=exc)
    return ServiceResponseError(exc, error=exc)


def _body_chunks(exchange: _Exchange, reader: BodyReader, size: int, deadline: Optional[Deadline]) -> Iterator[bytes]:
    """The body, one piece per read as it arrives (a read returns what has arrived, at most `size` bytes),
    decoded and counted by `reader`. The connection goes back to the pool at the end; it is closed on a failure.
    The deadline, if any, is disarmed when the body ends, fails or is closed."""
    raw = exchange.raw
    try:
        if not exchange.complete:
            read1 = raw.read1
            lock = exchange.lock
            while True:
                with lock:
                    if exchange.conn is None:  # released (closed) before this read: never touch the reader
                        break
                    exchange.reading = True
                try:
                    chunk = read1(size)
                finally:
                    exchange.reading = False
                if not chunk:
                    break
                yield from reader.feed(chunk)
            if deadline is not None and deadline.expired:  # the end was the cut, not the body's own end
                raise timed_out(EOFError("connection cut"), deadline) or ServiceResponseTimeoutError("timeout")
            if exchange.conn is None:
                raise ServiceResponseError("The response was closed while its body was being read.")
            if raw.length:  # http.client's read1 ends a body cut short quietly
                raise http.client.IncompleteRead(b"", raw.length)
            exchange.complete = True
            if deadline is not None:
                deadline.cancel()
            exchange.release()
    except (OSError, http.client.HTTPException, ValueError, AttributeError) as exc:  # AttributeError: closed
        exchange.release()
        raise _response_error(exc, deadline) from exc
    except BaseException:
        exchange.release()
        raise
    finally:
        if deadline is not None:
            deadline.cancel()


def _headers_of(raw: http.client.HTTPResponse) -> CaseInsensitiveDict:
    """The response headers, case-insensitive; repeated ones joined with commas (as requests joins them)."""
    headers = CaseInsensitiveDict()
    for name, value in raw.getheaders():
        if name in headers:
            headers[name] = f"{headers[name]}, {value}"
        else:
            headers[name] = value
    return headers


class HttpClientTransportResponse(HttpResponseImpl):
    """An `azure.core.rest.HttpResponse` read from an `http.client.HTTPResponse` (`internal_response`).

    `read()`, `content`, `text()`, `json()`, `iter_bytes()`, `iter_raw()`, `close()` and the rest behave as
    azure-core's own rest responses do.
    """

    def __init__(
        self,
        *,
        request: HttpRequest,
        exchange: _Exchange,
        block_size: int = DEFAULT_BLOCK_SIZE,
        read_size: int = READ_SIZE,
        limit: Optional[int] = None,
        deadline: Optional[Deadline] = None,
    ) -> None:
        raw = exchange.raw
        headers = _headers_of(raw)
        super().__init__(  # pyright: ignore[reportUnknownMemberType]
            request=request,
            internal_response=raw,
            block_size=block_size,
            status_code=raw.status,
            reason=raw.reason or "",
            headers=headers,
            content_type=headers.get("Content-Type"),
            stream_download_generator=stream_download,
        )
        self._exchange = exchange
        self._read_size = read_size
        self._limit = limit
        self._deadline = deadline

    def read_whole(self) -> None:
        """Read the body now (decoded, within the limit) and give the connection back."""
        content = b"".join(self.body_chunks())
        self._content = content
        self._is_stream_consumed = True
        self._is_closed = True

    def __setattr__(self, name: str, value: Any) -> None:
        # What azure-core's response does on every assignment (setting one of a few public names sets its
        # private field), without the cost: every response sets a dozen fields.
        object.__setattr__(self, "_" + name if name in PUBLIC_FIELDS else name, value)

    def body_chunks(self, decompress: bool = True) -> Iterator[bytes]:
        """The body as it arrives from the network (what `iter_bytes()` and `iter_raw()` read)."""
        reader = BodyReader(self, self._limit, decompress)
        return _body_chunks(self._exchange, reader, self._read_size, self._deadline)

    def close(self) -> None:
        """Release the connection: back to the pool when the body was read to its end (or only its already
        arrived end is left); otherwise cut, so that a reader in another thread returns."""
        if not self._is_closed:
            self._is_closed = True
            if self._deadline is not None:
                self._deadline.cancel()
            self._exchange.release(cut=True)


class HttpClientLegacyTransportResponse(LegacyHttpResponse):
    """The response to a legacy `azure.core.pipeline.transport.HttpRequest`: `body()`, `text()` and
    `stream_download(pipeline)` over an http.client response."""

    def __init__(
        self,
        request: LegacyHttpRequest,
        exchange: _Exchange,
        block_size: int = DEFAULT_BLOCK_SIZE,
        read_size: int = READ_SIZE,
    ) -> None:
        raw = exchange.raw
        super().__init__(request, raw, block_size=block_size)
        self._exchange = exchange
        self._read_size = read_size
        self._content: Optional[bytes] = None
        self.status_code = raw.status
        self.headers = _headers_of(raw)
        self.reason = raw.reason
        self.content_type = self.headers.get("Content-Type")

    def read_whole(self) -> None:
        """Read the body now and give the connection back."""
        self.body()

    def body(self) -> bytes:
        if self._content is None:
            self._content = b"".join(self.body_chunks())
        return self._content

    def body_chunks(self, decompress: bool = True) -> Iterator[bytes]:
        return _body_chunks(self._exchange, BodyReader(self, None, decompress), self._read_size, None)

    def stream_download(self, pipeline: Any, **kwargs: Any) -> Iterator[bytes]:
        """The body as it arrives; `decompress=False` leaves gzip/deflate encoded bytes as they are."""
        decompress = kwargs.pop("decompress", True)
        if kwargs:
            raise TypeError(f"Got an unexpected keyword argument: {next(iter(kwargs))}")
        return stream_download(pipeline, self, decompress=bool(decompress))

    def close(self) -> None:
        """Release the connection (cut when the body was not read to its end)."""
        self._exchange.release(cut=True)


# ---------------------------------------------------------------------------------------------- transport


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
        self._default_ca = default_ca_bundle(use_env_settings)

        self._lock = threading.RLock()  # reentrant: a response collected while it is held releases through it
        self._open = False
        self._has_been_opened = False
        # route key -> route, least recently used first
        self._routes: "collections.OrderedDict[Any, _Route]" = collections.OrderedDict()
        self._contexts: dict[tuple[Verify, Cert], ssl.SSLContext] = {}
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
            if _pid_of(conn) == pid:
                _shutdown(_sock_of(conn))
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

    def _context(self, verify: Verify, cert: Cert) -> ssl.SSLContext:
        """One shared SSLContext per distinct (verify, cert) pair."""
        key = (verify, cert)
        context = self._contexts.get(key)
        if context is None:
            context = self._contexts[key] = ssl_context(verify, cert, self._default_ca)
        return context

    def _choose_proxy(
        self, origin: str, scheme: str, host: str, port: int, proxies: Optional[Mapping[str, str]]
    ) -> Optional[str]:
        """Explicit proxies (per call, then the constructor's) win; then the environment's, unless bypassed
        (`_proxy.choose_proxy`, the decision the async transport makes too); decided once per route."""
        del origin  # routes are kept per origin and per-call proxies: each is decided once
        return choose_proxy(scheme, host, port, (proxies, self._proxies), self._environment)

    def _route(self, origin: str, proxies: Optional[Mapping[str, str]], tls: Optional[tuple[Verify, Cert]]) -> _Route:
        key: Any = origin
        if proxies is not None or tls is not None:  # per-call settings: a route of their own
            key = (origin, tuple(sorted(proxies.items())) if proxies is not None else None, tls)
        with self._lock:
            route = self._routes.get(key)
            if route is not None:
                self._routes.move_to_end(key)
                return route
        route = self._new_route(origin, proxies, tls)
        evicted: list[_Route] = []
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
    ) -> _Route:
        parts = urlsplit(origin)
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https"):
            raise ValueError(f"Unsupported URL scheme {parts.scheme!r}: only http and https are supported")
        host = parts.hostname
        if not host:
            raise ValueError(f"The URL has no host: {origin!r}")
        port = parts.port or (443 if scheme == "https" else 80)
        proxy = self._choose_proxy(origin, scheme, host, port, proxies)
        context = self._context(*(tls or (self._verify, self._cert))) if scheme == "https" else None
        if proxy is None:
            make = self._maker(host, port, context, None, None)
            return _Route(_Pool(self._pool_maxsize, make), absolute=False, extra_headers=None)
        proxy_url = proxy if "://" in proxy else "http://" + proxy
        proxy_parts = urlsplit(proxy_url)
        if proxy_parts.scheme.lower() != "http" or not proxy_parts.hostname:
            raise ValueError(
                f"Unsupported proxy {proxy_parts.scheme}://{proxy_parts.hostname}: HttpClientTransport reaches "
                "proxies over http:// only (use transport=RequestsTransport() for other kinds)"
            )
        auth = proxy_headers(proxy_url)
        proxy_host, proxy_port = proxy_parts.hostname, proxy_parts.port or 80
        if scheme == "https":  # a CONNECT tunnel through the proxy, TLS inside it
            make = self._maker(proxy_host, proxy_port, context, (host, port), auth)
            return _Route(_Pool(self._pool_maxsize, make), absolute=False, extra_headers=None)
        # Through an http proxy, plain http requests name the whole URL and carry the proxy's credentials.
        make = self._maker(proxy_host, proxy_port, None, None, None)
        return _Route(_Pool(self._pool_maxsize, make), absolute=True, extra_headers=auth or None)

    @staticmethod
    def _maker(
        host: str,
        port: int,
        context: Optional[ssl.SSLContext],
        tunnel: Optional[tuple[str, int]],
        tunnel_headers: Optional[dict[str, str]],
    ) -> Callable[[], Connection]:
        def make() -> Connection:
            conn: Connection
            if context is None:
                conn = _Connection(host, port)
            else:
                conn = _TLSConnection(host, port, context=context)
            if tunnel is not None:
                conn.set_tunnel(tunnel[0], tunnel[1], headers=tunnel_headers)
            return conn

        return make

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
        connect: Any = self._connection_timeout if connection_timeout is UNSET else connection_timeout
        if isinstance(connect, tuple):
            if read_timeout is not UNSET:
                raise ValueError("Cannot set tuple connection_timeout and read_timeout together")
            connect, read = cast("tuple[Optional[float], Optional[float]]", connect)
        else:
            read = self._read_timeout if read_timeout is UNSET else read_timeout
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
        check_header_fields(headers, latin1=True)  # ValueError before connecting: no injected header goes out

        first = deadline
        if stream and stream_deadline is not None:
            first = stream_deadline if deadline is None else min(deadline, stream_deadline)
        watch = None
        if first is not None:
            watch = Deadline(first, "the call's timeout" if first == deadline else "stream_timeout")
            if watch.left() <= 0:
                raise ServiceResponseTimeoutError(f"The answer was not complete within {watch.what}.")
            watch.arm()

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
                limit_connect = connect
                if watch is not None and (limit_connect is None or limit_connect > watch.left()):
                    limit_connect = max(watch.left(), 0.001)  # connecting is bounded by the deadline too
                conn.timeout = limit_connect
                conn.read_timeout = read
                conn.connect()
            elif reused:
                conn.sock.settimeout(read)
            sent = True
            encode_chunked = "chunked" in str(headers.get("Transfer-Encoding", "")).lower()
            conn.request(
                request.method,
                url if route.absolute else target,
                body=body,
                headers=headers,
                encode_chunked=encode_chunked,
            )
            raw = conn.getresponse()
        except BaseException as exc:
            if watch is not None:
                watch.cancel()
            self.forget(conn)
            conn.close()
            if not isinstance(exc, Exception):
                raise
            late = timed_out(exc, watch)
            if late is not None:
                raise late from exc
            if not sent:
                if isinstance(exc, (socket.timeout, TimeoutError)):
                    raise ServiceRequestTimeoutError(f"Could not connect in time: {exc}", error=exc) from exc
                raise ServiceRequestError(exc, error=exc) from exc
            if isinstance(exc, ValueError) and not isinstance(exc, http.client.HTTPException):
                raise ServiceRequestError(exc, error=exc) from exc  # http.client refused the request as given
            raise _response_error(exc, watch) from exc
        if conn.sock is not None:
            setattr(conn, "_inference_sock", conn.sock)
        exchange = _Exchange(raw, conn, route.pool, self)
        if watch is not None and watch.expired:  # the headers seemed to end where the connection was cut
            exchange.release()
            raise ServiceResponseTimeoutError(f"The answer was not complete within {watch.what}.")
        if stream and watch is not None and (stream_deadline is None or watch.what != "stream_timeout"):
            watch.cancel()  # the headers arrived in time; the body has a deadline of its own, if any
            watch = None
            if stream_deadline is not None:
                watch = Deadline(stream_deadline, "stream_timeout").arm()
                watch.attach(conn)
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
                BodyReader(response, limit)  # refuses an announced length over the limit at once
            else:
                response = HttpClientLegacyTransportResponse(request, exchange, self._block_size, self._read_size)
            if not stream:
                response.read_whole()
        except BaseException:
            if watch is not None:
                watch.cancel()
            exchange.release(cut=False)
            raise
        return response
