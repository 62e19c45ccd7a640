"""Create, read, update and delete sessions against a real server on loopback."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from email.utils import format_datetime
from typing import Any

import httpx

from tests.integration.conftest import SEED_SESSION, LiveServer

Body = Callable[..., dict[str, Any]]


def _messages(response: httpx.Response) -> str:
    return " | ".join(entry["msg"] for entry in response.json()["detail"])


def test_the_seed_example_is_accepted_verbatim_and_read_back_field_for_field(
    live_server: LiveServer,
) -> None:
    client = live_server.client(live_server.create_user("owner@acme.test"))
    created = client.post("/sessions", json=SEED_SESSION)
    assert created.status_code == 201, created.text
    session_id = created.json()["id"]
    assert created.headers["location"] == f"/api/v1/sessions/{session_id}"

    got = client.get(f"/sessions/{session_id}")
    assert got.status_code == 200
    answer = got.json()
    for field, sent in SEED_SESSION.items():
        assert answer[field] == sent, field
    assert answer["created_by"] == live_server.user_id("owner@acme.test")
    assert answer["participation"] == {
        "joined": False,
        "role": "owner",
        "joined_at": None,
        "completed_at": None,
    }
    assert answer["created_at"].endswith("Z") and answer["updated_at"].endswith("Z")


def test_owner_comes_from_the_token_and_org_defaults_to_the_callers(
    live_server: LiveServer, session_body: Body
) -> None:
    live_server.create_user("first@other.test", org="other")
    client = live_server.client(live_server.create_user("me@acme.test"))
    body = session_body(created_by=999, id=5, unknown_field="ignored")
    answer = client.post("/sessions", json=body).json()
    assert answer["created_by"] == live_server.user_id("me@acme.test")
    assert answer["org_id"] == 2  # acme was created second
    assert "unknown_field" not in answer


def test_time_is_accepted_in_24_hour_form_and_answered_in_the_seeds(
    live_server: LiveServer, session_body: Body
) -> None:
    client = live_server.client(live_server.create_user("me@acme.test"))
    answer = client.post("/sessions", json=session_body(time="21:30")).json()
    assert answer["time"] == "9:30 PM"


def test_bad_bodies_are_422_naming_each_field(live_server: LiveServer, session_body: Body) -> None:
    client = live_server.client(live_server.create_user("me@acme.test"))
    bad = session_body(duration=0, time="25:00", timezone="Mars/Olympus", type="party")
    response = client.post("/sessions", json=bad)
    assert response.status_code == 422
    fields = {entry["field"] for entry in response.json()["detail"]}
    assert fields == {"body.duration", "body.time", "body.timezone", "body.type"}
    assert "'Mars/Olympus' is not a known time zone" in _messages(response)

    missing = client.post("/sessions", json={"name": "x"})
    assert "body.duration: field required" in _messages(missing)

    assert client.post("/sessions", content=b"{not json").status_code == 422


def test_org_id_of_another_org_is_422(live_server: LiveServer, session_body: Body) -> None:
    live_server.create_user("someone@other.test", org="other")
    client = live_server.client(live_server.create_user("me@acme.test"))
    response = client.post("/sessions", json=session_body(org_id=1))
    assert response.status_code == 422
    assert "body.org_id: you can only use your own organization (2)" in _messages(response)


def test_collaborators_by_id_or_email_must_be_org_members(
    live_server: LiveServer, session_body: Body
) -> None:
    client = live_server.client(live_server.create_user("me@acme.test"))
    live_server.create_user("mate@acme.test")
    live_server.create_user("stranger@other.test", org="other")
    mate = live_server.user_id("mate@acme.test")

    ok = client.post("/sessions", json=session_body(collaborator=["Mate@Acme.test", mate]))
    assert ok.status_code == 201
    assert ok.json()["collaborator"] == [mate]

    response = client.post("/sessions", json=session_body(collaborator=["stranger@other.test"]))
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "body.collaborator.0"
    assert "'stranger@other.test' is not a member of your organization" in _messages(response)


def test_put_changes_only_the_fields_sent_by_owner_or_collaborator(
    live_server: LiveServer, session_body: Body
) -> None:
    owner = live_server.client(live_server.create_user("me@acme.test"))
    mate = live_server.client(live_server.create_user("mate@acme.test"))
    other = live_server.client(live_server.create_user("other@acme.test"))
    session_id = owner.post("/sessions", json=session_body(collaborator=["mate@acme.test"])).json()[
        "id"
    ]

    changed = mate.put(f"/sessions/{session_id}", json={"name": "  Renamed ", "duration": 45})
    assert changed.status_code == 200, changed.text
    answer = owner.get(f"/sessions/{session_id}").json()
    assert (answer["name"], answer["duration"], answer["time"]) == ("Renamed", 45, "9:00 AM")
    assert answer["participation"]["role"] == "owner"

    refused = other.put(f"/sessions/{session_id}", json={"name": "mine now"})
    assert refused.status_code == 403
    assert owner.get(f"/sessions/{session_id}").json()["name"] == "Renamed"

    invalid = owner.put(f"/sessions/{session_id}", json={"recurring_ends": "2024-01-01"})
    assert invalid.status_code == 200  # not recurring: the end date is kept but unused
    invalid = owner.put(
        f"/sessions/{session_id}", json={"is_recurring": 1, "recurring_ends": "2024-01-01"}
    )
    assert invalid.status_code == 422
    assert "recurring_ends (2024-01-01) is before the series starts" in _messages(invalid)


def test_stale_if_match_or_if_unmodified_since_is_412(
    live_server: LiveServer, session_body: Body
) -> None:
    client = live_server.client(live_server.create_user("me@acme.test"))
    session_id = client.post("/sessions", json=session_body()).json()["id"]
    first = client.get(f"/sessions/{session_id}")
    etag = first.headers["etag"]
    read_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=5)

    ok = client.put(f"/sessions/{session_id}", json={"name": "A"}, headers={"If-Match": etag})
    assert ok.status_code == 200
    assert ok.headers["etag"] != etag

    stale = client.put(f"/sessions/{session_id}", json={"name": "B"}, headers={"If-Match": etag})
    assert stale.status_code == 412
    assert "changed since you read it" in stale.json()["detail"]

    old = format_datetime(read_at, usegmt=True)
    stale = client.put(
        f"/sessions/{session_id}", json={"name": "C"}, headers={"If-Unmodified-Since": old}
    )
    assert stale.status_code == 412
    assert client.get(f"/sessions/{session_id}").json()["name"] == "A"

    fresh = format_datetime(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=5), usegmt=True)
    ok = client.put(
        f"/sessions/{session_id}", json={"name": "D"}, headers={"If-Unmodified-Since": fresh}
    )
    assert ok.status_code == 200


def test_delete_series_removes_the_session(live_server: LiveServer, session_body: Body) -> None:
    client = live_server.client(live_server.create_user("me@acme.test"))
    session_id = client.post("/sessions", json=session_body()).json()["id"]
    assert client.delete(f"/sessions/{session_id}").status_code == 204
    assert client.get(f"/sessions/{session_id}").status_code == 404
    assert client.delete(f"/sessions/{session_id}").status_code == 404


def test_a_deleted_sessions_id_is_never_given_again(
    live_server: LiveServer, session_body: Body
) -> None:
    # Its ETags and cached answers would otherwise describe the new session too.
    client = live_server.client(live_server.create_user("me@acme.test"))
    first = client.post("/sessions", json=session_body(name="first")).json()["id"]
    last = client.post("/sessions", json=session_body(name="last")).json()["id"]
    assert client.delete(f"/sessions/{last}").status_code == 204
    created = client.post(
        "/sessions", json=session_body(name="next"), headers={"Idempotency-Key": "k-1"}
    )
    assert created.status_code == 201
    assert created.json()["id"] not in (first, last)
    assert created.headers["Location"] == f"/api/v1/sessions/{created.json()['id']}"
    read = client.get(f"/sessions/{created.json()['id']}")
    assert read.json() | {"participation": None} == created.json()
    assert read.headers["ETag"] == created.headers["ETag"]
    assert client.get(f"/sessions/{last}").status_code == 404


def test_delete_one_occurrence_of_a_series(live_server: LiveServer, session_body: Body) -> None:
    client = live_server.client(live_server.create_user("me@acme.test"))
    body = session_body(schedule="2025-03-03", is_recurring=1, occurrence="daily")
    session_id = client.post("/sessions", json=body).json()["id"]

    gone = client.delete(
        f"/sessions/{session_id}", params={"scope": "occurrence", "date": "2025-03-05"}
    )
    assert gone.status_code == 204
    answer = client.get(f"/sessions/{session_id}").json()
    assert answer["deleted_occurrences"] == ["2025-03-05"]
    on = {
        d: client.get("/sessions", params={"date": d}).json() for d in ("2025-03-04", "2025-03-05")
    }
    assert [s["id"] for s in on["2025-03-04"]] == [session_id]
    assert on["2025-03-05"] == []

    no_date = client.delete(f"/sessions/{session_id}", params={"scope": "occurrence"})
    assert no_date.status_code == 422
    assert "query.date: required with scope=occurrence" in _messages(no_date)
    before = client.delete(
        f"/sessions/{session_id}", params={"scope": "occurrence", "date": "2025-03-01"}
    )
    assert before.status_code == 422
    assert "has no occurrence on 2025-03-01" in _messages(before)
    bad_scope = client.delete(f"/sessions/{session_id}", params={"scope": "everything"})
    assert bad_scope.status_code == 422
    assert bad_scope.json()["detail"][0]["field"] == "query.scope"


def test_out_of_range_ids_and_nul_characters_are_422_not_500(
    live_server: LiveServer, session_body: Body
) -> None:
    client = live_server.client(live_server.create_user("me@acme.test"))
    huge = 2**64
    checks = {
        "path.session_id": client.get(f"/sessions/{huge}"),
        "query.page": client.get("/sessions", params={"page": huge}),
        "body.collaborator.0": client.post("/sessions", json=session_body(collaborator=[huge])),
        "body.name": client.post("/sessions", json=session_body(name="a\x00b")),
        "query.keyword": client.get("/sessions", params={"keyword": "a\x00b"}),
        "body": client.post(
            "/sessions", content=b"{oops", headers={"content-type": "application/json"}
        ),
    }
    for field, response in checks.items():
        assert response.status_code == 422, field
        assert response.json()["detail"][0]["field"] == field
