# pytest fixtures that serve the emulator to an application's own tests; registered through the `pytest11` entry
# point of the azure-ai-inference distribution, so installing `azure-ai-inference[emulator]` makes them available.
"""pytest fixtures for testing code built on azure-ai-inference offline, faults included.

- `inference_emulator`: an `Emulator` serving on 127.0.0.1 for the test, its recorded requests, fault counters and
  server-wide fault reset first. `inference_emulator.url` and `inference_emulator.key` configure a client.
- `inference_emulator_env`: the same emulator, with `AZURE_AI_INFERENCE_ENDPOINT` and `AZURE_AI_INFERENCE_KEY` set
  for the test (what the `azure-ai-inference` command line and many applications read).
- `inference_emulator_session`: the one emulator of the test session behind both.
- the marker `@pytest.mark.inference_emulator(fault="rate-limit;count=2", latency=0.1)` sets a server-wide fault
  and an added delay for one test.

The module imports the emulator (and aiohttp) only when a fixture is used, so that it costs nothing to test runs
that do not use it. Disable it with `-p no:azure_ai_inference_emulator`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .server import Emulator

__all__ = ["inference_emulator", "inference_emulator_env", "inference_emulator_session"]

MARKER = "inference_emulator"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(fault=None, latency=0.0): a server-wide emulator fault and an added delay (seconds) for one test",
    )


@pytest.fixture(scope="session")
def inference_emulator_session() -> Iterator["Emulator"]:
    """One emulator for the whole test session, started on first use."""
    from .server import Emulator  # pylint: disable=import-outside-toplevel

    with Emulator() as emulator:
        yield emulator


@pytest.fixture
def inference_emulator(request: pytest.FixtureRequest, inference_emulator_session: "Emulator") -> Iterator["Emulator"]:
    """The session's emulator, reset for this test (and set up by its `inference_emulator` marker, if any)."""
    emulator = inference_emulator_session
    emulator.clear()
    emulator.reset_faults()
    marker = request.node.get_closest_marker(MARKER)
    options: dict[str, Any] = dict(marker.kwargs) if marker is not None else {}
    unknown = sorted(set(options) - {"fault", "latency"})
    if unknown:
        raise pytest.UsageError(f"@pytest.mark.{MARKER} takes fault= and latency=, not {', '.join(unknown)}")
    emulator.fault = options.get("fault")
    emulator.latency = float(options.get("latency", 0.0))
    try:
        yield emulator
    finally:
        emulator.fault = None
        emulator.latency = 0.0


@pytest.fixture
def inference_emulator_env(inference_emulator: "Emulator", monkeypatch: pytest.MonkeyPatch) -> "Emulator":
    """The emulator, with AZURE_AI_INFERENCE_ENDPOINT and AZURE_AI_INFERENCE_KEY pointing at it for this test."""
    monkeypatch.setenv("AZURE_AI_INFERENCE_ENDPOINT", inference_emulator.url)
    monkeypatch.setenv("AZURE_AI_INFERENCE_KEY", inference_emulator.key)
    return inference_emulator
