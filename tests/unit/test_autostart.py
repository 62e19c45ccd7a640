"""Start at login on each system: the XDG entry and the systemd user unit (Linux), the
LaunchAgent (macOS), the Run key (Windows, a fake registry), and `deepworkzone autostart`.
XDG_CONFIG_HOME and HOME are the test's own folders; systemctl is a fake."""

from __future__ import annotations

import os
import plistlib
import shutil
import stat
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from deepworkzone.cli.main import main
from deepworkzone.engine import autostart
from deepworkzone.engine.errors import EngineError

RUN = r"Software\Microsoft\Windows\CurrentVersion\Run"


class FakeSystemctl:
    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def __call__(self, args: Sequence[str]) -> bool:
        self.calls.append(list(args))
        return True


def _linux(systemctl: FakeSystemctl, *, has_systemd: bool = True) -> autostart.System:
    return autostart.System(
        platform="linux",
        systemctl=systemctl,
        which=lambda name: f"/usr/bin/{name}" if has_systemd else None,
    )


def test_the_agent_gets_a_systemd_user_unit_enabled_as_systemctl_would(tmp_path: Path) -> None:
    systemctl = FakeSystemctl()
    system = _linux(systemctl)
    assert not autostart.status("agent", system=system).enabled
    command = str(tmp_path / "my apps" / "deepworkzone")
    state = autostart.enable(command, "agent", system=system)
    unit = tmp_path / "xdg-config" / "systemd" / "user" / "deepworkzone-agent.service"
    link = unit.parent / "default.target.wants" / unit.name
    assert state.enabled and state.mechanism == "systemd" and state.path == unit
    text = unit.read_text()
    assert f'ExecStart="{command}" run --quiet\n' in text and "WantedBy=default.target" in text
    # A take-over (exit 0) and a refusal (exit 1) are not restarted; a crash is.
    assert "Restart=on-failure" in text and "RestartPreventExitStatus=1" in text
    assert link.is_symlink() and link.resolve() == unit.resolve()
    assert systemctl.calls == [["daemon-reload"]]
    assert autostart.status("agent", system=system).command == f'"{command}" run --quiet'
    # The app's own entry is a different thing, still off.
    assert not autostart.status("app", system=system).enabled

    state = autostart.disable("agent", system=system)
    assert not state.enabled and not unit.exists() and not os.path.lexists(link)
    assert systemctl.calls == [["daemon-reload"], ["daemon-reload"]]
    autostart.disable("agent", system=system)  # off already: nothing to reload
    assert len(systemctl.calls) == 2


def test_the_unit_passes_systemds_own_check(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze not installed")
    program = tmp_path / "my apps" / "deep%work"
    program.parent.mkdir()
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    unit = tmp_path / "deepworkzone-agent.service"
    unit.write_text(autostart.unit_text([str(program), "run"]))
    done = subprocess.run(
        [analyze, "verify", str(unit)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "%%work" in unit.read_text()  # systemd would have expanded a bare %w


def test_without_systemd_the_agent_cannot_start_at_login_and_nothing_is_written(
    tmp_path: Path,
) -> None:
    system = _linux(FakeSystemctl(), has_systemd=False)
    state = autostart.status("agent", system=system)
    assert not state.supported and "systemd" in state.note
    with pytest.raises(EngineError) as caught:
        autostart.enable("/usr/bin/deepworkzone", "agent", system=system)
    assert caught.value.code == "autostart_unsupported"
    assert not (tmp_path / "xdg-config" / "systemd").exists()
    assert autostart.status("app", system=system).supported  # the app's entry still works


def test_macos_launch_agents_for_the_app_and_the_agent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    mac = autostart.System(platform="darwin")
    agents = tmp_path / "home" / "Library" / "LaunchAgents"
    assert autostart.supported("darwin", "agent")
    app = autostart.enable("/Applications/Deep Work Zone.app/Contents/MacOS/dwz", system=mac)
    agent = autostart.enable("/usr/local/bin/deepworkzone", "agent", system=mac)
    assert app.enabled and agent.enabled
    app_plist = plistlib.loads((agents / "ai.deepworkzone.app.plist").read_bytes())
    agent_plist = plistlib.loads((agents / "ai.deepworkzone.agent.plist").read_bytes())
    assert app_plist["ProgramArguments"] == ["/Applications/Deep Work Zone.app/Contents/MacOS/dwz"]
    assert app_plist["RunAtLoad"] is True and "KeepAlive" not in app_plist
    assert agent_plist["ProgramArguments"] == ["/usr/local/bin/deepworkzone", "run", "--quiet"]
    assert agent_plist["KeepAlive"] == {"Crashed": True}
    assert agent_plist["Label"] == "ai.deepworkzone.agent"
    # Switched off with `launchctl disable`-style Disabled, or a damaged file: not enabled.
    agent_plist["Disabled"] = True
    (agents / "ai.deepworkzone.agent.plist").write_bytes(plistlib.dumps(agent_plist))
    assert not autostart.status("agent", system=mac).enabled
    (agents / "ai.deepworkzone.app.plist").write_text("not a plist")
    assert not autostart.status("app", system=mac).enabled
    assert autostart.set_enabled(True, system=mac).enabled  # written again
    autostart.disable(system=mac)
    autostart.disable("agent", system=mac)
    assert list(agents.iterdir()) == []


class FakeKey:
    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values

    def __enter__(self) -> FakeKey:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


class FakeWinreg:
    """The winreg calls autostart makes, over a dict of keys under HKEY_CURRENT_USER."""

    HKEY_CURRENT_USER = "HKCU"
    KEY_QUERY_VALUE = 1
    KEY_SET_VALUE = 2
    REG_SZ = 1

    def __init__(self) -> None:
        self.keys: dict[str, dict[str, Any]] = {}

    def OpenKey(self, root: str, sub: str, reserved: int = 0, access: int = 0) -> FakeKey:
        assert root == "HKCU"
        if sub not in self.keys:
            raise FileNotFoundError(2, "The system cannot find the file specified")
        return FakeKey(self.keys[sub])

    def CreateKeyEx(self, root: str, sub: str, reserved: int = 0, access: int = 0) -> FakeKey:
        assert root == "HKCU" and access & self.KEY_SET_VALUE
        return FakeKey(self.keys.setdefault(sub, {}))

    def QueryValueEx(self, key: FakeKey, name: str) -> tuple[Any, int]:
        if name not in key.values:
            raise FileNotFoundError(2, "The system cannot find the file specified")
        return key.values[name]

    def SetValueEx(self, key: FakeKey, name: str, reserved: int, kind: int, value: Any) -> None:
        key.values[name] = (value, kind)

    def DeleteValue(self, key: FakeKey, name: str) -> None:
        if name not in key.values:
            raise FileNotFoundError(2, "The system cannot find the file specified")
        del key.values[name]


def test_windows_run_key_values_for_the_app_and_the_agent() -> None:
    reg = FakeWinreg()
    win = autostart.System(platform="win32", registry=lambda: reg)
    assert not autostart.status(system=win).enabled  # no Run key at all yet
    exe = r"C:\Program Files\Deep Work Zone\deepworkzone.exe"
    state = autostart.enable(exe, system=win)
    assert state.enabled and state.path is None and state.location.endswith(r"Run\DeepWorkZone")
    autostart.enable(exe, "agent", system=win)
    assert reg.keys[RUN] == {
        "DeepWorkZone": (f'"{exe}"', 1),
        "DeepWorkZoneAgent": (f'"{exe}" run --quiet', 1),
    }
    assert autostart.status("agent", system=win).command == f'"{exe}" run --quiet'
    autostart.disable(system=win)
    assert list(reg.keys[RUN]) == ["DeepWorkZoneAgent"]
    assert not autostart.disable(system=win).enabled  # twice: still fine
    assert autostart.status("agent", system=win).enabled


def test_a_config_folder_that_cannot_be_written_is_one_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "xdg-config"
    blocker.write_text("a file where the folder should be")
    with pytest.raises(EngineError) as caught:
        autostart.enable("/usr/bin/deepworkzone")
    assert caught.value.code == "autostart_failed" and "could not change" in str(caught.value)
    assert blocker.read_text() == "a file where the folder should be"


def _fake_systemctl_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "systemctl.log"
    script = bin_dir / "systemctl"
    script.write_text(f'#!/bin/sh\necho "$@" >> "{log}"\n')
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return log


def test_cli_turns_the_app_and_the_agent_on_and_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    log = _fake_systemctl_on_path(tmp_path, monkeypatch)
    entry = tmp_path / "xdg-config" / "autostart" / "deepworkzone.desktop"
    assert main(["autostart"]) == 0
    assert "does not start at login" in capsys.readouterr().out
    assert main(["autostart", "on"]) == 0
    out = capsys.readouterr().out
    assert "starts at login" in out and str(entry) in out and entry.exists()
    assert main(["autostart", "on", "--agent"]) == 0
    assert "The agent starts at login (a systemd user service" in capsys.readouterr().out
    assert log.read_text() == "--user daemon-reload\n"
    assert main(["autostart", "status", "--agent", "--json"]) == 0
    import json

    shown = json.loads(capsys.readouterr().out)
    assert shown["enabled"] and shown["mechanism"] == "systemd"
    assert shown["command"].endswith(" run --quiet")
    assert main(["autostart", "off"]) == 0 and not entry.exists()
    assert "does not start at login" in capsys.readouterr().out
    assert main(["autostart", "status", "--agent"]) == 0
    assert "The agent starts at login" in capsys.readouterr().out  # off for the app only


def test_cli_says_why_it_cannot_and_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "xdg-config").write_text("")
    assert main(["autostart", "on"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("deepworkzone: error: could not change") and "Traceback" not in err
    with pytest.raises(SystemExit) as refused:
        main(["autostart", "maybe"])
    assert refused.value.code == 1 and "invalid choice: 'maybe'" in capsys.readouterr().err
