# Text and image embeddings: validation and deterministic unit vectors (seeded by a SHA-256 of the input),
# encoded as float lists or base64 little-endian float32.
from __future__ import annotations

import base64
import hashlib
import json
import math
import random
import struct
from collections.abc import Iterator, Mapping
from typing import Any

from .errors import invalid, unsupported
from .limits import MAX_EMBEDDING_INPUTS, MAX_EMBEDDING_VALUES, count_words, too_much

__all__ = ["DEFAULT_DIMENSIONS", "embedding_vector", "validate_embeddings", "embeddings_body", "embeddings_pieces"]

DEFAULT_DIMENSIONS = 1024
MAX_DIMENSIONS = 16384
ENCODINGS_SUPPORTED = ("float", "base64")
ENCODINGS_KNOWN = ("base64", "binary", "float", "int8", "ubinary", "uint8")
INPUT_TYPES = ("text", "query", "document")


def embedding_vector(text: str, dimensions: int) -> list[float]:
    """A unit vector that depends only on `text`; a shorter vector is the normalised prefix of a longer one."""
    seed = int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")
    rng = random.Random(seed)
    values = [rng.gauss(0.0, 1.0) for _ in range(dimensions)]
    norm = math.sqrt(sum(v * v for v in values)) or 1.0
    return [v / norm for v in values]


def _image_input_text(item: Any, index: int) -> str:
    where = f"input[{index}]"
    if not isinstance(item, dict) or not isinstance(item.get("image"), str) or not item["image"]:
        raise invalid(f"'{where}' must be an object with a non-empty 'image' string (a data URL).", where)
    if "text" in item and not isinstance(item["text"], str):
        raise invalid(f"'{where}.text' must be a string.", f"{where}.text")
    return f"{item['image']}\n{item.get('text', '')}"


def validate_embeddings(body: Mapping[str, Any], images: bool = False) -> list[str]:
    """Validate the request and return the texts to embed (for images: the image data plus its text)."""
    items = body.get("input")
    if not isinstance(items, list) or not items:
        raise invalid("'input' must be a non-empty list.", "input")
    if len(items) > MAX_EMBEDDING_INPUTS:
        raise too_much(f"'input' has {len(items)} items; at most {MAX_EMBEDDING_INPUTS} are embedded at once", "input")
    if images:
        texts = [_image_input_text(item, index) for index, item in enumerate(items)]
    else:
        if not all(isinstance(item, str) for item in items):
            raise invalid("'input' must be a list of strings.", "input")
        texts = list(items)
    _check_size(len(texts), body.get("dimensions", DEFAULT_DIMENSIONS))
    _check_options(body)
    return texts


def _check_size(inputs: int, dimensions: Any) -> None:
    if not isinstance(dimensions, int) or isinstance(dimensions, bool) or not 1 <= dimensions <= MAX_DIMENSIONS:
        raise invalid(f"'dimensions' must be an integer between 1 and {MAX_DIMENSIONS}.", "dimensions")
    if inputs * dimensions > MAX_EMBEDDING_VALUES:
        raise too_much(
            f"{inputs} inputs x {dimensions} dimensions is {inputs * dimensions} values; one request may "
            f"ask for at most {MAX_EMBEDDING_VALUES}: send fewer inputs or fewer dimensions",
            "input",
        )


def _check_options(body: Mapping[str, Any]) -> None:
    if "encoding_format" in body:
        encoding = body["encoding_format"]
        if encoding not in ENCODINGS_KNOWN:
            raise unsupported(f"'encoding_format' {encoding!r} is not a known encoding format.", "encoding_format")
        if encoding not in ENCODINGS_SUPPORTED:
            raise unsupported(f"'encoding_format' {encoding!r} is not supported by this model.", "encoding_format")
    if "input_type" in body and body["input_type"] not in INPUT_TYPES:
        raise invalid(f"'input_type' must be one of {', '.join(INPUT_TYPES)}.", "input_type")
    if "model" in body and not isinstance(body["model"], str):
        raise invalid("'model' must be a string.", "model")


def _encode(vector: list[float], encoding: str) -> list[float] | str:
    if encoding == "base64":
        return base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode("ascii")
    return vector


def _item(body: Mapping[str, Any], text: str, index: int) -> dict[str, Any]:
    vector = embedding_vector(text, body.get("dimensions", DEFAULT_DIMENSIONS))
    return {"object": "embedding", "embedding": _encode(vector, body.get("encoding_format", "float")), "index": index}


def _usage(word_texts: list[str]) -> dict[str, int]:
    words = sum(count_words(text) for text in word_texts)
    return {"prompt_tokens": words, "total_tokens": words}


def embeddings_body(
    body: Mapping[str, Any], texts: list[str], response_id: str, model: str, word_texts: list[str]
) -> dict[str, Any]:
    """The response body; usage counts whitespace-separated words of `word_texts`."""
    data = [_item(body, text, index) for index, text in enumerate(texts)]
    return {"id": response_id, "object": "list", "data": data, "model": model, "usage": _usage(word_texts)}


def embeddings_pieces(
    body: Mapping[str, Any], texts: list[str], response_id: str, model: str, word_texts: list[str]
) -> Iterator[tuple[str, int]]:
    """The response body as JSON text, in pieces: (text, values computed for it). Joined, the pieces are the JSON
    of `embeddings_body`; between two pieces a server can attend to other requests."""
    head = json.dumps({"id": response_id, "object": "list"}, ensure_ascii=False)
    yield head[:-1] + ', "data": [', 0
    for index, text in enumerate(texts):
        item = json.dumps(_item(body, text, index), ensure_ascii=False)
        yield (", " + item if index else item), body.get("dimensions", DEFAULT_DIMENSIONS)
    tail = json.dumps({"model": model, "usage": _usage(word_texts)}, ensure_ascii=False)
    yield "], " + tail[1:], 0
