"""Each extra alone is enough for its feature: a fresh venv per extra, `pip install "<this checkout>[extra]"` and
nothing else, then that extra's feature run in it (the samples that use it, against this test's emulator where
it needs an endpoint). Opt-in (`--run-extras`): it downloads the packages from PyPI and takes minutes.

The package is installed from a copy of the checkout's sources, and the scripts run from another folder, so that
what runs is the installed package: a module missing from the distribution or a dependency an extra forgets
fails here.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Optional

import pytest

from inference_emulator import DEFAULT_KEY, Emulator

pytestmark = [pytest.mark.extras, pytest.mark.timeout(1200)]

REPO_ROOT = Path(__file__).resolve().parents[2]
PACKAGE_FILES = ("pyproject.toml", "README.md", "LICENSE")
PACKAGE_DIRS = ("azure", "inference_emulator")
# Every kind of endpoint the samples read (samples/_endpoint.py): set to this test's emulator, or left unset so
# that a sample starts the emulator of the installed package itself.
SAMPLE_KINDS = ("CHAT", "EMBEDDINGS")


def _ignore(_folder: str, names: list[str]) -> set[str]:
    return {n for n in names if n in ("__pycache__", "output") or n.endswith((".pyc", ".egg-info"))}


@pytest.fixture(scope="module")
def trees(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the package's sources to install, a folder with the samples and the benchmark chart to run)."""
    base = tmp_path_factory.mktemp("extras")
    source, work = base / "src", base / "work"
    source.mkdir()
    for name in PACKAGE_FILES:
        shutil.copy2(REPO_ROOT / name, source / name)
    for name in PACKAGE_DIRS:
        shutil.copytree(REPO_ROOT / name, source / name, ignore=_ignore)
    shutil.copytree(REPO_ROOT / "samples", work / "samples", ignore=_ignore)
    (work / "benchmarks").mkdir()
    shutil.copy2(REPO_ROOT / "benchmarks" / "chart.py", work / "benchmarks" / "chart.py")
    return source, work


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    with Emulator(openai_compatible=True) as emu:
        yield emu


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AZURE_", "PYTHON", "VIRTUAL_ENV", "PIP_"))}
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


class Venv:
    """A fresh virtual environment with this checkout installed with one extra."""

    def __init__(self, folder: Path, source: Path, extra: Optional[str]) -> None:
        subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True, timeout=300)
        self.python = folder / "bin" / "python"
        self.bin = folder / "bin"
        target = f"{source}[{extra}]" if extra else str(source)
        done = subprocess.run(
            [str(self.python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", target],
            capture_output=True,
            text=True,
            env=_clean_env(),
            timeout=1200,
            check=False,
        )
        assert done.returncode == 0, f"pip install {target!r} failed:\n{done.stdout}\n{done.stderr}"

    def run(self, args: list[str], cwd: Path, env: dict[str, str], timeout: float = 300) -> str:
        """Run `python args...` (or a console script when args[0] names one); returns stdout + stderr."""
        command = [str(self.bin / args[0]), *args[1:]] if (self.bin / args[0]).exists() else [str(self.python), *args]
        done = subprocess.run(
            command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
        )
        output = done.stdout + done.stderr
        assert done.returncode == 0, f"{' '.join(args)} exited with {done.returncode}:\n{output}"
        return output

    def lacks(self, module: str) -> bool:
        code = f"import importlib.util, sys; sys.exit(importlib.util.find_spec({module!r}) is not None)"
        return subprocess.run([str(self.python), "-c", code], check=False, timeout=60).returncode == 0


def _on(emu: Emulator, **extra: str) -> dict[str, str]:
    """The environment that sends the samples and the command line to `emu`."""
    env = _clean_env(AZURE_AI_INFERENCE_ENDPOINT=emu.url, AZURE_AI_INFERENCE_KEY=DEFAULT_KEY, **extra)
    for kind in SAMPLE_KINDS:
        env[f"AZURE_AI_{kind}_ENDPOINT"] = emu.url
        env[f"AZURE_AI_{kind}_KEY"] = DEFAULT_KEY
    return env


def _venv(tmp_path: Path, trees: tuple[Path, Path], extra: Optional[str]) -> Venv:
    return Venv(tmp_path / f"venv-{extra or 'none'}", trees[0], extra)


def test_no_extra_the_sync_clients_and_the_command_line(tmp_path, trees, emulator):
    venv = _venv(tmp_path, trees, None)
    work = trees[1]
    assert venv.lacks("aiohttp")
    out = venv.run(["samples/sample_chat_completions.py"], work, _on(emulator))
    assert "Emulated reply" in out
    out = venv.run(["azure-ai-inference", "chat", "Hello there"], work, _on(emulator))
    assert "Emulated reply to: Hello there" in out


def test_aio_the_async_clients(tmp_path, trees, emulator):
    venv = _venv(tmp_path, trees, "aio")
    work = trees[1]
    for sample in (
        "sample_chat_completions_async.py",
        "sample_chat_completions_streaming_async.py",
        "sample_embeddings_bulk_async.py",
    ):
        venv.run([f"samples/async_samples/{sample}"], work, _on(emulator))
    assert emulator.requests, "the samples did not reach this test's emulator"


def test_tracing_spans(tmp_path, trees, emulator):
    venv = _venv(tmp_path, trees, "tracing")
    out = venv.run(["samples/sample_tracing_instrumentor.py"], trees[1], _on(emulator))
    assert '"trace_id"' in out and "gen_ai" in out, out  # the console exporter printed the call's span
    venv.run(["samples/sample_tracing.py"], trees[1], _on(emulator))


def test_prompts_prompty_files(tmp_path, trees, emulator):
    venv = _venv(tmp_path, trees, "prompts")
    venv.run(["samples/sample_prompt_template.py"], trees[1], _on(emulator))


def test_structured_typed_output_and_functions_as_tools(tmp_path, trees, emulator):
    venv = _venv(tmp_path, trees, "structured")
    for sample in (
        "sample_chat_completions_structured_typed.py",
        "sample_chat_completions_tools_functions.py",
        "sample_run_tools.py",
    ):
        out = venv.run([f"samples/{sample}"], trees[1], _on(emulator))
        assert "SKIPPED" not in out, out


def test_emulator_serves_the_samples_and_the_command(tmp_path, trees):
    venv = _venv(tmp_path, trees, "emulator")
    # No endpoint variable: the sample starts the installed package's emulator itself.
    out = venv.run(["samples/sample_chat_completions.py"], trees[1], _clean_env())
    assert "using the local emulator" in out
    out = venv.run(["azure-ai-inference", "emulator", "--help"], trees[1], _clean_env())
    assert "--fault" in out
    venv.run(["-m", "inference_emulator", "--help"], trees[1], _clean_env())
    assert venv.lacks("pytest")  # the fixtures' own extra brings it: see the next test


def test_emulator_pytest_the_fixtures(tmp_path, trees):
    venv = _venv(tmp_path, trees, "emulator-pytest")
    out = venv.run(["samples/sample_emulator_in_tests.py"], trees[1], _clean_env())
    assert "2 passed" in out
    out = venv.run(["samples/async_samples/sample_emulator_in_tests_async.py"], trees[1], _clean_env())
    assert "passed" in out


def test_distributed_the_dask_recipe_as_its_sample_says(tmp_path, trees):
    venv = _venv(tmp_path, trees, "distributed")
    # As the sample's docstring says: no endpoint variable, so it runs on the emulator; workers use aiohttp.
    out = venv.run(["samples/sample_embeddings_dask.py"], trees[1], _clean_env(), timeout=600)
    assert "SKIPPED" not in out
    assert out.count("partition ") == 4, out


def test_progress_a_bar_for_the_command_line(tmp_path, trees, emulator):
    venv = _venv(tmp_path, trees, "progress")
    corpus, output = tmp_path / "corpus.txt", tmp_path / "vectors.jsonl"
    corpus.write_text("".join(f"text {i}\n" for i in range(50)))
    args = ["embed", "--input", str(corpus), "--output", str(output), "--batch-size", "10", "--progress", "bar"]
    out = venv.run(["azure-ai-inference", *args], trees[1], _on(emulator))
    assert "50/50" in out, out  # tqdm's bar
    assert len(output.read_text().splitlines()) == 50


def test_bench_the_openai_column_and_the_chart(tmp_path, trees, emulator):
    venv = _venv(tmp_path, trees, "bench")
    code = (
        "import asyncio, aiohttp, openai, sys\n"
        "client = openai.OpenAI(base_url=sys.argv[1] + '/v1', api_key='emulator-key')\n"
        "answer = client.chat.completions.create(model='m', messages=[{'role': 'user', 'content': 'Hi'}])\n"
        "print(answer.choices[0].message.content)\n"
        "client.close()\n"
    )
    out = venv.run(["-c", code, emulator.url], trees[1], _clean_env())
    assert "Emulated reply to: Hi" in out
    saved = tmp_path / "run.json"
    row = {"work": "chat", "metric": "calls/s", "target": "ratio ≤ 1.5", "ours": 1.2, "floor": 1.0, "openai": 2.0}
    saved.write_text(json.dumps({"table": [row]}), encoding="utf-8")
    chart = tmp_path / "ratios.svg"
    venv.run(["benchmarks/chart.py", str(saved), "--output", str(chart)], trees[1], _clean_env())
    assert chart.read_text(encoding="utf-8").lstrip().startswith("<?xml")
