"""`deepworkzone history` (every focus run, as a table, JSON or CSV) and `deepworkzone stats`."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from deepworkzone.cli import session_args as sa
from deepworkzone.cli.errors import UserError
from deepworkzone.cli.output import length, print_json, table

if TYPE_CHECKING:
    from datetime import tzinfo

    from deepworkzone.engine.history import RunRecord, Stats

# --csv has the columns of engine.history.CSV_FIELDS; --json has those keys too, plus strict
# and emergency_exit.
HEADER = ("WHEN", "NAME", "SESSION", "PLANNED", "FOCUSED", "OUTCOME", "REASON")
BAR_WIDTH = 30
NAME_WIDTH = 32
REASON_WIDTH = 40


def register(sub: Any) -> None:
    hist = sub.add_parser(
        "history",
        help="every focus run: completed, ended early, missed",
        description="Focus runs of this machine, oldest first. Days are local days.",
    )
    hist.add_argument("--since", type=sa.day, metavar="DATE", help="YYYY-MM-DD, today, ...")
    hist.add_argument("--until", type=sa.day, metavar="DATE", help="last day (inclusive)")
    form = hist.add_mutually_exclusive_group()
    form.add_argument("--json", action="store_true", help="a JSON array of runs")
    form.add_argument("--csv", action="store_true", help="CSV with a header row")
    hist.set_defaults(func=cmd_history)

    stats = sub.add_parser(
        "stats",
        help="focused minutes per day, total and streak",
        description="Focused minutes per local day of the last 7 (--week) or 30 days "
        "(--month), their total, and the current streak of days with focus.",
    )
    period = stats.add_mutually_exclusive_group()
    period.add_argument("--week", dest="period", action="store_const", const="week")
    period.add_argument("--month", dest="period", action="store_const", const="month")
    stats.add_argument("--json", action="store_true", help="print JSON")
    stats.set_defaults(func=cmd_stats, period="week")


def _session(session_id: int | None) -> str:
    if session_id is None:
        return "-"
    return f"L{-session_id}" if session_id < 0 else str(session_id)


def _when(run: RunRecord, tz: tzinfo) -> str:
    if run.started_at is None:
        return f"{run.occurrence.isoformat() if run.occurrence else '?'}"
    start = run.started_at.astimezone(tz)
    text = start.strftime("%Y-%m-%d %H:%M")
    if run.ended_at is not None:
        end = run.ended_at.astimezone(tz)
        text += (
            end.strftime("-%H:%M") if end.date() == start.date() else end.strftime(" - %m-%d %H:%M")
        )
    return text


def _cell(text: str | None, width: int) -> str:
    """One line, at most ``width`` characters: a table row never breaks."""
    flat = " ".join((text or "").split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _outcome(run: RunRecord) -> str:
    text = run.outcome.replace("_", " ")
    return text + (" (emergency)" if run.emergency_exit else "")


def runs_table(runs: list[RunRecord], tz: tzinfo) -> str:
    if not runs:
        return "no focus runs"
    rows = [
        [
            _when(r, tz),
            _cell(r.name, NAME_WIDTH),
            _session(r.session_id),
            length(r.planned_minutes),
            length(r.focused_minutes),
            _outcome(r),
            _cell(r.reason, REASON_WIDTH),
        ]
        for r in runs
    ]
    return table(rows, HEADER)


def write_csv(runs: list[RunRecord]) -> None:
    """RFC 4180 (engine.history.csv_text), written as bytes so no CRLF is translated."""
    from deepworkzone.engine.history import csv_text

    text = csv_text(runs)
    out = sys.stdout
    raw = getattr(out, "buffer", None)
    if raw is not None:  # bytes as written: no newline translation may touch the CRLFs
        out.flush()
        raw.write(text.encode(out.encoding or "utf-8", errors="replace"))
        raw.flush()
    else:
        out.write(text)


def cmd_history(args: argparse.Namespace) -> int:
    from deepworkzone.engine.history import open_history, run_fields

    if args.since and args.until and args.since > args.until:
        raise UserError(f"--since {args.since} is after --until {args.until}")
    service = open_history()
    runs = service.list(args.since, args.until)
    if args.json:
        print_json(
            [
                {**run_fields(r), "strict": r.strict, "emergency_exit": r.emergency_exit}
                for r in runs
            ]
        )
    elif args.csv:
        write_csv(runs)
    else:
        print(runs_table(runs, service.tz))
    return 0


def _bar_char() -> str:
    try:
        "█".encode(sys.stdout.encoding or "ascii")
    except (UnicodeEncodeError, LookupError):
        return "#"
    return "█"


def stats_text(stats: Stats) -> str:
    most = max((d.focused_minutes for d in stats.days), default=0)
    char = _bar_char()
    lines = [f"Focused time, {stats.since.isoformat()} to {stats.until.isoformat()}"]
    for d in stats.days:
        cells = 0
        if most and d.focused_minutes:
            cells = max(1, round(d.focused_minutes * BAR_WIDTH / most))
        bar = (char * cells).ljust(BAR_WIDTH)
        lines.append(f"{d.day.strftime('%a %Y-%m-%d')}  {bar}  {length(d.focused_minutes)}")
    days = "day" if stats.streak_days == 1 else "days"
    total = stats.total_minutes
    lines.append(f"Total   {length(total)} ({total} minute{'' if total == 1 else 's'})")
    lines.append(f"Streak  {stats.streak_days} {days}")
    return "\n".join(lines)


def cmd_stats(args: argparse.Namespace) -> int:
    from deepworkzone.engine.history import open_history

    stats = open_history().stats(args.period)
    if args.json:
        print_json(stats.to_json())
    else:
        print(stats_text(stats))
    return 0
