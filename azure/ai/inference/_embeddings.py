# This file is generated from azure/ai/inference/aio/_embeddings.py by scripts/unasync.py; do not edit.
# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""The text embeddings client: `create`, 1.0.0b9's `embed`, and `create_many` for any number of texts."""

from __future__ import annotations

from collections.abc import Iterator, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Optional, Union

from azure.core.credentials import AzureKeyCredential

from . import models as _models
from ._bulk import (
    DEFAULT_BATCH_CHARS,
    DEFAULT_BATCH_SIZE,
    DEFAULT_CONCURRENCY,
    DEFAULT_THROTTLE_BUDGET,
    Texts,
    BulkProgress,
    bulk_plan,
    embed_many,
)
from ._compat import lift_named_extras
from ._core.arguments import EMBEDDINGS_FIELDS, PER_CALL_OPTIONS, check_options
from ._core.endpoints import DEFAULT_API_VERSION
from ._core.results import embeddings_result
from ._tracing import EMBEDDINGS
from ._client import EmbeddingsClient as _EmbeddingsClient
from ._common import InferenceClient

if TYPE_CHECKING:
    from azure.core.credentials import TokenCredential

__all__ = ["EmbeddingsClient"]


class EmbeddingsClient(InferenceClient, _EmbeddingsClient):
    """A client for text embeddings.

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
        dimensions: Optional[int] = None,
        encoding_format: Optional[Union[str, _models.EmbeddingEncodingFormat]] = None,
        input_type: Optional[Union[str, _models.EmbeddingInputType]] = None,
        model: Optional[str] = None,
        user: Optional[str] = None,
        model_extras: Optional[Mapping[str, Any]] = None,
        enable_content_recording: Optional[bool] = None,
        **kwargs: Any,
    ) -> None:
        defaults = {
            "dimensions": dimensions,
            "encoding_format": encoding_format,
            "input_type": input_type,
            "model": model,
            "user": user,
        }
        self._setup(
            name="EmbeddingsClient",
            fields=EMBEDDINGS_FIELDS,
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
        input: Optional[Union[str, Sequence[str]]] = None,  # pylint: disable=redefined-builtin
        dimensions: Optional[int] = None,
        encoding_format: Optional[Union[str, _models.EmbeddingEncodingFormat]] = None,
        input_type: Optional[Union[str, _models.EmbeddingInputType]] = None,
        model: Optional[str] = None,
        user: Optional[str] = None,
        model_extras: Optional[Mapping[str, Any]] = None,
        **kwargs: Any,
    ) -> _models.EmbeddingsResult:
        """Embed texts as vectors (`POST .../embeddings`).

        :param body: The whole request body as a dict, sent as it is; give it instead of the keywords.
        :keyword input: The texts to embed, or one text. Required unless `body` is given.
        :keyword dimensions: The number of dimensions of each vector, on models that support it.
        :keyword encoding_format: `"float"` (the service's default) or `"base64"`, which is smaller on the wire.
         Either way `data[i].embedding` is a list of floats; with base64 the string is also in
         `data[i]["embedding_base64"]`.
        :keyword input_type: `"text"`, `"query"` or `"document"`.
        :keyword model: The model to use, on endpoints that serve more than one; required on Azure OpenAI v1
         (the deployment name) and GitHub Models endpoints.
        :keyword user: An id of the end user, for the service's abuse monitoring.
        :keyword model_extras: Extra body fields for the model.
        :return: One vector per input, with usage.
        :rtype: ~azure.ai.inference.models.EmbeddingsResult
        :raises ~azure.core.exceptions.HttpResponseError: when the service answers with an error.
        """
        given = {
            "input": input,
            "dimensions": dimensions,
            "encoding_format": encoding_format,
            "input_type": input_type,
            "model": model,
            "user": user,
        }
        return self._embed("create", body, given, model_extras, kwargs)

    def embed(
        self,
        body: Optional[Mapping[str, Any]] = None,
        *,
        input: Optional[Sequence[str]] = None,  # pylint: disable=redefined-builtin
        dimensions: Optional[int] = None,
        encoding_format: Optional[Union[str, _models.EmbeddingEncodingFormat]] = None,
        input_type: Optional[Union[str, _models.EmbeddingInputType]] = None,
        model: Optional[str] = None,
        model_extras: Optional[Mapping[str, Any]] = None,
        **kwargs: Any,
    ) -> _models.EmbeddingsResult:
        """The 1.0.0b9 name of `create`: embed texts as vectors. Takes the same arguments.

        :return: One vector per input, with usage.
        :rtype: ~azure.ai.inference.models.EmbeddingsResult
        :raises ~azure.core.exceptions.HttpResponseError: when the service answers with an error.
        """
        given = {
            "input": input,
            "dimensions": dimensions,
            "encoding_format": encoding_format,
            "input_type": input_type,
            "model": model,
        }
        given, model_extras = lift_named_extras(EMBEDDINGS_FIELDS, given, model_extras)
        return self._embed("embed", body, given, model_extras, kwargs)

    def _embed(
        self, operation: str, body: Any, given: dict[str, Any], model_extras: Any, kwargs: dict[str, Any]
    ) -> _models.EmbeddingsResult:
        check_options(kwargs, PER_CALL_OPTIONS, operation)
        settings = self._settings
        request = settings.request(
            "embeddings", method=operation, body=body, given=given, model_extras=model_extras, required=("input",)
        )
        return embeddings_result(self._json(EMBEDDINGS, request, kwargs))

    def create_many(
        self,
        texts: Texts,
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        max_batch_chars: int = DEFAULT_BATCH_CHARS,
        concurrency: int = DEFAULT_CONCURRENCY,
        on_progress: Optional[Callable[[BulkProgress], None]] = None,
        throttle_budget: float = DEFAULT_THROTTLE_BUDGET,
        dimensions: Optional[int] = None,
        encoding_format: Optional[Union[str, _models.EmbeddingEncodingFormat]] = None,
        input_type: Optional[Union[str, _models.EmbeddingInputType]] = None,
        model: Optional[str] = None,
        model_extras: Optional[Mapping[str, Any]] = None,
        **kwargs: Any,
    ) -> Iterator[_models.EmbeddingItem]:
        """Embed any number of texts in batches, `concurrency` requests at a time, and yield one item per text in
        input order.

        :param texts: The texts, in any number: any iterable of str (a list, a generator, ...); the async client
         also takes an async iterable. Read lazily, as batches are sent.
        :keyword batch_size: The most texts sent in one request (default 64).
        :keyword max_batch_chars: The most characters of text sent in one request (default 64,000); a longer
         single text is sent alone.
        :keyword concurrency: The most requests in flight at once (default 4). At most this many batches are
         held in memory, whatever the size of the input.
        :keyword on_progress: Called with a `BulkProgress` once each batch's items were yielded,
         by the code that iterates the results.
        :keyword throttle_budget: The most seconds one batch may spend throttled (default 600), counted from its
         first 429 or 503 answer: when the retry policy gives up on a throttled batch (after `retry_status` tries,
         3 by default), the batch is sent again after the delay the answer asked for, until this budget is spent.
         0 leaves throttling to the retry policy alone.
        :keyword dimensions: As for `create`; likewise `encoding_format`, `input_type`, `model` and `model_extras`.
        :return: The items, for `for item in ...`; `item.index` is the text's position in `texts`.
        :rtype: Iterator[~azure.ai.inference.models.EmbeddingItem]
        :raises TypeError: or ValueError for a bad argument, before any network call (a text that is not a str:
         when it is reached, before its batch is sent).
        :raises ~azure.core.exceptions.HttpResponseError: when a batch fails for good, after every item before it
         was yielded.

        Throttling: a 429 or 503 answer is retried by the client's retry policy after its `Retry-After` (at most
        `retry_after_max` seconds, 60 by default; a longer one fails the job), and no new batch starts before
        then; past the retry policy's tries, `throttle_budget` applies. The first batch is sent alone. Other
        keywords are azure-core's per-call options, used for every request (`retry_status`, `headers`, ...).
        """
        check_options(kwargs, PER_CALL_OPTIONS, "create_many")
        plan = bulk_plan(texts, batch_size, max_batch_chars, concurrency, on_progress, throttle_budget)
        given = {"dimensions": dimensions, "encoding_format": encoding_format, "input_type": input_type, "model": model}
        settings = self._settings
        settings.request(
            "embeddings", method="create_many", body=None, given=given, model_extras=model_extras, required=()
        )
        options = {**{k: v for k, v in given.items() if v is not None}, "model_extras": model_extras, **kwargs}
        return embed_many(self.create, texts, plan, options)

    # Documented on each client (the shared base class is private).
    get_model_info = InferenceClient.get_model_info
    close = InferenceClient.close
