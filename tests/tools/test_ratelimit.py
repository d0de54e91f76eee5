"""The token bucket: a burst goes through, then one request per refill interval."""

from __future__ import annotations

import pytest

from tools.ratelimit import RateLimiter


def test_a_burst_then_the_steady_rate() -> None:
    limiter = RateLimiter(per_minute=60, burst=3)
    assert [limiter.take("k", 100.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.take("k", 100.0) == pytest.approx(1.0)
    assert limiter.take("k", 100.5) == pytest.approx(0.5)
    assert limiter.take("k", 101.0) == 0.0
    assert limiter.take("other", 101.0) == 0.0  # every key has its own bucket


def test_tokens_never_exceed_the_burst() -> None:
    limiter = RateLimiter(per_minute=600, burst=2)
    limiter.take("k", 0.0)
    assert [limiter.take("k", 1000.0) for _ in range(3)][-1] > 0
