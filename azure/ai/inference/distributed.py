# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""Bulk embedding beyond one machine: a corpus cut into partitions, each embedded by a worker of an existing
distributed engine (Dask distributed here), with results written per partition.

Strategy: the engine schedules, this module does not. `plan_partitions` reads the corpus once and cuts it into
runs of lines (their first index and their byte range in the file); `embed_partition` embeds one of them on a
worker with the async client's `create_many` (at most `concurrency` requests in flight per task) and writes
`part-NNNNN.jsonl`; `embed_with_dask` hands every partition to a `distributed.Client` with `client.map` and
gathers what they report. The module imports nothing from Dask: the caller brings the client.

- Output: `part-00000.jsonl`, `part-00001.jsonl`, ... one `{"index": i, "embedding": [...]}` line per input
  line, `i` counted over the whole corpus; concatenated in order they are the file `azure-ai-inference embed
  --input ... --output ...` writes for the same input.
- Restarts: a partition's file appears only once it is complete (written aside, then renamed), and a partition
  whose file exists is skipped, so running the same job again embeds only what is missing.
- Credentials stay where they are: tasks carry the endpoint, never a key. Each worker reads its key from its own
  environment (`AZURE_AI_INFERENCE_KEY` by default), or signs in with azure-identity's `DefaultAzureCredential`.
- The corpus path must be readable, and `output_dir` writable, by every worker (a shared file system).
"""

from __future__ import annotations

import asyncio
import functools
import json
import os
from collections.abc import Sequence
from typing import Any, NamedTuple, Optional

from azure.core.credentials import AzureKeyCredential

from ._bulk import DEFAULT_BATCH_CHARS, DEFAULT_BATCH_SIZE, DEFAULT_CONCURRENCY
from ._cli import KEY_VARIABLE, read_texts

__all__ = [
    "Partition",
    "PartitionResult",
    "plan_partitions",
    "embed_partition",
    "embed_with_dask",
    "embed_with_dask_async",
]


class Partition(NamedTuple):
    """A run of consecutive lines of the corpus: the `number`-th partition, holding lines `first_index` to
    `first_index + lines - 1` (0-based), which are the bytes `start` to `end` of the file."""

    number: int
    first_index: int
    lines: int
    start: int
    end: int


class PartitionResult(NamedTuple):
    """What one task did: the partition, the file it wrote, and whether it was already done."""

    number: int
    path: str
    texts: int
    skipped: bool


def plan_partitions(path: str, lines_per_partition: int = 10_000) -> list[Partition]:
    """Cut the file at `path` into partitions of `lines_per_partition` lines, reading it once."""
    given: Any = lines_per_partition
    if not isinstance(given, int) or isinstance(given, bool) or given < 1:
        raise ValueError(f"lines_per_partition must be an int >= 1, got {lines_per_partition!r}")
    partitions: list[Partition] = []
    index = start = offset = 0
    count = 0
    with open(path, "rb") as file:
        for line in file:
            offset += len(line)
            count += 1
            if count == lines_per_partition:
                partitions.append(Partition(len(partitions), index, count, start, offset))
                index, start, count = index + count, offset, 0
    if count:
        partitions.append(Partition(len(partitions), index, count, start, offset))
    return partitions


def part_path(output_dir: str, number: int) -> str:
    return os.path.join(output_dir, f"part-{number:05d}.jsonl")


def _credential(key_variable: str) -> Any:
    key = os.environ.get(key_variable)
    if key:
        return AzureKeyCredential(key)
    try:
        from azure.identity.aio import DefaultAzureCredential  # pylint: disable=import-outside-toplevel
    except ImportError:
        raise ValueError(f"no key in ${key_variable} on this worker, and azure-identity is not installed") from None
    return DefaultAzureCredential()


def embed_partition(
    partition: Partition,
    *,
    path: str,
    output_dir: str,
    endpoint: str,
    jsonl: bool = False,
    batch_size: int = DEFAULT_BATCH_SIZE,
    max_batch_chars: int = DEFAULT_BATCH_CHARS,
    concurrency: int = DEFAULT_CONCURRENCY,
    key_variable: str = KEY_VARIABLE,
    client_options: Optional[dict[str, Any]] = None,
    create_options: Optional[dict[str, Any]] = None,
) -> PartitionResult:
    """Embed one partition and write its file (runs on a worker; also usable on its own).

    :param partition: From `plan_partitions`.
    :keyword path: The corpus: one text a line, or JSONL with a `text` field when `jsonl` is true.
    :keyword output_dir: Where `part-NNNNN.jsonl` is written.
    :keyword endpoint: The endpoint URL.
    :keyword batch_size: As for `create_many`; likewise `max_batch_chars` and `concurrency` (requests in flight
     for this task: a worker running T tasks at once has up to T x concurrency).
    :keyword key_variable: The environment variable holding the key on the worker.
    :keyword client_options: Keywords for the `EmbeddingsClient` (api_version, model, dimensions, ...).
    :keyword create_options: Keywords for each `create_many` call (input_type, retry_total, ...).
    :return: The partition's number, its file, the texts embedded, and whether the file already existed.
    :rtype: PartitionResult
    """
    target = part_path(output_dir, partition.number)
    if os.path.exists(target):
        return PartitionResult(partition.number, target, partition.lines, True)
    with open(path, "rb") as file:
        file.seek(partition.start)
        data = file.read(partition.end - partition.start)
    lines = data.decode("utf-8").splitlines(keepends=True)
    if len(lines) != partition.lines:
        raise ValueError(f"{path} changed since it was partitioned: partition {partition.number} has other lines")
    texts = list(read_texts(lines, jsonl, partition.first_index + 1))
    records = asyncio.run(
        _embed(
            endpoint,
            texts,
            key_variable,
            client_options or {},
            create_options or {},
            batch_size,
            max_batch_chars,
            concurrency,
        )
    )
    os.makedirs(output_dir, exist_ok=True)
    aside = f"{target}.{os.getpid()}.tmp"
    with open(aside, "w", encoding="utf-8", newline="\n") as out:
        for offset, embedding in records:
            out.write(json.dumps({"index": partition.first_index + offset, "embedding": embedding}) + "\n")
    os.replace(aside, target)
    return PartitionResult(partition.number, target, len(records), False)


async def _embed(
    endpoint: str,
    texts: Sequence[str],
    key_variable: str,
    client_options: dict[str, Any],
    create_options: dict[str, Any],
    batch_size: int,
    max_batch_chars: int,
    concurrency: int,
) -> list[tuple[int, list[float]]]:
    from .aio import EmbeddingsClient  # pylint: disable=import-outside-toplevel

    credential = _credential(key_variable)
    try:
        async with EmbeddingsClient(endpoint, credential, **client_options) as client:
            items = client.create_many(
                texts,
                batch_size=batch_size,
                max_batch_chars=max_batch_chars,
                concurrency=concurrency,
                **create_options,
            )
            return [(item.index, item.embedding) async for item in items]
    finally:
        if not isinstance(credential, AzureKeyCredential):
            await credential.close()


def _dask_tasks(
    dask_client: Any,
    path: str,
    output_dir: str,
    endpoint: str,
    lines_per_partition: int,
    input_format: str,
    options: dict[str, Any],
) -> Any:
    if input_format not in ("auto", "text", "jsonl"):
        raise ValueError(f"input_format must be 'auto', 'text' or 'jsonl', got {input_format!r}")
    jsonl = input_format == "jsonl" or (input_format == "auto" and path.lower().endswith((".jsonl", ".ndjson")))
    partitions = plan_partitions(path, lines_per_partition)
    task = functools.partial(  # bound here: Client.map has keywords of its own, such as batch_size
        embed_partition,
        path=os.path.abspath(path),
        output_dir=os.path.abspath(output_dir),
        endpoint=endpoint,
        jsonl=jsonl,
        **options,
    )
    return dask_client.map(task, partitions, pure=False)


async def embed_with_dask_async(
    dask_client: Any,
    path: str,
    output_dir: str,
    endpoint: str,
    *,
    lines_per_partition: int = 10_000,
    input_format: str = "auto",
    **options: Any,
) -> list[PartitionResult]:
    """Embed the corpus at `path` on a Dask cluster: one task per partition, results in `output_dir`.

    :param dask_client: A `distributed.Client` connected to the cluster (for the async form of this function, an
     asynchronous one: `Client(..., asynchronous=True)`).
    :param path: The corpus, readable by every worker: one text a line, or JSONL with a `text` field
     (`input_format="jsonl"`, or `"auto"` for files named `*.jsonl` / `*.ndjson`).
    :param output_dir: Where every worker writes `part-NNNNN.jsonl`.
    :param endpoint: The endpoint URL; each worker's key comes from its own environment.
    :keyword lines_per_partition: Lines per task (default 10,000).
    :keyword options: Passed to `embed_partition`: batch_size, concurrency, key_variable, client_options, ...
    :return: One `PartitionResult` per partition, in order.
    :rtype: list[PartitionResult]
    """
    futures = _dask_tasks(dask_client, path, output_dir, endpoint, lines_per_partition, input_format, options)
    results: list[PartitionResult] = await dask_client.gather(futures)
    return results


# <generated by scripts/unasync.py from embed_with_dask_async above; do not edit>
def embed_with_dask(
    dask_client: Any,
    path: str,
    output_dir: str,
    endpoint: str,
    *,
    lines_per_partition: int = 10_000,
    input_format: str = "auto",
    **options: Any,
) -> list[PartitionResult]:
    """Embed the corpus at `path` on a Dask cluster: one task per partition, results in `output_dir`.

    :param dask_client: A `distributed.Client` connected to the cluster (for the async form of this function, an
     asynchronous one: `Client(..., asynchronous=True)`).
    :param path: The corpus, readable by every worker: one text a line, or JSONL with a `text` field
     (`input_format="jsonl"`, or `"auto"` for files named `*.jsonl` / `*.ndjson`).
    :param output_dir: Where every worker writes `part-NNNNN.jsonl`.
    :param endpoint: The endpoint URL; each worker's key comes from its own environment.
    :keyword lines_per_partition: Lines per task (default 10,000).
    :keyword options: Passed to `embed_partition`: batch_size, concurrency, key_variable, client_options, ...
    :return: One `PartitionResult` per partition, in order.
    :rtype: list[PartitionResult]
    """
    futures = _dask_tasks(dask_client, path, output_dir, endpoint, lines_per_partition, input_format, options)
    results: list[PartitionResult] = dask_client.gather(futures)
    return results
# </generated>
