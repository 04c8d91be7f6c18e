# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""The `embed` command: texts from the arguments, stdin or a file, embedded with `EmbeddingsClient.create_many`,
into stdout or a resumable job's output file (`_job.py`), with progress on stderr."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterable
from typing import IO, Any, Optional

from .._bulk import BulkProgress
from ._common import Settings, UsageError
from ._job import JobInput, JobOutput

_PLAIN_PROGRESS_EVERY = 1.0  # seconds between two plain progress lines


class _ProgressDisplay:
    """Progress on stderr: a tqdm bar on a terminal when tqdm is installed, else a plain line now and then."""

    def __init__(self, mode: str, done: int, total: Optional[int]) -> None:
        self._bar: Any = None
        self._mode = mode
        self._last = 0.0
        self._start = done
        if mode in ("auto", "bar") and (mode == "bar" or sys.stderr.isatty()):
            try:
                from tqdm import tqdm  # type: ignore[import-untyped, unused-ignore]  # pylint: disable=import-outside-toplevel
            except ImportError:
                if mode == "bar":
                    raise UsageError("--progress bar needs tqdm: pip install 'azure-ai-inference[progress]'") from None
            else:
                self._bar = tqdm(total=total, initial=done, unit="text", file=sys.stderr, dynamic_ncols=True)

    def update(self, progress: BulkProgress) -> None:
        if self._bar is not None:
            self._bar.update(self._start + progress.texts - self._bar.n)
        elif self._mode != "none":
            now = time.monotonic()
            if now - self._last >= _PLAIN_PROGRESS_EVERY:
                self._last = now
                print(f"embedded {self._start + progress.texts} texts", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def run_embed(args: argparse.Namespace, settings: Settings) -> int:
    from .._patch import EmbeddingsClient  # pylint: disable=import-outside-toplevel

    given, name = _texts_or_input(args)
    jsonl = args.input_format == "jsonl" or (
        args.input_format == "auto" and bool(name) and str(name).lower().endswith((".jsonl", ".ndjson"))
    )
    output = _job_output(args, settings, name, jsonl)
    stream: Optional[IO[bytes]] = None
    try:
        lines, shown, stream = _input_lines(name, given)
        source = JobInput(lines, shown, jsonl)
        if output is not None and args.resume and output.has_content():
            output.resume(source)  # checked before anything is sent
        total = _count_lines(name) if name and name != "-" and args.progress != "none" else None
        with settings.client(EmbeddingsClient) as client:
            return _run_embed(client, args, source, output, total)
    finally:
        if stream is not None:
            stream.close()


def _texts_or_input(args: argparse.Namespace) -> tuple[list[str], Optional[str]]:
    """The texts given as arguments, or the name of the input (`-` for stdin); one of the two."""
    given: list[str] = list(args.texts)
    name: Optional[str] = args.input
    if given == ["-"] and not name:
        given, name = [], "-"
    if given and name:
        raise UsageError("give texts or --input, not both")
    if not given and not name:
        raise UsageError("nothing to embed: give texts or --input FILE")
    return given, name


def _job_output(args: argparse.Namespace, settings: Settings, name: Optional[str], jsonl: bool) -> Optional[JobOutput]:
    """The job's output file, checked (None for stdout)."""
    to_file = args.output not in (None, "-")
    if args.resume and not to_file:
        raise UsageError("--resume needs --output FILE")
    if not to_file:
        return None
    options = {
        "input_format": "jsonl" if jsonl else "text",
        "dimensions": args.dimensions,
        "input_type": args.input_type,
        "model": settings.model,
    }
    output = JobOutput(args.output, options)
    output.check_place(name)
    if output.has_content() and not args.resume and not args.overwrite:
        raise UsageError(f"{args.output} exists: pass --resume to continue it or --overwrite to replace it")
    return output


def _input_lines(name: Optional[str], given: list[str]) -> tuple[Iterable[bytes], str, Optional[IO[bytes]]]:
    """The input's lines, the name to show for it, and the file opened for it (to close) if any."""
    if name == "-":
        return sys.stdin.buffer, "<stdin>", None
    if name:
        try:
            stream = open(name, "rb")  # pylint: disable=consider-using-with
        except OSError as exc:
            raise UsageError(f"--input {name}: {exc.strerror or exc}") from None
        return stream, name, stream
    return [text.encode("utf-8", "surrogateescape") + b"\n" for text in given], "<arguments>", None


def _count_lines(name: str) -> int:
    with open(name, "rb") as counting:
        return sum(1 for _ in counting)


def _run_embed(
    client: Any, args: argparse.Namespace, source: JobInput, output: Optional[JobOutput], total: Optional[int]
) -> int:
    done = output.lines if output is not None else 0
    display = _ProgressDisplay(args.progress if output is not None else "none", done, total)
    throttled = 0

    def progress(state: BulkProgress) -> None:
        nonlocal throttled
        throttled = state.throttled
        # Every line of the batches handed over so far is on disk, and counted beside it, before it counts as done.
        if output is not None:
            output.checkpoint(source)
        else:
            sys.stdout.flush()
        display.update(state)

    options: dict[str, Any] = {"dimensions": args.dimensions, "input_type": args.input_type}
    count = done
    texts = source.texts()
    try:
        items = client.create_many(
            texts,
            batch_size=args.batch_size,
            max_batch_chars=args.max_batch_chars,
            concurrency=args.concurrency,
            on_progress=progress,
            throttle_budget=args.throttle_budget,
            **{k: v for k, v in options.items() if v is not None},
        )
        for item in items:
            line = json.dumps({"index": done + item.index, "embedding": item.embedding}) + "\n"
            if output is not None:
                output.write(source, line, item.embedding)
            else:
                sys.stdout.write(line)
                source.written()
            count += 1
        if output is not None:
            output.finish(source)
        else:
            sys.stdout.flush()
    finally:
        display.close()
        if output is not None:
            output.close(source)
    if output is not None:
        note = f", {throttled} throttled answers retried" if throttled else ""
        resumed = f" ({done} already done)" if done else ""
        print(f"embedded {count} texts{resumed} into {args.output}{note}", file=sys.stderr)
    return 0
