"""What `_transport._azure_core` does with azure-core's private members gives what azure-core's public code gives:
a request copied with a body equals the one `HttpRequest(...)` makes, and running a pipeline without its multipart
preparation calls the same policies, with the same context, as `Pipeline.run` (which still runs any other
request)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from azure.core.pipeline import AsyncPipeline, Pipeline
from azure.core.pipeline.policies import SansIOHTTPPolicy
from azure.core.pipeline.transport import AsyncHttpTransport, HttpTransport
from azure.core.pipeline.transport import HttpRequest as LegacyHttpRequest
from azure.core.rest import HttpRequest

from azure.ai.inference._transport._azure_core import request_with_body, run_pipeline, run_pipeline_async

TEMPLATES = [
    pytest.param(("POST", "http://127.0.0.1:1/v1/chat/completions", {}), id="no-headers"),
    pytest.param(
        (
            "POST",
            "https://example.invalid/chat/completions?api-version=2024-05-01-preview",
            {"Content-Type": "application/json", "Accept": "application/json", "extra-parameters": "pass-through"},
        ),
        id="headers-and-query",
    ),
    pytest.param(("GET", "http://127.0.0.1:1/info", {"Accept": "text/event-stream"}), id="get"),
]


@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize("content", [b'{"messages": []}', b""], ids=["body", "empty-body"])
def test_a_request_copied_with_a_body_is_the_one_azure_core_makes(template: Any, content: bytes) -> None:
    method, url, headers = template
    base = HttpRequest(method, url, headers=headers)
    made = request_with_body(base, content)
    expected = HttpRequest(method, url, headers=base.headers, content=content)
    assert type(made) is HttpRequest
    assert made.__dict__.keys() == expected.__dict__.keys()
    assert (made.method, made.url, made.content, made.data, made.files) == (
        expected.method,
        expected.url,
        expected.content,
        expected.data,
        expected.files,
    )
    assert list(made.headers.items()) == list(expected.headers.items())  # names, case and order
    assert made.headers.get("content-length") == expected.headers.get("content-length")
    made.headers["x-added"] = "1"  # the copy's headers are its own
    assert "x-added" not in base.headers and "content-length" not in base.headers


def test_a_template_that_has_a_body_or_is_not_a_rest_request_goes_through_the_constructor() -> None:
    with_body = HttpRequest("POST", "http://127.0.0.1:1/x", content=b"old")
    made = request_with_body(with_body, b"new")
    assert made.content == b"new" and made.headers["Content-Length"] == "3"


class Recorder(SansIOHTTPPolicy[Any, Any]):
    def __init__(self, log: list[Any]) -> None:
        self.log = log

    def on_request(self, request: Any) -> None:
        self.log.append(("on_request", request.http_request, dict(request.context.options)))

    def on_response(self, request: Any, response: Any) -> None:
        self.log.append(("on_response", response.http_response))


class Transport(HttpTransport[Any, Any]):
    def __init__(self, log: list[Any]) -> None:
        self.log = log

    def send(self, request: Any, **kwargs: Any) -> Any:
        self.log.append(("send", request, kwargs))
        return "answer"

    def open(self) -> None:
        pass

    def close(self) -> None:
        pass

    def __enter__(self) -> "Transport":
        return self

    def __exit__(self, *args: Any) -> None:
        pass


class AsyncTransport(AsyncHttpTransport[Any, Any]):
    def __init__(self, log: list[Any]) -> None:
        self.log = log

    async def send(self, request: Any, **kwargs: Any) -> Any:
        self.log.append(("send", request, kwargs))
        return "answer"

    async def open(self) -> None:
        pass

    async def close(self) -> None:
        pass

    async def __aenter__(self) -> "AsyncTransport":
        return self

    async def __aexit__(self, *args: Any) -> None:
        pass


class CountingPipeline(Pipeline[Any, Any]):
    runs = 0

    def run(self, request: Any, **kwargs: Any) -> Any:
        self.runs += 1
        return super().run(request, **kwargs)


class AsyncCountingPipeline(AsyncPipeline[Any, Any]):
    runs = 0

    async def run(self, request: Any, **kwargs: Any) -> Any:
        self.runs += 1
        return await super().run(request, **kwargs)


def _both(is_async: bool, policies: int, request: Any, **options: Any) -> tuple[Any, Any, int]:
    """(what run_pipeline did, what Pipeline.run did, how often run_pipeline went to Pipeline.run)."""
    logs: list[list[Any]] = [[], []]
    pipelines: list[Any] = []
    for log in logs:
        if is_async:
            pipelines.append(AsyncCountingPipeline(AsyncTransport(log), [Recorder(log) for _ in range(policies)]))
        else:
            pipelines.append(CountingPipeline(Transport(log), [Recorder(log) for _ in range(policies)]))
    if is_async:
        ours = asyncio.run(run_pipeline_async(pipelines[0], request, **options))
        theirs = asyncio.run(pipelines[1].run(request, **options))
    else:
        ours = run_pipeline(pipelines[0], request, **options)
        theirs = pipelines[1].run(request, **options)
    assert ours.http_response == theirs.http_response == "answer"
    assert ours.context.options == theirs.context.options
    return logs[0], logs[1], pipelines[0].runs


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("policies", [0, 1, 3])
def test_running_a_plain_request_calls_what_pipeline_run_calls(is_async: bool, policies: int) -> None:
    request = HttpRequest("POST", "http://127.0.0.1:1/v1/chat/completions", content=b"{}")
    ours, theirs, runs = _both(is_async, policies, request, stream=False, logging_enable=True)
    assert ours == theirs
    assert len(ours) == 2 * policies + 1 and ours[policies][0] == "send"
    assert ours[policies][2] == {"stream": False, "logging_enable": True}
    assert runs == (1 if policies == 0 else 0)  # an empty policy list: azure-core's run, which sends directly


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
def test_a_multipart_or_legacy_request_goes_to_pipeline_run(is_async: bool) -> None:
    multipart = HttpRequest("POST", "http://127.0.0.1:1/batch")
    multipart.set_multipart_mixed(HttpRequest("GET", "http://127.0.0.1:1/a"))  # type: ignore[attr-defined]
    legacy = LegacyHttpRequest("POST", "http://127.0.0.1:1/v1/chat/completions")
    for request in (multipart, legacy):
        ours, theirs, runs = _both(is_async, 2, request)
        assert runs == 1
        assert [entry[0] for entry in ours] == [entry[0] for entry in theirs]


@pytest.mark.parametrize(
    "request_",
    [
        pytest.param(HttpRequest("POST", "http://127.0.0.1:1/x", content=b"{}"), id="bytes"),
        pytest.param(HttpRequest("GET", "http://127.0.0.1:1/x"), id="no-body"),
        pytest.param(HttpRequest("POST", "http://127.0.0.1:1/x", content=iter([b"a"])), id="iterable"),
        pytest.param(HttpRequest("POST", "http://127.0.0.1:1/x", files={"f": ("f.txt", b"a")}), id="files"),
        pytest.param(LegacyHttpRequest("POST", "http://127.0.0.1:1/x"), id="legacy"),
    ],
)
def test_the_retry_policies_remember_the_body_positions_azure_core_would(request_: Any) -> None:
    import io  # pylint: disable=import-outside-toplevel

    from azure.core.pipeline import PipelineContext, PipelineRequest  # pylint: disable=import-outside-toplevel
    from azure.core.pipeline.policies import RetryPolicy as CoreRetryPolicy  # pylint: disable=import-outside-toplevel

    from azure.ai.inference._policies import AsyncRetryPolicy, RetryPolicy  # pylint: disable=import-outside-toplevel

    if getattr(request_, "files", None):
        request_.files["f"] = ("f.txt", io.BytesIO(b"abc"))  # a stream whose position is remembered
        request_.files["f"][1].read(1)
    pipeline_request = PipelineRequest(request_, PipelineContext(None))
    expected: dict[str, Any] = {}
    CoreRetryPolicy()._configure_positions(pipeline_request, expected)  # pylint: disable=protected-access
    for policy in (RetryPolicy(), AsyncRetryPolicy()):
        found: dict[str, Any] = {}
        policy._configure_positions(pipeline_request, found)  # pylint: disable=protected-access
        assert found == expected


def test_the_default_user_agent_is_the_one_azure_core_makes(monkeypatch: pytest.MonkeyPatch) -> None:
    """The clients give azure-core's `UserAgentPolicy` its base user agent, made as azure-core makes it (the same
    text as `platform.platform()` wherever `uname -p` answers what Linux systems answer), with the caller's
    application id and the environment's addition still applied by the policy."""
    import platform  # pylint: disable=import-outside-toplevel

    from azure.core.credentials import AzureKeyCredential  # pylint: disable=import-outside-toplevel
    from azure.core.pipeline.policies import UserAgentPolicy  # pylint: disable=import-outside-toplevel

    from azure.ai.inference import ChatCompletionsClient  # pylint: disable=import-outside-toplevel
    from azure.ai.inference._pipeline import platform_text  # pylint: disable=import-outside-toplevel
    from azure.ai.inference._version import VERSION  # pylint: disable=import-outside-toplevel

    monkeypatch.setenv("AZURE_HTTP_USER_AGENT", "from-env/1")
    moniker = f"ai-inference/{VERSION}"
    if platform.uname().processor in ("", platform.machine()):
        assert platform_text() == platform.platform()
        expected = UserAgentPolicy(sdk_moniker=moniker, user_agent="MyApp").user_agent  # azure-core's own default
    else:  # an unusual `uname -p`: the platform text leaves that processor name out
        base = f"azsdk-python-{moniker} Python/{platform.python_version()} ({platform_text()})"
        expected = UserAgentPolicy(base_user_agent=base, user_agent="MyApp").user_agent
    assert expected.startswith(f"MyApp azsdk-python-{moniker} ") and expected.endswith(" from-env/1")
    with ChatCompletionsClient("http://127.0.0.1:1", AzureKeyCredential("k"), user_agent="MyApp") as client:
        assert client._config.user_agent_policy.user_agent == expected  # pylint: disable=protected-access
