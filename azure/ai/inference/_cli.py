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
per input line in input order, is its own checkpoint. `--resume` keeps the complete lines already written (a line
cut short by a kill is dropped), skips that many inputs without sending them, and appends the rest, so that the
finished file is the same as an uninterrupted run's.
"""

from __future__ import annotations

import argparse
import base64
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
from azure.core.exceptions import AzureError, HttpResponseError

from ._json import as_dict
from ._bulk import DEFAULT_BATCH_CHARS, DEFAULT_BATCH_SIZE, DEFAULT_CONCURRENCY, DEFAULT_THROTTLE_BUDGET, BulkProgress

__all__ = ["main"]

PROG = "azure-ai-inference"
ENDPOINT_VARIABLE = "AZURE_AI_INFERENCE_ENDPOINT"
KEY_VARIABLE = "AZURE_AI_INFERENCE_KEY"
EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 1, 2, 130
_PLAIN_PROGRESS_EVERY = 1.0  # seconds between two plain progress lines


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
    embed.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE, help="texts per request (default 64)")
    embed.add_argument(
        "--max-batch-chars", type=int, default=DEFAULT_BATCH_CHARS, help="characters per request (default 64000)"
    )
    embed.add_argument(
        "--concurrency", type=int, default=DEFAULT_CONCURRENCY, help="requests in flight at once (default 4)"
    )
    embed.add_argument(
        "--throttle-budget",
        type=float,
        default=DEFAULT_THROTTLE_BUDGET,
        metavar="SECONDS",
        help="how long one batch may stay throttled (429/503, Retry-After honoured) before the job fails "
        f"(default {DEFAULT_THROTTLE_BUDGET:g})",
    )
    embed.add_argument("--dimensions", type=int, help="vector size, on models that support it")
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

    emulator = commands.add_parser(
        "emulator", help="serve the local endpoint emulator (needs the 'emulator' extra)", add_help=True
    )
    emulator.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    emulator.add_argument("--port", type=int, default=0, help="port to bind; 0 picks a free port (default)")
    emulator.add_argument("--fault", help="a fault for every request that names none, e.g. 'rate-limit;count=3'")
    emulator.add_argument("--latency", type=float, default=0.0, help="seconds each request waits (default 0)")
    emulator.add_argument("--emulator-key", default=None, help="the key it accepts (default 'emulator-key')")
    emulator.add_argument(
        "--model-type", choices=("chat", "embeddings", "image_generation"), default="chat", help="what /info reports"
    )
    return parser


class _Settings:
    """The connection settings, from the options and the environment."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.endpoint: Optional[str] = getattr(args, "endpoint", None) or os.environ.get(ENDPOINT_VARIABLE) or None
        self.key: Optional[str] = getattr(args, "key", None) or os.environ.get(KEY_VARIABLE) or None
        self.api_version: Optional[str] = getattr(args, "api_version", None)
        self.model: Optional[str] = getattr(args, "model", None)
        self.verbose: bool = bool(getattr(args, "verbose", False))
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
        return client_type(self.endpoint, self._credential(), **kwargs)

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
        with client.create_streaming(messages=messages, **options) as stream:
            for update in stream:
                if args.json:
                    out.write(json.dumps(update.as_dict(), ensure_ascii=False) + "\n")
                elif update.choices:
                    out.write(update.choices[0].delta.content)
                out.flush()
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


def _emulator(args: argparse.Namespace) -> int:
    try:
        from inference_emulator.__main__ import main as emulator_main  # pylint: disable=import-outside-toplevel
    except ImportError as exc:
        raise UsageError(f"the emulator is not installed ({exc}): pip install 'azure-ai-inference[emulator]'") from None
    argv = ["--host", args.host, "--port", str(args.port), "--model-type", args.model_type]
    argv += ["--latency", str(args.latency)]
    if args.emulator_key:
        argv += ["--key", args.emulator_key]
    if args.fault:
        argv += ["--fault", args.fault]
    return emulator_main(argv)


# ------------------------------------------------------------------------------------------------ embed


def read_texts(lines: Iterable[str], jsonl: bool, first_line: int) -> Iterator[str]:
    """The texts of an input file's lines, numbered from `first_line` (1-based) for error messages."""
    for number, line in enumerate(lines, first_line):
        text = line[:-1] if line.endswith("\n") else line
        if text.endswith("\r"):
            text = text[:-1]
        if not jsonl:
            yield text
            continue
        try:
            record: Any = json.loads(text)
        except ValueError as exc:
            raise ValueError(f"input line {number} is not JSON: {exc}") from None
        value = (as_dict(record) or {}).get("text")
        if not isinstance(value, str):
            raise ValueError(f'input line {number} has no "text" string')
        yield value


def _completed_lines(path: str) -> tuple[int, int]:
    """(complete lines, their length in bytes) of a job's output: each must be the record of its own index."""
    count = size = 0
    with open(path, "rb") as file:
        for line in file:
            if not line.endswith(b"\n"):
                break  # cut short by the end of the last run
            try:
                index = json.loads(line)["index"]
            except (ValueError, KeyError, TypeError):
                raise UsageError(f"{path}: line {count + 1} is not an embedding record; cannot resume") from None
            if index != count:
                raise UsageError(f"{path}: line {count + 1} holds index {index}; cannot resume")
            count += 1
            size += len(line)
    return count, size


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
    done, keep = 0, 0
    if to_file and os.path.exists(args.output) and os.path.getsize(args.output) > 0:
        if args.resume:
            done, keep = _completed_lines(args.output)
        elif not args.overwrite:
            raise UsageError(f"{args.output} exists: pass --resume to continue it or --overwrite to replace it")
    jsonl = args.input_format == "jsonl" or (
        args.input_format == "auto" and bool(name) and str(name).lower().endswith((".jsonl", ".ndjson"))
    )
    source: Optional[IO[str]] = None
    try:
        lines: Iterable[str]
        if name == "-":
            lines = sys.stdin
        elif name:
            source = open(name, encoding="utf-8", newline="")  # pylint: disable=consider-using-with
            lines = source
        else:
            lines = [text + "\n" for text in given]
        total: Optional[int] = None
        if name and name != "-" and args.progress != "none":
            with open(name, "rb") as counting:
                total = sum(1 for _ in counting)
        texts = read_texts(itertools.islice(lines, done, None), jsonl, done + 1)  # done lines are not even parsed
        with settings.client(EmbeddingsClient) as client:
            return _run_embed(client, args, texts, done, keep, total)
    finally:
        if source is not None:
            source.close()


def _run_embed(
    client: Any, args: argparse.Namespace, texts: Iterator[str], done: int, keep: int, total: Optional[int]
) -> int:
    to_file = args.output not in (None, "-")
    display = _ProgressDisplay(args.progress if to_file else "none", done, total)
    if to_file:
        out: IO[str] = open(args.output, "r+" if done else "w", encoding="utf-8", newline="\n")  # noqa: SIM115
        if done:
            out.truncate(keep)  # drops a line a kill cut short
            out.seek(keep)
    else:
        out = sys.stdout
    throttled = 0

    def progress(state: BulkProgress) -> None:
        nonlocal throttled
        throttled = state.throttled
        out.flush()  # every line of the batches handed over so far is on disk before it counts as done
        display.update(state)

    options: dict[str, Any] = {"dimensions": args.dimensions, "input_type": args.input_type}
    count = done
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
            out.write(json.dumps({"index": done + item.index, "embedding": item.embedding}) + "\n")
            count += 1
        out.flush()
    finally:
        display.close()
        if to_file:
            out.close()
    if to_file:
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
        if args.command == "info":
            return _info(args, settings)
        return _emulator(args)
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
        print(f"{PROG}: error: {_one_line(exc)}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        settings.close()
        try:
            sys.stdout.flush()
        except (BrokenPipeError, ValueError):
            pass
        sys.stdout, sys.stderr = stdout, stderr
