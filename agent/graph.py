"""The plan graph: brief in, assessed plan out, in a fixed sequence of steps.

The only branch is the bounded repair loop after validation, and its router is a pure
function of the state. Nothing a brief says can add, skip or reorder a step.
"""

from __future__ import annotations

from dataclasses import replace
from itertools import pairwise
from typing import Literal

from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from agent.deps import AgentDeps
from agent.nodes import PlanNodes
from agent.state import PlanInput, PlanOutput, PlanState

STEPS: tuple[str, ...] = (
    "intake",
    "retrieve",
    "staff",
    "draft_wbs",
    "validate_wbs",
    "propose_risks",
    "schedule",
    "simulate",
    "check_budget",
    "assemble",
)
"""The plan graph's steps in order (draft_wbs and validate_wbs repeat on a repair)."""


def route_after_validation(
    state: PlanState, max_repairs: int
) -> Literal["draft_wbs", "propose_risks"]:
    """Back to the drafter with the issues, at most `max_repairs` times; after that the plan
    goes on and the assessment reports the issues instead of a schedule."""
    if state.get("issues") and state.get("loop_step", 0) <= max_repairs:
        return "draft_wbs"
    return "propose_risks"


def build_plan_graph(deps: AgentDeps) -> CompiledStateGraph:
    """The plan graph for one run: the drafter's budgets and usage count from zero."""
    nodes = PlanNodes(replace(deps, drafter=deps.drafter.for_run()))
    graph = StateGraph(PlanState, input_schema=PlanInput, output_schema=PlanOutput)
    for step in STEPS:
        graph.add_node(step, getattr(nodes, step))
    graph.add_edge(START, "intake")
    for before, after in pairwise(STEPS[:5]):
        graph.add_edge(before, after)
    graph.add_conditional_edges(
        "validate_wbs",
        lambda state: route_after_validation(state, deps.max_repairs),
        ["draft_wbs", "propose_risks"],
    )
    for before, after in pairwise(STEPS[5:]):
        graph.add_edge(before, after)
    graph.add_edge("assemble", END)
    return graph.compile(name="plan")
