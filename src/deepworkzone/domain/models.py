"""The wire models of the Sessions API, shared by the server and the client.

Field names follow the seed (shared/seeds/000_*.txt) so a client built for the hosted API
works against ours. Unknown fields are ignored in both directions, so either side can grow.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
    model_validator,
)

from deepworkzone.domain.clock import format_clock, parse_clock, zone

SessionType = Literal["drop-in", "standard"]
SessionStatus = Literal["waiting", "active", "completed", "cancelled"]
BlockerMode = Literal["preset", "custom", "allowlist"]
Occurrence = Literal["daily", "weekly", "monthly"]
MonthOption = Literal["exact", "week"]
KeyRole = Literal["USER", "GUEST"]
ParticipantRole = Literal["owner", "collaborator", "participant"]


def _zero_one(value: Any) -> Any:
    # The seed sends 0/1 where JSON has booleans; accept both spellings.
    if isinstance(value, bool):
        return int(value)
    return value


ZeroOne = Annotated[Literal[0, 1], BeforeValidator(_zero_one)]


class WireModel(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class WebsiteBlocker(WireModel):
    mode: BlockerMode = "preset"
    category: list[str] = Field(default_factory=list)
    urls: list[str] = Field(default_factory=list)
    # Extension: no early end from any front end; see docs/strict-mode.md. Left out of the
    # JSON when off, so the seed's sessions read back exactly as they were sent.
    strict: bool = False

    @model_serializer(mode="wrap")
    def _strict_only_when_on(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        if not self.strict:
            data.pop("strict", None)
        return data

    @field_validator("category")
    @classmethod
    def _categories_are_ids(cls, value: list[str]) -> list[str]:
        cleaned = []
        for item in value:
            ident = item.strip().lower()
            if not ident or not all(c.isalnum() or c in "-_" for c in ident):
                raise ValueError(f"{item!r} is not a category id (e.g. 'social-media')")
            if ident not in cleaned:
                cleaned.append(ident)
        return cleaned

    @field_validator("urls")
    @classmethod
    def _urls_not_blank(cls, value: list[str]) -> list[str]:
        cleaned = [u.strip() for u in value]
        if any(not u for u in cleaned):
            raise ValueError("website urls may not be blank")
        return cleaned


class SnoozeApps(WireModel):
    slack: bool = False
    teams: bool = False


class SessionFields(WireModel):
    """Everything a client may send when creating a session (the seed's example body)."""

    org_id: int | None = None
    name: str = Field(min_length=1, max_length=200)
    type: SessionType = "standard"
    duration: int = Field(ge=1, le=1440, description="minutes")
    schedule: dt.date
    time: str = Field(description='start time, "9:00 AM"; "09:00" accepted on input')
    timezone: str = "UTC"
    is_public: bool = False
    collaborator: list[int | str] = Field(default_factory=list)
    status: SessionStatus = "waiting"
    website_blocker_enabled: bool = False
    website_blocker: WebsiteBlocker = Field(default_factory=WebsiteBlocker)
    snooze_enabled: bool = False
    snooze_apps: SnoozeApps = Field(default_factory=SnoozeApps)
    is_recurring: ZeroOne = 0
    recurring_start: dt.date | None = None
    recurring_ends: dt.date | None = None
    occurrence: Occurrence | None = "daily"
    recurring_days: list[int] = Field(default_factory=list)
    recurring_month_option: MonthOption | None = "exact"
    recurring_month_week_pos: int | None = Field(1, ge=1, le=5)
    recurring_month_week_day: int | None = Field(1, ge=0, le=7)
    fallback_option: ZeroOne = 0

    @field_validator("time", mode="before")
    @classmethod
    def _normalise_time(cls, value: Any) -> Any:
        if isinstance(value, str):
            return format_clock(parse_clock(value))
        if isinstance(value, dt.time):
            # Server code builds sessions from stored rows, where the time is a time.
            return format_clock(value)
        return value

    @field_validator("duration", mode="before")
    @classmethod
    def _duration_not_bool(cls, value: Any) -> Any:
        # pydantic reads true as 1; a boolean duration is a client bug, not one minute.
        if isinstance(value, bool):
            raise ValueError("duration must be a number of minutes (1..1440), not a boolean")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        zone(value)
        return value

    @field_validator("recurring_days")
    @classmethod
    def _iso_weekdays(cls, value: list[int]) -> list[int]:
        days: set[int] = set()
        for day in value:
            if not 0 <= day <= 7:
                raise ValueError(f"{day} is not a weekday (1=Mon .. 7=Sun, 0 also means Sunday)")
            days.add(7 if day == 0 else day)
        return sorted(days)

    @field_validator("recurring_month_week_day")
    @classmethod
    def _sunday_is_seven(cls, value: int | None) -> int | None:
        return 7 if value == 0 else value

    @field_validator("collaborator")
    @classmethod
    def _collaborators(cls, value: list[int | str]) -> list[int | str]:
        out: list[int | str] = []
        for item in value:
            if isinstance(item, str):
                item = item.strip().lower()
                if "@" not in item or item.startswith("@") or item.endswith("@"):
                    raise ValueError(f"{item!r} is neither a user id nor an e-mail address")
            if item not in out:
                out.append(item)
        return out

    @model_validator(mode="after")
    def _recurrence_consistent(self) -> SessionFields:
        if not self.is_recurring:
            return self
        if self.occurrence is None:
            raise ValueError("a recurring session needs occurrence: daily, weekly or monthly")
        # A series never starts before its schedule, even with an earlier recurring_start.
        start = max(self.schedule, self.recurring_start or self.schedule)
        if self.recurring_ends is not None and self.recurring_ends < start:
            raise ValueError(
                f"recurring_ends ({self.recurring_ends}) is before the series starts ({start})"
            )
        if self.occurrence == "weekly" and not self.recurring_days:
            # Like calendar apps: a weekly series with no days repeats on its first day's weekday.
            self.recurring_days = [self.schedule.isoweekday()]
        if (
            self.occurrence == "monthly"
            and self.recurring_month_option == "week"
            and (self.recurring_month_week_pos is None or self.recurring_month_week_day is None)
        ):
            raise ValueError(
                "monthly by week needs recurring_month_week_pos (1..5) and "
                "recurring_month_week_day (1..7)"
            )
        return self


class SessionCreate(SessionFields):
    pass


class SessionUpdate(WireModel):
    """PUT body: the create fields, any subset; what is left out keeps its value."""

    org_id: int | None = None
    name: str | None = None
    type: SessionType | None = None
    duration: int | None = None
    schedule: dt.date | None = None
    time: str | None = None
    timezone: str | None = None
    is_public: bool | None = None
    collaborator: list[int | str] | None = None
    status: SessionStatus | None = None
    website_blocker_enabled: bool | None = None
    website_blocker: WebsiteBlocker | None = None
    snooze_enabled: bool | None = None
    snooze_apps: SnoozeApps | None = None
    is_recurring: ZeroOne | None = None
    recurring_start: dt.date | None = None
    recurring_ends: dt.date | None = None
    occurrence: Occurrence | None = None
    recurring_days: list[int] | None = None
    recurring_month_option: MonthOption | None = None
    recurring_month_week_pos: int | None = None
    recurring_month_week_day: int | None = None
    fallback_option: ZeroOne | None = None

    def apply_to(self, current: SessionFields) -> SessionCreate:
        """The session as it will be after this update, validated as a whole."""
        merged = current.model_dump(mode="json")
        merged.update(self.model_dump(mode="json", exclude_unset=True))
        return SessionCreate.model_validate(merged)


class Participation(WireModel):
    joined: bool = False
    role: ParticipantRole | None = None
    joined_at: dt.datetime | None = None
    completed_at: dt.datetime | None = None


class Session(SessionFields):
    """A session as the server answers it."""

    id: int
    org_id: int | None = None
    created_by: int | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    # Extension: occurrences removed from a recurring series (DELETE scope=occurrence).
    deleted_occurrences: list[dt.date] = Field(default_factory=list)
    participation: Participation | None = None


class JoinRequest(WireModel):
    date: dt.date | None = None


class CompleteRequest(WireModel):
    date: dt.date | None = None
    focused_minutes: int | None = Field(None, ge=0, le=1440)


class Participant(WireModel):
    user_id: int
    email: str | None = None
    role: ParticipantRole = "participant"
    date: dt.date | None = None
    joined_at: dt.datetime | None = None
    left_at: dt.datetime | None = None
    completed_at: dt.datetime | None = None
    focused_minutes: int | None = None


class ApiKeyCreate(WireModel):
    name: str = Field(min_length=1, max_length=100)
    role: KeyRole = "USER"


class ApiKey(WireModel):
    id: int
    name: str
    role: KeyRole
    created_at: dt.datetime | None = None
    last_used_at: dt.datetime | None = None


class ApiKeyCreated(ApiKey):
    token: str
