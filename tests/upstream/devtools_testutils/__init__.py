"""A stand-in for the parts of Azure's `devtools_testutils` that 1.0.0b9's tests import, for
`tests/upstream/run_upstream.py`.

The recorded tests (`@recorded_by_proxy`) replay traffic of a live service through Azure's test proxy, which is not
here: they are marked skipped with a reason that starts with `RECORDED`, so that the runner counts them. The
environment-variable preparers pass their default values to the test, as the real ones do offline. Nothing else of
the real package is imitated.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any, Callable

import pytest

__all__ = [
    "AzureRecordedTestCase",
    "EnvironmentVariableLoader",
    "RECORDED",
    "recorded_by_proxy",
    "remove_batch_sanitizers",
    "test_proxy",
]

RECORDED = "RECORDED: replays a live service through Azure's test proxy, which this run does not have"


def recorded_by_proxy(test: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a recorded test skipped (the mark travels with the preparers' `functools.wraps`)."""
    marked: Callable[..., Any] = pytest.mark.skip(reason=RECORDED)(test)
    return marked


class EnvironmentVariableLoader:
    """`EnvironmentVariableLoader(prefix, name=default, ...)`: a decorator that passes `name=default` keywords to
    the test, sync or async."""

    def __init__(self, prefix: str, **defaults: Any) -> None:
        self.prefix = prefix
        self.defaults = defaults

    def __call__(self, test: Callable[..., Any]) -> Callable[..., Any]:
        defaults = self.defaults
        if inspect.iscoroutinefunction(test):

            @functools.wraps(test)
            async def run_async(*args: Any, **kwargs: Any) -> Any:
                return await test(*args, **{**defaults, **kwargs})

            return run_async

        @functools.wraps(test)
        def run(*args: Any, **kwargs: Any) -> Any:
            return test(*args, **{**defaults, **kwargs})

        return run


class AzureRecordedTestCase:
    """The base class of the recorded test classes. Only recorded tests ask it for credentials."""

    def get_credential(self, client_class: Any, **kwargs: Any) -> Any:
        pytest.skip(RECORDED)


@pytest.fixture(scope="session")
def test_proxy() -> None:
    """No test proxy: the recorded tests are skipped."""
    return None


def remove_batch_sanitizers(names: list[str]) -> None:
    """The test proxy's sanitizers: nothing to remove without it."""
