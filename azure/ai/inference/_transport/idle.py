# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""Whether an idle connection's socket is quiet, for both transports' clean-reuse checks (`pool.dropped`,
`aiohttp._peek`): asked with one `poll`, which costs one system call and raises nothing where a non-blocking
`recv(MSG_PEEK)` raises `BlockingIOError` for a clean socket. `QuietCheck` asks it again and again of one
socket, with one poll object made once."""

from __future__ import annotations

import select
from typing import Any, Optional

__all__ = ["QuietCheck", "quiet"]

_POLL = getattr(select, "poll", None)  # not on Windows


def quiet(sock: Any) -> Optional[bool]:
    """True when the socket has nothing to read and no hang-up or error pending, False when it has (bytes, the
    peer's close, an error); None when `poll` cannot tell (missing or failing): the caller then peeks itself."""
    return QuietCheck(sock)()


class QuietCheck:
    """`quiet` for one socket, to be asked again and again (each time its connection is taken from a pool): the
    poll object is made and the socket registered once. Ask it only while the socket is open (its descriptor could
    otherwise be another socket's by then)."""

    __slots__ = ("_poller",)

    def __init__(self, sock: Any) -> None:
        self._poller: Any = None
        if _POLL is not None and sock is not None:
            try:
                poller = _POLL()
                poller.register(sock, select.POLLIN)
            except (OSError, ValueError, TypeError):
                return
            self._poller = poller

    def __call__(self) -> Optional[bool]:
        """What `quiet` answers for the socket: True, False, or None when `poll` cannot tell."""
        poller = self._poller
        if poller is None:
            return None
        try:
            return not poller.poll(0)
        except (OSError, ValueError):
            return None
