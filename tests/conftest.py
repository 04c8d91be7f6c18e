"""Shared fixtures: one local endpoint emulator for the whole session, reset before each test."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, Iterator

import pytest
from azure.core.credentials import AzureKeyCredential

import azure.ai.inference as sync_api
import azure.ai.inference.aio as async_api
from inference_emulator import DEFAULT_KEY, Emulator


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--run-load", action="store_true", help="also run the load tests (time and memory thresholds)")
    parser.addoption("--run-extras", action="store_true", help="also install each extra alone in a fresh venv (slow)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "load: a load test with time or memory thresholds; runs with --run-load")
    config.addinivalue_line("markers", "extras: installs an extra in a fresh venv from PyPI; runs with --run-extras")
    config.addinivalue_line(
        "markers", "distributed: needs a local Dask cluster; runs with AZURE_AI_INFERENCE_DISTRIBUTED_TESTS=1"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.getoption("--run-extras"):
        skip_extras = pytest.mark.skip(reason="installs packages from PyPI in fresh venvs: run it with --run-extras")
        for item in items:
            if "extras" in item.keywords:
                item.add_marker(skip_extras)
    if config.getoption("--run-load"):
        return
    skip = pytest.mark.skip(reason="a load test with time and memory thresholds: run it with --run-load")
    for item in items:
        if "load" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def emulator_session() -> Iterator[Emulator]:
    with Emulator() as emu:
        yield emu


@pytest.fixture
def emu(emulator_session: Emulator) -> Iterator[Emulator]:
    emulator_session.clear()
    emulator_session.reset_faults()
    yield emulator_session


class Mode:
    """Runs one test body against the sync or the async clients, so both are tested by the same assertions."""

    def __init__(self, is_async: bool) -> None:
        self.is_async = is_async
        self.api: Any = async_api if is_async else sync_api

    def __repr__(self) -> str:
        return "async" if self.is_async else "sync"

    @asynccontextmanager
    async def client(self, name: str, endpoint: str, key: str = DEFAULT_KEY, **kwargs: Any) -> AsyncIterator[Any]:
        client = getattr(self.api, name)(endpoint, AzureKeyCredential(key), **kwargs)
        try:
            yield client
        finally:
            await self.call(client.close())

    async def call(self, value: Any) -> Any:
        return await value if inspect.isawaitable(value) else value

    async def collect(self, stream: Any) -> list[Any]:
        if self.is_async:
            return [update async for update in stream]
        return list(stream)

    async def raises(self, exc_type: Any, value: Any) -> Any:
        with pytest.raises(exc_type) as info:
            await self.call(value() if callable(value) else value)
        return info.value

    def run(self, body: Callable[["Mode"], Awaitable[None]]) -> None:
        asyncio.run(body(self))


@pytest.fixture(params=[False, True], ids=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> Mode:
    return Mode(request.param)


@pytest.fixture
def key() -> AzureKeyCredential:
    return AzureKeyCredential(DEFAULT_KEY)
