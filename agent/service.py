"""PlanningService: the one entry that the CLI, the API and scheduled jobs call.

It turns input bytes into a Plan and a Plan into an Assessment. Drafting from a brief (the
plan graph) joins here when the agent lands; the ways in stay the same. Its dependencies
(calibration profile, seed, run sizes) are injected, read from settings at the edge.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from knowledge.history import CalibrationReport, calibrate_file, default_profile
from tools.assessment import Assessment, assess, track
from tools.calibration import CalibrationProfile
from tools.domain import Plan, StatusUpdate
from tools.evm import EarnedValue
from tools.mspdi import read_mspdi
from tools.report import render_markdown


@dataclass(frozen=True)
class PlanningService:
    profile: CalibrationProfile | None = field(default_factory=default_profile)
    seed: int = 0
    iterations: int = 10_000
    time_limit_s: float = 1.0

    def load_plan(self, data: bytes, name: str = "") -> Plan:
        """A plan from pmpilot JSON or Microsoft Project XML (MSPDI), told apart by content."""
        head = data.lstrip()[:1]
        if name.lower().endswith(".xml") or head == b"<":
            return read_mspdi(data).plan
        return Plan.model_validate_json(data)

    def assess(self, plan: Plan) -> Assessment:
        return assess(
            plan,
            profile=self.profile,
            iterations=self.iterations,
            seed=self.seed,
            time_limit_s=self.time_limit_s,
        )

    def render(self, assessment: Assessment) -> str:
        return render_markdown(assessment)

    def track(self, plan: Plan, status: StatusUpdate) -> EarnedValue:
        return track(plan, status)

    def calibrate(self, history: Path) -> tuple[CalibrationProfile, CalibrationReport]:
        return calibrate_file(history)
