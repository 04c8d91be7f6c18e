# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""The command line's options: the argparse parser, and where the `emulator` command starts."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any, Optional

from .._bulk import DEFAULT_BATCH_CHARS, DEFAULT_BATCH_SIZE, DEFAULT_CONCURRENCY, DEFAULT_THROTTLE_BUDGET
from ._common import ENDPOINT_VARIABLE, KEY_VARIABLE, PROG


def build_parser() -> argparse.ArgumentParser:
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


def emulator_arguments(argv: Sequence[str]) -> Optional[list[str]]:
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
