"""Graders of a chat turn: was the message understood, was it read as what the PM meant, and
did the P80 finish and cost move the way the PM expects."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from evals.gold import ChatCase, Direction
from tools.assessment import Assessment

EDIT_INTENTS: dict[str, str] = {
    "add_member": "add_member",
    "lose_member": "lose_member",
    "change_share": "change_share",
    "change_rate": "change_rate",
    "move_start": "move_start",
    "set_deadline": "set_deadline",
    "test_deadline": "test_deadline",
    "set_budget": "set_budget",
    "test_budget": "test_budget",
    "add_phase": "add_phase",
    "change_duration": "change_duration",
    "remove": "remove_scope",
    "add_freeze": "add_freeze",
    "lock": "lock",
}
"""The intent each typed edit (`op`) carries out."""
ACTION_INTENTS: dict[str, str] = {"undo": "undo", "regenerate": "regenerate"}
NOT_UNDERSTOOD = frozenset({"explain", "failed"})


class Turn(Protocol):
    """What a chat turn returns (agent.service.ChatTurn)."""

    action: str
    edits: list[dict]
    reply: str
    assessment: Assessment


@dataclass(frozen=True)
class ChatGrade:
    understood: bool
    intent_right: bool
    moved_right: bool
    read_as: list[str] = field(default_factory=list)
    details: list[str] = field(default_factory=list)


def intents_of(turn: Turn) -> list[str]:
    """The intents a turn acted on, in order."""
    if turn.action in ACTION_INTENTS:
        return [ACTION_INTENTS[turn.action]]
    return [EDIT_INTENTS.get(str(e.get("op")), str(e.get("op"))) for e in turn.edits]


def direction(before: object, after: object) -> Direction:
    if before is None or after is None or before == after:
        return "same"
    return "up" if after > before else "down"  # type: ignore[operator]


def _matches(want: Direction, got: Direction) -> bool:
    return want in ("any", got)


def grade_chat(case: ChatCase, turn: Turn, before: Assessment, generic: str) -> ChatGrade:
    """A turn is understood when it neither fell back to the generic help text nor failed;
    its finish and cost count only when the intent was right."""
    understood = turn.action not in NOT_UNDERSTOOD and turn.reply.strip() != generic.strip()
    read_as = intents_of(turn) if understood else []
    intent_right = case.intent in read_as
    f0 = before.forecast
    f1 = turn.assessment.forecast
    finish = direction(f0 and f0.p80_finish, f1 and f1.p80_finish)
    cost = direction(f0 and f0.p80_cost.amount, f1 and f1.p80_cost.amount)
    moved = intent_right and _matches(case.finish, finish) and _matches(case.cost, cost)
    details = []
    if not understood:
        details.append("not understood: " + turn.reply.strip().splitlines()[0][:80])
    elif not intent_right:
        details.append(f"read as {', '.join(read_as) or 'nothing'}, meant {case.intent}")
    elif not moved:
        details.append(
            f"finish {finish} (expected {case.finish}), cost {cost} (expected {case.cost})"
        )
    return ChatGrade(understood, intent_right, moved, read_as, details)
