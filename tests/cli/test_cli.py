"""The command line, end to end: `python -m azure.ai.inference` in a subprocess against the emulator."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Optional

import pytest

from inference_emulator import DEFAULT_KEY, Emulator
from inference_emulator.embeddings import embedding_vector

pytestmark = pytest.mark.timeout(120)

PROG = "azure-ai-inference: error: "


def environment(endpoint: Optional[str], key: Optional[str]) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith(("AZURE_", "PYTHON"))}
    if endpoint is not None:
        env["AZURE_AI_INFERENCE_ENDPOINT"] = endpoint
    if key is not None:
        env["AZURE_AI_INFERENCE_KEY"] = key
    return env


def run(
    *args: str,
    endpoint: Optional[str] = None,
    key: Optional[str] = DEFAULT_KEY,
    stdin: str = "",
    prelude: Optional[str] = None,
) -> subprocess.CompletedProcess[str]:
    """Run the command line; `prelude` is Python run first in the same process (to hide a package)."""
    if prelude is None:
        command = [sys.executable, "-m", "azure.ai.inference", *args]
    else:
        code = f"{prelude}\nimport sys\nfrom azure.ai.inference._cli import main\nsys.exit(main(sys.argv[1:]))"
        command = [sys.executable, "-c", code, *args]
    return subprocess.run(
        command,
        input=stdin,
        capture_output=True,
        text=True,
        env=environment(endpoint, key),
        cwd=Path(__file__).resolve().parents[2],
        timeout=60,
    )


def one_error_line(done: subprocess.CompletedProcess[str]) -> str:
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(PROG)
    return lines[0][len(PROG) :]


# ----------------------------------------------------------------------------------------------- chat


def test_chat_streams_the_answer(emu):
    done = run("chat", "hello there", endpoint=emu.url)
    assert (done.returncode, done.stdout, done.stderr) == (0, "Emulated reply to: hello there\n", "")
    sent = emu.requests[-1].json
    assert sent["stream"] is True and sent["messages"] == [{"role": "user", "content": "hello there"}]


def test_chat_without_streaming_with_a_system_message_and_options(emu):
    done = run(
        "--model", "m1", "chat", "--no-stream", "--system", "be brief", "--max-tokens", "2", "q?", endpoint=emu.url
    )
    assert (done.returncode, done.stdout) == (0, "Emulated reply \n")  # two tokens
    sent = emu.requests[-1].json
    assert "stream" not in sent and sent["model"] == "m1" and sent["max_tokens"] == 2
    assert sent["messages"][0] == {"role": "system", "content": "be brief"}


def test_chat_reads_the_question_from_stdin(emu):
    done = run("chat", "-", endpoint=emu.url, stdin="a question\nover two lines\n")
    assert done.returncode == 0
    assert done.stdout == "Emulated reply to: a question\nover two lines\n"


def test_chat_json_prints_the_raw_result_or_one_line_per_update(emu):
    whole = run("chat", "--json", "--no-stream", "hi", endpoint=emu.url)
    assert whole.returncode == 0
    assert json.loads(whole.stdout)["choices"][0]["message"]["content"] == "Emulated reply to: hi"
    streamed = run("chat", "--json", "hi", endpoint=emu.url)
    updates = [json.loads(line) for line in streamed.stdout.splitlines()]
    assert "".join(u["choices"][0]["delta"].get("content", "") for u in updates if u["choices"]) == (
        "Emulated reply to: hi"
    )


# ------------------------------------------------------------------------------------- info and image


def test_info_prints_the_model(emu):
    done = run("info", endpoint=emu.url)
    assert done.returncode == 0
    assert done.stdout.splitlines() == ["model_name: emulated-chat", "model_type: chat", "model_provider: Emulator"]
    as_json = run("info", "--json", endpoint=emu.url)
    assert json.loads(as_json.stdout)["model_name"] == "emulated-chat"


def test_image_is_written_to_the_output_file(emu, tmp_path):
    target = tmp_path / "cat.png"
    done = run("image", "a cat", "--size", "6x4", "--output", str(target), endpoint=emu.url)
    assert done.returncode == 0 and done.stdout == ""
    data = target.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[16:24] == (6).to_bytes(4, "big") + (4).to_bytes(4, "big")
    assert emu.requests[-1].json == {"prompt": "a cat", "size": "6x4", "response_format": "b64_json"}


# ------------------------------------------------------------------------------------------------ embed


def test_embed_texts_print_json_lines(emu):
    done = run("embed", "--dimensions", "3", "first", "second", endpoint=emu.url)
    assert done.returncode == 0
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [line["index"] for line in lines] == [0, 1]
    assert lines[1]["embedding"] == pytest.approx(embedding_vector("second", 3))


def test_embed_reads_texts_from_stdin(emu):
    done = run("embed", "--dimensions", "2", "--batch-size", "2", "-", endpoint=emu.url, stdin="one\ntwo\nthree\n")
    assert done.returncode == 0, done.stderr
    assert [json.loads(line)["index"] for line in done.stdout.splitlines()] == [0, 1, 2]
    assert [r.json["input"] for r in emu.requests] == [["one", "two"], ["three"]]


def test_embed_progress_as_a_bar_or_as_lines(emu, tmp_path):
    source = tmp_path / "corpus.txt"
    source.write_text("".join(f"line {i}\n" for i in range(30)))
    options = ["embed", "--input", str(source), "--batch-size", "10", "--dimensions", "2", "--overwrite"]
    lines = run(*options, "--output", str(tmp_path / "a.jsonl"), endpoint=emu.url)
    assert lines.returncode == 0 and lines.stderr.splitlines()[0] == "embedded 10 texts"
    pytest.importorskip("tqdm")
    bar = run(*options, "--output", str(tmp_path / "b.jsonl"), "--progress", "bar", endpoint=emu.url)
    assert bar.returncode == 0 and "30/30" in bar.stderr
    hidden = "import sys; sys.modules['tqdm'] = None"
    missing = run(
        *options, "--output", str(tmp_path / "c.jsonl"), "--progress", "bar", endpoint=emu.url, prelude=hidden
    )
    assert missing.returncode == 2 and "pip install 'azure-ai-inference[progress]'" in one_error_line(missing)


def test_embed_a_jsonl_file_in_batches(emu, tmp_path):
    source = tmp_path / "corpus.jsonl"
    texts = [f"record {i}" for i in range(23)]
    source.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate(texts)))
    target = tmp_path / "vectors.jsonl"
    done = run(
        "embed", "--input", str(source), "--output", str(target), "--batch-size", "5", "--dimensions", "2",
        endpoint=emu.url,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert done.stderr.splitlines()[-1] == f"embedded 23 texts into {target}"
    records = [json.loads(line) for line in target.read_text().splitlines()]
    assert [r["index"] for r in records] == list(range(23))
    for record, text in zip(records, texts):
        assert record["embedding"] == pytest.approx(embedding_vector(text, 2))
    sent = [r.json["input"] for r in emu.requests]
    assert sorted(sent) == sorted(texts[i : i + 5] for i in range(0, 23, 5))


def test_embed_jobs_wait_out_rate_limits(emu, tmp_path):
    source = tmp_path / "corpus.txt"
    source.write_text("".join(f"line {i}\n" for i in range(12)))
    target = tmp_path / "out.jsonl"
    throttled = emu.url + "/fault/rate-limit;count=2;retry_after=0.01"  # the first two answers are 429s
    command = ["embed", "--input", str(source), "--output", str(target), "--batch-size", "4", "--dimensions", "2"]
    done = run(*command, "--progress", "none", endpoint=throttled)
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines() == [f"embedded 12 texts into {target}, 2 throttled answers retried"]
    assert len(emu.requests) == 3 + 2
    assert [json.loads(line)["index"] for line in target.read_text().splitlines()] == list(range(12))


def test_embed_refuses_to_overwrite_a_job_and_reports_bad_input_lines(emu, tmp_path):
    source = tmp_path / "bad.jsonl"
    source.write_text('{"text": "fine"}\n{"words": "no text field"}\n')
    target = tmp_path / "out.jsonl"
    done = run("embed", "--input", str(source), "--output", str(target), endpoint=emu.url)
    assert done.returncode == 1 and one_error_line(done) == f'{source}: line 2 has no "text" string'
    assert emu.requests == []  # the bad line is found before its batch is sent
    assert not target.exists()  # the job failed before its first line: nothing is created
    target.write_text('{"index": 0, "embedding": [1.0]}\n')
    again = run("embed", "--input", str(source), "--output", str(target), endpoint=emu.url)
    assert again.returncode == 2 and "pass --resume" in one_error_line(again)


def _complete_lines(path: Path) -> int:
    data = path.read_bytes() if path.exists() else b""
    return data.count(b"\n")


def test_a_killed_job_resumes_without_sending_finished_texts_again(emu, tmp_path):
    texts = [f"corpus line {i}" for i in range(300)]
    source = tmp_path / "corpus.txt"
    source.write_text("\n".join(texts) + "\n")
    options = ["--batch-size", "10", "--concurrency", "1", "--dimensions", "4"]
    target = tmp_path / "killed.jsonl"

    # The first run answers slowly (a server-side delay on each request) and is killed once three batches are in.
    slow = emu.url + "/fault/slow-first-byte;delay=0.2"
    command = [sys.executable, "-m", "azure.ai.inference", "embed", "--input", str(source), "--output", str(target)]
    process = subprocess.Popen(
        command + options,
        env=environment(slow, DEFAULT_KEY),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        # With one batch in flight, the 4th request is sent only once the 3rd batch's lines were flushed.
        while len(emu.requests) < 4 and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    done = _complete_lines(target)
    assert 30 <= done < len(texts), "the job was not killed part-way"
    first_run = [list(r.json["input"]) for r in emu.requests]
    emu.clear()

    resumed = run("embed", "--input", str(source), "--output", str(target), "--resume", *options, endpoint=emu.url)
    assert resumed.returncode == 0, resumed.stderr
    assert resumed.stderr.splitlines()[-1] == f"embedded 300 texts ({done} already done) into {target}"
    second_run = [text for r in emu.requests for text in r.json["input"]]
    assert second_run == texts[done:]  # nothing already written is sent again, everything else once
    assert [text for batch in first_run for text in batch][:done] == texts[:done]

    # The finished file is byte for byte the file of a run that was never interrupted.
    straight = tmp_path / "straight.jsonl"
    whole = run("embed", "--input", str(source), "--output", str(straight), *options, endpoint=emu.url)
    assert whole.returncode == 0
    assert target.read_bytes() == straight.read_bytes()


def test_resume_drops_a_line_cut_short(emu, tmp_path):
    source = tmp_path / "corpus.txt"
    source.write_text("one\ntwo\nthree\n")
    target = tmp_path / "out.jsonl"
    first = run("embed", "--input", str(source), "--output", str(target), "--batch-size", "1", endpoint=emu.url)
    assert first.returncode == 0
    whole = target.read_bytes()
    lines = whole.splitlines(keepends=True)
    # As a kill in the middle of writing line 2 leaves the job: line 1 written and counted, line 2 cut short.
    start = tmp_path / "first-line.txt"
    start.write_text("one\n")
    target.unlink()
    assert run("embed", "--input", str(start), "--output", str(target), endpoint=emu.url).returncode == 0
    with target.open("ab") as out:
        out.write(lines[1][:20])
    emu.clear()
    resumed = run(
        "embed", "--input", str(source), "--output", str(target), "--batch-size", "1", "--resume", endpoint=emu.url
    )
    assert resumed.returncode == 0
    assert [r.json["input"] for r in emu.requests] == [["two"], ["three"]]
    assert target.read_bytes() == whole


# ------------------------------------------------------------------------------------ errors, secrets


def test_a_service_error_is_one_line_with_status_and_code(emu):
    done = run("info", endpoint=emu.url + "/fault/detail-body")
    assert done.returncode == 1 and done.stdout == ""
    assert one_error_line(done) == "404 404: Not Found"
    denied = run("chat", "hi", endpoint=emu.url, key="not-the-right-key")
    assert denied.returncode == 1
    assert one_error_line(denied).startswith("401 Unauthorized: Access denied")


def test_configuration_errors_exit_with_2(emu):
    no_endpoint = run("info")
    assert no_endpoint.returncode == 2 and "AZURE_AI_INFERENCE_ENDPOINT" in one_error_line(no_endpoint)
    hidden = "import sys; sys.modules['azure.identity'] = None"
    no_key = run("info", endpoint=emu.url, key=None, prelude=hidden)
    assert no_key.returncode == 2 and "AZURE_AI_INFERENCE_KEY" in one_error_line(no_key)
    bad_usage = run("embed", "--resume", "text", endpoint=emu.url)
    assert bad_usage.returncode == 2 and one_error_line(bad_usage) == "--resume needs --output FILE"
    assert run("no-such-command").returncode == 2
    assert emu.requests == []


def test_without_a_key_the_default_azure_credential_is_used(emu):
    pytest.importorskip("azure.identity")
    done = run("info", endpoint="http://inference.example.invalid", key=None)
    # DefaultAzureCredential is a token credential, which refuses to send a token over plain http to a host that
    # is not loopback, before asking for one (so before any network traffic).
    line = one_error_line(done)
    assert done.returncode == 2 and "only to loopback hosts" in line and "send the token in clear text" in line
    assert "--allow-insecure-http" in line and "enforce_https" not in line  # what the command line can do
    assert emu.requests == []


SECRET = "s3cret-key-that-must-not-show-0123456789"


def test_the_key_is_never_printed_even_when_verbose(emu):
    with Emulator(SECRET) as private:
        chat = run("--verbose", "chat", "hi", endpoint=private.url, key=SECRET)
        assert chat.returncode == 0 and chat.stdout == "Emulated reply to: hi\n"
        assert "Authorization" in chat.stderr or "authorization" in chat.stderr  # the headers were logged
        on_command_line = run("-v", "info", "--key", SECRET, endpoint=private.url, key=None)
        assert on_command_line.returncode == 0
    failing = run("chat", "hi", "--verbose", endpoint=emu.url, key=SECRET)  # the emulator refuses this key
    assert failing.returncode == 1
    assert "Traceback" in failing.stderr and failing.stderr.splitlines()[-1].startswith(PROG + "401")
    for done in (chat, on_command_line, failing):
        assert SECRET not in done.stdout and SECRET not in done.stderr


# --------------------------------------------------------------------------------- script and emulator


def test_the_console_script_is_installed():
    script = Path(sys.executable).with_name("azure-ai-inference")
    assert script.exists(), "pip install -e . installs the azure-ai-inference script"
    done = subprocess.run([str(script), "--help"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "chat" in done.stdout and "embed" in done.stdout


def test_the_emulator_command_serves_with_a_fault_until_terminated():
    from azure.ai.inference import ChatCompletionsClient
    from azure.core.credentials import AzureKeyCredential
    from azure.core.exceptions import HttpResponseError

    process = subprocess.Popen(
        [sys.executable, "-m", "azure.ai.inference", "emulator", "--port", "0", "--fault", "rate-limit;retry_after=7"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment(None, None),
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("Emulator listening on http://127.0.0.1:")
        url = line.split()[-1]
        with ChatCompletionsClient(url, AzureKeyCredential(DEFAULT_KEY), retry_total=0) as client:
            with pytest.raises(HttpResponseError) as caught:
                client.create(messages=[{"role": "user", "content": "hi"}])
        assert caught.value.status_code == 429
        assert caught.value.response is not None and caught.value.response.headers["Retry-After"] == "7"
    finally:
        process.send_signal(signal.SIGTERM)
        out: Any = process.communicate(timeout=30)
    assert process.returncode == 0, out
