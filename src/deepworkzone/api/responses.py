"""Turning HTTP answers into JSON or typed errors."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx

from deepworkzone.api.errors import (
    ApiError,
    AuthError,
    BadRequest,
    Conflict,
    NotFound,
    PermissionDenied,
    PreconditionFailed,
    ServerError,
    ValidationFailed,
    detail_text,
    field_errors,
)

TOKEN_REFUSED = "auth_error"
"""Stable code of a 401: the token is unknown or revoked (``data["status"]``)."""


@dataclass(frozen=True)
class RateLimitInfo:
    """The X-RateLimit-* headers of the last answer; ``reset`` is seconds until the window ends."""

    limit: int | None
    remaining: int | None
    reset: float | None

    @classmethod
    def from_headers(cls, headers: httpx.Headers) -> RateLimitInfo | None:
        limit = _number(headers.get("X-RateLimit-Limit"))
        remaining = _number(headers.get("X-RateLimit-Remaining"))
        reset = _number(headers.get("X-RateLimit-Reset"))
        if limit is None and remaining is None and reset is None:
            return None
        return cls(
            int(limit) if limit is not None else None,
            int(remaining) if remaining is not None else None,
            reset,
        )


def _number(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def decode(response: httpx.Response) -> Any:
    """The JSON body, or None for an empty one (204)."""
    if response.status_code == 204 or not response.content.strip():
        return None
    try:
        return response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ServerError(
            f"the server answered {response.status_code} with something that is not JSON",
            status=response.status_code,
        ) from None


def raise_for_status(response: httpx.Response, what: str = "") -> None:
    status = response.status_code
    if status < 400:
        return
    try:
        detail = response.json().get("detail") if response.content else None
    except (ValueError, AttributeError):
        detail = None
    if status == 401:
        refused = AuthError("the server refused the API token (invalid or revoked)", status=status)
        # The engine's code for it; what to do about it is each front end's to say.
        refused.__dict__.update(code=TOKEN_REFUSED, data={"status": status})
        raise refused
    if status == 403:
        raise PermissionDenied(detail_text(detail, "this API key may not do that"), status=status)
    if status == 404:
        raise NotFound(f"{what or 'resource'} not found", status=status)
    if status == 409:
        raise Conflict(
            detail_text(detail, f"{what or 'the session'} changed on the server; read it again"),
            status=status,
        )
    if status == 412:
        raise PreconditionFailed(
            detail_text(detail, f"{what or 'the session'} changed since it was read"),
            status=status,
        )
    if status == 422:
        raise ValidationFailed(field_errors(detail), status=status)
    if status >= 500:
        raise ServerError(
            f"server error {status}: {detail_text(detail, response.reason_phrase or 'no detail')}",
            status=status,
        )
    if 400 <= status < 500:
        raise BadRequest(detail_text(detail, f"request refused ({status})"), status=status)
    raise ApiError(f"unexpected answer {status}", status=status)
