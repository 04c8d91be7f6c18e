"""What the command line says when something is wrong, and its exit code; and its `emulator` command, which is
`python -m inference_emulator` with the same options. Each case runs the command line in a subprocess."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from azure.ai.inference import ChatCompletionsClient
from azure.core.credentials import AzureKeyCredential
from inference_emulator import DEFAULT_KEY

from .test_cli import PROG, environment, one_error_line, run

pytestmark = pytest.mark.timeout(120)
ROOT = Path(__file__).resolve().parents[2]


# ----------------------------------------------------------------------------------------- plain http


def test_plain_http_to_another_host_says_which_option_allows_it(emu):
    done = run("info", endpoint="http://inference.example.invalid")
    assert done.returncode == 2
    line = one_error_line(done)
    assert "is not a loopback host" in line and "pass --allow-insecure-http to send the key" in line
    assert "enforce_https" not in line


def test_allow_insecure_http_sends_to_that_host(emu):
    # The host is reached through a loopback proxy: the emulator itself, which answers the absolute-form request.
    env_proxy = {"HTTP_PROXY": emu.url, "http_proxy": emu.url, "NO_PROXY": "", "no_proxy": ""}
    command = [sys.executable, "-m", "azure.ai.inference", "--allow-insecure-http", "info"]
    env = {**environment("http://inference.example.invalid", DEFAULT_KEY), **env_proxy}
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "model_name: emulated-chat"
    assert emu.requests[-1].headers["api-key"] == DEFAULT_KEY


# ------------------------------------------------------------------------------------ bad options exit 2


@pytest.mark.parametrize("option", ["--batch-size", "--concurrency", "--max-batch-chars", "--dimensions"])
@pytest.mark.parametrize("value", ["0", "-3", "many"])
def test_a_bad_count_names_the_option_and_exits_with_2(emu, option, value):
    done = run("embed", option, value, "some text", endpoint=emu.url)
    assert done.returncode == 2
    reason = f"expected a whole number, got {value!r}" if value == "many" else f"must be at least 1, got {value}"
    assert done.stderr.splitlines()[-1] == f"azure-ai-inference embed: error: argument {option}: {reason}"
    assert "batch_size" not in done.stderr and "max_batch_chars" not in done.stderr  # never the Python name
    assert emu.requests == []


@pytest.mark.parametrize("endpoint", ["ftp://host.example", "http://[::1", "https://host.example:99999", "not a url"])
def test_a_bad_endpoint_exits_with_2(emu, endpoint):
    done = run("info", endpoint=endpoint)
    assert done.returncode == 2, done.stderr
    assert "endpoint" in one_error_line(done)


def test_without_a_key_a_failed_sign_in_is_one_line(emu):
    pytest.importorskip("azure.identity")
    done = run("info", endpoint=emu.url, key=None)
    assert done.returncode == 2
    line = one_error_line(done)  # not the dozen lines of each credential DefaultAzureCredential tried
    assert line.startswith("no key, and ClientAuthenticationError: DefaultAzureCredential failed")
    assert "pass --key or set AZURE_AI_INFERENCE_KEY" in line
    assert emu.requests == []
    verbose = run("info", "--verbose", endpoint=emu.url, key=None)  # --verbose still shows what was tried
    assert verbose.returncode == 2 and "EnvironmentCredential" in verbose.stderr


# -------------------------------------------------------------------------------- an interrupted stream


def test_an_interrupted_stream_ends_its_line_before_interrupted(emu):
    # SIGINT as Ctrl-C sends it, once the first words of a slow stream are on stdout.
    code = (
        "import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler)\n"
        "from azure.ai.inference._cli import main\nsys.exit(main(sys.argv[1:]))"
    )
    slow = emu.url + "/fault/slow-stream;delay=0.5"
    process = subprocess.Popen(
        [sys.executable, "-c", code, "chat", "one two three four five six"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=environment(slow, DEFAULT_KEY),
        cwd=ROOT,
    )
    try:
        assert process.stdout is not None
        first = os.read(process.stdout.fileno(), 100)  # returns once the first words were written
        assert first.startswith(b"Emulated")
        process.send_signal(signal.SIGINT)
        rest, errors = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 130
    assert (first + rest).endswith(b"\n") and not (first + rest).endswith(b"six\n")  # cut short, line ended
    assert errors.decode() == f"{PROG[: -len('error: ')]}interrupted\n"


# ---------------------------------------------------------------------------------------------- emulator


def _options(help_text: str) -> list[str]:
    return sorted(set(re.findall(r"--[a-z][a-z-]+", help_text)))


def test_the_emulator_command_takes_the_emulators_own_options():
    def helps(*command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, *command, "--help"], capture_output=True, text=True, env=environment(None, None), cwd=ROOT
        )

    cli = helps("-m", "azure.ai.inference", "emulator")
    module = helps("-m", "inference_emulator")
    assert cli.returncode == module.returncode == 0
    assert cli.stdout.startswith("usage: azure-ai-inference emulator ")
    same = cli.stdout.replace("azure-ai-inference emulator", "python -m inference_emulator")
    assert same.split() == module.stdout.split()  # the same text, wrapped for the longer name
    for option in ("--key", "--openai-compatible", "--tls-cert", "--tls-key", "--deployment", "--fault", "--latency"):
        assert option in _options(cli.stdout)
    assert "image_embeddings" in cli.stdout
    assert "--emulator-key" not in cli.stdout  # the old spelling works, unlisted
    bad = subprocess.run(
        [sys.executable, "-m", "azure.ai.inference", "emulator", "--tls-cert", "c.pem"],
        capture_output=True,
        text=True,
        env=environment(None, None),
        cwd=ROOT,
    )
    assert bad.returncode == 2 and "azure-ai-inference emulator: error: --tls-cert and --tls-key go together" in bad.stderr


@contextmanager
def serve(*args: str) -> Iterator[str]:
    """`azure-ai-inference emulator ARGS` in a subprocess; yields its URL; SIGTERM at the end, exit code 0."""
    process = subprocess.Popen(
        [sys.executable, "-m", "azure.ai.inference", *args, "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment(None, None),
        cwd=ROOT,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("Emulator listening on http://127.0.0.1:"), process.stderr and process.stderr.read()
        yield line.split()[-1]
    finally:
        process.send_signal(signal.SIGTERM)
        out: Any = process.communicate(timeout=30)
    assert process.returncode == 0, out


def test_the_emulator_command_serves_image_embeddings_with_its_key():
    from azure.ai.inference import ImageEmbeddingsClient
    from azure.ai.inference.models import ImageEmbeddingInput

    # Options of the whole command line may come first; they do not concern the emulator.
    with serve("--verbose", "emulator", "--key", "a-key-of-my-own", "--model-type", "image_embeddings") as url:
        with ImageEmbeddingsClient(url, AzureKeyCredential("a-key-of-my-own")) as client:
            assert client.get_model_info().model_type == "image_embeddings"
            result = client.create(input=[ImageEmbeddingInput(image="data:image/png;base64,AAAA")], dimensions=3)
            assert len(result.data[0].embedding) == 3


def test_the_emulator_command_keeps_its_old_key_option_and_serves_openai_compatible():
    with serve("emulator", "--emulator-key", "the-old-spelling", "--openai-compatible") as url:
        with ChatCompletionsClient(url + "/v1", AzureKeyCredential("the-old-spelling")) as client:
            answer = client.create(messages=[{"role": "user", "content": "hi"}])
        assert answer.choices[0].message.content == "Emulated reply to: hi"


def test_an_embed_job_records_what_it_was_made_from(emu, tmp_path):
    source = tmp_path / "corpus.jsonl"
    source.write_text('{"text": "one"}\n{"text": "two"}\n')
    target = tmp_path / "out.jsonl"
    done = run("embed", "--input", str(source), "--output", str(target), "--input-type", "query", endpoint=emu.url)
    assert done.returncode == 0, done.stderr
    meta = json.loads((tmp_path / "out.jsonl.meta.json").read_text())
    assert meta["lines"] == 2 and meta["input"] == str(source) and meta["encoding"] == "float"
    assert meta["options"] == {"input_format": "jsonl", "dimensions": None, "input_type": "query", "model": None}
