"""Readable 422s: FastAPI's shape ({"detail": [{loc, msg, type}]}) with messages a person can
act on, plus a ``field`` naming the offender ("query.date", "body.collaborator")."""

from __future__ import annotations

from typing import Any, NoReturn

from fastapi import HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

_PREFIXES = ("Value error, ", "Assertion failed, ")


def _entry(error: dict[str, Any]) -> dict[str, Any]:
    loc = [str(part) for part in error.get("loc", ())]
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
    field = ".".join(loc)
    return {"loc": loc, "field": field, "msg": f"{field}: {msg}", "type": error.get("type")}


async def validation_error_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return JSONResponse(
        status_code=422, content={"detail": [_entry(dict(e)) for e in exc.errors()]}
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
