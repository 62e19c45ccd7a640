"""Path and query parameters shared by the routes, bounded so no value can overflow a column
(ids are 32-bit integers on PostgreSQL) and turn into a 500 instead of a 422."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

from deepworkzone.domain.limits import MAX_ID, MAX_KEYWORD_LENGTH
from deepworkzone.domain.wire_types import DateOnly

MAX_PAGE = 1_000_000

SessionId = Annotated[int, Path(ge=1, le=MAX_ID, description="the session's id")]
KeyId = Annotated[int, Path(ge=1, le=MAX_ID, description="the API key's id")]
OrgIdFilter = Annotated[int | None, Query(ge=1, le=MAX_ID)]
PageNumber = Annotated[int, Query(ge=1, le=MAX_PAGE)]
# YYYY-MM-DD only: "0" or "86400" is not read as Unix time, nor a datetime as its day.
DateFilter = Annotated[DateOnly | None, Query(description="a date, YYYY-MM-DD")]
# Any text but NUL (PostgreSQL cannot compare with one); it only narrows a search.
Keyword = Annotated[str | None, Query(max_length=MAX_KEYWORD_LENGTH, pattern="^[^\\u0000]*$")]
