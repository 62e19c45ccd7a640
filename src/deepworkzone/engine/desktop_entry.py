"""The app in the desktop's menus: its .desktop entry, AppStream metainfo and icons.

``install`` puts them where a freedesktop desktop looks for one user's apps
(``$XDG_DATA_HOME``, ``~/.local/share`` when unset): ``applications/``, ``metainfo/`` and
``icons/hicolor/<size>/apps/``; ``remove`` takes exactly those files away again. The Debian
package installs the same files from ``packaging/linux/`` and ``resources/icons/`` into
/usr/share.

The entry is written here, not copied, because a per-user copy needs the absolute path of
this installation's ``deepworkzone`` (a login session's PATH often lacks ~/.local/bin);
``packaging/linux/ai.deepworkzone.DeepWorkZone.desktop`` is ``entry_text("deepworkzone")``
(a test holds them equal; ``python -m deepworkzone.engine.desktop_entry`` prints it).
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from deepworkzone.core.fsutil import atomic_write
from deepworkzone.engine.errors import EngineError

log = logging.getLogger(__name__)

APP_ID = "ai.deepworkzone.DeepWorkZone"
DESKTOP_FILE = f"{APP_ID}.desktop"
METAINFO_FILE = f"{APP_ID}.metainfo.xml"
COMMAND = "deepworkzone"
ICON_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
NAME = "Deep Work Zone"
COMMENT = "Timed deep-work sessions that block distracting sites and snooze chat"

Runner = Callable[[Sequence[str]], bool]


def exec_arg(path: str) -> str:
    """One Exec= argument, quoted as the Desktop Entry spec asks when it must be."""
    if not any(c in path for c in " \t\n\"'\\><~|&;$*?#()`"):
        return path
    escaped = "".join("\\" + c if c in '"`$\\' else c for c in path)
    # Exec's value is itself a string, whose own escape rule doubles every backslash.
    return f'"{escaped}"'.replace("\\", "\\\\")


def launch_command() -> str:
    """This installation's ``deepworkzone``, as an absolute path when it can be found: the
    bundle's own executable, the one on PATH, or the one beside this interpreter (a venv
    that is not on PATH)."""
    if getattr(sys, "frozen", False):
        return sys.executable
    found = shutil.which(COMMAND)
    if found:
        return str(Path(found).absolute())
    beside = Path(sys.executable).with_name(COMMAND)
    return str(beside) if beside.exists() else COMMAND


def entry_text(command: str | None = None, *, autostart: bool = False) -> str:
    """The menu entry (``autostart``: the copy in the autostart folder, which GNOME lets the
    user switch off in its own settings)."""
    command = command or launch_command()
    lines = [
        "[Desktop Entry]",
        "Type=Application",
        f"Name={NAME}",
        "GenericName=Focus Timer",
        f"Comment={COMMENT}",
        f"Exec={exec_arg(command)}",
        f"Icon={APP_ID}",
        "Terminal=false",
        "Categories=Office;ProjectManagement;",
        "Keywords=focus;deep work;pomodoro;timer;block;distraction;productivity;",
        "StartupNotify=true",
    ]
    if autostart:
        lines.append("X-GNOME-Autostart-enabled=true")
    return "\n".join(lines) + "\n"


def _data_dirs(leaf: str) -> list[Path]:
    """Where a folder of ours is: the installed package's copy, then the checkout's."""
    here = Path(__file__).resolve()
    bundle = getattr(sys, "_MEIPASS", None)  # a PyInstaller bundle's data folder
    out = [here.parents[1] / f"_{leaf}", here.parents[3] / leaf]
    if bundle:
        out.insert(0, Path(bundle) / leaf)
    return out


def _first_dir(leaf: str) -> Path | None:
    return next((d for d in _data_dirs(leaf) if d.is_dir()), None)


def icons_dir() -> Path | None:
    """resources/icons: app.svg and the rendered PNGs under hicolor/."""
    resources = _first_dir("resources")
    return resources / "icons" if resources else None


def metainfo_source() -> Path | None:
    packaging = _first_dir("packaging")
    path = packaging / "linux" / METAINFO_FILE if packaging else None
    return path if path and path.is_file() else None


def data_home() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or ""
    # The spec: a relative XDG_DATA_HOME is invalid and is ignored.
    return Path(base) if os.path.isabs(base) else Path.home() / ".local" / "share"


@dataclass(frozen=True)
class DesktopFiles:
    """What ``install`` writes (or ``remove`` takes away) for one user."""

    entry: Path
    metainfo: Path
    icons: tuple[Path, ...]  # every hicolor size, then scalable/

    @property
    def all(self) -> tuple[Path, ...]:
        return (self.entry, self.metainfo, *self.icons)


def desktop_files(base: Path | None = None) -> DesktopFiles:
    base = base or data_home()
    hicolor = base / "icons" / "hicolor"
    icons = [hicolor / f"{n}x{n}" / "apps" / f"{APP_ID}.png" for n in ICON_SIZES]
    icons.append(hicolor / "scalable" / "apps" / f"{APP_ID}.svg")
    return DesktopFiles(
        entry=base / "applications" / DESKTOP_FILE,
        metainfo=base / "metainfo" / METAINFO_FILE,
        icons=tuple(icons),
    )


@dataclass(frozen=True)
class DesktopInstall:
    """``changed``: the files written or removed; ``missing``: sources this installation
    lacks (so those were not installed); ``command``: what the entry starts."""

    installed: bool
    changed: tuple[Path, ...]
    missing: tuple[str, ...] = ()
    command: str = ""


def _sources(files: DesktopFiles) -> tuple[list[tuple[Path, Path]], list[str]]:
    """(destination, source) of the icons and the metainfo; what this installation lacks."""
    out: list[tuple[Path, Path]] = []
    missing: list[str] = []
    icons = icons_dir()
    for n, dest in zip(ICON_SIZES, files.icons, strict=False):
        src = icons / "hicolor" / f"{n}x{n}" / "apps" / f"{APP_ID}.png" if icons else None
        if src and src.is_file():
            out.append((dest, src))
        else:
            missing.append(f"the {n}x{n} icon")
    svg = icons / "app.svg" if icons else None
    if svg and svg.is_file():
        out.append((files.icons[-1], svg))
    else:
        missing.append("the scalable icon")
    meta = metainfo_source()
    if meta:
        out.append((files.metainfo, meta))
    else:
        missing.append("the AppStream metainfo")
    return out, missing


def _run(argv: Sequence[str]) -> bool:
    try:
        done = subprocess.run(list(argv), capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        log.info("%s: %s", argv[0], exc)
        return False
    return done.returncode == 0


def _refresh_caches(base: Path, run: Runner) -> None:
    """An icon theme with a cache must have it refreshed; a missing tool is fine. (Menus
    watch applications/ themselves: update-desktop-database is for MIME types, which we
    have none of, and would leave a cache file behind.)"""
    hicolor = base / "icons" / "hicolor"
    if shutil.which("gtk-update-icon-cache") and (hicolor / "index.theme").exists():
        run(["gtk-update-icon-cache", "-q", "-t", "-f", str(hicolor)])


def install(
    command: str | None = None, *, base: Path | None = None, run: Runner = _run
) -> DesktopInstall:
    """Put the entry, the metainfo and the icons in place for this user (again, if they
    are). A failure part-way removes the files this call created, and raises EngineError."""
    if sys.platform in ("darwin", "win32"):
        raise EngineError(
            "desktop_unsupported",
            "menu entries are made by the installer on this system",
            platform=sys.platform,
        )
    base = base or data_home()
    command = command or launch_command()
    files = desktop_files(base)
    sources, missing = _sources(files)
    plan: list[tuple[Path, bytes | Path]] = [(files.entry, entry_text(command).encode())]
    plan += sources
    created: list[Path] = []
    try:
        for dest, src in plan:
            existed = dest.exists()
            dest.parent.mkdir(parents=True, exist_ok=True)
            data = src if isinstance(src, bytes) else src.read_bytes()
            atomic_write(dest, data, mode=0o644)
            if not existed:
                created.append(dest)
    except OSError as exc:
        for path in created:
            path.unlink(missing_ok=True)
        raise EngineError(
            "desktop_install_failed",
            f"could not write {exc.filename or base}: {exc.strerror or exc}",
            path=str(exc.filename or base),
        ) from exc
    _refresh_caches(base, run)
    return DesktopInstall(True, tuple(dest for dest, _ in plan), tuple(missing), command)


def remove(*, base: Path | None = None, run: Runner = _run) -> DesktopInstall:
    """Take away exactly the files ``install`` writes; folders stay (others use them)."""
    base = base or data_home()
    gone: list[Path] = []
    for path in desktop_files(base).all:
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise EngineError(
                "desktop_remove_failed",
                f"could not remove {path}: {exc.strerror or exc}",
                path=str(path),
            ) from exc
        gone.append(path)
    if gone:
        _refresh_caches(base, run)
    return DesktopInstall(False, tuple(gone))


def installed(base: Path | None = None) -> bool:
    """Is this user's menu entry in place (the system's, from a package, is not counted)?"""
    return desktop_files(base).entry.is_file()


if __name__ == "__main__":  # regenerate packaging/linux's entry: the system-wide copy
    sys.stdout.write(entry_text(COMMAND))
