# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""Prompty files: `load_prompty(path)` reads one into a `Prompty`, the object 1.0.0b9's `PromptTemplate.prompty`
was (`.model.api`, `.model.configuration`, `.model.parameters`, `.name`, `.inputs`, `.sample`, `.template`, ...,
and `to_safe_dict()` with secret configuration values masked).

A Prompty file is YAML front matter between `---` lines, then the template. Bounds, each a clear ValueError: the
file holds at most `MAX_PROMPTY_BYTES` and must be a regular file (a FIFO or a device is refused before it is
opened); the front matter may not use YAML anchors or aliases (`&name`, `*name`, so `<<: *base` merges too: they
are how a few hundred bytes of YAML expand to gigabytes) and nests at most `MAX_NESTING` deep. String values of the
form `${env:NAME}` or `${env:NAME:default}` are read from the environment, as 1.0.0b9 did.

Strategy: split the text at its `---` lines by hand, load the front matter with a `yaml.SafeLoader` subclass that
refuses what it must, then build the dataclasses. Only this module imports PyYAML (the `prompts` extra), and only
when a file is loaded.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Optional, Union, cast

from ._mustache import MAX_NESTING

__all__ = ["MAX_PROMPTY_BYTES", "ModelSettings", "PropertySettings", "Prompty", "TemplateSettings", "load_prompty"]

MAX_PROMPTY_BYTES = 1024 * 1024
"""The largest Prompty file read, in bytes."""

_SECRET_WORDS = ("key", "secret", "password", "passwd", "pwd", "token", "connection", "credential", "signature", "sas")


def _is_secret(name: str) -> bool:
    lowered = name.lower()
    return any(word in lowered for word in _SECRET_WORDS)


def _masked(configuration: Mapping[str, Any]) -> dict[str, Any]:
    """The configuration with the values of secret-looking keys (at any depth) replaced by asterisks."""
    masked: dict[str, Any] = {}
    for name, value in configuration.items():
        if _is_secret(str(name)):
            masked[name] = "*" * len(value) if isinstance(value, str) else "********"
        elif isinstance(value, Mapping):
            masked[name] = _masked(cast(Mapping[str, Any], value))
        else:
            masked[name] = value
    return masked


class _ItemAccess:
    """`settings["name"]` reads the field `name`, for code that read the front matter as a dict."""

    def __getitem__(self, name: str) -> Any:
        key = str(name)
        if key.startswith("_") or key not in getattr(self, "__dataclass_fields__"):
            raise KeyError(name)
        return getattr(self, key)

    def get(self, name: str, default: Any = None) -> Any:
        """The field `name`, or `default` when there is no such field."""
        try:
            return self[name]
        except KeyError:
            return default


@dataclass
class PropertySettings(_ItemAccess):
    """One of a Prompty file's `inputs` or `outputs`: its `type`, `default` and `description`."""

    type: str = ""
    default: Any = None
    description: str = ""


@dataclass(repr=False)
class ModelSettings(_ItemAccess):
    """A Prompty file's `model`: `api` (`chat`), `configuration` (where the model is), `parameters` (temperature,
    max_tokens, ..., to pass to a call) and `response` (a mapping, or a word such as `first`, as written). Its repr
    masks secret configuration values."""

    api: str = ""
    configuration: dict[str, Any] = field(default_factory=dict[str, Any])
    parameters: dict[str, Any] = field(default_factory=dict[str, Any])
    response: Union[dict[str, Any], str] = field(default_factory=dict[str, Any])

    def __repr__(self) -> str:
        return (
            f"ModelSettings(api={self.api!r}, configuration={_masked(self.configuration)!r}, "
            f"parameters={self.parameters!r}, response={self.response!r})"
        )


@dataclass
class TemplateSettings(_ItemAccess):
    """A Prompty file's `template`: its `type` (`mustache`, the only one rendered) and `parser`."""

    type: str = "mustache"
    parser: str = ""


@dataclass
class Prompty(_ItemAccess):  # pylint: disable=too-many-instance-attributes
    """A Prompty file's front matter and template, as `PromptTemplate.from_prompty` read it.

    `content` is the template text; `file` the file's absolute path. `base` inheritance is not supported (a file
    that names one is refused), so `basePrompty` is always None.
    """

    name: str = ""
    description: str = ""
    authors: list[str] = field(default_factory=list[str])
    tags: list[str] = field(default_factory=list[str])
    version: str = ""
    base: str = ""
    basePrompty: Optional["Prompty"] = None  # pylint: disable=invalid-name
    model: ModelSettings = field(default_factory=ModelSettings)
    sample: dict[str, Any] = field(default_factory=dict[str, Any])
    inputs: dict[str, PropertySettings] = field(default_factory=dict[str, PropertySettings])
    outputs: dict[str, PropertySettings] = field(default_factory=dict[str, PropertySettings])
    template: TemplateSettings = field(default_factory=TemplateSettings)
    file: Union[Path, str] = ""
    content: str = ""

    def to_safe_dict(self) -> dict[str, Any]:
        """`model`, `template`, `inputs`, `outputs` and `file` as plain data, with the values of configuration keys
        that look secret (their name holds key, secret, password, token, connection, credential, ...) masked.

        :rtype: dict[str, Any]
        """
        safe: dict[str, Any] = {
            "model": {
                "api": self.model.api,
                "configuration": _masked(self.model.configuration),
                "parameters": dict(self.model.parameters),
                "response": self.model.response if isinstance(self.model.response, str) else dict(self.model.response),
            },
            "template": asdict(self.template),
        }
        if self.inputs:
            safe["inputs"] = {name: asdict(spec) for name, spec in self.inputs.items()}
        if self.outputs:
            safe["outputs"] = {name: asdict(spec) for name, spec in self.outputs.items()}
        if self.file:
            safe["file"] = self.file.as_posix() if isinstance(self.file, Path) else self.file
        return safe


class _Refused(ValueError):
    pass


def _load_yaml(text: str) -> Any:
    try:
        import yaml  # pylint: disable=import-outside-toplevel
    except ImportError as exc:
        raise ImportError("Reading a Prompty file needs PyYAML: pip install 'azure-ai-inference[prompts]'") from exc

    class _BoundedLoader(yaml.SafeLoader):  # pylint: disable=too-many-ancestors
        """SafeLoader without anchors and aliases, and with a bound on nesting."""

        depth = 0

        def compose_node(self, parent: Optional[yaml.Node], index: Any) -> Optional[yaml.Node]:
            event: Any = cast(Any, self).peek_event()
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
                raise _Refused("YAML anchors and aliases (&name, *name) are not supported in the front matter")
            self.depth += 1
            if self.depth > MAX_NESTING:
                raise _Refused(f"the front matter nests deeper than {MAX_NESTING}")
            try:
                return super().compose_node(parent, index)  # type: ignore[no-untyped-call, unused-ignore]
            finally:
                self.depth -= 1

    loader = _BoundedLoader(text)
    try:
        return loader.get_single_data()
    except _Refused:
        raise
    except (yaml.YAMLError, ValueError, RecursionError) as exc:
        raise ValueError(f"the front matter is not valid YAML: {exc}") from exc
    finally:
        loader.dispose()  # type: ignore[no-untyped-call, unused-ignore]


def _split_front_matter(text: str) -> Optional[tuple[str, str]]:
    """The front matter and the template, or None when the text does not open with a `---` line."""
    start = len(text) - len(text.lstrip("\ufeff \t\r\n"))
    first = text.find("\n", start)
    if first < 0 or text[start:first].rstrip() != "---":
        return None
    line = first + 1
    while line < len(text):
        newline = text.find("\n", line)
        end = len(text) if newline < 0 else newline
        if text[line:end].rstrip() == "---":
            return text[first + 1 : line], text[min(end + 1, len(text)) :]
        line = end + 1
    return None


def _environment(value: Any, where: str) -> Any:
    """`${env:NAME}` and `${env:NAME:default}` strings replaced by the environment's values, at any depth."""
    if isinstance(value, str):
        stripped = value.strip()
        if not (stripped.startswith("${") and stripped.endswith("}")):
            return value
        kind, _, rest = stripped[2:-1].partition(":")
        name, _, default = rest.partition(":")
        if kind != "env" or not name:
            raise ValueError(f"{where}: {stripped!r}: only ${{env:NAME}} and ${{env:NAME:default}} are supported")
        if name in os.environ:
            return os.environ[name]
        if default:
            return default
        raise ValueError(f"{where}: the environment variable {name} is not set")
    if isinstance(value, Mapping):
        mapping: Mapping[Any, Any] = cast(Mapping[Any, Any], value)  # type: ignore[redundant-cast, unused-ignore]
        return {key: _environment(item, where) for key, item in mapping.items()}
    if isinstance(value, list):
        items: list[Any] = cast(list[Any], value)  # type: ignore[redundant-cast, unused-ignore]
        return [_environment(item, where) for item in items]
    return value


def _mapping(value: Any, where: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ValueError(f"{where} must be a mapping")
    mapping: Mapping[Any, Any] = cast(Mapping[Any, Any], value)  # type: ignore[redundant-cast, unused-ignore]
    return {str(key): item for key, item in mapping.items()}


def _response(value: Any) -> Union[dict[str, Any], str]:
    return value if isinstance(value, str) else _mapping(value, "model.response")


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _strings(value: Any, where: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list):
        raise ValueError(f"{where} must be a list of strings")
    return [str(item) for item in cast(list[Any], value)]  # type: ignore[redundant-cast, unused-ignore]


def _properties(value: Any, where: str) -> dict[str, PropertySettings]:
    properties: dict[str, PropertySettings] = {}
    for name, spec in _mapping(value, where).items():
        spec = _mapping(spec, f"{where}.{name}")
        properties[name] = PropertySettings(
            type=_text(spec.get("type")), default=spec.get("default"), description=_text(spec.get("description"))
        )
    return properties


def _template_settings(value: Any) -> TemplateSettings:
    if value is None:
        settings = TemplateSettings(type="mustache", parser="prompty")
    elif isinstance(value, str):
        settings = TemplateSettings(type=value, parser="prompty")
    else:
        spec = _mapping(value, "template")
        settings = TemplateSettings(type=_text(spec.get("type") or "mustache"), parser=_text(spec.get("parser")))
    if settings.type.lower() != "mustache":
        raise ValueError(f"template type {settings.type!r} is not supported; templates are mustache")
    return settings


def _read(path: str) -> str:
    info = os.stat(path)
    if not stat.S_ISREG(info.st_mode):
        raise ValueError(f"{path}: not a regular file")
    with open(path, "rb") as f:
        data = f.read(MAX_PROMPTY_BYTES + 1)
    if len(data) > MAX_PROMPTY_BYTES:
        raise ValueError(f"{path}: a Prompty file holds at most {MAX_PROMPTY_BYTES} bytes")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: not UTF-8 text: {exc}") from exc


def load_prompty(path: str) -> Prompty:
    """Read and check a Prompty file.

    :param path: The file's path.
    :raises ImportError: when PyYAML is not installed (the `prompts` extra).
    :raises ValueError: for a file that is not a regular file, is too large, has no front matter, or whose front
     matter is not a YAML mapping or uses what is refused.
    :raises OSError: when the file cannot be read.
    """
    text = _read(path)
    parts = _split_front_matter(text)
    if parts is None:
        raise ValueError(f"{path}: a Prompty file starts with YAML front matter between '---' lines")
    try:
        loaded = _load_yaml(parts[0])
        if loaded is not None and not isinstance(loaded, Mapping):
            raise ValueError("the front matter must be a YAML mapping")
        front = _mapping(_environment(loaded, path), "the front matter")
        if front.get("base"):
            raise ValueError("base Prompty files ('base:') are not supported")
        model = _mapping(front.get("model"), "model")
        prompty = Prompty(
            name=_text(front.get("name")),
            description=_text(front.get("description")),
            authors=_strings(front.get("authors"), "authors"),
            tags=_strings(front.get("tags"), "tags"),
            version=_text(front.get("version")),
            model=ModelSettings(
                api=_text(model.get("api")),
                configuration=_mapping(model.get("configuration"), "model.configuration"),
                parameters=_mapping(model.get("parameters"), "model.parameters"),
                response=_response(model.get("response")),
            ),
            sample=_mapping(front.get("sample"), "sample"),
            inputs=_properties(front.get("inputs"), "inputs"),
            outputs=_properties(front.get("outputs"), "outputs"),
            template=_template_settings(front.get("template")),
            file=Path(path).resolve(),
            content=parts[1],
        )
    except ValueError as exc:
        message = str(exc)
        raise ValueError(message if message.startswith(path) else f"{path}: {message}") from exc
    return prompty
