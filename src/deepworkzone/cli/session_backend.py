"""The sessions service as the CLI uses it: interactive retries, sync notes on stderr."""

from __future__ import annotations

import sys
from typing import Any

from deepworkzone.cli.output import format_id


def report_flush(report: Any, stuck: bool = True) -> None:
    if report.sent:
        print(f"sync: sent {report.sent} queued edit(s) to the server", file=sys.stderr)
    for entry, error in report.failed:
        target = f" of session {format_id(entry.session_id)}" if entry.session_id else ""
        print(f"sync: the server refused the queued {entry.op}{target}: {error}", file=sys.stderr)
    if stuck and report.stopped is not None and not report.offline:
        # Reachable but failing (5xx, 429): say why the queue is stuck, or nobody will know.
        print(f"sync: {report.remaining} edit(s) still queued: {report.stopped}", file=sys.stderr)


def open_service(*, quiet_stuck: bool = False) -> Any:
    """The configured sessions service; queued edits sent on the way are reported on stderr.
    ``quiet_stuck``: why the queue is stuck becomes the command's own error line instead."""
    from deepworkzone.engine.sessions_service import open_sessions

    return open_sessions(on_flush=lambda report: report_flush(report, stuck=not quiet_stuck))
