# This file is generated from azure/ai/inference/aio/_images.py by scripts/unasync.py; do not edit.
# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""The image generation client: `create`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Optional, Union

from azure.core.credentials import AzureKeyCredential

from . import models as _models
from ._core.arguments import IMAGE_FIELDS, PER_CALL_OPTIONS, check_options
from ._core.endpoints import DEFAULT_API_VERSION
from ._core.results import image_generations
from ._tracing import IMAGE_GENERATION
from ._client import ImageGenerationClient as _ImageGenerationClient
from ._common import InferenceClient

if TYPE_CHECKING:
    from azure.core.credentials import TokenCredential

__all__ = ["ImageGenerationClient"]


class ImageGenerationClient(InferenceClient, _ImageGenerationClient):
    """A client for image generation (api-version `2024-04-01-preview`).

    :param endpoint: The endpoint URL.
    :param credential: An `AzureKeyCredential` or a token credential.
    :keyword api_version: The REST API version; defaults to `2024-04-01-preview`; `None` sends none (see
     `ChatCompletionsClient`).
    :keyword model_extras: Extra body fields sent with every call; a call's own `model_extras` replace them.
    :keyword enable_content_recording: With tracing on, whether the spans hold the prompts; see
     `ChatCompletionsClient`.

    The keywords named like `create`'s arguments are defaults for every call. Other keywords are azure-core's
    options; unknown keywords are dropped with a `UserWarning`. Calls are traced as described for
    `ChatCompletionsClient`.
    """

    def __init__(
        self,
        endpoint: str,
        credential: Union[AzureKeyCredential, "TokenCredential"],
        *,
        api_version: Optional[str] = DEFAULT_API_VERSION,
        size: Optional[Union[str, tuple[int, int]]] = None,
        quality: Optional[Union[str, _models.ImageGenerationQuality]] = None,
        response_format: Optional[Union[str, _models.ImageGenerationResponseFormat]] = None,
        seed: Optional[int] = None,
        model: Optional[str] = None,
        model_extras: Optional[Mapping[str, Any]] = None,
        enable_content_recording: Optional[bool] = None,
        **kwargs: Any,
    ) -> None:
        defaults = {"size": size, "quality": quality, "response_format": response_format, "seed": seed, "model": model}
        self._setup(
            name="ImageGenerationClient",
            fields=IMAGE_FIELDS,
            endpoint=endpoint,
            credential=credential,
            api_version=api_version,
            defaults=defaults,
            model_extras=model_extras,
            enable_content_recording=enable_content_recording,
            kwargs=kwargs,
        )

    def create(
        self,
        body: Optional[Mapping[str, Any]] = None,
        *,
        prompt: Optional[str] = None,
        size: Optional[Union[str, tuple[int, int]]] = None,
        quality: Optional[Union[str, _models.ImageGenerationQuality]] = None,
        response_format: Optional[Union[str, _models.ImageGenerationResponseFormat]] = None,
        seed: Optional[int] = None,
        model: Optional[str] = None,
        model_extras: Optional[Mapping[str, Any]] = None,
        **kwargs: Any,
    ) -> _models.ImageGenerations:
        """Generate images from a prompt (`POST /images/generations`).

        :param body: The whole request body as a dict, sent as it is; give it instead of the keywords.
        :keyword prompt: What the image should show. Required unless `body` is given.
        :keyword size: `"<width>x<height>"` such as `"1024x768"`, or a `(width, height)` tuple. Required.
        :keyword quality: `"standard"` or `"hd"`.
        :keyword response_format: `"url"` or `"b64_json"`; with `b64_json`, `data[i].b64_json` is the image's bytes.
        :keyword seed: A seed for best-effort deterministic generation.
        :keyword model: The model to use, on endpoints that serve more than one.
        :keyword model_extras: Extra body fields for the model.
        :return: The images.
        :rtype: ~azure.ai.inference.models.ImageGenerations
        :raises ValueError: for a malformed size, before any network call.
        :raises ~azure.core.exceptions.HttpResponseError: when the service answers with an error.
        """
        check_options(kwargs, PER_CALL_OPTIONS, "create")
        settings = self._settings
        given = {
            "prompt": prompt,
            "size": size,
            "quality": quality,
            "response_format": response_format,
            "seed": seed,
            "model": model,
        }
        request = settings.request(
            "images", method="create", body=body, given=given, model_extras=model_extras, required=("prompt", "size")
        )
        return image_generations(self._json(IMAGE_GENERATION, request, kwargs))

    # Documented on each client (the shared base class is private).
    get_model_info = InferenceClient.get_model_info
    close = InferenceClient.close
