# Fixtures for the emulator tests: one shared Emulator, reset before each test.
from __future__ import annotations

import os
import sys
from collections.abc import Iterator

import pytest

_HERE = os.path.dirname(os.path.abspath(__file__))
_ROOT = os.path.dirname(os.path.dirname(_HERE))
for _path in (_ROOT, _HERE):
    if _path not in sys.path:
        sys.path.insert(0, _path)

from inference_emulator import Emulator  # noqa: E402


@pytest.fixture(scope="session")
def emulator() -> Iterator[Emulator]:
    with Emulator() as emu:
        yield emu


@pytest.fixture()
def emu(emulator: Emulator) -> Emulator:
    emulator.clear()
    emulator.reset_faults()
    return emulator
