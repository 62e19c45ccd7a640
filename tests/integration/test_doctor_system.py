"""`doctor` against real parts: a private D-Bus session bus (real dbus-daemon, gdbus and
dbus-send), sessions in the real store, a real server on loopback, a real instance lock and
control socket, real GNOME proxy settings in a private keyfile, real autostart files.

Only "this user cannot write the hosts file" is faked (the tests run as root), by the one
function every part asks."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from deepworkzone.cli.main import main
from deepworkzone.domain.ids import display_id
from deepworkzone.domain.models import SessionCreate
from deepworkzone.engine import autostart, doctor
from deepworkzone.engine.instance_lock import InstanceLock
from deepworkzone.engine.ipc import IpcServer
from deepworkzone.engine.sessions_service import SessionsService
from tests.fakes.session_bus import private_session_bus


@pytest.fixture
def session_bus(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A private session bus: (its address, the folder of its activatable services)."""
    if shutil.which("gdbus") is None:
        pytest.skip("gdbus needed (Debian: libglib2.0-bin)")
    with private_session_bus(tmp_path) as bus:
        yield bus


def _service(folder: Path, name: str) -> None:
    (folder / f"{name}.service").write_text(f"[D-BUS Service]\nName={name}\nExec=/bin/false\n")


def test_notifications_and_tray_as_a_real_session_bus_offers_them(
    session_bus: tuple[str, Path],
) -> None:
    address, services = session_bus
    env = {"WAYLAND_DISPLAY": "wayland-0", "DBUS_SESSION_BUS_ADDRESS": address}
    bare = doctor.run_checks(doctor.Probes(env=env), only={"notifications", "tray"})
    assert [c.status for c in bare.checks] == ["warning", "warning"]
    assert "no notification service" in bare.checks[0].detail
    _service(services, doctor.NOTIFICATIONS)
    _service(services, doctor.SNI_WATCHER)
    subprocess.run(
        ["gdbus", "call", "--session", "--dest", "org.freedesktop.DBus", "--object-path",
         "/org/freedesktop/DBus", "--method", "org.freedesktop.DBus.ReloadConfig"],
        env={"DBUS_SESSION_BUS_ADDRESS": address, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        check=True,
        timeout=30,
    )  # fmt: skip
    full = doctor.run_checks(doctor.Probes(env=env), only={"notifications", "tray"})
    assert [c.status for c in full.checks] == ["ok", "ok"]
    if shutil.which("dbus-send"):  # the other tool, where gdbus is not installed
        only_dbus_send = doctor.Probes(
            env=env, which=lambda n: shutil.which(n) if n == "dbus-send" else None
        )
        assert doctor.NOTIFICATIONS in (doctor.bus_names(only_dbus_send) or set())
    # A bus address nobody listens on: asked, no answer, said so.
    gone = {"WAYLAND_DISPLAY": "w", "DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent/bus"}
    dead = doctor.run_checks(doctor.Probes(env=gone), only={"notifications"})
    assert dead.checks[0].status == "warning" and "does not answer" in dead.checks[0].detail


def _tomorrow(**fields: Any) -> SessionCreate:
    day = dt.date.today() + dt.timedelta(days=1)
    return SessionCreate.model_validate(
        {"name": "Morning writing", "duration": 50, "schedule": day.isoformat(), "time": "9:00 AM", **fields}
    )  # fmt: skip


def test_cli_exit_1_names_the_stored_session_that_needs_the_missing_parts(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("deepworkzone.blocking.privilege.can_write_directly", lambda path: False)
    service = SessionsService(None)
    created = service.create(
        _tomorrow(
            website_blocker_enabled=True,
            website_blocker={"mode": "custom", "urls": ["example.org"]},
            snooze_enabled=True,
            snooze_apps={"slack": True, "teams": False},
        )
    ).session
    label = f"Morning writing ({display_id(created.id)})"
    assert main(["doctor", "--offline"]) == 1
    out = capsys.readouterr().out
    assert "MISSING  Hosts helper" in out and "MISSING  Slack" in out
    assert out.count(f"needed by: {label}") == 2
    assert "`deepworkzone connect slack`" in out
    assert main(["doctor", "--offline", "--json"]) == 1
    shown = json.loads(capsys.readouterr().out)
    assert sorted(shown["problems"]) == ["hosts_helper", "slack"]
    # The session no longer blocks nor snoozes: the same machine passes.
    from deepworkzone.domain.models import SessionUpdate

    service.update(created.id, SessionUpdate(website_blocker_enabled=False, snooze_enabled=False))
    assert main(["doctor", "--offline"]) == 0
    assert "Nothing a configured session needs is missing." in capsys.readouterr().out


def test_the_server_check_against_a_real_server(
    live_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = live_server.create_user("ana@example.com")
    monkeypatch.setenv("DEEPWORKZONE_SERVER", live_server.url)
    monkeypatch.setenv("DEEPWORKZONE_TOKEN", token)
    found = doctor.run_checks(only={"server"}).checks[0]
    assert found.status == "ok" and "accepted" in found.detail
    monkeypatch.setenv("DEEPWORKZONE_TOKEN", "dwz_not_a_real_token")
    refused = doctor.run_checks(only={"server"})
    assert refused.checks[0].status == "missing" and not refused.ok
    monkeypatch.setenv("DEEPWORKZONE_SERVER", "http://127.0.0.1:9")  # discard: nobody listens
    away = doctor.run_checks(only={"server"}).checks[0]
    assert away.status == "warning" and "cannot be reached" in away.detail
    monkeypatch.delenv("DEEPWORKZONE_TOKEN")
    assert doctor.run_checks(only={"server"}).checks[0].fix == "login"


def test_the_agent_check_sees_the_real_lock_and_socket(tmp_path: Path) -> None:
    assert doctor.run_checks(only={"agent"}).checks[0].status == "na"  # nothing runs
    socket = tmp_path / "agent.sock"
    lock = InstanceLock(socket=socket)
    assert lock.acquire("agent", socket)
    try:
        mute = doctor.run_checks(only={"agent"}).checks[0]
        assert mute.status == "warning" and "does not answer" in mute.detail
        server = IpcServer(lambda op, args: {}, socket).start()
        try:
            found = doctor.run_checks(only={"agent"}).checks[0]
            assert found.status == "ok" and found.detail.startswith("the agent runs (pid")
        finally:
            server.stop()
    finally:
        lock.release()


def test_real_gnome_proxy_settings_and_real_autostart_files(gnome_keyfile: Path) -> None:
    report = doctor.run_checks(only={"system_proxy", "autostart"})
    assert report.get("system_proxy").status == "ok"  # type: ignore[union-attr]
    assert report.get("autostart").status == "na"  # type: ignore[union-attr]  # no sessions
    autostart.enable("/usr/bin/deepworkzone")
    found = doctor.run_checks(only={"autostart"}).checks[0]
    assert found.status == "ok" and found.detail == "the app starts at login"
