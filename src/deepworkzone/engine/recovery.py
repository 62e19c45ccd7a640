"""Putting the machine back after a session that did not finish (crash, kill -9, power loss).

Read at every start of the program: a journal past its end time whose process is gone is
undone at once. A session still within its time keeps its blocks until its end (or until the
user says `deepworkzone unblock`): a crash is not a way out of a focus session.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from deepworkzone.engine.effect_kinds import rebuild, undo_order
from deepworkzone.engine.runner import owner_alive
from deepworkzone.store.journal import CorruptJournal, Journal

log = logging.getLogger(__name__)


@dataclass
class RecoveryResult:
    restored: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    session: dict[str, Any] | None = None

    @property
    def complete(self) -> bool:
        return not self.errors


class SessionStillRunning(Exception):
    exit_code = 1


def undo_journal(journal: Journal, data: dict[str, Any]) -> RecoveryResult:
    """Undo every change the journal names, newest first; forget each once it is undone."""
    result = RecoveryResult(session=data.get("session"))
    effects: dict[str, Any] = data.get("effects", {})
    for kind in undo_order(list(effects)):
        try:
            rebuild(kind, effects[kind]).undo()
        except Exception as exc:
            log.error("recovery of %s failed: %s", kind, exc)
            result.errors.append(f"{kind}: {exc}")
            continue
        journal.forget(kind)
        result.restored.append(kind)
    if result.complete:
        journal.clear()
    return result


def recover_expired(
    journal: Journal | None = None, now: datetime | None = None
) -> RecoveryResult | None:
    """Undo a dead session whose end time has passed. None when there was nothing to do."""
    journal = journal or Journal()
    try:
        data = journal.load()
    except CorruptJournal as exc:
        log.error("%s", exc)
        return None
    if data is None:
        return None
    session = data.get("session", {})
    if owner_alive(session):
        return None
    if Journal.ends_at(data) > (now or datetime.now(UTC)):
        return None
    result = undo_journal(journal, data)
    log.info("recovered after an unfinished session: %s", result)
    return result


def unblock(journal: Journal | None = None, *, force: bool = False) -> RecoveryResult | None:
    """`deepworkzone unblock`: undo whatever a session left, at once, whatever its end time."""
    journal = journal or Journal()
    data = journal.load()
    if data is None:
        return None
    if owner_alive(data.get("session", {})) and not force:
        pid = data["session"].get("pid")
        raise SessionStillRunning(
            f"a focus session is running (process {pid}); end it there with Ctrl-C, "
            "or use `deepworkzone unblock --force`"
        )
    return undo_journal(journal, data)
