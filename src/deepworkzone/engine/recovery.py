"""Putting the machine back after a session that did not finish (crash, kill -9, power loss).

Read at every start of the program: a journal past its end time whose process is gone is
undone at once. A session still within its time keeps its blocks until its end (or until the
user unblocks): a crash is not a way out of a focus session.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from deepworkzone.engine.effect_kinds import UnknownEffectKind, rebuild, undo_order
from deepworkzone.engine.runner import owner_alive
from deepworkzone.store.journal import CorruptJournal, Journal

log = logging.getLogger(__name__)


@dataclass
class RecoveryResult:
    restored: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    session: dict[str, Any] | None = None
    unknown: list[str] = field(default_factory=list)
    """Kinds of change this version cannot undo (a newer version wrote them): logged, the
    journal copied aside for a person, the rest recovered."""
    corrupt: str | None = None
    """Set when the journal could not be read: it was moved aside, and only what we can find
    without it (a hosts section, our system proxy setting) was put back."""

    @property
    def complete(self) -> bool:
        return not self.errors


class SessionStillRunning(Exception):
    exit_code = 1

    def __init__(self, message: str, pid: object = None) -> None:
        super().__init__(message)
        self.pid = pid


def undo_journal(journal: Journal, data: dict[str, Any]) -> RecoveryResult:
    """Undo every change the journal names, newest first; forget each once it is undone."""
    result = RecoveryResult(session=data.get("session"))
    effects: dict[str, Any] = data.get("effects", {})
    for kind in undo_order(list(effects)):
        try:
            rebuild(kind, effects[kind]).undo()
        except UnknownEffectKind as exc:
            # Retrying cannot help, and keeping the journal would fail every unblock after.
            kept = journal.keep_copy(f"unknown-{kind}")
            log.error("%s; cannot undo it here (journal kept as %s)", exc, kept)
            journal.forget(kind)
            result.unknown.append(kind)
            continue
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
    journal.sweep_temps()
    try:
        data = journal.load()
    except CorruptJournal as exc:
        log.error("%s", exc)
        if _instance_running():
            return None  # it may be that instance's journal: its blocks stay
        result = RecoveryResult(corrupt=str(exc))
        _undo_orphans(result, now or datetime.now(UTC))
        log.info("recovered after an unreadable journal: %s", result)
        return result
    if data is None:
        return None
    session = data.get("session", {})
    if owner_alive(session):
        return None
    if Journal.ends_at(data) > (now or datetime.now(UTC)):
        return None
    result = undo_journal(journal, data)
    log.info("recovered after an unfinished session: %s", result)
    if result.complete:
        from deepworkzone.engine.crashed_runs import record_crashed_run

        record_crashed_run(data, now or datetime.now(UTC))
    return result


def unblock(journal: Journal | None = None, *, force: bool = False) -> RecoveryResult | None:
    """`deepworkzone unblock`: undo whatever a session left, at once, whatever its end time."""
    journal = journal or Journal()
    journal.sweep_temps()
    try:
        data = journal.load()
    except CorruptJournal as exc:
        # Moved aside, so nothing names what it recorded: the caller cleans up what it can
        # find without it (unblock_everything: a hosts section, our system proxy setting).
        log.error("%s", exc)
        return RecoveryResult(corrupt=str(exc))
    if data is None:
        return None
    if owner_alive(data.get("session", {})) and not force:
        pid = data["session"].get("pid")
        raise SessionStillRunning(f"a focus session is running (process {pid})", pid)
    return undo_journal(journal, data)


@dataclass
class UnblockResult:
    """What ``unblock_everything`` put back."""

    restored: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    orphan_hosts: bool = False
    orphan_system_proxy: bool = False
    corrupt: str | None = None
    """The journal could not be read (moved aside; this says where): only the orphans were
    looked for."""
    unknown: list[str] = field(default_factory=list)

    @property
    def nothing(self) -> bool:
        return not (
            self.restored
            or self.errors
            or self.orphan_hosts
            or self.orphan_system_proxy
            or self.corrupt
            or self.unknown
        )


def unblock_everything(journal: Journal | None = None, *, force: bool = False) -> UnblockResult:
    """Undo whatever a session left, then anything of ours with no journal left to name it:
    a hosts section, a system proxy still pointing at our PAC file."""
    from deepworkzone.blocking.hosts_blocker import remove_section
    from deepworkzone.blocking.system_proxy import clear_leftover
    from deepworkzone.engine.errors import ServiceFailed

    result = unblock(journal, force=force)
    out = UnblockResult()
    if result is not None:
        out.restored, out.errors = list(result.restored), list(result.errors)
        out.corrupt, out.unknown = result.corrupt, list(result.unknown)
    try:
        out.orphan_hosts = remove_section()
    except OSError as exc:
        raise ServiceFailed("hosts_unwritable", f"could not clean the hosts file: {exc}") from exc
    if result is None or result.corrupt is not None:
        out.orphan_system_proxy = clear_leftover()
    return out


def orphan_hosts_count() -> int:
    """Names left in a hosts section of ours that no journal accounts for."""
    from deepworkzone.blocking.hosts_blocker import section_status

    try:
        domains = section_status()
    except OSError:
        return 0
    return len(domains) if domains else 0


def describe_effect(kind: str, record: Any) -> str:
    """One line of what a journalled change is, for a status display."""
    if not isinstance(record, dict):
        return "changed"
    if kind == "hosts":
        count = record.get("count") or len(record.get("domains", []))
        return f"{count} names in {record.get('path', 'the hosts file')}"
    if kind == "proxy":
        return f"blocking proxy on 127.0.0.1:{record.get('port')}"
    if kind == "system_proxy":
        return (
            "skipped (no desktop proxy settings)"
            if record.get("skipped")
            else "set to our PAC file"
        )
    if kind == "apps":
        names: list[str] = record.get("names") or record.get("process_names") or []
        return "closing " + ", ".join(names)
    return "snoozed until the session ends"


def journal_effects(journal: Journal | None = None) -> dict[str, Any]:
    try:
        data = (journal or Journal()).load()
    except CorruptJournal:
        return {}
    return dict(data.get("effects", {})) if data else {}


def _instance_running() -> bool:
    """Another agent, app or foreground session holds the instance lock."""
    from deepworkzone.engine.instance_lock import InstanceLock

    try:
        return InstanceLock().holder() is not None
    except OSError:
        return True  # cannot tell: do not take blocks away from a session that may run


def _undo_orphans(result: RecoveryResult, now: datetime) -> None:
    """With no journal to read: our hosts section once the end time written in it has passed
    (a crash is no way out of a session), and a system proxy setting still pointing at our
    PAC file (its proxy died with the session, so it blocks nothing now)."""
    from deepworkzone.blocking.hosts_blocker import remove_section
    from deepworkzone.blocking.system_proxy import clear_leftover

    try:
        present, until = _hosts_section_until()
        if present and (until is None or until <= now):
            if remove_section():
                result.restored.append("hosts")
        elif present:
            log.info("a hosts section of ours stays until %s", until)
    except Exception as exc:
        log.error("could not remove a leftover hosts section: %s", exc)
        result.errors.append(f"hosts: {exc}")
    try:
        if clear_leftover():
            result.restored.append("system_proxy")
    except Exception as exc:
        log.error("could not switch off a leftover system proxy setting: %s", exc)
        result.errors.append(f"system_proxy: {exc}")


def _hosts_section_until() -> tuple[bool, datetime | None]:
    """Whether the hosts file has a section of ours, and the end time written in it."""
    from deepworkzone.blocking import hosts_file, hosts_io
    from deepworkzone.blocking.hosts_blocker import hosts_path

    section = hosts_file.read_section(hosts_file.decode(hosts_io.read_bytes(hosts_path())))
    if section is None:
        return False, None
    try:
        until = datetime.fromisoformat(section.until) if section.until else None
    except ValueError:
        until = None
    if until is not None and until.tzinfo is None:
        until = until.replace(tzinfo=UTC)
    return True, until
