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

Modules: `_common` (names, exit codes, `UsageError`, connection settings), `_options` (the parser), `_commands`
(chat, image, info, emulator), `_job` (an embed job's input and output files), `_embed` (the embed command),
`_main` (`main`).
"""

from ._common import KEY_VARIABLE
from ._job import read_texts
from ._main import main

__all__ = ["main", "KEY_VARIABLE", "read_texts"]
