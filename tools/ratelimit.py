"""A token bucket per caller: how many requests a key may make, with bursts.

Pure: the caller passes the time, so the rule is tested without a clock and the API decides
where the time comes from.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field


@dataclass
class RateLimiter:
    per_minute: float
    burst: int
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict, repr=False)
    """key -> (tokens left, time of the last refill)."""

    def take(self, key: str, now: float) -> float:
        """0 when the request may go ahead (a token is used), else the seconds to wait."""
        rate = self.per_minute / 60.0
        tokens, last = self._buckets.get(key, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + max(0.0, now - last) * rate)
        if tokens >= 1.0:
            self._buckets[key] = (tokens - 1.0, now)
            return 0.0
        self._buckets[key] = (tokens, now)
        return (1.0 - tokens) / rate if rate > 0 else math.inf
