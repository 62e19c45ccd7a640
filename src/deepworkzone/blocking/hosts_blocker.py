"""The hosts-file Effect: our marked section in, our marked section out.

Undo removes only our section from the file as it is *then*, so edits the user made during
the session stay, and the bytes around the section (BOM, line endings, a missing final
newline) come back exactly. When the app may not write the file, the privileged helper
does the same two operations.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

from deepworkzone.blocking import hosts_file, hosts_io, network_nudge, privilege
from deepworkzone.blocking.dns_flush import flush_dns
from deepworkzone.core.paths import app_paths
from deepworkzone.domain.effects import JournalRecord, SaveRecord
from deepworkzone.domain.hostnames import normalise_domain

log = logging.getLogger(__name__)

HOSTS_ENV = "DEEPWORKZONE_HOSTS_FILE"
# An end time for the helper's record when the caller gave none: recovery treats a section
# past this time as stale.
DEFAULT_SPAN = timedelta(hours=24)


def os_hosts_path(platform: str = sys.platform) -> Path:
    """The operating system's hosts file."""
    if platform == "win32":  # pragma: no cover - Windows
        return _windows_hosts_path()
    return Path("/etc/hosts")


def _windows_hosts_path() -> Path:  # pragma: no cover - Windows
    # The folder can be moved by this registry value; read it rather than assume.
    folder = os.path.expandvars(r"%SYSTEMROOT%\System32\drivers\etc")
    if sys.platform == "win32":
        import winreg

        key_path = r"SYSTEM\CurrentControlSet\Services\Tcpip\Parameters"
        try:
            with winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, key_path) as key:
                folder = os.path.expandvars(winreg.QueryValueEx(key, "DataBasePath")[0])
        except OSError:
            pass
    return Path(folder) / "hosts"


def hosts_path() -> Path:
    """``DEEPWORKZONE_HOSTS_FILE`` when set (tests, portable setups), else the OS hosts file."""
    override = os.environ.get(HOSTS_ENV)
    return Path(override).expanduser() if override else os_hosts_path()


def checked_names(domains: Sequence[str]) -> list[str]:
    """Domains ready for the hosts file; InvalidDomain for anything else.

    Names already in normal form (everything resolve_block returns) pass one regex; the rest
    go through the full normaliser, which either fixes them or says why not.
    """
    out: dict[str, None] = {}
    for domain in domains:
        name = domain if hosts_file.is_hosts_name(domain) else normalise_domain(domain)
        out.setdefault(name, None)
    return list(out)


def write_block(
    path: Path, domains: Sequence[str], until: str | None, backup_dir: Path | None = None
) -> str:
    """Put our section (replacing any old one) into ``path``; returns how it was written.

    The first block keeps a backup of the file in ``backup_dir`` (default: the app's state
    folder)."""
    raw = hosts_io.read_bytes(path)
    new = hosts_file.with_section(hosts_file.decode(raw), domains, until=until).encode()
    if new == raw:
        return "unchanged"
    if not hosts_file.has_section(hosts_file.decode(raw)):
        hosts_io.save_backup(raw, backup_dir or app_paths().state_dir)
    return hosts_io.write_bytes(path, new)


def clear_block(path: Path) -> bool:
    """Remove every section of ours from ``path``; True if there was one."""
    raw = hosts_io.read_bytes(path)
    doc = hosts_file.decode(raw)
    if not hosts_file.has_section(doc):
        return False
    hosts_io.write_bytes(path, hosts_file.with_section(doc, ()).encode())
    return True


def section_status(path: Path | None = None) -> list[str] | None:
    """The domains in our section right now, or None when the file has no section."""
    raw = hosts_io.read_bytes(path or hosts_path())
    section = hosts_file.read_section(hosts_file.decode(raw))
    return None if section is None else section.domains


def remove_section(path: Path | None = None) -> bool:
    """Remove our section (after a crash); through the helper when the file is not writable.

    Also removes temporary files of ours that a killed write left beside the file (only ours:
    see ``hosts_io.sweep_temps``); the helper does the same for its own when it writes."""
    target = path or hosts_path()
    hosts_io.sweep_temps(target)
    ours = _is_os_hosts(target)
    if section_status(target) is None:
        if ours and network_nudge.leftover():  # a nudge interrupted: its address stays
            _clear_nudge_leftover(target)
        return False
    if _use_helper(target):
        privilege.run_helper(["clear"])  # the helper clears, flushes and nudges
    else:
        clear_block(target)
        flush_dns()
        if ours:
            network_nudge.clear_leftover()
            network_nudge.nudge()
    return True


def _is_os_hosts(path: Path) -> bool:
    """Browsers read only the OS hosts file: only its changes are worth a network nudge."""
    return os.path.realpath(path) == os.path.realpath(os_hosts_path())


def _clear_nudge_leftover(target: Path) -> None:
    if _use_helper(target):
        privilege.run_helper(["clear"])
    else:
        network_nudge.clear_leftover()


def _use_helper(path: Path) -> bool:
    if privilege.can_write_directly(path):
        return False
    if os.environ.get(HOSTS_ENV):
        # The helper only ever writes the OS hosts file; it cannot fix a custom path.
        raise hosts_io.HostsWriteError(13, f"{path} is not writable ({HOSTS_ENV} is set)")
    return True


class HostsBlocker:
    """Implements domain.effects.Effect for the hosts file."""

    kind: ClassVar[str] = "hosts"

    def __init__(
        self,
        domains: Sequence[str],
        hosts_path: Path | None = None,
        *,
        until: datetime | None = None,
    ) -> None:
        self.domains = checked_names(domains)
        self.path = hosts_path
        self.until = until

    def _target(self) -> Path:
        return self.path or hosts_path()

    def _until_text(self) -> str:
        until = self.until or datetime.now(UTC) + DEFAULT_SPAN
        return until.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    def apply(self, save: SaveRecord) -> None:
        target = self._target()
        until = self._until_text()
        via_helper = _use_helper(target)
        save(self._record(target, until, via_helper))
        if via_helper:
            out = privilege.run_helper(["apply", "--until", until, *self.domains])
            if "network change" in out:
                network_nudge.note_nudged_elsewhere()
            return
        how = write_block(target, self.domains, until)
        flushed = flush_dns()
        if _is_os_hosts(target) and network_nudge.nudge():
            flushed.append("browsers (network change)")
        log.info(
            "hosts block of %d domains written %s to %s; flushed %s",
            len(self.domains),
            how,
            target,
            flushed,
        )

    def extend(self, ends_at: datetime, save: SaveRecord) -> None:
        """A longer session: the section is written again with the new end time."""
        self.until = ends_at
        self.apply(save)

    def undo(self) -> None:
        try:
            remove_section(self._target())
        except FileNotFoundError:
            log.warning("hosts file %s is gone; nothing of ours to remove", self._target())

    def _record(self, target: Path, until: str, via_helper: bool) -> JournalRecord:
        return {
            "path": str(target),
            "domains": list(self.domains),
            "count": len(self.domains),
            "until": until,
            "via_helper": via_helper,
        }

    @classmethod
    def from_record(cls, record: JournalRecord) -> HostsBlocker:
        data: dict[str, Any] = dict(record)
        path = data.get("path")
        until = data.get("until")
        # Undo needs no domain list (it removes the whole section), so a damaged entry in
        # the journal is dropped rather than allowed to stop recovery.
        domains = [
            d for d in data.get("domains", []) if isinstance(d, str) and hosts_file.is_hosts_name(d)
        ]
        try:
            ends = datetime.fromisoformat(until) if isinstance(until, str) else None
        except ValueError:
            ends = None
        return cls(domains, Path(path) if isinstance(path, str) and path else None, until=ends)
