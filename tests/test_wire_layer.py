"""One wire layer: every request a public client sends is built by the spec's generated request builder of its
operation and travels through the client's one pipeline, sync and async, for every client.

The builders are wrapped where the clients look them up (`_core.endpoints`), so the test sees each request a builder
made (a client calls a builder once per kind of call and copies its request line and headers with each call's
body); the pipeline's own custom-hook policy then reports the request it carries, which must have the builder's
method, URL and headers; and the pipelines built while a client is constructed are counted.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from azure.core.credentials import AccessTokenInfo
from azure.core.exceptions import HttpResponseError
from azure.core.pipeline import AsyncPipeline, Pipeline

from azure.ai.inference._core import endpoints as _endpoints
from inference_emulator import DEFAULT_KEY

BUILDERS = (
    "build_chat_completions_create_request",
    "build_chat_completions_get_model_info_request",
    "build_embeddings_create_request",
    "build_image_embeddings_create_request",
    "build_image_generation_create_request",
)
IMAGE = "data:image/png;base64,iVBORw0KGgo="

# (client, api_version, call, builder, method and path on the wire)
CASES = [
    (
        "ChatCompletionsClient",
        None,
        ("create", {"messages": [{"role": "user", "content": "hi"}]}),
        BUILDERS[0],
        "POST /v1/chat/completions",
    ),
    (
        "ChatCompletionsClient",
        "2024-05-01-preview",
        ("create", {"messages": [{"role": "user", "content": "hi"}]}),
        BUILDERS[0],
        "POST /chat/completions",
    ),
    (
        "ChatCompletionsClient",
        None,
        ("create_streaming", {"messages": [{"role": "user", "content": "hi"}]}),
        BUILDERS[0],
        "POST /v1/chat/completions",
    ),
    ("ChatCompletionsClient", None, ("get_model_info", {}), BUILDERS[1], "GET /info"),
    ("EmbeddingsClient", None, ("create", {"input": ["a", "b"]}), BUILDERS[2], "POST /v1/embeddings"),
    ("EmbeddingsClient", "2024-05-01-preview", ("create", {"input": ["a"]}), BUILDERS[2], "POST /embeddings"),
    ("EmbeddingsClient", None, ("get_model_info", {}), BUILDERS[1], "GET /info"),
    (
        "ImageGenerationClient",
        None,
        ("create", {"prompt": "a square", "size": "8x8"}),
        BUILDERS[4],
        "POST /images/generations",
    ),
    (
        "ImageEmbeddingsClient",
        "2024-05-01-preview",
        ("embed", {"input": [{"image": IMAGE}]}),
        BUILDERS[3],
        "POST /images/embeddings",
    ),
]


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Any]]:
    """The (builder name, request) of every request a generated builder makes, in order."""
    made: list[tuple[str, Any]] = []
    for name in BUILDERS:
        original = getattr(_endpoints, name)

        def wrapper(*args: Any, _name: str = name, _original: Any = original, **kwargs: Any) -> Any:
            request = _original(*args, **kwargs)
            made.append((_name, request))
            return request

        monkeypatch.setattr(_endpoints, name, wrapper)
    return made


@pytest.fixture
def pipelines(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every Pipeline and AsyncPipeline built from now on."""
    seen: list[Any] = []
    for cls in (Pipeline, AsyncPipeline):
        original = cls.__init__

        def init(self: Any, *args: Any, _original: Any = original, **kwargs: Any) -> None:
            seen.append(self)
            _original(self, *args, **kwargs)

        monkeypatch.setattr(cls, "__init__", init)
    return seen


async def _drain(m: Any, result: Any) -> None:
    if hasattr(result, "__aiter__"):
        async for _ in result:
            pass
    elif hasattr(result, "__iter__") and not isinstance(result, dict) and hasattr(result, "close"):
        for _ in result:
            pass


@pytest.mark.parametrize("client_name,api_version,call,builder,line", CASES)
def test_a_call_is_built_by_its_generated_builder_and_sent_through_the_one_pipeline(
    emu, mode, built, pipelines, client_name, api_version, call, builder, line
):
    method, arguments = call
    version = {} if api_version is None else {"api_version": api_version}
    carried: list[Any] = []

    async def body(m):
        async with m.client(client_name, emu.url, **version) as client:
            assert len(pipelines) == 1, "constructing a client builds exactly one pipeline"
            assert client._client._pipeline is pipelines[0]
            result = await m.call(
                getattr(client, method)(
                    raw_request_hook=lambda request: carried.append(request.http_request), **arguments
                )
            )
            await _drain(m, result)
        assert len(pipelines) == 1

    mode.run(body)
    assert [name for name, _ in built] == [builder]
    made = built[0][1]
    for request in carried:
        assert (request.method, request.url) == (made.method, made.url)
        assert dict(request.headers).items() >= dict(made.headers).items()  # and the pipeline's own headers
    assert carried
    sent = emu.requests[-1]
    assert f"{sent.method} {sent.path}" == line
    assert sent.query.get("api-version") == (api_version or "2024-04-01-preview")
    assert sent.headers["api-key"] == DEFAULT_KEY
    if sent.method == "POST":
        assert json.loads(sent.body).items() >= {k: v for k, v in arguments.items() if k != "input"}.items()


def test_api_version_none_sends_no_query_through_the_builder(emu, mode, built):
    # The emulator's Model Inference routes require an api-version: its 400 proves none was sent.
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url, api_version=None) as client:
            error = await m.raises(
                HttpResponseError, lambda: client.create(messages=[{"role": "user", "content": "hi"}])
            )
        assert error.error.code == "MissingApiVersionParameter"

    mode.run(body)
    sent = emu.requests[-1]
    assert sent.path == "/v1/chat/completions" and "api-version" not in sent.query
    assert [name for name, _ in built] == [BUILDERS[0]]
    assert "api-version" not in built[0][1].url


class _InfoOnlyCredential:
    """A token credential that has only `get_token_info` (azure-core's newer protocol)."""

    def get_token_info(self, *scopes: str, options: Any = None) -> AccessTokenInfo:
        return AccessTokenInfo(DEFAULT_KEY, 4_102_444_800)


class _AsyncInfoOnlyCredential:
    async def get_token_info(self, *scopes: str, options: Any = None) -> AccessTokenInfo:
        return AccessTokenInfo(DEFAULT_KEY, 4_102_444_800)

    async def close(self) -> None:
        pass


def test_a_credential_with_only_get_token_info_works(emu, mode, pipelines):
    credential = _AsyncInfoOnlyCredential() if mode.is_async else _InfoOnlyCredential()

    async def body(m):
        client = m.api.ChatCompletionsClient(emu.url, credential)
        try:
            result = await m.call(client.create(messages=[{"role": "user", "content": "hi"}]))
        finally:
            await m.call(client.close())
        assert result.choices[0].message.content

    mode.run(body)
    assert len(pipelines) == 1
    assert emu.requests[-1].headers["Authorization"] == "Bearer " + DEFAULT_KEY
