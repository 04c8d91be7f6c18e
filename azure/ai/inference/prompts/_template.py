# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""`PromptTemplate`: chat messages from a Prompty file or a template string.

A Prompty file is YAML front matter between `---` lines (name, description, `model: {api, configuration,
parameters}`, `inputs` with defaults, `sample`) followed by the template: mustache (see `_mustache`) that, once
rendered, is split into messages at role lines (`system:`, `user:`, `assistant:`, `developer:`, `tool:`, alone on a
line). Text before the first role line is a system message.

Strategy: parse once when the template is built, render on each `create_messages`. Only `from_prompty` reads YAML,
and imports PyYAML (the `prompts` extra) at that moment.
"""

from __future__ import annotations

import inspect
import os
import re
from collections.abc import Mapping
from typing import Any, Optional, cast

from ._mustache import render

__all__ = ["PromptTemplate"]

_FRONT_MATTER = re.compile(r"\A\ufeff?\s*---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)(.*)\Z", re.S)
_ROLE_LINE = re.compile(r"^[ \t]*#?[ \t]*(system|user|assistant|developer|tool)[ \t]*:[ \t]*$", re.I | re.M)


def _load_yaml(text: str, where: str) -> dict[str, Any]:
    try:
        import yaml  # type: ignore[import-untyped, unused-ignore]  # pylint: disable=import-outside-toplevel
    except ImportError as exc:
        raise ImportError("Reading a Prompty file needs PyYAML: pip install 'azure-ai-inference[prompts]'") from exc
    try:
        loaded: Any = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ValueError(f"{where}: the front matter is not valid YAML: {exc}") from exc
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise ValueError(f"{where}: the front matter must be a YAML mapping")
    return cast(dict[str, Any], loaded)


def _require(value: Any, kind: type, message: str) -> None:
    if not isinstance(value, kind):
        raise TypeError(f"{message}, not {type(value).__name__}")


def _mapping(value: Any, where: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ValueError(f"{where} must be a mapping")
    return dict(cast(Mapping[str, Any], value))


def _messages(text: str) -> list[dict[str, str]]:
    messages: list[dict[str, str]] = []
    roles = list(_ROLE_LINE.finditer(text))
    head = text[: roles[0].start()] if roles else text
    if head.strip():
        messages.append({"role": "system", "content": head.strip()})
    for i, match in enumerate(roles):
        end = roles[i + 1].start() if i + 1 < len(roles) else len(text)
        content = text[match.end() : end].strip()
        if content:
            messages.append({"role": match.group(1).lower(), "content": content})
    return messages


class PromptTemplate:
    """A chat prompt template: `create_messages(**data)` renders it into message dicts for `complete`/`create`.

    Build one with `PromptTemplate.from_prompty(path)` or `PromptTemplate.from_string(text)`.

    :ivar model_name: The model (Azure deployment) the template names, if any.
    :ivar model_configuration: The front matter's `model.configuration`.
    :ivar parameters: The front matter's `model.parameters` (temperature, max_tokens, ...), to pass to a call.
    :ivar api: `chat`, the only API the templates serve.
    :ivar prompty: The whole front matter (empty for `from_string`).
    :ivar prompt_template: The template text after the front matter.
    """

    def __init__(
        self,
        *,
        prompt_template: str,
        api: str = "chat",
        model_name: Optional[str] = None,
        model_configuration: Optional[Mapping[str, Any]] = None,
        params: Optional[Mapping[str, Any]] = None,
        prompty: Optional[Mapping[str, Any]] = None,
        defaults: Optional[Mapping[str, Any]] = None,
    ) -> None:
        _require(prompt_template, str, "prompt_template must be a str")
        if api != "chat":
            raise ValueError(f"api must be 'chat', the only API prompt templates serve; got {api!r}")
        self.prompt_template = prompt_template
        self.api = api
        self.model_name = model_name
        self.model_configuration: dict[str, Any] = dict(model_configuration or {})
        self.parameters: dict[str, Any] = dict(params or {})
        self.prompty: dict[str, Any] = dict(prompty or {})
        self._defaults: dict[str, Any] = dict(defaults or {})
        render(prompt_template, {})  # fail now, not at the first call, on a malformed template

    @classmethod
    def from_string(
        cls,
        prompt_template: str,
        api: str = "chat",
        model_name: Optional[str] = None,
        model_configuration: Optional[Mapping[str, Any]] = None,
        params: Optional[Mapping[str, Any]] = None,
    ) -> "PromptTemplate":
        """A template from text: role lines and mustache placeholders, without front matter.

        :param prompt_template: The template, such as `"system:\\nYou help {{name}}.\\n\\nuser:\\n{{input}}"`.
        :param api: `"chat"`.
        :param model_name: The model the template is for, kept in `model_name`.
        :param model_configuration: Kept in `model_configuration`.
        :param params: Call parameters, kept in `parameters`.
        :raises ValueError: for a malformed template.
        """
        return cls(
            prompt_template=prompt_template,
            api=api,
            model_name=model_name,
            model_configuration=model_configuration,
            params=params,
        )

    @classmethod
    def from_prompty(cls, file_path: str) -> "PromptTemplate":
        """A template from a Prompty file.

        :param file_path: The file's path; a relative path is looked up beside the calling module first, then in
         the working directory.
        :raises ImportError: when PyYAML is not installed (the `prompts` extra).
        :raises ValueError: for a file without front matter, or with front matter that is not a YAML mapping.
        :raises OSError: when the file cannot be read.
        """
        _require(file_path, str, "file_path must be a str")
        path = file_path
        frame = inspect.currentframe()
        if not os.path.isabs(path) and frame is not None and frame.f_back is not None:
            caller = frame.f_back.f_globals.get("__file__")
            if isinstance(caller, str):
                beside = os.path.join(os.path.dirname(os.path.abspath(caller)), path)
                if os.path.exists(beside):
                    path = beside
        with open(path, encoding="utf-8") as f:
            text = f.read()
        match = _FRONT_MATTER.match(text)
        if match is None:
            raise ValueError(f"{file_path}: a Prompty file starts with YAML front matter between '---' lines")
        front = _load_yaml(match.group(1), file_path)
        model = _mapping(front.get("model"), "model")
        configuration = _mapping(model.get("configuration"), "model.configuration")
        defaults = _mapping(front.get("sample"), "sample") if isinstance(front.get("sample"), Mapping) else {}
        for name, spec in _mapping(front.get("inputs"), "inputs").items():
            if isinstance(spec, Mapping) and "default" in spec:
                defaults.setdefault(name, cast(Mapping[str, Any], spec)["default"])
        deployment = configuration.get("azure_deployment") or configuration.get("model") or configuration.get("name")
        return cls(
            prompt_template=match.group(2),
            api=str(model.get("api") or "chat"),
            model_name=str(deployment) if deployment is not None else None,
            model_configuration=configuration,
            params=_mapping(model.get("parameters"), "model.parameters"),
            prompty=front,
            defaults=defaults,
        )

    def create_messages(self, data: Optional[Mapping[str, Any]] = None, **kwargs: Any) -> list[dict[str, str]]:
        """Render the template and split it into chat messages.

        :param data: The values of the placeholders; keyword arguments add to (and override) them. Values the
         Prompty file's `sample` or `inputs` defaults give are used for names neither gives.
        :return: Message dicts such as `{"role": "user", "content": "..."}`, to pass as `messages=`.
        :rtype: list[dict[str, str]]
        """
        if data is not None:
            _require(data, Mapping, "data must be a dict")
        values = {**self._defaults, **(data or {}), **kwargs}
        return _messages(render(self.prompt_template, values))

    def __repr__(self) -> str:
        return f"PromptTemplate(api={self.api!r}, model_name={self.model_name!r})"
