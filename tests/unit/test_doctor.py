"""`doctor` on machines with and without each part: every probe of the system is faked here
(tests/integration/test_doctor_system.py asks real tools, a real bus, server and agent).
A missing part some upcoming session needs makes the report fail; one nobody needs does not."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from deepworkzone.cli.main import main
from deepworkzone.core.settings import Settings
from deepworkzone.domain.models import Session
from deepworkzone.engine import doctor
from deepworkzone.engine.autostart import AutostartStatus
from deepworkzone.engine.helper_status import HelperStatus
from deepworkzone.engine.instance_lock import LockHolder
from deepworkzone.snooze.status import ConnectionRow

TODAY = dt.date(2026, 3, 2)
HELPER = "/usr/libexec/deepworkzone/deepworkzone-helper"
ALL_NAMES = {doctor.NOTIFICATIONS, doctor.SNI_WATCHER, "org.freedesktop.DBus"}


def session(
    session_id: int = 1,
    name: str = "Writing",
    *,
    hosts: bool = False,
    slack: bool = False,
    teams: bool = False,
    day: dt.date = TODAY,
    **extra: Any,
) -> Session:
    return Session.model_validate(
        {
            "id": session_id,
            "name": name,
            "duration": 50,
            "schedule": day.isoformat(),
            "time": "9:00 AM",
            "website_blocker_enabled": hosts,
            "website_blocker": {"mode": "custom", "urls": ["example.org"]},
            "snooze_enabled": slack or teams,
            "snooze_apps": {"slack": slack, "teams": teams},
            **extra,
        }
    )


def _bus_reply(names: set[str]) -> Any:
    def run(argv: list[str]) -> tuple[int, str]:
        assert argv[0] == "gdbus"
        listed = names if argv[-1].endswith(".ListNames") else set()
        return 0, "([" + ", ".join(f"'{n}'" for n in sorted(listed)) + "],)\n"

    return run


def machine(
    *,
    sessions: list[Session] | None = None,
    settings: Settings | None = None,
    **changes: Any,
) -> doctor.Probes:
    """A desktop where everything is in place; ``changes`` take parts away."""
    tools = {"pkexec", "sudo", "gdbus", "systemctl", "resolvectl"}
    probes = doctor.Probes(
        platform="linux",
        env={
            "WAYLAND_DISPLAY": "wayland-0",
            "DBUS_SESSION_BUS_ADDRESS": "unix:path=/run/user/1000/bus",
            "XDG_CURRENT_DESKTOP": "GNOME",
        },
        which=lambda name: f"/usr/bin/{name}" if name in tools else None,
        run=_bus_reply(ALL_NAMES),
        exists=lambda path: True,
        settings=lambda: settings or Settings(),
        sessions=lambda: list(sessions or []),
        today=lambda: TODAY,
        helper=lambda: HelperStatus(True, True, HELPER, [HELPER]),
        polkit_policy=lambda: Path("/usr/share/polkit-1/actions/ai.deepworkzone.helper.policy"),
        hosts_file=lambda: Path("/etc/hosts"),
        hosts_writable=lambda path: False,
        proxy_backend=lambda: ("gnome", None),
        dns_commands=lambda: [["/usr/bin/resolvectl", "flush-caches"]],
        keyring=lambda: (True, "the OS keyring"),
        connections=lambda: [
            ConnectionRow("slack", "yes", "ana @ acme", "ok"),
            ConnectionRow("teams", "yes", "ana @ acme", "ok"),
        ],
        autostart=lambda target: AutostartStatus(True, target == "app", None, target),
        instance=lambda: LockHolder(4242, 0.0, "app", "/run/user/1000/deepworkzone/agent.sock"),
        ping=lambda socket: True,
        server=lambda: ("https://sessions.example.com", "token"),
        reach=lambda server, token: ("ok", "reachable; the API token is accepted"),
        menu_entry=lambda: True,
    )
    return dataclasses.replace(probes, **changes)


def statuses(report: doctor.DoctorReport) -> dict[str, str]:
    return {c.id: c.status for c in report.checks}


def check(probes: doctor.Probes, check_id: str, **kw: Any) -> doctor.Check:
    found = doctor.run_checks(probes, **kw).get(check_id)
    assert found is not None
    return found


def test_a_fully_set_up_desktop_is_all_ok() -> None:
    report = doctor.run_checks(machine(sessions=[session(hosts=True, slack=True)]))
    assert [c.id for c in report.checks] == list(doctor.CHECK_IDS)
    assert set(statuses(report).values()) == {"ok"}, statuses(report)
    assert report.ok and report.problems == ()
    shown = report.to_json()
    assert shown["ok"] and {c["status"] for c in shown["checks"]} == {"ok"}


def test_no_hosts_helper_fails_only_when_a_session_blocks_through_the_hosts_file() -> None:
    gone = HelperStatus(False, True, None, [HELPER])
    needing = machine(sessions=[session(7, "Deep", hosts=True)], helper=lambda: gone)
    report = doctor.run_checks(needing)
    helper = report.get("hosts_helper")
    assert helper and helper.status == "missing" and helper.fix == "setup"
    assert helper.needed_by == ("Deep (7)",) and "not installed" in helper.detail
    assert not report.ok and report.problems == (helper,)
    # The same machine with only a session that does not block: shown, but not a failure.
    calm = doctor.run_checks(dataclasses.replace(needing, sessions=lambda: [session()]))
    assert calm.get("hosts_helper").status == "missing" and calm.ok  # type: ignore[union-attr]


def test_the_helper_by_what_the_machine_has_to_run_it() -> None:
    assert (
        check(
            machine(
                hosts_writable=lambda p: True, helper=lambda: HelperStatus(True, False, HELPER)
            ),
            "hosts_helper",
        ).status
        == "na"
    )
    no_pkexec = machine(which=lambda n: "/usr/bin/sudo" if n == "sudo" else None)
    found = check(no_pkexec, "hosts_helper")
    assert found.status == "warning" and "sudo" in found.detail
    nothing = machine(
        which=lambda n: None, sessions=[session(hosts=True)], run=lambda argv: (127, "")
    )
    found = check(nothing, "hosts_helper")
    assert found.status == "missing" and found.blocks_sessions
    no_policy = machine(exists=lambda path: "polkit-1" not in path)
    found = check(no_policy, "hosts_helper")
    assert found.status == "warning" and "polkit policy" in found.detail and found.fix == "setup"
    foreign = HelperStatus(False, True, None, [HELPER], problem="it is not owned by root")
    found = check(machine(helper=lambda: foreign), "hosts_helper")
    assert found.status == "missing" and "not owned by root" in found.detail


def test_the_hosts_file_itself() -> None:
    assert "administrator" in check(machine(), "hosts_file").detail
    assert (
        "writable by this user"
        in check(machine(hosts_writable=lambda p: True), "hosts_file").detail
    )
    gone = machine(exists=lambda path: path != "/etc/hosts", sessions=[session(hosts=True)])
    found = check(gone, "hosts_file")
    assert found.status == "missing" and found.needed_by == ("Writing (1)",)


def test_the_system_proxy_with_and_without_a_backend() -> None:
    assert "gnome" in check(machine(), "system_proxy").detail
    proxy = Settings(blocking_method="proxy")
    headless = machine(proxy_backend=lambda: (None, None), env={})
    assert check(headless, "system_proxy").status == "na"  # nobody blocks with the proxy
    assert check(dataclasses.replace(headless, settings=lambda: proxy), "system_proxy").status == (
        "warning"
    )
    needing = dataclasses.replace(
        headless, settings=lambda: proxy, sessions=lambda: [session(hosts=True)]
    )
    found = check(needing, "system_proxy")
    assert (
        found.status == "missing" and found.blocks_sessions and "no desktop session" in found.detail
    )
    broken = machine(proxy_backend=lambda: ("gnome", "gsettings is not installed"))
    assert "gsettings is not installed" in check(broken, "system_proxy").detail
    off = machine(proxy_backend=lambda: (None, "turned off"))
    assert check(off, "system_proxy").status == "na"


def test_dns_flush_keyring_and_menu_entry() -> None:
    assert "resolvectl flush-caches" in check(machine(), "dns_flush").detail
    stale = check(machine(dns_commands=lambda: []), "dns_flush")
    assert stale.status == "warning" and "resolvectl is missing" in stale.detail
    none = check(machine(dns_commands=lambda: [], exists=lambda p: False), "dns_flush")
    assert none.status == "ok" and "nothing to flush" in none.detail
    plain = check(machine(keyring=lambda: (False, "/home/ana/.config/dwz/secrets.json")), "keyring")
    assert plain.status == "warning" and "secrets.json" in plain.detail
    chosen = machine(
        keyring=lambda: (False, "/x/secrets.json"), env={"DEEPWORKZONE_SECRETS": "file"}
    )
    assert check(chosen, "keyring").status == "na"
    assert check(machine(menu_entry=lambda: False), "menu_entry").fix == "install_desktop"


def test_display_notifications_and_tray_by_what_the_session_bus_offers() -> None:
    x11 = machine(
        env={"DISPLAY": ":0", "DBUS_SESSION_BUS_ADDRESS": "unix:abstract=x"},
        run=_bus_reply({"org.freedesktop.DBus"}),
    )
    report = doctor.run_checks(x11)
    assert statuses(report)["display"] == "ok" and "X11" in report.get("display").detail  # type: ignore[union-attr]
    assert statuses(report)["notifications"] == "warning"
    assert "classic X11 system tray" in report.get("tray").detail  # type: ignore[union-attr]
    wayland = machine(run=_bus_reply({doctor.NOTIFICATIONS}))
    assert "quits the app" in check(wayland, "tray").detail
    no_bus = doctor.run_checks(machine(env={"WAYLAND_DISPLAY": "wayland-0"}))
    assert "no D-Bus session bus" in no_bus.get("notifications").detail  # type: ignore[union-attr]
    assert statuses(no_bus)["tray"] == "warning"
    # The runtime folder's bus socket counts as a session bus too.
    runtime = machine(env={"WAYLAND_DISPLAY": "w", "XDG_RUNTIME_DIR": "/run/user/1000"})
    assert check(runtime, "notifications").status == "ok"
    headless = doctor.run_checks(machine(env={}))
    assert statuses(headless)["display"] == "warning"
    assert statuses(headless)["notifications"] == statuses(headless)["tray"] == "na"
    assert statuses(headless)["menu_entry"] == "na"
    mac = doctor.run_checks(machine(platform="darwin", env={}))
    assert {statuses(mac)[k] for k in ("display", "notifications", "tray")} == {"ok"}


def test_dbus_send_answers_when_gdbus_is_missing() -> None:
    def dbus_send(argv: list[str]) -> tuple[int, str]:
        assert argv[0] == "dbus-send"
        if argv[-1].endswith("ListActivatableNames"):
            return 0, f'method return\n   array [\n      string "{doctor.NOTIFICATIONS}"\n   ]\n'
        return 0, '   array [\n      string "org.freedesktop.DBus"\n   ]\n'

    probes = machine(
        which=lambda n: "/usr/bin/dbus-send" if n == "dbus-send" else None, run=dbus_send
    )
    assert doctor.bus_names(probes) == {doctor.NOTIFICATIONS, "org.freedesktop.DBus"}
    assert check(probes, "notifications").status == "ok"  # activatable: started on first use
    assert check(probes, "tray").status == "warning"


def test_slack_and_teams_by_connection_and_by_what_sessions_snooze() -> None:
    rows = [ConnectionRow("slack", "no", "-", "-"), ConnectionRow("teams", "no", "-", "-")]
    report = doctor.run_checks(
        machine(connections=lambda: rows, sessions=[session(3, "Focus", teams=True)])
    )
    slack, teams = report.get("slack"), report.get("teams")
    assert slack and slack.status == "na" and slack.fix == "connect_slack"
    assert teams and teams.status == "missing" and teams.needed_by == ("Focus (3)",)
    assert not report.ok and [c.id for c in report.problems] == ["teams"]
    refused = [ConnectionRow("slack", "no (token refused: reconnect)", "ana", "-")]
    assert check(machine(connections=lambda: refused), "slack").status == "warning"
    scopes = [ConnectionRow("slack", "yes", "ana @ acme", "missing dnd:write")]
    found = check(machine(connections=lambda: scopes, sessions=[session(slack=True)]), "slack")
    assert found.status == "missing" and "dnd:write" in found.detail
    unknown = [ConnectionRow("slack", "unknown (Slack did not answer)", "-", "-")]
    assert "Slack did not answer" in check(machine(connections=lambda: unknown), "slack").detail


def test_start_at_login_and_the_running_agent() -> None:
    off = machine(
        autostart=lambda t: AutostartStatus(True, False, None, t),
        instance=lambda: None,
        sessions=[session()],
    )
    report = doctor.run_checks(off)
    assert statuses(report)["autostart"] == "warning" and report.get("autostart").fix == "autostart"  # type: ignore[union-attr]
    agent = report.get("agent")
    assert agent and agent.status == "warning" and "will not start" in agent.detail
    assert report.ok  # a warning, not a failure: the session can still be started by hand
    idle = dataclasses.replace(off, sessions=lambda: [])
    assert statuses(doctor.run_checks(idle))["agent"] == "na"
    mute = machine(ping=lambda socket: False)
    assert "does not answer" in check(mute, "agent").detail
    focus = machine(instance=lambda: LockHolder(9, 0.0, "focus", None), sessions=[session()])
    assert check(focus, "agent").status == "warning"
    agent_on = machine(autostart=lambda t: AutostartStatus(True, t == "agent", None, t))
    assert check(agent_on, "autostart").detail == "the agent starts at login"


def test_the_server_with_and_without_a_token_and_a_network() -> None:
    assert check(machine(server=lambda: (None, None)), "server").status == "na"
    no_token = doctor.run_checks(machine(server=lambda: ("https://s.example", None)))
    found = no_token.get("server")
    assert found and found.status == "missing" and found.fix == "login" and not no_token.ok
    refused = machine(reach=lambda s, t: ("missing", "the server refused the API token"))
    assert check(refused, "server").blocks_sessions
    away = machine(reach=lambda s, t: ("warning", "cannot be reached (connection refused)"))
    found = check(away, "server")
    assert found.status == "warning" and "copy on this machine" in found.remedy

    def never(server: str, token: str) -> tuple[str, str]:
        raise AssertionError("offline must not ask the server")

    assert "not asked" in check(machine(reach=never), "server", online=False).detail


def test_a_probe_that_fails_is_reported_and_the_rest_still_runs() -> None:
    def broken() -> Any:
        raise RuntimeError("keyring daemon crashed")

    def bad_store() -> Any:
        raise OSError("database is locked")

    report = doctor.run_checks(dataclasses.replace(machine(keyring=broken), sessions=bad_store))
    keyring = report.get("keyring")
    assert keyring and keyring.status == "warning" and "keyring daemon crashed" in keyring.detail
    assert len(report.checks) == len(doctor.CHECK_IDS) and report.ok
    only = doctor.run_checks(machine(), only={"tray", "server"})
    assert [c.id for c in only.checks] == ["tray", "server"]


def test_only_upcoming_sessions_this_user_runs_count() -> None:
    past = session(1, "Old", hosts=True, day=TODAY - dt.timedelta(days=1))
    done = session(2, "Done", hosts=True, status="completed")
    theirs = session(3, "Theirs", hosts=True, participation={"joined": False})
    series = session(
        4,
        "Daily",
        hosts=True,
        day=TODAY - dt.timedelta(days=30),
        is_recurring=1,
        recurring_start=(TODAY - dt.timedelta(days=30)).isoformat(),
        occurrence="daily",
    )
    many = [
        session(10 + i, f"S{i}", slack=True, day=TODAY + dt.timedelta(days=i)) for i in range(8)
    ]
    needs = doctor.needs_of([past, done, theirs, series, *many], Settings(), TODAY)
    assert needs.hosts == ("Daily (4)",)
    assert needs.slack == ("S0 (10)", "S1 (11)", "S2 (12)", "S3 (13)", "S4 (14)", "3 more sessions")
    assert len(needs.scheduled) == 6 and needs.teams == ()
    proxy = doctor.needs_of([session(hosts=True)], Settings(blocking_method="both"), TODAY)
    assert proxy.hosts == proxy.system_proxy == ("Writing (1)",)


def test_cli_prints_words_and_commands_and_exits_1_on_a_problem(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    gone = HelperStatus(False, True, None, [HELPER])
    probes = machine(sessions=[session(7, "Deep", hosts=True)], helper=lambda: gone)
    fine = machine()
    monkeypatch.setattr(doctor, "Probes", lambda: probes)
    assert main(["doctor"]) == 1
    out = capsys.readouterr().out
    assert "MISSING  Hosts helper" in out and "needed by: Deep (7)" in out
    assert (
        "`deepworkzone setup`" in out and "1 missing for configured sessions: Hosts helper" in out
    )
    assert main(["doctor", "--json"]) == 1
    shown = json.loads(capsys.readouterr().out)
    helper = next(c for c in shown["checks"] if c["id"] == "hosts_helper")
    assert shown["problems"] == ["hosts_helper"] and helper["command"] == "deepworkzone setup"
    monkeypatch.setattr(doctor, "Probes", lambda: fine)
    assert main(["doctor"]) == 0
    assert "Nothing a configured session needs is missing." in capsys.readouterr().out
