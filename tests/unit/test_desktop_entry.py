"""The menu entry, metainfo and icons: the packaged files agree with the code and with
docs/screenshots/, the PNGs have their sizes, and `deepworkzone install-desktop [--remove]`
puts them under XDG_DATA_HOME (the test's folder) and takes exactly them away again.
The real validators run in tests/integration/test_desktop_entry_tools.py."""

from __future__ import annotations

import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from deepworkzone.cli.main import main
from deepworkzone.engine import desktop_entry
from deepworkzone.engine.errors import EngineError

ROOT = Path(__file__).resolve().parents[2]
LINUX = ROOT / "packaging" / "linux"
APP_ID = "ai.deepworkzone.DeepWorkZone"


@pytest.fixture
def data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    base = tmp_path / "xdg-data"
    monkeypatch.setenv("XDG_DATA_HOME", str(base))
    return base


def png_size(data: bytes) -> tuple[int, int, int]:
    """(width, height, colour type) from a PNG's IHDR chunk."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height, _depth, colour = struct.unpack(">IIBB", data[16:26])
    return width, height, colour


def test_the_packaged_entry_is_the_one_the_code_writes() -> None:
    packaged = (LINUX / f"{APP_ID}.desktop").read_text(encoding="utf-8")
    assert packaged == desktop_entry.entry_text("deepworkzone"), (
        "regenerate it: python -m deepworkzone.engine.desktop_entry > "
        f"packaging/linux/{APP_ID}.desktop"
    )
    assert f"Icon={APP_ID}\n" in packaged and "Exec=deepworkzone\n" in packaged


def test_the_metainfo_names_the_entry_the_icon_and_real_screenshots() -> None:
    root = ET.parse(LINUX / f"{APP_ID}.metainfo.xml").getroot()
    assert root.findtext("id") == APP_ID
    assert root.findtext("launchable") == f"{APP_ID}.desktop"
    assert root.findtext("icon") == APP_ID
    assert root.findtext("project_license") == "MIT"
    shots = root.findall("screenshots/screenshot/image")
    assert len(shots) >= 3
    for image in shots:
        url = image.text or ""
        assert url.startswith("https://") and "/docs/screenshots/" in url
        local = ROOT / "docs" / "screenshots" / url.rsplit("/", 1)[1]
        width, height, _ = png_size(local.read_bytes())
        assert (image.get("width"), image.get("height")) == (str(width), str(height)), local


def test_every_icon_size_is_rendered_with_transparency() -> None:
    icons = ROOT / "resources" / "icons" / "hicolor"
    for n in desktop_entry.ICON_SIZES:
        path = icons / f"{n}x{n}" / "apps" / f"{APP_ID}.png"
        assert path.exists(), f"{path} missing: run packaging/render_icons.py"
        width, height, colour = png_size(path.read_bytes())
        assert (width, height) == (n, n) and colour == 6  # RGBA: rounded corners show through


def test_install_puts_everything_in_place_and_remove_takes_exactly_it_away(
    data_home: Path,
) -> None:
    data_home.mkdir()
    (data_home / "applications").mkdir()
    theirs = data_home / "applications" / "other.desktop"
    theirs.write_text("[Desktop Entry]\n")
    command = "/home/me/my apps/bin/deepworkzone"
    done = desktop_entry.install(command)
    assert done.installed and not done.missing and done.command == command
    files = desktop_entry.desktop_files(data_home)
    assert set(done.changed) == set(files.all) and len(files.all) == 12
    text = files.entry.read_text()
    assert 'Exec="/home/me/my apps/bin/deepworkzone"\n' in text
    assert (
        text.replace('"/home/me/my apps/bin/deepworkzone"', "deepworkzone")
        == (LINUX / f"{APP_ID}.desktop").read_text()
    )
    assert files.metainfo.read_bytes() == (LINUX / f"{APP_ID}.metainfo.xml").read_bytes()
    png = data_home / "icons" / "hicolor" / "48x48" / "apps" / f"{APP_ID}.png"
    assert png_size(png.read_bytes())[:2] == (48, 48)
    svg = data_home / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"
    assert svg.read_bytes() == (ROOT / "resources" / "icons" / "app.svg").read_bytes()
    assert desktop_entry.installed()

    again = desktop_entry.install(command)  # a second time: the same files, no more
    assert set(again.changed) == set(files.all)

    gone = desktop_entry.remove()
    assert set(gone.changed) == set(files.all) and not desktop_entry.installed()
    left = sorted(p for p in data_home.rglob("*") if p.is_file())
    assert left == [theirs]
    assert desktop_entry.remove().changed == ()


def test_a_failed_install_leaves_nothing_of_its_own_behind(data_home: Path) -> None:
    data_home.mkdir()
    (data_home / "icons").write_text("a file where the icon folder should be")
    with pytest.raises(EngineError) as caught:
        desktop_entry.install("/usr/bin/deepworkzone")
    assert caught.value.code == "desktop_install_failed" and "icons" in str(caught.value)
    files = [p for p in data_home.rglob("*") if p.is_file()]
    assert files == [data_home / "icons"]
    assert (data_home / "icons").read_text() == "a file where the icon folder should be"


def test_cli_install_and_remove(data_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["install-desktop"]) == 0
    out = capsys.readouterr().out
    assert "is in the application menu" in out and f"{APP_ID}.desktop" in out
    assert "Wrote 12 files" in out and "warning" not in out
    assert main(["install-desktop", "--remove"]) == 0
    assert "Removed 12 files" in capsys.readouterr().out
    assert main(["install-desktop", "--remove"]) == 0
    assert "Nothing to remove" in capsys.readouterr().out


def test_cli_install_failure_is_one_line(
    data_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data_home.parent.mkdir(parents=True, exist_ok=True)
    data_home.write_text("")
    assert main(["install-desktop"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("deepworkzone: error: could not write") and err.count("\n") == 1
