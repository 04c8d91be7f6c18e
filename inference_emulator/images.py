# Image generation: validation, a real solid-colour PNG written with zlib and struct, and the small
# in-memory store behind the `/emulator/images/<id>.png` URLs.
from __future__ import annotations

import base64
import hashlib
import re
import struct
import threading
import zlib
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from .errors import invalid, unsupported

__all__ = ["png_bytes", "image_colour", "image_data", "validate_images", "ImageStore", "MAX_SIDE"]

MAX_SIDE = 2048
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_SIZE_RE = re.compile(r"^(\d+)x(\d+)$")


def _chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)


def png_bytes(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """An 8-bit RGB PNG of one colour."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    row = b"\x00" + bytes(rgb) * width  # filter type 0, then the pixels
    pixels = zlib.compress(row * height, 6)
    return PNG_SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", pixels) + _chunk(b"IEND", b"")


def image_colour(prompt: str, seed: int | None) -> tuple[int, int, int]:
    """The colour of an image: the first three bytes of SHA-256(prompt + '|' + seed)."""
    digest = hashlib.sha256(f"{prompt}|{'' if seed is None else seed}".encode("utf-8")).digest()
    return digest[0], digest[1], digest[2]


def validate_images(body: Mapping[str, Any]) -> tuple[int, int]:
    """Validate an image generation request and return (width, height)."""
    prompt = body.get("prompt")
    if not isinstance(prompt, str) or not prompt:
        raise invalid("'prompt' is required and must be a non-empty string.", "prompt")
    width, height = _size(body.get("size"))
    if "quality" in body and body["quality"] not in ("standard", "hd"):
        raise unsupported(f"'quality' {body['quality']!r} is not supported; use standard or hd.", "quality")
    if "response_format" in body and body["response_format"] not in ("url", "b64_json"):
        raise unsupported("'response_format' must be url or b64_json.", "response_format")
    if "seed" in body and (not isinstance(body["seed"], int) or isinstance(body["seed"], bool)):
        raise invalid("'seed' must be an integer.", "seed")
    if "model" in body and not isinstance(body["model"], str):
        raise invalid("'model' must be a string.", "model")
    return width, height


def _size(size: Any) -> tuple[int, int]:
    """(width, height) of a `size` such as '1024x1024'."""
    if not isinstance(size, str):
        raise invalid("'size' is required and must be a string like '1024x1024'.", "size")
    match = _SIZE_RE.match(size)
    if match is None:
        raise invalid(f"'size' {size!r} must look like '<width>x<height>'.", "size")
    width, height = int(match.group(1)), int(match.group(2))
    if not (1 <= width <= MAX_SIDE and 1 <= height <= MAX_SIDE):
        raise invalid(f"'size' sides must be between 1 and {MAX_SIDE}.", "size")
    return width, height


def image_data(png: bytes, response_format: str, url: str) -> dict[str, str]:
    if response_format == "b64_json":
        return {"b64_json": base64.b64encode(png).decode("ascii")}
    return {"url": url}


class ImageStore:
    """The most recent generated images, by id."""

    def __init__(self, capacity: int = 32) -> None:
        self._capacity = capacity
        self._lock = threading.Lock()
        self._images: OrderedDict[str, bytes] = OrderedDict()

    def put(self, image_id: str, png: bytes) -> None:
        with self._lock:
            self._images[image_id] = png
            while len(self._images) > self._capacity:
                self._images.popitem(last=False)

    def get(self, image_id: str) -> bytes | None:
        with self._lock:
            return self._images.get(image_id)
