# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""
DESCRIPTION:
    Turn on the clients' OpenTelemetry spans the 1.0.0b9 way, with `AIInferenceInstrumentor().instrument()`,
    without setting azure-core's `tracing_implementation`. The spans are the same gen_ai spans as in
    sample_tracing.py; `enable_content_recording=True` adds the messages and answers as span events.

USAGE:
    python samples/sample_tracing_instrumentor.py

    AZURE_AI_CHAT_ENDPOINT, AZURE_AI_CHAT_KEY: your endpoint and key; without them the sample runs on the
    local emulator. Needs the tracing extra (`pip install azure-ai-inference[tracing]`).
"""

from __future__ import annotations

from _endpoint import endpoint_and_key


def main() -> None:
    endpoint, key = endpoint_and_key("CHAT")

    # [START tracing_instrumentor]
    from opentelemetry import trace
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import ConsoleSpanExporter, SimpleSpanProcessor

    from azure.ai.inference import ChatCompletionsClient
    from azure.ai.inference.models import UserMessage
    from azure.ai.inference.tracing import AIInferenceInstrumentor
    from azure.core.credentials import AzureKeyCredential

    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(ConsoleSpanExporter()))
    trace.set_tracer_provider(provider)

    instrumentor = AIInferenceInstrumentor()
    instrumentor.instrument(enable_content_recording=True)
    try:
        with ChatCompletionsClient(endpoint=endpoint, credential=AzureKeyCredential(key)) as client:
            response = client.complete(messages=[UserMessage("How many feet are in a mile?")])
            print(response.choices[0].message.content)
    finally:
        instrumentor.uninstrument()
    # [END tracing_instrumentor]


if __name__ == "__main__":
    main()
