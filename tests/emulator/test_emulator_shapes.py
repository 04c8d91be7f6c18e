# Tests of the emulator's OpenAI-style shapes: the Azure OpenAI v1 API, images and standard parameters on
# Azure OpenAI deployments, GitHub Models, the OpenAI-compatible mode, deployments that do not exist, and
# OpenAI's chat parameters (n, logprobs, max_completion_tokens, reasoning models, stream_options).
from __future__ import annotations

import json
import subprocess
import sys
from typing import Any, Iterator

import pytest
from emulator_support import USER_HELLO, call, post, sse_json

from inference_emulator import DEFAULT_KEY, Emulator

pytestmark = pytest.mark.timeout(60)

BEARER = {"Authorization": f"Bearer {DEFAULT_KEY}"}  # GitHub Models reads only this header
V1_CHAT = "/openai/v1/chat/completions"
AOAI_CHAT = "/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21"


@pytest.fixture(scope="module")
def compatible() -> Iterator[Emulator]:
    with Emulator(openai_compatible=True) as emu:
        yield emu


def hello(**extra: Any) -> dict[str, Any]:
    return {**USER_HELLO, **extra}


@pytest.mark.parametrize(
    "path,body",
    [
        (V1_CHAT, hello(model="gpt-4o")),
        (V1_CHAT + "?api-version=preview", hello(model="gpt-4o")),
        ("/openai/v1/embeddings", {"input": "one string", "model": "emb"}),
        ("/openai/v1/images/generations", {"prompt": "p", "size": "4x4", "model": "dall-e-3"}),
        ("/openai/deployments/dall-e-3/images/generations?api-version=2024-10-21", {"prompt": "p", "size": "4x4"}),
        ("/inference/chat/completions", hello(model="openai/gpt-4.1")),
        ("/orgs/acme/inference/chat/completions", hello(model="openai/gpt-4.1")),
        ("/inference/embeddings", {"input": ["x"], "model": "openai/text-embedding-3-small"}),
    ],
)
def test_openai_style_routes_answer(emu: Emulator, path: str, body: Any) -> None:
    reply = post(emu.url, path, body, headers=BEARER)
    assert reply.status == 200, reply.body
    sent = emu.requests[-1]
    assert sent.path == path.split("?")[0]


@pytest.mark.parametrize(
    "path,body,status,code",
    [
        (V1_CHAT + "?api-version=2024-10-21", hello(model="gpt-4o"), 400, "BadRequest"),
        (V1_CHAT, USER_HELLO, 400, "BadRequest"),
        (V1_CHAT, hello(model=""), 400, "BadRequest"),
        ("/openai/v1/info", None, 404, "404"),
        ("/inference/chat/completions", USER_HELLO, 400, "invalid_request_body"),
        ("/inference/chat/completions", hello(model="gpt-4.1"), 400, "unknown_model"),
        ("/inference/images/generations", {"prompt": "p", "size": "4x4"}, 404, "NotFound"),
    ],
)
def test_openai_style_route_errors(emu: Emulator, path: str, body: Any, status: int, code: str) -> None:
    reply = call(emu.url, "POST" if body is not None else "GET", path, body, headers=BEARER)
    assert (reply.status, reply.error_code) == (status, code), reply.body


def test_github_models_reads_only_the_bearer_token(emu: Emulator) -> None:
    body = hello(model="openai/gpt-4.1")
    by_key = post(emu.url, "/inference/chat/completions", body)  # `call` sends the key as api-key
    by_bearer = post(emu.url, "/inference/chat/completions", body, headers=BEARER, key=None)
    assert by_key.status == 401 and by_bearer.status == 200


def test_github_and_compatible_shapes_ignore_extra_parameters_and_unknown_fields(emu: Emulator, compatible) -> None:
    github = post(emu.url, "/inference/chat/completions", hello(model="openai/gpt-4.1", top_k=3), headers=BEARER)
    local = post(compatible.url, "/v1/chat/completions", hello(top_k=3), headers={"extra-parameters": "error"})
    assert github.status == local.status == 200


def test_deployments_that_do_not_exist() -> None:
    with Emulator(deployments=["gpt-4o"]) as emu:
        known = post(emu.url, V1_CHAT, hello(model="gpt-4o"))
        unknown = post(emu.url, V1_CHAT, hello(model="gpt-4"))
        deployment = post(emu.url, "/openai/deployments/gpt-4/chat/completions?api-version=2024-10-21", USER_HELLO)
    assert known.status == 200 and known.json["model"] == "gpt-4o"
    assert (unknown.status, unknown.error_code) == (404, "DeploymentNotFound")
    assert (deployment.status, deployment.error_code) == (404, "DeploymentNotFound")


def test_compatible_mode_serves_v1_without_api_version(compatible: Emulator) -> None:
    chat = post(compatible.url, "/v1/chat/completions", USER_HELLO)
    ignored = post(compatible.url, "/v1/embeddings?api-version=2099-01-01", {"input": "x"})
    images = post(
        compatible.url, "/v1/images/generations", {"prompt": "p", "size": "2x2", "response_format": "b64_json"}
    )
    info = call(compatible.url, "GET", "/info", None)
    dated = post(compatible.url, "/chat/completions?api-version=2024-05-01-preview", USER_HELLO)
    assert chat.status == ignored.status == images.status == dated.status == 200
    assert chat.json["usage"]["completion_tokens_details"] == {"reasoning_tokens": 0}
    assert set(images.json) == {"created", "data"} and images.json["data"][0]["revised_prompt"] == "p"
    assert info.status == 404


def test_the_default_emulator_still_wants_an_api_version_on_v1(emu: Emulator) -> None:
    reply = post(emu.url, "/v1/chat/completions", USER_HELLO)
    assert reply.error_code == "MissingApiVersionParameter"


STANDARD = {
    "n": 2,
    "logprobs": True,
    "top_logprobs": 3,
    "max_completion_tokens": 50,
    "user": "u",
    "parallel_tool_calls": True,
    "logit_bias": {"42": 10},
    "reasoning_effort": "medium",
}


@pytest.mark.parametrize("path", [V1_CHAT, AOAI_CHAT])
def test_azure_openai_shapes_take_the_standard_parameters(emu: Emulator, path: str) -> None:
    reply = post(emu.url, path, hello(model="gpt-4o", **STANDARD))
    assert reply.status == 200, reply.body
    choices = reply.json["choices"]
    assert [c["index"] for c in choices] == [0, 1]
    content = choices[0]["logprobs"]["content"]
    assert "".join(t["token"] for t in content) == choices[0]["message"]["content"]
    assert all(len(t["top_logprobs"]) == 3 for t in content)
    assert content[0]["bytes"] == list(content[0]["token"].encode())
    assert reply.json["usage"]["completion_tokens"] == 2 * len(content)
    assert choices[1]["content_filter_results"] == {}


def test_model_inference_shapes_still_call_them_extra_parameters(emu: Emulator) -> None:
    refused = post(emu.url, "/v1/chat/completions?api-version=2024-04-01-preview", hello(n=2))
    passed = post(
        emu.url,
        "/v1/chat/completions?api-version=2024-04-01-preview",
        hello(n=2),
        headers={"extra-parameters": "allow"},
    )
    assert refused.status == 400 and "extra parameters" in refused.json["error"]["message"]
    assert passed.status == 200 and len(passed.json["choices"]) == 2 and passed.json["emulator_extras"] == ["n"]


@pytest.mark.parametrize(
    "extra,target",
    [
        ({"n": 0}, "n"),
        ({"logprobs": "yes"}, "logprobs"),
        ({"top_logprobs": 2}, "top_logprobs"),
        ({"logprobs": True, "top_logprobs": 21}, "top_logprobs"),
        ({"max_completion_tokens": -1}, "max_completion_tokens"),
        ({"reasoning_effort": "extreme"}, "reasoning_effort"),
        ({"logit_bias": {"x": 1}}, "logit_bias"),
        ({"logit_bias": {"1": 101}}, "logit_bias"),
        ({"user": 5}, "user"),
        ({"parallel_tool_calls": "no"}, "parallel_tool_calls"),
        ({"stream_options": {"include_usage": True}}, "stream_options"),
    ],
)
def test_standard_parameter_validation(emu: Emulator, extra: dict[str, Any], target: str) -> None:
    reply = post(emu.url, V1_CHAT, hello(model="gpt-4o", **extra))
    assert reply.status == 400 and reply.json["error"]["target"] == target, reply.body


def test_reasoning_models_reject_max_tokens(emu: Emulator) -> None:
    refused = post(emu.url, V1_CHAT, hello(model="o3-mini", max_tokens=5))
    other = post(emu.url, V1_CHAT, hello(model="gpt-4o", max_tokens=5))
    thinking = post(
        emu.url,
        V1_CHAT,
        {"messages": [{"role": "user", "content": "think hard"}], "model": "o3-mini", "max_completion_tokens": 2},
    )
    assert (refused.status, refused.error_code) == (400, "unsupported_parameter")
    assert other.status == 200
    assert thinking.json["choices"][0]["finish_reason"] == "length"
    assert thinking.json["usage"]["completion_tokens_details"]["reasoning_tokens"] == 4


def test_streamed_choices_and_logprobs(emu: Emulator) -> None:
    reply = post(emu.url, V1_CHAT, hello(model="gpt-4o", stream=True, n=2, logprobs=True))
    chunks = sse_json(reply.body)
    by_index: dict[int, str] = {0: "", 1: ""}
    for chunk in chunks:
        for choice in chunk["choices"]:
            by_index[choice["index"]] += choice["delta"].get("content") or ""
    assert by_index[0] == by_index[1] == "Emulated reply to: hello there"
    tokens = [c for c in chunks if c["choices"] and c["choices"][0]["delta"].get("content")]
    assert all(
        c["choices"][0]["logprobs"]["content"][0]["token"] == c["choices"][0]["delta"]["content"] for c in tokens
    )


def test_command_line_modes() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "inference_emulator", "--openai-compatible", "--deployment", "gpt-4o"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip().rsplit(" ", 1)[-1]
        local = post(url, "/v1/chat/completions", USER_HELLO)
        missing = post(url, V1_CHAT, hello(model="gpt-4"))
    finally:
        process.terminate()
        process.wait(10)
        if process.stdout is not None:
            process.stdout.close()
    assert local.status == 200
    assert missing.error_code == "DeploymentNotFound"
    assert json.loads(local.body)["choices"][0]["message"]["content"] == "Emulated reply to: hello there"
