"""The one argument parser class every command uses."""

from __future__ import annotations

import argparse
from typing import NoReturn

from deepworkzone.cli.errors import EXIT_USER


class Parser(argparse.ArgumentParser):
    """argparse, but a mistake is one line and exit 1 (a user error): argparse's usual 2 is
    kept for server and network failures."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USER, f"{self.prog}: error: {message} (see --help)\n")
