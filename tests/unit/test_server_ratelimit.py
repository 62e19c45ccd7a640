"""The fixed-window limiter behind the X-RateLimit-* headers, on a fake clock."""

from __future__ import annotations

import pytest

from deepworkzone.server.ratelimit import FixedWindowLimiter


class FakeClock:
    def __init__(self) -> None:
        # On a window's edge: windows are aligned to the clock (every process agrees on them).
        self.now = 960.0

    def __call__(self) -> float:
        return self.now


def test_counts_down_per_key_and_refuses_past_the_limit() -> None:
    clock = FakeClock()
    limiter = FixedWindowLimiter(3, clock=clock)
    verdicts = [limiter.hit("a") for _ in range(4)]
    assert [v.allowed for v in verdicts] == [True, True, True, False]
    assert [v.remaining for v in verdicts] == [2, 1, 0, 0]
    assert limiter.hit("b").remaining == 2  # another key has its own budget


def test_reset_counts_down_and_a_new_window_starts_fresh() -> None:
    clock = FakeClock()
    limiter = FixedWindowLimiter(1, clock=clock)
    assert limiter.hit("a").reset_seconds == 60
    clock.now += 45.5
    refused = limiter.hit("a")
    assert not refused.allowed
    assert refused.reset_seconds == 15  # rounded up: never tell a client to retry too early
    clock.now += 15
    assert limiter.hit("a").allowed
    clock.now += 3 * 60 + 10  # idle windows are skipped, not replayed
    verdict = limiter.hit("a")
    assert verdict.allowed and verdict.reset_seconds == 50


def test_a_limit_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        FixedWindowLimiter(0)
