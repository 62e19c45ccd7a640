"""GET /sessions: every filter, recurring series on ``date`` and ranges, paging."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.integration.conftest import LiveServer

Body = Callable[..., dict[str, Any]]


def _names(client: httpx.Client, **params: Any) -> set[str]:
    response = client.get("/sessions", params=params)
    assert response.status_code == 200, response.text
    assert int(response.headers["x-total-count"]) == len(response.json())
    return {s["name"] for s in response.json()}


@pytest.fixture
def acme(live_server: LiveServer, session_body: Body) -> tuple[httpx.Client, httpx.Client]:
    """Two acme users and a spread of sessions; returns (me, mate)."""
    me = live_server.client(live_server.create_user("me@acme.test"))
    mate = live_server.client(live_server.create_user("mate@acme.test"))
    other_org = live_server.client(live_server.create_user("x@other.test", org="other"))
    mine = [
        session_body(name="Mine public drop-in", schedule="2025-03-10"),
        session_body(
            name="Mine private standard",
            type="standard",
            is_public=False,
            schedule="2025-03-11",
            status="completed",
        ),
        session_body(name="Mine cancelled", schedule="2025-03-10", status="cancelled"),
    ]
    theirs = [
        session_body(name="Mate public WRITING", type="standard", schedule="2025-03-10"),
        session_body(
            name="Mate private invited",
            is_public=False,
            schedule="2025-03-12",
            collaborator=["me@acme.test"],
        ),
        session_body(name="Mate private hidden", is_public=False, schedule="2025-03-10"),
        session_body(
            name="Mate private shared",
            is_public=False,
            schedule="2025-03-13",
            collaborator=["me@acme.test"],
        ),
    ]
    for body in mine:
        assert me.post("/sessions", json=body).status_code == 201
    for body in theirs:
        assert mate.post("/sessions", json=body).status_code == 201
    assert other_org.post("/sessions", json=session_body(name="Other org")).status_code == 201
    return me, mate


VISIBLE_TO_ME = {
    "Mine public drop-in",
    "Mine private standard",
    "Mine cancelled",
    "Mate public WRITING",
    "Mate private invited",
    "Mate private shared",
}


def test_without_filters_i_see_my_orgs_public_and_my_own_and_shared(acme: Any) -> None:
    me, _ = acme
    assert _names(me) == VISIBLE_TO_ME


def test_org_id_channel_type_completed_keyword(acme: Any) -> None:
    me, _ = acme
    assert _names(me, org_id=1) == VISIBLE_TO_ME  # acme is org 1
    assert _names(me, org_id=2) == set()  # another org's id reveals nothing
    assert _names(me, channel="public") == {
        "Mine public drop-in",
        "Mine cancelled",
        "Mate public WRITING",
    }
    assert _names(me, channel="private") == {
        "Mine private standard",
        "Mate private invited",
        "Mate private shared",
    }
    assert _names(me, type="standard") == {"Mine private standard", "Mate public WRITING"}
    assert _names(me, completed=1) == {"Mine private standard"}
    assert _names(me, completed=0) == VISIBLE_TO_ME - {"Mine private standard", "Mine cancelled"}
    assert _names(me, keyword="writ") == {"Mate public WRITING"}
    assert _names(me, keyword="MINE P") == {"Mine public drop-in", "Mine private standard"}
    assert _names(me, keyword="%") == set()  # a literal, not a wildcard


def test_source_user_is_mine_or_shared_with_me(live_server: LiveServer, acme: Any) -> None:
    me, mate = acme
    everyone = mate.get("/sessions").json()
    public_of_mate = next(s["id"] for s in everyone if s["name"] == "Mate public WRITING")
    assert me.post(f"/sessions/{public_of_mate}/join").status_code == 200
    assert _names(me, source="user") == VISIBLE_TO_ME
    assert _names(mate, source="user") == {
        "Mate public WRITING",
        "Mate private invited",
        "Mate private hidden",
        "Mate private shared",
    }
    assert _names(mate, source="organization") == {
        "Mine public drop-in",
        "Mine cancelled",
        "Mate public WRITING",
        "Mate private invited",
        "Mate private hidden",
        "Mate private shared",
    }


def test_date_and_range_filters_on_one_off_sessions(acme: Any) -> None:
    me, _ = acme
    assert _names(me, date="2025-03-10") == {
        "Mine public drop-in",
        "Mine cancelled",
        "Mate public WRITING",
    }
    assert _names(me, date="2025-03-14") == set()
    assert _names(me, day_start="2025-03-11", day_ends="2025-03-12") == {
        "Mine private standard",
        "Mate private invited",
    }
    assert _names(me, day_start="2025-03-13") == {"Mate private shared"}
    assert _names(me, day_ends="2025-03-10") == {
        "Mine public drop-in",
        "Mine cancelled",
        "Mate public WRITING",
    }
    assert _names(me, date="2025-03-10", channel="public", type="drop-in", completed=0) == {
        "Mine public drop-in"
    }


def test_recurring_series_are_found_on_the_days_they_occur(
    live_server: LiveServer, session_body: Body
) -> None:
    me = live_server.client(live_server.create_user("me@acme.test"))
    series = [
        session_body(
            name="daily",
            schedule="2025-01-06",
            is_recurring=1,
            occurrence="daily",
            recurring_ends="2025-01-31",
        ),
        session_body(
            name="mon-wed",
            schedule="2025-01-06",
            is_recurring=1,
            occurrence="weekly",
            recurring_days=[1, 3],
        ),
        session_body(
            name="sunday-as-0",
            schedule="2025-01-05",
            is_recurring=1,
            occurrence="weekly",
            recurring_days=[0],
            recurring_start="2025-01-12",
        ),
        session_body(
            name="31st-fallback",
            schedule="2025-01-31",
            is_recurring=1,
            occurrence="monthly",
            recurring_month_option="exact",
            fallback_option=1,
        ),
        session_body(
            name="31st-skip",
            schedule="2025-01-31",
            is_recurring=1,
            occurrence="monthly",
            recurring_month_option="exact",
            fallback_option=0,
        ),
        session_body(
            name="last-friday",
            schedule="2025-01-31",
            is_recurring=1,
            occurrence="monthly",
            recurring_month_option="week",
            recurring_month_week_pos=5,
            recurring_month_week_day=5,
        ),
        session_body(
            name="2nd-tuesday",
            schedule="2025-01-14",
            is_recurring=1,
            occurrence="monthly",
            recurring_month_option="week",
            recurring_month_week_pos=2,
            recurring_month_week_day=2,
        ),
    ]
    for body in series:
        assert me.post("/sessions", json=body).status_code == 201, body["name"]

    expected = {
        "2025-01-06": {"daily", "mon-wed"},  # Monday
        "2025-01-08": {"daily", "mon-wed"},  # Wednesday
        "2025-01-05": set(),  # a Sunday before sunday-as-0 starts
        "2025-01-12": {"daily", "sunday-as-0"},
        "2025-01-14": {"daily", "2nd-tuesday"},
        "2025-01-31": {"daily", "31st-fallback", "31st-skip", "last-friday"},
        "2025-02-03": {"mon-wed"},  # after the daily one ended
        "2025-02-11": {"2nd-tuesday"},
        "2025-02-28": {"31st-fallback", "last-friday"},
        "2025-03-31": {"mon-wed", "31st-fallback", "31st-skip"},
        "2026-05-29": {"last-friday"},
        "2024-12-31": set(),
    }
    for day, names in expected.items():
        assert _names(me, date=day) == names, day

    assert _names(me, day_start="2025-02-12", day_ends="2025-02-16") == {"mon-wed", "sunday-as-0"}
    assert _names(me, day_start="2025-02-24", day_ends="2025-02-28") == {
        "mon-wed",
        "31st-fallback",
        "last-friday",
    }
    assert _names(me, day_start="2024-01-01", day_ends="2024-12-31") == set()


def test_paging_with_total_count_and_link_header(
    live_server: LiveServer, session_body: Body
) -> None:
    me = live_server.client(live_server.create_user("me@acme.test"))
    for i in range(25):
        me.post("/sessions", json=session_body(name=f"s{i:02d}", schedule=f"2025-04-{i + 1:02d}"))

    first = me.get("/sessions", params={"per_page": 10, "keyword": "s"})
    assert first.headers["x-total-count"] == "25"
    assert [s["name"] for s in first.json()] == [f"s{i:02d}" for i in range(10)]
    assert first.links["next"]["url"].endswith("per_page=10&keyword=s&page=2")
    assert "prev" not in first.links

    last = me.get(first.links["next"]["url"].replace("page=2", "page=3"))
    assert [s["name"] for s in last.json()] == [f"s{i:02d}" for i in range(20, 25)]
    assert "next" not in last.links
    assert last.links["prev"]["url"].endswith("page=2")

    default = me.get("/sessions")
    assert len(default.json()) == 20
    assert me.get("/sessions", params={"page": 9}).json() == []


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("org_id", "acme"),
        ("channel", "secret"),
        ("type", "meeting"),
        ("date", "2025-02-30"),
        ("completed", "2"),
        ("source", "everyone"),
        ("keyword", "x" * 201),
        ("day_start", "yesterday"),
        ("day_ends", "31/12/2025"),
        ("page", "0"),
        ("per_page", "101"),
    ],
)
def test_a_bad_filter_value_is_422_naming_the_param(
    live_server: LiveServer, param: str, value: str
) -> None:
    me = live_server.client(live_server.create_user("me@acme.test"))
    response = me.get("/sessions", params={param: value})
    assert response.status_code == 422
    (entry,) = response.json()["detail"]
    assert entry["field"] == f"query.{param}"
    assert entry["msg"].startswith(f"query.{param}: ")


def test_a_range_ending_before_it_starts_is_422(live_server: LiveServer) -> None:
    me = live_server.client(live_server.create_user("me@acme.test"))
    response = me.get("/sessions", params={"day_start": "2025-02-02", "day_ends": "2025-02-01"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "query.day_ends"
