"""Drive the frameworks built on azure-ai-inference 1.0.0b9 against the local emulator, with this package installed
in b9's place: chat, streaming, a tool call, JSON mode and embeddings through each framework's own classes.

    python tests/frameworks/run_frameworks.py        (run by `./tasks frameworks` in its own venv)

Prints one line per framework and check (`PASS`, `FAIL` with the reason, or `N/A` when the framework has no
integration of that kind on azure-ai-inference) and exits 1 when any check failed. Not collected by pytest: it needs
the frameworks, which the default test environment does not install.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import os
import sys
import traceback
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, Union

# No telemetry from the frameworks: the only traffic is to the emulator on 127.0.0.1.
for _name, _value in (
    ("CREWAI_DISABLE_TELEMETRY", "true"),
    ("CREWAI_TRACING_ENABLED", "false"),
    ("OTEL_SDK_DISABLED", "true"),
    ("LANGCHAIN_TRACING_V2", "false"),
    ("ANONYMIZED_TELEMETRY", "False"),
):
    os.environ.setdefault(_name, _value)

import azure.ai.inference  # noqa: E402
from inference_emulator import DEFAULT_KEY, Emulator  # noqa: E402

MODEL = "gpt-4o-mini"  # a name frameworks recognise as able to call tools and give JSON
API_VERSION = "2024-05-01-preview"
TOOL_PROMPT = "please call get_weather for Lisbon"
CHAT_PROMPT = "hello there"
REPLY = "Emulated reply to: " + CHAT_PROMPT

Check = Callable[[str], Union[None, Awaitable[None]]]


class NotApplicable(Exception):
    """The framework has no integration of this kind on azure-ai-inference."""


def get_weather(query: str) -> str:
    """Get the weather of a city (the emulator sends the user's text as the `query` argument)."""
    return f"sunny: {query}"


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise AssertionError(message)


# ---------------------------------------------------------------------------------------------- crewai


def crewai_checks() -> dict[str, Check]:
    from crewai.llms.providers.azure.completion import AzureCompletion  # pylint: disable=import-outside-toplevel
    from pydantic import BaseModel  # pylint: disable=import-outside-toplevel

    def llm(url: str, **kwargs: Any) -> Any:
        return AzureCompletion(model=MODEL, endpoint=url, api_key=DEFAULT_KEY, api_version=API_VERSION, **kwargs)

    def chat(url: str) -> None:
        answer = llm(url).call(CHAT_PROMPT)
        expect(answer == REPLY, f"answer {answer!r}")

    def streaming(url: str) -> None:
        answer = llm(url, stream=True).call(CHAT_PROMPT)
        expect(answer == REPLY, f"answer {answer!r}")

    def tool_call(url: str) -> None:
        tools = [
            {
                "type": "function",
                "function": {
                    "name": "get_weather",
                    "description": "Get the weather of a city.",
                    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
                },
            }
        ]
        answer = llm(url).call(TOOL_PROMPT, tools=tools, available_functions={"get_weather": lambda **_: "sunny"})
        expect(answer == "sunny", f"the tool's result, got {answer!r}")

    def json_mode(url: str) -> None:
        class Answer(BaseModel):
            reply: str

        answer = llm(url).call(CHAT_PROMPT, response_model=Answer)
        parsed = Answer.model_validate_json(answer) if isinstance(answer, str) else answer
        expect(isinstance(parsed, Answer) and parsed.reply == REPLY, f"answer {answer!r}")

    def embeddings(url: str) -> None:
        raise NotApplicable("crewai embeds through the openai package, not azure-ai-inference")

    return {
        "chat": chat,
        "streaming": streaming,
        "tool call": tool_call,
        "JSON mode": json_mode,
        "embeddings": embeddings,
    }


# ---------------------------------------------------------------------------------------------- semantic-kernel


def semantic_kernel_checks() -> dict[str, Check]:
    # pylint: disable=import-outside-toplevel
    from semantic_kernel import Kernel
    from semantic_kernel.connectors.ai.azure_ai_inference import (
        AzureAIInferenceChatCompletion,
        AzureAIInferenceChatPromptExecutionSettings,
        AzureAIInferenceTextEmbedding,
    )
    from semantic_kernel.connectors.ai.function_choice_behavior import FunctionChoiceBehavior
    from semantic_kernel.contents import ChatHistory
    from semantic_kernel.functions import kernel_function

    from azure.ai.inference.aio import ChatCompletionsClient, EmbeddingsClient
    from azure.core.credentials import AzureKeyCredential

    # Semantic Kernel's own settings accept only https endpoints; it takes a client for anything else.
    @asynccontextmanager
    async def service(url: str) -> AsyncIterator[Any]:
        async with ChatCompletionsClient(url, AzureKeyCredential(DEFAULT_KEY), api_version=API_VERSION) as client:
            yield AzureAIInferenceChatCompletion(ai_model_id=MODEL, client=client)

    def history(text: str) -> Any:
        chat = ChatHistory()
        chat.add_user_message(text)
        return chat

    async def chat(url: str) -> None:
        async with service(url) as chat_service:
            answers = await chat_service.get_chat_message_contents(
                history(CHAT_PROMPT), AzureAIInferenceChatPromptExecutionSettings()
            )
        expect(str(answers[0]) == REPLY, f"answer {answers[0]!r}")

    async def streaming(url: str) -> None:
        pieces = []
        async with service(url) as chat_service:
            async for chunk in chat_service.get_streaming_chat_message_contents(
                history(CHAT_PROMPT), AzureAIInferenceChatPromptExecutionSettings()
            ):
                pieces.append(str(chunk[0]))
        expect(len(pieces) > 2 and "".join(pieces) == REPLY, f"pieces {pieces!r}")

    async def tool_call(url: str) -> None:
        class Weather:
            @kernel_function(name="get_weather", description="Get the weather of a city.")
            def get_weather(self, query: str) -> str:
                return get_weather(query)

        kernel = Kernel()
        kernel.add_plugin(Weather(), plugin_name="weather")
        settings = AzureAIInferenceChatPromptExecutionSettings(function_choice_behavior=FunctionChoiceBehavior.Auto())
        # Semantic Kernel names the function `weather-get_weather`; the emulator calls the tools the prompt names.
        async with service(url) as chat_service:
            answers = await chat_service.get_chat_message_contents(
                history("please call weather-get_weather for Lisbon"), settings, kernel=kernel
            )
        expect(str(answers[0]).startswith("Tool result received: sunny: please call"), f"answer {answers[0]!r}")

    async def json_mode(url: str) -> None:
        settings = AzureAIInferenceChatPromptExecutionSettings(response_format={"type": "json_object"})
        async with service(url) as chat_service:
            answers = await chat_service.get_chat_message_contents(history(CHAT_PROMPT), settings)
        expect(json.loads(str(answers[0])) == {"reply": REPLY}, f"answer {answers[0]!r}")

    async def embeddings(url: str) -> None:
        client = EmbeddingsClient(url, AzureKeyCredential(DEFAULT_KEY), api_version=API_VERSION)
        embedder = AzureAIInferenceTextEmbedding(ai_model_id="text-embedding-3-small", client=client)
        async with client:
            vectors = await embedder.generate_embeddings(["first", "second"])
        expect(len(vectors) == 2 and len(vectors[0]) == 1024, f"shape {getattr(vectors, 'shape', None)}")

    return {
        "chat": chat,
        "streaming": streaming,
        "tool call": tool_call,
        "JSON mode": json_mode,
        "embeddings": embeddings,
    }


# ---------------------------------------------------------------------------------------------- langchain


def langchain_checks() -> dict[str, Check]:
    # pylint: disable=import-outside-toplevel
    from langchain_azure_ai.chat_models.inference import AzureAIChatCompletionsModel
    from langchain_azure_ai.embeddings.inference import AzureAIEmbeddingsModel
    from langchain_core.tools import tool

    def model(url: str, **kwargs: Any) -> Any:
        return AzureAIChatCompletionsModel(
            endpoint=url, credential=DEFAULT_KEY, model=MODEL, api_version=API_VERSION, **kwargs
        )

    def chat(url: str) -> None:
        answer = model(url).invoke(CHAT_PROMPT)
        expect(answer.content == REPLY, f"answer {answer.content!r}")

    def streaming(url: str) -> None:
        pieces = [chunk.content for chunk in model(url).stream(CHAT_PROMPT)]
        expect(len(pieces) > 2 and "".join(pieces) == REPLY, f"pieces {pieces!r}")

    def tool_call(url: str) -> None:
        answer = model(url).bind_tools([tool(get_weather)]).invoke(TOOL_PROMPT)
        calls = answer.tool_calls
        expect(len(calls) == 1 and calls[0]["name"] == "get_weather", f"tool calls {calls!r}")

    def json_mode(url: str) -> None:
        answer = model(url, model_kwargs={"response_format": {"type": "json_object"}}).invoke(CHAT_PROMPT)
        expect(json.loads(answer.content) == {"reply": REPLY}, f"answer {answer.content!r}")

    def embeddings(url: str) -> None:
        embedder = AzureAIEmbeddingsModel(
            endpoint=url, credential=DEFAULT_KEY, model="text-embedding-3-small", api_version=API_VERSION
        )
        vectors = embedder.embed_documents(["first", "second"])
        query = embedder.embed_query("first")
        expect(len(vectors) == 2 and vectors[0] == query and len(query) == 1024, "vectors")

    return {
        "chat": chat,
        "streaming": streaming,
        "tool call": tool_call,
        "JSON mode": json_mode,
        "embeddings": embeddings,
    }


# ---------------------------------------------------------------------------------------------- autogen


def autogen_checks() -> dict[str, Check]:
    # pylint: disable=import-outside-toplevel
    from autogen_core.models import UserMessage
    from autogen_core.tools import FunctionTool
    from autogen_ext.models.azure import AzureAIChatCompletionClient
    from azure.core.credentials import AzureKeyCredential

    @asynccontextmanager
    async def client(url: str) -> AsyncIterator[Any]:
        model_client = AzureAIChatCompletionClient(
            model=MODEL,
            endpoint=url,
            credential=AzureKeyCredential(DEFAULT_KEY),
            api_version=API_VERSION,
            model_info={
                "json_output": True,
                "function_calling": True,
                "vision": False,
                "family": "unknown",
                "structured_output": False,
            },
        )
        try:
            yield model_client
        finally:
            await model_client.close()

    def user(text: str) -> list[Any]:
        return [UserMessage(content=text, source="user")]

    async def chat(url: str) -> None:
        async with client(url) as model_client:
            result = await model_client.create(user(CHAT_PROMPT))
        expect(result.content == REPLY and result.usage.completion_tokens > 0, f"result {result!r}")

    async def streaming(url: str) -> None:
        async with client(url) as model_client:
            items = [item async for item in model_client.create_stream(user(CHAT_PROMPT))]
        pieces, final = items[:-1], items[-1]
        expect(len(pieces) > 2 and "".join(pieces) == REPLY and final.content == REPLY, f"items {items!r}")

    async def tool_call(url: str) -> None:
        weather = FunctionTool(get_weather, description="Get the weather of a city.")
        async with client(url) as model_client:
            result = await model_client.create(user(TOOL_PROMPT), tools=[weather])
        calls = result.content
        expect(
            result.finish_reason == "function_calls" and isinstance(calls, list) and calls[0].name == "get_weather",
            f"result {result!r}",
        )

    async def json_mode(url: str) -> None:
        async with client(url) as model_client:
            result = await model_client.create(user(CHAT_PROMPT), json_output=True)
        expect(json.loads(str(result.content)) == {"reply": REPLY}, f"result {result!r}")

    def embeddings(url: str) -> None:
        raise NotApplicable("autogen-ext has no azure-ai-inference embeddings client")

    return {
        "chat": chat,
        "streaming": streaming,
        "tool call": tool_call,
        "JSON mode": json_mode,
        "embeddings": embeddings,
    }


# ---------------------------------------------------------------------------------------------- llama-index


def llama_index_checks() -> dict[str, Check]:
    # pylint: disable=import-outside-toplevel
    from llama_index.core.llms import ChatMessage
    from llama_index.core.tools import FunctionTool
    from llama_index.embeddings.azure_inference import AzureAIEmbeddingsModel
    from llama_index.llms.azure_inference import AzureAICompletionsModel

    def llm(url: str, **kwargs: Any) -> Any:
        return AzureAICompletionsModel(
            endpoint=url, credential=DEFAULT_KEY, model_name=MODEL, api_version=API_VERSION, **kwargs
        )

    def chat(url: str) -> None:
        answer = llm(url).chat([ChatMessage(role="user", content=CHAT_PROMPT)])
        expect(answer.message.content == REPLY, f"answer {answer.message.content!r}")

    def streaming(url: str) -> None:
        pieces = [r.delta for r in llm(url).stream_chat([ChatMessage(role="user", content=CHAT_PROMPT)])]
        expect(len(pieces) > 2 and "".join(p or "" for p in pieces) == REPLY, f"pieces {pieces!r}")

    def tool_call(url: str) -> None:
        model = llm(url)
        response = model.chat_with_tools([FunctionTool.from_defaults(fn=get_weather)], user_msg=TOOL_PROMPT)
        calls = model.get_tool_calls_from_response(response, error_on_no_tool_call=False)
        expect(len(calls) == 1 and calls[0].tool_name == "get_weather", f"tool calls {calls!r}")

    async def json_mode(url: str) -> None:
        model = llm(url, model_kwargs={"response_format": {"type": "json_object"}})
        answer = await model.achat([ChatMessage(role="user", content=CHAT_PROMPT)])
        expect(json.loads(answer.message.content) == {"reply": REPLY}, f"answer {answer.message.content!r}")

    async def embeddings(url: str) -> None:
        embedder = AzureAIEmbeddingsModel(
            endpoint=url, credential=DEFAULT_KEY, model_name="text-embedding-3-small", api_version=API_VERSION
        )
        vector = embedder.get_text_embedding("first")
        try:
            batch = await embedder.aget_text_embedding_batch(["first", "second"])
        finally:
            await embedder._async_client.close()  # pylint: disable=protected-access  # the framework never closes it
        expect(len(vector) == 1024 and batch[0] == vector and len(batch) == 2, "vectors")

    return {
        "chat": chat,
        "streaming": streaming,
        "tool call": tool_call,
        "JSON mode": json_mode,
        "embeddings": embeddings,
    }


FRAMEWORKS: dict[str, Callable[[], dict[str, Check]]] = {
    "crewai": crewai_checks,
    "semantic-kernel": semantic_kernel_checks,
    "langchain-azure-ai": langchain_checks,
    "autogen-ext": autogen_checks,
    "llama-index": llama_index_checks,
}


def run_check(check: Check, url: str) -> None:
    result = check(url)
    if asyncio.iscoroutine(result):
        asyncio.run(result)


def main() -> int:
    package = os.path.dirname(azure.ai.inference.__file__)
    print(f"azure-ai-inference {azure.ai.inference.__version__} from {package}")
    if azure.ai.inference.__version__.startswith("1.0.0b"):
        print("FAIL: the retired 1.0.0b9 is installed instead of this package")
        return 1
    verbose = "-v" in sys.argv
    failed = 0
    with Emulator() as emu:
        for framework, checks in FRAMEWORKS.items():
            try:
                table = checks()
            except Exception as exc:  # pylint: disable=broad-except  # an import failure fails every check
                print(f"{framework:<20} {'import':<11} FAIL  {type(exc).__name__}: {exc}")
                failed += 1
                continue
            for name, check in table.items():
                emu.clear()
                output = io.StringIO()  # the frameworks' own console output, shown with -v or on failure
                try:
                    with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
                        run_check(check, emu.url)
                    calls = sum(1 for r in emu.requests if r.path != "/info")
                    expect(calls > 0, "no request reached the emulator")
                except NotApplicable as reason:
                    print(f"{framework:<20} {name:<11} N/A   {reason}")
                except Exception as exc:  # pylint: disable=broad-except
                    failed += 1
                    print(f"{framework:<20} {name:<11} FAIL  {type(exc).__name__}: {str(exc)[:300]}")
                    if verbose:
                        print(output.getvalue())
                        traceback.print_exc()
                else:
                    print(f"{framework:<20} {name:<11} PASS  ({calls} call{'s' if calls != 1 else ''} to the emulator)")
                    if verbose:
                        print(output.getvalue())
    print(f"{'all checks passed' if not failed else f'{failed} check(s) failed'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
