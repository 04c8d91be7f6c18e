# This file is generated from azure/ai/inference/aio/_load_client.py by scripts/unasync.py; do not edit.
# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""`load_client`: read an endpoint's `/info` and return the client for the model it serves."""

from __future__ import annotations

from typing import Any, Callable, Mapping, TypeVar, Union

from azure.core.credentials import AzureKeyCredential
from azure.core.exceptions import ResourceNotFoundError

from ._core.arguments import CONSTRUCTOR_OPTIONS
from .models import ModelInfo
from ._chat import ChatCompletionsClient
from ._embeddings import EmbeddingsClient
from ._image_embeddings import ImageEmbeddingsClient
from ._images import ImageGenerationClient

__all__ = ["load_client"]

_AnyClient = Union[ChatCompletionsClient, EmbeddingsClient, ImageEmbeddingsClient, ImageGenerationClient]

_T = TypeVar("_T")

# `/info` model types, spelled with underscores: 2024-04-01-preview's and later versions' (whose enum spells
# chat completions `chat-completion`; `pick_client` reads hyphens as underscores).
CHAT_TYPES = frozenset({"chat", "chat_completion", "chat_completions", "text_generation", "completion"})
EMBEDDINGS_TYPES = frozenset({"embeddings"})
IMAGE_TYPES = frozenset({"image_generation"})
IMAGE_EMBEDDINGS_TYPES = frozenset({"image_embeddings"})


def probe_options(kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """The keywords the probing client needs: the api-version and azure-core's options, no defaults."""
    return {k: v for k, v in kwargs.items() if k in CONSTRUCTOR_OPTIONS or k == "api_version"}


def pick_client(info: ModelInfo, chat: _T, embeddings: _T, images: _T, image_embeddings: _T) -> _T:
    """The one of the given client types that serves the model type in `info`."""
    model_type = str(getattr(info.model_type, "value", info.model_type) or "")
    spelled = model_type.strip().lower().replace("-", "_")
    if spelled in CHAT_TYPES:
        return chat
    if spelled in EMBEDDINGS_TYPES:
        return embeddings
    if spelled in IMAGE_TYPES:
        return images
    if spelled in IMAGE_EMBEDDINGS_TYPES:
        return image_embeddings
    raise ValueError(
        f"The endpoint serves a model of type {model_type!r} ({info.model_name}), which no client of this package "
        "supports; construct the client directly."
    )


def no_info_error(error: ResourceNotFoundError) -> ResourceNotFoundError:
    return ResourceNotFoundError(
        "load_client needs the endpoint's /info route to choose a client, and this endpoint does not serve it; "
        f"construct ChatCompletionsClient, EmbeddingsClient or ImageGenerationClient directly. ({error.message})",
        response=error.response,
    )


def load_client(endpoint: str, credential: Union[AzureKeyCredential, Any], **kwargs: Any) -> _AnyClient:
    """Read `/info` from the endpoint and return the matching client, with the model info already cached.

    :param endpoint: The endpoint URL.
    :param credential: An `AzureKeyCredential` or a token credential (an async one for the async clients).
    :keyword kwargs: Passed to the client's constructor (api_version, defaults, azure-core options).
    :return: A ChatCompletionsClient, EmbeddingsClient, ImageEmbeddingsClient or ImageGenerationClient, of the
     same module as this function.
    :raises ~azure.core.exceptions.ResourceNotFoundError: when the endpoint has no `/info` route.
    :raises ValueError: when the endpoint serves a model type no client supports.
    """
    probe = ChatCompletionsClient(endpoint, credential, **probe_options(kwargs))
    try:
        info = probe.get_model_info()
    except ResourceNotFoundError as error:
        raise no_info_error(error) from error
    finally:
        if "transport" not in kwargs:  # a transport given by the caller stays open for the real client
            probe.close()
    client_type: Callable[..., _AnyClient]
    client_type = pick_client(
        info, ChatCompletionsClient, EmbeddingsClient, ImageGenerationClient, ImageEmbeddingsClient
    )
    client: _AnyClient = client_type(endpoint, credential, **kwargs)
    client._model_info = info  # pyright: ignore[reportPrivateUsage]  # pylint: disable=protected-access
    return client
