# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""What differs between the sync and async `run_tools`: which tools they can run (`tool_loop` refuses async
functions before any call; `tool_loop_async` takes both kinds), and how one round's calls run: one after another
in the sync client (`run_calls`), concurrently in the async client (`run_calls_async`: async functions together
under `asyncio.gather`; a sync function runs in the event loop's thread when its turn comes, as
`_core.tools.arun_call` does). Each gives the texts of the tool
messages in the order of the calls and raises nothing for a tool's own failure. `scripts/unasync.py` maps the
async names to the sync ones, so the generated sync client calls `tool_loop` and `run_calls`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Optional

from ._core.tools import ErrorText, PreparedCall, arun_call, run_call
from ._core.typed import ToolLoop

__all__ = ["tool_loop", "tool_loop_async", "run_calls", "run_calls_async"]


def tool_loop(
    messages: Any, tools: Any, max_rounds: Any, on_error: Optional[ErrorText], create_kwargs: Mapping[str, Any]
) -> ToolLoop:
    """The loop of the sync `run_tools`: TypeError for an async function among the tools, before any call."""
    loop = ToolLoop(messages, tools, max_rounds, on_error, create_kwargs)
    for tool in loop.tools.values():
        if tool.is_async:
            raise TypeError(
                f"run_tools: the tool {tool.name!r} is an async function; run it with the async client "
                "(azure.ai.inference.aio), or pass a sync function"
            )
    return loop


def tool_loop_async(
    messages: Any, tools: Any, max_rounds: Any, on_error: Optional[ErrorText], create_kwargs: Mapping[str, Any]
) -> ToolLoop:
    """The loop of the async `run_tools`: sync and async functions alike."""
    return ToolLoop(messages, tools, max_rounds, on_error, create_kwargs)


def run_calls(calls: Sequence[PreparedCall], on_error: ErrorText) -> list[str]:
    """Run the calls one after another (sync tools only: an async one raises TypeError)."""
    return [run_call(call, on_error) for call in calls]


async def run_calls_async(calls: Sequence[PreparedCall], on_error: ErrorText) -> list[str]:
    """Run the calls concurrently: each async tool is awaited under one `asyncio.gather`."""
    import asyncio  # pylint: disable=import-outside-toplevel  # only the async clients need it; keeps import light

    if len(calls) == 1:
        return [await arun_call(calls[0], on_error)]
    return list(await asyncio.gather(*(arun_call(call, on_error) for call in calls)))
