# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""`AIInferenceInstrumentor`: the 1.0.0b9 switch for tracing, mapped onto this package's gen_ai spans.

`AIInferenceInstrumentor().instrument()` turns on, for every client of this package, the OpenTelemetry spans
described in the README's "Tracing" section (one span of kind CLIENT per call, following the gen_ai semantic
conventions), without setting azure-core's `settings.tracing_implementation`. Spans go to OpenTelemetry's global
tracer provider. `uninstrument()` turns them off again (azure-core's own tracing settings, if set, still apply).

The spans themselves are made in `_tracing`; this module only holds the switch.
"""

from __future__ import annotations

import importlib.util
from typing import Optional

from ._tracing import INSTRUMENTATION, content_recording_from_environment, content_recording_keyword

__all__ = ["AIInferenceInstrumentor"]


class AIInferenceInstrumentor:
    """Turns the gen_ai spans of every client on and off. Instances share one switch."""

    def instrument(self, enable_content_recording: Optional[bool] = None) -> None:
        """Turn the spans on; calling it again only updates the content recording choice.

        :param enable_content_recording: Whether the spans hold message content (prompts, answers, tool call
         names and arguments), which may be sensitive. None reads the environment variable
         `AZURE_TRACING_GEN_AI_CONTENT_RECORDING_ENABLED` (`true` records); without it, nothing is recorded.
         A client's own `enable_content_recording` keyword, when given, takes precedence.
        :raises TypeError: when `enable_content_recording` is not a bool or None.
        :raises ImportError: when OpenTelemetry is not installed (install the `tracing` extra).
        """
        choice = content_recording_keyword(enable_content_recording)
        if importlib.util.find_spec("opentelemetry") is None:
            raise ImportError("Tracing needs OpenTelemetry: pip install 'azure-ai-inference[tracing]'")
        INSTRUMENTATION.content_recording = content_recording_from_environment() if choice is None else choice
        INSTRUMENTATION.on = True

    def uninstrument(self) -> None:
        """Turn the spans off again; nothing happens when they are not on."""
        INSTRUMENTATION.on = False
        INSTRUMENTATION.content_recording = False

    def is_instrumented(self) -> bool:
        """Whether `instrument()` turned the spans on.

        :rtype: bool
        """
        return INSTRUMENTATION.on

    def is_content_recording_enabled(self) -> bool:
        """Whether the spans hold message content (the choice of the last `instrument()` call).

        :rtype: bool
        """
        return INSTRUMENTATION.on and INSTRUMENTATION.content_recording
