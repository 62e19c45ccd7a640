"""The one step of `deepworkzone setup` that runs as administrator: copy a staged tree in.

Standard library only and no import of the app: when setup is not already root it copies
this file beside the staged tree and runs ``pkexec /usr/bin/python3 -I -S setup_apply.py``,
so the code run as root is this file and nothing a PYTHON* variable or a user's packages
could add. Every installed file and folder belongs to root (0644 files, 0755 launcher and
folders); each file is written beside its place and renamed in, so a crash leaves the old
file or the new one. The staged manifest says what the tree holds; the installed one is how
``remove`` knows exactly what is ours.

    python3 -I -S setup_apply.py install TREE ROOT MANIFEST_PATH
    python3 -I -S setup_apply.py remove ROOT MANIFEST_PATH
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any


def _under(root: Path, absolute: str) -> Path:
    if not absolute.startswith("/") or ".." in Path(absolute).parts:
        raise ValueError(f"not an absolute path of ours: {absolute!r}")
    return root / absolute.lstrip("/")


def _chown_root(path: Path) -> None:
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        os.chown(path, 0, 0, follow_symlinks=False)


def _make_dirs(folder: Path, root: Path) -> None:
    missing = []
    while not folder.exists() and folder != root:
        missing.append(folder)
        folder = folder.parent
    for new in reversed(missing):
        new.mkdir(mode=0o755)
        os.chmod(new, 0o755)
        _chown_root(new)


def _put(target: Path, data: bytes, mode: int) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, mode)
        _chown_root(Path(tmp))
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _read_manifest(path: Path) -> dict[str, list[Any]]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"files": [], "dirs": []}
    return {"files": list(doc.get("files", [])), "dirs": list(doc.get("dirs", []))}


def install(tree: Path, root: Path, manifest: str) -> list[str]:
    """Copy every file the staged manifest lists; remove what an older install had extra."""
    staged = _read_manifest(_under(tree, manifest))
    if not staged["files"]:
        raise ValueError(f"no files listed in {manifest} of {tree}")
    old = _read_manifest(_under(root, manifest))
    written = []
    for entry in [*staged["files"], {"path": manifest, "mode": 0o644}]:
        data = _under(tree, entry["path"]).read_bytes()
        if "sha256" in entry and hashlib.sha256(data).hexdigest() != entry["sha256"]:
            raise ValueError(f"{entry['path']} changed after it was staged")
        target = _under(root, entry["path"])
        _make_dirs(target.parent, root)
        _put(target, data, int(entry["mode"]) & 0o755)
        written.append(entry["path"])
    keep = set(written)
    for entry in old["files"]:
        if entry["path"] not in keep:
            with contextlib.suppress(FileNotFoundError):
                _under(root, entry["path"]).unlink()
    _prune(root, staged["dirs"], remove_self=False)
    return written


def _prune(root: Path, folders: list[str], remove_self: bool) -> None:
    """Empty folders inside ours (deepest first), and ours too when ``remove_self``."""
    for folder in sorted(set(folders), key=len, reverse=True):
        base = _under(root, folder)
        if not base.is_dir() or base.is_symlink():
            continue
        subs = sorted((p for p in base.rglob("*") if p.is_dir()), key=lambda p: -len(p.parts))
        for cache in (p for p in subs if p.name == "__pycache__" and not p.is_symlink()):
            # Bytecode another interpreter run left beside our copy (the helper itself runs -B).
            for stale in cache.glob("*.pyc"):
                stale.unlink()
        for sub in [*subs, base] if remove_self else subs:
            with contextlib.suppress(OSError):
                sub.rmdir()


def remove(root: Path, manifest: str, state_dir: str = "/var/lib/deepworkzone") -> list[str]:
    """Delete exactly the files the installed manifest lists, then our empty folders and
    the helper's state folder (its hosts backup)."""
    doc = _read_manifest(_under(root, manifest))
    removed = []
    for entry in [*doc["files"], {"path": manifest}]:
        target = _under(root, entry["path"])
        if target.is_file() or target.is_symlink():
            target.unlink()
            removed.append(entry["path"])
    _prune(root, doc["dirs"], remove_self=True)
    state = _under(root, state_dir)
    if state.is_dir() and not state.is_symlink():
        for child in state.iterdir():
            if child.is_file() and not child.is_symlink():
                child.unlink()
                removed.append(str(Path(state_dir) / child.name))
        with contextlib.suppress(OSError):
            state.rmdir()
    return removed


def main(argv: list[str]) -> int:
    try:
        if len(argv) == 4 and argv[0] == "install":
            done = install(Path(argv[1]), Path(argv[2]), argv[3])
        elif len(argv) == 3 and argv[0] == "remove":
            done = remove(Path(argv[1]), argv[2])
        else:
            print(
                "usage: setup_apply.py install TREE ROOT MANIFEST | remove ROOT MANIFEST",
                file=sys.stderr,
            )
            return 2
    except (OSError, ValueError) as exc:
        print(f"setup: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(done))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
