"""The layer check (`scripts/check_layers.py`): the package passes it, and it catches each kind of violation planted
in a copy of the package."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "check_layers.py"
PACKAGE_DIR = ROOT / "azure" / "ai" / "inference"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_layers", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["check_layers"] = module
    spec.loader.exec_module(module)
    return module


check_layers = _load()


def test_the_package_passes() -> None:
    result = subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "layers ok" in result.stdout


@pytest.fixture(name="copy")
def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "inference"
    shutil.copytree(PACKAGE_DIR, target, ignore=shutil.ignore_patterns("__pycache__"))
    assert check_layers.check(target) == []
    return target


def _plant(copy: Path, relative: str, code: str) -> Path:
    path = copy / relative
    path.write_text(path.read_text(encoding="utf-8") + "\n" + code + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "code, named",
    [
        ("import socket", "socket"),
        ("import http.client", "http.client"),
        ("from http import client", "http.client"),
        ("from ssl import SSLContext", "ssl.SSLContext"),
        ("def f():\n    import asyncio", "asyncio"),
        ("def f():\n    from aiohttp import ClientSession", "aiohttp.ClientSession"),
        ("import threading", "threading"),
        ("import selectors", "selectors"),
        ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import asyncio", "asyncio"),
        ("from .._pipeline import PipelineKind", "azure.ai.inference._pipeline"),
        ("from .. import _streaming", "azure.ai.inference._streaming"),
        ("def f():\n    from azure.ai.inference.aio import _patch", "azure.ai.inference.aio._patch"),
    ],
)
def test_core_imports_of_io_or_upper_layers_are_caught(copy: Path, code: str, named: str) -> None:
    path = _plant(copy, "_core/json.py", code)
    problems = check_layers.check(copy)  # layer violations first; an upward import may also close a cycle
    assert problems and str(path) in problems[0] and f"imports {named} " in problems[0], problems
    assert not any("sans-IO" in p for p in problems[1:]), problems


def test_core_may_import_models_and_generated_code(copy: Path) -> None:
    code = "def f():\n    from ..models import ChatCompletions\n    from .._utils import model_base\n    from .. import _operations"
    _plant(copy, "_core/results.py", code)
    assert check_layers.check(copy) == []


@pytest.mark.parametrize(
    "relative, code",
    [
        ("models/_patch.py", "def f():\n    from .. import _streaming"),  # a cycle hidden in a function
        ("_core/sse.py", "from azure.ai.inference._core import stream"),  # absolute, inside the core
        ("_streaming.py", "import azure.ai.inference._streaming"),  # a module importing itself
    ],
)
def test_import_cycles_are_caught(copy: Path, relative: str, code: str) -> None:
    _plant(copy, relative, code)
    problems = check_layers.check(copy)
    assert len(problems) == 1 and problems[0].startswith("import cycle among"), problems


def test_a_type_checking_import_is_no_cycle(copy: Path) -> None:
    _plant(copy, "models/_patch.py", "if TYPE_CHECKING:\n    from .._patch import ChatCompletionsClient")
    assert check_layers.check(copy) == []


def test_the_script_exits_1_naming_file_and_import(copy: Path) -> None:
    _plant(copy, "_core/errors.py", "import socket")
    result = subprocess.run([sys.executable, str(SCRIPT), str(copy)], capture_output=True, text=True, check=False)
    assert result.returncode == 1
    assert f"{copy / '_core' / 'errors.py'}:" in result.stdout and "imports socket" in result.stdout
