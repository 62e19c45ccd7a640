"""The OpenAPI document states what the server answers and accepts (issue 9): error
statuses with their bodies, the bearer scheme, the limits of domain/limits.py, the seed's
example, links between operations, and null only where null is accepted."""

from __future__ import annotations

from typing import Any

import pytest

from deepworkzone.domain.category_ids import CATEGORY_IDS
from deepworkzone.domain.limits import (
    MAX_CATEGORIES,
    MAX_COLLABORATORS,
    MAX_RECURRING_DAYS,
    MAX_URLS,
)
from tests.integration.conftest import LiveServer
from tests.unit.test_models import SEED_BODY

PREFIX = "/api/v1"


@pytest.fixture
def document(live_server: LiveServer) -> dict[str, Any]:
    answer = live_server.client().get(live_server.url + "/openapi.json")
    assert answer.status_code == 200
    return answer.json()


def _schema(document: dict[str, Any], name: str) -> dict[str, Any]:
    return document["components"]["schemas"][name]


def _resolve(document: dict[str, Any], ref: dict[str, Any]) -> dict[str, Any]:
    return _schema(document, ref["$ref"].rsplit("/", 1)[1]) if "$ref" in ref else ref


def test_every_operation_declares_its_errors_with_their_bodies(document: dict[str, Any]) -> None:
    wanted = {
        ("post", "/sessions"): {"401", "403", "413", "415", "422", "429"},
        ("put", "/sessions/{session_id}"): {"401", "403", "404", "412", "413", "415", "422"},
        ("get", "/sessions"): {"304", "401", "412", "422", "429"},
        ("post", "/sessions/{session_id}/join"): {"404", "409", "413", "415"},
        ("delete", "/api-keys/{key_id}"): {"401", "403", "404"},
    }
    for (method, path), statuses in wanted.items():
        responses = document["paths"][PREFIX + path][method]["responses"]
        assert statuses <= set(responses), (method, path, sorted(responses))
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if status[0] != "4":
                    continue
                ref = response["content"]["application/json"]["schema"]["$ref"]
                expected = "ValidationErrors" if status == "422" else "Error"
                assert ref.endswith("/" + expected), (method, path, status)
    rate_limited = document["paths"][PREFIX + "/sessions"]["get"]["responses"]["429"]
    assert "Retry-After" in rate_limited["headers"]
    assert _schema(document, "FieldError")["required"] == ["loc", "field", "msg", "type"]


def test_a_bearer_scheme_covers_every_operation(document: dict[str, Any]) -> None:
    assert document["components"]["securitySchemes"]["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "description": document["components"]["securitySchemes"]["bearer"]["description"],
    }
    assert document["security"] == [{"bearer": []}]


def test_the_limits_are_in_the_schema(document: dict[str, Any]) -> None:
    create = _schema(document, "SessionCreate")["properties"]
    blocker = _schema(document, "WebsiteBlocker")["properties"]
    assert create["collaborator"]["maxItems"] == MAX_COLLABORATORS
    assert create["recurring_days"]["maxItems"] == MAX_RECURRING_DAYS
    assert blocker["urls"]["maxItems"] == MAX_URLS
    assert blocker["category"]["maxItems"] == MAX_CATEGORIES
    assert blocker["category"]["items"]["enum"] == list(CATEGORY_IDS)
    assert "pattern" in blocker["urls"]["items"] and blocker["urls"]["items"]["maxLength"]
    assert "pattern" in create["time"]
    assert "Europe/Paris" in create["timezone"]["enum"]
    assert create["schedule"] == {"type": "string", "format": "date", "title": "Schedule"}
    assert create["duration"]["minimum"] == 1 and create["duration"]["maximum"] == 1440
    assert create["is_recurring"]["anyOf"] == [
        {"type": "integer", "enum": [0, 1]},
        {"type": "boolean"},
    ]


def test_null_only_where_null_is_accepted(document: dict[str, Any]) -> None:
    update = _schema(document, "SessionUpdate")["properties"]
    for name in ("type", "name", "duration", "schedule", "time", "website_blocker", "is_public"):
        assert "null" not in str(update[name]), name
    for name in ("recurring_ends", "recurring_start", "occurrence", "org_id"):
        assert {"type": "null"} in update[name]["anyOf"], name


def test_the_seeds_create_example_is_the_example(document: dict[str, Any]) -> None:
    body = document["paths"][PREFIX + "/sessions"]["post"]["requestBody"]
    # SEED_BODY is parsed from the seed's own text.
    assert body["content"]["application/json"]["examples"]["seed"]["value"] == SEED_BODY


def test_links_chain_create_get_update_delete(document: dict[str, Any]) -> None:
    operation_ids = {
        (method, path): operation["operationId"]
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
    }
    created = document["paths"][PREFIX + "/sessions"]["post"]["responses"]["201"]["links"]
    for name, target in (
        ("GetSession", ("get", PREFIX + "/sessions/{session_id}")),
        ("UpdateSession", ("put", PREFIX + "/sessions/{session_id}")),
        ("DeleteSession", ("delete", PREFIX + "/sessions/{session_id}")),
    ):
        assert created[name]["operationId"] == operation_ids[target]
        assert created[name]["parameters"] == {"session_id": "$response.body#/id"}
    updated = document["paths"][PREFIX + "/sessions/{session_id}"]["put"]["responses"]["200"]
    assert "DeleteSession" in updated["links"]
