# The state one emulator keeps between requests: its key, model type and modes, the recorded requests, fault
# counters, generated images and id counters. Shared by the server thread and the test thread.
from __future__ import annotations

import itertools
import json
import threading
from dataclasses import dataclass, field
from collections.abc import Iterable
from typing import Any

from multidict import CIMultiDict

from .faults import FaultCounters
from .images import ImageStore

__all__ = ["DEFAULT_KEY", "MODEL_TYPES", "RecordedRequest", "EmulatorState"]

DEFAULT_KEY = "emulator-key"
# model_type -> (model_name, 2024-04 model_type, 2024-05+ model_type)
MODEL_TYPES: dict[str, tuple[str, str, str]] = {
    "chat": ("emulated-chat", "chat", "chat_completion"),
    "embeddings": ("emulated-embeddings", "embeddings", "embeddings"),
    "image_generation": ("emulated-image", "image_generation", "image_generation"),
    "image_embeddings": ("emulated-image-embeddings", "image_embeddings", "image_embeddings"),
}
MODEL_PROVIDER = "Emulator"


@dataclass
class RecordedRequest:
    """One request as the emulator received it."""

    method: str
    path: str
    query: dict[str, str]
    headers: CIMultiDict[str]
    body: bytes
    json: Any = field(default=None)

    @staticmethod
    def parse_json(body: bytes) -> Any:
        if not body:
            return None
        try:
            return json.loads(body)
        except (ValueError, RecursionError):
            return None


class EmulatorState:
    """Everything that outlives a single request."""

    def __init__(
        self,
        key: str = DEFAULT_KEY,
        model_type: str = "chat",
        fault: str | None = None,
        *,
        openai_compatible: bool = False,
        deployments: Iterable[str] | None = None,
    ) -> None:
        if model_type not in MODEL_TYPES:
            raise ValueError(f"model_type must be one of {', '.join(MODEL_TYPES)}; got {model_type!r}")
        self.key = key
        self.model_type = model_type
        self.fault = fault  # a fault spec applied to every request that names none
        self.latency = 0.0  # seconds every request waits before it is answered
        # Serve `/v1/...` without an api-version, as llama.cpp and vLLM do.
        self.openai_compatible = openai_compatible
        # The Azure OpenAI deployments that exist (None: any name does); others answer 404 DeploymentNotFound.
        self.deployments = frozenset(deployments) if deployments is not None else None
        self.counters = FaultCounters()
        self.images = ImageStore()
        self._ids: dict[str, itertools.count[int]] = {}
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        self.releases = 0  # how many times the streams held by the `hold-stream` fault were released

    def release_streams(self) -> None:
        with self._lock:
            self.releases += 1

    def next_id(self, kind: str) -> int:
        """The next number in the sequence `kind` (chat, call, embeddings, image), starting at 1."""
        with self._lock:
            return next(self._ids.setdefault(kind, itertools.count(1)))

    def record(self, request: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(request)

    @property
    def requests(self) -> list[RecordedRequest]:
        """The live list of recorded requests (appends are atomic; copy it to iterate during traffic)."""
        return self._requests

    def clear(self) -> None:
        with self._lock:
            del self._requests[:]

    def model_info(self, legacy: bool, model: str | None = None) -> dict[str, str]:
        name, legacy_type, later_type = MODEL_TYPES[self.model_type]
        if legacy:
            return {"model_name": model or name, "model_type": legacy_type, "model_provider": MODEL_PROVIDER}
        return {"model_name": model or name, "model_type": later_type, "model_provider_name": MODEL_PROVIDER}
