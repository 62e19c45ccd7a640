"""Bounded retries for Slack and Graph calls: 429 + Retry-After, 5xx and network errors.

The waits sleep in the calling thread (the runner calls snoozers off the UI thread) and are
bounded in total, so a throttled service delays a session start by seconds, not minutes.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from deepworkzone.snooze.errors import RateLimited, ServiceUnavailable

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass
class RetryPolicy:
    max_total_wait: float = 30.0
    """Seconds of sleeping allowed for one call, across all its retries."""
    max_attempts: int = 5
    max_network_retries: int = 2
    """A refused connection rarely heals in seconds; fail fast and let the caller say so."""
    sleep: Callable[[float], None] = field(default=time.sleep)


def retry_after(response: httpx.Response) -> float | None:
    """The Retry-After header in seconds; None when absent or in the (rare) HTTP-date form."""
    value = response.headers.get("Retry-After", "").strip()
    try:
        seconds = float(value)
    except ValueError:
        return None
    return max(0.0, seconds)


def send(
    do_request: Callable[[], httpx.Response], policy: RetryPolicy, service: str
) -> httpx.Response:
    """Run ``do_request`` until it gets an answer worth classifying, or the budget runs out.

    Returns any response that is not a retryable status; raises RateLimited or
    ServiceUnavailable once the attempts or the total wait are used up.
    """
    waited = 0.0
    attempt = 0
    network_failures = 0
    while True:
        attempt += 1
        try:
            response = do_request()
        except httpx.TransportError as exc:
            network_failures += 1
            delay = float(min(2 ** (network_failures - 1), 8))
            if (
                network_failures > policy.max_network_retries
                or attempt >= policy.max_attempts
                or waited + delay > policy.max_total_wait
            ):
                raise ServiceUnavailable(
                    f"{service} could not be reached ({_describe(exc)})"
                ) from None
            log.info("%s unreachable (%s); retrying in %.0f s", service, _describe(exc), delay)
        else:
            if response.status_code not in RETRY_STATUSES:
                return response
            hinted = retry_after(response)
            # Without a hint, back off exponentially as Graph's and Slack's docs ask.
            delay = hinted if hinted is not None else float(min(2 ** (attempt - 1), 8))
            if attempt >= policy.max_attempts or waited + delay > policy.max_total_wait:
                if response.status_code == 429:
                    wait_text = f"; try again in {hinted:.0f} s" if hinted else ""
                    raise RateLimited(f"{service} is rate limiting requests{wait_text}", hinted)
                raise ServiceUnavailable(
                    f"{service} is unavailable (HTTP {response.status_code}); try again later"
                )
            log.info(
                "%s answered HTTP %s; retrying in %.1f s", service, response.status_code, delay
            )
        policy.sleep(delay)
        waited += delay


def _describe(exc: httpx.TransportError) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return "timed out"
    if isinstance(exc, httpx.ConnectError):
        return "connection failed"
    return type(exc).__name__
