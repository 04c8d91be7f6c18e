"""The samples: each runs to success on the local emulator (one test per sample, named after it, run as
`samples/run_samples.py` runs it), and every sync sample has an async twin."""

from __future__ import annotations

import importlib
import importlib.util
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
SAMPLES_DIR = REPO_ROOT / "samples"
ASYNC_DIR = SAMPLES_DIR / "async_samples"
NOT_SAMPLES = {"_endpoint.py", "run_samples.py"}
# Every variable that would send the samples to a real endpoint.
ENDPOINT_VARIABLE = re.compile(r"^AZURE_(AI|OPENAI)_\w+_(ENDPOINT|KEY|DEPLOYMENT)$")


def sync_samples() -> list[Path]:
    return sorted(p for p in SAMPLES_DIR.glob("*.py") if p.name not in NOT_SAMPLES)


def async_samples() -> list[Path]:
    return sorted(ASYNC_DIR.glob("*.py"))


def test_the_samples_are_there() -> None:
    names = {p.name for p in sync_samples()}
    assert {"sample_chat_completions.py", "sample_chat_completions_streaming.py", "sample_embeddings.py"} <= names
    assert all(name.startswith("sample_") for name in names)
    assert all(p.name.startswith("sample_") and p.name.endswith("_async.py") for p in async_samples())


def test_every_sample_has_an_async_twin() -> None:
    missing = [p.name for p in sync_samples() if not (ASYNC_DIR / (p.stem + "_async.py")).is_file()]
    assert not missing, f"samples without an async twin in samples/async_samples/: {missing}"
    orphans = [p.name for p in async_samples() if not (SAMPLES_DIR / (p.stem[: -len("_async")] + ".py")).is_file()]
    assert not orphans, f"async samples without a sync sample: {orphans}"


def test_every_sample_has_main_and_a_region() -> None:
    for path in sync_samples() + async_samples():
        text = path.read_text(encoding="utf-8")
        assert re.search(r"^(async )?def main\(\) -> None:", text, re.M), f"{path.name} has no main()"
        assert "# [START " in text and "# [END " in text, f"{path.name} has no START/END region"


def _runner() -> Any:
    """samples/run_samples.py, imported as the samples import their helpers (from samples/)."""
    sys.path.insert(0, str(SAMPLES_DIR))
    try:
        return importlib.import_module("run_samples")
    finally:
        sys.path.remove(str(SAMPLES_DIR))


def _sample_id(path: Path) -> str:
    return path.relative_to(SAMPLES_DIR).as_posix()


@pytest.fixture(scope="module")
def samples_env() -> Iterator[dict[str, str]]:
    """The environment run_samples.py gives the samples: every endpoint variable pointing at one local emulator."""
    from inference_emulator import DEFAULT_KEY, Emulator

    runner = _runner()
    env = {k: v for k, v in os.environ.items() if not ENDPOINT_VARIABLE.match(k)}
    env["PYTHONUNBUFFERED"] = "1"
    with Emulator(openai_compatible=True) as emulator:  # also serves /v1/... without an api-version
        for variables in runner.unconfigured(env):
            env[variables.endpoint] = emulator.url + variables.emulator_path
            env[variables.key] = DEFAULT_KEY
        yield env


# Samples that need a package the dev extra does not bring: they exit 77 with `SKIPPED: <reason>` without it.
DASK_SAMPLES = {"sample_embeddings_dask.py", "async_samples/sample_embeddings_dask_async.py"}


@pytest.mark.parametrize("sample", sync_samples() + async_samples(), ids=_sample_id)
def test_sample_runs_on_the_emulator(sample: Path, samples_env: dict[str, str]) -> None:
    outcome = _runner().run_one(sample, samples_env, 60.0)
    name = _sample_id(sample)
    if name in DASK_SAMPLES and importlib.util.find_spec("distributed") is None:
        # Only a sample whose package is missing may skip, and it says why; with the package it runs and is OK.
        assert outcome.status == "SKIPPED", f"{name}: {outcome.status}\n{outcome.output}"
        assert "pip install" in outcome.reason and "distributed" in outcome.reason, outcome.reason
        return
    assert outcome.status == "OK", f"{name}: {outcome.status}\n{outcome.output}"


def test_the_runner_reports_each_sample_and_a_summary() -> None:
    env = {k: v for k, v in os.environ.items() if not ENDPOINT_VARIABLE.match(k)}
    done = subprocess.run(
        [sys.executable, str(SAMPLES_DIR / "run_samples.py"), "sample_embeddings.py", "sample_embeddings_async.py"],
        cwd=REPO_ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    ok = {m.group(1) for m in re.finditer(r"^OK\s+[\d.]+ s\s+(\S+)$", done.stdout, re.M)}
    assert ok == {"sample_embeddings.py", "async_samples/sample_embeddings_async.py"}, output
    assert "2 OK, 0 SKIPPED, 0 FAILED" in done.stdout, output


def _run_one(tmp_path: Path, code: str) -> Any:
    """The runner's outcome for a sample script of `code`."""
    run_samples = _runner()
    sample = tmp_path / "sample_probe.py"
    sample.write_text(code, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(SAMPLES_DIR)}
    return run_samples.run_one(sample, env, 60.0)


def test_a_sample_that_cannot_run_is_skipped_with_its_reason_not_ok(tmp_path: Path) -> None:
    outcome = _run_one(tmp_path, "from _endpoint import skip_sample\nskip_sample('needs the moon: pip install moon')\n")
    assert (outcome.status, outcome.reason, outcome.ok) == ("SKIPPED", "needs the moon: pip install moon", False)


@pytest.mark.parametrize(
    "code",
    [
        "raise SystemExit(77)\n",  # the exit code alone, no reason: a failure
        "print('SKIPPED: not really')\nraise SystemExit(1)\n",  # the marker with another exit code
    ],
)
def test_only_the_skip_code_with_a_reason_counts_as_skipped(tmp_path: Path, code: str) -> None:
    assert _run_one(tmp_path, code).status == "FAILED"


def test_a_sample_that_prints_and_returns_is_ok(tmp_path: Path) -> None:
    assert _run_one(tmp_path, "print('done')\n").status == "OK"
