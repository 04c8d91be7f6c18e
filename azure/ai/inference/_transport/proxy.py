# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""Which proxy, if any, a request goes through: the one decision both transports make (`HttpClientTransport`
and `AioHttpTransport`), and the CONNECT tunnel through it of the sync transport.

Strategy: the environment is read once (`EnvironmentProxies.read()`, at a transport's construction); each
origin's route is then decided by `choose_proxy`, which knows URLs and mappings, never sockets:

1. proxies given explicitly (per call, then to the transport) win, most specific key first
   (`"https://host"`, `"https"`, `"all://host"`, `"all"`), as requests picks them;
2. otherwise, when the environment is used, its proxy for the scheme (`HTTPS_PROXY`, `HTTP_PROXY`, else
   `ALL_PROXY`; a lowercase variable wins over its uppercase twin, and an empty lowercase one unsets it, as in
   urllib) unless the host is in `NO_PROXY` (or in a `no_proxy` key of the explicit proxies).

`NO_PROXY` entries (`NoProxy`), separated by commas or spaces, case-insensitive:

- `*` alone: every host;
- a domain, with or without a leading `.` or `*.`: that host and every host under it (`example.com` matches
  `api.example.com`, not `badexample.com`);
- an IP address, bare or bracketed for IPv6 (`::1`, `[::1]`), or a network in CIDR form (`127.0.0.0/8`,
  `fd00::/8`): a host written as an IP address in it (names are not resolved);
- any of those followed by `:port` (`host:8443`, `[::1]:8443`): only for that port (the URL's port, or its
  scheme's default).

When the environment sets no proxy variable at all, the system's settings (macOS, Windows) are used, with the
system's own bypass list. A proxy named without a scheme (`proxy:3128`) is reached over http (`choose_proxy_url`).
"""

from __future__ import annotations

import ipaddress
import os
import socket
import sys
import time
from base64 import b64encode
from typing import Any, Mapping, Optional, Sequence, Union
from urllib.parse import unquote, urlsplit

from .framing import MAX_HEADERS

__all__ = [
    "EnvironmentProxies",
    "NoProxy",
    "choose_proxy",
    "choose_proxy_url",
    "open_tunnel",
    "pick_proxy",
    "proxy_headers",
    "split_origin",
]

Network = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]


def pick_proxy(proxies: Mapping[str, str], scheme: str, host: str) -> Optional[str]:
    """The proxy for a URL from a proxies mapping, most specific key first (as requests picks it)."""
    for key in (f"{scheme}://{host}", scheme, f"all://{host}", "all"):
        proxy = proxies.get(key)
        if proxy:
            return proxy
    return None


def proxy_headers(proxy_url: str) -> dict[str, str]:
    """`Proxy-Authorization` for a proxy URL with credentials in it (`http://user:pass@host:port`)."""
    parts = urlsplit(proxy_url)
    if parts.username is None:
        return {}
    credentials = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
    return {"Proxy-Authorization": "Basic " + b64encode(credentials.encode("latin-1")).decode("ascii")}


def _bare_host(host: str) -> str:
    """A host as compared: lowercase, without IPv6 brackets or a trailing dot."""
    host = host.strip().lower()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    return host.rstrip(".")


def _ip(host: str) -> Union[ipaddress.IPv4Address, ipaddress.IPv6Address, None]:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


class NoProxy:
    """A parsed `NO_PROXY` list (see the module's docstring for the forms it takes)."""

    __slots__ = ("everything", "networks", "domains")

    def __init__(self, value: str) -> None:
        self.everything = False
        self.networks: list[tuple[Network, Optional[int]]] = []
        self.domains: list[tuple[str, Optional[int]]] = []
        for entry in value.replace(",", " ").split():
            self._add(entry.lower())

    def _add(self, entry: str) -> None:
        if entry == "*":
            self.everything = True
            return
        port: Optional[int] = None
        if entry.startswith("["):  # [IPv6] or [IPv6]:port
            host, bracket, rest = entry[1:].partition("]")
            if not bracket:
                return  # malformed: matches nothing
            if rest:
                if not (rest.startswith(":") and rest[1:].isdigit()):
                    return
                port = int(rest[1:])
        elif entry.count(":") == 1:  # host:port (a bare IPv6 address has two colons or more)
            host, _, given = entry.partition(":")
            if not given.isdigit():
                return
            port = int(given)
        else:
            host = entry
        if not host:
            return
        try:
            self.networks.append((ipaddress.ip_network(host, strict=False), port))
            return
        except ValueError:
            pass
        if host.startswith("*."):
            host = host[2:]
        domain = host.lstrip(".").rstrip(".")
        if domain:
            self.domains.append((domain, port))

    def __bool__(self) -> bool:
        return self.everything or bool(self.networks) or bool(self.domains)

    def matches(self, host: str, port: int) -> bool:
        """Whether a request to `host` (a name or an IP address, IPv6 with or without brackets) on `port` is
        to go direct."""
        if self.everything:
            return True
        host = _bare_host(host)
        address = _ip(host)
        if address is not None:
            return any(address in network and given in (None, port) for network, given in self.networks)
        return any(
            (host == domain or host.endswith("." + domain)) and given in (None, port) for domain, given in self.domains
        )


class EnvironmentProxies:
    """The proxy settings of the environment, read once: proxies by scheme (`"http"`, `"https"`, `"all"`, ...)
    and the hosts that bypass them."""

    __slots__ = ("proxies", "no_proxy", "system")

    def __init__(self, proxies: Mapping[str, str], no_proxy: str = "", system: bool = False) -> None:
        self.proxies = {key: value for key, value in proxies.items() if key != "no" and value}
        self.no_proxy = NoProxy(no_proxy)
        self.system = system  # the system's settings: bypass decided by the system's list (urllib)

    @classmethod
    def read(cls) -> "EnvironmentProxies":
        """The environment's variables (`HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY`, `NO_PROXY`, lowercase first),
        or the system's settings when the environment sets none."""
        if not _may_name_proxies():
            return cls({}, system=True)  # what urllib would find, without importing it (a first call's largest import)
        # pylint: disable-next=import-outside-toplevel
        from urllib.request import getproxies, getproxies_environment

        environment = getproxies_environment()
        if environment:
            return cls(environment, environment.get("no", ""))
        return cls(getproxies(), system=True)

    def proxy_for(self, scheme: str, host: str, port: int) -> Optional[str]:
        """The environment's proxy for a URL, or None to go direct."""
        if not self.proxies:
            return None
        proxy = pick_proxy(self.proxies, scheme, host)
        if proxy is None:
            return None
        if self.system:
            from urllib.request import proxy_bypass  # pylint: disable=import-outside-toplevel

            return None if proxy_bypass(_bare_host(host)) else proxy
        return None if self.no_proxy.matches(host, port) else proxy


def _may_name_proxies() -> bool:
    """Whether urllib could find proxy settings: on macOS and Windows the system's; elsewhere only variables named
    `*_proxy` (any case), which urllib's `getproxies()` reads and nothing else."""
    if sys.platform == "darwin" or os.name == "nt":
        return True
    return any(name[-6:].lower() == "_proxy" for name in os.environ)


def default_port(scheme: str) -> int:
    return 443 if scheme == "https" else 80


def choose_proxy(
    scheme: str,
    host: str,
    port: Optional[int],
    given: Sequence[Optional[Mapping[str, str]]],
    environment: Optional[EnvironmentProxies],
) -> Optional[str]:
    """The proxy URL a request to `scheme://host:port` goes through, or None to go direct.

    :param given: Explicit proxy mappings, first the call's, then the transport's; the first that names a proxy
     for the URL wins. A `no_proxy` key in them bypasses the environment's proxies (not theirs).
    :param environment: The environment's settings, or None when the environment is not used.
    """
    scheme = scheme.lower()
    host = _bare_host(host)
    for proxies in given:
        if proxies:
            proxy = pick_proxy(proxies, scheme, host)
            if proxy is not None:
                return proxy
    if environment is None:
        return None
    effective_port = port or default_port(scheme)
    for proxies in given:
        if proxies and proxies.get("no_proxy") and NoProxy(proxies["no_proxy"]).matches(host, effective_port):
            return None
    return environment.proxy_for(scheme, host, effective_port)


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


def choose_proxy_url(
    scheme: str,
    host: str,
    port: Optional[int],
    given: Sequence[Optional[Mapping[str, str]]],
    environment: Optional[EnvironmentProxies],
) -> Optional[str]:
    """`choose_proxy`'s answer as a URL with a scheme (`proxy:3128` is `http://proxy:3128`), or None to go direct."""
    proxy = choose_proxy(scheme, host, port, given, environment)
    if proxy is not None and "://" not in proxy:
        proxy = "http://" + proxy
    return proxy


# ---------------------------------------------------------------------------------------------- CONNECT tunnel

_MAX_TUNNEL_HEAD = 65536  # bytes of a proxy's answer to CONNECT (status line and headers), at most


def _connect_head(conn: Any) -> bytes:
    """The CONNECT request for the tunnel an http.client connection was set up for (`set_tunnel`)."""
    host: str = conn._tunnel_host  # pylint: disable=protected-access
    port: int = conn._tunnel_port  # pylint: disable=protected-access
    extra: Mapping[str, str] = conn._tunnel_headers  # pylint: disable=protected-access
    authority = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    lines = [f"CONNECT {authority} HTTP/1.1", f"Host: {authority}"]
    lines += [f"{name}: {value}" for name, value in extra.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _read_tunnel_head(sock: socket.socket, deadline: Optional[float]) -> bytes:
    """The proxy's answer to CONNECT, up to its blank line: bounded in size, and in time by `deadline`."""
    head = b""
    while True:
        end = head.find(b"\r\n\r\n")
        if end >= 0:
            break
        if len(head) > _MAX_TUNNEL_HEAD or head.count(b"\n") > MAX_HEADERS + 1:
            raise OSError(
                f"Tunnel connection failed: the proxy's answer to CONNECT has more than {MAX_HEADERS} headers "
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
    return head


def open_tunnel(conn: Any) -> None:
    """Ask the proxy `conn` is connected to for a tunnel to the origin (`CONNECT`) and read its answer: within
    the connect timeout (`conn.timeout`) in all, at most `MAX_HEADERS` header lines and `_MAX_TUNNEL_HEAD`
    bytes, whatever Python's http.client would allow. OSError (`TimeoutError` when time ran out) otherwise."""
    sock: socket.socket = conn.sock
    timeout: Optional[float] = conn.timeout
    deadline = None if timeout is None else time.monotonic() + timeout
    sock.sendall(_connect_head(conn))
    head = _read_tunnel_head(sock, deadline)
    status = head.split(b"\r\n", 1)[0].decode("latin-1")
    version, _, rest = status.partition(" ")
    code, _, reason = rest.partition(" ")
    if not version.startswith("HTTP/1.") or code != "200":
        raise OSError(f"Tunnel connection failed: {code or status[:40]} {reason.strip()[:200]}".rstrip())
