# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""The command line's shared pieces: its names, exit codes, `UsageError`, and the connection settings."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from typing import Any, Callable, Optional

from azure.core.credentials import AzureKeyCredential

PROG = "azure-ai-inference"
ENDPOINT_VARIABLE = "AZURE_AI_INFERENCE_ENDPOINT"
KEY_VARIABLE = "AZURE_AI_INFERENCE_KEY"
EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 1, 2, 130


class UsageError(Exception):
    """Bad options or configuration: exit code 2."""


class Settings:
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


def text_argument(value: str) -> str:
    """A text given on the command line, or with `-` the whole of stdin (less its final newline)."""
    if value != "-":
        return value
    text = sys.stdin.read()
    return text[:-1] if text.endswith("\n") else text
