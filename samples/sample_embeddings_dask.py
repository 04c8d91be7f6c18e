# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""
DESCRIPTION:
    Embed a corpus on a Dask cluster with azure.ai.inference.distributed: the file is cut into partitions, each
    partition is embedded by a worker with the async client's create_many, and each writes its own output file.
    Here the cluster is a local one with two worker processes; point a distributed.Client at your own scheduler
    to run the same job on many machines (the corpus and the output folder must be on storage every worker sees).

USAGE:
    pip install ".[distributed]"     (from a clone of this repository; it brings the async client's aiohttp too)
    python samples/sample_embeddings_dask.py

    AZURE_AI_EMBEDDINGS_ENDPOINT  your embeddings endpoint
    AZURE_AI_EMBEDDINGS_KEY       its key (the workers read it as AZURE_AI_INFERENCE_KEY from their environment)
    Without them the sample runs on the local emulator. Without the distributed package it prints why and exits
    with 77, which samples/run_samples.py reports as SKIPPED.

    Dask starts worker processes that import the main module again: code that starts a LocalCluster must run
    under `if __name__ == "__main__":`, as main() does here.
"""

from __future__ import annotations

import importlib.util
import os
import tempfile
from pathlib import Path

from _endpoint import endpoint_and_key, skip_sample


def main() -> None:
    if importlib.util.find_spec("distributed") is None:
        skip_sample('needs Dask distributed: pip install ".[distributed]"')
    endpoint, key = endpoint_and_key("EMBEDDINGS")
    os.environ["AZURE_AI_INFERENCE_KEY"] = key  # the local workers inherit this process's environment
    with tempfile.TemporaryDirectory() as folder:
        run(endpoint, Path(folder))


def run(endpoint: str, folder: Path) -> None:
    corpus = folder / "corpus.txt"
    corpus.write_text("".join(f"document number {n}\n" for n in range(2000)))
    output_dir = folder / "vectors"

    # [START embeddings_dask]
    # Run this under `if __name__ == "__main__":` (here: from main()). Dask's worker processes import the main
    # module again, and a LocalCluster started at its top level would start again in each of them.
    from importlib import import_module

    from azure.ai.inference.distributed import embed_with_dask

    distributed = import_module("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            results = embed_with_dask(
                client,
                str(corpus),
                str(output_dir),
                endpoint,
                lines_per_partition=500,  # one task per 500 lines
                concurrency=4,  # requests in flight per task
                batch_size=50,
            )
    for result in results:
        print(f"partition {result.number}: {result.texts} texts in {Path(result.path).name}")
    # [END embeddings_dask]


if __name__ == "__main__":
    main()
