"""What the CLI turns into one line on stderr and an exit code."""

from __future__ import annotations

EXIT_OK = 0
EXIT_USER = 1
EXIT_SERVICE = 2


class CliError(Exception):
    """Shown as one line; ``exit_code`` 1 for the user's mistakes, 2 for server/network."""

    exit_code = EXIT_USER


class UserError(CliError):
    exit_code = EXIT_USER


class ServiceError(CliError):
    exit_code = EXIT_SERVICE
