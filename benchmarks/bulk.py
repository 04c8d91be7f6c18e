"""Bulk embedding throughput: `EmbeddingsClient.create_many` against the emulator with an injected latency.

    python benchmarks/bulk.py [--quick] [--latency 0.2] [--batch-size 16] [--json PATH]

Starts the inference emulator in its own process with `--latency` seconds added to every answer, then, for each
concurrency (async: 1, 8, 32, 128; sync threads: 1, 8), embeds `batches x batch-size` short texts with
`create_many` and compares the texts per second with the bound `concurrency x batch-size / latency`: with a fixed
latency per request and no other cost, no client can go faster. The job's first batch is sent alone (so that a
wrong key fails once), which costs one latency per run: the `bound` column counts it, `share` is measured / bound.
Each run sends `batches = runs x concurrency` requests (6 in quick mode, 12 otherwise), so the runs are long
enough for that start to matter little. aiohttp opens at most 100 connections per session by default, which caps
the default async client below 128 requests in flight; the row "128 connections" gives the client a transport whose
session may open 128.

Prints one table row per run (the rows run.py prints too) and, last, one line `JSON {...}` with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Optional

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
from azure.core.credentials import AzureKeyCredential  # noqa: E402
from azure.core.pipeline.transport import AioHttpTransport  # noqa: E402

from azure.ai.inference import EmbeddingsClient  # noqa: E402
from azure.ai.inference.aio import EmbeddingsClient as AsyncEmbeddingsClient  # noqa: E402

KEY = "emulator-key"
DIMENSIONS = 8  # small vectors: the emulator's work per text stays far below the latency
ASYNC_CONCURRENCY = (1, 8, 32, 128)
SYNC_CONCURRENCY = (1, 8)
# aiohttp opens at most 100 connections per session by default: above that, a larger limit is needed.
LIMIT = 128


class EmulatorProcess:
    """`python -m inference_emulator --latency S` in its own process (its CPU is not ours)."""

    def __init__(self, latency: float) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "inference_emulator", "--port", "0", "--latency", str(latency)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        line = self.process.stdout.readline() if self.process.stdout else ""
        if "listening on" not in line:
            self.stop()
            raise SystemExit(f"the emulator did not start (it printed {line!r})")
        self.url = line.split()[-1]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


def texts(count: int) -> list[str]:
    return [f"bulk benchmark text {i}" for i in range(count)]


def run_sync(url: str, concurrency: int, batch_size: int, batches: int) -> tuple[float, float]:
    inputs = texts(batches * batch_size)
    with EmbeddingsClient(url, AzureKeyCredential(KEY), dimensions=DIMENSIONS) as client:
        client.create(input=["warm up"])  # the connection pool and the first request are not what we measure
        wall, cpu = time.perf_counter(), time.process_time()
        count = sum(1 for _ in client.create_many(inputs, batch_size=batch_size, concurrency=concurrency))
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    assert count == len(inputs)
    return wall, cpu


async def run_async(
    url: str, concurrency: int, batch_size: int, batches: int, connections: Optional[int]
) -> tuple[float, float]:
    """With `connections`, the client's aiohttp session may open that many connections (aiohttp's default: 100)."""
    inputs = texts(batches * batch_size)
    options: dict[str, Any] = {}
    session: Any = None
    if connections is not None:
        session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=connections))
        options["transport"] = AioHttpTransport(session=session, session_owner=False)
    try:
        async with AsyncEmbeddingsClient(url, AzureKeyCredential(KEY), dimensions=DIMENSIONS, **options) as client:
            await client.create(input=["warm up"])
            wall, cpu = time.perf_counter(), time.process_time()
            count = 0
            async for _ in client.create_many(inputs, batch_size=batch_size, concurrency=concurrency):
                count += 1
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    finally:
        if session is not None:
            await session.close()
    assert count == len(inputs)
    return wall, cpu


def measure(url: str, args: argparse.Namespace) -> list[dict[str, Any]]:
    rows = []
    plan = [("async", c) for c in ASYNC_CONCURRENCY] + [(f"async, {LIMIT} connections", LIMIT)]
    plan += [("sync threads", c) for c in SYNC_CONCURRENCY]
    for kind, concurrency in plan:
        batches = args.runs * concurrency
        if kind.startswith("async"):
            connections = LIMIT if kind != "async" else None
            wall, cpu = asyncio.run(run_async(url, concurrency, args.batch_size, batches, connections))
        else:
            wall, cpu = run_sync(url, concurrency, args.batch_size, batches)
        total = batches * args.batch_size
        bound_time = args.latency * (1 + math.ceil((batches - 1) / concurrency))
        rows.append(
            {
                "client": kind,
                "concurrency": concurrency,
                "batch_size": args.batch_size,
                "latency_s": args.latency,
                "texts": total,
                "texts_per_s": total / wall,
                "ceiling_per_s": concurrency * args.batch_size / args.latency,
                "bound_per_s": total / bound_time,
                "share": bound_time / wall,
                "cpu_ms_per_batch": cpu / batches * 1e3,
            }
        )
    return rows


def render(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| bulk embeddings (create_many) | concurrency | texts/s | c x batch / latency | bound (first batch alone) "
        "| measured / bound | client CPU ms/batch |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['client']}, {r['texts']} texts, batch {r['batch_size']}, {r['latency_s'] * 1e3:.0f} ms a call "
            f"| {r['concurrency']} | {r['texts_per_s']:.0f} | {r['ceiling_per_s']:.0f} | {r['bound_per_s']:.0f} "
            f"| {r['share']:.0%} | {r['cpu_ms_per_batch']:.2f} |"
        )
    return "\n".join(lines)


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Bulk embedding throughput against the emulator.")
    parser.add_argument("--quick", action="store_true", help="6 batches per unit of concurrency instead of 12")
    parser.add_argument("--latency", type=float, default=0.2, help="seconds added to every answer (default 0.2)")
    parser.add_argument("--batch-size", type=int, default=16, help="texts per request (default 16)")
    parser.add_argument("--json", metavar="PATH", help="also save the rows as JSON")
    args = parser.parse_args(argv)
    args.runs = 6 if args.quick else 12
    server = EmulatorProcess(args.latency)
    try:
        rows = measure(server.url, args)
    finally:
        server.stop()
    print(render(rows))
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1), encoding="utf-8")
    print("JSON " + json.dumps(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
