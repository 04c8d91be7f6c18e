# Request dispatch: records each request, resolves faults (header or `/fault/<spec>` path prefix), routing,
# auth and extra-parameters, then answers each operation and applies the response-shaping faults.
from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from multidict import CIMultiDict

from .chat import ResponseMeta, check_answer_size, completion_body, plan_chat, stream_chunks, validate_chat
from .embeddings import embeddings_pieces, validate_embeddings
from .errors import ApiError, invalid
from .faults import FaultSpec, FaultSpecError, parse_fault
from .images import image_colour, image_data, png_bytes, validate_images
from .limits import YIELD_EVERY_VALUES, too_deep, too_large
from .protocol import Route, check_auth, extra_parameters_mode, reject_nulls, resolve_route, split_extras
from .sse import StreamAborted, abort_connection, build_payloads, dumps, encode_frames, write_frames
from .state import EmulatorState, RecordedRequest

__all__ = ["make_handler", "BIG_EVENT_TEXT", "SPLIT_UTF8_SUFFIX", "GATEWAY_PAGE"]

Handler = Callable[[web.BaseRequest], Awaitable[web.StreamResponse]]

BIG_EVENT_TEXT = "0123456789abcdef" * 65536  # 1 MiB, one token
SPLIT_UTF8_SUFFIX = " café 日本"
GATEWAY_PAGE = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n"
    "<hr><center>emulated-gateway</center>\r\n</body>\r\n</html>\r\n"
)
_FAULT_PREFIX_RE = re.compile(r"^/fault/([^/]+)(/.*)?$")
_IMAGE_RE = re.compile(r"^/emulator/images/([A-Za-z0-9_-]+)\.png$")
_STATUS_CODES = {
    408: "RequestTimeout",
    429: "TooManyRequests",
    500: "InternalServerError",
    502: "BadGateway",
    503: "ServiceUnavailable",
    504: "GatewayTimeout",
}


class _Exchange:
    """One request being answered: the response headers every answer carries and the active fault."""

    def __init__(self, request: web.BaseRequest, state: EmulatorState) -> None:
        self.request = request
        self.state = state
        self.fault: FaultSpec | None = None
        self.headers: dict[str, str] = {"x-request-id": str(uuid.uuid4()), "apim-request-id": str(uuid.uuid4())}
        client_request_id = request.headers.get("x-ms-client-request-id")
        if client_request_id:
            self.headers["x-ms-client-request-id"] = client_request_id

    @property
    def fault_name(self) -> str | None:
        return self.fault.name if self.fault is not None else None

    def text(self, status: int, text: str, content_type: str, headers: dict[str, str] | None = None) -> web.Response:
        merged = {**self.headers, **(headers or {})}
        return web.Response(status=status, text=text, content_type=content_type, headers=merged)

    def json(self, status: int, body: Any, headers: dict[str, str] | None = None) -> web.Response:
        return self.text(status, dumps(body), "application/json", headers)

    def error(self, exc: ApiError) -> web.Response:
        return self.json(exc.status, exc.body(), {**exc.headers, "x-ms-error-code": exc.code})

    def ok(self, body: Any) -> web.Response:
        """A 200 JSON answer, unless a fault garbles it."""
        return self.ok_text(dumps(body))

    def ok_text(self, text: str) -> web.Response:
        """A 200 answer of JSON text, unless a fault garbles it."""
        if self.fault_name == "wrong-content-type":
            return self.text(200, text, "text/plain")
        if self.fault_name == "malformed-json":
            return self.text(200, text[: len(text) // 2], "application/json")
        return self.text(200, text, "application/json")


def make_handler(state: EmulatorState) -> Handler:
    """The aiohttp low-level request handler for one emulator."""

    async def handle(request: web.BaseRequest) -> web.StreamResponse:
        if request.version >= (1, 1) and request.headers.get("Expect", "").lower() == "100-continue":
            await request.writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            request.writer.output_size = 0
        exchange = _Exchange(request, state)
        try:
            raw = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return exchange.error(too_large())
        parsed, parse_error = _load_json(raw)
        headers: CIMultiDict[str] = CIMultiDict(request.headers)
        record = RecordedRequest(request.method, request.path, dict(request.query), headers, raw, parsed)
        state.record(record)
        if state.latency > 0:
            await asyncio.sleep(state.latency)
        try:
            return await _dispatch(exchange, parsed, parse_error)
        except ApiError as exc:
            return exchange.error(exc)
        except RecursionError:  # JSON the parser read, nested too deeply for the code after it
            return exchange.error(too_deep())
        except FaultSpecError as exc:
            return exchange.error(ApiError(400, "InvalidEmulatorFault", str(exc), "x-emulator-fault"))
        except (StreamAborted, ConnectionError):
            # The connection is gone (aborted on purpose or by the client): nothing left to answer.
            raise asyncio.CancelledError() from None

    return handle


def _number_text(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)


def _gate_response(ex: _Exchange, spec: FaultSpec) -> web.Response | None:
    """Faults that answer instead of the operation."""
    name = spec.name
    if name == "rate-limit":
        seconds = _number_text(spec.number("retry_after", 1))
        message = f"Requests to the emulated deployment have exceeded the rate limit. Retry after {seconds} seconds."
        return ex.error(ApiError(429, "TooManyRequests", message, headers={"Retry-After": seconds}))
    if name == "rate-limit-ms":
        millis = _number_text(spec.number("retry_after_ms", spec.number("retry_after", 1000)))
        message = f"Requests to the emulated deployment have exceeded the rate limit. Retry after {millis} ms."
        return ex.error(ApiError(429, "TooManyRequests", message, headers={"retry-after-ms": millis}))
    if name == "status-then-ok":
        status = spec.integer("status", 500)
        if not 400 <= status <= 599:
            raise FaultSpecError(f"status-then-ok needs an error status (400-599), got {status}")
        headers: dict[str, str] = {}
        if "retry_after" in spec.params:
            headers["Retry-After"] = _number_text(spec.number("retry_after", 0))
        if "retry_after_ms" in spec.params:
            headers["retry-after-ms"] = _number_text(spec.number("retry_after_ms", 0))
        code = _STATUS_CODES.get(status, f"Status{status}")
        return ex.error(ApiError(status, code, f"The emulated service answered {status} ({code}).", headers=headers))
    if name == "html-502":
        return ex.text(502, GATEWAY_PAGE, "text/html")
    if name == "status-body":
        return ex.json(401, {"status": "Invalid auth token"})
    if name == "detail-body":
        return ex.json(404, {"detail": "Not Found"})
    if name == "plain-text":
        return ex.text(500, "Internal Server Error", "text/plain")
    return None


def _load_json(raw: bytes) -> tuple[Any, ApiError | None]:
    """The body's JSON (None when there is none), or the 400 to answer when a body is needed and it is not JSON."""
    if not raw:
        return None, invalid("The request body is not valid JSON.")
    try:
        return json.loads(raw), None
    except RecursionError:
        return None, too_deep()
    except ValueError:
        return None, invalid("The request body is not valid JSON.")


def _parse_body(parsed: Any, parse_error: ApiError | None) -> dict[str, Any]:
    if parse_error is not None:
        raise parse_error
    if not isinstance(parsed, dict):
        raise invalid("The request body must be a JSON object.")
    return parsed


async def _dispatch(ex: _Exchange, parsed: Any, parse_error: ApiError | None) -> web.StreamResponse:
    request, state = ex.request, ex.state
    path, spec = _path_and_fault(request, state)
    image = _IMAGE_RE.match(path)
    if image is not None and request.method == "GET":
        return _stored_image(ex, image.group(1))

    route = resolve_route(request.method, path, request.query, state.openai_compatible)
    check_auth(request.headers, state.key, route)
    mode = "error"
    if route.operation != "info":
        mode = extra_parameters_mode(request.headers, route)
        ex.headers["x-emulator-extra-parameters"] = mode
    if spec is not None and state.counters.take(spec):
        gate = await _apply_fault(ex, spec)
        if gate is not None:
            return gate
    if route.operation == "info":
        if ex.fault_name == "reset":
            abort_connection(request)
        model = request.query.get("model") if route.api_version == "2025-04-01" else None
        return ex.ok(state.model_info(route.legacy, model))
    return await _operation(ex, route, mode, _parse_body(parsed, parse_error))


def _path_and_fault(request: web.BaseRequest, state: EmulatorState) -> tuple[str, FaultSpec | None]:
    """The route's path (without a `/fault/<spec>` prefix) and the fault the request asks for, if any: its
    `x-emulator-fault` header, else its path prefix, else the server-wide fault."""
    path = request.path
    fault_text = request.headers.get("x-emulator-fault")
    prefix = _FAULT_PREFIX_RE.match(path)
    if prefix is not None:
        path = prefix.group(2) or "/"
        fault_text = fault_text or prefix.group(1)
    fault_text = fault_text or state.fault  # the server-wide fault, when the request names none
    return path, parse_fault(fault_text) if fault_text else None


def _stored_image(ex: _Exchange, image_id: str) -> web.Response:
    png = ex.state.images.get(image_id)
    if png is None:
        raise ApiError(404, "NotFound", f"No image with id '{image_id}'.")
    return web.Response(body=png, content_type="image/png", headers=ex.headers)


async def _apply_fault(ex: _Exchange, spec: FaultSpec) -> web.Response | None:
    """Take on the fault (its name answers in `x-emulator-fault`); the answer it gives instead of the operation's,
    if any."""
    ex.fault = spec
    ex.headers["x-emulator-fault"] = spec.name
    if spec.name == "slow-first-byte":
        await asyncio.sleep(spec.number("delay", 2.0))
    return _gate_response(ex, spec)


async def _operation(ex: _Exchange, route: Route, mode: str, body: dict[str, Any]) -> web.StreamResponse:
    """Chat, embeddings or images, for a request whose body is a JSON object."""
    stream = route.operation == "chat" and body.get("stream") is True
    if ex.fault_name == "reset" and not stream:
        abort_connection(ex.request)
    reject_nulls(body, route)
    _check_model(ex.state, route, body)
    extras = split_extras(body, route, mode)
    if route.operation == "chat":
        return await _chat(ex, route, body, extras if mode in ("allow", "pass-through") else None, stream)
    if route.operation == "images":
        return _images(ex, route, body)
    return await _embeddings(ex, route, body)


def _check_model(state: EmulatorState, route: Route, body: dict[str, Any]) -> None:
    """The model a request is for: the v1 API and GitHub Models need it in the body; Azure OpenAI deployments
    that do not exist answer 404 DeploymentNotFound, as the service does."""
    model = body.get("model")
    if route.shape in ("azure-openai-v1", "github-models") and (not isinstance(model, str) or not model):
        if route.shape == "github-models":
            raise ApiError(
                400,
                "invalid_request_body",
                "The 'model' field is required: a model id such as " "'openai/gpt-4.1'.",
                "model",
            )
        raise ApiError(400, "BadRequest", "The 'model' parameter is required: the name of a deployment.", "model")
    deployment = route.deployment if route.shape == "azure-openai" else model
    if route.shape in ("azure-openai", "azure-openai-v1") and state.deployments is not None:
        if deployment not in state.deployments:
            raise ApiError(
                404,
                "DeploymentNotFound",
                "The API deployment for this resource does not exist. If you created the deployment within the "
                "last 5 minutes, please wait a moment and try again.",
            )
    if route.shape == "github-models" and "/" not in str(model):
        raise ApiError(400, "unknown_model", f"Unknown model: {model}")


async def _chat(
    ex: _Exchange, route: Route, body: dict[str, Any], extras: list[str] | None, stream: bool
) -> web.StreamResponse:
    model = body.get("model") or route.deployment or "emulated-chat"
    validate_chat(body, openai=route.openai, model=model)
    fault, name, state = ex.fault, ex.fault_name, ex.state
    plan = plan_chat(
        body,
        next_call_id=lambda: f"call_{state.next_id('call')}",
        suffix=SPLIT_UTF8_SUFFIX if name == "split-utf8" else "",
        big_token=BIG_EVENT_TEXT if name == "big-event" else None,
    )
    check_answer_size(plan, body)
    meta = ResponseMeta(
        id=f"chatcmpl-{state.next_id('chat')}",
        created=int(time.time()),
        model=model,
        legacy=route.legacy,
        azure_openai=route.shape in ("azure-openai", "azure-openai-v1"),
        extras=extras,
        openai=route.openai,
        n=body.get("n", 1),
        logprobs=body.get("logprobs") is True,
        top_logprobs=body.get("top_logprobs", 0),
    )
    if not stream:
        return ex.ok(completion_body(plan, meta))
    if name == "wrong-content-type":
        return ex.json(200, completion_body(plan, meta))
    include_usage = bool(body.get("stream_options", {}).get("include_usage", False))
    chunks = stream_chunks(
        plan, meta, include_usage, empty_choices=name == "empty-choices", repeat_ids=name == "repeat-tool-ids"
    )
    frames = encode_frames(build_payloads(chunks, fault), fault)
    headers = {**ex.headers, "Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-cache"}
    response = web.StreamResponse(status=200, headers=headers)
    await response.prepare(ex.request)
    await write_frames(ex.request, response, frames, fault, state)
    return response


async def _embeddings(ex: _Exchange, route: Route, body: dict[str, Any]) -> web.Response:
    images = route.operation == "image_embeddings"
    if route.openai and isinstance(body.get("input"), str):
        body = {**body, "input": [body["input"]]}  # OpenAI's shapes take one string as well as a list
    texts = validate_embeddings(body, images=images)
    words = [item.get("text", "") for item in body["input"]] if images else texts
    model = body.get("model") or route.deployment or "emulated-embeddings"
    response_id = f"embeddings-{ex.state.next_id('embeddings')}"
    # Computed a slice at a time, the event loop answering other requests in between (and a cancelled request
    # stops computing at the next slice).
    pieces: list[str] = []
    since_yield = 0
    for piece, values in embeddings_pieces(body, texts, response_id, model, words):
        pieces.append(piece)
        since_yield += values
        if since_yield >= YIELD_EVERY_VALUES:
            since_yield = 0
            await asyncio.sleep(0)
    return ex.ok_text("".join(pieces))


def _images(ex: _Exchange, route: Route, body: dict[str, Any]) -> web.Response:
    width, height = validate_images(body)
    png = png_bytes(width, height, image_colour(body["prompt"], body.get("seed")))
    image_id = f"img-{ex.state.next_id('image')}"
    response_format = body.get("response_format", "url")
    url = f"{ex.request.url.origin()}/emulator/images/{image_id}.png"
    if response_format == "url":
        ex.state.images.put(image_id, png)
    data = image_data(png, response_format, url)
    if route.openai:  # OpenAI's image answers: no id or model, a revised prompt
        return ex.ok({"created": int(time.time()), "data": [{**data, "revised_prompt": body["prompt"]}]})
    model = body.get("model") or "emulated-image"
    return ex.ok({"id": image_id, "created": int(time.time()), "model": model, "data": [data]})
