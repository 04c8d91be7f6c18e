# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""
DESCRIPTION:
    The async twin of sample_tracing.py: trace the client's calls with OpenTelemetry and print the spans to the
    console. Each call makes one gen_ai span of kind CLIENT (`chat <model>`), with azure-core's HTTP span as its
    child; a streamed call's span ends when the stream does. Messages and answers are recorded only when asked
    for: here with `enable_content_recording=True`, or with AZURE_TRACING_GEN_AI_CONTENT_RECORDING_ENABLED=true.

USAGE:
    python samples/async_samples/sample_tracing_async.py

    AZURE_AI_CHAT_ENDPOINT, AZURE_AI_CHAT_KEY: your endpoint and key; without them the sample runs on the
    local emulator. Needs aiohttp and the tracing extra (`pip install azure-ai-inference[aio,tracing]`).
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # makes samples/_endpoint.py importable
from _endpoint import endpoint_and_key  # noqa: E402  # pylint: disable=wrong-import-position


async def main() -> None:
    endpoint, key = endpoint_and_key("CHAT")

    # [START tracing]
    from azure.core.settings import settings
    from opentelemetry import trace
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter

    # Print the spans as JSON, a batch at a time. An application would use the exporter of its tracing backend
    # (OTLP, Azure Monitor, ...) in place of the console.
    provider = TracerProvider()
    provider.add_span_processor(BatchSpanProcessor(ConsoleSpanExporter()))
    trace.set_tracer_provider(provider)

    # Trace every Azure SDK client, this library's included, with OpenTelemetry.
    settings.tracing_implementation = "opentelemetry"
    # [END tracing]

    # [START tracing_calls]
    from azure.ai.inference.aio import ChatCompletionsClient
    from azure.ai.inference.models import SystemMessage, UserMessage
    from azure.core.credentials import AzureKeyCredential

    messages = [SystemMessage("You are a helpful assistant."), UserMessage("How many feet are in a mile?")]
    tracer = trace.get_tracer(__name__)
    # A span of the application's own: the client's spans become its children.
    with tracer.start_as_current_span("ask_twice"):
        async with ChatCompletionsClient(
            endpoint=endpoint, credential=AzureKeyCredential(key), enable_content_recording=True
        ) as client:
            response = await client.create(messages=messages, temperature=0.2, max_tokens=200)
            print(response.choices[0].message.content)

            # The span of a streamed call stays open while the updates arrive and ends with the stream.
            async with await client.create_streaming(messages=messages) as stream:
                async for update in stream:
                    print(update.choices[0].delta.content, end="", flush=True)
            print()
    # [END tracing_calls]

    provider.force_flush()  # print the spans now rather than when the program exits


if __name__ == "__main__":
    asyncio.run(main())
