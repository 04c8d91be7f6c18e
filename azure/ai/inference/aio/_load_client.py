# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""The async `load_client`: the twin of `azure/ai/inference/_load_client.py`, differing only by `await`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Union

from azure.core.credentials import AzureKeyCredential
from azure.core.exceptions import ResourceNotFoundError

from .._load_client import no_info_error, pick_client, probe_options

if TYPE_CHECKING:  # the clients import this module's package; import them lazily at run time
    from ._patch import ChatCompletionsClient, EmbeddingsClient, ImageEmbeddingsClient, ImageGenerationClient

__all__ = ["load_client"]

_AnyClient = Union["ChatCompletionsClient", "EmbeddingsClient", "ImageEmbeddingsClient", "ImageGenerationClient"]


async def load_client(
    endpoint: str, credential: Union[AzureKeyCredential, Any], **kwargs: Any
) -> Union["ChatCompletionsClient", "EmbeddingsClient", "ImageEmbeddingsClient", "ImageGenerationClient"]:
    """Read `/info` from the endpoint and return the matching async client, with the model info already cached.

    :param endpoint: The endpoint URL.
    :param credential: An `AzureKeyCredential` or an async token credential.
    :keyword kwargs: Passed to the client's constructor (api_version, defaults, azure-core options).
    :return: A ChatCompletionsClient, EmbeddingsClient, ImageEmbeddingsClient or ImageGenerationClient from `azure.ai.inference.aio`.
    :raises ~azure.core.exceptions.ResourceNotFoundError: when the endpoint has no `/info` route.
    :raises ValueError: when the endpoint serves a model type no client supports.
    """
    from ._patch import ChatCompletionsClient, EmbeddingsClient, ImageEmbeddingsClient, ImageGenerationClient

    probe = ChatCompletionsClient(endpoint, credential, **probe_options(kwargs))
    try:
        info = await probe.get_model_info()
    except ResourceNotFoundError as error:
        raise no_info_error(error) from error
    finally:
        if "transport" not in kwargs:  # a transport given by the caller stays open for the real client
            await probe.close()
    client_type: Callable[..., _AnyClient]
    client_type = pick_client(
        info, ChatCompletionsClient, EmbeddingsClient, ImageGenerationClient, ImageEmbeddingsClient
    )
    client: _AnyClient = client_type(endpoint, credential, **kwargs)
    client._model_info = info  # pyright: ignore[reportPrivateUsage]  # pylint: disable=protected-access
    return client
