# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""Run every sample, sync and async, each in its own process, and report which ones work.

USAGE:
    python samples/run_samples.py [-j JOBS] [--timeout SECONDS] [-v] [NAME_FILTER ...]

    With the endpoint variables set (AZURE_AI_CHAT_ENDPOINT, AZURE_AI_EMBEDDINGS_ENDPOINT,
    AZURE_AI_IMAGE_GENERATION_ENDPOINT, AZURE_OPENAI_CHAT_ENDPOINT, AZURE_OPENAI_V1_ENDPOINT, ... each with its
    key; samples/_endpoint.py lists them all), the samples call those endpoints. Every kind of endpoint that is not configured is served by one local emulator started here for
    the whole run; its URL and key reach the samples through the same variables, so no sample starts its own.

    Prints one line per sample (OK, SKIPPED with its reason, or FAILED, and its time), the output of each failed
    sample, and exits with 1 when any sample failed. A sample that cannot run here (a package it needs is not
    installed) prints `SKIPPED: <reason>` and exits with 77 (`_endpoint.skip_sample`): it is reported as
    SKIPPED, never as OK. `-v` also prints the output of the samples that worked; NAME_FILTER arguments keep
    only the samples whose file name contains one of them.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from _endpoint import ENDPOINTS, REPO_ROOT, SAMPLES_DIR, SKIPPED_EXIT_CODE, SKIPPED_MARKER, EndpointVariables

OK, SKIPPED, FAILED = "OK", "SKIPPED", "FAILED"


@dataclass
class Outcome:
    sample: Path
    status: str
    seconds: float
    output: str
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.status == OK

    @property
    def name(self) -> str:
        return self.sample.relative_to(SAMPLES_DIR).as_posix()


def find_samples() -> list[Path]:
    """Every sample script: samples/sample_*.py, then samples/async_samples/sample_*_async.py."""
    return sorted(SAMPLES_DIR.glob("sample_*.py")) + sorted((SAMPLES_DIR / "async_samples").glob("sample_*_async.py"))


def run_one(sample: Path, env: dict[str, str], timeout: float) -> Outcome:
    start = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, str(sample)],
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        partial = exc.output.decode("utf-8", "replace") if isinstance(exc.output, bytes) else ""
        return Outcome(sample, FAILED, time.perf_counter() - start, f"{partial}\n[timed out after {timeout:g} s]")
    seconds = time.perf_counter() - start
    output = done.stdout.decode("utf-8", "replace")
    if done.returncode == 0:
        return Outcome(sample, OK, seconds, output)
    reasons = [line[len(SKIPPED_MARKER) :].strip() for line in output.splitlines() if line.startswith(SKIPPED_MARKER)]
    if done.returncode == SKIPPED_EXIT_CODE and reasons:
        return Outcome(sample, SKIPPED, seconds, output, reasons[-1])
    return Outcome(sample, FAILED, seconds, output + f"\n[exit code {done.returncode}]")


def unconfigured(env: dict[str, str]) -> list[EndpointVariables]:
    """The kinds of endpoint whose variables are not set."""
    return [variables for variables in ENDPOINTS.values() if not env.get(variables.endpoint)]


def parse_args(argv: Optional[list[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Run every sample and report which ones work.")
    parser.add_argument("-j", "--jobs", type=int, default=2, help="samples run at the same time (default 2)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds allowed per sample (default 60)")
    parser.add_argument("-v", "--verbose", action="store_true", help="also print the output of working samples")
    parser.add_argument("names", nargs="*", help="run only samples whose file name contains one of these")
    return parser.parse_args(argv)


def run_all(samples: list[Path], env: dict[str, str], jobs: int, timeout: float, verbose: bool) -> int:
    started = time.perf_counter()
    failed: list[Outcome] = []
    skipped = 0

    def run(sample: Path) -> Outcome:
        return run_one(sample, env, timeout)

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        for outcome in pool.map(run, samples):
            reason = f"  ({outcome.reason})" if outcome.reason else ""
            print(f"{outcome.status:<8}{outcome.seconds:6.2f} s  {outcome.name}{reason}", flush=True)
            if outcome.status == FAILED:
                failed.append(outcome)
            skipped += outcome.status == SKIPPED
            if verbose and outcome.ok:
                print(_indent(outcome.output), flush=True)
    for outcome in failed:
        print(f"\n---- output of {outcome.name} ----\n{outcome.output.rstrip()}", flush=True)
    elapsed = time.perf_counter() - started
    ok = len(samples) - len(failed) - skipped
    print(f"\nRan {len(samples)} samples: {ok} OK, {skipped} SKIPPED, {len(failed)} FAILED in {elapsed:.1f} s")
    return 1 if failed else 0


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.rstrip().splitlines())


def main(argv: Optional[list[str]] = None) -> int:
    args = parse_args(argv)
    samples = [s for s in find_samples() if not args.names or any(n in s.name for n in args.names)]
    if not samples:
        print("No sample matches.", file=sys.stderr)
        return 1

    env = dict(os.environ)
    env["PYTHONUNBUFFERED"] = "1"
    missing = unconfigured(env)
    if not missing:
        return run_all(samples, env, args.jobs, args.timeout, args.verbose)

    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    from inference_emulator import DEFAULT_KEY, Emulator  # pylint: disable=import-outside-toplevel

    with Emulator(openai_compatible=True) as emulator:  # also serves /v1/... without an api-version
        for variables in missing:
            env[variables.endpoint] = emulator.url + variables.emulator_path
            env[variables.key] = DEFAULT_KEY
        print(f"The local emulator at {emulator.url} stands in for: {', '.join(v.endpoint for v in missing)}")
        return run_all(samples, env, args.jobs, args.timeout, args.verbose)


if __name__ == "__main__":
    sys.exit(main())
