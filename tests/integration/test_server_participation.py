"""join / leave / complete / participants, and the caller's participation on GET."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from tests.integration.conftest import LiveServer

Body = Callable[..., dict[str, Any]]


def test_join_leave_complete_and_participants(live_server: LiveServer, session_body: Body) -> None:
    owner = live_server.client(live_server.create_user("owner@acme.test"))
    mate = live_server.client(live_server.create_user("mate@acme.test"))
    invitee = live_server.client(live_server.create_user("inv@acme.test"))
    session_id = owner.post("/sessions", json=session_body(collaborator=["inv@acme.test"])).json()[
        "id"
    ]
    path = f"/sessions/{session_id}"

    assert mate.get(path).json()["participation"] == {
        "joined": False,
        "role": None,
        "joined_at": None,
        "completed_at": None,
    }
    joined = mate.post(f"{path}/join", json={})
    assert joined.status_code == 200
    assert joined.json()["joined"] is True and joined.json()["role"] == "participant"
    again = mate.post(f"{path}/join")
    assert again.json()["joined_at"] == joined.json()["joined_at"]  # idempotent
    assert mate.get(path).json()["participation"]["joined_at"] == joined.json()["joined_at"]

    people = owner.get(f"{path}/participants").json()
    assert [(p["email"], p["role"], p["date"]) for p in people] == [
        ("mate@acme.test", "participant", "2025-01-01"),
        ("owner@acme.test", "owner", None),
        ("inv@acme.test", "collaborator", None),
    ]
    assert invitee.get(path).json()["participation"]["role"] == "collaborator"

    left = mate.post(f"{path}/leave")
    assert left.status_code == 200 and left.json()["joined"] is False
    assert mate.post(f"{path}/leave").status_code == 409
    assert owner.get(f"{path}/participants").json()[0]["left_at"] is not None

    done = mate.post(f"{path}/complete", json={"focused_minutes": 50})
    assert done.status_code == 200 and done.json()["completed_at"] is not None
    mates_row = owner.get(f"{path}/participants").json()[0]
    assert mates_row["focused_minutes"] == 50
    assert owner.get(path).json()["status"] == "waiting"  # a participant does not close it


def test_the_owner_completing_a_one_off_session_completes_it(
    live_server: LiveServer, session_body: Body
) -> None:
    owner = live_server.client(live_server.create_user("owner@acme.test"))
    session_id = owner.post("/sessions", json=session_body()).json()["id"]
    done = owner.post(f"/sessions/{session_id}/complete", json={"focused_minutes": 55})
    assert done.status_code == 200
    assert done.json()["role"] == "owner"
    assert owner.get(f"/sessions/{session_id}").json()["status"] == "completed"
    refused = owner.post(f"/sessions/{session_id}/join")
    assert refused.status_code == 409
    assert refused.json()["detail"] == f"session {session_id} is completed; it cannot be joined"
    bad = owner.post(f"/sessions/{session_id}/complete", json={"focused_minutes": -1})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["field"] == "body.focused_minutes"


def test_joining_a_series_is_per_occurrence(live_server: LiveServer, session_body: Body) -> None:
    owner = live_server.client(live_server.create_user("owner@acme.test"))
    mate = live_server.client(live_server.create_user("mate@acme.test"))
    body = session_body(
        schedule="2025-01-06", is_recurring=1, occurrence="weekly", recurring_days=[1]
    )
    session_id = owner.post("/sessions", json=body).json()["id"]
    path = f"/sessions/{session_id}"

    assert mate.post(f"{path}/join", json={"date": "2025-01-13"}).status_code == 200
    assert mate.post(f"{path}/join", json={"date": "2025-01-20"}).status_code == 200
    wrong_day = mate.post(f"{path}/join", json={"date": "2025-01-14"})
    assert wrong_day.status_code == 422
    assert wrong_day.json()["detail"][0]["msg"] == (
        f"body.date: session {session_id} has no occurrence on 2025-01-14"
    )
    dates = [
        p["date"]
        for p in owner.get(f"{path}/participants").json()
        if p["email"] == "mate@acme.test"
    ]
    assert dates == ["2025-01-13", "2025-01-20"]
    only = owner.get(f"{path}/participants", params={"date": "2025-01-20"}).json()
    assert [p["date"] for p in only if p["date"]] == ["2025-01-20"]

    # No date: the next Monday from now on (the series has no end).
    upcoming = mate.post(f"{path}/join").json()
    assert upcoming["joined"] is True
    days = {p["date"] for p in owner.get(f"{path}/participants").json() if p["date"]}
    today = dt.date.today()
    newest = max(dt.date.fromisoformat(d) for d in days)
    assert newest.isoweekday() == 1 and today <= newest <= today + dt.timedelta(days=7)


def test_a_cancelled_session_cannot_be_joined(live_server: LiveServer, session_body: Body) -> None:
    owner = live_server.client(live_server.create_user("owner@acme.test"))
    mate = live_server.client(live_server.create_user("mate@acme.test"))
    session_id = owner.post("/sessions", json=session_body(status="cancelled")).json()["id"]
    response = mate.post(f"/sessions/{session_id}/join")
    assert response.status_code == 409
    assert "cancelled" in response.json()["detail"]
