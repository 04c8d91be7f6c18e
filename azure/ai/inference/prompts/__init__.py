# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""Prompt templates: chat messages from Prompty files (`PromptTemplate.from_prompty`, needs the `prompts` extra)
or template strings (`PromptTemplate.from_string`), rendered with `create_messages(**data)`. `Prompty` and its
settings classes are what `PromptTemplate.prompty` holds."""

from ._prompty import ModelSettings, PropertySettings, Prompty, TemplateSettings
from ._template import PromptTemplate

__all__ = ["ModelSettings", "PromptTemplate", "PropertySettings", "Prompty", "TemplateSettings"]
