"""How people see and type session ids."""

from __future__ import annotations


def display_id(session_id: int) -> str:
    """Queued creates have negative ids; people see and type them as L1, L2..."""
    return f"L{-session_id}" if session_id < 0 else str(session_id)
