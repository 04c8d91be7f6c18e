"""The async half of the `devtools_testutils` stand-in: `recorded_by_proxy_async` marks a recorded test skipped."""

from __future__ import annotations

from typing import Any, Callable

from . import recorded_by_proxy

__all__ = ["recorded_by_proxy_async"]


def recorded_by_proxy_async(test: Callable[..., Any]) -> Callable[..., Any]:
    return recorded_by_proxy(test)
