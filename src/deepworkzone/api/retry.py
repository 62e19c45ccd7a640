"""When to try a request again, and how long to wait first.

Exponential backoff with full jitter (so many clients that failed together do not come back
together), a server's ``Retry-After`` taking precedence, and a cap on the total time spent
waiting so a command never hangs for minutes. ``sleep`` and ``rng`` are injectable: tests run
instantly yet still see every wait the client asked for.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

Sleep = Callable[[float], None]


@dataclass
class RetryPolicy:
    max_retries: int = 3
    backoff_base: float = 0.5
    backoff_cap: float = 8.0
    max_total_wait: float = 30.0
    sleep: Sleep = time.sleep
    rng: random.Random = field(default_factory=random.Random)

    def backoff(self, attempt: int) -> float:
        """Wait before retry number ``attempt`` (0-based): full jitter over an exponential."""
        ceiling = min(self.backoff_cap, self.backoff_base * (2**attempt))
        # At least half the ceiling, so a retry is never immediate.
        return ceiling * (0.5 + self.rng.random() / 2)

    def delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            # The server knows when its window resets; add a little jitter on top only.
            return retry_after + self.rng.random() * min(1.0, self.backoff_base)
        return self.backoff(attempt)


class RetryBudget:
    """Counts retries and waited seconds for one logical request."""

    def __init__(self, policy: RetryPolicy) -> None:
        self.policy = policy
        self.retries = 0
        self.waited = 0.0

    def wait(self, retry_after: float | None) -> bool:
        """Sleep before the next try and return True, or return False when out of budget."""
        if self.retries >= self.policy.max_retries:
            return False
        pause = self.policy.delay(self.retries, retry_after)
        if self.waited + pause > self.policy.max_total_wait:
            return False
        self.policy.sleep(pause)
        self.waited += pause
        self.retries += 1
        return True


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds from a ``Retry-After`` header: delta-seconds or an HTTP date; None if absent/bad."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
