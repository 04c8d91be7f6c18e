"""`ImageUrl.load`, `ImageEmbeddingInput.load` and `InputAudio.load` read regular files of a bounded size only:
a FIFO without a writer, `/dev/zero`, a directory and a (sparse) file past the limit are refused with a
`ValueError` naming the file, before anything is read; nothing blocks and nothing grows."""

from __future__ import annotations

import base64
import os
import stat
import sys
from pathlib import Path
from typing import Any, Callable

import pytest

from azure.ai.inference.models import DEFAULT_MAX_FILE_BYTES, ImageEmbeddingInput, ImageUrl, InputAudio

# A guard against a regression that blocks for good (a FIFO opened for reading without a writer), not a measure.
pytestmark = [
    pytest.mark.timeout(60),
    pytest.mark.skipif(sys.platform == "win32", reason="FIFOs, /dev/zero and sparse files as POSIX has them"),
]

Loader = Callable[..., Any]
LOADERS: dict[str, Loader] = {
    "ImageUrl": lambda path, **kw: ImageUrl.load(image_file=path, image_format="png", **kw),
    "ImageEmbeddingInput": lambda path, **kw: ImageEmbeddingInput.load(image_file=path, image_format="png", **kw),
    "InputAudio": lambda path, **kw: InputAudio.load(audio_file=path, audio_format="wav", **kw),
}


def _payload(result: Any) -> bytes:
    """The file's bytes back from what a loader built."""
    if isinstance(result, InputAudio):
        return base64.b64decode(result.data)
    data_url = result.url if isinstance(result, ImageUrl) else result.image
    return base64.b64decode(data_url.split(",", 1)[1])


@pytest.fixture(params=sorted(LOADERS))
def load(request: pytest.FixtureRequest) -> Loader:
    return LOADERS[request.param]


def test_a_regular_file_is_read_whole(load, tmp_path):
    path = tmp_path / "small.bin"
    path.write_bytes(b"\x89PNG" + bytes(range(256)))
    assert _payload(load(str(path))) == path.read_bytes()
    assert _payload(load(path)) == path.read_bytes()  # a Path as well as a str
    # A symbolic link to a regular file is that file.
    link = tmp_path / "link.bin"
    link.symlink_to(path)
    assert _payload(load(str(link))) == path.read_bytes()


def test_a_fifo_without_a_writer_is_refused_at_once(load, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(ValueError) as info:
        load(str(fifo))
    assert str(fifo) in str(info.value) and "regular file" in str(info.value)


def test_dev_zero_and_a_link_to_it_are_refused(load, tmp_path):
    with pytest.raises(ValueError, match="/dev/zero.*regular file"):
        load("/dev/zero")
    link = tmp_path / "zeros"
    link.symlink_to("/dev/zero")
    with pytest.raises(ValueError, match="regular file"):
        load(str(link))


def test_a_directory_is_refused(load, tmp_path):
    with pytest.raises(ValueError) as info:
        load(str(tmp_path))
    assert str(tmp_path) in str(info.value) and "directory" in str(info.value)


def test_a_file_past_the_limit_is_refused_before_it_is_read(load, tmp_path):
    big = tmp_path / "big.bin"
    with open(big, "wb") as f:
        f.truncate(1024**3)  # 1 GiB, sparse: no disk and no memory
    with pytest.raises(ValueError) as info:
        load(str(big))
    message = str(info.value)
    assert str(big) in message and str(1024**3) in message and str(DEFAULT_MAX_FILE_BYTES) in message
    assert "max_bytes" in message


def test_max_bytes_sets_the_limit(load, tmp_path):
    path = tmp_path / "hundred.bin"
    path.write_bytes(b"x" * 100)
    assert _payload(load(str(path), max_bytes=100)) == b"x" * 100
    with pytest.raises(ValueError, match="more than the limit of 99 bytes"):
        load(str(path), max_bytes=99)
    for bad in (0, -1, 1.5, True, "100"):
        with pytest.raises(ValueError, match="max_bytes"):
            load(str(path), max_bytes=bad)


def test_a_missing_file_is_the_os_error_of_open(load, tmp_path):
    with pytest.raises(FileNotFoundError):
        load(str(tmp_path / "absent.png"))


def test_a_path_swapped_for_a_fifo_after_the_check_is_refused_on_the_open_file(load, tmp_path, monkeypatch):
    # The path passes the check made before opening (here: os.stat answers for a regular file), and is then a
    # FIFO when opened: the open must not block, and the check of the open descriptor refuses it.
    regular = tmp_path / "regular.bin"
    regular.write_bytes(b"data")
    fifo = tmp_path / "swapped"
    os.mkfifo(fifo)
    real_stat = os.stat
    checked: list[str] = []

    def stat_before_the_swap(path: Any, *args: Any, **kwargs: Any) -> os.stat_result:
        if Path(path) == fifo:
            checked.append(str(path))
            return real_stat(regular)
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", stat_before_the_swap)
    with pytest.raises(ValueError, match="regular file"):
        load(str(fifo))
    assert checked == [str(fifo)]
    assert stat.S_ISFIFO(real_stat(fifo).st_mode)
