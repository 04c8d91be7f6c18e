"""The engine-free parts of the distributed recipe: partition planning and one partition embedded on its own."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from azure.ai.inference.distributed import embed_partition, plan_partitions
from inference_emulator import DEFAULT_KEY
from inference_emulator.embeddings import embedding_vector

pytestmark = pytest.mark.timeout(60)


def test_partitions_are_cut_by_lines_with_their_byte_ranges(tmp_path):
    source = tmp_path / "corpus.txt"
    source.write_bytes("a\nbé\n\nd\ne".encode())
    parts = plan_partitions(str(source), 2)
    assert [(p.number, p.first_index, p.lines) for p in parts] == [(0, 0, 2), (1, 2, 2), (2, 4, 1)]
    data = source.read_bytes()
    assert [data[p.start : p.end] for p in parts] == ["a\nbé\n".encode(), b"\nd\n", b"e"]
    with pytest.raises(ValueError, match="lines_per_partition"):
        plan_partitions(str(source), 0)


def test_one_partition_is_embedded_written_once_and_then_skipped(emu, tmp_path, monkeypatch):
    monkeypatch.setenv("AZURE_AI_INFERENCE_KEY", DEFAULT_KEY)
    texts = [f"jsonl text {i}" for i in range(12)]
    source = tmp_path / "corpus.jsonl"
    source.write_text("".join(json.dumps({"text": t}) + "\n" for t in texts))
    part = plan_partitions(str(source), 5)[1]  # lines 5 to 9
    options = {"path": str(source), "output_dir": str(tmp_path / "out"), "endpoint": emu.url, "jsonl": True}
    result = embed_partition(part, batch_size=2, client_options={"dimensions": 3}, **options)
    assert (result.number, result.texts, result.skipped) == (1, 5, False)
    assert [r.json["input"] for r in emu.requests] == [texts[5:7], texts[7:9], texts[9:10]]
    records = [json.loads(line) for line in Path(result.path).read_text(encoding="utf-8").splitlines()]
    assert [r["index"] for r in records] == [5, 6, 7, 8, 9]
    assert records[0]["embedding"] == pytest.approx(embedding_vector(texts[5], 3))
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["part-00001.jsonl"]  # nothing left aside

    emu.clear()
    again = embed_partition(part, **options)
    assert again.skipped and emu.requests == []


def test_a_worker_without_a_key_or_a_changed_corpus_fails_before_sending(emu, tmp_path, monkeypatch):
    source = tmp_path / "corpus.txt"
    source.write_text("one\ntwo\nthree\n")
    part = plan_partitions(str(source), 2)[0]
    options = {"path": str(source), "output_dir": str(tmp_path / "out"), "endpoint": emu.url}
    monkeypatch.delenv("AZURE_AI_INFERENCE_KEY", raising=False)
    monkeypatch.setitem(__import__("sys").modules, "azure.identity.aio", None)
    with pytest.raises(ValueError, match="AZURE_AI_INFERENCE_KEY"):
        embed_partition(part, **options)
    monkeypatch.setenv("AZURE_AI_INFERENCE_KEY", DEFAULT_KEY)
    source.write_text("one\nt\nwo\n")
    with pytest.raises(ValueError, match="changed since it was partitioned"):
        embed_partition(part, **options)
    assert emu.requests == []
