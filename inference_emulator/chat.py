# Chat completions: request validation, the deterministic reply rule, the non-streaming body and the
# list of streamed chunks (framing on the wire is sse.py's job).
from __future__ import annotations

import itertools
import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import ApiError, invalid, unsupported
from .limits import MAX_ANSWER_TOKENS, MAX_STOP_SEQUENCES, MAX_TOOLS, count_words, too_much
from .schema_answer import schema_answer, tool_arguments

__all__ = [
    "ChatPlan",
    "ResponseMeta",
    "validate_chat",
    "plan_chat",
    "check_answer_size",
    "completion_body",
    "stream_chunks",
    "tokenize",
]

REPLY_PREFIX = "Emulated reply to: "
TOOL_REPLY_PREFIX = "Tool result received: "
REASONING_PREFIX = "Thinking about: "
# A token is one non-blank run with the blanks around it; "".join(tokenize(s)) == s unless s is blank.
TOKEN_RE = re.compile(r"\s*\S+\s*")
ROLES = ("system", "developer", "user", "assistant", "tool")
_TOOL_NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_SCHEMA_NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_MISSING = object()
_NAME_RUN_RE = re.compile(r"[\w-]+")


def tokenize(text: str) -> list[str]:
    return TOKEN_RE.findall(text)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# --- validation -------------------------------------------------------------------------------------------


def _validate_content_items(items: list[Any], target: str, text_only: bool) -> None:
    if not items:
        raise invalid(f"'{target}' must not be an empty list.", target)
    for j, item in enumerate(items):
        where = f"{target}[{j}]"
        if not isinstance(item, dict):
            raise invalid(f"'{where}' must be an object.", where)
        kind = item.get("type")
        if kind == "text":
            if not isinstance(item.get("text"), str):
                raise invalid(f"'{where}.text' must be a string.", f"{where}.text")
        elif text_only:
            raise invalid(f"'{where}.type' must be 'text' for this role.", f"{where}.type")
        elif kind in _CONTENT_ITEM_CHECKS:
            _CONTENT_ITEM_CHECKS[kind](item, where)
        else:
            raise invalid(f"'{where}.type' {kind!r} is not a known content item type.", f"{where}.type")


def _check_image_item(item: Mapping[str, Any], where: str) -> None:
    image = item.get("image_url")
    if not isinstance(image, dict) or not isinstance(image.get("url"), str):
        raise invalid(f"'{where}.image_url.url' must be a string.", f"{where}.image_url")
    if "detail" in image and image["detail"] not in ("auto", "low", "high"):
        raise invalid(f"'{where}.image_url.detail' must be auto, low or high.", f"{where}.image_url.detail")


def _check_input_audio_item(item: Mapping[str, Any], where: str) -> None:
    audio = item.get("input_audio")
    if not isinstance(audio, dict) or not isinstance(audio.get("data"), str):
        raise invalid(f"'{where}.input_audio.data' must be a base64 string.", f"{where}.input_audio")
    if audio.get("format") not in ("wav", "mp3"):
        raise invalid(f"'{where}.input_audio.format' must be wav or mp3.", f"{where}.input_audio.format")


def _check_audio_input_item(item: Mapping[str, Any], where: str) -> None:
    """The form of the REST specification's 2024-05-01-preview examples."""
    audio = item.get("audio_input")
    if not isinstance(audio, dict) or not isinstance(audio.get("data"), str):
        raise invalid(f"'{where}.audio_input.data' must be a base64 string.", f"{where}.audio_input")
    if audio.get("mime_type") not in ("audio/wav", "audio/mpeg", "audio/mp3"):
        raise invalid(f"'{where}.audio_input.mime_type' must be an audio MIME type.", where)


# The checks of the content items other than text, by type.
_CONTENT_ITEM_CHECKS: dict[str, Callable[[Mapping[str, Any], str], None]] = {
    "image_url": _check_image_item,
    "input_audio": _check_input_audio_item,
    "audio_input": _check_audio_input_item,
}


def _validate_content(message: Mapping[str, Any], target: str, required: bool, text_only: bool) -> None:
    content = message.get("content", _MISSING)
    if content is _MISSING:
        if required:
            raise invalid(f"'{target}.content' is required.", f"{target}.content")
        return
    if isinstance(content, list):
        _validate_content_items(content, f"{target}.content", text_only)
    elif not isinstance(content, str) and content is not None:
        raise invalid(f"'{target}.content' must be a string or a list of content items.", f"{target}.content")


def _validate_tool_calls(calls: Any, target: str) -> None:
    if not isinstance(calls, list) or not calls:
        raise invalid(f"'{target}' must be a non-empty list.", target)
    for j, call in enumerate(calls):
        where = f"{target}[{j}]"
        function = call.get("function") if isinstance(call, dict) else None
        if not isinstance(call, dict) or not isinstance(call.get("id"), str) or call.get("type") != "function":
            raise invalid(f"'{where}' must have a string 'id' and type 'function'.", where)
        if not isinstance(function, dict) or not isinstance(function.get("name"), str):
            raise invalid(f"'{where}.function.name' must be a string.", f"{where}.function")
        if not isinstance(function.get("arguments"), str):
            raise invalid(f"'{where}.function.arguments' must be a JSON string.", f"{where}.function.arguments")


def _validate_message(index: int, message: Any) -> None:
    target = f"messages[{index}]"
    if not isinstance(message, dict):
        raise invalid(f"'{target}' must be an object.", target)
    role = message.get("role")
    if role not in ROLES:
        raise invalid(f"'{target}.role' must be one of {', '.join(ROLES)}; got {role!r}.", f"{target}.role")
    _check_nulls(message, target, role)
    if role == "user":
        _validate_content(message, target, required=True, text_only=False)
    elif role in ("system", "developer"):
        _validate_content(message, target, required=True, text_only=True)
    elif role == "tool":
        _validate_content(message, target, required=True, text_only=True)
        if not isinstance(message.get("tool_call_id"), str):
            raise invalid(f"'{target}.tool_call_id' is required for tool messages.", f"{target}.tool_call_id")
    else:
        _validate_assistant_message(message, target)


def _check_nulls(message: Mapping[str, Any], target: str, role: str) -> None:
    # An assistant message may have null content next to tool calls or an earlier audio answer (`audio: {id}`).
    has_calls = bool(message.get("tool_calls")) or isinstance(message.get("audio"), dict)
    for name, value in message.items():
        if value is None and not (role == "assistant" and name == "content" and has_calls):
            raise invalid(f"'{target}.{name}' must not be null; omit the field instead.", f"{target}.{name}")


def _validate_assistant_message(message: Mapping[str, Any], target: str) -> None:
    _validate_content(message, target, required=False, text_only=True)
    if "audio" in message:
        audio = message["audio"]
        if not isinstance(audio, dict) or not isinstance(audio.get("id"), str):
            raise invalid(f"'{target}.audio' must be an object with a string 'id'.", f"{target}.audio")
    if "tool_calls" in message:
        _validate_tool_calls(message["tool_calls"], f"{target}.tool_calls")
    elif "content" not in message and "audio" not in message:
        raise invalid(f"'{target}' needs 'content' or 'tool_calls'.", target)


def _check_range(body: Mapping[str, Any], name: str, low: float, high: float) -> None:
    if name in body and not (_is_number(body[name]) and low <= body[name] <= high):
        raise invalid(f"'{name}' must be a number between {low} and {high}.", name)


def _validate_response_format(value: Any) -> None:
    kind = value if isinstance(value, str) else value.get("type") if isinstance(value, dict) else None
    if not isinstance(kind, str):
        raise invalid("'response_format' must be a string or an object with a 'type'.", "response_format")
    if kind not in ("text", "json_object", "json_schema") or (kind == "json_schema" and isinstance(value, str)):
        raise unsupported(f"'response_format' type {kind!r} is not supported.", "response_format")
    if kind == "json_schema":
        spec = value.get("json_schema")
        if not isinstance(spec, dict) or not isinstance(spec.get("schema"), dict):
            raise invalid("'response_format.json_schema.schema' must be an object.", "response_format.json_schema")
        if not isinstance(spec.get("name"), str) or not _SCHEMA_NAME_RE.match(spec["name"]):
            raise invalid("'response_format.json_schema.name' must match ^[a-zA-Z0-9_-]{1,64}$.", "response_format")
        if "strict" in spec and not isinstance(spec["strict"], bool):
            raise invalid("'response_format.json_schema.strict' must be a boolean.", "response_format")


def _tool_names(body: Mapping[str, Any]) -> list[str]:
    return [tool["function"]["name"] for tool in body.get("tools", [])]


def _validate_tools(body: Mapping[str, Any]) -> None:
    tools = body.get("tools", _MISSING)
    if tools is not _MISSING:
        if not isinstance(tools, list):
            raise invalid("'tools' must be a list.", "tools")
        if len(tools) > MAX_TOOLS:
            raise too_much(f"'tools' lists {len(tools)} tools; at most {MAX_TOOLS} are accepted", "tools")
        for j, tool in enumerate(tools):
            _validate_tool(j, tool)
    _validate_tool_choice(body)


def _validate_tool(j: int, tool: Any) -> None:
    function = tool.get("function") if isinstance(tool, dict) else None
    if not isinstance(tool, dict) or tool.get("type") != "function" or not isinstance(function, dict):
        raise invalid(f"'tools[{j}]' must be {{'type': 'function', 'function': {{...}}}}.", f"tools[{j}]")
    if not isinstance(function.get("name"), str) or not _TOOL_NAME_RE.match(function["name"]):
        raise invalid(f"'tools[{j}].function.name' must match ^[a-zA-Z0-9_-]{{1,64}}$.", f"tools[{j}]")
    for key, value in function.items():
        if value is None:
            raise invalid(f"'tools[{j}].function.{key}' must not be null.", f"tools[{j}].function.{key}")
    if "parameters" in function and not isinstance(function["parameters"], dict):
        raise invalid(f"'tools[{j}].function.parameters' must be an object.", f"tools[{j}]")


def _validate_tool_choice(body: Mapping[str, Any]) -> None:
    choice = body.get("tool_choice", _MISSING)
    if choice is _MISSING:
        return
    if isinstance(choice, str):
        if choice not in ("auto", "none", "required"):
            raise invalid("'tool_choice' must be auto, none, required or a named function.", "tool_choice")
        if choice == "required" and not body.get("tools"):
            raise invalid("'tool_choice' is 'required' but no tools were given.", "tool_choice")
        return
    function = choice.get("function") if isinstance(choice, dict) else None
    if not isinstance(function, dict) or not isinstance(function.get("name"), str):
        raise invalid("'tool_choice' must be {'type': 'function', 'function': {'name': ...}}.", "tool_choice")
    if function["name"] not in _tool_names(body):
        raise invalid(f"'tool_choice' names the function {function['name']!r}, which is not in 'tools'.", "tool_choice")


REASONING_EFFORTS = ("none", "minimal", "low", "medium", "high")
# Deployment or model names of reasoning models, which reject `max_tokens` on the OpenAI-style shapes.
REASONING_MODEL_RE = re.compile(r"^(?:[a-z-]+/)?(?:o\d|gpt-5)", re.IGNORECASE)


def _check_field(body: Mapping[str, Any], name: str, ok: Callable[[Any], bool], message: str) -> None:
    """A 400 naming `name` with `message` when the body has the field and `ok` refuses its value."""
    if name in body and not ok(body[name]):
        raise invalid(message, name)


def _valid_logit_bias(bias: Any) -> bool:
    return isinstance(bias, dict) and all(
        isinstance(k, str) and k.isdigit() and _is_number(v) and -100 <= v <= 100 for k, v in bias.items()
    )


def _validate_openai_fields(body: Mapping[str, Any], openai: bool, model: str) -> None:
    """OpenAI's standard chat fields, checked the way OpenAI and Azure OpenAI check them."""
    _check_field(
        body,
        "max_completion_tokens",
        lambda v: _is_int(v) and v >= 0,
        "'max_completion_tokens' must be an integer >= 0.",
    )
    _check_field(
        body,
        "reasoning_effort",
        lambda v: v in REASONING_EFFORTS,
        f"'reasoning_effort' must be one of {', '.join(REASONING_EFFORTS)}.",
    )
    for name in ("parallel_tool_calls", "logprobs"):
        _check_field(body, name, lambda v: isinstance(v, bool), f"'{name}' must be a boolean.")
    _check_field(body, "n", lambda v: _is_int(v) and 1 <= v <= 128, "'n' must be an integer between 1 and 128.")
    _check_field(body, "user", lambda v: isinstance(v, str), "'user' must be a string.")
    if "top_logprobs" in body:
        if not (_is_int(body["top_logprobs"]) and 0 <= body["top_logprobs"] <= 20):
            raise invalid("'top_logprobs' must be an integer between 0 and 20.", "top_logprobs")
        if body.get("logprobs") is not True:
            raise invalid("'logprobs' must be set to true when 'top_logprobs' is given.", "top_logprobs")
    _check_field(
        body, "logit_bias", _valid_logit_bias, "'logit_bias' must map token ids to numbers between -100 and 100."
    )
    if openai:
        _validate_openai_dialect(body, model)


def _validate_openai_dialect(body: Mapping[str, Any], model: str) -> None:
    """What OpenAI's own endpoints refuse and the model inference API accepts."""
    if "stream_options" in body and body.get("stream") is not True:
        raise invalid("The 'stream_options' parameter is only allowed when 'stream' is enabled.", "stream_options")
    if "max_tokens" in body and REASONING_MODEL_RE.match(model):
        raise ApiError(
            400,
            "unsupported_parameter",
            "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' "
            "instead.",
            "max_tokens",
        )


def validate_chat(body: Mapping[str, Any], openai: bool = False, model: str = "") -> None:
    """Raise a 400 (or 422) for a request a real endpoint would reject.

    `openai`: the endpoint speaks OpenAI's dialect (Azure OpenAI, GitHub Models, OpenAI-compatible); `model`: the
    model or deployment name the request is for."""
    messages = body.get("messages", _MISSING)
    if messages is _MISSING:
        raise invalid("'messages' is required.", "messages")
    if not isinstance(messages, list) or not messages:
        raise invalid("'messages' must be a non-empty list.", "messages")
    for index, message in enumerate(messages):
        _validate_message(index, message)
    _check_range(body, "frequency_penalty", -2, 2)
    _check_range(body, "presence_penalty", -2, 2)
    _check_range(body, "temperature", 0, 2)
    _check_range(body, "top_p", 0, 1)
    _check_field(body, "max_tokens", lambda v: _is_int(v) and v >= 0, "'max_tokens' must be an integer >= 0.")
    if "stop" in body:
        _validate_stop(body["stop"])
    _check_field(body, "seed", _is_int, "'seed' must be an integer.")
    _check_field(body, "model", lambda v: isinstance(v, str), "'model' must be a string.")
    _check_field(body, "stream", lambda v: isinstance(v, bool), "'stream' must be a boolean.")
    _check_field(
        body,
        "stream_options",
        lambda v: isinstance(v, dict) and isinstance(v.get("include_usage", False), bool),
        "'stream_options' must be an object like {'include_usage': true}.",
    )
    if "response_format" in body:
        _validate_response_format(body["response_format"])
    _validate_tools(body)
    _validate_openai_fields(body, openai, model)


def _validate_stop(stop: Any) -> None:
    if not (isinstance(stop, str) or (isinstance(stop, list) and stop and all(isinstance(s, str) for s in stop))):
        raise invalid("'stop' must be a string or a non-empty list of strings.", "stop")
    if isinstance(stop, list) and len(stop) > MAX_STOP_SEQUENCES:
        raise too_much(f"'stop' lists {len(stop)} sequences; at most {MAX_STOP_SEQUENCES} are accepted", "stop")


# --- the deterministic answer -----------------------------------------------------------------------------


def content_text(content: Any) -> str:
    """A message content as text: the string itself, or its text items joined with single spaces."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(item["text"] for item in content if isinstance(item, dict) and item.get("type") == "text")
    return ""


@dataclass
class ChatPlan:
    """Everything a chat answer contains, independent of streaming or not."""

    tokens: list[str]
    finish_reason: str
    prompt_tokens: int
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    reasoning: str | None = None

    @property
    def content(self) -> str | None:
        return None if self.tool_calls else "".join(self.tokens)

    @property
    def completion_tokens(self) -> int:
        if self.tool_calls:
            return sum(len(tokenize(call["function"]["arguments"])) for call in self.tool_calls)
        return len(self.tokens)


def _mentioned_tools(text: str, names: list[str]) -> list[str]:
    """The tools named after the word "call", in the order of their first mention: a name counts where it is a
    whole run of word characters and hyphens. One pass over the text, however many tools there are."""
    call = re.search(r"\bcall\b", text, re.IGNORECASE)
    if call is None:
        return []
    wanted = set(names)
    found: list[str] = []
    for match in _NAME_RUN_RE.finditer(text, call.end()):
        name = match.group()
        if name in wanted:
            wanted.discard(name)
            found.append(name)
            if not wanted:
                break
    return found


def _schema_object(spec: Mapping[str, Any], text: str) -> Any:
    return schema_answer(spec.get("schema", {}), text)


def plan_chat(
    body: Mapping[str, Any], next_call_id: Callable[[], str], suffix: str = "", big_token: str | None = None
) -> ChatPlan:
    """Apply the documented reply rule to a validated request."""
    messages: list[dict[str, Any]] = body["messages"]
    prompt_tokens = sum(count_words(content_text(m.get("content"))) for m in messages)
    user_text = next((content_text(m.get("content")) for m in reversed(messages) if m["role"] == "user"), "")
    last_is_tool = messages[-1]["role"] == "tool"
    reasoning = REASONING_PREFIX + user_text if re.search(r"\bthink\b", user_text, re.IGNORECASE) else None

    called = _called_tools(body, user_text, last_is_tool)
    if called:
        parameters = {tool["function"]["name"]: tool["function"].get("parameters") for tool in body["tools"]}
        calls = [
            {"id": next_call_id(), "type": "function", "function": {"name": name, "arguments": arguments}}
            for name in called
            for arguments in [json.dumps(tool_arguments(parameters.get(name), user_text), ensure_ascii=False)]
        ]
        return ChatPlan([], "tool_calls", prompt_tokens, tool_calls=calls, reasoning=reasoning)

    if last_is_tool:
        text = TOOL_REPLY_PREFIX + content_text(messages[-1].get("content"))
    else:
        text = REPLY_PREFIX + user_text
    text += suffix
    if "seed" in body:
        text += f" (seed {body['seed']})"
    tokens, finish_reason = _answer_tokens(body, _stopped(body, _formatted(body, text)))
    if big_token is not None:
        tokens.append(big_token)
    return ChatPlan(tokens, finish_reason, prompt_tokens, reasoning=reasoning)


def _called_tools(body: Mapping[str, Any], user_text: str, last_is_tool: bool) -> list[str]:
    """The tools the answer calls: the one `tool_choice` names, else those the last user message asks to call
    (none after a tool's answer), else with `tool_choice` "required" the first tool."""
    names = _tool_names(body)
    choice = body.get("tool_choice", "auto")
    if not names or choice == "none":
        return []
    called: list[str] = []
    if isinstance(choice, dict):
        called = [choice["function"]["name"]]
    elif not last_is_tool:
        called = _mentioned_tools(user_text, names)
    if not called and choice == "required":
        called = [names[0]]
    return called


def _formatted(body: Mapping[str, Any], text: str) -> str:
    """The answer in the `response_format` asked for."""
    response_format = body.get("response_format", "text")
    kind = response_format if isinstance(response_format, str) else response_format.get("type")
    if kind == "json_object":
        return json.dumps({"reply": text}, ensure_ascii=False)
    if kind == "json_schema":
        return json.dumps(_schema_object(response_format["json_schema"], text), ensure_ascii=False)
    return text


def _stopped(body: Mapping[str, Any], text: str) -> str:
    """The answer cut before the first of the `stop` sequences it holds."""
    stops = body.get("stop", [])
    positions = [text.find(s) for s in ([stops] if isinstance(stops, str) else stops) if s]
    positions = [p for p in positions if p >= 0]
    return text[: min(positions)] if positions else text


def _answer_tokens(body: Mapping[str, Any], text: str) -> tuple[list[str], str]:
    """The answer's tokens, at most `max_tokens` (and `max_completion_tokens`) of them, and the finish reason."""
    limits = [body[name] for name in ("max_tokens", "max_completion_tokens") if name in body]
    max_tokens = min(limits) if limits else None
    # Never more tokens than an answer may hold (check_answer_size refuses a plan past it), so that a long message
    # costs no memory beyond that.
    cap = MAX_ANSWER_TOKENS + 1 if max_tokens is None else min(max_tokens, MAX_ANSWER_TOKENS) + 1
    tokens = [match.group() for match in itertools.islice(TOKEN_RE.finditer(text), cap)]
    if max_tokens is not None and len(tokens) > max_tokens:
        return tokens[:max_tokens], "length"
    return tokens, "stop"


def check_answer_size(plan: ChatPlan, body: Mapping[str, Any]) -> None:
    """A 400 when the answer would hold more than MAX_ANSWER_TOKENS tokens, over its `n` choices and their
    `top_logprobs` alternatives: the reply echoes the last user message, so a long message asks for a long answer."""
    reasoning = itertools.islice(TOKEN_RE.finditer(plan.reasoning or ""), MAX_ANSWER_TOKENS + 1)
    tokens = plan.completion_tokens + sum(1 for _ in reasoning)
    choices = body.get("n", 1)
    per_token = 1 + (body.get("top_logprobs", 0) if body.get("logprobs") is True else 0)
    if tokens * choices * per_token > MAX_ANSWER_TOKENS:
        parts = [f"{tokens} tokens a choice"] + [f"{choices} choices"] * (choices > 1)
        parts += [f"{per_token - 1} alternatives a token"] * (per_token > 1)
        raise too_much(
            f"the answer would hold {tokens * choices * per_token} tokens ({', '.join(parts)}), more than "
            f"{MAX_ANSWER_TOKENS}: send a shorter message, or set 'max_tokens'",
            "messages",
        )


# --- response bodies --------------------------------------------------------------------------------------


@dataclass
class ResponseMeta:
    """Per-response facts: ids, timestamps and the shape of the endpoint answering."""

    id: str
    created: int
    model: str
    legacy: bool = False
    azure_openai: bool = False
    extras: list[str] | None = None
    openai: bool = False  # OpenAI's usage details
    n: int = 1  # choices per answer
    logprobs: bool = False
    top_logprobs: int = 0


def _usage(plan: ChatPlan, meta: ResponseMeta) -> dict[str, Any]:
    completion = plan.completion_tokens * meta.n
    reasoning = len(tokenize(plan.reasoning)) if meta.openai and plan.reasoning is not None else 0
    completion += reasoning  # OpenAI counts the reasoning tokens among the completion tokens
    usage: dict[str, Any] = {
        "prompt_tokens": plan.prompt_tokens,
        "completion_tokens": completion,
        "total_tokens": plan.prompt_tokens + completion,
    }
    if meta.legacy:
        usage["capacity_type"] = "usage"
    if meta.openai:
        usage["completion_tokens_details"] = {"reasoning_tokens": reasoning}
        usage["prompt_tokens_details"] = {"cached_tokens": 0}
    return usage


def token_logprob(token: str) -> float:
    """The emulated log probability of a token: a function of its length."""
    return -round(0.01 + (len(token.strip()) % 7) * 0.1, 2)


def _logprobs(tokens: list[str], meta: ResponseMeta) -> dict[str, Any]:
    """`choices[i].logprobs` as OpenAI shapes it: one entry per token, with `top_logprobs` alternatives."""

    def entry(token: str, logprob: float) -> dict[str, Any]:
        return {"token": token, "logprob": logprob, "bytes": list(token.encode("utf-8"))}

    content = []
    for token in tokens:
        logprob = token_logprob(token)
        item = entry(token, logprob)
        alternatives = [entry(token, logprob)] + [entry(f"alt{k}", logprob - k) for k in range(1, meta.top_logprobs)]
        item["top_logprobs"] = alternatives[: meta.top_logprobs]
        content.append(item)
    return {"content": content, "refusal": None}


def completion_body(plan: ChatPlan, meta: ResponseMeta) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": plan.content}
    if plan.tool_calls:
        message["tool_calls"] = plan.tool_calls
    if plan.reasoning is not None:
        message["reasoning_content"] = plan.reasoning
    choices: list[dict[str, Any]] = []
    for index in range(meta.n):
        choice: dict[str, Any] = {"index": index, "finish_reason": plan.finish_reason, "message": dict(message)}
        if meta.logprobs:
            choice["logprobs"] = _logprobs(plan.tokens, meta)
        if meta.azure_openai:
            choice["content_filter_results"] = {}
        choices.append(choice)
    body: dict[str, Any] = {
        "id": meta.id,
        "object": "chat.completion",
        "created": meta.created,
        "model": meta.model,
        "system_fingerprint": "emulator",
        "choices": choices,
        "usage": _usage(plan, meta),
    }
    if meta.azure_openai:
        body["prompt_filter_results"] = [{"prompt_index": 0, "content_filter_results": {}}]
    if meta.extras is not None:
        body["emulator_extras"] = meta.extras
    return body


def _pieces(text: str, count: int = 4) -> list[str]:
    size = max(1, -(-len(text) // count))
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


def stream_chunks(
    plan: ChatPlan, meta: ResponseMeta, include_usage: bool, empty_choices: bool = False, repeat_ids: bool = False
) -> list[dict[str, Any]]:
    """The streamed updates, in order, without the final [DONE].

    `repeat_ids` repeats each tool call's id, type and name in every argument delta, as llama.cpp does."""

    def chunk(delta: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
        return {
            "id": meta.id,
            "object": "chat.completion.chunk",
            "created": meta.created,
            "model": meta.model,
            "system_fingerprint": "emulator",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
        }

    chunks: list[dict[str, Any]] = []
    if empty_choices:
        chunks.append(
            {
                "id": "",
                "object": "",
                "created": 0,
                "model": "",
                "choices": [],
                "prompt_filter_results": [{"prompt_index": 0, "content_filter_results": {}}],
            }
        )
    first = chunk({"role": "assistant", "content": ""})
    if meta.extras is not None:
        first["emulator_extras"] = meta.extras
    chunks.append(first)
    if plan.reasoning is not None:
        chunks.extend(chunk({"reasoning_content": piece}) for piece in tokenize(plan.reasoning))
    if plan.tool_calls:
        chunks.extend(chunk({"tool_calls": [delta]}) for delta in _tool_call_deltas(plan.tool_calls, repeat_ids))
    else:
        for token in plan.tokens:
            token_chunk = chunk({"content": token})
            if meta.logprobs:
                token_chunk["choices"][0]["logprobs"] = _logprobs([token], meta)
            chunks.append(token_chunk)
    chunks.append(chunk({}, plan.finish_reason))
    if meta.n > 1:  # each update once per choice, in index order
        chunks = [_with_index(c, index) for c in chunks for index in range(meta.n if c["choices"] else 1)]
    if include_usage or empty_choices:
        usage_chunk = chunk({})
        usage_chunk["choices"] = []
        usage_chunk["usage"] = _usage(plan, meta)
        chunks.append(usage_chunk)
    return chunks


def _tool_call_deltas(calls: list[dict[str, Any]], repeat_ids: bool) -> list[dict[str, Any]]:
    """The streamed `tool_calls` deltas: each call's head (id, type, name), then the arguments in pieces, the
    calls taking turns."""
    deltas: list[dict[str, Any]] = []
    for index, call in enumerate(calls):
        head = {"index": index, "id": call["id"], "type": "function"}
        head["function"] = {"name": call["function"]["name"], "arguments": ""}
        deltas.append(head)
    pieces = [_pieces(call["function"]["arguments"]) for call in calls]
    for step in range(max(len(p) for p in pieces)):
        for index, call_pieces in enumerate(pieces):
            if step < len(call_pieces):
                piece: dict[str, Any] = {"index": index, "function": {"arguments": call_pieces[step]}}
                if repeat_ids:
                    call = calls[index]
                    piece.update(id=call["id"], type="function")
                    piece["function"]["name"] = call["function"]["name"]
                deltas.append(piece)
    return deltas


def _with_index(chunk: dict[str, Any], index: int) -> dict[str, Any]:
    if not chunk["choices"]:
        return chunk
    return {**chunk, "choices": [{**chunk["choices"][0], "index": index}]}
