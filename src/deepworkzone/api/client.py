"""The Sessions API client: every endpoint of shared/spec/sessions-api.md.

``SessionsClient(base_url, token)``; methods answer the wire models of domain/models.py, and
the ``*_json`` variants answer the server's JSON untouched (for ``--json`` and the cache).
Failures are the typed exceptions of api/errors.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from deepworkzone.api.errors import Conflict, ServerError
from deepworkzone.api.keys import ApiKeyMethods
from deepworkzone.api.paging import Page, list_items, page_from
from deepworkzone.api.responses import decode, raise_for_status
from deepworkzone.api.transport import api_root
from deepworkzone.domain.models import (
    Participant,
    Participation,
    Session,
    SessionCreate,
    SessionUpdate,
)

__all__ = ["FILTERS", "ListSnapshot", "SessionsClient", "api_root"]

IDEMPOTENCY_HEADER = "Idempotency-Key"
SNAPSHOT_PER_PAGE = 100  # the contract's largest page
SNAPSHOT_TRIES = 3

FILTERS = frozenset(
    {"org_id", "channel", "type", "date", "completed", "source", "keyword", "day_start", "day_ends"}
)
FilterValue = str | int | bool | dt.date | None


def _param(value: FilterValue) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


@dataclass
class ListSnapshot:
    """A whole listing read as one version (``etag``), or ``not_modified`` (304): the version
    the caller named in ``if_none_match`` is still current. ``requests``: how many were sent."""

    raw: list[dict[str, Any]] = field(default_factory=list)
    etag: str | None = None
    not_modified: bool = False
    total: int | None = None
    requests: int = 0


def _key_header(idempotency_key: str | None) -> dict[str, str]:
    return {IDEMPOTENCY_HEADER: idempotency_key} if idempotency_key else {}


class SessionsClient(ApiKeyMethods):
    """``SessionsClient(base_url, token, *, timeout, max_retries, max_total_wait, sleep, transport)``."""

    def list_page(
        self,
        query: Mapping[str, FilterValue] | None = None,
        /,
        *,
        page: int | None = None,
        per_page: int | None = None,
        **filters: FilterValue,
    ) -> Page:
        """One page of ``GET /sessions``; filters as keywords or as a ``query`` mapping."""
        wanted = {**(query or {}), **filters}
        unknown = set(wanted) - FILTERS
        if unknown:
            raise TypeError(f"unknown session filter(s): {', '.join(sorted(unknown))}")
        params = {k: _param(v) for k, v in wanted.items() if v is not None}
        if page is not None:
            params["page"] = str(page)
        if per_page is not None:
            params["per_page"] = str(per_page)
        response, body = self._call("GET", "/sessions", params=params, repeatable=True)
        return page_from(response, body)

    def list_sessions(
        self,
        query: Mapping[str, FilterValue] | None = None,
        /,
        *,
        page: int | None = None,
        per_page: int | None = None,
        **filters: FilterValue,
    ) -> list[Session]:
        return self.list_page({**(query or {}), **filters}, page=page, per_page=per_page).items

    def iter_pages(
        self,
        query: Mapping[str, FilterValue] | None = None,
        /,
        *,
        per_page: int | None = None,
        **filters: FilterValue,
    ) -> Iterator[Page]:
        """Every page of a listing, following ``Link: rel="next"`` until there is none."""
        current = self.list_page({**(query or {}), **filters}, per_page=per_page)
        seen: set[str] = set()
        yield current
        while current.next_url and current.next_url not in seen:
            seen.add(current.next_url)  # a server that links a page to itself must not loop us
            response, body = self._call("GET", current.next_url, repeatable=True)
            current = page_from(response, body)
            yield current

    def iter_sessions(
        self,
        query: Mapping[str, FilterValue] | None = None,
        /,
        *,
        per_page: int | None = None,
        **filters: FilterValue,
    ) -> Iterator[Session]:
        for page in self.iter_pages({**(query or {}), **filters}, per_page=per_page):
            yield from page.items

    def list_snapshot(
        self,
        query: Mapping[str, FilterValue] | None = None,
        /,
        *,
        if_none_match: str | None = None,
        per_page: int = SNAPSHOT_PER_PAGE,
    ) -> ListSnapshot:
        """Every page of a listing as one consistent version, conditionally.

        Page 1 goes with ``If-None-Match`` (a ``304`` answers ``not_modified`` at the cost of
        that one request); the following pages go with ``If-Match`` on page 1's ETag, and a
        ``412`` (something changed while paging) starts again, up to three times.
        """
        wanted = dict(query or {})
        unknown = set(wanted) - FILTERS
        if unknown:
            raise TypeError(f"unknown session filter(s): {', '.join(sorted(unknown))}")
        params = {k: _param(v) for k, v in wanted.items() if v is not None}
        params["per_page"] = str(per_page)
        requests = 0
        for _ in range(SNAPSHOT_TRIES):
            headers = {"If-None-Match": if_none_match} if if_none_match else {}
            response, _ = self._send(
                "GET", "/sessions", params=params, headers=headers, repeatable=True
            )
            requests += 1
            if response.status_code == 304:
                return ListSnapshot(etag=if_none_match, not_modified=True, requests=requests)
            raise_for_status(response)
            page = page_from(response, decode(response))
            etag = response.headers.get("ETag")
            raws, total, next_url = list(page.raw), page.total, page.next_url
            seen: set[str] = set()
            changed = False
            while next_url and next_url not in seen:
                seen.add(next_url)
                response, _ = self._send(
                    "GET",
                    next_url,
                    headers={"If-Match": etag} if etag else None,
                    repeatable=True,
                )
                requests += 1
                if response.status_code == 412:
                    changed = True
                    break
                raise_for_status(response)
                page = page_from(response, decode(response))
                raws += page.raw
                next_url = page.next_url
            if not changed:
                return ListSnapshot(raws, etag, total=total, requests=requests)
            if_none_match = None
        raise Conflict("the session list kept changing while it was read; try again")

    def get_session_json(self, session_id: int) -> dict[str, Any]:
        _, body = self._call(
            "GET", f"/sessions/{int(session_id)}", repeatable=True, what=f"session {session_id}"
        )
        return _object(body)

    def get_session(self, session_id: int) -> Session:
        return Session.model_validate(self.get_session_json(session_id))

    def get_session_versioned(self, session_id: int) -> tuple[Session, str | None]:
        """The session and its ETag, for an ``update_session(..., if_match=etag)``."""
        response, body = self._call(
            "GET", f"/sessions/{int(session_id)}", repeatable=True, what=f"session {session_id}"
        )
        return Session.model_validate(_object(body)), response.headers.get("ETag")

    def get_session_versioned_json(self, session_id: int) -> tuple[dict[str, Any], str | None]:
        """The server's JSON of the session and its ETag."""
        response, body = self._call(
            "GET", f"/sessions/{int(session_id)}", repeatable=True, what=f"session {session_id}"
        )
        return _object(body), response.headers.get("ETag")

    def create_session_json(
        self, body: SessionCreate | Mapping[str, Any], *, idempotency_key: str | None = None
    ) -> dict[str, Any]:
        return self.create_session_versioned_json(body, idempotency_key=idempotency_key)[0]

    def create_session_versioned_json(
        self, body: SessionCreate | Mapping[str, Any], *, idempotency_key: str | None = None
    ) -> tuple[dict[str, Any], str | None]:
        """``POST /sessions``; with an ``idempotency_key`` the server answers a repeat with
        the first result, so the request is retried like a GET. Without one it is not: a
        create whose answer was lost may have created the session."""
        response, answer = self._call(
            "POST",
            "/sessions",
            body=_body(body),
            headers=_key_header(idempotency_key),
            repeatable=idempotency_key is not None,
        )
        return _object(answer), response.headers.get("ETag")

    def create_session(
        self, body: SessionCreate | Mapping[str, Any], *, idempotency_key: str | None = None
    ) -> Session:
        return Session.model_validate(
            self.create_session_json(body, idempotency_key=idempotency_key)
        )

    def update_session_json(
        self,
        session_id: int,
        changes: SessionUpdate | Mapping[str, Any],
        *,
        if_match: str | None = None,
        if_unmodified_since: str | None = None,
    ) -> dict[str, Any]:
        return self.update_session_versioned_json(
            session_id, changes, if_match=if_match, if_unmodified_since=if_unmodified_since
        )[0]

    def update_session_versioned_json(
        self,
        session_id: int,
        changes: SessionUpdate | Mapping[str, Any],
        *,
        if_match: str | None = None,
        if_unmodified_since: str | None = None,
    ) -> tuple[dict[str, Any], str | None]:
        """``PUT``; the answer's JSON and its (new) ETag. A stale ``if_match`` raises
        PreconditionFailed (412)."""
        headers = {}
        if if_match:
            headers["If-Match"] = if_match
        if if_unmodified_since:
            headers["If-Unmodified-Since"] = if_unmodified_since
        response, answer = self._call(
            "PUT",
            f"/sessions/{int(session_id)}",
            body=_body(changes),
            headers=headers,
            repeatable=True,
            what=f"session {session_id}",
        )
        return _object(answer), response.headers.get("ETag")

    def update_session(
        self,
        session_id: int,
        changes: SessionUpdate | Mapping[str, Any],
        *,
        if_match: str | None = None,
    ) -> Session:
        return Session.model_validate(
            self.update_session_json(session_id, changes, if_match=if_match)
        )

    def delete_session(self, session_id: int, occurrence: dt.date | None = None) -> None:
        params = {"scope": "occurrence", "date": occurrence.isoformat()} if occurrence else None
        response, retries = self._send(
            "DELETE", f"/sessions/{int(session_id)}", params=params, repeatable=True
        )
        if response.status_code == 404 and retries and occurrence is None:
            return  # an earlier try deleted it and its answer was lost: the goal is reached
        raise_for_status(response, f"session {session_id}")

    def join(
        self, session_id: int, date: dt.date | None = None, *, idempotency_key: str | None = None
    ) -> Participation:
        body = {"date": date.isoformat()} if date else {}
        _, answer = self._call(
            "POST",
            f"/sessions/{int(session_id)}/join",
            body=body,
            headers=_key_header(idempotency_key),
            repeatable=True,
            what=f"session {session_id}",
        )
        return Participation.model_validate(answer if isinstance(answer, dict) else {})

    def leave(
        self, session_id: int, date: dt.date | None = None, *, idempotency_key: str | None = None
    ) -> Participation:
        body = {"date": date.isoformat()} if date else {}
        response, retries = self._send(
            "POST",
            f"/sessions/{int(session_id)}/leave",
            body=body,
            headers=_key_header(idempotency_key),
            repeatable=True,
        )
        if response.status_code == 409 and retries:
            # "not joined" after a retry: an earlier try left and its answer was lost.
            return Participation(joined=False)
        raise_for_status(response, f"session {session_id}")
        answer = decode(response)
        return Participation.model_validate(answer if isinstance(answer, dict) else {})

    def complete(
        self,
        session_id: int,
        date: dt.date | None = None,
        focused_minutes: int | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> Participation:
        body: dict[str, Any] = {}
        if date:
            body["date"] = date.isoformat()
        if focused_minutes is not None:
            body["focused_minutes"] = focused_minutes
        # Completing twice records the same completion: safe to repeat.
        _, answer = self._call(
            "POST",
            f"/sessions/{int(session_id)}/complete",
            body=body,
            headers=_key_header(idempotency_key),
            repeatable=True,
            what=f"session {session_id}",
        )
        return Participation.model_validate(answer if isinstance(answer, dict) else {})

    def participants(self, session_id: int, date: dt.date | None = None) -> list[Participant]:
        _, body = self._call(
            "GET",
            f"/sessions/{int(session_id)}/participants",
            params={"date": date.isoformat()} if date else None,
            repeatable=True,
            what=f"session {session_id}",
        )
        return [Participant.model_validate(p) for p in list_items(body)]


def _body(value: BaseModel | Mapping[str, Any]) -> Any:
    if isinstance(value, SessionUpdate):
        return value.model_dump(mode="json", exclude_unset=True)
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    return dict(value)


def _object(body: Any) -> dict[str, Any]:
    if isinstance(body, dict) and isinstance(body.get("data"), dict):
        body = body["data"]  # tolerate an envelope around single objects too
    if not isinstance(body, dict):
        raise ServerError("the server's answer is not a JSON object")
    return body
