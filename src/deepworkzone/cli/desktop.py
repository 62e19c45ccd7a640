"""`deepworkzone install-desktop [--remove]`: the app's menu entry, icons and metainfo for
this user (docs/desktop-integration.md)."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "install-desktop",
        help="add Deep Work Zone to this user's application menu (icon, entry, metainfo)",
        description="Write the menu entry, the icons and the AppStream metainfo under "
        "$XDG_DATA_HOME (~/.local/share), or remove them again. Nothing needs root.",
    )
    parser.add_argument("--remove", action="store_true", help="take them away again")
    parser.set_defaults(func=_install_desktop)


def _install_desktop(args: argparse.Namespace) -> int:
    from deepworkzone.engine import desktop_entry

    if args.remove:
        done = desktop_entry.remove()
        if not done.changed:
            print("Nothing to remove: no menu entry of Deep Work Zone for this user.")
            return 0
        print(f"Removed {len(done.changed)} files:")
    else:
        done = desktop_entry.install()
        print(f"Deep Work Zone is in the application menu; it starts {done.command}.")
        print(f"Wrote {len(done.changed)} files:")
    for path in done.changed:
        print(f"  {path}")
    for what in done.missing:
        print(f"warning: {what} is not part of this installation, so it was left out")
    return 0
