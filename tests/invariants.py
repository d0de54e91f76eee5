"""Checks that several test modules judge engine output by, written once."""

from __future__ import annotations

from tools.domain import Plan
from tools.levelling import LevelledPlan, overbookings


def assert_nobody_overbooked(plan: Plan, result: LevelledPlan) -> None:
    """No person works more in a half-day than their calendar, absences and share allow."""
    assert overbookings(plan, result) == []
