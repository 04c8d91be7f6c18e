# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""The file loaders behind `ImageUrl.load`, `ImageEmbeddingInput.load` and `InputAudio.load`: regular files only,
at most `max_bytes` (see `read_local_file`)."""

from __future__ import annotations

import base64
import os
import stat
from typing import Union

__all__ = ["DEFAULT_MAX_FILE_BYTES", "read_local_file", "base64_file"]

# The largest file the loaders read unless told otherwise (`max_bytes=`): 20 MiB, the size services accept for
# one image; its base64 form is a third larger.
DEFAULT_MAX_FILE_BYTES = 20 * 1024 * 1024


def read_local_file(path: Union[str, "os.PathLike[str]"], max_bytes: int = DEFAULT_MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file of at most `max_bytes` bytes.

    A FIFO, a device (`/dev/zero`), a directory or a socket is refused before it is read, and so is a larger file:
    `ValueError` naming the file. The file is checked before it is opened (so that opening a FIFO or a device
    cannot block or act), opened without blocking, and checked again on the open descriptor (so that a path
    swapped in between is caught); at most `max_bytes + 1` bytes are read, so a file that grows meanwhile is
    refused too. A missing or unreadable file raises the `OSError` of `open`.
    """
    limit: object = max_bytes
    if type(limit) is not int or max_bytes <= 0:
        raise ValueError(f"max_bytes must be a positive int, not {max_bytes!r}")
    name = os.fspath(path)
    _check_regular(name, os.stat(name), max_bytes)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(name, flags)
    with open(fd, "rb", buffering=0, closefd=True) as f:
        _check_regular(name, os.fstat(fd), max_bytes)
        chunks: list[bytes] = []
        size = 0
        while size <= max_bytes:
            chunk = f.read(min(max_bytes + 1 - size, 1024 * 1024))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    if size > max_bytes:
        raise ValueError(f"{name!r} grew past the limit of {max_bytes} bytes while it was read (max_bytes=)")
    return b"".join(chunks)


def _check_regular(name: str, info: os.stat_result, max_bytes: int) -> None:
    if not stat.S_ISREG(info.st_mode):
        kind = "a directory" if stat.S_ISDIR(info.st_mode) else "not a regular file"
        raise ValueError(f"{name!r} is {kind}: only regular files can be loaded")
    if info.st_size > max_bytes:
        raise ValueError(
            f"{name!r} has {info.st_size} bytes, more than the limit of {max_bytes} bytes; "
            "pass max_bytes= to allow a larger file"
        )


def base64_file(path: Union[str, "os.PathLike[str]"], max_bytes: int) -> str:
    return base64.b64encode(read_local_file(path, max_bytes)).decode("ascii")
