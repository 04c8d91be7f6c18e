"""Every endpoint shape, sync and async: the request line, headers and body of chat, streaming, embeddings and
images, against the emulator's matching shape (serverless 2024-04, the 2024-05 routes under Foundry `/models`,
an Azure OpenAI deployment, the Azure OpenAI v1 API, GitHub Models, an OpenAI-compatible server)."""

from __future__ import annotations

import json
import time
from typing import Any, Iterator, NamedTuple, Optional

import pytest
from azure.core.credentials import AccessToken, AzureKeyCredential
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError

from azure.ai.inference._core.endpoints import DEFAULT_API_VERSION, endpoint_shape
from azure.ai.inference.models import UserMessage
from inference_emulator import DEFAULT_KEY, Emulator

pytestmark = pytest.mark.timeout(60)

HELLO = [UserMessage("hello there")]
REPLY = "Emulated reply to: hello there"


@pytest.fixture(scope="module")
def compatible() -> Iterator[Emulator]:
    """An emulator in OpenAI-compatible mode: `/v1/...` without any api-version, as llama.cpp serves it."""
    with Emulator(openai_compatible=True) as emu:
        yield emu


@pytest.fixture
def compat(compatible: Emulator) -> Emulator:
    compatible.clear()
    return compatible


class Shape(NamedTuple):
    name: str
    suffix: str  # appended to the emulator's URL
    kwargs: dict[str, Any]  # constructor keywords
    prefix: str  # the path the routes hang under
    chat: str
    embeddings: str
    images: Optional[str]  # None: the shape serves no image generation
    query: dict[str, str]
    compatible: bool = False  # served by the emulator's OpenAI-compatible mode


SHAPES = [
    Shape(
        "serverless-2024-04",
        "",
        {},
        "",
        "/v1/chat/completions",
        "/v1/embeddings",
        "/images/generations",
        {"api-version": "2024-04-01-preview"},
    ),
    Shape(
        "models-2024-05",
        "/models",
        {"api_version": "2024-05-01-preview"},
        "/models",
        "/chat/completions",
        "/embeddings",
        None,
        {"api-version": "2024-05-01-preview"},
    ),
    Shape(
        "azure-openai-deployment",
        "/openai/deployments/gpt-4o/",
        {"api_version": "2024-10-21"},
        "/openai/deployments/gpt-4o",
        "/chat/completions",
        "/embeddings",
        "/images/generations",
        {"api-version": "2024-10-21"},
    ),
    Shape(
        "azure-openai-v1",
        "/openai/v1/",
        {"model": "gpt-4o"},
        "/openai/v1",
        "/chat/completions",
        "/embeddings",
        "/images/generations",
        {},
    ),
    Shape(
        "github-models",
        "/inference",
        {"model": "openai/gpt-4.1"},
        "/inference",
        "/chat/completions",
        "/embeddings",
        None,
        {},
    ),
    Shape(
        "openai-compatible",
        "",
        {"api_version": None},
        "",
        "/v1/chat/completions",
        "/v1/embeddings",
        "/v1/images/generations",
        {},
        compatible=True,
    ),
    Shape(
        "openai-compatible-v1-base-url",
        "/v1",
        {},
        "/v1",
        "/chat/completions",
        "/embeddings",
        "/images/generations",
        {"api-version": "2024-04-01-preview"},
        compatible=True,
    ),
]


def _check_headers(sent: Any, accept: str) -> None:
    assert sent.headers["Authorization"] == f"Bearer {DEFAULT_KEY}"
    assert sent.headers["api-key"] == DEFAULT_KEY
    assert sent.headers["Accept"] == accept
    assert sent.headers["Content-Type"] == "application/json"
    assert "extra-parameters" not in sent.headers


@pytest.mark.parametrize("shape", SHAPES, ids=[s.name for s in SHAPES])
def test_each_shape_serves_every_operation(emu, compat, mode, shape):
    server = compat if shape.compatible else emu
    endpoint = server.url + shape.suffix
    model = shape.kwargs.get("model")
    expected_model = {"model": model} if model else {}

    async def body(m):
        kwargs = dict(shape.kwargs)
        async with m.client("ChatCompletionsClient", endpoint, **kwargs) as chat:
            result = await m.call(chat.create(messages=HELLO, temperature=0.5))
            sent = server.requests[-1]
            assert (sent.method, sent.path, sent.query) == ("POST", shape.prefix + shape.chat, shape.query)
            _check_headers(sent, "application/json")
            assert json.loads(sent.body) == {
                "messages": [{"role": "user", "content": "hello there"}],
                "temperature": 0.5,
                **expected_model,
            }
            assert result.choices[0].message.content == REPLY

            stream = await m.call(chat.create_streaming(messages=HELLO))
            text = "".join(u.choices[0].delta.content for u in await m.collect(stream))
            sent = server.requests[-1]
            assert (sent.method, sent.path, sent.query) == ("POST", shape.prefix + shape.chat, shape.query)
            _check_headers(sent, "text/event-stream")
            assert json.loads(sent.body) == {
                "messages": [{"role": "user", "content": "hello there"}],
                **expected_model,
                "stream": True,
            }
            assert text == REPLY

        async with m.client("EmbeddingsClient", endpoint, **kwargs) as embeddings:
            vectors = await m.call(embeddings.create(input="one text", dimensions=8))
            sent = server.requests[-1]
            assert (sent.method, sent.path, sent.query) == ("POST", shape.prefix + shape.embeddings, shape.query)
            _check_headers(sent, "application/json")
            assert json.loads(sent.body) == {"input": ["one text"], "dimensions": 8, **expected_model}
            assert len(vectors.data) == 1 and len(vectors.data[0].embedding) == 8

        async with m.client("ImageGenerationClient", endpoint, **kwargs) as images:
            if shape.images is None:
                before = len(server.requests)
                error = await m.raises(ValueError, lambda: images.create(prompt="a red square", size="8x8"))
                assert "not available" in str(error) and len(server.requests) == before
                return
            generated = await m.call(images.create(prompt="a red square", size="8x8", response_format="b64_json"))
            sent = server.requests[-1]
            assert (sent.method, sent.path, sent.query) == ("POST", shape.prefix + shape.images, shape.query)
            _check_headers(sent, "application/json")
            assert json.loads(sent.body) == {
                "prompt": "a red square",
                "size": "8x8",
                "response_format": "b64_json",
                **expected_model,
            }
            assert generated.data[0].b64_json

    mode.run(body)


@pytest.mark.parametrize(
    "endpoint,api_version,name,sent",
    [
        ("https://r.openai.azure.com/openai/v1", DEFAULT_API_VERSION, "azure-openai-v1", None),
        ("https://r.services.ai.azure.com/openai/v1", "preview", "azure-openai-v1", "preview"),
        ("https://r.openai.azure.com/openai/deployments/d", "2024-10-21", "azure-openai", "2024-10-21"),
        ("https://models.github.ai/inference", DEFAULT_API_VERSION, "github-models", None),
        ("https://models.github.ai/orgs/acme/inference", "2024-05-01-preview", "github-models", "2024-05-01-preview"),
        ("http://127.0.0.1:8080", None, "openai-compatible", None),
        ("http://127.0.0.1:8080/v1", DEFAULT_API_VERSION, "openai-compatible", "2024-04-01-preview"),
        ("https://d.eastus.inference.ai.azure.com", DEFAULT_API_VERSION, "serverless", "2024-04-01-preview"),
        ("https://r.services.ai.azure.com/models", "2024-05-01-preview", "models", "2024-05-01-preview"),
    ],
)
def test_endpoint_shape_table(endpoint, api_version, name, sent):
    shape = endpoint_shape(endpoint, api_version)
    assert (shape.name, shape.api_version) == (name, sent)


def test_the_default_api_version_given_on_purpose_is_sent_to_the_v1_api(emu, mode):
    async def body(m):
        async with m.client(
            "ChatCompletionsClient", emu.url + "/openai/v1", api_version="2024-04-01-preview", model="gpt-4o"
        ) as client:
            error = await m.raises(HttpResponseError, lambda: client.create(messages=HELLO))
        assert emu.requests[-1].query == {"api-version": "2024-04-01-preview"}
        assert error.status_code == 400 and "v1 API takes no dated api-version" in str(error)

    mode.run(body)


def test_v1_preview_api_version_is_sent(emu, mode):
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url + "/openai/v1", api_version="preview") as client:
            await m.call(client.create(messages=HELLO, model="gpt-4o"))
        assert emu.requests[-1].query == {"api-version": "preview"}
        assert repr(client).endswith("api_version='preview')")

    mode.run(body)


@pytest.mark.parametrize("suffix", ["/openai/v1", "/inference"])
def test_model_is_required_before_any_request(emu, mode, suffix):
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url + suffix) as chat:
            error = await m.raises(TypeError, lambda: chat.create(messages=HELLO))
            assert "'model'" in str(error)
            error = await m.raises(TypeError, lambda: chat.create_streaming(messages=HELLO))
            assert "'model'" in str(error)
            error = await m.raises(TypeError, lambda: chat.create({"messages": [{"role": "user", "content": "x"}]}))
            assert "'model'" in str(error)
        async with m.client("EmbeddingsClient", emu.url + suffix) as embeddings:
            error = await m.raises(TypeError, lambda: embeddings.create(input=["x"]))
            assert "'model'" in str(error)
        assert emu.requests == []

    mode.run(body)


def test_v1_model_info_is_refused_without_a_request(emu, mode):
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url + "/openai/v1", model="gpt-4o") as client:
            error = await m.raises(ResourceNotFoundError, lambda: client.get_model_info())
        assert "Azure OpenAI v1 endpoints do not serve /info" in str(error)
        assert emu.requests == []

    mode.run(body)


def test_v1_404_hints_at_the_deployment_name(mode):
    with Emulator(deployments=["gpt-4o"]) as emu:

        async def body(m):
            async with m.client("ChatCompletionsClient", emu.url + "/openai/v1") as client:
                result = await m.call(client.create(messages=HELLO, model="gpt-4o"))
                error = await m.raises(ResourceNotFoundError, lambda: client.create(messages=HELLO, model="gpt-4"))
            assert result.model == "gpt-4o"
            assert error.status_code == 404 and error.error.code == "DeploymentNotFound"
            assert "model= names a deployment" in str(error)

        mode.run(body)


def test_github_models_reads_the_bearer_token_only(emu, mode):
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url + "/inference", key="wrong") as client:
            error = await m.raises(HttpResponseError, lambda: client.create(messages=HELLO, model="openai/gpt-4.1"))
        assert error.status_code == 401
        async with m.client("ChatCompletionsClient", emu.url + "/inference", model="gpt-4.1") as client:
            error = await m.raises(HttpResponseError, lambda: client.create(messages=HELLO))
        assert error.status_code == 400 and "Unknown model: gpt-4.1" in str(error)

    mode.run(body)


class ScopeCredential:
    """A token credential that records the scopes asked for."""

    def __init__(self, is_async: bool) -> None:
        self.scopes: list[tuple[str, ...]] = []
        self.is_async = is_async

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        self.scopes.append(scopes)
        token = AccessToken("emulator-token-v1", int(time.time()) + 3600)
        if self.is_async:

            async def later() -> AccessToken:
                return token

            return later()
        return token

    async def close(self) -> None:
        pass


@pytest.mark.parametrize(
    "suffix,scopes,expected",
    [
        ("/openai/v1", None, ("https://ai.azure.com/.default",)),
        (
            "/openai/v1",
            ["https://cognitiveservices.azure.com/.default"],
            ("https://cognitiveservices.azure.com/.default",),
        ),
        ("/openai/deployments/gpt-4o", None, ("https://cognitiveservices.azure.com/.default",)),
        ("", None, ("https://ml.azure.com/.default",)),
    ],
)
def test_token_scope_per_shape(emu, mode, suffix, scopes, expected):
    async def body(m):
        credential = ScopeCredential(m.is_async)
        kwargs: dict[str, Any] = {"enforce_https": False, "model": "gpt-4o"}
        if "deployments" in suffix:
            kwargs["api_version"] = "2024-10-21"
        if scopes:
            kwargs["credential_scopes"] = scopes
        client = m.api.ChatCompletionsClient(emu.url + suffix, credential, **kwargs)
        try:
            await m.call(client.create(messages=HELLO))
        finally:
            await m.call(client.close())
        assert credential.scopes[0] == expected
        assert emu.requests[-1].headers["Authorization"] == "Bearer emulator-token-v1"

    mode.run(body)


def test_api_version_none_on_the_default_shape_sends_no_query(compat, mode):
    async def body(m):
        async with m.client("ChatCompletionsClient", compat.url, api_version=None) as client:
            await m.call(client.create(messages=HELLO))
            error = await m.raises(ResourceNotFoundError, lambda: client.get_model_info())
        assert [(r.path, r.query) for r in compat.requests] == [("/v1/chat/completions", {}), ("/info", {})]
        assert "/info" in str(error)
        assert repr(client).endswith("api_version=None)")

    mode.run(body)


def test_client_without_api_version_query_is_refused_by_a_model_inference_endpoint(emu, mode):
    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url, api_version=None) as client:
            error = await m.raises(HttpResponseError, lambda: client.create(messages=HELLO))
        assert error.status_code == 400 and "MissingApiVersionParameter" in str(error)

    mode.run(body)


@pytest.mark.parametrize(
    "suffix,api_version,wire",
    [
        ("", "2024-04-01-preview", "json_object"),
        ("/openai/deployments/gpt-4o", "2024-04-01-preview", {"type": "json_object"}),
        ("/openai/deployments/gpt-4o", "2024-10-21", {"type": "json_object"}),
    ],
)
def test_response_format_string_form_only_for_model_inference_2024_04(emu, mode, suffix, api_version, wire):
    async def body(m):
        async with m.client(
            "ChatCompletionsClient", emu.url + suffix, api_version=api_version, response_format="json_object"
        ) as client:
            result = await m.call(client.create(messages=HELLO))
        assert json.loads(emu.requests[-1].body)["response_format"] == wire
        assert json.loads(result.choices[0].message.content) == {"reply": REPLY}

    mode.run(body)
