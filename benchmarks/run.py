"""Run the benchmarks of azure-ai-inference side by side with a hand-written floor (and openai, if installed).

    python benchmarks/run.py [--quick] [--json out.json] [--profile] [--write-docs]

Starts `server.py` in its own process, then runs every measurement of `workloads.py` in a fresh interpreter,
several times, interleaving the implementations, and prints the median of the repetitions as a table:
work | metric | ours | floor | ours/floor | openai | openai/floor | target | met.

- `--quick` finishes in under two minutes on two cores; the default (full) mode repeats more.
- `--json PATH` saves every repetition and the table.
- `--profile` also runs our client's hot paths under cProfile (plus an import-time breakdown) and rewrites the
  generated part of `benchmarks/PROFILE.md`, with the ratios of this same run.
- `--write-docs` rewrites the results table in `benchmarks/README.md` from this run.
- `--only chat,stream,...` runs a subset; `--no-openai` leaves the openai column out.
- Child processes keep their bytecode caches under `--pycache-prefix` (outside the source tree), warmed before
  measuring, so that imports are measured from bytecode for every package; `--as-is-bytecode` keeps the
  environment's settings instead.

Ratios, not absolute figures, are what to compare: both sides run on the same machine, under the same load,
in the same run.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.util
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Optional

HERE = Path(__file__).resolve().parent
WORKLOADS = HERE / "workloads.py"
SERVER = HERE / "server.py"
README = HERE / "README.md"
CHART = HERE / "ratios.svg"
PROFILE_MD = HERE / "PROFILE.md"
PYTHON = sys.executable

# What one process does, and how many fresh processes each measurement gets.
MODES: dict[str, dict[str, Any]] = {
    "quick": {
        "reps": 3,
        "import_reps": 10,
        "first_call_reps": 5,
        "chat": ["--calls", "100", "--batches", "5", "--warmup", "30"],
        "stream": ["--chunks", "10000", "--batches", "3", "--warmup", "500"],
        "streams": ["--streams", "100", "--chunks", "100", "--batches", "3"],
        "stream_reuse": ["--streams", "20", "--chunks", "16"],
        "emb": ["--calls", "5", "--batches", "5", "--warmup", "3"],
        "async": ["--calls", "2000", "--batches", "1", "--warmup", "128", "--concurrency", "64"],
    },
    "full": {
        "reps": 7,
        "import_reps": 20,
        "first_call_reps": 15,
        "chat": ["--calls", "300", "--batches", "7", "--warmup", "100"],
        "stream": ["--chunks", "10000", "--batches", "5", "--warmup", "1000"],
        "streams": ["--streams", "100", "--chunks", "100", "--batches", "5"],
        "stream_reuse": ["--streams", "20", "--chunks", "16"],
        "emb": ["--calls", "15", "--batches", "7", "--warmup", "5"],
        "async": ["--calls", "2000", "--batches", "2", "--warmup", "256", "--concurrency", "64"],
    },
}
PROFILE_ARGS = {
    "chat": ["--calls", "300", "--batches", "3", "--warmup", "50"],
    "stream": ["--chunks", "10000", "--batches", "3", "--warmup", "500"],
    "emb_float": ["--calls", "5", "--batches", "3", "--warmup", "3"],
    "emb_base64": ["--calls", "5", "--batches", "3", "--warmup", "3"],
    "async": ["--calls", "1000", "--batches", "1", "--warmup", "128", "--concurrency", "64"],
    "first_call": [],
}
BENCH_ARGS_KEY = {
    "chat": "chat",
    "stream": "stream",
    "streams": "streams",
    "stream_reuse": "stream_reuse",
    "emb_float": "emb",
    "emb_base64": "emb",
    "async": "async",
}
IMPORTS = {"ours": "azure.ai.inference", "floor": "azure.core.pipeline", "openai": "openai", "b9": "azure.ai.inference"}
# The interpreter that has the retired 1.0.0b9 installed (`--b9-python`), when its column is wanted.
B9_PYTHON: list[str] = [""]
IMPORT_SNIPPET = (
    "import time\n"
    "c0 = time.process_time(); w0 = time.perf_counter()\n"
    "import {module}\n"
    "w1 = time.perf_counter(); c1 = time.process_time()\n"
    "import resource, sys\n"
    "sys.stdout.write('%r %r %r\\n' % (c1 - c0, w1 - w0, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))\n"
)


# The environment of every process we start. By default bytecode caching is on, with the caches in a directory
# outside the source tree (see `bytecode_environment`); None means "inherit ours unchanged".
CHILD_ENV: Optional[dict[str, str]] = None
DEFAULT_PYCACHE = Path(tempfile.gettempdir()) / "azure-ai-inference-benchmarks-pycache"
WARM_IMPORTS = (
    "azure.ai.inference, azure.ai.inference.aio, azure.ai.inference.models, azure.core.credentials, "
    "azure.core.pipeline.transport._requests_basic, azure.core.pipeline.transport._aiohttp, "
    "aiohttp, http.client, json, asyncio"
)


def bytecode_environment(prefix: Path, with_openai: bool) -> dict[str, str]:
    """An environment in which Python reads and writes bytecode caches under `prefix`, warmed up.

    A package installed by pip is byte-compiled at install time; an editable checkout in an environment with
    PYTHONDONTWRITEBYTECODE=1 is compiled from source on every import, which would add tens of milliseconds to
    our import time and none to azure-core's. With PYTHONPYCACHEPREFIX every package, ours and the others,
    gets its caches in the same place, outside the source tree, and one import before measuring fills it.
    """
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(prefix)
    modules = WARM_IMPORTS + (", openai" if with_openai else "")
    subprocess.run([PYTHON, "-c", f"import {modules}"], env=env, check=False, capture_output=True, timeout=300)
    return env


def median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def log(message: str) -> None:
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


# ---------------------------------------------------------------------------------------------- processes


class Server:
    """server.py in its own process; it exits by itself if we die (it watches its stdin)."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [PYTHON, str(SERVER), "--watch-stdin"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=CHILD_ENV,
        )
        line = self.process.stdout.readline() if self.process.stdout else ""
        if not line.strip().isdigit():
            self.stop()
            raise SystemExit(f"the benchmark server did not start (it printed {line!r})")
        self.port = int(line)
        self.pid = self.process.pid

    def stop(self) -> None:
        if self.process.poll() is None:
            if self.process.stdin:
                self.process.stdin.close()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def run_worker(server: Server, bench: str, impl: str, extra: list[str]) -> dict[str, Any]:
    python = B9_PYTHON[0] if impl == "b9" else PYTHON
    command = [python, str(WORKLOADS), bench, impl, "--port", str(server.port), "--server-pid", str(server.pid)]
    done = subprocess.run([*command, *extra], capture_output=True, text=True, timeout=600, check=False, env=CHILD_ENV)
    if done.returncode != 0:
        tail = "\n".join(done.stderr.strip().splitlines()[-6:])
        return {"error": f"{bench}/{impl} exited with {done.returncode}: {tail}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_import(impl: str) -> dict[str, Any]:
    module = IMPORTS[impl]
    done = subprocess.run(
        [B9_PYTHON[0] if impl == "b9" else PYTHON, "-c", IMPORT_SNIPPET.format(module=module)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=CHILD_ENV,
    )
    if done.returncode != 0:
        return {"error": f"import {module} failed: {done.stderr.strip().splitlines()[-1:]}"}
    cpu, wall, rss = (float(v) for v in done.stdout.split())
    return {"cpu": cpu, "wall": wall, "peak_rss_mb": rss}


def summarize(runs: list[dict[str, Any]]) -> Optional[dict[str, Any]]:
    good = [r for r in runs if "error" not in r]
    if not good:
        return {"error": runs[0]["error"]} if runs else None
    summary: dict[str, Any] = {
        "cpu": median([r["cpu"] for r in good]),
        "wall": median([r["wall"] for r in good]),
        "peak_rss_mb": median([r["peak_rss_mb"] for r in good]),
        "cpu_runs": [r["cpu"] for r in good],
        "wall_runs": [r["wall"] for r in good],
        "reps": len(good),
    }
    if "connections" in good[0]:
        summary["connections"] = median([r["connections"] for r in good])
    if "server_busy" in good[0]:
        summary["server_busy"] = median([r["server_busy"] for r in good])
    errors = [r["error"] for r in runs if "error" in r]
    if errors:
        summary["errors"] = errors
    return summary


ALL_BENCHES = (
    "chat",
    "stream",
    "streams",
    "stream_reuse",
    "emb_float",
    "emb_base64",
    "async",
    "first_call",
    "import",
    "bulk",
)
BULK = HERE / "bulk.py"


def run_bulk(quick: bool) -> Optional[list[dict[str, Any]]]:
    """bulk.py in its own process (it starts its own emulator): prints its table, returns its rows."""
    started = time.perf_counter()
    done = subprocess.run(
        [PYTHON, str(BULK), *(["--quick"] if quick else [])],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env=CHILD_ENV,
    )
    lines = done.stdout.splitlines()
    if done.returncode != 0 or not lines or not lines[-1].startswith("JSON "):
        tail = "\n".join(done.stderr.strip().splitlines()[-6:])
        log(f"  bulk exited with {done.returncode}: {tail}")
        return None
    log(f"  bulk ({time.perf_counter() - started:.0f} s)")
    print()
    print("\n".join(lines[:-1]))
    rows: list[dict[str, Any]] = json.loads(lines[-1][len("JSON ") :])
    return rows


def measure_all(
    server: Server, mode: dict[str, Any], impls: list[str], only: tuple[str, ...] = ALL_BENCHES
) -> dict[str, dict[str, Any]]:
    results: dict[str, dict[str, Any]] = {}
    for bench in ("chat", "stream", "streams", "stream_reuse", "emb_float", "emb_base64", "async"):
        if bench not in only:
            continue
        started = time.perf_counter()
        extra = mode[BENCH_ARGS_KEY[bench]]
        runs: dict[str, list] = {impl: [] for impl in impls}
        for rep in range(mode["reps"]):
            for impl in impls[rep % len(impls) :] + impls[: rep % len(impls)]:  # rotate who goes first
                result = run_worker(server, bench, impl, extra)
                if "error" in result:
                    log("  " + result["error"])
                runs[impl].append(result)
        results[bench] = {impl: summarize(runs[impl]) for impl in impls}
        _log_bench(bench, results[bench], impls, started)

    if "first_call" in only:
        started = time.perf_counter()
        runs = {impl: [] for impl in impls}
        for rep in range(mode["first_call_reps"]):
            for impl in impls[rep % len(impls) :] + impls[: rep % len(impls)]:
                runs[impl].append(run_worker(server, "first_call", impl, []))
        results["first_call"] = {impl: summarize(runs[impl]) for impl in impls}
        _log_bench("first_call", results["first_call"], impls, started)

    if "import" in only:
        started = time.perf_counter()
        runs = {impl: [] for impl in impls}
        for rep in range(mode["import_reps"]):
            for impl in impls[rep % len(impls) :] + impls[: rep % len(impls)]:
                runs[impl].append(run_import(impl))
        results["import"] = {impl: summarize(runs[impl]) for impl in impls}
        _log_bench("import", results["import"], impls, started)
    return results


def _log_bench(bench: str, by_impl: dict[str, Any], impls: list[str], started: float) -> None:
    brief = ", ".join(f"{impl} {_brief(by_impl[impl])}" for impl in impls)
    log(f"  {bench} ({time.perf_counter() - started:.0f} s): {brief}")


def _brief(summary: Optional[dict[str, Any]]) -> str:
    if not summary or "error" in summary:
        return "error"
    return f"cpu {summary['cpu'] * 1e6:.1f}us wall {summary['wall'] * 1e6:.1f}us"


# ---------------------------------------------------------------------------------------------- the table


class Row:
    """One line of the table: a metric of one benchmark, and the target it is judged by (if any)."""

    def __init__(
        self,
        work: str,
        metric: str,
        bench: str,
        value: Callable[[dict[str, Any]], float],
        fmt: str,
        target: Optional[str] = None,
        met: Optional[Callable[[float, float, float], bool]] = None,
        higher_is_better: bool = False,
    ) -> None:
        self.work, self.metric, self.bench, self.value, self.fmt = work, metric, bench, value, fmt
        self.target, self.met, self.higher_is_better = target, met, higher_is_better


def _cpu(scale: float) -> Callable[[dict[str, Any]], float]:
    return lambda s: s["cpu"] * scale


def _wall(scale: float) -> Callable[[dict[str, Any]], float]:
    return lambda s: s["wall"] * scale


def _rss(s: dict[str, Any]) -> float:
    return s["peak_rss_mb"]


ROWS = [
    Row("chat call, sync (per call)", "CPU µs", "chat", _cpu(1e6), "{:.0f}", "ratio ≤ 2.5", lambda o, f, r: r <= 2.5),
    Row("chat call, sync (per call)", "wall µs", "chat", _wall(1e6), "{:.0f}"),
    Row(
        "streamed chunk (10,000-chunk stream)",
        "CPU µs",
        "stream",
        _cpu(1e6),
        "{:.2f}",
        "ratio ≤ 1.5",
        lambda o, f, r: r <= 1.5,
    ),
    Row("streamed chunk (10,000-chunk stream)", "wall µs", "stream", _wall(1e6), "{:.2f}"),
    Row(
        "streamed chunk (100 streams x 100 chunks)",
        "CPU µs",
        "streams",
        _cpu(1e6),
        "{:.2f}",
        "ratio ≤ 2",
        lambda o, f, r: r <= 2,
    ),
    Row("streamed chunk (100 streams x 100 chunks)", "wall µs", "streams", _wall(1e6), "{:.2f}"),
    Row(
        "stream connection reuse (20 streams in a row)",
        "connections",
        "stream_reuse",
        lambda s: s["connections"],
        "{:.0f}",
        "ours = 1",
        lambda o, f, r: o <= 1,
    ),
    Row(
        "embeddings 16x1024 float JSON (per call)",
        "CPU ms",
        "emb_float",
        _cpu(1e3),
        "{:.2f}",
        "ratio ≤ 1.3",
        lambda o, f, r: r <= 1.3,
    ),
    Row("embeddings 16x1024 float JSON (per call)", "wall ms", "emb_float", _wall(1e3), "{:.2f}"),
    Row(
        "embeddings 16x1024 base64 -> floats (per call)",
        "CPU ms",
        "emb_base64",
        _cpu(1e3),
        "{:.2f}",
        "ratio ≤ 1.6",
        lambda o, f, r: r <= 1.6,
    ),
    Row("embeddings 16x1024 base64 -> floats (per call)", "wall ms", "emb_base64", _wall(1e3), "{:.2f}"),
    Row(
        "async throughput (2,000 calls, 64 in flight)",
        "req/s",
        "async",
        lambda s: 1 / s["wall"],
        "{:.0f}",
        "ratio ≥ 0.5",
        lambda o, f, r: r >= 0.5,
        higher_is_better=True,
    ),
    Row("async throughput (2,000 calls, 64 in flight)", "CPU µs/call", "async", _cpu(1e6), "{:.0f}"),
    Row(
        "import (fresh interpreter)",
        "wall ms",
        "import",
        _wall(1e3),
        "{:.1f}",
        "ours - floor ≤ 15 ms",
        lambda o, f, r: o - f <= 15,
    ),
    Row("import (fresh interpreter)", "CPU ms", "import", _cpu(1e3), "{:.1f}"),
    Row(
        "first call (construct + 1 chat call)",
        "wall ms",
        "first_call",
        _wall(1e3),
        "{:.1f}",
        "ours ≤ 8 ms",
        lambda o, f, r: o <= 8,
    ),
    Row("first call (construct + 1 chat call)", "CPU ms", "first_call", _cpu(1e3), "{:.1f}"),
]
RSS_BENCHES = [
    ("chat", "chat call process"),
    ("stream", "stream process"),
    ("emb_float", "embeddings float process"),
    ("emb_base64", "embeddings base64 process"),
    ("async", "async process"),
    ("first_call", "first call process"),
    ("import", "after import only"),
]
for _bench, _label in RSS_BENCHES:
    if _bench == "async":
        ROWS.append(
            Row(f"peak RSS: {_label}", "MB", _bench, _rss, "{:.1f}", "ours ≤ floor + 5 MB", lambda o, f, r: o <= f + 5)
        )
    else:
        ROWS.append(Row(f"peak RSS: {_label}", "MB", _bench, _rss, "{:.1f}", "ours ≤ 40 MB", lambda o, f, r: o <= 40))

FLOOR_NOTE = {
    "import": "floor = `import azure.core.pipeline`; openai = `import openai`",
}


def build_table(results: dict[str, dict[str, Any]], impls: list[str]) -> list[dict[str, Any]]:
    table = []
    for row in ROWS:
        by_impl = results.get(row.bench, {})
        values: dict[str, Optional[float]] = {}
        for impl in impls:
            summary = by_impl.get(impl)
            values[impl] = row.value(summary) if summary and "error" not in summary else None
        ours, floor = values.get("ours"), values.get("floor")
        ratio = ours / floor if ours is not None and floor else None
        openai_value, b9_value = values.get("openai"), values.get("b9")
        openai_ratio = openai_value / floor if openai_value is not None and floor else None
        b9_ratio = b9_value / floor if b9_value is not None and floor else None
        met = None
        if row.met is not None and ours is not None and floor is not None and ratio is not None:
            met = bool(row.met(ours, floor, ratio))
        entry = {
            "work": row.work,
            "metric": row.metric,
            "bench": row.bench,
            "ours": ours,
            "floor": floor,
            "ratio": ratio,
            "openai": openai_value,
            "openai_ratio": openai_ratio,
            "b9": b9_value,
            "b9_ratio": b9_ratio,
            "higher_is_better": row.higher_is_better,
            "target": row.target,
            "met": met,
            "fmt": row.fmt,
        }
        if row.bench == "import" and ours is not None and floor is not None:
            entry["delta_ms"] = ours - floor if row.metric.endswith("ms") else None
        table.append(entry)
    return table


def _num(fmt: str, value: Optional[float]) -> str:
    return "-" if value is None else fmt.format(value)


def _ratio(value: Optional[float]) -> str:
    if value is None:
        return "-"
    return f"{value:.2f}x" if value < 100 else f"{value:.0f}x"


PEER_LABELS = {"openai": "openai", "b9": "1.0.0b9"}


def render_table(table: list[dict[str, Any]], peers: list[str], markdown: bool = True) -> str:
    """The table as text; `peers` are the measured implementations beside ours and the floor (openai, b9)."""
    header = ["work", "metric", "ours", "floor", "ours/floor"]
    for peer in peers:
        header += [PEER_LABELS[peer], f"{PEER_LABELS[peer]}/floor"]
    header += ["target", "met"]
    lines = []
    for entry in table:
        ratio = _ratio(entry["ratio"])
        if entry.get("delta_ms") is not None:
            ratio += f" (+{entry['delta_ms']:.1f} ms)"
        cells = [
            entry["work"],
            entry["metric"],
            _num(entry["fmt"], entry["ours"]),
            _num(entry["fmt"], entry["floor"]),
            ratio,
        ]
        for peer in peers:
            cells += [_num(entry["fmt"], entry[peer]), _ratio(entry[f"{peer}_ratio"])]
        met = {True: "met", False: "**missed**" if markdown else "MISSED", None: ""}[entry["met"]]
        cells += [entry["target"] or "", met]
        lines.append(cells)
    widths = [max(len(str(c)) for c in column) for column in zip(header, *lines)]
    out = []
    for i, cells in enumerate([header] + lines):
        out.append("| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths)) + " |")
        if i == 0:
            out.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------- profiles


def run_profiles(server: Server, mode: dict[str, Any]) -> dict[str, Any]:
    profiles: dict[str, Any] = {}
    for bench, extra in PROFILE_ARGS.items():
        result = run_worker(server, bench, "ours", [*extra, "--profile"])
        if "error" in result:
            log("  " + result["error"])
            continue
        profiles[bench] = result["profile"]
        log(f"  profiled {bench}")
    profiles["import"] = import_breakdown()
    profiles["what_if"] = run_what_if(server, mode)
    return profiles


WHAT_IF_BENCHES = ("chat", "emb_base64", "async")


def run_what_if(server: Server, mode: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Our client as it is and with `use_env_settings=False` (no proxy/netrc lookups per request), interleaved."""
    results: dict[str, dict[str, Any]] = {}
    for bench in WHAT_IF_BENCHES:
        runs: dict[str, list[dict[str, Any]]] = {"ours": [], "ours_noenv": []}
        for rep in range(mode["reps"]):
            for impl in ("ours", "ours_noenv") if rep % 2 == 0 else ("ours_noenv", "ours"):
                result = run_worker(server, bench, impl, mode[BENCH_ARGS_KEY[bench]])
                if "error" in result:
                    log("  " + result["error"])
                runs[impl].append(result)
        results[bench] = {impl: summarize(runs[impl]) for impl in runs}
        log(f"  what-if {bench}: " + ", ".join(f"{i} {_brief(results[bench][i])}" for i in runs))
    return results


def render_what_if(what_if: dict[str, dict[str, Any]], results: dict[str, dict[str, Any]]) -> list[str]:
    labels = {
        "chat": ("chat call, sync", "CPU µs/call", _cpu(1e6)),
        "emb_base64": ("embeddings base64 -> floats", "CPU ms/call", _cpu(1e3)),
        "async": ("async throughput", "req/s", lambda s: 1 / s["wall"]),
    }
    out = [
        "| work | metric | ours as it is | ours, `use_env_settings=False` | change | floor | ratio to floor after |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for bench, (work, metric, value) in labels.items():
        pair = what_if.get(bench, {})
        floor = results.get(bench, {}).get("floor")
        a, b = pair.get("ours"), pair.get("ours_noenv")
        if not a or not b or "error" in a or "error" in b:
            continue
        va, vb = value(a), value(b)
        vf = value(floor) if floor and "error" not in floor else None
        after = f"{vb / vf:.2f}x" if vf else "-"
        out.append(
            f"| {work} | {metric} | {va:.4g} | {vb:.4g} | {(vb - va) / va:+.0%} | "
            f"{'-' if vf is None else f'{vf:.4g}'} | {after} |"
        )
    return out


_IMPORT_LINE = re.compile(r"import time:\s+(\d+)\s+\|\s+(\d+)\s+\|(\s*)(\S+)")


def _importtime(module: str) -> list[tuple[str, int, int, int]]:
    done = subprocess.run(
        [PYTHON, "-X", "importtime", "-c", f"import {module}"],
        capture_output=True,
        text=True,
        check=False,
        env=CHILD_ENV,
    )
    rows = []
    for line in done.stderr.splitlines():
        match = _IMPORT_LINE.match(line)
        if match:
            rows.append((match.group(4), int(match.group(1)), int(match.group(2)), len(match.group(3))))
    return rows


def import_breakdown(reps: int = 5) -> dict[str, Any]:
    """Which modules `import azure.ai.inference` loads beyond `import azure.core.pipeline`, by self time."""
    base_modules = {name for name, *_ in _importtime("azure.core.pipeline")}
    self_us: dict[str, list[int]] = {}
    cumulative_us: dict[str, list[int]] = {}
    for _ in range(reps):
        for name, own, cumulative, _depth in _importtime("azure.ai.inference"):
            if name in base_modules:
                continue
            self_us.setdefault(name, []).append(own)
            cumulative_us.setdefault(name, []).append(cumulative)
    rows: list[dict[str, Any]] = [
        {"module": name, "self_us": median(self_us[name]), "cum_us": median(cumulative_us[name])} for name in self_us
    ]
    packages: dict[str, float] = {}
    for row in rows:
        parts = str(row["module"]).split(".")
        top = ".".join(parts[:3]) if parts[0] == "azure" else parts[0]
        packages[top] = packages.get(top, 0.0) + row["self_us"]
    return {
        "extra_modules": len(rows),
        "extra_self_ms": sum(r["self_us"] for r in rows) / 1e3,
        "by_self": sorted(rows, key=lambda r: -r["self_us"])[:20],
        "by_package": sorted(
            ({"package": k, "self_ms": v / 1e3} for k, v in packages.items()), key=lambda r: -r["self_ms"]
        )[:12],
    }


def _stage(stages: dict[str, float], *keys: str) -> Optional[float]:
    values = [stages.get(k) for k in keys]
    return None if any(v is None for v in values) else sum(v for v in values if v is not None)


def _minus(a: Optional[float], *others: Optional[float]) -> Optional[float]:
    if a is None or any(o is None for o in others):
        return None
    return a - sum(o for o in others if o is not None)


def stage_rows(bench: str, stages: dict[str, float]) -> list[tuple[str, Optional[float]]]:
    """The stages of one operation, from the cumulative times of known functions (None: not found)."""

    def s(*keys: str) -> Optional[float]:
        return _stage(stages, *keys)

    if bench in ("chat", "emb_float", "emb_base64", "async"):
        aio = bench == "async"
        client_module = "_embeddings" if bench.startswith("emb") else "_chat"
        module = "azure/ai/inference/" + ("aio/" if aio else "") + client_module
        create = s(module + ".py:create")
        run = s("azure/core/pipeline/_base_async.py:run" if aio else "azure/core/pipeline/_base.py:run")
        transport = s(
            "azure/core/pipeline/transport/_aiohttp.py:send"
            if aio
            else "azure/core/pipeline/transport/_requests_basic.py:send"
        )
        decode = s("azure/core/pipeline/policies/_universal.py:deserialize_from_http_generics")
        result = s(
            "azure/ai/inference/_core/results.py:embeddings_result"
            if bench.startswith("emb")
            else "azure/ai/inference/_core/results.py:chat_completions"
        )
        call = s("benchmarks/workloads.py:call")
        reading = "every `data[i].embedding`" if bench.startswith("emb") else "`choices[0].message.content`"
        return [
            ("the whole call, as the caller sees it", call),
            (
                "build the request (`_core/settings.py` `RequestSettings.request`)",
                s("azure/ai/inference/_core/settings.py:request"),
            ),
            (
                "azure-core pipeline: the policies, without transport and content decoding",
                _minus(run, transport, decode),
            ),
            ("transport: " + ("aiohttp" if aio else "requests + urllib3 + http.client") + " + socket", transport),
            ("`ContentDecodePolicy`: azure-core parses the JSON body", decode),
            (
                "`_core.results.read_json`: the JSON body parsed (again)",
                s("azure/ai/inference/_core/results.py:read_json"),
            ),
            (
                "the result model (`_core.results."
                + ("embeddings_result" if bench.startswith("emb") else "chat_completions")
                + "`)",
                result,
            ),
            (f"reading {reading} afterwards", _minus(call, create)),
        ]
    if bench == "stream":
        return [
            ("the caller's loop, per chunk", s("benchmarks/workloads.py:stream")),
            ("`StreamingChatCompletions.__next__`", s("azure/ai/inference/_streaming.py:__next__")),
            (
                "reading the body: azure-core `iter_bytes` -> requests -> urllib3",
                s("azure/core/rest/_http_response_impl.py:iter_bytes"),
            ),
            ("SSE decoding (`_core/sse.py` `SSEDecoder.feed`)", s("azure/ai/inference/_core/sse.py:feed")),
            (
                "event -> update (`_core/stream.py` `event_to_update`, `json.loads` included)",
                s("azure/ai/inference/_core/stream.py:event_to_update"),
            ),
            ("`json.loads` alone", s("stdlib/json/__init__.py:loads")),
            (
                "`update.choices[0].delta.content` (three properties)",
                s(
                    "azure/ai/inference/models/_patch.py:choices",
                    "azure/ai/inference/models/_patch.py:delta",
                    "azure/ai/inference/models/_patch.py:content",
                ),
            ),
        ]
    if bench == "first_call":
        return [
            ("construct the client + one call", s("benchmarks/workloads.py:first")),
            (
                "imports done on the way (lazily, inside the two below)",
                s("<frozen importlib._bootstrap>:_find_and_load"),
            ),
            ("the client's constructor", s("azure/ai/inference/_chat.py:__init__")),
            ("the call (`create`)", s("azure/ai/inference/_chat.py:create")),
        ]
    return []


def render_profiles(
    profiles: dict[str, Any], table: list[dict[str, Any]], meta: dict[str, Any], results: dict[str, dict[str, Any]]
) -> str:
    out = [
        f"Generated by `python benchmarks/run.py {meta['args']}` on {meta['date']} "
        f"({meta['machine']['cpu_count']} cores, Python {meta['machine']['python']}, "
        f"load average {meta['machine']['load_before']} before / {meta['machine']['load_after']} after).",
        "",
        "### Where we stand (this run; CPU ratios unless the row says otherwise)",
        "",
    ]
    targeted = [e for e in table if e["target"]]
    out.append("| work | metric | ours | floor | ours/floor | target | met |")
    out.append("|---|---|---|---|---|---|---|")
    for e in targeted:
        ratio = _ratio(e["ratio"])
        if e.get("delta_ms") is not None:
            ratio += f" (+{e['delta_ms']:.1f} ms)"
        met = {True: "met", False: "**missed**", None: ""}[e["met"]]
        out.append(
            f"| {e['work']} | {e['metric']} | {_num(e['fmt'], e['ours'])} | {_num(e['fmt'], e['floor'])} | "
            f"{ratio} | {e['target']} | {met} |"
        )
    titles = {
        "chat": "Non-streaming chat call (sync), per call",
        "stream": "Streamed chunk, per chunk (10,000-chunk streams)",
        "emb_float": "Embeddings 16x1024, float JSON, per call (every `data[i].embedding` read)",
        "emb_base64": "Embeddings 16x1024, base64 -> lists of floats, per call",
        "async": "Async chat calls, 64 in flight, per call",
        "first_call": "First call: construct the client + one chat call (after import)",
    }
    for bench, title in titles.items():
        profile = profiles.get(bench)
        if not profile:
            continue
        out += [
            "",
            f"### {title}",
            "",
            f"cProfile, {profile['ops']} operations; total own time {profile['total_us']:.1f} µs per operation "
            "(cProfile inflates small Python calls; compare entries with each other, not with the table).",
            "",
        ]
        rows = stage_rows(bench, profile.get("stages", {}))
        if rows:
            out += [
                "Stages (cumulative time of the functions named):",
                "",
                "| µs/op | share | stage |",
                "|---:|---:|---|",
            ]
            whole = rows[0][1]
            for label, value in rows:
                share = f"{value / whole:.0%}" if value is not None and whole else "-"
                out.append(f"| {'-' if value is None else f'{value:.1f}'} | {share} | {label} |")
            out.append("")
        out += ["Own time by package or file:", "", "| µs/op | share | where |", "|---:|---:|---|"]
        for g in profile["by_group"][:12]:
            part = g["own_us"] / profile["total_us"] if profile["total_us"] else 0.0
            out.append(f"| {g['own_us']:.1f} | {part:.0%} | {g['group']} |")
        out += [
            "",
            "Top functions by own time:",
            "",
            "| µs/op own | µs/op cumulative | calls/op | function |",
            "|---:|---:|---:|---|",
        ]
        for r in profile["by_own"][:20]:
            out.append(f"| {r['own_us']:.1f} | {r['cum_us']:.1f} | {r['calls_per_op']:.3g} | `{r['function']}` |")
        out += [
            "",
            "Top functions by cumulative time:",
            "",
            "| µs/op cumulative | µs/op own | calls/op | function |",
            "|---:|---:|---:|---|",
        ]
        for r in profile["by_cum"][:25]:
            out.append(f"| {r['cum_us']:.1f} | {r['own_us']:.1f} | {r['calls_per_op']:.3g} | `{r['function']}` |")
    what_if = profiles.get("what_if")
    if what_if:
        out += [
            "",
            "### What-if: our client with `use_env_settings=False`",
            "",
            "The same workloads, our client constructed with `use_env_settings=False` (azure-core then creates the "
            "requests session / aiohttp session with `trust_env=False`: no proxy and netrc lookups per request). "
            f"Median of {meta['reps']} fresh processes each, interleaved, in this run.",
            "",
            *render_what_if(what_if, results),
        ]
    breakdown = profiles.get("import")
    if breakdown:
        out += [
            "",
            "### Import: what `import azure.ai.inference` loads beyond `import azure.core.pipeline`",
            "",
            f"`python -X importtime`, median of 5: {breakdown['extra_modules']} more modules, "
            f"{breakdown['extra_self_ms']:.1f} ms of their own import time in all.",
            "",
            "| package | self ms |",
            "|---|---:|",
        ]
        for r in breakdown["by_package"]:
            out.append(f"| `{r['package']}` | {r['self_ms']:.1f} |")
        out += ["", "| module | self ms | cumulative ms |", "|---|---:|---:|"]
        for r in breakdown["by_self"][:15]:
            out.append(f"| `{r['module']}` | {r['self_us'] / 1e3:.2f} | {r['cum_us'] / 1e3:.2f} |")
    return "\n".join(out)


BEGIN = "<!-- BEGIN GENERATED by benchmarks/run.py: do not edit by hand -->"
END = "<!-- END GENERATED -->"


def replace_generated(path: Path, content: str, title: str) -> None:
    block = f"{BEGIN}\n{content}\n{END}"
    text = path.read_text(encoding="utf-8") if path.exists() else f"# {title}\n\n{BEGIN}\n{END}\n"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        tail = rest.split(END, 1)[1]
        text = head + block + tail
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")


# ---------------------------------------------------------------------------------------------- main


def machine_info() -> dict[str, Any]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu": model,
        "cpu_count": os.cpu_count(),
        "load_before": " ".join(f"{v:.2f}" for v in os.getloadavg()),
    }


def draw_chart(table: list[dict[str, Any]], path: Path) -> None:
    if importlib.util.find_spec("matplotlib") is None:
        log("no chart: matplotlib is not installed (pip install -e '.[bench]')")
        return
    sys.path.insert(0, str(HERE))
    from chart import draw  # pylint: disable=import-outside-toplevel

    log(f"chart written to {draw(table, path)}")


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmarks of azure-ai-inference against a hand-written floor.")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions: under two minutes")
    parser.add_argument("--json", metavar="PATH", help="save the results as JSON")
    parser.add_argument("--no-openai", action="store_true", help="leave out the openai column even if installed")
    parser.add_argument(
        "--b9-python",
        metavar="PYTHON",
        help="an interpreter with azure-ai-inference 1.0.0b9 (and aiohttp) installed: adds its column",
    )
    parser.add_argument(
        "--chart",
        metavar="PATH",
        help="also draw the ratios as an SVG chart (needs matplotlib; --write-docs draws benchmarks/ratios.svg)",
    )
    parser.add_argument("--profile", action="store_true", help="profile our hot paths and rewrite PROFILE.md")
    parser.add_argument("--write-docs", action="store_true", help="rewrite the results table in README.md")
    parser.add_argument(
        "--pycache-prefix",
        metavar="DIR",
        default=str(DEFAULT_PYCACHE),
        help=f"where the processes keep their bytecode caches (default: {DEFAULT_PYCACHE})",
    )
    parser.add_argument(
        "--as-is-bytecode",
        action="store_true",
        help="keep the environment's bytecode settings (with PYTHONDONTWRITEBYTECODE=1: compile on every import)",
    )
    parser.add_argument(
        "--only", metavar="NAMES", help=f"comma-separated subset of: {', '.join(ALL_BENCHES)} (default: all)"
    )
    args = parser.parse_args(argv)
    only = tuple(args.only.split(",")) if args.only else ALL_BENCHES
    unknown = [name for name in only if name not in ALL_BENCHES]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}")
    if args.write_docs and only != ALL_BENCHES:
        parser.error("--write-docs needs every benchmark (leave out --only)")

    mode_name = "quick" if args.quick else "full"
    mode = MODES[mode_name]
    impls = ["ours", "floor"]
    if not args.no_openai and importlib.util.find_spec("openai") is not None:
        impls.append("openai")
    with_openai = "openai" in impls
    if args.b9_python:
        B9_PYTHON[0] = args.b9_python
        impls.append("b9")
    meta: dict[str, Any] = {
        "mode": mode_name,
        "args": " ".join(["--quick"] if args.quick else []) + (" --profile" if args.profile else ""),
        "date": datetime.date.today().isoformat(),
        "machine": machine_info(),
        "impls": impls,
        "reps": mode["reps"],
    }
    global CHILD_ENV  # pylint: disable=global-statement
    if not args.as_is_bytecode:
        CHILD_ENV = bytecode_environment(Path(args.pycache_prefix), with_openai)
    meta["bytecode"] = "as is" if args.as_is_bytecode else f"cached under {args.pycache_prefix}"
    started = time.perf_counter()
    server = Server()
    log(f"server on 127.0.0.1:{server.port}; {mode_name} mode; implementations: {', '.join(impls)}")
    try:
        results = measure_all(server, mode, impls, only)
        meta["seconds"] = round(time.perf_counter() - started, 1)
        meta["machine"]["load_after"] = " ".join(f"{v:.2f}" for v in os.getloadavg())
        profiles = run_profiles(server, mode) if args.profile else None
    finally:
        server.stop()
    if profiles is not None:
        meta["profile_seconds"] = round(time.perf_counter() - started - meta["seconds"], 1)

    table = build_table(results, impls)
    print()
    peers = [impl for impl in impls if impl in PEER_LABELS]
    print(render_table(table, peers))
    print()
    print(
        f"{mode_name} mode, {meta['seconds']} s of measurements; median of {mode['reps']} fresh processes per cell "
        f"({mode['first_call_reps']} for first call, {mode['import_reps']} for import); "
        f"load average {meta['machine']['load_before']} -> {meta['machine']['load_after']}."
    )
    print("Ratio targets are judged on client CPU time (time.process_time), async throughput on wall req/s.")
    busy = results.get("async", {})
    if busy:
        shares = ", ".join(
            f"{impl} {busy[impl]['server_busy']:.0%}"
            for impl in impls
            if busy.get(impl) and "server_busy" in busy[impl]
        )
        print(f"Server CPU busy during the async batches (100% = the server is the limit): {shares}.")
    missed = [e for e in table if e["met"] is False]
    if missed:
        print("Missed: " + "; ".join(f"{e['work']} ({e['target']})" for e in missed))
    bulk = run_bulk(args.quick) if "bulk" in only else None

    if args.json:
        payload = {"meta": meta, "results": results, "table": table, "profiles": profiles, "bulk": bulk}
        Path(args.json).write_text(json.dumps(payload, indent=1, ensure_ascii=False), encoding="utf-8")
        log(f"saved {args.json}")
    if profiles is not None:
        replace_generated(PROFILE_MD, render_profiles(profiles, table, meta, results), "Profile of azure-ai-inference")
        log(f"rewrote the generated part of {PROFILE_MD}")
    if args.write_docs:
        note = (
            f"{mode_name} mode, {meta['date']}, {meta['machine']['cpu_count']} cores ({meta['machine']['cpu']}), "
            f"Python {meta['machine']['python']}, load average {meta['machine']['load_before']} before / "
            f"{meta['machine']['load_after']} after; {meta['seconds']} s of measurements."
        )
        replace_generated(README, note + "\n\n" + render_table(table, peers), "Benchmarks")
        log(f"rewrote the results table in {README}")
    chart = args.chart or (str(CHART) if args.write_docs else None)
    if chart:
        draw_chart(table, Path(chart))
    failed = any(s and "error" in s for bench in results.values() for i, s in bench.items() if i in ("ours", "floor"))
    failed = failed or ("bulk" in only and bulk is None)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
