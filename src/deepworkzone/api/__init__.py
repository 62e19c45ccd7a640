"""The Sessions API client (httpx): ``SessionsClient`` and its typed errors."""

from deepworkzone.api.client import SessionsClient
from deepworkzone.api.errors import (
    ApiError,
    AuthError,
    Conflict,
    FieldError,
    NotFound,
    Offline,
    PermissionDenied,
    PreconditionFailed,
    RateLimited,
    ServerError,
    ValidationFailed,
)

__all__ = [
    "ApiError",
    "AuthError",
    "Conflict",
    "FieldError",
    "NotFound",
    "Offline",
    "PermissionDenied",
    "PreconditionFailed",
    "RateLimited",
    "ServerError",
    "SessionsClient",
    "ValidationFailed",
]
