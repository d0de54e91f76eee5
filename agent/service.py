"""PlanningService: the one entry that the CLI, the API and scheduled jobs call.

It turns input bytes into a Plan and a Plan into an Assessment. Drafting from a brief (the
plan graph) joins here when the agent lands; the ways in stay the same.
"""

from __future__ import annotations

from tools.assessment import Assessment, assess, track
from tools.domain import Plan, StatusUpdate
from tools.evm import EarnedValue
from tools.mspdi import read_mspdi
from tools.report import render_markdown


class PlanningService:
    def load_plan(self, data: bytes, name: str = "") -> Plan:
        """A plan from pmpilot JSON or Microsoft Project XML (MSPDI), told apart by content."""
        head = data.lstrip()[:1]
        if name.lower().endswith(".xml") or head == b"<":
            return read_mspdi(data).plan
        return Plan.model_validate_json(data)

    def assess(self, plan: Plan) -> Assessment:
        return assess(plan)

    def render(self, assessment: Assessment) -> str:
        return render_markdown(assessment)

    def track(self, plan: Plan, status: StatusUpdate) -> EarnedValue:
        return track(plan, status)
