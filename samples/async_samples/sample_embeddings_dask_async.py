# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""
DESCRIPTION:
    The async twin of sample_embeddings_dask.py: the same partitioned job driven from asyncio, with an
    asynchronous Dask client and embed_with_dask_async.

USAGE:
    pip install ".[distributed]"     (from a clone of this repository; it brings the async client's aiohttp too)
    python samples/async_samples/sample_embeddings_dask_async.py

    AZURE_AI_EMBEDDINGS_ENDPOINT, AZURE_AI_EMBEDDINGS_KEY: your endpoint and key; without them the sample runs
    on the local emulator. Without the distributed package it prints why and exits with 77, which
    samples/run_samples.py reports as SKIPPED.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # makes samples/_endpoint.py importable
from _endpoint import endpoint_and_key, skip_sample  # noqa: E402  # pylint: disable=wrong-import-position


async def main() -> None:
    if importlib.util.find_spec("distributed") is None:
        skip_sample('needs Dask distributed: pip install ".[distributed]"')
    endpoint, key = endpoint_and_key("EMBEDDINGS")
    os.environ["AZURE_AI_INFERENCE_KEY"] = key  # the local workers inherit this process's environment
    with tempfile.TemporaryDirectory() as folder:
        await run(endpoint, Path(folder))


async def run(endpoint: str, folder: Path) -> None:
    corpus = folder / "corpus.txt"
    corpus.write_text("".join(f"document number {n}\n" for n in range(2000)))
    output_dir = folder / "vectors"

    # [START embeddings_dask]
    # Run this under `if __name__ == "__main__":` (here: from main()). Dask's worker processes import the main
    # module again, and a LocalCluster started at its top level would start again in each of them.
    from importlib import import_module

    from azure.ai.inference.distributed import embed_with_dask_async

    distributed = import_module("distributed")
    async with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, dashboard_address=None, asynchronous=True
    ) as cluster:
        async with distributed.Client(cluster, asynchronous=True) as client:
            results = await embed_with_dask_async(
                client, str(corpus), str(output_dir), endpoint, lines_per_partition=500, concurrency=4, batch_size=50
            )
    for result in results:
        print(f"partition {result.number}: {result.texts} texts in {Path(result.path).name}")
    # [END embeddings_dask]


if __name__ == "__main__":
    asyncio.run(main())
