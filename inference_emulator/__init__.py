# Public surface of the local Azure AI Model Inference endpoint emulator used by tests, samples and benchmarks.
"""A deterministic local HTTP server speaking the Azure AI Model Inference REST API, with fault injection.

>>> from inference_emulator import Emulator
>>> with Emulator() as emu:
...     print(emu.url)  # doctest: +SKIP

The server and its state need aiohttp (the `emulator` extra); they are imported on first use, so that importing
this package, and its pytest plugin, costs nothing and needs nothing until an emulator is asked for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .faults import FAULTS, FaultSpecError

if TYPE_CHECKING:
    from .server import Emulator
    from .state import DEFAULT_KEY, RecordedRequest

__all__ = ["Emulator", "FAULTS", "DEFAULT_KEY", "RecordedRequest", "FaultSpecError"]

_LAZY = {"Emulator": "server", "DEFAULT_KEY": "state", "RecordedRequest": "state"}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module  # pylint: disable=import-outside-toplevel

    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
