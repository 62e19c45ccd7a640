"""Error answers: always JSON ``{"detail": ...}`` in UTF-8.

422s keep FastAPI's shape ({"detail": [{loc, msg, type}]}) with messages a person can act on,
plus a ``field`` naming the offender ("query.date", "body.collaborator.0")."""

from __future__ import annotations

import re
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


# What FastAPI answers (400) for a JSON body it could not decode past JSONDecodeError:
# nesting past the recursion limit, UTF-16 gone wrong. The contract says 422.
_PARSE_FAILURE = "There was an error parsing the body"


async def http_error_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400 and exc.detail == _PARSE_FAILURE:
        return JsonResponse(
            status_code=422,
            content=validation_body(("body",), "the body is not valid JSON", "json_invalid"),
        )
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        # Starlette names the methods of the first route whose path matched; /sessions is
        # two routes (GET list, POST create), and the answer must name every method.
        headers["Allow"] = ", ".join(allowed_methods(request))
    return JsonResponse(
        status_code=exc.status_code, content={"detail": exc.detail}, headers=headers or None
    )


def allowed_methods(request: Request) -> list[str]:
    """Every method the OpenAPI document lists for the request's path (routers nest
    differently across FastAPI versions; the document is the same)."""
    path = request.url.path
    methods: set[str] = set()
    for pattern, verbs in _path_methods(request.app).items():
        if pattern.fullmatch(path):
            methods |= verbs
    return sorted(methods)


def _path_methods(app: Any) -> dict[re.Pattern[str], set[str]]:
    table: dict[re.Pattern[str], set[str]] | None = getattr(app.state, "path_methods", None)
    if table is None:
        table = {}
        for path, operations in app.openapi().get("paths", {}).items():
            regex = re.sub(r"\\\{[^}]*\\\}", "[^/]+", re.escape(path))
            table[re.compile(regex)] = {method.upper() for method in operations}
        app.state.path_methods = table
    return table


def validation_body(loc: tuple[str | int, ...], msg: str, kind: str) -> dict[str, Any]:
    """The 422 body for one problem at ``loc``, in the shape every 422 has."""
    field = ".".join(str(part) for part in loc)
    return {"detail": [{"loc": list(loc), "field": field, "msg": f"{field}: {msg}", "type": kind}]}


def unprocessable(loc: tuple[str | int, ...], msg: str) -> NoReturn:
    """A 422 found after schema validation (e.g. an unknown collaborator)."""
    raise HTTPException(422, detail=validation_body(loc, msg, "value_error")["detail"])
