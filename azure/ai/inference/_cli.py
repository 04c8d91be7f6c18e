# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""The command line: `azure-ai-inference` (console script) and `python -m azure.ai.inference`.

Strategy: argparse reads the options, one function per command runs it with the sync clients, and `main` turns
every failure into one line on stderr and an exit code: 0 done, 1 the call or the job failed, 2 bad usage or
configuration, 130 interrupted. Tracebacks only with `--verbose`. The key never reaches stdout or stderr: it is
not echoed, azure-core's logs mask it, and every message printed is scrubbed of it as a last line of defence.

`embed --input/--output` is a resumable bulk job on `EmbeddingsClient.create_many`: the output file, one JSON line
per input line in input order, is its own checkpoint, and `<output>.meta.json` beside it records the job's options
and how many lines it holds, with a fingerprint of the input lines they came from (`_JobOutput`, `_JobInput`).
`--resume` checks those lines and the input against that record, keeps the lines (a line cut short by a kill is
dropped), skips that many inputs without sending them, and appends the rest, so that the finished file is the same
as an uninterrupted run's; anything that does not match is a usage error that leaves the output as it was.
`azure-ai-inference emulator ...` is handed whole to the emulator's own command line (`inference_emulator`).
"""

from __future__ import annotations

import argparse
import base64
import collections
import hashlib
import itertools
import json
import logging
import os
import sys
import time
import traceback
from collections.abc import Iterable, Iterator, Sequence
from typing import IO, Any, Callable, Optional

from azure.core.credentials import AzureKeyCredential
from azure.core.exceptions import AzureError, ClientAuthenticationError, HttpResponseError

from ._core.json import as_dict, as_sequence
from ._bulk import DEFAULT_BATCH_CHARS, DEFAULT_BATCH_SIZE, DEFAULT_CONCURRENCY, DEFAULT_THROTTLE_BUDGET, BulkProgress

__all__ = ["main"]

PROG = "azure-ai-inference"
ENDPOINT_VARIABLE = "AZURE_AI_INFERENCE_ENDPOINT"
KEY_VARIABLE = "AZURE_AI_INFERENCE_KEY"
EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 1, 2, 130
_PLAIN_PROGRESS_EVERY = 1.0  # seconds between two plain progress lines
META_SUFFIX = ".meta.json"  # beside an embed job's output: what it was made from, for --resume
META_JOB = "azure-ai-inference embed"


class UsageError(Exception):
    """Bad options or configuration: exit code 2."""


# ---------------------------------------------------------------------------------------------- options


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    group = common.add_argument_group("connection (also accepted before the command)")
    suppress: Any = argparse.SUPPRESS
    group.add_argument("--endpoint", default=suppress, help=f"the endpoint URL (default: ${ENDPOINT_VARIABLE})")
    group.add_argument(
        "--key",
        default=suppress,
        help=f"the key (default: ${KEY_VARIABLE}; without one, DefaultAzureCredential when azure-identity is installed)",
    )
    group.add_argument("--api-version", default=suppress, help="the REST API version")
    group.add_argument("--model", default=suppress, help="the model, on endpoints that serve several")
    group.add_argument(
        "--allow-insecure-http",
        action="store_true",
        default=suppress,
        help="send the key or token over plain http:// to a host that is not loopback (by default only https:// "
        "and loopback hosts get credentials)",
    )
    group.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=suppress,
        help="log the HTTP traffic (keys masked) and tracebacks",
    )

    parser = argparse.ArgumentParser(
        prog=PROG,
        parents=[common],
        description="Talk to an Azure AI Model Inference endpoint: chat, embed texts or files, generate images.",
        epilog=f"Environment: {ENDPOINT_VARIABLE}, {KEY_VARIABLE}. Exit codes: 0 done, 1 failed, 2 bad usage.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    chat = commands.add_parser("chat", parents=[common], help="ask a question; the answer streams to stdout")
    chat.add_argument("question", help="the question; - reads it from stdin")
    chat.add_argument("--system", help="a system message sent first")
    chat.add_argument("--no-stream", action="store_true", help="wait for the whole answer")
    chat.add_argument(
        "--json", action="store_true", help="print the raw JSON: the whole result, or one line per streamed update"
    )
    chat.add_argument("--max-tokens", type=int, help="the most tokens to generate")
    chat.add_argument("--temperature", type=float, help="sampling temperature")

    embed = commands.add_parser(
        "embed", parents=[common], help="embed texts; with --input, a resumable job over a whole file"
    )
    embed.add_argument("texts", nargs="*", help="texts to embed (or use --input); - reads one text a line from stdin")
    embed.add_argument("--input", metavar="FILE", help="one text a line, or JSONL with a 'text' field; - is stdin")
    embed.add_argument(
        "--input-format",
        choices=("auto", "text", "jsonl"),
        default="auto",
        help="auto: JSONL for *.jsonl and *.ndjson files, else text (default auto)",
    )
    embed.add_argument(
        "--output", metavar="FILE", help="JSONL output, one {index, embedding} per text (default stdout)"
    )
    embed.add_argument("--resume", action="store_true", help="continue a job whose --output was left part-way")
    embed.add_argument("--overwrite", action="store_true", help="replace an --output file that is not empty")
    embed.add_argument(
        "--batch-size", type=_positive_int, default=DEFAULT_BATCH_SIZE, help="texts per request (default 64)"
    )
    embed.add_argument(
        "--max-batch-chars",
        type=_positive_int,
        default=DEFAULT_BATCH_CHARS,
        help="characters per request (default 64000)",
    )
    embed.add_argument(
        "--concurrency", type=_positive_int, default=DEFAULT_CONCURRENCY, help="requests in flight at once (default 4)"
    )
    embed.add_argument(
        "--throttle-budget",
        type=float,
        default=DEFAULT_THROTTLE_BUDGET,
        metavar="SECONDS",
        help="how long one batch may stay throttled (429/503, Retry-After honoured) before the job fails "
        f"(default {DEFAULT_THROTTLE_BUDGET:g})",
    )
    embed.add_argument("--dimensions", type=_positive_int, help="vector size, on models that support it")
    embed.add_argument("--input-type", choices=("text", "query", "document"), help="what the texts are")
    embed.add_argument(
        "--progress",
        choices=("auto", "bar", "lines", "none"),
        default="auto",
        help="auto: a bar on a terminal when tqdm is installed, else plain lines on stderr (default auto)",
    )

    image = commands.add_parser("image", parents=[common], help="generate an image into a file")
    image.add_argument("prompt", help="what the image shows; - reads it from stdin")
    image.add_argument("--output", metavar="FILE", required=True, help="the image file to write (- is stdout)")
    image.add_argument("--size", default="1024x1024", help="WIDTHxHEIGHT (default 1024x1024)")
    image.add_argument("--quality", choices=("standard", "hd"), help="image quality")

    info = commands.add_parser("info", parents=[common], help="show the model the endpoint serves")
    info.add_argument("--json", action="store_true", help="print the raw JSON")

    # Listed for --help only: `main` hands everything after `emulator` to the emulator's own command line
    # (`python -m inference_emulator`), so that the two take the same options.
    commands.add_parser(
        "emulator",
        add_help=False,
        help="serve the local endpoint emulator, as `python -m inference_emulator` does, with its options "
        "(see `azure-ai-inference emulator --help`; needs the 'emulator' extra)",
    )
    return parser


def _positive_int(text: str) -> int:
    """An option that counts something: a whole number, at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


_VALUE_OPTIONS = ("--endpoint", "--key", "--api-version", "--model")


def _emulator_arguments(argv: Sequence[str]) -> Optional[list[str]]:
    """The arguments after `emulator` when it is the command, else None. Options of the command line as a whole
    may come before it (`--endpoint URL emulator ...`); they do not concern the emulator."""
    index = 0
    while index < len(argv):
        word = argv[index]
        if word == "--":
            index += 1
            break
        if not word.startswith("-") or word == "-":
            break
        index += 2 if word in _VALUE_OPTIONS else 1
    if index < len(argv) and argv[index] == "emulator":
        return list(argv[index + 1 :])
    return None


class _Settings:
    """The connection settings, from the options and the environment."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.endpoint: Optional[str] = getattr(args, "endpoint", None) or os.environ.get(ENDPOINT_VARIABLE) or None
        self.key: Optional[str] = getattr(args, "key", None) or os.environ.get(KEY_VARIABLE) or None
        self.api_version: Optional[str] = getattr(args, "api_version", None)
        self.model: Optional[str] = getattr(args, "model", None)
        self.verbose: bool = bool(getattr(args, "verbose", False))
        self.allow_insecure_http: bool = bool(getattr(args, "allow_insecure_http", False))
        self._closers: list[Callable[[], Any]] = []

    def client(self, client_type: Any, **defaults: Any) -> Any:
        """A client of `client_type` for the endpoint, with the key or else DefaultAzureCredential."""
        if not self.endpoint:
            raise UsageError(f"no endpoint: pass --endpoint or set {ENDPOINT_VARIABLE}")
        kwargs: dict[str, Any] = {k: v for k, v in defaults.items() if v is not None}
        if self.api_version:
            kwargs["api_version"] = self.api_version
        if self.model:
            kwargs["model"] = self.model
        if self.verbose:
            kwargs["logging_enable"] = True
        if self.allow_insecure_http:
            kwargs["enforce_https"] = False
        credential = self._credential()
        try:
            return client_type(self.endpoint, credential, **kwargs)
        except ValueError as exc:  # the endpoint (or another option) is refused before anything is sent
            raise UsageError(str(exc).replace("pass enforce_https=False", "pass --allow-insecure-http")) from None

    def _credential(self) -> Any:
        if self.key:
            return AzureKeyCredential(self.key)
        try:
            from azure.identity import DefaultAzureCredential  # pylint: disable=import-outside-toplevel
        except ImportError:
            raise UsageError(
                f"no key: pass --key or set {KEY_VARIABLE} (or install azure-identity to sign in with Microsoft "
                "Entra ID)"
            ) from None
        if not self.verbose:
            # Each credential DefaultAzureCredential tries logs why it could not sign in: the one-line error
            # `main` prints says enough (--verbose shows them).
            logging.getLogger("azure.identity").setLevel(logging.CRITICAL)
        credential = DefaultAzureCredential()
        self._closers.append(credential.close)
        return credential

    def close(self) -> None:
        for close in self._closers:
            close()


# ---------------------------------------------------------------------------------------------- commands


def _text_argument(value: str) -> str:
    if value != "-":
        return value
    text = sys.stdin.read()
    return text[:-1] if text.endswith("\n") else text


def _chat(args: argparse.Namespace, settings: _Settings) -> int:
    from ._patch import ChatCompletionsClient  # pylint: disable=import-outside-toplevel

    messages: list[dict[str, str]] = []
    if args.system:
        messages.append({"role": "system", "content": args.system})
    messages.append({"role": "user", "content": _text_argument(args.question)})
    options = {"max_tokens": args.max_tokens, "temperature": args.temperature}
    options = {k: v for k, v in options.items() if v is not None}
    out = sys.stdout
    with settings.client(ChatCompletionsClient) as client:
        if args.no_stream:
            result = client.create(messages=messages, **options)
            if args.json:
                out.write(json.dumps(result.as_dict(), indent=2, ensure_ascii=False) + "\n")
            else:
                out.write((result.choices[0].message.content or "") + "\n")
            return 0
        ends_line = True  # whether what stdout shows ends with a newline
        with client.create_streaming(messages=messages, **options) as stream:
            try:
                for update in stream:
                    if args.json:
                        out.write(json.dumps(update.as_dict(), ensure_ascii=False) + "\n")
                    elif update.choices and update.choices[0].delta.content:
                        text: str = update.choices[0].delta.content
                        out.write(text)
                        ends_line = text.endswith("\n")
                    out.flush()
            except KeyboardInterrupt:
                if not ends_line:  # the partial answer keeps its own line; `interrupted` goes below it
                    out.write("\n")
                    out.flush()
                raise
        if not args.json:
            out.write("\n")
    return 0


def _image(args: argparse.Namespace, settings: _Settings) -> int:
    from ._patch import ImageGenerationClient  # pylint: disable=import-outside-toplevel

    with settings.client(ImageGenerationClient) as client:
        options = {"quality": args.quality} if args.quality else {}
        result = client.create(
            prompt=_text_argument(args.prompt), size=args.size, response_format="b64_json", **options
        )
    data = result.data[0].b64_json if result.data else None
    if not data:
        raise ValueError("the service answered without image data")
    image = data if isinstance(data, bytes) else base64.b64decode(data)
    if args.output == "-":
        sys.stdout.buffer.write(image)
        sys.stdout.flush()
    else:
        with open(args.output, "wb") as file:
            file.write(image)
        print(f"wrote {len(image)} bytes to {args.output}", file=sys.stderr)
    return 0


def _info(args: argparse.Namespace, settings: _Settings) -> int:
    from ._patch import ChatCompletionsClient  # pylint: disable=import-outside-toplevel

    with settings.client(ChatCompletionsClient) as client:
        info = client.get_model_info()
    data: dict[str, Any] = info.as_dict()
    if args.json:
        print(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        for name, value in data.items():
            print(f"{name}: {value}")
    return 0


def _emulator(argv: list[str]) -> int:
    """`azure-ai-inference emulator ...`: `python -m inference_emulator ...`, the same options and the same code."""
    try:
        from inference_emulator.__main__ import main as emulator_main  # pylint: disable=import-outside-toplevel
    except ImportError as exc:
        print(
            f"{PROG}: error: the emulator is not installed ({exc}): pip install 'azure-ai-inference[emulator]'",
            file=sys.stderr,
        )
        return EXIT_USAGE
    return emulator_main(argv, prog=f"{PROG} emulator")


# ------------------------------------------------------------------------------------------------ embed


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


class _JobInput:
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


class _JobOutput:
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

    def resume(self, source: _JobInput) -> None:
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
            with open(self.meta_path, encoding="utf-8") as file:
                meta = as_dict(json.load(file))
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

    def _open(self, source: _JobInput) -> IO[str]:
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

    def write(self, source: _JobInput, line: str, embedding: Any) -> None:
        file = self._open(source)
        if self._encoding is None:
            self._encoding = "base64" if isinstance(embedding, str) else "float"
        file.write(line)
        source.written()
        self.lines += 1

    def checkpoint(self, source: _JobInput) -> None:
        """Flush the lines written so far, then count them in the meta file."""
        if self._file is not None:
            self._file.flush()
            self._save_meta(source)

    def finish(self, source: _JobInput) -> None:
        """The job is done: the output exists (if empty) and is counted whole."""
        self._open(source)
        self.checkpoint(source)

    def close(self, source: _JobInput) -> None:
        """Close the output (a job that failed keeps every line it wrote, counted for --resume)."""
        file, self._file = self._file, None
        if file is not None:
            file.close()
            self._save_meta(source)

    def _save_meta(self, source: _JobInput) -> None:
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


def _embed(args: argparse.Namespace, settings: _Settings) -> int:
    from ._patch import EmbeddingsClient  # pylint: disable=import-outside-toplevel

    given: list[str] = list(args.texts)
    name: Optional[str] = args.input
    if given == ["-"] and not name:
        given, name = [], "-"
    if given and name:
        raise UsageError("give texts or --input, not both")
    if not given and not name:
        raise UsageError("nothing to embed: give texts or --input FILE")
    to_file = args.output not in (None, "-")
    if args.resume and not to_file:
        raise UsageError("--resume needs --output FILE")
    jsonl = args.input_format == "jsonl" or (
        args.input_format == "auto" and bool(name) and str(name).lower().endswith((".jsonl", ".ndjson"))
    )
    options = {
        "input_format": "jsonl" if jsonl else "text",
        "dimensions": args.dimensions,
        "input_type": args.input_type,
        "model": settings.model,
    }
    output = _JobOutput(args.output, options) if to_file else None
    if output is not None:
        output.check_place(name)
        if output.has_content() and not args.resume and not args.overwrite:
            raise UsageError(f"{args.output} exists: pass --resume to continue it or --overwrite to replace it")
    stream: Optional[IO[bytes]] = None
    try:
        lines: Iterable[bytes]
        if name == "-":
            lines, shown = sys.stdin.buffer, "<stdin>"
        elif name:
            try:
                stream = open(name, "rb")  # pylint: disable=consider-using-with
            except OSError as exc:
                raise UsageError(f"--input {name}: {exc.strerror or exc}") from None
            lines, shown = stream, name
        else:
            lines = [text.encode("utf-8", "surrogateescape") + b"\n" for text in given]
            shown = "<arguments>"
        source = _JobInput(lines, shown, jsonl)
        if output is not None and args.resume and output.has_content():
            output.resume(source)  # checked before anything is sent
        total: Optional[int] = None
        if name and name != "-" and args.progress != "none":
            with open(name, "rb") as counting:
                total = sum(1 for _ in counting)
        with settings.client(EmbeddingsClient) as client:
            return _run_embed(client, args, source, output, total)
    finally:
        if stream is not None:
            stream.close()


def _run_embed(
    client: Any, args: argparse.Namespace, source: _JobInput, output: Optional[_JobOutput], total: Optional[int]
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


# ------------------------------------------------------------------------------------------------- main


class _Scrubbed:
    """Writes to a stream with every occurrence of a secret replaced by `***` (keys shorter than 8 characters,
    which no real endpoint issues, are left alone: hiding them would garble ordinary words)."""

    def __init__(self, stream: Any, secret: Optional[str]) -> None:
        self._stream = stream
        self._secret = secret if secret and len(secret) >= 8 else None

    def write(self, text: str) -> int:
        if self._secret:
            text = text.replace(self._secret, "***")
        written: int = self._stream.write(text)
        return written

    def flush(self) -> None:
        self._stream.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _one_line(exc: BaseException) -> str:
    """What failed, on one line: status, error code and message for a service error."""
    if isinstance(exc, HttpResponseError) and exc.status_code is not None:
        error = exc.error
        code = (error.code if error is not None else None) or exc.reason or ""
        message = (error.message if error is not None else None) or str(exc.message).splitlines()[0]
        text = f"{exc.status_code} {code}: {message}"
    elif isinstance(exc, AzureError):
        text = f"{type(exc).__name__}: {str(exc.message).splitlines()[0] if exc.message else exc}"
    elif isinstance(exc, OSError) and exc.filename:
        text = f"{exc.strerror or exc}: {exc.filename}"
    else:
        text = str(exc) or type(exc).__name__
    return " ".join(text.split())


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the command line with `argv` (default: `sys.argv[1:]`); returns the exit code."""
    emulator_argv = _emulator_arguments(sys.argv[1:] if argv is None else argv)
    if emulator_argv is not None:
        return _emulator(emulator_argv)
    args = _parser().parse_args(argv)
    settings = _Settings(args)
    secret = settings.key
    stdout, stderr = sys.stdout, sys.stderr
    sys.stderr = _Scrubbed(stderr, secret)
    if args.command != "embed":  # embed writes vectors only to stdout, as fast as it can
        sys.stdout = _Scrubbed(stdout, secret)
    if settings.verbose:
        logging.basicConfig(level=logging.DEBUG, stream=sys.stderr, format="%(name)s %(levelname)s %(message)s")
    try:
        if args.command == "chat":
            return _chat(args, settings)
        if args.command == "embed":
            return _embed(args, settings)
        if args.command == "image":
            return _image(args, settings)
        return _info(args, settings)
    except UsageError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)  # stdout's reader went away (e.g. `| head`): stop quietly
        os.dup2(devnull, stdout.fileno())
        return EXIT_FAILED
    except Exception as exc:  # pylint: disable=broad-except  # every failure becomes one line
        if settings.verbose:
            traceback.print_exc(file=sys.stderr)
        if isinstance(exc, ClientAuthenticationError) and exc.status_code is None and not settings.key:
            # DefaultAzureCredential could not sign in (no answer of the service): configuration, as a missing key
            print(
                f"{PROG}: error: no key, and {_one_line(exc)}: pass --key or set {KEY_VARIABLE}, or sign in "
                "(e.g. `az login`; --verbose shows what was tried)",
                file=sys.stderr,
            )
            return EXIT_USAGE
        print(f"{PROG}: error: {_one_line(exc)}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        settings.close()
        try:
            sys.stdout.flush()
        except (BrokenPipeError, ValueError):
            pass
        sys.stdout, sys.stderr = stdout, stderr
