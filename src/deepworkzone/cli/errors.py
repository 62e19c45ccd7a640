"""What the CLI turns into one line on stderr and an exit code."""

from __future__ import annotations

EXIT_OK = 0
EXIT_USER = 1
EXIT_SERVICE = 2


class CliError(Exception):
    """Shown as one line; ``exit_code`` 1 for the user's mistakes, 2 for server/network."""

    exit_code = EXIT_USER


class UserError(CliError):
    exit_code = EXIT_USER


class ServiceError(CliError):
    exit_code = EXIT_SERVICE


def hint(code: str, data: dict[str, object]) -> str | None:
    """The CLI's own words after an engine error: what to type next."""
    server = data.get("server")
    service = data.get("service")
    connect = f"`deepworkzone connect {service}`" if service in ("slack", "teams") else None
    if code == "offline":
        # Only a create whose answer was lost needs a word: it may be on the server already.
        return "run `deepworkzone sessions list` to check" if data.get("maybe_sent") else None
    if code in ("snooze_authrevoked", "snooze_missingscope") and connect is None:
        return None  # raised inside `deepworkzone connect` itself: its message says it all
    hints = {
        "no_token": f"run `deepworkzone login --server {server}` or set DEEPWORKZONE_TOKEN",
        "needs_server": "run `deepworkzone login --server URL` first",
        "running_elsewhere": "end it there (Ctrl-C), or `deepworkzone unblock --force`",
        "already_running": "see `deepworkzone status`; `deepworkzone stop` ends it",
        "agent_not_running": "start it with `deepworkzone run`",
        "strict": "strict sessions cannot be ended early; `deepworkzone stop --emergency` "
        "uses the rationed emergency exit",
        "strict_pending": "`deepworkzone run` continues it; `deepworkzone unblock --force` "
        "lifts it",
        "leftover_not_undone": "try `deepworkzone unblock` again, or see the log",
        "auth_error": f"run `deepworkzone login --server {server}` again"
        if server
        else "run `deepworkzone login` again",
        "not_connected": "run `deepworkzone connect slack` or `deepworkzone connect teams`",
        "snooze_notconnected": f"run {connect}"
        if connect
        else "run `deepworkzone connect slack` or `deepworkzone connect teams`",
        "snooze_authrevoked": f"run {connect} again",
        "snooze_missingscope": f"run {connect} again",
        "teams_no_client_id": "then run `deepworkzone connect teams --client-id <id>`",
    }
    return hints.get(code)
