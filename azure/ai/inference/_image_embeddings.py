# This file is generated from azure/ai/inference/aio/_image_embeddings.py by scripts/unasync.py; do not edit.
# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""The image embeddings client: `embed` (also named `create`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Optional, Union

from azure.core.credentials import AzureKeyCredential

from . import models as _models
from ._core.arguments import IMAGE_EMBEDDINGS_FIELDS, PER_CALL_OPTIONS, check_options
from ._core.endpoints import IMAGE_EMBEDDINGS_API_VERSION
from ._core.results import embeddings_result
from ._tracing import EMBEDDINGS
from ._client import ImageEmbeddingsClient as _ImageEmbeddingsClient
from ._common import InferenceClient

if TYPE_CHECKING:
    from azure.core.credentials import TokenCredential

__all__ = ["ImageEmbeddingsClient"]


class ImageEmbeddingsClient(InferenceClient, _ImageEmbeddingsClient):
    """A client for image embeddings (`/images/embeddings`, api-version `2024-05-01-preview` and later).

    :param endpoint: The endpoint URL.
    :param credential: An `AzureKeyCredential` or a token credential.
    :keyword api_version: The REST API version; defaults to `2024-05-01-preview`, the first that serves image
     embeddings.
    :keyword model_extras: Extra body fields sent with every call; a call's own `model_extras` replace them.
    :keyword enable_content_recording: With tracing on, whether the spans hold the inputs; see
     `ChatCompletionsClient`.

    The keywords named like `embed`'s arguments are defaults for every call. Other keywords are azure-core's
    options; unknown keywords are dropped with a `UserWarning`. Calls are traced as described for
    `ChatCompletionsClient`.
    """

    def __init__(
        self,
        endpoint: str,
        credential: Union[AzureKeyCredential, "TokenCredential"],
        *,
        api_version: str = IMAGE_EMBEDDINGS_API_VERSION,
        dimensions: Optional[int] = None,
        encoding_format: Optional[Union[str, _models.EmbeddingEncodingFormat]] = None,
        input_type: Optional[Union[str, _models.EmbeddingInputType]] = None,
        model: Optional[str] = None,
        model_extras: Optional[Mapping[str, Any]] = None,
        enable_content_recording: Optional[bool] = None,
        **kwargs: Any,
    ) -> None:
        defaults = {
            "dimensions": dimensions,
            "encoding_format": encoding_format,
            "input_type": input_type,
            "model": model,
        }
        self._setup(
            name="ImageEmbeddingsClient",
            fields=IMAGE_EMBEDDINGS_FIELDS,
            endpoint=endpoint,
            credential=credential,
            api_version=api_version,
            defaults=defaults,
            model_extras=model_extras,
            enable_content_recording=enable_content_recording,
            kwargs=kwargs,
        )

    def embed(
        self,
        body: Optional[Mapping[str, Any]] = None,
        *,
        input: Optional[  # pylint: disable=redefined-builtin
            Sequence[Union[_models.ImageEmbeddingInput, Mapping[str, Any]]]
        ] = None,
        dimensions: Optional[int] = None,
        encoding_format: Optional[Union[str, _models.EmbeddingEncodingFormat]] = None,
        input_type: Optional[Union[str, _models.EmbeddingInputType]] = None,
        model: Optional[str] = None,
        model_extras: Optional[Mapping[str, Any]] = None,
        **kwargs: Any,
    ) -> _models.EmbeddingsResult:
        """Embed images, each with optional text, as vectors (`POST /images/embeddings`).

        :param body: The whole request body as a dict, sent as it is; give it instead of the keywords.
        :keyword input: The images: `ImageEmbeddingInput(image=<data URL>, text=...)` (`ImageEmbeddingInput.load()`
         reads a file) or dicts of that shape. Required unless `body` is given.
        :keyword dimensions: The number of dimensions of each vector, on models that support it.
        :keyword encoding_format: `"float"` or `"base64"`; `data[i].embedding` is a list of floats either way.
        :keyword input_type: `"text"`, `"query"` or `"document"`.
        :keyword model: The model to use, on endpoints that serve more than one.
        :keyword model_extras: Extra body fields for the model.
        :return: One vector per input, with usage.
        :rtype: ~azure.ai.inference.models.EmbeddingsResult
        :raises ValueError: with api-version `2024-04-01-preview`, which has no image embeddings route.
        :raises ~azure.core.exceptions.HttpResponseError: when the service answers with an error.
        """
        check_options(kwargs, PER_CALL_OPTIONS, "embed")
        settings = self._settings
        given = {
            "input": input,
            "dimensions": dimensions,
            "encoding_format": encoding_format,
            "input_type": input_type,
            "model": model,
        }
        request = settings.request(
            "image_embeddings", method="embed", body=body, given=given, model_extras=model_extras, required=("input",)
        )
        return embeddings_result(self._json(EMBEDDINGS, request, kwargs))

    # `create` is this client's name for the same call, as on the other clients.
    create = embed
    # Documented on each client (the shared base class is private).
    get_model_info = InferenceClient.get_model_info
    close = InferenceClient.close
