"""Browser policies as a session Effect (journal kind "browser_policies").

The journal entry comes first (where the ledger is, whether the helper writes); then
browser_policies writes its own ledger before each file. Undo, here or after a crash, removes
exactly the files the ledger names whose bytes are still ours. Run as root the app writes
them itself; otherwise the privileged helper does (``policies-apply`` / ``policies-clear``),
with its ledger in its own root-owned folder. A failure never stops the session.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar, Self

from deepworkzone.blocking import browser_policies, privilege
from deepworkzone.domain.effects import JournalRecord, SaveRecord

log = logging.getLogger(__name__)

LEDGER_NAME = "browser-policies.json"


def app_ledger() -> Path:
    from deepworkzone.core.paths import app_paths

    return app_paths().state_dir / LEDGER_NAME


class BrowserPolicies:
    kind: ClassVar[str] = "browser_policies"

    def __init__(self, domains: Sequence[str], *, blocklist: bool) -> None:
        self.domains = list(domains)
        self.blocklist = blocklist
        self.written: list[str] = []
        self.warnings: list[str] = []
        self._via_helper = False
        self._ledger: Path | None = None

    def apply(self, save: SaveRecord) -> None:
        self._via_helper = not browser_policies.can_write_directly()
        self._ledger = None if self._via_helper else app_ledger()
        save(self._record())
        try:
            if self._via_helper:
                args = ["policies-apply", *(["--block-list"] if self.blocklist else [])]
                out = privilege.run_helper([*args, *self.domains])
                self.written = [line for line in out.splitlines() if line.startswith("/")]
                skipped: list[str] = []
            else:
                assert self._ledger is not None
                done, skipped = browser_policies.apply(
                    self.domains, blocklist=self.blocklist, ledger=self._ledger
                )
                self.written = [w.path for w in done]
        except OSError as exc:
            self.warnings.append(f"browser policies were not written: {exc}")
            return
        for reason in skipped:
            self.warnings.append(f"browser policy not written: {reason}")
        log.info("browser policies written: %s", ", ".join(self.written) or "none")

    def undo(self) -> None:
        if self._via_helper:
            privilege.run_helper(["policies-clear"])
        elif self._ledger is not None:
            browser_policies.clear(self._ledger)

    def _record(self) -> JournalRecord:
        return {
            "via_helper": self._via_helper,
            "ledger": str(self._ledger) if self._ledger else None,
            "blocklist": self.blocklist,
        }

    @classmethod
    def from_record(cls, record: JournalRecord) -> Self:
        data: dict[str, Any] = dict(record) if isinstance(record, dict) else {}
        effect = cls([], blocklist=bool(data.get("blocklist")))
        effect._via_helper = bool(data.get("via_helper"))
        ledger = data.get("ledger")
        # Only our own ledger's name is trusted from the journal: it is a file the user owns.
        effect._ledger = (
            Path(ledger)
            if isinstance(ledger, str) and ledger.endswith(LEDGER_NAME)
            else app_ledger()
        )
        return effect
