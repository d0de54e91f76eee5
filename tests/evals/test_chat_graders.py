"""The chat graders on turns of the real chat graph over a real assessed plan."""

from __future__ import annotations

from pathlib import Path

import pytest
from langgraph.checkpoint.memory import InMemorySaver

from agent.chat import HELP
from agent.deps import AgentDeps
from agent.drafting.offline import OfflineDrafter
from agent.service import ChatService
from evals.chat_graders import grade_chat
from evals.gold import ChatCase
from knowledge.rates import default_rates
from knowledge.templates import load_templates
from tools.assessment import Assessment, assess
from tools.domain import Plan

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "plans" / "crm-rollout.json"


@pytest.fixture(scope="module")
def chat() -> ChatService:
    deps = AgentDeps(
        drafter=OfflineDrafter(),
        knowledge=None,
        templates=load_templates(),
        rates=default_rates,
        today=lambda: Plan.model_validate_json(EXAMPLE.read_bytes()).start,
        seed=3,
        iterations=500,
    )
    return ChatService(deps, InMemorySaver())


@pytest.fixture(scope="module")
def start() -> tuple[Plan, Assessment]:
    plan = Plan.model_validate_json(EXAMPLE.read_bytes())
    return plan, assess(plan, iterations=500, seed=3)


def case(message: str, intent: str, finish: str = "any", cost: str = "any") -> ChatCase:
    return ChatCase.model_validate(
        {
            "id": "chat-001",
            "case": "crm",
            "message": message,
            "intent": intent,
            "finish": finish,
            "cost": cost,
            "split": "dev",
        }
    )


def turn(chat: ChatService, start: tuple[Plan, Assessment], message: str):
    thread = chat.start(*start, "default")
    return chat.send(thread, "default", message)


def test_an_edit_read_as_meant_that_moves_the_plan_the_right_way(chat, start) -> None:
    c = case("add a pilot phase before go-live", "add_phase", finish="up", cost="up")
    grade = grade_chat(c, turn(chat, start, c.message), start[1], HELP)
    assert (grade.understood, grade.intent_right, grade.moved_right) == (True, True, True)
    assert grade.read_as == ["add_phase"]


def test_the_generic_help_text_is_not_understanding(chat, start) -> None:
    c = case("how much contingency have we actually got left?", "ask_contingency")
    grade = grade_chat(c, turn(chat, start, c.message), start[1], HELP)
    assert not grade.understood
    assert not grade.intent_right
    assert not grade.moved_right
    assert grade.details[0].startswith("not understood")


def test_a_wrong_intent_or_direction_fails(chat, start) -> None:
    c = case("add a pilot phase before go-live", "add_member")
    grade = grade_chat(c, turn(chat, start, c.message), start[1], HELP)
    assert grade.understood and not grade.intent_right
    assert grade.details == ["read as add_phase, meant add_member"]
    wrong_way = case("add a pilot phase before go-live", "add_phase", finish="down")
    grade = grade_chat(wrong_way, turn(chat, start, wrong_way.message), start[1], HELP)
    assert grade.intent_right and not grade.moved_right
    assert grade.details[0].startswith("finish up (expected down)")
