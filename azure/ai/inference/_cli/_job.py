# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""An embed job's input and output files: the texts read a line at a time with a fingerprint of them, and the
output with its `<output>.meta.json` record, checked line by line for `--resume`."""

from __future__ import annotations

import base64
import collections
import hashlib
import itertools
import json
import os
import sys
from collections.abc import Iterable, Iterator
from typing import IO, Any, Optional

from .._core.json import as_dict, as_sequence
from ..models._files import read_local_file
from ._common import UsageError

META_SUFFIX = ".meta.json"  # beside an embed job's output: what it was made from, for --resume
META_MAX_BYTES = 64 * 1024  # a record is a few hundred bytes; anything larger is not one
META_JOB = "azure-ai-inference embed"


def _line_text(line: str, jsonl: bool, number: int) -> str:
    """The text of input line `number` (1-based), its line ending removed: the line itself, or with `jsonl` the
    line's "text" field."""
    if not jsonl:
        return line
    try:
        record: Any = json.loads(line)
    except (ValueError, RecursionError) as exc:
        reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        raise ValueError(f"line {number} is not JSON: {reason}") from None
    value = (as_dict(record) or {}).get("text")
    if not isinstance(value, str):
        raise ValueError(f'line {number} has no "text" string')
    return value


def read_texts(lines: Iterable[str], jsonl: bool, first_line: int) -> Iterator[str]:
    """The texts of an input file's lines, numbered from `first_line` (1-based) for error messages."""
    for number, line in enumerate(lines, first_line):
        text = line[:-1] if line.endswith("\n") else line
        if text.endswith("\r"):
            text = text[:-1]
        try:
            yield _line_text(text, jsonl, number)
        except ValueError as exc:
            raise ValueError(f"input {exc}") from None


class JobInput:
    """The input of an embed job, read as bytes a line at a time: the texts for `create_many`, and the fingerprint
    of the lines whose embeddings went to the output. The fingerprint is a SHA-256 over the SHA-256 of each line
    (its line ending left out): it grows a line at a time as lines are written, and a resumed job computes it again
    over as many lines of its own input."""

    def __init__(self, lines: Iterable[bytes], name: str, jsonl: bool) -> None:
        self.name = name
        self._lines = iter(lines)
        self._jsonl = jsonl
        self.read = 0  # lines read so far
        self.fingerprint = hashlib.sha256()
        self._pending: collections.deque[bytes] = collections.deque()  # digests of lines read and not yet written

    def _next(self) -> Optional[bytes]:
        line = next(self._lines, None)
        if line is None:
            return None
        self.read += 1
        if line.endswith(b"\n"):
            line = line[:-1]
        return line[:-1] if line.endswith(b"\r") else line

    def skip(self, count: int) -> int:
        """Take the first `count` lines into the fingerprint without parsing them; returns how many there were."""
        for skipped in range(count):
            line = self._next()
            if line is None:
                return skipped
            self.fingerprint.update(hashlib.sha256(line).digest())
        return count

    def texts(self) -> Iterator[str]:
        """The texts of the lines after those skipped; ValueError naming the file and the line for a bad line."""
        while True:
            line = self._next()
            if line is None:
                return
            try:
                text = line.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise ValueError(
                    f"{self.name}: line {self.read} is not UTF-8 text (byte 0x{line[exc.start]:02x} at position "
                    f"{exc.start + 1} of the line)"
                ) from None
            try:
                text = _line_text(text, self._jsonl, self.read)
            except ValueError as exc:
                raise ValueError(f"{self.name}: {exc}") from None
            self._pending.append(hashlib.sha256(line).digest())
            yield text

    def written(self) -> None:
        """The embedding of the oldest line read and not yet written was written."""
        self.fingerprint.update(self._pending.popleft())


def _option_text(name: str, value: Any) -> str:
    flag = "--" + name.replace("_", "-")
    return f"no {flag}" if value is None else f"{flag} {value}"


class JobOutput:
    """The output file of an embed job, and beside it `<output>.meta.json`: the job's options and how many lines
    the output holds, with the fingerprint of the input lines they were made from. The output is opened when its
    first line is written (a job that fails before then creates and changes nothing), and the meta file is
    replaced (atomically) after each batch, once the batch's lines are flushed: the output always holds at least
    the lines the meta file counts, and a resumed job keeps exactly those, after checking them and its input."""

    def __init__(self, path: str, options: dict[str, Any]) -> None:
        self.path = path
        self.meta_path = path + META_SUFFIX
        self.options = options
        self.lines = 0  # the complete lines the output holds: those kept, then those written
        self._keep = 0  # bytes of the existing output kept by a resumed job
        self._resume = False
        self._encoding: Optional[str] = None  # "float" or "base64", from the first embedding
        self._file: Optional[IO[str]] = None

    def check_place(self, input_name: Optional[str]) -> None:
        """UsageError when the output cannot be written, or is the input itself (by any name or link)."""
        if os.path.isdir(self.path):
            raise UsageError(f"--output {self.path} is a directory: give the name of a file")
        parent = os.path.dirname(os.path.abspath(self.path))
        if not os.path.isdir(parent):
            raise UsageError(f"--output {self.path}: the directory {parent} does not exist")
        if input_name is None or not os.path.exists(self.path):
            return
        try:
            if input_name == "-":
                same = os.path.samestat(os.fstat(sys.stdin.fileno()), os.stat(self.path))
            else:
                same = os.path.samefile(input_name, self.path)
        except (OSError, ValueError):  # no such input (reported when it is opened), or a stdin without a file
            same = False
        if same:
            shown = "stdin" if input_name == "-" else f"--input {input_name}"
            raise UsageError(f"--output {self.path} is the input ({shown}): write the embeddings to another file")

    def has_content(self) -> bool:
        return os.path.exists(self.path) and os.path.getsize(self.path) > 0

    # --- resuming ---------------------------------------------------------------------------------------------

    def resume(self, source: JobInput) -> None:
        """Keep what an earlier run of this job wrote, once its lines and the input they came from are checked;
        UsageError, with the output left as it is, when anything does not match."""
        with open(self.path, "rb") as file:
            first = file.readline()
        if not first.endswith(b"\n"):
            return  # no complete line: nothing to keep, the job starts again
        meta = self._read_meta()
        kept: int = meta["lines"]
        if kept == 0:
            return  # nothing counted yet: the job starts again
        for name, value in self.options.items():
            if meta["options"].get(name) != value:
                raise UsageError(
                    f"{self.path} was made with {_option_text(name, meta['options'].get(name))}, and this run has "
                    f"{_option_text(name, value)}; cannot resume (--overwrite starts again)"
                )
        self._encoding = meta.get("encoding")
        self._keep = self._check_lines(kept)
        found = source.skip(kept)
        if found < kept:
            raise UsageError(
                f"{source.name} has {found} lines, fewer than the {kept} whose embeddings {self.path} holds: "
                "it is not the input this output was made from; cannot resume"
            )
        if source.fingerprint.hexdigest() != meta["input_sha256"]:
            raise UsageError(
                f"{source.name}: lines 1 to {kept} are not the lines {self.path} was made from (from "
                f"{meta.get('input')}, as {self.meta_path} records); cannot resume"
            )
        self.lines = kept
        self._resume = kept > 0

    def _read_meta(self) -> dict[str, Any]:
        try:
            meta = as_dict(json.loads(read_local_file(self.meta_path, META_MAX_BYTES)))
        except FileNotFoundError:
            raise UsageError(
                f"{self.meta_path} is missing: nothing shows which input {self.path} was made from; cannot resume "
                "(--overwrite starts again)"
            ) from None
        except (OSError, ValueError, RecursionError):
            meta = None
        lines = meta.get("lines") if meta is not None else None
        if (
            meta is None
            or meta.get("job") != META_JOB
            or not isinstance(lines, int)
            or isinstance(lines, bool)
            or lines < 0
            or not isinstance(meta.get("input_sha256"), str)
            or as_dict(meta.get("options")) is None
        ):
            raise UsageError(f"{self.meta_path} is not the record of an embed job; cannot resume")
        return meta

    def _check_lines(self, count: int) -> int:
        """Check the first `count` lines of the output: each the record of its own index, with an embedding of the
        job's encoding, all of one length. Returns their length in bytes."""
        size = 0
        width: Optional[int] = None
        number = 0
        with open(self.path, "rb") as file:
            for line in itertools.islice(file, count):
                if not line.endswith(b"\n"):
                    break
                number += 1
                length = self._check_record(line, number)
                if width is not None and length != width:
                    raise UsageError(
                        f"{self.path}: line {number} holds an embedding of {length} values, line 1 one of {width}; "
                        "cannot resume"
                    )
                width = length
                size += len(line)
        if number < count:
            raise UsageError(
                f"{self.path} holds {number} complete lines, and {self.meta_path} counts {count}: it was changed "
                "since; cannot resume (--overwrite starts again)"
            )
        return size

    def _check_record(self, line: bytes, number: int) -> int:
        """The length of the embedding in output line `number` (1-based); UsageError when the line is not the
        record of its index."""
        where = f"{self.path}: line {number}"
        try:
            record = as_dict(json.loads(line)) or {}
        except (ValueError, RecursionError):
            raise UsageError(f"{where} is not JSON; cannot resume") from None
        index = record.get("index")
        if not isinstance(index, int) or isinstance(index, bool):
            raise UsageError(f'{where} has no integer "index"; cannot resume')
        if index != number - 1:
            raise UsageError(f"{where} holds index {index}, expected {number - 1}; cannot resume")
        embedding = record.get("embedding")
        if self._encoding == "base64":
            try:
                if not isinstance(embedding, str) or not embedding:
                    raise ValueError(embedding)
                return len(base64.b64decode(embedding, validate=True))
            except ValueError:
                raise UsageError(f'{where} has no base64 "embedding"; cannot resume') from None
        values = as_sequence(embedding)
        if not values or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
            raise UsageError(f'{where} has no "embedding" list of numbers; cannot resume')
        return len(values)

    # --- writing ----------------------------------------------------------------------------------------------

    def _open(self, source: JobInput) -> IO[str]:
        if self._file is None:
            if self._resume:
                file = open(self.path, "r+", encoding="utf-8", newline="\n")  # pylint: disable=consider-using-with
                file.truncate(self._keep)  # drops the lines past those counted, and a line a kill cut short
                file.seek(self._keep)
            else:
                self._save_meta(source)  # first: a kill between the two leaves a record of 0 lines
                file = open(self.path, "w", encoding="utf-8", newline="\n")  # pylint: disable=consider-using-with
            self._file = file
        return self._file

    def write(self, source: JobInput, line: str, embedding: Any) -> None:
        file = self._open(source)
        if self._encoding is None:
            self._encoding = "base64" if isinstance(embedding, str) else "float"
        file.write(line)
        source.written()
        self.lines += 1

    def checkpoint(self, source: JobInput) -> None:
        """Flush the lines written so far, then count them in the meta file."""
        if self._file is not None:
            self._file.flush()
            self._save_meta(source)

    def finish(self, source: JobInput) -> None:
        """The job is done: the output exists (if empty) and is counted whole."""
        self._open(source)
        self.checkpoint(source)

    def close(self, source: JobInput) -> None:
        """Close the output (a job that failed keeps every line it wrote, counted for --resume)."""
        file, self._file = self._file, None
        if file is not None:
            file.close()
            self._save_meta(source)

    def _save_meta(self, source: JobInput) -> None:
        meta = {
            "job": META_JOB,
            "input": source.name,
            "lines": self.lines,
            "input_sha256": source.fingerprint.hexdigest(),
            "encoding": self._encoding,
            "options": self.options,
        }
        aside = self.meta_path + ".tmp"
        with open(aside, "w", encoding="utf-8") as file:
            file.write(json.dumps(meta) + "\n")
        os.replace(aside, self.meta_path)

