# Public surface of the local Azure AI Model Inference endpoint emulator used by tests, samples and benchmarks.
"""A deterministic local HTTP server speaking the Azure AI Model Inference REST API, with fault injection.

>>> from inference_emulator import Emulator
>>> with Emulator() as emu:
...     print(emu.url)  # doctest: +SKIP
"""

from __future__ import annotations

from .faults import FAULTS, FaultSpecError
from .server import Emulator
from .state import DEFAULT_KEY, RecordedRequest

__all__ = ["Emulator", "FAULTS", "DEFAULT_KEY", "RecordedRequest", "FaultSpecError"]
