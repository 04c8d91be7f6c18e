"""Grouped sans-IO policies call every hook as azure-core's own one-layer-per-policy runners do."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any, Optional

import pytest
from azure.core.pipeline import AsyncPipeline, Pipeline, PipelineResponse
from azure.core.pipeline.policies import AsyncHTTPPolicy, HTTPPolicy, SansIOHTTPPolicy
from azure.core.pipeline.transport import AsyncHttpTransport, HttpTransport
from azure.core.rest import HttpRequest

from azure.ai.inference._policies import AsyncSansIOPolicyGroup, SansIOPolicyGroup, grouped


class Boom(Exception):
    pass


class Recorder(SansIOHTTPPolicy[Any, Any]):
    """Records its hooks in a shared log; raises in the hook named by `fail`."""

    def __init__(self, name: str, log: list[str], fail: Optional[str] = None, is_async: bool = False) -> None:
        self.name, self.log, self.fail, self.is_async = name, log, fail, is_async

    def _hook(self, hook: str) -> Any:
        self.log.append(f"{self.name}.{hook}")
        if self.fail == hook:
            raise Boom(f"{self.name}.{hook}")
        if self.is_async:

            async def done() -> None:
                self.log.append(f"{self.name}.{hook}.awaited")

            return done()
        return None

    def on_request(self, request: Any) -> Any:
        return self._hook("on_request")

    def on_response(self, request: Any, response: Any) -> Any:
        return self._hook("on_response")

    def on_exception(self, request: Any) -> Any:
        return self._hook("on_exception")


class Passthrough(HTTPPolicy[Any, Any]):
    def send(self, request: Any) -> Any:
        return self.next.send(request)


class AsyncPassthrough(AsyncHTTPPolicy[Any, Any]):
    async def send(self, request: Any) -> Any:
        return await self.next.send(request)


class FakeTransport(HttpTransport[Any, Any]):
    def __init__(self, fail: bool) -> None:
        self.fail = fail

    def send(self, request: Any, **kwargs: Any) -> Any:
        if self.fail:
            raise Boom("transport")
        return "response"

    def open(self) -> None:
        pass

    def close(self) -> None:
        pass

    def __enter__(self) -> "FakeTransport":
        return self

    def __exit__(self, *args: Any) -> None:
        pass


class AsyncFakeTransport(AsyncHttpTransport[Any, Any]):
    def __init__(self, fail: bool) -> None:
        self.fail = fail

    async def send(self, request: Any, **kwargs: Any) -> Any:
        if self.fail:
            raise Boom("transport")
        return "response"

    async def open(self) -> None:
        pass

    async def close(self) -> None:
        pass

    async def __aenter__(self) -> "AsyncFakeTransport":
        return self

    async def __aexit__(self, *args: Any) -> None:
        pass


# Which policy fails in which hook; "transport" makes the transport raise.
SCENARIOS = [
    None,
    "transport",
    ("b", "on_request"),
    ("a", "on_request"),
    ("c", "on_response"),
    ("a", "on_response"),
    ("d", "on_request"),
    ("e", "on_response"),
]


def _policies(log: list[str], scenario: Any, is_async: bool) -> list[Any]:
    failing = scenario if isinstance(scenario, tuple) else (None, None)
    names = ["a", "b", "c", "middle", "d", "e"]
    result: list[Any] = []
    for name in names:
        if name == "middle":
            result.append(AsyncPassthrough() if is_async else Passthrough())
        else:
            result.append(Recorder(name, log, failing[1] if failing[0] == name else None, is_async and name == "b"))
    return result


def _run_sync(scenario: Any, group: bool) -> tuple[list[str], Optional[str]]:
    log: list[str] = []
    policies = _policies(log, scenario, False)
    if group:
        policies = grouped(policies, SansIOPolicyGroup)
        assert any(isinstance(p, SansIOPolicyGroup) for p in policies)
    pipeline = Pipeline(FakeTransport(scenario == "transport"), policies)
    try:
        pipeline.run(HttpRequest("GET", "http://127.0.0.1/"))
        return log, None
    except Boom as exc:
        return log, str(exc)


def _run_async(scenario: Any, group: bool) -> tuple[list[str], Optional[str]]:
    log: list[str] = []
    policies = _policies(log, scenario, True)
    if group:
        policies = grouped(policies, AsyncSansIOPolicyGroup)
        assert any(isinstance(p, AsyncSansIOPolicyGroup) for p in policies)

    async def run() -> Optional[str]:
        pipeline = AsyncPipeline(AsyncFakeTransport(scenario == "transport"), policies)
        try:
            await pipeline.run(HttpRequest("GET", "http://127.0.0.1/"))
            return None
        except Boom as exc:
            return str(exc)

    return log, asyncio.run(run())


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[str(s) for s in SCENARIOS])
def test_sync_group_matches_azure_core(scenario):
    expected = _run_sync(scenario, group=False)
    assert _run_sync(scenario, group=True) == expected
    assert expected[0]  # the hooks ran


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[str(s) for s in SCENARIOS])
def test_async_group_matches_azure_core(scenario):
    expected = _run_async(scenario, group=False)
    assert _run_async(scenario, group=True) == expected
    if scenario not in (("a", "on_request"), ("b", "on_request")):  # b's awaitable hooks ran
        assert any(entry.endswith(".awaited") for entry in expected[0])


def test_grouping_keeps_order_and_single_policies():
    log: list[str] = []
    a, b, c = Recorder("a", log), Recorder("b", log), Recorder("c", log)
    middle = Passthrough()
    layers = grouped([a, b, None, middle, c], SansIOPolicyGroup)
    assert isinstance(layers[0], SansIOPolicyGroup) and layers[0]._policies == [a, b]
    assert layers[1:] == [middle, c]


class RequestOnly(SansIOHTTPPolicy[Any, Any]):
    """A policy with hooks for requests and errors only: its `on_response` is `SansIOHTTPPolicy`'s, which the
    groups skip."""

    def __init__(self, name: str, log: list[str]) -> None:
        self.name, self.log = name, log

    def on_request(self, request: Any) -> None:
        self.log.append(f"{self.name}.on_request")

    def on_exception(self, request: Any) -> None:
        self.log.append(f"{self.name}.on_exception")


def _mixed(log: list[str], failing: Optional[str]) -> list[Any]:
    patched = RequestOnly("patched", log)
    patched.on_response = lambda request, response: log.append("patched.on_response")  # type: ignore[method-assign]
    return [
        Recorder("outer", log),
        RequestOnly("quiet", log),
        patched,  # an `on_response` set on the instance counts too
        Recorder("inner", log, "on_response" if failing == "inner" else None),
        RequestOnly("innermost", log),
    ]


@pytest.mark.parametrize("failing", [None, "inner"])
def test_groups_skip_only_the_on_response_hooks_that_do_nothing(failing):
    def run_sync(group: bool) -> list[str]:
        log: list[str] = []
        policies = _mixed(log, failing)
        layers = grouped(policies, SansIOPolicyGroup) if group else policies
        with pytest.raises(Boom) if failing else contextlib.nullcontext():
            Pipeline(FakeTransport(False), layers).run(HttpRequest("GET", "http://127.0.0.1/"))
        return log

    def run_async(group: bool) -> list[str]:
        log: list[str] = []
        policies = _mixed(log, failing)
        layers = grouped(policies, AsyncSansIOPolicyGroup) if group else policies

        async def go() -> None:
            await AsyncPipeline(AsyncFakeTransport(False), layers).run(HttpRequest("GET", "http://127.0.0.1/"))

        with pytest.raises(Boom) if failing else contextlib.nullcontext():
            asyncio.run(go())
        return log

    expected = run_sync(group=False)
    assert "patched.on_response" in expected or failing
    assert ("quiet.on_exception" in expected) == bool(failing)
    assert run_sync(group=True) == expected
    assert run_async(group=True) == run_async(group=False) == expected
