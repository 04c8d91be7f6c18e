# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""The response side of the sans-IO core, shared by the sync and async clients.

Strategy: given a response whose body was read, check its status and turn its JSON into the public
result models. Results wrap the decoded JSON without copying it; attributes read it lazily. No I/O.
"""

from __future__ import annotations

import base64
import sys
from array import array
from typing import Any, Optional

from azure.core.exceptions import DecodeError, HttpResponseError

from .endpoints import not_found_hint
from .settings import RequestSettings
from .errors import build_error, excerpt, request_id_of
from .json import as_dict, dicts, loads
from ..models import ImageGenerations
from ..models._patch import ChatCompletions, EmbeddingsResult, ModelInfo, wrap_json

__all__: list[str] = []

_BIG_ENDIAN = sys.byteorder == "big"


def raise_for_status(settings: RequestSettings, response: Any, note: Optional[str] = None) -> None:
    """Raise the exception for a non-2xx response (401, 404 and 409 get azure-core's specific types); `note`,
    when given, is added to its message (why it was not retried)."""
    status = response.status_code
    if 200 <= status < 300:
        return
    try:
        text = response.text()
    except Exception:  # pylint: disable=broad-except
        text = ""
    hint = note
    if status == 404:
        path = response.request.url.split("?", 1)[0][len(settings.endpoint) :]
        hint = not_found_hint(settings.shape, path)
    raise build_error(response, text, hint=hint)


def read_json(response: Any) -> dict[str, Any]:
    """The JSON object of a successful response; DecodeError with the status and an excerpt otherwise."""
    body = response.content
    try:
        data = loads(body)
    except ValueError as exc:
        text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
        raise _decode_error(response, f"The response body is not valid JSON: {excerpt(text, 300)}") from exc
    body = as_dict(data)
    if body is None:
        raise _decode_error(response, f"The response body is not a JSON object: {excerpt(str(data), 300)}")
    return body


def _decode_error(response: Any, message: str) -> HttpResponseError:
    lines = [message, f"Status: {response.status_code} {response.reason or ''}".rstrip()]
    request_id = request_id_of(response.headers)
    if request_id:
        lines.append(f"Request id: {request_id}")
    return DecodeError(message="\n".join(lines), response=response)


def chat_completions(data: dict[str, Any]) -> ChatCompletions:
    return wrap_json(ChatCompletions, data)


def model_info(data: dict[str, Any]) -> ModelInfo:
    # Later api-versions name the provider `model_provider_name`; `ModelInfo` reads both names, also by key.
    if "model_provider" not in data and "model_provider_name" in data:
        data["model_provider"] = data["model_provider_name"]
    return wrap_json(ModelInfo, data)


def decode_float32(text: str) -> list[float]:
    """Little-endian float32 values from base64, as a list of floats."""
    values = array("f")
    values.frombytes(base64.b64decode(text))
    if _BIG_ENDIAN:
        values.byteswap()
    return values.tolist()


def embeddings_result(data: dict[str, Any]) -> EmbeddingsResult:
    """`data[i].embedding` is a list of floats also for base64; the string stays in `embedding_base64`."""
    for item in dicts(data.get("data")):
        raw = item.get("embedding")
        if isinstance(raw, str):
            item["embedding"] = decode_float32(raw)
            item["embedding_base64"] = raw
    return wrap_json(EmbeddingsResult, data)


def image_generations(data: dict[str, Any]) -> ImageGenerations:
    return ImageGenerations(data)
