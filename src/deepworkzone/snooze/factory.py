"""What the focus runner asks for: the snoozers of the connected services, and warnings for
the others. Decided offline (tokens and the connections file), so starting a session never
waits on the network here; the calls happen in ``apply``."""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import datetime

from deepworkzone.domain.effects import Effect
from deepworkzone.snooze import connections
from deepworkzone.snooze.slack_snoozer import SlackSnoozer
from deepworkzone.snooze.teams_snoozer import TeamsSnoozer
from deepworkzone.snooze.tokens import GRAPH_TOKEN_ENV, SLACK_TOKEN_ENV, slack_token_available

SNOOZER_KINDS: dict[str, type[SlackSnoozer] | type[TeamsSnoozer]] = {
    "slack": SlackSnoozer,
    "teams": TeamsSnoozer,
}
"""Journal kind -> class; crash recovery calls ``SNOOZER_KINDS[kind].from_record(r).undo()``."""

_LABELS = {"slack": "Slack", "teams": "Microsoft Teams"}


def parse_apps(apps: Iterable[str]) -> list[str]:
    """Normalise and check app names, keeping order and dropping repeats."""
    chosen: list[str] = []
    for raw in apps:
        name = raw.strip().lower()
        if not name:
            continue
        if name not in SNOOZER_KINDS:
            raise ValueError(
                f"unknown app to snooze: {raw!r} (choose from {', '.join(SNOOZER_KINDS)})"
            )
        if name not in chosen:
            chosen.append(name)
    return chosen


def connection_problem(app: str) -> str | None:
    """Why ``app`` cannot be snoozed now, or None when it is connected. Worded for any front
    end: it says what is wrong, not which command or button fixes it."""
    label = _LABELS[app]
    if os.environ.get(SLACK_TOKEN_ENV if app == "slack" else GRAPH_TOKEN_ENV):
        return None
    reason = connections.disconnected_reason(app)
    if reason:
        return f"{label} needs reconnecting (it refused the last sign-in): not snoozed"
    # Teams counts as connected once a sign-in succeeded; MSAL refreshes silently later.
    connected = slack_token_available() if app == "slack" else connections.get("teams") is not None
    return None if connected else f"{label} is not connected: not snoozed"


def build_snoozers(
    apps: Iterable[str], *, ends_at: datetime, session_name: str
) -> tuple[list[Effect], list[str]]:
    """Snoozers for the connected apps among ``apps`` and warnings for the rest.

    Raises ValueError for an app name that is not "slack" or "teams", or a naive ``ends_at``.
    """
    if ends_at.tzinfo is None:
        raise ValueError("ends_at must be timezone-aware")
    snoozers: list[Effect] = []
    warnings: list[str] = []
    for app in parse_apps(apps):
        problem = connection_problem(app)
        if problem:
            warnings.append(problem)
            continue
        snoozers.append(SNOOZER_KINDS[app](ends_at, session_name))
    return snoozers, warnings
