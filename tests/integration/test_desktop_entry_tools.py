"""The desktop's own validators on our files: desktop-file-validate on the packaged entry and
on a per-user one (an absolute path with a space), appstreamcli on the metainfo alone and on
an installed tree (entry, metainfo and icons found together). CI installs both tools
(.ci/run: desktop-file-utils, appstream); elsewhere a missing tool skips its test."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from deepworkzone.engine import desktop_entry

ROOT = Path(__file__).resolve().parents[2]
LINUX = ROOT / "packaging" / "linux"
APP_ID = desktop_entry.APP_ID


def _tool(name: str, package: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} not installed (Debian: {package})")
    return path


def _run(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(argv), capture_output=True, text=True, timeout=120)


def test_desktop_file_validate_accepts_the_packaged_and_the_per_user_entry(
    tmp_path: Path,
) -> None:
    validate = _tool("desktop-file-validate", "desktop-file-utils")
    done = _run(validate, str(LINUX / f"{APP_ID}.desktop"))
    assert done.returncode == 0 and not done.stdout.strip(), done.stdout + done.stderr
    desktop_entry.install("/home/me/my apps/bin/deepworkzone", base=tmp_path / "share")
    entry = tmp_path / "share" / "applications" / f"{APP_ID}.desktop"
    done = _run(validate, str(entry))
    assert done.returncode == 0 and not done.stdout.strip(), done.stdout + done.stderr
    # The validator is not a rubber stamp: a broken entry fails it.
    entry.write_text(entry.read_text().replace("Type=Application\n", ""))
    assert _run(validate, str(entry)).returncode != 0


def test_appstreamcli_accepts_the_metainfo_and_the_installed_tree(tmp_path: Path) -> None:
    appstream = _tool("appstreamcli", "appstream")
    done = _run(appstream, "validate", "--no-net", str(LINUX / f"{APP_ID}.metainfo.xml"))
    assert done.returncode == 0, done.stdout + done.stderr
    prefix = tmp_path / "usr"
    desktop_entry.install("/usr/bin/deepworkzone", base=prefix / "share")
    done = _run(appstream, "validate-tree", "--no-net", str(prefix))
    assert done.returncode == 0, done.stdout + done.stderr
    (prefix / "share" / "applications" / f"{APP_ID}.desktop").unlink()
    done = _run(appstream, "validate-tree", "--no-net", str(prefix))
    assert done.returncode != 0 and "desktop-file-not-found" in done.stdout
