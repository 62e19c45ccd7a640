"""What can go wrong talking to Slack or Teams, as one-line messages a user can act on.

Every failure the snoozers raise is a ``SnoozeError``; the runner and the CLI show ``str(exc)``
and never a traceback. The subclasses tell callers what to do next: reconnect, wait, or retry.
"""

from __future__ import annotations


class SnoozeError(Exception):
    """A Slack or Teams problem, worded for the user."""


class NotConnected(SnoozeError):
    """No token for the service: the user has not connected it (or disconnected it)."""


class AuthRevoked(SnoozeError):
    """The service rejected the token for good: the user must connect again."""


class MissingScope(SnoozeError):
    """The token works but lacks a permission the snoozer needs: reconnect with the scopes."""


class PermissionDenied(SnoozeError):
    """The service refused the call (Graph 403): consent, account type or tenant policy."""


class RateLimited(SnoozeError):
    """Still throttled after the bounded wait; ``retry_after`` is the service's last hint."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ServiceUnavailable(SnoozeError):
    """Network failure, timeout or a 5xx: the service could not be reached just now."""


class ApiError(SnoozeError):
    """Any other refusal; ``code`` is the service's error code (Slack ``error``, Graph ``code``)."""

    def __init__(self, message: str, code: str = "") -> None:
        super().__init__(message)
        self.code = code
