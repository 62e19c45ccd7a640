"""``deepworkzone``: the desktop app with no arguments, the command line with any.

Outside gui/ and cli/ on purpose: cli/ must never import Qt (the two are sibling layers),
and a machine without Qt or a display still gets a working command.
"""

from __future__ import annotations

import os
import sys


def _display_missing() -> str | None:
    if os.environ.get("QT_QPA_PLATFORM"):
        return None  # the user chose a platform (offscreen, wayland, xcb)
    if sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        return "no display found (DISPLAY and WAYLAND_DISPLAY are unset)"
    return None


def _cli_help() -> None:
    from deepworkzone.cli.main import build_parser

    build_parser().print_help()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args:
        from deepworkzone.cli.main import main as cli_main

        return cli_main(args) or 0
    reason = _display_missing()
    if reason is None:
        try:
            # Loads Qt and its system libraries (EGL, xkbcommon); only gui/ imports PySide6.
            from deepworkzone.gui.app import main as app_main
        except ImportError as exc:
            reason = f"the Qt libraries could not load ({exc})"
    if reason is not None:
        print(
            f"deepworkzone: cannot open the window: {reason}. The command line works:",
            file=sys.stderr,
        )
        _cli_help()
        return 1
    try:
        return app_main([sys.argv[0]])
    except Exception as exc:  # one clear line, never a traceback (details in the log)
        import logging

        logging.getLogger("deepworkzone.launcher").exception("the app failed")
        print(f"deepworkzone: the window could not open: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
