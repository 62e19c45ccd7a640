"""A PUT refused with 412, rebased on the server's version field by field.

The rule (``rebase``): each field of our change is compared with the base it was made on and
with the server's current version. The server still has the base's value: ours is sent. The
server already has our value: nothing to send. The server changed it to something else: a
conflict, kept with all three values (``ConflictRecord``) and not sent; the caller keeps the
record (engine/sync.py: the outbox entry is marked failed with it) so it is never dropped
silently. Fields only the server changed stay as the server has them: a PUT sends only ours.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from deepworkzone.api.client import SessionsClient
from deepworkzone.api.errors import Conflict, PreconditionFailed
from deepworkzone.domain.clock import format_clock, parse_clock
from deepworkzone.domain.models import SessionUpdate

MAX_REBASES = 3


@dataclass(frozen=True)
class ConflictRecord:
    """A queued PUT that met someone else's change of the same field: both versions.

    ``fields`` maps each conflicting field to ``{"base", "ours", "theirs"}``; ``ours`` is the
    whole change we queued, ``theirs`` the server's session now (and ``theirs_etag`` its
    version). The fields that did not conflict were sent.
    """

    session_id: int
    fields: dict[str, dict[str, Any]]
    ours: dict[str, Any]
    theirs: dict[str, Any]
    theirs_etag: str | None = None
    seq: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "session_id": self.session_id,
            "fields": self.fields,
            "ours": self.ours,
            "theirs": self.theirs,
            "theirs_etag": self.theirs_etag,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ConflictRecord:
        return cls(
            session_id=int(data["session_id"]),
            fields=data["fields"],
            ours=data["ours"],
            theirs=data["theirs"],
            theirs_etag=data.get("theirs_etag"),
            seq=data.get("seq"),
        )

    def message(self) -> str:
        parts = ", ".join(
            f"{name} (ours {v['ours']!r}, theirs {v['theirs']!r})"
            for name, v in self.fields.items()
        )
        return f"session {self.session_id} changed on the server meanwhile: {parts}"


class EditConflict(Conflict):
    """An edit conflicting with someone else's change of the same field(s)."""

    def __init__(self, record: ConflictRecord) -> None:
        super().__init__(record.message(), status=412)
        self.record = record


def _normal(name: str, value: Any) -> Any:
    """A field's value as the server writes it, so "09:00" equals "9:00 AM"."""
    if name == "time" and isinstance(value, str):
        try:
            return format_clock(parse_clock(value))
        except ValueError:
            return value
    try:
        dumped = SessionUpdate.model_validate({name: value}).model_dump(
            mode="json", exclude_unset=True
        )
    except ValueError:
        return value
    return dumped.get(name, value)


def rebase(
    base: dict[str, Any], changes: dict[str, Any], current: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """Our ``changes`` (made on ``base``) replayed on the server's ``current``, field by field.

    Answers what to send and the conflicts: a field the server still has as in ``base`` takes
    ours; a field the server already has as ours needs nothing; a field the server changed to
    something else is a conflict (and is not sent).
    """
    send: dict[str, Any] = {}
    conflicts: dict[str, dict[str, Any]] = {}
    for name, ours in changes.items():
        mine, theirs = _normal(name, ours), _normal(name, current.get(name))
        if mine == theirs:
            continue
        if _normal(name, base.get(name)) == theirs:
            send[name] = ours
        else:
            conflicts[name] = {"base": base.get(name), "ours": ours, "theirs": current.get(name)}
    return send, conflicts


@dataclass
class PutResult:
    """What a PUT left on the server: its JSON and ETag, and whether it was rebased."""

    raw: dict[str, Any]
    etag: str | None
    rebased: bool = False  # the server was not at our base: later PUTs must check afresh
    conflict: ConflictRecord | None = None


def put_rebased(
    client: SessionsClient,
    sid: int,
    changes: dict[str, Any],
    base: dict[str, Any] | None,
    etag: str | None,
) -> PutResult:
    """PUT ``changes`` made on ``base`` (version ``etag``), rebasing on a 412.

    No ETag but a base (a row read from a listing): the server's version is read first
    and the changes rebased on it, then sent with its If-Match. Neither: sent as is.
    """
    send = dict(changes)
    rebased = False
    conflict: ConflictRecord | None = None
    current: dict[str, Any] | None = None

    def reread() -> None:
        nonlocal current, etag, send, rebased, conflict
        assert base is not None
        current, etag = client.get_session_versioned_json(sid)
        send, fields = rebase(base, changes, current)
        rebased = True
        conflict = ConflictRecord(sid, fields, changes, current, etag) if fields else None

    if etag is None and base is not None:
        reread()
    for _ in range(MAX_REBASES):
        if not send:  # nothing of ours left to send: the server has it, or conflicts
            if current is None:
                current, etag = client.get_session_versioned_json(sid)
            return PutResult(current, etag, rebased, conflict)
        try:
            raw, new_etag = client.update_session_versioned_json(sid, send, if_match=etag)
        except PreconditionFailed:
            if base is None:
                raise
            reread()
            continue
        return PutResult(raw, new_etag, rebased, conflict)
    raise PreconditionFailed(f"session {sid} kept changing on the server; try again")
