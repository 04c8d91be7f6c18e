# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""Pipeline policies of our own, each a sans-IO policy that works in the sync and async pipelines alike.
(The credential policies are in `_pipeline`; where credentials may go, in `_core.credentials`.)

- `RetryPolicy` and `AsyncRetryPolicy` are azure-core's, except that a failed response carrying only
  `retry-after-ms` or `x-ms-retry-after-ms` (no `Retry-After`) counts as "retry after this delay" too, as
  `Retry-After` does (azure-core already honours these headers for the delay, not for the decision), and that
  the wait a server asks for is bounded: honoured up to `retry_after_max` seconds (default
  `DEFAULT_RETRY_AFTER_MAX`) and never past the call's `timeout`. A longer wait is not waited for: the call fails
  at once with the failed response (429, 503, ...) and its headers. A value that cannot be read (not a number or
  an HTTP date, negative, infinite) counts as absent: the normal backoff applies. Backoff waits end at the
  call's `timeout` too.
- `SansIOPolicyGroup` and `AsyncSansIOPolicyGroup` run a run of consecutive sans-IO policies as one pipeline
  layer, calling each hook in the order and with the error handling azure-core's own runner gives them, with
  one coroutine per request instead of one per policy.
- `SecretMaskingNetworkTraceLoggingPolicy` is azure-core's network trace (what `logging_enable=True`
  turns on), except that credential headers are masked: azure-core's own writes them verbatim.
- `RequestIdPolicy` is azure-core's, except that the automatic `x-ms-client-request-id` (a version 1 UUID, as
  azure-core's) is made in Python: libuuid's `uuid_generate_time_safe`, which `uuid.uuid1()` calls, costs about a
  tenth of a whole call.
- `HeaderCheckPolicy` refuses a request whose header names or values could change the headers a server reads
  (`_core.headers.check_header_fields`, which the http.client transport also runs): a `ValueError` before anything
  is sent, whatever the transport.
- `UserAgentPolicy` and `DistributedTracingPolicy` are azure-core's, doing less for the same result: the first
  looks for a `User-Agent` already set among the header pairs, and for `AZURE_HTTP_USER_AGENT` in the dict behind
  `os.environ` (azure-core's lookups raise and catch a `KeyError` when there is none); the second does not read
  azure-core's tracing settings a second time in a call whose span read them moments before and found tracing
  off (`TRACING_FOUND_OFF`), unless the call passes its own `tracing_options`.
"""

from __future__ import annotations

import email.utils
import inspect
import logging
import math
import random
import re
import time
from typing import Any, Optional, cast

from azure.core.exceptions import DecodeError
from azure.core.pipeline import PipelineRequest, PipelineResponse
from azure.core.pipeline.policies import AsyncRetryPolicy as _AsyncRetryPolicy
from azure.core.pipeline.policies import DistributedTracingPolicy as _DistributedTracingPolicy
from azure.core.pipeline.policies import HttpLoggingPolicy, NetworkTraceLoggingPolicy
from azure.core.pipeline.policies import RequestIdPolicy as _RequestIdPolicy
from azure.core.pipeline.policies import RetryPolicy as _RetryPolicy
from azure.core.pipeline.policies import UserAgentPolicy as _UserAgentPolicy
from azure.core.pipeline.policies import (
    AsyncHTTPPolicy,
    HTTPPolicy,
    SansIOHTTPPolicy,
)

from ._core.headers import check_header_fields
from ._transport._azure_core import environment_has, has_header, header_pairs, in_memory_body
from ._transport.bodies import ResponseTooLargeError

__all__: list[str] = []

# The logger azure-core's network trace policy writes to.
_TRACE_LOGGER = logging.getLogger(NetworkTraceLoggingPolicy.__module__)

SECRET_HEADERS = ("authorization", "api-key", "ocp-apim-subscription-key", "proxy-authorization")
MASK = "***"

# Headers that are safe and useful in the redacted INFO log, beyond azure-core's own allow-list.
LOGGED_HEADERS = frozenset(
    {
        "extra-parameters",
        "azureml-model-deployment",
        "x-ms-error-code",
        "apim-request-id",
        "x-request-id",
        "x-ms-client-request-id",
        "retry-after-ms",
    }
)


# The longest wait (seconds) a server's Retry-After may ask for before the call fails instead of waiting.
DEFAULT_RETRY_AFTER_MAX = 60.0

# Where a refused wait is noted in the pipeline context, for the exception's message.
RETRY_AFTER_REFUSED = "azure.ai.inference.retry_after_refused"

_MS_HEADERS = ("retry-after-ms", "x-ms-retry-after-ms")
_DELAY_HEADERS = (("retry-after", 1.0), ("retry-after-ms", 0.001), ("x-ms-retry-after-ms", 0.001))
_NUMBER = re.compile(r"\d{1,30}(\.\d{1,30})?")


def parse_delay(value: str, scale: float = 1.0) -> Optional[float]:
    """A `Retry-After` value (delay-seconds or an HTTP date) in seconds, times `scale`; None when it is not a
    finite, non-negative delay. Never raises."""
    text = value.strip()
    if _NUMBER.fullmatch(text):
        seconds = float(text) * scale
    else:
        try:
            when = email.utils.parsedate_to_datetime(text)
            now = time.time()
            seconds = when.timestamp() - now if when.tzinfo is not None else math.nan
        except (TypeError, ValueError, OverflowError, IndexError):
            return None
    if not math.isfinite(seconds) or seconds < 0:
        return None
    return seconds


def retry_after_seconds(headers: Any) -> Optional[float]:
    """The wait a response asks for (`Retry-After`, else `retry-after-ms` / `x-ms-retry-after-ms`), in seconds;
    None when it names none, or none that can be read."""
    for name, scale in _DELAY_HEADERS:
        value = headers.get(name)
        if value:
            seconds = parse_delay(str(value), scale)
            if seconds is not None:
                return seconds
    return None


def check_retry_after_max(value: Any) -> float:
    """A `retry_after_max` keyword: a number of seconds >= 0."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0 or math.isinf(value):
        raise ValueError(f"retry_after_max must be a finite number of seconds >= 0, not {value!r}")
    return float(value)


# Failures that the same answer would give again: a body too large or that cannot be decoded.
_NOT_RETRIED = (DecodeError, ResponseTooLargeError)


def _asks_for_retry(policy: Any, response: PipelineResponse[Any, Any]) -> bool:
    http_response = response.http_response
    if http_response.status_code < 400 or not policy._respect_retry_after_header:  # pylint: disable=protected-access
        return False
    return any(http_response.headers.get(name) for name in _MS_HEADERS)


def _configure(policy: Any, settings: dict[str, Any], options: dict[str, Any]) -> dict[str, Any]:
    """Add the Retry-After cap and the call's deadline (monotonic clock) to azure-core's retry settings."""
    cap = options.pop("retry_after_max", None)
    settings["retry_after_max"] = policy.retry_after_max if cap is None else check_retry_after_max(cap)
    settings["deadline"] = time.monotonic() + settings["timeout"]
    return settings


def _bounded_retry(policy: Any, settings: dict[str, Any], response: PipelineResponse[Any, Any], retry: bool) -> bool:
    """Whether to retry, given azure-core's decision: not when the wait asked for is longer than the cap or
    than the time left before the call's deadline (the failed response is then the call's answer)."""
    if not retry or not policy._respect_retry_after_header:  # pylint: disable=protected-access
        return retry
    wait = retry_after_seconds(response.http_response.headers)
    if wait is None:
        return True
    cap = settings.get("retry_after_max", policy.retry_after_max)
    left = settings.get("deadline", math.inf) - time.monotonic()
    if wait <= cap and wait <= left:
        return True
    if wait > cap:
        why = f"longer than retry_after_max ({cap:g} s)"
    else:
        why = f"longer than the time left of the call's timeout ({max(left, 0):.1f} s of {settings['timeout']:g} s)"
    response.context[RETRY_AFTER_REFUSED] = (
        f"The service asked to wait {wait:.0f} s before retrying, {why}: not retried. "
        "Pass a larger retry_after_max= (seconds) to the client or the call to wait that long."
    )
    return False


def _backoff(settings: dict[str, Any], backoff: float) -> float:
    """A backoff wait that ends no later than the call's deadline."""
    deadline: float = settings.get("deadline", math.inf)
    return max(0.0, min(backoff, deadline - time.monotonic()))


class _BoundedRetry:
    """The changes `RetryPolicy` and `AsyncRetryPolicy` make to azure-core's retry policies, written once: placed
    before azure-core's sync or async policy among the bases, each calls that policy's method through `super()`.
    (azure-core's decisions are sans-IO; only its `send`, which these leave alone, differs between the two.)"""

    _respect_retry_after_header: bool

    def __init__(self, *, retry_after_max: float = DEFAULT_RETRY_AFTER_MAX, **kwargs: Any) -> None:
        base: Any = super()
        base.__init__(**kwargs)
        self.retry_after_max = check_retry_after_max(retry_after_max)

    def configure_retries(self, options: dict[str, Any]) -> dict[str, Any]:
        base: Any = super()
        return _configure(self, base.configure_retries(options), options)

    def _configure_positions(self, request: PipelineRequest[Any], retry_settings: dict[str, Any]) -> None:
        if in_memory_body(request.http_request):  # what azure-core finds for it, without its backcompat lookups
            retry_settings["body_position"] = None
            retry_settings["file_positions"] = None
            return
        base: Any = super()
        base._configure_positions(request, retry_settings)  # pylint: disable=protected-access

    def is_retry(self, settings: dict[str, Any], response: PipelineResponse[Any, Any]) -> bool:
        base: Any = super()
        retry = base.is_retry(settings, response) or _asks_for_retry(self, response)
        return _bounded_retry(self, settings, response, bool(retry))

    def get_retry_after(self, response: PipelineResponse[Any, Any]) -> Optional[float]:
        return retry_after_seconds(response.http_response.headers)

    def get_backoff_time(self, settings: dict[str, Any]) -> float:
        base: Any = super()
        return _backoff(settings, base.get_backoff_time(settings))

    def increment(self, settings: dict[str, Any], response: Any = None, error: Optional[Exception] = None) -> bool:
        if isinstance(error, _NOT_RETRIED):
            return False
        base: Any = super()
        return bool(base.increment(settings, response, error))


class RetryPolicy(_BoundedRetry, _RetryPolicy[Any, Any]):
    """azure-core's retry policy; `retry-after-ms` alone also makes a failed request retried, and the wait a
    server asks for is bounded by `retry_after_max` and the call's `timeout` (see the module's docstring)."""


class AsyncRetryPolicy(_BoundedRetry, _AsyncRetryPolicy[Any, Any]):
    """azure-core's async retry policy, with the same changes as `RetryPolicy`."""


OWN_RETRY_POLICIES = (RetryPolicy, AsyncRetryPolicy)


class SecretMaskingNetworkTraceLoggingPolicy(NetworkTraceLoggingPolicy):
    """azure-core's network trace logging, with the values of credential headers replaced by `***`."""

    def on_request(self, request: PipelineRequest[Any]) -> None:
        enabled = request.context.options.get("logging_enable", self.enable_http_logger)
        if not enabled or not _TRACE_LOGGER.isEnabledFor(logging.DEBUG):
            super().on_request(request)  # logs nothing; only records the option, as azure-core does
            return
        headers = request.http_request.headers
        saved = {name: headers[name] for name in list(headers) if name.lower() in SECRET_HEADERS}
        if not saved:
            super().on_request(request)
            return
        for name in saved:
            headers[name] = MASK
        try:
            super().on_request(request)
        finally:
            for name, value in saved.items():
                headers[name] = value


# Version 1 UUIDs: 100 ns ticks since 1582-10-15, a random clock sequence per id, and a random node id with the
# multicast bit set (RFC 4122 4.5: a node that is not a network card's address), one per process.
_UUID_EPOCH = 0x01B21DD213814000
_NODE = random.getrandbits(48) | 0x010000000000
_last_tick = 0


def time_uuid() -> str:
    """A new version 1 UUID as text, as `str(uuid.uuid1())` gives (ticks increase within the process)."""
    global _last_tick  # pylint: disable=global-statement
    tick = time.time_ns() // 100 + _UUID_EPOCH
    if tick <= _last_tick:
        tick = _last_tick + 1
    _last_tick = tick
    return (
        f"{tick & 0xFFFFFFFF:08x}-{(tick >> 32) & 0xFFFF:04x}-{0x1000 | (tick >> 48) & 0x0FFF:04x}-"
        f"{0x8000 | random.getrandbits(14):04x}-{_NODE:012x}"
    )


_NO_ID: Any = object()


class RequestIdPolicy(_RequestIdPolicy):
    """azure-core's `RequestIdPolicy`; the automatic id is made by `time_uuid` (see the module's docstring).
    A `request_id` given to the constructor, to `set_request_id` or to a call, or `auto_request_id=False`,
    goes through azure-core's own code."""

    def __init__(
        self,
        *,
        request_id: Any = _NO_ID,
        auto_request_id: bool = True,
        request_id_header_name: str = "x-ms-client-request-id",
        **kwargs: Any,
    ) -> None:
        if request_id is not _NO_ID:
            kwargs["request_id"] = request_id
        super().__init__(auto_request_id=auto_request_id, request_id_header_name=request_id_header_name, **kwargs)
        self._automatic = request_id is _NO_ID and auto_request_id
        self._id_header = request_id_header_name
        self._id_key = request_id_header_name.lower()

    def set_request_id(self, value: str) -> None:
        super().set_request_id(value)
        self._automatic = False

    def on_request(self, request: PipelineRequest[Any]) -> None:
        if self._automatic and "request_id" not in request.context.options:
            headers = request.http_request.headers
            if not has_header(headers, self._id_key):
                headers[self._id_header] = time_uuid()
            return
        super().on_request(request)


class UserAgentPolicy(_UserAgentPolicy):
    """azure-core's `UserAgentPolicy` (see the module's docstring)."""

    @property
    def user_agent(self) -> str:
        if self.use_env and environment_has(self._ENV_ADDITIONAL_USER_AGENT):
            return str(super().user_agent)
        return str(self._user_agent)  # what azure-core's gives while the variable is not set

    def on_request(self, request: PipelineRequest[Any]) -> None:
        if self.overwrite or "user_agent" in request.context.options:
            super().on_request(request)
            return
        headers = request.http_request.headers
        if not has_header(headers, "user-agent"):
            headers[self._USERAGENT] = self.user_agent  # read here, as azure-core reads it: the environment's part


# A pipeline context key: the call's span read azure-core's tracing settings just before the pipeline ran, and
# tracing was off.
TRACING_FOUND_OFF = "azure.ai.inference.tracing_found_off"


class DistributedTracingPolicy(_DistributedTracingPolicy[Any, Any]):
    """azure-core's `DistributedTracingPolicy` (see the module's docstring)."""

    def on_request(self, request: PipelineRequest[Any]) -> None:
        context = request.context
        if context.get(TRACING_FOUND_OFF) and "tracing_options" not in context.options:
            return  # what azure-core's policy does with tracing off and no tracing_options for the call
        super().on_request(request)


class HeaderCheckPolicy(SansIOHTTPPolicy[Any, Any]):
    """Refuses a request whose headers (`headers=`, `user_agent`, a policy's) hold an invalid name or a control
    character in a value (`check_header_fields`): a `ValueError` before the transport connects anywhere."""

    def on_request(self, request: PipelineRequest[Any]) -> None:
        check_header_fields(header_pairs(request.http_request.headers))


def logging_policies(kwargs: dict[str, Any]) -> None:
    """Install our logging policies in a client's constructor keywords, unless the caller gave their own."""
    if "logging_policy" not in kwargs:
        kwargs["logging_policy"] = SecretMaskingNetworkTraceLoggingPolicy(**kwargs)
    if "http_logging_policy" not in kwargs:
        policy = HttpLoggingPolicy(**kwargs)
        policy.allowed_header_names |= LOGGED_HEADERS
        kwargs["http_logging_policy"] = policy


def _answers(policy: SansIOHTTPPolicy[Any, Any]) -> bool:
    """Whether a policy has an `on_response` of its own: `SansIOHTTPPolicy`'s does nothing."""
    base: Any = SansIOHTTPPolicy
    return "on_response" in vars(policy) or type(policy).on_response is not base.on_response


class _Group:
    def __init__(self, policies: list[SansIOHTTPPolicy[Any, Any]]) -> None:
        super().__init__()
        self._policies = policies
        # The positions of the policies whose `on_response` does something, innermost first.
        self._answering = [index for index in range(len(policies) - 1, -1, -1) if _answers(policies[index])]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(type(p).__name__ for p in self._policies)})"


class SansIOPolicyGroup(_Group, HTTPPolicy[Any, Any]):
    """Consecutive sans-IO policies as one layer of a sync pipeline: `on_request` outermost first,
    `on_response` innermost first (skipping the policies whose `on_response` is `SansIOHTTPPolicy`'s, which does
    nothing), and `on_exception` of every policy that an error passes on its way out."""

    def send(self, request: PipelineRequest[Any]) -> PipelineResponse[Any, Any]:
        policies = self._policies
        entered = 0
        try:
            for policy in policies:
                policy.on_request(request)
                entered += 1
            response = self.next.send(request)
        except Exception:
            for policy in reversed(policies[:entered]):
                policy.on_exception(request)
            raise
        for index in self._answering:
            try:
                policies[index].on_response(request, response)
            except Exception:
                for policy in reversed(policies[:index]):
                    policy.on_exception(request)
                raise
        return response


class AsyncSansIOPolicyGroup(_Group, AsyncHTTPPolicy[Any, Any]):
    """The async twin of `SansIOPolicyGroup`; a hook may return an awaitable, which is awaited."""

    async def send(self, request: PipelineRequest[Any]) -> PipelineResponse[Any, Any]:
        policies = self._policies
        entered = 0
        try:
            for policy in policies:
                result: Any = policy.on_request(request)
                if result is not None and inspect.isawaitable(result):
                    await result
                entered += 1
            response = await self.next.send(request)
        except Exception:
            for policy in reversed(policies[:entered]):
                result = policy.on_exception(request)
                if result is not None and inspect.isawaitable(result):
                    await result
            raise
        for index in self._answering:
            try:
                result = policies[index].on_response(request, response)
                if result is not None and inspect.isawaitable(result):
                    await result
            except Exception:
                for policy in reversed(policies[:index]):
                    outer: Any = policy.on_exception(request)
                    if outer is not None and inspect.isawaitable(outer):
                        await outer
                raise
        return response


def grouped(policies: list[Any], group_type: Any) -> list[Any]:
    """The policies with each run of consecutive sans-IO policies wrapped in one `group_type` layer."""
    result: list[Any] = []
    run: list[SansIOHTTPPolicy[Any, Any]] = []
    for policy in policies:
        if isinstance(policy, SansIOHTTPPolicy):
            run.append(cast("SansIOHTTPPolicy[Any, Any]", policy))  # type: ignore[redundant-cast, unused-ignore]
            continue
        if run:
            result.append(group_type(run) if len(run) > 1 else run[0])
            run = []
        if policy is not None:
            result.append(policy)
    if run:
        result.append(group_type(run) if len(run) > 1 else run[0])
    return result
