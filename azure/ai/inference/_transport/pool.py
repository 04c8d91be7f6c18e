# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""The sync transport's connections and their keep-alive pools: http.client connections that read with
`FinalResponse`, remember the process that opened them and set up a proxy tunnel within the connect timeout; one
`Pool` of idle connections per `Route` (origin, proxy and TLS settings), most recently used first out, an idle
connection the server closed (or sent something on) never reused, nor one another process opened.
"""

from __future__ import annotations

import http.client
import os
import socket
import ssl
import threading
from typing import Any, Callable, Optional, Union

from .bodies import Deadline
from .framing import FinalResponse
from .idle import quiet
from .proxy import open_tunnel

__all__ = ["Connection", "Pool", "Route", "connection_maker", "pid_of", "shutdown", "sock_of"]


def shutdown(sock: Any) -> None:
    """Shut a socket down both ways, which wakes a read blocked on it in another thread."""
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def pid_of(conn: Any) -> int:
    """The process that opened a connection."""
    pid: int = getattr(conn, "_inference_pid", 0)
    return pid


def sock_of(conn: Any) -> Any:
    """A connection's socket, also after http.client let go of it (an answer that closes the connection)."""
    return getattr(conn, "_inference_sock", None)


class _Connecting:
    """What both connection classes add to http.client's: the final answer read after interim ones
    (`FinalResponse`), the process that opened the connection, its socket kept, the read timeout once connected,
    and the CONNECT tunnel read by our own code. Placed before http.client's class among the bases."""

    response_class: Any = FinalResponse
    read_timeout: Optional[float] = None
    sock: Any
    _inference_pid = 0
    _inference_sock: Any = None
    _inference_deadline: Optional[Deadline] = None

    def connect(self) -> None:
        self._inference_pid = os.getpid()
        base: Any = super()
        base.connect()
        self._inference_sock = self.sock
        self.sock.settimeout(self.read_timeout)

    def _tunnel(self) -> None:
        open_tunnel(self)


class PlainConnection(_Connecting, http.client.HTTPConnection):
    """http.client's connection, which reads the final answer after interim ones, remembers the process that
    opened it, and is read with the read timeout once connected (the connect timeout bounds connecting only,
    the tunnel set-up through a proxy included)."""


class TLSConnection(_Connecting, http.client.HTTPSConnection):
    """`PlainConnection`'s twin for https (direct, or in a CONNECT tunnel through a proxy)."""


Connection = Union[PlainConnection, TLSConnection]


def dropped(conn: Connection) -> bool:
    """Whether an idle connection was closed by the server (or has something unexpected to read)."""
    sock: Any = conn.sock
    if sock is None:
        return True
    try:
        if not isinstance(sock, ssl.SSLSocket) and quiet(sock):  # nothing to read, no hang-up or error: alive
            return False
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


class Pool:
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
            if pid_of(conn) == pid and not dropped(conn):
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


class Route:
    """How requests to one origin go out: the pool to use, the target form, and headers for an http proxy."""

    __slots__ = ("pool", "absolute", "extra_headers")

    def __init__(self, pool: Pool, absolute: bool, extra_headers: Optional[dict[str, str]]) -> None:
        self.pool = pool
        self.absolute = absolute
        self.extra_headers = extra_headers


def connection_maker(
    host: str,
    port: int,
    context: Optional[ssl.SSLContext],
    tunnel: Optional[tuple[str, int]],
    tunnel_headers: Optional[dict[str, str]],
) -> Callable[[], Connection]:
    """What makes a route's new connections: to `host:port` (TLS with `context`, if any), through a CONNECT
    tunnel to `tunnel` when it is set (`host:port` is then the proxy's)."""

    def make() -> Connection:
        conn: Connection
        if context is None:
            conn = PlainConnection(host, port)
        else:
            conn = TLSConnection(host, port, context=context)
        if tunnel is not None:
            conn.set_tunnel(tunnel[0], tunnel[1], headers=tunnel_headers)
        return conn

    return make
