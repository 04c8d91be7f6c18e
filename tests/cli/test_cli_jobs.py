"""Resumable embed jobs never leave silently wrong output: a resumed output is checked against its input and line
by line, the input is never the output, and a job that fails before its first line creates nothing. Each case
runs `python -m azure.ai.inference` in a subprocess against the emulator, as `test_cli.py` does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from inference_emulator import DEFAULT_KEY

from .test_cli import environment, one_error_line, run

pytestmark = pytest.mark.timeout(120)


def embed(emu, source: Path, target: Path, *extra: str, endpoint=None, key=DEFAULT_KEY):
    command = ["embed", "--input", str(source), "--output", str(target), "--dimensions", "2", *extra]
    return run(*command, "--progress", "none", endpoint=endpoint or emu.url, key=key)


def meta_of(target: Path) -> Path:
    return target.with_name(target.name + ".meta.json")


def corpus(path: Path, count: int, word: str = "line") -> Path:
    path.write_text("".join(f"{word} {i}\n" for i in range(count)))
    return path


@pytest.fixture
def finished(emu, tmp_path):
    """A finished job over five lines: (its input, its output, the output's bytes, the meta file's bytes)."""
    source = corpus(tmp_path / "a.txt", 5)
    target = tmp_path / "out.jsonl"
    done = embed(emu, source, target, "--batch-size", "2")
    assert done.returncode == 0, done.stderr
    emu.clear()
    return source, target, target.read_bytes(), meta_of(target).read_bytes()


def assert_refused(emu, done, target: Path, before: bytes, meta_before: bytes, message: str) -> None:
    assert done.returncode == 2, done.stderr
    assert one_error_line(done) == message
    assert target.read_bytes() == before and meta_of(target).read_bytes() == meta_before  # untouched
    assert emu.requests == []  # refused before anything is sent


# ------------------------------------------------------------------------------- checked against its input


def test_resuming_with_another_input_is_refused(emu, tmp_path, finished):
    _, target, before, meta_before = finished
    other = corpus(tmp_path / "b.txt", 9, word="other")  # longer, and not the same lines
    done = embed(emu, other, target, "--resume")
    assert_refused(
        emu, done, target, before, meta_before,
        f"{other}: lines 1 to 5 are not the lines {target} was made from (from {tmp_path / 'a.txt'}, as "
        f"{meta_of(target)} records); cannot resume",
    )  # fmt: skip


def test_an_output_with_more_lines_than_the_input_is_refused(emu, tmp_path, finished):
    _, target, before, meta_before = finished
    shorter = corpus(tmp_path / "short.txt", 3)  # the same first three lines
    done = embed(emu, shorter, target, "--resume")
    assert_refused(
        emu, done, target, before, meta_before,
        f"{shorter} has 3 lines, fewer than the 5 whose embeddings {target} holds: it is not the input this output "
        "was made from; cannot resume",
    )  # fmt: skip


def test_an_input_that_grew_resumes_from_where_the_output_ends(emu, tmp_path, finished):
    source, target, before, _ = finished
    with source.open("a") as more:
        more.write("line 5\nline 6\n")
    done = embed(emu, source, target, "--resume")
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines()[-1] == f"embedded 7 texts (5 already done) into {target}"
    assert [r.json["input"] for r in emu.requests] == [["line 5", "line 6"]]
    assert target.read_bytes().startswith(before)
    assert [json.loads(line)["index"] for line in target.read_text().splitlines()] == list(range(7))
    assert json.loads(meta_of(target).read_text())["lines"] == 7


def test_resuming_with_other_options_is_refused(emu, tmp_path, finished):
    source, target, before, meta_before = finished
    done = run(
        "embed", "--input", str(source), "--output", str(target), "--dimensions", "3", "--resume", endpoint=emu.url
    )
    assert_refused(
        emu, done, target, before, meta_before,
        f"{target} was made with --dimensions 2, and this run has --dimensions 3; cannot resume (--overwrite starts "
        "again)",
    )  # fmt: skip


def test_an_output_without_its_record_is_not_resumed(emu, tmp_path, finished):
    source, target, before, _ = finished
    meta_of(target).unlink()
    done = embed(emu, source, target, "--resume")
    assert done.returncode == 2 and target.read_bytes() == before and emu.requests == []
    assert one_error_line(done) == (
        f"{meta_of(target)} is missing: nothing shows which input {target} was made from; cannot resume "
        "(--overwrite starts again)"
    )


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "too-large"])
def test_a_record_that_is_not_a_small_regular_file_is_refused(emu, finished, kind):
    source, target, before, _ = finished
    meta = meta_of(target)
    meta.unlink()
    if kind == "fifo":
        os.mkfifo(meta)  # no writer: opening it would block forever
    elif kind == "dev-zero":
        meta.symlink_to("/dev/zero")  # reading it would never end
    else:
        meta.write_bytes(b" " * (64 * 1024 + 1))
    done = embed(emu, source, target, "--resume")
    assert done.returncode == 2 and target.read_bytes() == before and emu.requests == []
    assert one_error_line(done) == f"{meta} is not the record of an embed job; cannot resume"


# --------------------------------------------------------------------------------- each line validated


BAD_LINES = {
    "index-is-a-bool": ('{"index": true, "embedding": "x"}', 'line 3 has no integer "index"'),
    "no-embedding": ('{"index": 2}', 'line 3 has no "embedding" list of numbers'),
    "embedding-not-numbers": ('{"index": 2, "embedding": [0.5, true]}', 'line 3 has no "embedding" list of numbers'),
    "embedding-a-string": ('{"index": 2, "embedding": "AAAA"}', 'line 3 has no "embedding" list of numbers'),
    "not-json": ('{"index": 2, "embedding": [0.5, ', "line 3 is not JSON"),
    "a-gap": ('{"index": 3, "embedding": [0.5, 0.5]}', "line 3 holds index 3, expected 2"),
    "another-length": ('{"index": 2, "embedding": [0.5]}', "line 3 holds an embedding of 1 values, line 1 one of 2"),
}


@pytest.mark.parametrize("case", sorted(BAD_LINES))
def test_a_bad_output_line_is_refused_naming_the_file_and_line(emu, finished, case):
    source, target, _, meta_before = finished
    bad, reason = BAD_LINES[case]
    lines = target.read_text().splitlines(keepends=True)
    lines[2] = bad + "\n"
    target.write_text("".join(lines))
    before = target.read_bytes()
    done = embed(emu, source, target, "--resume")
    assert_refused(emu, done, target, before, meta_before, f"{target}: {reason}; cannot resume")


def test_an_output_shorter_than_its_record_is_refused(emu, finished):
    source, target, _, meta_before = finished
    lines = target.read_bytes().splitlines(keepends=True)
    target.write_bytes(b"".join(lines[:2]))  # changed by hand since: 2 lines, the record counts 5
    done = embed(emu, source, target, "--resume")
    assert_refused(
        emu, done, target, b"".join(lines[:2]), meta_before,
        f"{target} holds 2 complete lines, and {meta_of(target)} counts 5: it was changed since; cannot resume "
        "(--overwrite starts again)",
    )  # fmt: skip


# ------------------------------------------------------------------------------------ the input is never the output


@pytest.mark.parametrize("how", ["same-path", "symlink", "hardlink", "relative-path"])
def test_the_output_is_never_the_input(emu, tmp_path, how):
    source = corpus(tmp_path / "corpus.txt", 4)
    before = source.read_bytes()
    target = {"same-path": source, "symlink": tmp_path / "link.jsonl", "hardlink": tmp_path / "hard.jsonl"}.get(
        how, tmp_path / "sub" / ".." / "corpus.txt"
    )
    if how == "symlink":
        target.symlink_to(source)
    elif how == "hardlink":
        os.link(source, target)
    elif how == "relative-path":
        (tmp_path / "sub").mkdir()
    for mode in ("--overwrite", "--resume"):
        done = embed(emu, source, target, mode)
        assert done.returncode == 2, done.stderr
        assert one_error_line(done) == (
            f"--output {target} is the input (--input {source}): write the embeddings to another file"
        )
    assert source.read_bytes() == before and emu.requests == []
    assert not meta_of(target).exists()


def test_stdin_read_from_the_output_is_refused(emu, tmp_path):
    target = corpus(tmp_path / "texts.txt", 3)
    before = target.read_bytes()
    with target.open("rb") as stdin:
        done = subprocess.run(
            [sys.executable, "-m", "azure.ai.inference", "embed", "-", "--output", str(target), "--overwrite"],
            stdin=stdin,
            capture_output=True,
            text=True,
            env=environment(emu.url, DEFAULT_KEY),
            timeout=60,
        )
    assert done.returncode == 2 and one_error_line(done) == (
        f"--output {target} is the input (stdin): write the embeddings to another file"
    )
    assert target.read_bytes() == before and emu.requests == []


# ---------------------------------------------------------------------------- nothing created by a failed job


def test_a_job_that_fails_before_its_first_line_creates_nothing(emu, tmp_path):
    source = corpus(tmp_path / "corpus.txt", 4)
    target = tmp_path / "out.jsonl"
    denied = embed(emu, source, target, key="not-the-right-key")
    assert denied.returncode == 1 and one_error_line(denied).startswith("401 Unauthorized")
    assert not target.exists() and not meta_of(target).exists()
    # --overwrite of an earlier output: the old output stays as it was until the first new line
    target.write_text('{"index": 0, "embedding": [1.0, 0.0]}\n')
    again = embed(emu, source, target, "--overwrite", key="not-the-right-key")
    assert again.returncode == 1
    assert target.read_text() == '{"index": 0, "embedding": [1.0, 0.0]}\n' and not meta_of(target).exists()


def test_a_job_that_fails_part_way_resumes_with_what_it_wrote(emu, tmp_path):
    source = corpus(tmp_path / "corpus.txt", 6)
    target = tmp_path / "out.jsonl"
    first = embed(emu, source, target, "--batch-size", "2", "--concurrency", "1")
    assert first.returncode == 0
    whole = target.read_bytes()
    target.unlink()
    meta_of(target).unlink()
    emu.clear()
    # The third request fails for good (a 400): the two batches before it stay, counted for --resume.
    with_failure = run(
        "embed", "--input", str(source), "--output", str(target), "--dimensions", "2", "--batch-size", "2",
        "--concurrency", "1", "--progress", "none",
        endpoint=emu.url, prelude=_FAIL_THIRD_REQUEST,
    )  # fmt: skip
    assert with_failure.returncode == 1, with_failure.stderr
    assert target.read_bytes() == b"".join(whole.splitlines(keepends=True)[:4])
    assert json.loads(meta_of(target).read_text())["lines"] == 4
    emu.clear()
    resumed = embed(emu, source, target, "--batch-size", "2", "--resume")
    assert resumed.returncode == 0, resumed.stderr
    assert [r.json["input"] for r in emu.requests] == [["line 4", "line 5"]]
    assert target.read_bytes() == whole


# The job's third request asks the emulator for a 400 (a wrapper of the client's `create`, in the same process).
_FAIL_THIRD_REQUEST = """
from azure.ai.inference import _patch
_create = _patch.EmbeddingsClient.create
_calls = []
def create(self, *args, **kwargs):
    _calls.append(1)
    if len(_calls) == 3:
        kwargs["headers"] = {"x-emulator-fault": "status-then-ok;status=400"}
    return _create(self, *args, **kwargs)
_patch.EmbeddingsClient.create = create
"""


# ------------------------------------------------------------------------------------------------ messages


def test_a_directory_as_output_is_named_as_such(emu, tmp_path):
    source = corpus(tmp_path / "corpus.txt", 2)
    for extra in ((), ("--overwrite",), ("--resume",)):
        done = embed(emu, source, tmp_path, *extra)
        assert done.returncode == 2
        assert one_error_line(done) == f"--output {tmp_path} is a directory: give the name of a file"
    assert emu.requests == []


def test_a_line_that_is_not_utf8_is_named_with_its_file(emu, tmp_path):
    source = tmp_path / "latin1.txt"
    source.write_bytes("fine\ncaf\u00e9\n".encode("utf-8") + b"bad \xe2 here\n")
    target = tmp_path / "out.jsonl"
    done = embed(emu, source, target, "--batch-size", "1", "--concurrency", "1")
    assert done.returncode == 1
    assert one_error_line(done) == f"{source}: line 3 is not UTF-8 text (byte 0xe2 at position 5 of the line)"
    assert [r.json["input"] for r in emu.requests] == [["fine"], ["caf\u00e9"]]  # the lines before it were embedded
    assert len(target.read_text().splitlines()) == 2


def test_a_missing_input_file_is_a_usage_error(emu, tmp_path):
    done = embed(emu, tmp_path / "nowhere.txt", tmp_path / "out.jsonl")
    assert done.returncode == 2
    assert one_error_line(done) == f"--input {tmp_path / 'nowhere.txt'}: No such file or directory"
    assert not (tmp_path / "out.jsonl").exists()
