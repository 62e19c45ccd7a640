from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from pydantic import ValidationError

from deepworkzone.domain.models import (
    CompleteRequest,
    Session,
    SessionCreate,
    SessionUpdate,
)

# The "Create Session" body of shared/seeds/000_c39eb56285a73cdb.txt, verbatim.
SEED_BODY = json.loads(
    """
{
"org_id": 1,
"name": "Morning Deep Work",
"type": "drop-in",
"duration": 60,
"schedule": "2025-01-01",
"time": "9:00 AM",
"is_public": true,
"collaborator": [],
"status": "waiting",
"website_blocker_enabled": true,
"website_blocker": {
"mode": "preset",
"category": ["social-media", "gaming"],
"urls": []
},
"snooze_enabled": true,
"snooze_apps": {
"slack": true,
"teams": true
},
"is_recurring": 0,
"recurring_ends": null,
"recurring_start": null,
"occurrence": "daily",
"recurring_days": [],
"recurring_month_option": "exact",
"recurring_month_week_pos": 1,
"recurring_month_week_day": 1,
"fallback_option": 0
}
"""
)


def body(**changes: Any) -> dict[str, Any]:
    return {**SEED_BODY, **changes}


def errors_of(data: dict[str, Any]) -> str:
    with pytest.raises(ValidationError) as caught:
        SessionCreate.model_validate(data)
    return str(caught.value)


def test_seed_body_validates_and_round_trips_field_for_field() -> None:
    created = SessionCreate.model_validate(SEED_BODY)
    dumped = created.model_dump(mode="json")
    for field, value in SEED_BODY.items():
        assert dumped[field] == value, field
    # The only field the seed lacks is the timezone extension, defaulting to UTC.
    assert set(dumped) - set(SEED_BODY) == {"timezone"}
    assert dumped["timezone"] == "UTC"
    assert SessionCreate.model_validate(dumped) == created


def test_seed_types_are_python_types() -> None:
    created = SessionCreate.model_validate(SEED_BODY)
    assert created.schedule == dt.date(2025, 1, 1)
    assert created.is_public is True
    assert created.is_recurring == 0


@pytest.mark.parametrize(
    ("sent", "answered"),
    [
        ("21:30", "9:30 PM"),
        ("09:00", "9:00 AM"),
        ("00:00", "12:00 AM"),
        ("12:00", "12:00 PM"),
        ("9:30 pm", "9:30 PM"),
        ("9 am", "9:00 AM"),
    ],
)
def test_time_is_answered_in_the_seed_form(sent: str, answered: str) -> None:
    assert SessionCreate.model_validate(body(time=sent)).time == answered


def test_time_object_is_accepted() -> None:
    assert SessionCreate.model_validate(body(time=dt.time(21, 30))).time == "9:30 PM"


@pytest.mark.parametrize("minutes", [1, 60, 1440])
def test_duration_in_bounds(minutes: int) -> None:
    assert SessionCreate.model_validate(body(duration=minutes)).duration == minutes


@pytest.mark.parametrize("minutes", [0, -5, 1441, True, "an hour"])
def test_duration_out_of_bounds_names_the_field(minutes: object) -> None:
    assert "duration" in errors_of(body(duration=minutes))


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"timezone": "America"}, "timezone"),
        ({"time": "25:00"}, "time"),
        ({"time": "nine"}, "time"),
        ({"time": 900}, "time"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"type": "meeting"}, "type"),
        ({"schedule": "2025-02-30"}, "schedule"),
        ({"is_recurring": 2}, "is_recurring"),
        ({"fallback_option": 3}, "fallback_option"),
        ({"recurring_days": [8]}, "recurring_days"),
        ({"recurring_month_week_pos": 6}, "recurring_month_week_pos"),
        ({"recurring_month_week_day": 8}, "recurring_month_week_day"),
        ({"website_blocker": {"mode": "nuke"}}, "website_blocker.mode"),
        ({"website_blocker": {"category": ["../etc"]}}, "website_blocker.category"),
        ({"website_blocker": {"urls": [" "]}}, "website_blocker.urls"),
        ({"collaborator": ["not-an-email"]}, "collaborator"),
        ({"is_recurring": 1, "occurrence": None}, "occurrence"),
        (
            {"is_recurring": 1, "schedule": "2025-03-01", "recurring_ends": "2025-02-01"},
            "recurring_ends",
        ),
        (
            # The series starts at max(schedule, recurring_start): it would be empty.
            {
                "is_recurring": 1,
                "schedule": "2025-03-10",
                "recurring_start": "2025-03-01",
                "recurring_ends": "2025-03-05",
            },
            "recurring_ends",
        ),
        (
            {
                "is_recurring": 1,
                "occurrence": "monthly",
                "recurring_month_option": "week",
                "recurring_month_week_pos": None,
            },
            "recurring_month_week_pos",
        ),
    ],
)
def test_bad_values_give_a_value_error_naming_the_field(
    changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValueError, match=field.replace(".", r"[.\n ]+")):
        SessionCreate.model_validate(body(**changes))


def test_unknown_fields_are_ignored() -> None:
    created = SessionCreate.model_validate(body(colour="red", participation={"x": 1}))
    assert "colour" not in created.model_dump()


def test_recurring_days_are_iso_with_zero_as_sunday() -> None:
    created = SessionCreate.model_validate(
        body(is_recurring=1, occurrence="weekly", recurring_days=[3, 0, 1, 3, 7])
    )
    assert created.recurring_days == [1, 3, 7]


def test_weekly_without_days_repeats_on_the_schedule_weekday() -> None:
    created = SessionCreate.model_validate(
        body(is_recurring=1, occurrence="weekly", schedule="2025-01-01")
    )
    assert created.recurring_days == [3]


def test_week_day_zero_is_sunday() -> None:
    assert (
        SessionCreate.model_validate(body(recurring_month_week_day=0)).recurring_month_week_day == 7
    )


def test_booleans_are_accepted_for_zero_one_fields() -> None:
    created = SessionCreate.model_validate(body(is_recurring=True, fallback_option=False))
    assert (created.is_recurring, created.fallback_option) == (1, 0)


def test_categories_and_collaborators_are_cleaned() -> None:
    created = SessionCreate.model_validate(
        body(
            website_blocker={"category": ["Gaming", "gaming", " news "]},
            collaborator=[3, " Ann@Example.com", 3, "ann@example.com"],
        )
    )
    assert created.website_blocker.category == ["gaming", "news"]
    assert created.collaborator == [3, "ann@example.com"]


def test_update_changes_only_what_it_sends() -> None:
    current = SessionCreate.model_validate(SEED_BODY)
    after = SessionUpdate.model_validate({"name": "Late work", "time": "22:15"}).apply_to(current)
    assert after.name == "Late work"
    assert after.time == "10:15 PM"
    assert after.model_dump(exclude={"name", "time"}) == current.model_dump(
        exclude={"name", "time"}
    )


def test_update_can_clear_a_nullable_field() -> None:
    current = SessionCreate.model_validate(body(is_recurring=1, recurring_ends="2025-12-31"))
    after = SessionUpdate.model_validate({"recurring_ends": None}).apply_to(current)
    assert after.recurring_ends is None


def test_update_is_validated_as_a_whole() -> None:
    current = SessionCreate.model_validate(body(is_recurring=1, schedule="2025-03-01"))
    update = SessionUpdate.model_validate({"recurring_ends": "2025-02-01"})
    with pytest.raises(ValueError, match="recurring_ends"):
        update.apply_to(current)
    with pytest.raises(ValueError, match="duration"):
        SessionUpdate.model_validate({"duration": 0}).apply_to(current)


def test_update_of_a_served_session_drops_server_fields() -> None:
    served = Session.model_validate(
        body(id=4, created_by=2, deleted_occurrences=["2025-01-02"], participation={"joined": True})
    )
    after = SessionUpdate.model_validate({"duration": 30}).apply_to(served)
    assert isinstance(after, SessionCreate)
    assert after.duration == 30
    assert not hasattr(after, "id")


def test_served_session_reads_deleted_occurrences() -> None:
    served = Session.model_validate(body(id=1, deleted_occurrences=["2025-01-02"]))
    assert served.deleted_occurrences == [dt.date(2025, 1, 2)]
    assert served.participation is None


def test_complete_request_bounds_focused_minutes() -> None:
    assert CompleteRequest.model_validate({"focused_minutes": 25}).focused_minutes == 25
    with pytest.raises(ValueError, match="focused_minutes"):
        CompleteRequest.model_validate({"focused_minutes": -1})
