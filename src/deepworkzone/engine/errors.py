"""Errors the engine raises to its front ends: a stable code, the data, and a plain default.

The CLI, the agent and the app each write their own words from ``code`` and ``data``; the
default text names no command or button, so it reads right in any of them.
"""

from __future__ import annotations

from typing import Any, Literal

Kind = Literal["user", "service"]


class EngineError(Exception):
    """``kind`` "user": what was asked cannot be done (exit 1); "service": a server, network
    or machine failure (exit 2)."""

    kind: Kind = "user"

    def __init__(self, code: str, message: str, *, kind: Kind | None = None, **data: Any) -> None:
        super().__init__(message)
        self.code = code
        self.data = data
        if kind is not None:
            self.kind = kind

    @property
    def exit_code(self) -> int:
        return 1 if self.kind == "user" else 2


class ServiceFailed(EngineError):
    kind: Kind = "service"
