# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""Prompt templates: chat messages from Prompty files (`PromptTemplate.from_prompty`, needs the `prompts` extra)
or template strings (`PromptTemplate.from_string`), rendered with `create_messages(**data)`."""

from ._template import PromptTemplate

__all__ = ["PromptTemplate"]
