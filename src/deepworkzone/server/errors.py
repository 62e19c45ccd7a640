"""Error answers: always JSON ``{"detail": ...}`` in UTF-8.

422s keep FastAPI's shape ({"detail": [{loc, msg, type}]}) with messages a person can act on,
plus a ``field`` naming the offender ("query.date", "body.collaborator.0")."""

from __future__ import annotations

from typing import Any, NoReturn

from fastapi import HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

JSON_MEDIA_TYPE = "application/json; charset=utf-8"


class JsonResponse(JSONResponse):
    """The contract's content type, charset included."""

    media_type = JSON_MEDIA_TYPE


_PREFIXES = ("Value error, ", "Assertion failed, ")


def _entry(error: dict[str, Any]) -> dict[str, Any]:
    loc: list[str | int] = list(error.get("loc", ()))
    msg = str(error.get("msg", "invalid value"))
    for prefix in _PREFIXES:
        if msg.startswith(prefix):
            msg = msg[len(prefix) :]
    if error.get("type") == "json_invalid":
        # pydantic adds the character position to the location; the body is what is bad.
        loc, msg = ["body"], "the body is not valid JSON"
    elif error.get("type") == "missing":
        msg = "field required"
    # Model-level checks are reported at "body"; they name their fields in the message.
    field = ".".join(str(part) for part in loc)
    return {"loc": loc, "field": field, "msg": f"{field}: {msg}", "type": error.get("type")}


async def validation_error_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return JsonResponse(
        status_code=422, content={"detail": [_entry(dict(e)) for e in exc.errors()]}
    )


async def http_error_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    return JsonResponse(
        status_code=exc.status_code, content={"detail": exc.detail}, headers=exc.headers
    )


def unprocessable(loc: tuple[str | int, ...], msg: str) -> NoReturn:
    """A 422 found after schema validation (e.g. an unknown collaborator)."""
    field = ".".join(str(part) for part in loc)
    raise HTTPException(
        422,
        detail=[
            {"loc": list(loc), "field": field, "msg": f"{field}: {msg}", "type": "value_error"}
        ],
    )
