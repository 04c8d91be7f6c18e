"""Bad input fails before the network, naming the argument; values in range are the service's to judge.

One table per operation: every public argument given a wrong type or a structurally invalid value must raise
TypeError or ValueError whose message names the argument, and the emulator must have received nothing. Numeric
ranges are not checked client-side (a temperature of 5 goes to the service, which answers 400). A malformed JSON
answer from the server is a clear DecodeError.
"""

from __future__ import annotations

import re

import pytest
from azure.core.credentials import AzureKeyCredential
from azure.core.exceptions import DecodeError, HttpResponseError

from azure.ai.inference.models import UserMessage
from inference_emulator import DEFAULT_KEY

from _reliability import assert_clear_error, fault, user
from _reliability import clean_emulator  # noqa: F401  (autouse: each test starts with no open connection)

pytestmark = [pytest.mark.timeout(60), pytest.mark.filterwarnings("error")]

MSGS = [UserMessage("hello there")]
# (kwargs, exception type, text the message must contain)
CHAT = [
    ({"body": 42}, TypeError, "body"),
    ({"body": ["not", "a", "dict"]}, TypeError, "body"),
    ({"body": {"messages": []}, "messages": MSGS}, TypeError, "body"),
    ({}, TypeError, "messages"),
    ({"messages": "hello"}, TypeError, "messages"),
    ({"messages": UserMessage("hello")}, TypeError, "messages"),
    ({"messages": []}, ValueError, "messages"),
    ({"messages": [42]}, TypeError, "messages[0]"),
    ({"messages": [{"content": "no role"}]}, ValueError, "messages[0]"),
    ({"messages": [{"role": "robot", "content": "x"}]}, ValueError, "messages[0]"),
    ({"messages": [{"role": "user", "content": 5}]}, TypeError, "messages[0].content"),
    ({"messages": [{"role": "user", "content": []}]}, TypeError, "messages[0].content"),
    ({"messages": [{"role": "user", "content": [{"type": "video"}]}]}, TypeError, "messages[0].content[0]"),
    ({"messages": [{"role": "system", "content": None}]}, TypeError, "messages[0].content"),
    ({"messages": [{"role": "tool", "content": "42"}]}, TypeError, "messages[0]"),
    ({"messages": [{"role": "assistant", "content": 7}]}, TypeError, "messages[0].content"),
    ({"frequency_penalty": "high"}, TypeError, "frequency_penalty"),
    ({"presence_penalty": [0.5]}, TypeError, "presence_penalty"),
    ({"temperature": "hot"}, TypeError, "temperature"),
    ({"temperature": True}, TypeError, "temperature"),
    ({"top_p": "0.9"}, TypeError, "top_p"),
    ({"max_tokens": 1.5}, TypeError, "max_tokens"),
    ({"max_tokens": "10"}, TypeError, "max_tokens"),
    ({"stop": 5}, TypeError, "stop"),
    ({"stop": []}, TypeError, "stop"),
    ({"stop": ["END", 1]}, TypeError, "stop"),
    ({"seed": 1.5}, TypeError, "seed"),
    ({"seed": "7"}, TypeError, "seed"),
    ({"model": 5}, TypeError, "model"),
    ({"response_format": 5}, TypeError, "response_format"),
    ({"response_format": {"schema": {}}}, ValueError, "response_format"),
    ({"tools": "get_weather"}, TypeError, "tools"),
    ({"tools": [5]}, TypeError, "tools[0]"),
    ({"tools": [{"type": "function"}]}, ValueError, "tools[0]"),
    ({"tools": [{"type": "function", "function": {"name": 5}}]}, ValueError, "tools[0]"),
    ({"tool_choice": 5}, TypeError, "tool_choice"),
    ({"tool_choice": {"type": "function"}}, ValueError, "tool_choice"),
    ({"model_extras": 5}, TypeError, "model_extras"),
    ({"model_extras": {"temperature": 1}}, ValueError, "model_extras"),
    ({"model_extras": {"stream": False}}, ValueError, "model_extras"),
    ({"model_extras": {1: "x"}}, TypeError, "model_extras"),
    ({"temprature": 0.1}, TypeError, "temprature"),
    ({"stream": True}, TypeError, "stream"),
    pytest.param({"temperature": float("nan")}, ValueError, "temperature"),
    pytest.param({"top_p": float("inf")}, ValueError, "top_p"),
    pytest.param({"frequency_penalty": float("-inf")}, ValueError, "frequency_penalty"),
    pytest.param({"model_extras": {"top_k": float("nan")}}, ValueError, "model_extras"),
    pytest.param({"headers": "x-custom: 1"}, TypeError, "headers"),
    pytest.param({"headers": {"x-custom": 1}}, TypeError, "headers"),
]

EMBEDDINGS = [
    ({"body": 42}, TypeError, "body"),
    ({"body": {"input": ["a"]}, "input": ["a"]}, TypeError, "body"),
    ({}, TypeError, "input"),
    ({"input": 5}, TypeError, "input"),
    ({"input": []}, TypeError, "input"),
    ({"input": ["a", None]}, TypeError, "input"),
    ({"input": ["a"], "dimensions": "3"}, TypeError, "dimensions"),
    ({"input": ["a"], "dimensions": 2.5}, TypeError, "dimensions"),
    ({"input": ["a"], "dimensions": True}, TypeError, "dimensions"),
    ({"input": ["a"], "encoding_format": 5}, TypeError, "encoding_format"),
    ({"input": ["a"], "input_type": ["query"]}, TypeError, "input_type"),
    ({"input": ["a"], "model": 5}, TypeError, "model"),
    ({"input": ["a"], "model_extras": "x"}, TypeError, "model_extras"),
    ({"input": ["a"], "model_extras": {"dimensions": 3}}, ValueError, "model_extras"),
    ({"input": ["a"], "imput": ["b"]}, TypeError, "imput"),
    pytest.param({"input": ["a"], "model_extras": {"scale": float("nan")}}, ValueError, "model_extras"),
]

IMAGES = [
    ({"body": 42}, TypeError, "body"),
    ({"size": "64x64"}, TypeError, "prompt"),
    ({"prompt": "a cat"}, TypeError, "size"),
    ({"prompt": 5, "size": "64x64"}, TypeError, "prompt"),
    ({"prompt": "a cat", "size": "big"}, ValueError, "size"),
    ({"prompt": "a cat", "size": "64*64"}, ValueError, "size"),
    ({"prompt": "a cat", "size": (0, 64)}, ValueError, "size"),
    ({"prompt": "a cat", "size": (64.0, 64)}, ValueError, "size"),
    ({"prompt": "a cat", "size": (64, 64, 3)}, ValueError, "size"),
    ({"prompt": "a cat", "size": 64}, ValueError, "size"),
    ({"prompt": "a cat", "size": "64x64", "quality": 5}, TypeError, "quality"),
    ({"prompt": "a cat", "size": "64x64", "response_format": True}, TypeError, "response_format"),
    ({"prompt": "a cat", "size": "64x64", "seed": "1"}, TypeError, "seed"),
    ({"prompt": "a cat", "size": "64x64", "model": 5}, TypeError, "model"),
    ({"prompt": "a cat", "size": "64x64", "model_extras": 5}, TypeError, "model_extras"),
    ({"prompt": "a cat", "size": "64x64", "model_extras": {"prompt": "x"}}, ValueError, "model_extras"),
    ({"prompt": "a cat", "size": "64x64", "style": "vivid"}, TypeError, "style"),
]

TABLES = {
    ("ChatCompletionsClient", "create"): CHAT,
    ("ChatCompletionsClient", "create_streaming"): CHAT,
    ("EmbeddingsClient", "create"): EMBEDDINGS,
    ("ImageGenerationClient", "create"): IMAGES,
}


def cases():
    for (name, method), table in TABLES.items():
        for case in table:
            values = case.values if hasattr(case, "values") else case
            marks = case.marks if hasattr(case, "marks") else ()
            kwargs, exc_type, needle = values
            case_id = f"{name}.{method}-{needle}-{'-'.join(map(str, kwargs))}"
            yield pytest.param(name, method, kwargs, exc_type, needle, id=case_id, marks=marks)


@pytest.mark.parametrize("name,method,kwargs,exc_type,needle", list(cases()))
def test_bad_arguments_fail_before_the_network(emu, mode, name, method, kwargs, exc_type, needle):
    kwargs = dict(kwargs)
    if name == "ChatCompletionsClient" and "messages" not in kwargs and "body" not in kwargs and kwargs:
        kwargs["messages"] = MSGS
    body = kwargs.pop("body", None)
    args = (body,) if body is not None else ()
    outcome = {}

    async def run(m):
        async with m.client(name, emu.url, retry_total=0) as client:
            try:
                await m.call(getattr(client, method)(*args, **kwargs))
                outcome["error"] = None
            except Exception as exc:  # pylint: disable=broad-except
                # Keep plain values only: a live exception could hold a response past the test.
                outcome["error"] = (type(exc), str(exc))

    mode.run(run)
    requests = len(emu.requests)
    assert outcome["error"] is not None, f"no error; {requests} request(s) sent"
    error_type, message = outcome["error"]
    assert issubclass(error_type, exc_type), f"{error_type.__name__}: {message}"
    assert needle in message
    assert requests == 0


# ----------------------------------------------------------------------------------------- constructors


CONSTRUCTOR = [
    # (client names, endpoint (None: the emulator's), credential, kwargs, exception type, needle)
    (None, 42, "key", {}, TypeError, "endpoint"),
    (None, "emu", None, {}, TypeError, "credential"),
    (None, "emu", DEFAULT_KEY, {}, TypeError, "credential"),
    (None, "emu", {"key": DEFAULT_KEY}, {}, TypeError, "credential"),
    (None, "emu", "key", {"api_version": "latest"}, ValueError, "api_version"),
    (None, "emu", "key", {"api_version": 2024}, ValueError, "api_version"),
    (None, "emu", "key", {"api_version": "2024-05-01"}, None, None),  # well formed: accepted
    (None, "emu", "key", {"model_extras": ["x"]}, TypeError, "model_extras"),
    (None, "emu", "key", {"model": 5}, TypeError, "model"),
    (["ChatCompletionsClient"], "emu", "key", {"temperature": "hot"}, TypeError, "temperature"),
    (["ChatCompletionsClient"], "emu", "key", {"stop": [1]}, TypeError, "stop"),
    (["ChatCompletionsClient"], "emu", "key", {"tools": "x"}, TypeError, "tools"),
    (["ChatCompletionsClient"], "emu", "key", {"model_extras": {"seed": 1}}, ValueError, "model_extras"),
    (["EmbeddingsClient"], "emu", "key", {"dimensions": "3"}, TypeError, "dimensions"),
    (["EmbeddingsClient"], "emu", "key", {"input_type": 3}, TypeError, "input_type"),
    (["ImageGenerationClient"], "emu", "key", {"size": "huge"}, ValueError, "size"),
    (["ImageGenerationClient"], "emu", "key", {"seed": 1.5}, TypeError, "seed"),
]
ALL_CLIENTS = ["ChatCompletionsClient", "EmbeddingsClient", "ImageGenerationClient"]


def constructor_cases():
    for names, endpoint, credential, kwargs, exc_type, needle in CONSTRUCTOR:
        for name in names or ALL_CLIENTS:
            label = needle or "accepted"
            yield pytest.param(name, endpoint, credential, kwargs, exc_type, needle, id=f"{name}-{label}-{kwargs}")


@pytest.mark.parametrize("name,endpoint,credential,kwargs,exc_type,needle", list(constructor_cases()))
def test_bad_constructor_arguments(emu, mode, name, endpoint, credential, kwargs, exc_type, needle):
    endpoint = emu.url if endpoint == "emu" else endpoint
    credential = AzureKeyCredential(DEFAULT_KEY) if credential == "key" else credential
    cls = getattr(mode.api, name)
    if exc_type is None:
        cls(endpoint, credential, **kwargs)
    else:
        with pytest.raises(exc_type) as info:
            cls(endpoint, credential, **kwargs)
        assert needle in str(info.value)


@pytest.mark.parametrize("name", ALL_CLIENTS)
def test_a_misspelt_constructor_keyword_warns_and_names_itself(emu, mode, name):
    # As in 1.0.0b9 and every azure-core client, unknown constructor keywords are accepted; ours say so.
    with pytest.warns(UserWarning, match="retry_totl"):
        client = getattr(mode.api, name)(emu.url, AzureKeyCredential(DEFAULT_KEY), retry_totl=1)
    assert client is not None
    assert emu.requests == []


# ----------------------------------------------------------------------------------------- ranges are the service's


@pytest.mark.parametrize(
    "kwargs,target",
    [
        ({"temperature": 5}, "temperature"),
        ({"top_p": 1.5}, "top_p"),
        ({"max_tokens": -1}, "max_tokens"),
        ({"frequency_penalty": 3.0}, "frequency_penalty"),
    ],
)
def test_numeric_ranges_are_left_to_the_service(emu, mode, kwargs, target):
    outcome = {}

    async def run(m):
        async with m.client("ChatCompletionsClient", emu.url, retry_total=0) as client:
            error = await m.raises(HttpResponseError, lambda: client.create(messages=MSGS, **kwargs))
            assert_clear_error(error, 400, "Invalid input", target)
            outcome["sent"] = emu.requests[-1].json

    mode.run(run)
    assert len(emu.requests) == 1
    assert all(outcome["sent"][k] == v for k, v in kwargs.items())


# ----------------------------------------------------------------------------------------- malformed JSON answers


LONG_PROMPT = "word " * 20000  # about 100 KB of reply, cut in half by the fault


def test_malformed_json_is_a_decode_error_with_a_bounded_excerpt(emu, mode):
    outcome = {}

    async def run(m):
        async with m.client("ChatCompletionsClient", emu.url) as client:
            error = await m.raises(
                DecodeError, lambda: client.create(messages=user(LONG_PROMPT), headers=fault("malformed-json"))
            )
            outcome.update(status=error.status_code, text=str(error), body=len(error.response.text()))

    mode.run(run)
    assert outcome["status"] == 200
    assert outcome["body"] > 50_000  # the whole (cut) body stays reachable on the exception
    assert '{"id": "chatcmpl-' in outcome["text"]  # an excerpt of it is in the message
    assert len(outcome["text"]) <= 2100
    assert len(emu.requests) == 1


def test_malformed_json_decode_error_names_the_status_and_request_id(emu, mode):
    outcome = {}

    async def run(m):
        async with m.client("ChatCompletionsClient", emu.url) as client:
            error = await m.raises(DecodeError, lambda: client.create(messages=user(), headers=fault("malformed-json")))
            outcome.update(text=str(error), request_id=error.response.headers["x-request-id"])

    mode.run(run)
    assert re.search(r"\b200\b", outcome["text"].split("Content:")[0]), outcome["text"]
    assert outcome["request_id"] in outcome["text"]
