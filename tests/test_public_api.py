"""The public surface: exports, docstrings, sync/async parity, and the API docs build."""
from __future__ import annotations

import inspect
import subprocess
import sys
from pathlib import Path

import pytest

import azure.ai.inference as sync_api
import azure.ai.inference.aio as async_api
import azure.ai.inference.models as models

pytestmark = pytest.mark.timeout(120)

CLIENTS = ["ChatCompletionsClient", "EmbeddingsClient", "ImageGenerationClient"]


def _public_methods(cls: type) -> dict[str, object]:
    return {name: member for name, member in inspect.getmembers(cls) if not name.startswith("_") and callable(member)}


@pytest.mark.parametrize("module", [sync_api, async_api, models], ids=["sync", "aio", "models"])
def test_every_export_is_documented(module):
    for name in module.__all__:
        obj = getattr(module, name)
        assert obj.__doc__ and obj.__doc__.strip(), f"{module.__name__}.{name} has no docstring"


@pytest.mark.parametrize("name", CLIENTS)
def test_exported_clients_are_the_public_ones(name):
    sync_client, async_client = getattr(sync_api, name), getattr(async_api, name)
    module = {
        "ChatCompletionsClient": "_chat",
        "EmbeddingsClient": "_embeddings",
        "ImageEmbeddingsClient": "_image_embeddings",
        "ImageGenerationClient": "_images",
    }[name]
    assert sync_client.__module__ == f"azure.ai.inference.{module}"
    assert async_client.__module__ == f"azure.ai.inference.aio.{module}"
    for client in (sync_client, async_client):
        for method in ("create", "get_model_info", "close", "__enter__" if client is sync_client else "__aenter__"):
            assert hasattr(client, method)
            if not method.startswith("_"):
                assert getattr(client, method).__doc__ or method == "close"


@pytest.mark.parametrize("name", CLIENTS)
def test_sync_and_async_clients_have_the_same_signatures(name):
    sync_client, async_client = getattr(sync_api, name), getattr(async_api, name)
    for method in ["__init__"] + [m for m in ("create", "create_streaming", "get_model_info") if hasattr(sync_client, m)]:
        sync_params = inspect.signature(getattr(sync_client, method)).parameters
        async_params = inspect.signature(getattr(async_client, method)).parameters
        assert [(p.name, p.kind, p.default) for p in sync_params.values()] == [
            (p.name, p.kind, p.default) for p in async_params.values()
        ], f"{name}.{method} differs between sync and async"
        if method != "__init__":
            assert inspect.iscoroutinefunction(getattr(async_client, method))


def test_optional_arguments_are_keyword_only():
    for name in CLIENTS:
        for method in ("create", "create_streaming"):
            func = getattr(getattr(sync_api, name), method, None)
            if func is None:
                continue
            params = list(inspect.signature(func).parameters.values())[2:]  # self, body
            assert all(p.kind in (p.KEYWORD_ONLY, p.VAR_KEYWORD) for p in params)


def test_api_docs_build_and_cover_every_public_name(tmp_path: Path):
    out = tmp_path / "docs"
    subprocess.run(
        [sys.executable, "-m", "pdoc", "azure.ai.inference", "azure.ai.inference.aio", "azure.ai.inference.models", "-o", str(out)],
        check=True,
        timeout=100,
    )
    pages = {
        sync_api: (out / "azure/ai/inference.html").read_text(),
        async_api: (out / "azure/ai/inference/aio.html").read_text(),
        models: (out / "azure/ai/inference/models.html").read_text(),
    }
    for module, page in pages.items():
        for name in module.__all__:
            assert f'id="{name}"' in page, f"{module.__name__}.{name} is missing from the API docs"
    for name in CLIENTS:
        for method in _public_methods(getattr(sync_api, name)):
            if method in ("create", "create_streaming", "get_model_info", "close"):
                assert f'id="{name}.{method}"' in pages[sync_api]
