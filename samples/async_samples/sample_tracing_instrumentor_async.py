# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""
DESCRIPTION:
    The async twin of sample_tracing_instrumentor.py.
    Turn on the clients' OpenTelemetry spans the 1.0.0b9 way, with `AIInferenceInstrumentor().instrument()`,
    without setting azure-core's `tracing_implementation`. The spans are the same gen_ai spans as in
    sample_tracing.py; `enable_content_recording=True` adds the messages and answers as span events.

USAGE:
    python samples/async_samples/sample_tracing_instrumentor_async.py

    AZURE_AI_CHAT_ENDPOINT, AZURE_AI_CHAT_KEY: your endpoint and key; without them the sample runs on the
    local emulator. Needs the tracing extra (`pip install azure-ai-inference[tracing]`).
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # makes samples/_endpoint.py importable
from _endpoint import endpoint_and_key  # noqa: E402  # pylint: disable=wrong-import-position


async def main() -> None:
    endpoint, key = endpoint_and_key("CHAT")

    # [START tracing_instrumentor]
    from opentelemetry import trace
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import ConsoleSpanExporter, SimpleSpanProcessor

    from azure.ai.inference.aio import ChatCompletionsClient
    from azure.ai.inference.models import UserMessage
    from azure.ai.inference.tracing import AIInferenceInstrumentor
    from azure.core.credentials import AzureKeyCredential

    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(ConsoleSpanExporter()))
    trace.set_tracer_provider(provider)

    instrumentor = AIInferenceInstrumentor()
    instrumentor.instrument(enable_content_recording=True)
    try:
        async with ChatCompletionsClient(endpoint=endpoint, credential=AzureKeyCredential(key)) as client:
            response = await client.complete(messages=[UserMessage("How many feet are in a mile?")])
            print(response.choices[0].message.content)
    finally:
        instrumentor.uninstrument()
    # [END tracing_instrumentor]


if __name__ == "__main__":
    asyncio.run(main())
