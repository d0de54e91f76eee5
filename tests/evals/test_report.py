"""The gate: a score past its threshold fails, in the right direction for each grader."""

from __future__ import annotations

import json
from pathlib import Path

from evals.report import gate


def test_a_score_below_its_threshold_is_a_drop(tmp_path: Path) -> None:
    thresholds = tmp_path / "thresholds.json"
    thresholds.write_text(
        json.dumps({"offline": {"dev": {"facts": 0.5, "silent_errors": 1.0, "people": 0.3}}})
    )
    fine = {"offline": {"dev": {"facts": 0.5, "silent_errors": 1.0, "people": 0.9}}}
    assert gate(fine, thresholds) == []
    worse = {"offline": {"dev": {"facts": 0.49, "silent_errors": 1.2, "people": 0.9}}}
    drops = gate(worse, thresholds)
    assert [(d.metric, d.measured) for d in drops] == [("facts", 0.49), ("silent_errors", 1.2)]
    assert "above its threshold" in str(drops[1])
    other_split = {"offline": {"test": {"facts": 0.0}}}
    assert gate(other_split, thresholds, full=False) == []
    missing = gate(other_split, thresholds)
    assert [(d.metric, d.measured) for d in missing] == [
        ("facts", None),
        ("silent_errors", None),
        ("people", None),
    ]
    assert "was not measured" in str(missing[0])
