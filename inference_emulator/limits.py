# The most work one request may ask of the emulator. Each bound is at or above what the real service accepts, so
# that no legitimate request is refused, and low enough that one request cannot stall the server or exhaust its
# memory; past one, the answer is a 400 naming the bound (413 for the body).
from __future__ import annotations

from .errors import INVALID_INPUT, ApiError

__all__ = [
    "MAX_REQUEST_BODY",
    "MAX_EMBEDDING_INPUTS",
    "MAX_EMBEDDING_VALUES",
    "MAX_ANSWER_TOKENS",
    "MAX_TOOLS",
    "MAX_STOP_SEQUENCES",
    "YIELD_EVERY_VALUES",
    "too_much",
    "too_large",
    "too_deep",
    "count_words",
]

# Bytes of one request body (aiohttp's client_max_size).
MAX_REQUEST_BODY = 64 * 1024 * 1024
# Texts (or images) in one embeddings request: the service's own limit.
MAX_EMBEDDING_INPUTS = 2048
# Inputs x dimensions of one embeddings request: the largest real answer, 2,048 texts x 3,072 dimensions.
MAX_EMBEDDING_VALUES = 2048 * 3072
# Tokens of one chat answer, counted over its `n` choices and, with `logprobs`, their `top_logprobs` alternatives
# (a streamed answer of that many updates is prepared in a fraction of a second).
MAX_ANSWER_TOKENS = 32_768
# Tools and stop sequences one chat request may list (OpenAI's limits are 128 and 4).
MAX_TOOLS = 128
MAX_STOP_SEQUENCES = 16
# An embeddings answer is computed a slice at a time; the event loop serves other requests between slices.
YIELD_EVERY_VALUES = 32_768


def too_much(message: str, target: str) -> ApiError:
    """The 400 for a request past one of the bounds."""
    return ApiError(400, INVALID_INPUT, f"{message} (a limit of the emulator).", target)


def too_large() -> ApiError:
    """The 413 for a body past MAX_REQUEST_BODY."""
    return ApiError(
        413, "RequestEntityTooLarge", f"The request body is larger than the emulator's limit of {MAX_REQUEST_BODY} bytes."
    )


def too_deep() -> ApiError:
    """The 400 for JSON nested deeper than the parser goes."""
    return ApiError(400, INVALID_INPUT, "The request body is not valid JSON: it is nested too deeply.")


_WORDS_SLICE = 1 << 20


def count_words(text: str) -> int:
    """`len(text.split())` without the list: a slice of the text at a time, so that counting the words of a long
    text costs no more memory than one slice."""
    if len(text) <= _WORDS_SLICE:
        return len(text.split())
    count = 0
    previous_ends_in_word = False
    for start in range(0, len(text), _WORDS_SLICE):
        piece = text[start : start + _WORDS_SLICE]
        count += len(piece.split())
        if previous_ends_in_word and not piece[0].isspace():
            count -= 1  # a word cut in two by the slicing
        previous_ends_in_word = not piece[-1].isspace()
    return count
