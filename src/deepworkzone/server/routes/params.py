"""Path and query parameters shared by the routes, bounded so no value can overflow a column
(ids are 32-bit integers on PostgreSQL) and turn into a 500 instead of a 422."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

MAX_ID = 2**31 - 1
MAX_PAGE = 1_000_000

SessionId = Annotated[int, Path(ge=1, le=MAX_ID, description="the session's id")]
KeyId = Annotated[int, Path(ge=1, le=MAX_ID, description="the API key's id")]
OrgIdFilter = Annotated[int | None, Query(ge=1, le=MAX_ID)]
PageNumber = Annotated[int, Query(ge=1, le=MAX_PAGE)]
