"""The OpenAPI document says what the server does: every status an operation can answer with
its error body, the bearer scheme, the limits, the seed's example, and links between
operations (create -> get -> update -> delete) for generated clients and stateful fuzzers.

FastAPI derives paths, parameters and bodies from the routes and the wire models (whose
constraints live in domain/); this adds what it cannot see: the answers that middleware and
dependencies give (401, 413, 415, 429), which operation refuses whom (403, 404, 409, 412),
and the time zone names this machine knows.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from deepworkzone.domain.limits import MAX_BODY_BYTES
from deepworkzone.domain.models import time_zones

# The create example of shared/seeds/000_*.txt, verbatim (org_id 1: the first org).
SEED_CREATE_EXAMPLE: dict[str, Any] = {
    "org_id": 1,
    "name": "Morning Deep Work",
    "type": "drop-in",
    "duration": 60,
    "schedule": "2025-01-01",
    "time": "9:00 AM",
    "is_public": True,
    "collaborator": [],
    "status": "waiting",
    "website_blocker_enabled": True,
    "website_blocker": {"mode": "preset", "category": ["social-media", "gaming"], "urls": []},
    "snooze_enabled": True,
    "snooze_apps": {"slack": True, "teams": True},
    "is_recurring": 0,
    "recurring_ends": None,
    "recurring_start": None,
    "occurrence": "daily",
    "recurring_days": [],
    "recurring_month_option": "exact",
    "recurring_month_week_pos": 1,
    "recurring_month_week_day": 1,
    "fallback_option": 0,
}

_ERROR = {"$ref": "#/components/schemas/Error"}
_VALIDATION = {"$ref": "#/components/schemas/ValidationErrors"}

_DESCRIPTIONS = {
    "401": "missing, malformed, unknown or revoked bearer token",
    "403": "a GUEST key, or not the owner / a collaborator where that is needed",
    "404": "no such session or key, or one the caller may not see",
    "409": "the session's state does not allow it (cancelled, not joined, nothing left)",
    "412": "If-Match / If-Unmodified-Since no longer match: read it again",
    "413": f"the request body is larger than {MAX_BODY_BYTES} bytes",
    "415": "the body is not JSON (Content-Type application/json, UTF-8)",
    "422": "a bad field, parameter or header; each one is named in detail[].loc / .field",
    "429": "rate limit exceeded; wait Retry-After seconds",
}

# Which errors each operation answers besides 401, 422 and 429 (every operation's).
_ERRORS: dict[tuple[str, str], tuple[str, ...]] = {
    ("get", "/sessions"): ("412",),
    ("post", "/sessions"): ("403", "413", "415"),
    ("get", "/sessions/{session_id}"): ("404",),
    ("put", "/sessions/{session_id}"): ("403", "404", "412", "413", "415"),
    ("delete", "/sessions/{session_id}"): ("403", "404"),
    ("post", "/sessions/{session_id}/join"): ("404", "409", "413", "415"),
    ("post", "/sessions/{session_id}/leave"): ("403", "404", "409", "413", "415"),
    ("post", "/sessions/{session_id}/complete"): ("403", "404", "409", "413", "415"),
    ("get", "/sessions/{session_id}/participants"): ("404",),
    ("post", "/api-keys"): ("403", "413", "415"),
    ("get", "/api-keys"): ("403",),
    ("delete", "/api-keys/{key_id}"): ("403", "404"),
}

# Links: what an answer's id lets a client (or a fuzzer) call next.
_SESSION_NEXT = {
    "GetSession": ("get", "/sessions/{session_id}"),
    "UpdateSession": ("put", "/sessions/{session_id}"),
    "DeleteSession": ("delete", "/sessions/{session_id}"),
    "JoinSession": ("post", "/sessions/{session_id}/join"),
    "LeaveSession": ("post", "/sessions/{session_id}/leave"),
    "CompleteSession": ("post", "/sessions/{session_id}/complete"),
    "GetParticipants": ("get", "/sessions/{session_id}/participants"),
}
_LINKS: dict[tuple[str, str, str], tuple[str, dict[str, tuple[str, str]]]] = {
    ("post", "/sessions", "201"): ("$response.body#/id", _SESSION_NEXT),
    ("get", "/sessions/{session_id}", "200"): ("$response.body#/id", _SESSION_NEXT),
    ("put", "/sessions/{session_id}", "200"): ("$response.body#/id", _SESSION_NEXT),
    ("post", "/api-keys", "201"): (
        "$response.body#/id",
        {"RevokeKey": ("delete", "/api-keys/{key_id}")},
    ),
}

_IDEMPOTENCY_KEY = {
    "type": "string",
    "maxLength": 255,
    # Printable ASCII, not only spaces (a header carries no other characters reliably).
    "pattern": "^[ -~]*[!-~][ -~]*$",
}


def install_openapi(app: FastAPI, prefix: str) -> None:
    """Make ``app.openapi()`` answer the customised document (built once, on first use)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            customise(schema, prefix)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def customise(schema: dict[str, Any], prefix: str) -> None:
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    schemas.update(_error_schemas())
    components["securitySchemes"] = {
        "bearer": {
            "type": "http",
            "scheme": "bearer",
            "description": "an API key: `deepworkzone admin create-user` or POST /api-keys",
        }
    }
    schema["security"] = [{"bearer": []}]
    for definition in schemas.values():
        _zone_enum(definition)
    for path, operations in schema.get("paths", {}).items():
        short = path.removeprefix(prefix)
        for method, operation in operations.items():
            _declare_errors(operation, _ERRORS.get((method, short), ()))
            _constrain_headers(operation)
            for status, response in operation.get("responses", {}).items():
                link = _LINKS.get((method, short, status))
                if link is not None:
                    response["links"] = _links(schema, prefix, *link)
    create = schema["paths"][prefix + "/sessions"]["post"]
    body = create["requestBody"]["content"]["application/json"]
    body["examples"] = {"seed": {"summary": "the seed's example", "value": SEED_CREATE_EXAMPLE}}


def _error_schemas() -> dict[str, Any]:
    return {
        "Error": {
            "type": "object",
            "required": ["detail"],
            "properties": {"detail": {"type": "string"}},
        },
        "FieldError": {
            "type": "object",
            "required": ["loc", "field", "msg", "type"],
            "properties": {
                "loc": {
                    "type": "array",
                    "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
                    "description": 'where: ["body", "collaborator", 0], ["query", "date"]',
                },
                "field": {"type": "string", "description": 'loc joined: "body.collaborator.0"'},
                "msg": {"type": "string", "description": "what is wrong, for a person"},
                "type": {"type": "string"},
            },
        },
        "ValidationErrors": {
            "type": "object",
            "required": ["detail"],
            "properties": {
                "detail": {"type": "array", "items": {"$ref": "#/components/schemas/FieldError"}}
            },
        },
    }


def _declare_errors(operation: dict[str, Any], extra: tuple[str, ...]) -> None:
    responses = operation.setdefault("responses", {})
    for status in ("401", "422", "429", *extra):
        ref = _VALIDATION if status == "422" else _ERROR
        answer: dict[str, Any] = {
            "description": responses.get(status, {}).get("description") or _DESCRIPTIONS[status],
            "content": {"application/json": {"schema": ref}},
        }
        if status == "401":
            answer["headers"] = {"WWW-Authenticate": {"schema": {"type": "string"}}}
        if status == "429":
            answer["headers"] = {
                "Retry-After": {"description": "seconds", "schema": {"type": "integer"}}
            }
        responses[status] = answer


def _constrain_headers(operation: dict[str, Any]) -> None:
    for parameter in operation.get("parameters", []):
        if parameter.get("in") == "header" and parameter["name"].lower() == "idempotency-key":
            parameter["schema"] = dict(_IDEMPOTENCY_KEY)


def _zone_enum(definition: dict[str, Any]) -> None:
    """The ``timezone`` field names an IANA zone: the ones this machine's tzdata knows."""
    prop = definition.get("properties", {}).get("timezone")
    if prop is None:
        return
    target = prop
    for branch in prop.get("anyOf", []):
        if branch.get("type") == "string":
            target = branch
    target["enum"] = list(time_zones())
    target.pop("examples", None)


def _links(
    schema: dict[str, Any], prefix: str, id_expr: str, targets: dict[str, tuple[str, str]]
) -> dict[str, Any]:
    links = {}
    for name, (method, path) in targets.items():
        operation = schema["paths"][prefix + path][method]
        parameter = "key_id" if "{key_id}" in path else "session_id"
        links[name] = {
            "operationId": operation["operationId"],
            "parameters": {parameter: id_expr},
        }
    return links
