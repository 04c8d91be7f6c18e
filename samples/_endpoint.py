# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""Where the samples send their requests.

Each sample asks `endpoint_and_key(KIND)` for its endpoint and key. KIND is `CHAT`, `EMBEDDINGS`,
`IMAGE_GENERATION`, `IMAGE_EMBEDDINGS`, `FOUNDRY_CHAT`, `AZURE_OPENAI_CHAT`, `AZURE_OPENAI_V1`, `GITHUB_MODELS` or
`OPENAI_COMPATIBLE`, and `ENDPOINTS` names the environment variables of each. When the endpoint variable is set, it
and the key variable are used as they are. Otherwise the local endpoint emulator of this repository
(`inference_emulator`) is started once for the process, on a free loopback port, and stopped when the process
exits, so every sample runs without an Azure resource.
"""

from __future__ import annotations

import atexit
import os
import sys
from pathlib import Path
from typing import NamedTuple, NoReturn, Optional

__all__ = [
    "ENDPOINTS",
    "REPO_ROOT",
    "SAMPLES_DIR",
    "SKIPPED_EXIT_CODE",
    "EndpointVariables",
    "endpoint_and_key",
    "output_dir",
    "skip_sample",
]

SAMPLES_DIR = Path(__file__).resolve().parent
REPO_ROOT = SAMPLES_DIR.parent
# The exit code of a sample that cannot run here (a package it needs is not installed): run_samples.py reports it
# as SKIPPED, with the reason the sample printed, never as OK.
SKIPPED_EXIT_CODE = 77
SKIPPED_MARKER = "SKIPPED: "


class EndpointVariables(NamedTuple):
    """The environment variables of one kind of endpoint, and where the emulator serves that kind."""

    endpoint: str
    key: str
    emulator_path: str = ""


ENDPOINTS: dict[str, EndpointVariables] = {
    # https://<deployment>.<region>.inference.ai.azure.com, or any endpoint of the Model Inference API
    "CHAT": EndpointVariables("AZURE_AI_CHAT_ENDPOINT", "AZURE_AI_CHAT_KEY"),
    "EMBEDDINGS": EndpointVariables("AZURE_AI_EMBEDDINGS_ENDPOINT", "AZURE_AI_EMBEDDINGS_KEY"),
    "IMAGE_GENERATION": EndpointVariables("AZURE_AI_IMAGE_GENERATION_ENDPOINT", "AZURE_AI_IMAGE_GENERATION_KEY"),
    "IMAGE_EMBEDDINGS": EndpointVariables("AZURE_AI_IMAGE_EMBEDDINGS_ENDPOINT", "AZURE_AI_IMAGE_EMBEDDINGS_KEY"),
    # https://<resource>.services.ai.azure.com/models, served with api_version 2024-05-01-preview or later
    "FOUNDRY_CHAT": EndpointVariables("AZURE_AI_FOUNDRY_ENDPOINT", "AZURE_AI_FOUNDRY_KEY", "/models"),
    # https://<resource>.openai.azure.com/openai/deployments/<deployment>
    "AZURE_OPENAI_CHAT": EndpointVariables(
        "AZURE_OPENAI_CHAT_ENDPOINT", "AZURE_OPENAI_CHAT_KEY", "/openai/deployments/gpt-4o-mini"
    ),
    # https://<resource>.openai.azure.com/openai/v1 or https://<resource>.services.ai.azure.com/openai/v1
    "AZURE_OPENAI_V1": EndpointVariables("AZURE_OPENAI_V1_ENDPOINT", "AZURE_OPENAI_V1_KEY", "/openai/v1"),
    # https://models.github.ai/inference, with a GitHub token that has the `models` scope
    "GITHUB_MODELS": EndpointVariables("GITHUB_MODELS_ENDPOINT", "GITHUB_MODELS_TOKEN", "/inference"),
    # an OpenAI-compatible server such as llama.cpp's, e.g. http://127.0.0.1:8080 (it serves /v1/...)
    "OPENAI_COMPATIBLE": EndpointVariables("OPENAI_COMPATIBLE_ENDPOINT", "OPENAI_COMPATIBLE_KEY"),
}

_local: Optional[tuple[str, str]] = None


def endpoint_and_key(kind: str) -> tuple[str, str]:
    """The endpoint URL and key for `kind`, from the environment or from the local emulator."""
    if kind not in ENDPOINTS:
        raise ValueError(f"kind must be one of {', '.join(ENDPOINTS)}, got {kind!r}")
    variables = ENDPOINTS[kind]
    endpoint = os.environ.get(variables.endpoint)
    if endpoint:
        key = os.environ.get(variables.key)
        if not key:
            raise SystemExit(f"{variables.endpoint} is set, so {variables.key} must be set too")
        return endpoint, key
    url, key = _local_emulator(variables.endpoint)
    return url + variables.emulator_path, key


def _local_emulator(variable: str) -> tuple[str, str]:
    """The URL and key of this process's emulator, started on first use."""
    global _local  # pylint: disable=global-statement
    if _local is None:
        if str(REPO_ROOT) not in sys.path:
            sys.path.insert(0, str(REPO_ROOT))
        from inference_emulator import DEFAULT_KEY, Emulator  # pylint: disable=import-outside-toplevel

        emulator = Emulator(openai_compatible=True)  # also serves /v1/... without an api-version
        url = emulator.start()
        atexit.register(emulator.stop)
        print(f"[{variable} is not set: using the local emulator at {url}]", file=sys.stderr)
        _local = (url, DEFAULT_KEY)
    return _local


def output_dir() -> Path:
    """`samples/output/` (git-ignored), created when missing: where samples write their files."""
    path = SAMPLES_DIR / "output"
    path.mkdir(exist_ok=True)
    return path


def skip_sample(reason: str) -> NoReturn:
    """Stop a sample that cannot run here: prints `SKIPPED: <reason>` and exits with `SKIPPED_EXIT_CODE`."""
    print(SKIPPED_MARKER + reason, flush=True)
    raise SystemExit(SKIPPED_EXIT_CODE)
