# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""The public async clients, exported under their own names: ChatCompletionsClient, EmbeddingsClient,
ImageEmbeddingsClient and ImageGenerationClient, one module each (`_chat`, `_embeddings`, `_image_embeddings`,
`_images`, with what they share in `_common`), and `load_client`.

These async modules are the one source of the sync ones, which `scripts/unasync.py` generates.
"""

from __future__ import annotations

from .._transport.bodies import ResponseTooLargeError
from .._bulk import BulkProgress
from .._core.errors import StreamingError
from .._streaming import AsyncStreamingChatCompletions
from ._chat import ChatCompletionsClient
from ._embeddings import EmbeddingsClient
from ._image_embeddings import ImageEmbeddingsClient
from ._images import ImageGenerationClient
from ._load_client import load_client

__all__ = [
    "load_client",
    "ChatCompletionsClient",
    "EmbeddingsClient",
    "ImageEmbeddingsClient",
    "ImageGenerationClient",
    "AsyncStreamingChatCompletions",
    "StreamingError",
    "ResponseTooLargeError",
    "BulkProgress",
]


def patch_sdk() -> None:
    """Nothing to patch at import time: the clients above are exported under their own names."""
