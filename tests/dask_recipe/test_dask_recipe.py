"""The distributed recipe (azure.ai.inference.distributed) on a local Dask cluster with two worker processes.

Opt-in: runs only with `distributed` installed (`pip install -e ".[distributed]"`) and
AZURE_AI_INFERENCE_DISTRIBUTED_TESTS=1 in the environment, since starting a cluster takes seconds and processes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from azure.ai.inference.distributed import embed_with_dask
from inference_emulator import DEFAULT_KEY
from inference_emulator.embeddings import embedding_vector

pytestmark = [
    pytest.mark.distributed,
    pytest.mark.timeout(300),
    pytest.mark.skipif(
        os.environ.get("AZURE_AI_INFERENCE_DISTRIBUTED_TESTS") != "1",
        reason="a local Dask cluster: set AZURE_AI_INFERENCE_DISTRIBUTED_TESTS=1 to run it",
    ),
]


def test_a_corpus_is_embedded_by_the_workers_once_and_resumed_by_partition(emu, tmp_path, monkeypatch):
    distributed = pytest.importorskip("distributed")
    texts = [f"distributed text {i}" for i in range(230)]
    source = tmp_path / "corpus.txt"
    source.write_text("\n".join(texts) + "\n")
    out = tmp_path / "parts"
    monkeypatch.setenv("AZURE_AI_INFERENCE_KEY", DEFAULT_KEY)  # the workers read their key from their environment
    options = {"batch_size": 7, "concurrency": 3, "client_options": {"dimensions": 4}}
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, host="127.0.0.1"
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        results = embed_with_dask(client, str(source), str(out), emu.url, lines_per_partition=50, **options)
        assert [(r.number, r.texts, r.skipped) for r in results] == [(0, 50, False), (1, 50, False), (2, 50, False),
                                                                     (3, 50, False), (4, 30, False)]  # fmt: skip
        sent = Counter(text for r in emu.requests for text in r.json["input"])
        assert sent == Counter(texts)  # every text once, none twice
        assert max(len(r.json["input"]) for r in emu.requests) == 7
        assert DEFAULT_KEY not in json.dumps([list(r) for r in results])

        # One partition lost: running the job again embeds only that one.
        lost = Path(results[3].path)
        lost.unlink()
        emu.clear()
        again = embed_with_dask(client, str(source), str(out), emu.url, lines_per_partition=50, **options)
        assert [r.skipped for r in again] == [True, True, True, False, True]
        assert sorted(text for r in emu.requests for text in r.json["input"]) == sorted(texts[150:200])

    records = [json.loads(line) for part in sorted(out.glob("part-*.jsonl")) for line in part.read_text().splitlines()]
    assert [r["index"] for r in records] == list(range(230))
    for record, text in zip(records, texts):
        assert record["embedding"] == pytest.approx(embedding_vector(text, 4))

    # Concatenated in order, the parts are the file the command line writes for the same corpus.
    single = tmp_path / "single.jsonl"
    env = {**os.environ, "AZURE_AI_INFERENCE_ENDPOINT": emu.url}
    command = [sys.executable, "-m", "azure.ai.inference", "embed", "--input", str(source), "--output", str(single)]
    subprocess.run([*command, "--dimensions", "4", "--progress", "none"], check=True, env=env, timeout=120)
    assert b"".join(p.read_bytes() for p in sorted(out.glob("part-*.jsonl"))) == single.read_bytes()
