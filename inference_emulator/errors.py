# Azure-style error answers: the ApiError exception raised by validation and routing, and its JSON body.
from __future__ import annotations

from typing import Any

__all__ = ["ApiError", "INVALID_INPUT", "UNSUPPORTED_VALUE", "invalid", "unsupported"]

INVALID_INPUT = "Invalid input"
UNSUPPORTED_VALUE = "UnsupportedParameterValue"


class ApiError(Exception):
    """An error answer: HTTP status, `error.code`, `error.message`, optional `error.target` and headers."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        target: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.target = target
        self.headers = dict(headers or {})

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.target is not None:
            error["target"] = self.target
        return {"error": error}


def invalid(message: str, target: str | None = None) -> ApiError:
    """A 400 validation error."""
    return ApiError(400, INVALID_INPUT, message, target)


def unsupported(message: str, target: str | None = None) -> ApiError:
    """A 422 answer for a well-formed but unsupported option value."""
    return ApiError(422, UNSUPPORTED_VALUE, message, target)
