"""`deepworkzone setup`: plan, install under a root prefix, update, check, remove; the
administrator step through a stand-in for pkexec; the command's refusal without a yes.

The real system folders are never written: an explicit root prefix (a temp folder) here, a
private mount namespace in test_helper_hardening.py."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from deepworkzone.engine import helper_payload, setup

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="installs root-owned files")

HELPER = "/usr/libexec/deepworkzone/deepworkzone-helper"
LIB = "/usr/lib/deepworkzone/helper"
POLICY = "/usr/share/polkit-1/actions/ai.deepworkzone.helper.policy"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """The root prefix: its own folder (tmp_path also holds the test's hosts file and home)."""
    folder = tmp_path / "root"
    folder.mkdir()
    return folder


def _files(root: Path) -> list[str]:
    return sorted("/" + str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_plan_names_every_file_and_explains_before_anything_changes(root: Path) -> None:
    plan = setup.plan_setup(root, "linux")
    assert plan.supported and plan.problems == [] and plan.state == "not installed"
    paths = [f.path for f in plan.files]
    assert paths[0] == HELPER and POLICY in paths and f"{LIB}/MANIFEST.json" in paths
    assert f"{LIB}/deepworkzone/blocking/helper.py" in paths
    assert f"{LIB}/deepworkzone/domain/hostnames.py" in paths
    # Only what the helper imports: nothing of the app, the server or the GUI.
    assert not [p for p in paths if "/gui/" in p or "/server/" in p or "/engine/" in p]
    assert "hosts file" in plan.explanation and HELPER in plan.explanation
    assert plan.elevation == "none (already administrator)"
    assert _files(root) == []  # planning writes nothing


def test_install_check_update_and_remove_under_a_root_prefix(root: Path) -> None:
    result = setup.run_setup(root, "linux")
    assert result.ok, result
    checks = {c.name: c for c in result.checks}
    assert checks["files"].ok and checks["root-owned"].ok and checks["polkit policy"].ok
    installed = _files(root)
    assert installed == sorted(f.path for f in setup.plan_setup(root, "linux").files)
    helper = root / HELPER.lstrip("/")
    st = helper.stat()
    assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (0, 0, 0o755)
    assert helper.read_text().splitlines()[0] == "#!/usr/bin/python3 -ISB"
    module = root / f"{LIB.lstrip('/')}/deepworkzone/blocking/helper.py"
    assert stat.S_IMODE(module.stat().st_mode) == 0o644 and module.stat().st_uid == 0
    assert stat.S_IMODE(module.parent.stat().st_mode) == 0o755

    # Again: nothing to do.
    again = setup.run_setup(root, "linux")
    assert again.ok and "already set up" in again.message and again.changed == []

    # An older install: a changed file and one this version no longer has.
    manifest = root / f"{LIB.lstrip('/')}/MANIFEST.json"
    doc = json.loads(manifest.read_text())
    stale = f"{LIB}/deepworkzone/blocking/gone.py"
    (root / stale.lstrip("/")).write_text("# old\n")
    doc["files"].append({"path": stale, "mode": 0o644, "sha256": "0"})
    manifest.write_text(json.dumps(doc))
    module.write_text("# tampered\n")
    assert setup.plan_setup(root, "linux").state == "outdated"
    assert not {c.name: c.ok for c in setup.verify_setup(root, "linux")}["files"]
    updated = setup.run_setup(root, "linux")
    assert updated.ok and module.read_text() != "# tampered\n"
    assert not (root / stale.lstrip("/")).exists()

    removed = setup.remove_setup(root, "linux")
    assert removed.ok, removed
    assert _files(root) == []
    assert not (root / "usr/lib/deepworkzone").exists()
    assert not (root / "usr/libexec/deepworkzone").exists()
    assert setup.remove_setup(root, "linux").message.startswith("nothing to remove")


def test_the_administrator_step_runs_standalone_through_pkexec(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As an ordinary user would: setup_apply.py under `python3 -I -S`, behind pkexec."""
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    log = tmp_path / "pkexec.log"
    (fake_bin / "pkexec").write_text(f'#!/bin/sh\necho "$@" >> "{log}"\nexec "$@"\n')
    (fake_bin / "pkexec").chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake_bin}:{os.environ['PATH']}")
    monkeypatch.setattr(setup, "_elevation", lambda _root, _platform: "pkexec")
    root = tmp_path / "root"
    root.mkdir()
    result = setup.run_setup(root, "linux")
    assert result.ok, result
    assert HELPER in result.changed and POLICY in result.changed
    calls = log.read_text().splitlines()
    assert len(calls) == 1  # one prompt
    assert calls[0].startswith("/usr/bin/python3 -I -S ") and " install " in calls[0]
    assert setup.remove_setup(root, "linux").ok
    assert len(log.read_text().splitlines()) == 2 and _files(root) == []


def test_refused_by_the_user_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    (fake_bin / "pkexec").write_text("#!/bin/sh\nexit 126\n")
    (fake_bin / "pkexec").chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake_bin}:{os.environ['PATH']}")
    monkeypatch.setattr(setup, "_elevation", lambda _root, _platform: "pkexec")
    root = tmp_path / "root"
    root.mkdir()
    with pytest.raises(setup.SetupError, match="refused or cancelled; nothing changed"):
        setup.run_setup(root, "linux")
    assert _files(root) == []


def test_payload_tree_round_trips_for_the_bundle(tmp_path: Path) -> None:
    files = helper_payload.build_payload("linux")
    helper_payload.write_tree(files, tmp_path)
    assert helper_payload.read_tree(tmp_path, "linux") == files
    assert os.access(tmp_path / HELPER.lstrip("/"), os.X_OK)


def test_the_command_explains_and_asks_and_without_a_yes_changes_nothing() -> None:
    before = os.path.exists(HELPER)
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from deepworkzone.cli.main import main; sys.exit(main())", "setup"],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    if before:
        pytest.skip("this machine has the helper installed already")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "only an administrator may change" in done.stdout
    assert "Nothing changed" in done.stdout and "Traceback" not in done.stderr
    assert not os.path.exists(HELPER)
