"""Typed failures of the Sessions API client.

Each carries an ``exit_code`` so the CLI can print it as one line and exit without knowing the
class: 1 for what the user can fix (token, id, field values), 2 for the server or the network.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

EXIT_USER = 1
EXIT_SERVICE = 2


class ApiError(Exception):
    exit_code = EXIT_USER

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class AuthError(ApiError):
    """401: the token is missing, unknown or revoked."""


class PermissionDenied(ApiError):
    """403: the token is valid but may not do this (e.g. a GUEST key writing)."""


class NotFound(ApiError):
    """404: no such session, or one the caller may not see."""


class Conflict(ApiError):
    """409: the session changed on the server since it was read."""


class PreconditionFailed(Conflict):
    """412: an If-Match / If-Unmodified-Since that no longer holds."""


class BadRequest(ApiError):
    """Any other 4xx the server explains in ``detail``."""


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


class ValidationFailed(ApiError):
    """422: one message per bad field; str() reads "duration: must be <= 1440"."""

    def __init__(self, errors: list[FieldError], *, status: int | None = 422) -> None:
        self.errors = errors or [FieldError("", "the server rejected the request")]
        super().__init__("; ".join(str(e) for e in self.errors), status=status)

    @property
    def fields(self) -> dict[str, str]:
        return {e.field: e.message for e in self.errors}


class ServiceFailure(ApiError):
    """Base of the failures that are not the user's: exit 2."""

    exit_code = EXIT_SERVICE


class ServerError(ServiceFailure):
    """5xx, or an answer that is not the JSON the contract promises."""


class RateLimited(ServiceFailure):
    """429 that outlasted the client's retries; ``retry_after`` is in seconds."""

    def __init__(
        self, message: str, *, retry_after: float | None, limit: int | None = None
    ) -> None:
        super().__init__(message, status=429)
        self.retry_after = retry_after
        self.limit = limit


class Offline(ServiceFailure):
    """The server could not be reached, or did not answer in time.

    ``maybe_sent`` is True when the request may have reached the server (a read timeout, a
    dropped connection): a create must then not be sent again blindly.
    """

    def __init__(self, message: str, *, maybe_sent: bool = False) -> None:
        super().__init__(message)
        self.maybe_sent = maybe_sent


def field_errors(detail: Any) -> list[FieldError]:
    """Read a 422 ``detail``: FastAPI's list of {loc, msg}, a {field: message} map, or text."""
    if isinstance(detail, str):
        return [FieldError("", detail)]
    if isinstance(detail, dict):
        return [FieldError(str(k), _text(v)) for k, v in detail.items()]
    if not isinstance(detail, list):
        return []
    out = []
    for item in detail:
        if isinstance(item, dict):
            loc = item.get("loc") or item.get("field") or []
            parts = [str(p) for p in (loc if isinstance(loc, list) else str(loc).split("."))]
            message = _text(item.get("msg") or item.get("message") or "invalid")
            # Our server repeats the field in the message ("body.duration: ..."); pydantic
            # prefixes model-level messages with "Value error, ". Neither helps a reader.
            message = message.removeprefix(".".join(parts) + ": ").removeprefix("Value error, ")
            # "body"/"query" say where the field was, which the user does not need.
            if parts and parts[0] in {"body", "query", "path", "header"}:
                parts = parts[1:]
            out.append(FieldError(".".join(parts), message))
        else:
            out.append(FieldError("", str(item)))
    return out


def _text(value: Any) -> str:
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


def detail_text(detail: Any, fallback: str) -> str:
    if isinstance(detail, str) and detail.strip():
        return detail.strip()
    if detail:
        errors = field_errors(detail)
        if errors:
            return "; ".join(str(e) for e in errors)
    return fallback
