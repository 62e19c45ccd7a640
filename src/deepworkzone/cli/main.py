"""Entry point of ``deepworkzone``: builds the sub-commands and turns errors into exit codes.

Each command module exposes ``register(subparsers)`` and sets ``func`` on its parsers; the
handler takes the parsed args and returns an exit code (or None for 0). Command modules import
their heavy dependencies inside the handlers, so ``deepworkzone --help`` stays fast.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
from collections.abc import Sequence
from typing import Any

from deepworkzone import __version__
from deepworkzone.cli.errors import EXIT_SERVICE, hint
from deepworkzone.cli.parsing import Parser
from deepworkzone.core.logs import setup_logging
from deepworkzone.core.redact import redact

log = logging.getLogger(__name__)

# Order is the order of the help text.
COMMAND_MODULES = (
    "sessions",
    "auth",
    "focus",
    "control",
    "agent",
    "history",
    "block",
    "blocklists",
    "connect",
    "serve",
    "admin",
    "doctor",
    "autostart",
    "desktop",
    "setup",
)


def build_parser() -> Parser:
    parser = Parser(
        prog="deepworkzone",
        description="Timed deep-work sessions: schedule, sync, block distractions, snooze chat.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND", parser_class=Parser)
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"deepworkzone.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"deepworkzone.cli.{name}":
                raise
            continue  # a command whose module is not written yet
        module.register(sub)
    return parser


def _startup() -> None:
    """Undo what a crashed session left behind once its end time has passed."""
    try:
        from deepworkzone.engine.recovery import recover_expired
    except ModuleNotFoundError:
        return
    recover_expired()


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Any = getattr(args, "func", None)
    if func is None:
        # No desktop app yet: the bare command shows what it can do.
        parser.print_help()
        return 0
    setup_logging()
    try:
        if not getattr(args, "skip_recovery", False):
            _startup()
        result = func(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `deepworkzone ... | head` closed our stdout: not an error. Point stdout at devnull
        # so the interpreter's final flush does not complain either.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Exception as exc:
        code = getattr(exc, "exit_code", None)
        if not isinstance(code, int):
            log.exception("unexpected error")
            print(
                f"deepworkzone: internal error: {redact(str(exc)) or type(exc).__name__} "
                "(details in the log file)",
                file=sys.stderr,
            )
            return EXIT_SERVICE
        message = redact(str(exc))
        engine_code = getattr(exc, "code", None)
        if isinstance(engine_code, str):
            extra = hint(engine_code, getattr(exc, "data", {}) or {})
            if extra:
                message = f"{message} ({extra})"
        print(f"deepworkzone: error: {message}", file=sys.stderr)
        return code
    return int(result or 0)


if __name__ == "__main__":
    sys.exit(main())
