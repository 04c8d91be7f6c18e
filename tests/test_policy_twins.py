"""Our `UserAgentPolicy` and `DistributedTracingPolicy` give what azure-core's give, for less work: the same headers,
the same spans, and azure-core's tracing settings read once per call while tracing is off."""

from __future__ import annotations

import os
from typing import Any

import pytest
from azure.core.pipeline import PipelineContext, PipelineRequest
from azure.core.pipeline.policies import DistributedTracingPolicy as CoreTracingPolicy
from azure.core.pipeline.policies import UserAgentPolicy as CoreUserAgentPolicy
from azure.core.rest import HttpRequest
from azure.core.settings import settings

from azure.ai.inference._policies import TRACING_FOUND_OFF, DistributedTracingPolicy, UserAgentPolicy

# (constructor keywords, per-call options, headers already on the request, AZURE_HTTP_USER_AGENT)
CASES = [
    ({}, {}, {}, None),
    ({"user_agent": "MyApp/2"}, {}, {}, None),
    ({}, {}, {"User-Agent": "mine/1"}, None),
    ({}, {}, {"user-agent": "mine/1"}, None),
    ({"user_agent_overwrite": True}, {}, {"User-Agent": "mine/1"}, None),
    ({}, {"user_agent": "call/3"}, {}, None),
    ({}, {"user_agent": "call/3", "user_agent_overwrite": True}, {"User-Agent": "mine/1"}, None),
    ({}, {}, {}, "from-env/4"),
    ({"user_agent_use_env": False}, {}, {}, "from-env/4"),
    ({"user_agent": "MyApp/2"}, {}, {"User-Agent": "mine/1"}, "from-env/4"),
]


def _request(headers: dict[str, str], options: dict[str, Any]) -> PipelineRequest[Any]:
    return PipelineRequest(HttpRequest("POST", "http://127.0.0.1/", headers=headers), PipelineContext(None, **options))


@pytest.mark.parametrize("kwargs, options, headers, env", CASES)
def test_user_agent_policy_sets_what_azure_cores_sets(kwargs, options, headers, env, monkeypatch):
    if env is None:
        monkeypatch.delenv("AZURE_HTTP_USER_AGENT", raising=False)
    else:
        monkeypatch.setenv("AZURE_HTTP_USER_AGENT", env)
    ours, theirs = _request(headers, dict(options)), _request(headers, dict(options))
    UserAgentPolicy(base_user_agent="azsdk-python-test/1", **kwargs).on_request(ours)
    CoreUserAgentPolicy(base_user_agent="azsdk-python-test/1", **kwargs).on_request(theirs)
    assert dict(ours.http_request.headers.items()) == dict(theirs.http_request.headers.items())
    assert ours.context.options == theirs.context.options  # the per-call options are used up alike
    assert ours.http_request.headers.get("User-Agent")


class _Counted:
    """A tracing setting that counts its reads and says off."""

    def __init__(self) -> None:
        self.reads = 0

    def __call__(self, *args: Any) -> Any:
        self.reads += 1
        return False


def test_tracing_policy_reads_no_settings_when_told_tracing_is_off(monkeypatch):
    setting = _Counted()
    monkeypatch.setattr(type(settings), "tracing_enabled", setting)  # the class holds the setting
    told = _request({}, {})
    told.context[TRACING_FOUND_OFF] = True
    DistributedTracingPolicy().on_request(told)
    assert setting.reads == 0 and CoreTracingPolicy.TRACING_CONTEXT not in told.context
    untold = _request({}, {})
    DistributedTracingPolicy().on_request(untold)
    assert setting.reads == 1
    own_options = _request({}, {"tracing_options": {"enabled": False}})  # a call's own: azure-core's policy decides
    own_options.context[TRACING_FOUND_OFF] = True
    DistributedTracingPolicy().on_request(own_options)
    assert setting.reads == 2 and "tracing_options" not in own_options.context.options


def test_tracing_policy_without_the_mark_does_what_azure_cores_does():
    assert settings.tracing_implementation() is None and not settings.tracing_enabled()
    ours, theirs = _request({}, {"tracing_options": {"enabled": False}}), _request({}, {"tracing_options": {}})
    for policy, request in ((DistributedTracingPolicy(), ours), (CoreTracingPolicy(), theirs)):
        policy.on_request(request)
        assert "tracing_options" not in request.context.options  # used up, as azure-core uses it
        assert CoreTracingPolicy.TRACING_CONTEXT not in request.context


SETTINGS_CASES = [
    ({}, {}),
    ({"AZURE_TRACING_ENABLED": "true"}, {}),
    ({"AZURE_TRACING_ENABLED": "false"}, {}),
    ({"AZURE_TRACING_ENABLED": "not-a-bool"}, {}),
    ({"AZURE_SDK_TRACING_IMPLEMENTATION": "opentelemetry"}, {}),
    ({"AZURE_SDK_TRACING_IMPLEMENTATION": "no-such-plugin"}, {}),
    ({}, {"tracing_enabled": True}),
    ({}, {"tracing_enabled": False}),
    ({}, {"tracing_implementation": "opentelemetry"}),
    ({"AZURE_TRACING_ENABLED": "false"}, {"tracing_implementation": "opentelemetry"}),
]


@pytest.mark.parametrize("environment, values", SETTINGS_CASES)
def test_tracing_is_told_off_only_when_azure_core_says_off(environment, values, monkeypatch):
    from azure.ai.inference._transport._azure_core import tracing_surely_off  # pylint: disable=import-outside-toplevel

    for name in ("AZURE_TRACING_ENABLED", "AZURE_SDK_TRACING_IMPLEMENTATION"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    saved = {name: getattr(settings, name)._user_value for name in values}  # pylint: disable=protected-access
    try:
        for name, value in values.items():
            setattr(settings, name, value)
        surely_off = tracing_surely_off()
        assert surely_off == (not environment and not values)  # told off only with nothing given anywhere
        if surely_off:
            assert settings.tracing_enabled() is False
    finally:
        for name, value in saved.items():
            getattr(settings, name)._user_value = value  # pylint: disable=protected-access


def test_environment_has_is_in_os_environ(monkeypatch):
    from azure.ai.inference._transport._azure_core import environment_has  # pylint: disable=import-outside-toplevel

    name = "AZURE_AI_INFERENCE_TEST_VARIABLE"
    monkeypatch.delenv(name, raising=False)
    assert environment_has(name) is False and (name in os.environ) is False
    monkeypatch.setenv(name, "")
    assert environment_has(name) is True and (name in os.environ) is True
    monkeypatch.delenv(name)
    assert environment_has(name) is False
