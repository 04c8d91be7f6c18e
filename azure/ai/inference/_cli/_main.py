# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""`main`: the options parsed, the command run, and every failure turned into one line on stderr and an exit code,
with the key scrubbed from everything printed."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import traceback
from collections.abc import Sequence
from typing import Any, Callable, Optional

from azure.core.exceptions import AzureError, ClientAuthenticationError, HttpResponseError

from ._commands import run_chat, run_emulator, run_image, run_info
from ._common import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_USAGE, KEY_VARIABLE, PROG, Settings, UsageError
from ._embed import run_embed
from ._options import build_parser, emulator_arguments


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


# The command run for each name (argparse knows no other; `emulator` is handed over before parsing).
_COMMANDS: dict[str, Callable[[argparse.Namespace, Settings], int]] = {
    "chat": run_chat,
    "embed": run_embed,
    "image": run_image,
    "info": run_info,
}


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the command line with `argv` (default: `sys.argv[1:]`); returns the exit code."""
    emulator_argv = emulator_arguments(sys.argv[1:] if argv is None else argv)
    if emulator_argv is not None:
        return run_emulator(emulator_argv)
    args = build_parser().parse_args(argv)
    settings = Settings(args)
    secret = settings.key
    stdout, stderr = sys.stdout, sys.stderr
    sys.stderr = _Scrubbed(stderr, secret)
    if args.command != "embed":  # embed writes vectors only to stdout, as fast as it can
        sys.stdout = _Scrubbed(stdout, secret)
    if settings.verbose:
        logging.basicConfig(level=logging.DEBUG, stream=sys.stderr, format="%(name)s %(levelname)s %(message)s")
    try:
        return _COMMANDS.get(args.command, run_info)(args, settings)
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
        return _failed(exc, settings)
    finally:
        settings.close()
        try:
            sys.stdout.flush()
        except (BrokenPipeError, ValueError):
            pass
        sys.stdout, sys.stderr = stdout, stderr


def _failed(exc: Exception, settings: Settings) -> int:
    """Print what failed on one line (with `--verbose`, its traceback first); returns the exit code."""
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
