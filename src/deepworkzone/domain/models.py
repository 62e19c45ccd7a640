"""The wire models of the Sessions API, shared by the server and the client.

Field names follow the seed (shared/seeds/000_*.txt) so a client built for the hosted API
works against ours. Unknown fields are ignored in both directions, so either side can grow.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import zoneinfo
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    WithJsonSchema,
    field_validator,
    model_serializer,
    model_validator,
)

from deepworkzone.domain.category_ids import CATEGORY_IDS
from deepworkzone.domain.clock import CLOCK_PATTERN, format_clock, parse_clock
from deepworkzone.domain.limits import (
    MAX_BODY_BYTES,
    MAX_CATEGORIES,
    MAX_CLOCK_LENGTH,
    MAX_COLLABORATORS,
    MAX_DELETED_OCCURRENCES,
    MAX_EMAIL_LENGTH,
    MAX_ID,
    MAX_KEY_NAME_LENGTH,
    MAX_NAME_LENGTH,
    MAX_RECURRING_DAYS,
    MAX_TIMEZONE_LENGTH,
    MAX_URLS,
)
from deepworkzone.domain.wire_types import (
    EMAIL_PATTERN,
    NOT_BOOL,
    DateOnly,
    Flag,
    RowId,
    Site,
    ZeroOne,
)

SessionType = Literal["drop-in", "standard"]
SessionStatus = Literal["waiting", "active", "completed", "cancelled"]
BlockerMode = Literal["preset", "custom", "allowlist"]
Occurrence = Literal["daily", "weekly", "monthly"]
MonthOption = Literal["exact", "week"]
KeyRole = Literal["USER", "GUEST"]
ParticipantRole = Literal["owner", "collaborator", "participant"]


# Some text that is not only spaces, and no NUL (PostgreSQL cannot store one).
NAME_PATTERN = "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$"
Name = Annotated[str, Field(min_length=1, max_length=MAX_NAME_LENGTH, pattern=NAME_PATTERN)]
KeyName = Annotated[str, Field(min_length=1, max_length=MAX_KEY_NAME_LENGTH, pattern=NAME_PATTERN)]
Minutes = Annotated[int, Field(ge=1, le=1440, description="minutes"), NOT_BOOL]


@functools.cache
def time_zones() -> tuple[str, ...]:
    """The IANA names this machine knows (tzdata), the ``timezone`` field's enum."""
    return tuple(sorted(zoneinfo.available_timezones()))


def _known_zone(value: Any) -> Any:
    if isinstance(value, str) and value.strip() not in time_zones():
        raise ValueError(
            f"{value!r} is not a known time zone (use an IANA name such as Europe/Paris)"
        )
    return value


TimeZone = Annotated[
    str,
    BeforeValidator(_known_zone),
    Field(max_length=MAX_TIMEZONE_LENGTH),
    WithJsonSchema(
        {"type": "string", "description": "an IANA time zone name", "examples": ["Europe/Paris"]}
    ),
]


def _category(value: Any) -> Any:
    # Ids are matched in any case and without surrounding spaces, as people type them.
    if not isinstance(value, str):
        return value  # pydantic names the type
    ident = value.strip().lower()
    if ident not in CATEGORY_IDS:
        raise ValueError(f"unknown category {value} (known: {', '.join(CATEGORY_IDS)})")
    return ident


Category = Annotated[
    str,
    BeforeValidator(_category),
    WithJsonSchema(
        {"type": "string", "enum": list(CATEGORY_IDS), "description": "see blocklists/"}
    ),
]


_EMAIL = re.compile(EMAIL_PATTERN)


def _collaborator(value: Any) -> Any:
    """A user id (1..MAX_ID) or an e-mail address (in lower case); one error at the item."""
    if isinstance(value, int) and not isinstance(value, bool):
        if not 1 <= value <= MAX_ID:
            raise ValueError(f"{value} is not a user id (1..{MAX_ID})")
        return value
    if isinstance(value, str):
        text = value.strip().lower()
        if len(text) > MAX_EMAIL_LENGTH or not _EMAIL.match(text):
            raise ValueError(f"{text[:60]!r} is neither a user id nor an e-mail address")
        return text
    raise ValueError(f"{value!r} is neither a user id nor an e-mail address")


Invitee = Annotated[
    int | str,
    BeforeValidator(_collaborator),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                {"type": "string", "maxLength": MAX_EMAIL_LENGTH, "pattern": EMAIL_PATTERN},
            ],
            "description": "a user id or the e-mail address of a member of your org",
        }
    ),
]


def _at_most(limit: int) -> BeforeValidator:
    """Refuses a longer list before any item is checked (the bound stays maxItems)."""

    def check(value: Any) -> Any:
        if isinstance(value, list) and len(value) > limit:
            raise ValueError(f"at most {limit} items, not {len(value)}")
        return value

    return BeforeValidator(check)


Weekday = Annotated[int, Field(ge=0, le=7), NOT_BOOL]
Invitees = Annotated[
    list[Invitee], Field(max_length=MAX_COLLABORATORS), _at_most(MAX_COLLABORATORS)
]
Weekdays = Annotated[
    list[Weekday], Field(max_length=MAX_RECURRING_DAYS), _at_most(MAX_RECURRING_DAYS)
]
WeekPosition = Annotated[int, Field(ge=1, le=5), NOT_BOOL]


def _unique(items: list[Any]) -> list[Any]:
    """In order, without repeats; linear (a dict), whatever the list holds."""
    return list(dict.fromkeys(items))


class WireModel(BaseModel):
    # python-re: the patterns mean what they mean to Python (and to the OpenAPI fuzzers'
    # generators), not to Rust's regex crate, whose "$" and "\\s" differ.
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, regex_engine="python-re")


class WebsiteBlocker(WireModel):
    mode: BlockerMode = "preset"
    category: Annotated[
        list[Category], Field(max_length=MAX_CATEGORIES), _at_most(MAX_CATEGORIES)
    ] = Field(default_factory=list)
    urls: Annotated[list[Site], Field(max_length=MAX_URLS), _at_most(MAX_URLS)] = Field(
        default_factory=list
    )
    # Extension: no early end from any front end; see docs/strict-mode.md. Left out of the
    # JSON when off, so the seed's sessions read back exactly as they were sent.
    strict: Flag = False

    @model_serializer(mode="wrap")
    def _strict_only_when_on(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        if not self.strict:
            data.pop("strict", None)
        return data

    @field_validator("category")
    @classmethod
    def _categories_once(cls, value: list[str]) -> list[str]:
        return _unique(value)


class AnsweredWebsiteBlocker(WebsiteBlocker):
    """The blocker as a server answers it: what it stored is read back as it is (an older
    server, or the hosted API, may know other categories); requests are checked in full."""

    category: list[str] = Field(default_factory=list)
    urls: list[str] = Field(default_factory=list)


class SnoozeApps(WireModel):
    slack: Flag = False
    teams: Flag = False


class SessionFields(WireModel):
    """Everything a client may send when creating a session (the seed's example body)."""

    org_id: RowId | None = Field(None, description="your org; left out or null: your org")
    name: Name
    type: SessionType = "standard"
    duration: Minutes
    schedule: DateOnly
    time: str = Field(
        pattern=CLOCK_PATTERN,
        max_length=MAX_CLOCK_LENGTH,
        description='start time, "9:00 AM"; "09:00" accepted on input',
        examples=["9:00 AM", "21:30"],
    )
    timezone: TimeZone = "UTC"
    is_public: Flag = False
    collaborator: Invitees = Field(default_factory=list)
    status: SessionStatus = "waiting"
    website_blocker_enabled: Flag = False
    website_blocker: WebsiteBlocker = Field(default_factory=WebsiteBlocker)
    snooze_enabled: Flag = False
    snooze_apps: SnoozeApps = Field(default_factory=SnoozeApps)
    is_recurring: ZeroOne = 0
    recurring_start: DateOnly | None = None
    recurring_ends: DateOnly | None = None
    occurrence: Occurrence | None = "daily"
    recurring_days: Weekdays = Field(default_factory=list)
    recurring_month_option: MonthOption | None = "exact"
    recurring_month_week_pos: WeekPosition | None = 1
    recurring_month_week_day: Weekday | None = 1
    fallback_option: ZeroOne = 0

    @field_validator("time", mode="before")
    @classmethod
    def _normalise_time(cls, value: Any) -> Any:
        if isinstance(value, str):
            if len(value) > MAX_CLOCK_LENGTH:
                raise ValueError(f"is longer than {MAX_CLOCK_LENGTH} characters")
            return format_clock(parse_clock(value))
        if isinstance(value, dt.time):
            # Server code builds sessions from stored rows, where the time is a time.
            return format_clock(value)
        return value

    @field_validator("recurring_days")
    @classmethod
    def _iso_weekdays(cls, value: list[int]) -> list[int]:
        return sorted({7 if day == 0 else day for day in value})

    @field_validator("recurring_month_week_day")
    @classmethod
    def _sunday_is_seven(cls, value: int | None) -> int | None:
        return 7 if value == 0 else value

    @field_validator("collaborator")
    @classmethod
    def _collaborators(cls, value: list[int | str]) -> list[int | str]:
        return _unique(value)

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


def _fits_one_request(model: BaseModel) -> None:
    """What the server refuses unread (413) is refused here, where the user can still fix
    it: an edit queued offline would otherwise never sync. Measured as the client sends it
    (compact JSON, the fields that were given)."""
    size = len(model.model_dump_json(exclude_unset=True))
    if size > MAX_BODY_BYTES:
        raise ValueError(
            f"the session is too large to send: {size // 1024} KB, at most "
            f"{MAX_BODY_BYTES // 1024} KB (fewer or shorter sites or collaborators)"
        )


class SessionCreate(SessionFields):
    @model_validator(mode="after")
    def _fits(self) -> SessionCreate:
        _fits_one_request(self)
        return self


# A left-out field keeps its value; null is a value only where a create accepts it too.
_NOT_NULL = (
    "name",
    "type",
    "duration",
    "schedule",
    "time",
    "timezone",
    "is_public",
    "collaborator",
    "status",
    "website_blocker_enabled",
    "website_blocker",
    "snooze_enabled",
    "snooze_apps",
    "is_recurring",
    "recurring_days",
    "fallback_option",
)


def _drop_null(schema: dict[str, Any]) -> None:
    """The OpenAPI schema says what _refuse_null does: no null for the _NOT_NULL fields."""
    for name in _NOT_NULL:
        prop = schema["properties"][name]
        prop.pop("default", None)
        branches = [b for b in prop.pop("anyOf", []) if b != {"type": "null"}]
        if len(branches) == 1:
            prop.update(branches[0])
        elif branches:
            prop["anyOf"] = branches


class SessionUpdate(WireModel):
    """PUT body: the create fields, any subset; what is left out keeps its value. Null is
    accepted where a create accepts it (org_id, the recurrence fields), refused elsewhere."""

    model_config = ConfigDict(json_schema_extra=_drop_null)

    org_id: RowId | None = None
    name: Name | None = None
    type: SessionType | None = None
    duration: Minutes | None = None
    schedule: DateOnly | None = None
    time: Annotated[str, Field(pattern=CLOCK_PATTERN, max_length=MAX_CLOCK_LENGTH)] | None = None
    timezone: TimeZone | None = None
    is_public: Flag | None = None
    collaborator: Invitees | None = None
    status: SessionStatus | None = None
    website_blocker_enabled: Flag | None = None
    website_blocker: WebsiteBlocker | None = None
    snooze_enabled: Flag | None = None
    snooze_apps: SnoozeApps | None = None
    is_recurring: ZeroOne | None = None
    recurring_start: DateOnly | None = None
    recurring_ends: DateOnly | None = None
    occurrence: Occurrence | None = None
    recurring_days: Weekdays | None = None
    recurring_month_option: MonthOption | None = None
    recurring_month_week_pos: WeekPosition | None = None
    recurring_month_week_day: Weekday | None = None
    fallback_option: ZeroOne | None = None

    @model_validator(mode="after")
    def _fits(self) -> SessionUpdate:
        _fits_one_request(self)
        return self

    @field_validator(*_NOT_NULL, mode="before")
    @classmethod
    def _refuse_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("may not be null (leave the field out to keep its value)")
        return value

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
    website_blocker: AnsweredWebsiteBlocker = Field(default_factory=AnsweredWebsiteBlocker)
    created_by: int | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    # Extension: occurrences removed from a recurring series (DELETE scope=occurrence).
    deleted_occurrences: list[DateOnly] = Field(
        default_factory=list, max_length=MAX_DELETED_OCCURRENCES
    )
    participation: Participation | None = None


class JoinRequest(WireModel):
    date: DateOnly | None = Field(None, description="the occurrence; null: today's or the next")


class CompleteRequest(WireModel):
    date: DateOnly | None = None
    focused_minutes: Annotated[int, Field(ge=0, le=1440), NOT_BOOL] | None = None


class Participant(WireModel):
    user_id: int
    email: str | None = None
    role: ParticipantRole = "participant"
    date: DateOnly | None = None
    joined_at: dt.datetime | None = None
    left_at: dt.datetime | None = None
    completed_at: dt.datetime | None = None
    focused_minutes: int | None = None


class ApiKeyCreate(WireModel):
    name: KeyName
    role: KeyRole = "USER"


class ApiKey(WireModel):
    id: int
    name: str
    role: KeyRole
    created_at: dt.datetime | None = None
    last_used_at: dt.datetime | None = None


class ApiKeyCreated(ApiKey):
    token: str
