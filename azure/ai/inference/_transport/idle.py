# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""Whether an idle connection's socket is quiet, for both transports' clean-reuse checks (`pool.dropped`,
`aiohttp._peek`): asked with one `poll`, which costs one system call and raises nothing where a non-blocking
`recv(MSG_PEEK)` raises `BlockingIOError` for a clean socket."""

from __future__ import annotations

import select
from typing import Any, Optional

__all__ = ["quiet"]

_POLL = getattr(select, "poll", None)  # not on Windows


def quiet(sock: Any) -> Optional[bool]:
    """True when the socket has nothing to read and no hang-up or error pending, False when it has (bytes, the
    peer's close, an error); None when `poll` cannot tell (missing or failing): the caller then peeks itself."""
    if _POLL is None:
        return None
    try:
        poller = _POLL()
        poller.register(sock, select.POLLIN)
        return not poller.poll(0)
    except (OSError, ValueError):
        return None
