"""The chat graph: follow-up edits on a plan, one message at a time, checkpointed per thread.

A message is read into typed edits (by rules, or by a model when one is configured), the edits
are applied by tools.edits, the engine re-runs, and the reply says what changed. "undo" goes
back one step; "regenerate" re-drafts the WBS and risks and keeps what a person locked. The
message never chooses a step: the routers look only at what the interpreter produced.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from typing import Annotated, Literal, TypedDict

from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import Checkpointer

from agent.deps import AgentDeps
from agent.graph import build_plan_graph
from agent.llm import LlmClient, LlmError
from prompts.loader import data_block, render
from tools.assessment import Assessment
from tools.brief import BriefError
from tools.domain import Plan
from tools.edits import (
    Edit,
    EditError,
    EditList,
    apply_edits,
    changes,
    describe,
    read_edits,
)
from tools.vocabulary import ROLES

Interpreter = Callable[[str, Plan], list[Edit]]
"""Reads a message into edits. The offline one is tools.edits.read_edits."""

UNDO = re.compile(r"^\s*(undo|revert|go back|undo that)\b", re.IGNORECASE)
REGENERATE = re.compile(
    r"^\s*(?:please\s+)?(regenerate|redraft|re-draft|start over)\b(?:\s+the\s+plan)?\W*$",
    re.IGNORECASE,
)
HISTORY_DEPTH = 20
"""How many earlier versions of the plan a thread keeps for undo."""

HELP = (
    "I can change the plan and tell you what that does. Try: “add a pilot phase before"
    " cut-over”, “we lose one DBA from March”, “add a tester at 50%”, “what if the budget is"
    " $100k?”, “deadline is 30 June 2027”, “remove 2.3”, “lock 2.1”, “regenerate” (keeps"
    " locked packages) or “undo”."
)


def model_interpreter(client: LlmClient) -> Interpreter:
    """Edits read by a model: it proposes typed edits, which are validated like any input;
    it never changes the plan itself."""

    def interpret(message: str, plan: Plan) -> list[Edit]:
        outline = "\n".join(f"{wp.code} {wp.name}" for wp in plan.wbs)
        user = render(
            "interpret_edit",
            roles=", ".join(ROLES),
            start=plan.start.isoformat(),
            plan=data_block("plan", outline),
            message=data_block("message", message),
        )
        run = client.fresh()  # each message has the whole budget
        return run.structured(render("system"), user, EditList, "plan_edits").edits

    return interpret


class ChatInput(TypedDict):
    message: str


class ChatOutput(TypedDict):
    reply: str
    changes: list[dict]
    plan: dict
    assessment: dict


class ChatState(TypedDict, total=False):
    tenant: str
    plan: dict
    """The current plan as JSON data (checkpoints hold plain data, not classes)."""
    assessment: dict
    message: str
    action: Literal["edit", "undo", "regenerate", "explain", "failed"]
    edits: list[dict]
    done: str
    reply: str
    changes: list[dict]
    previous: list[dict]
    """Earlier versions of the plan, newest last, for undo."""
    transcript: Annotated[list[dict], operator.add]


def route_after_interpret(
    state: ChatState,
) -> Literal["apply", "undo", "regenerate", "explain", "__end__"]:
    action = state.get("action", "explain")
    if action == "failed":
        return "__end__"
    return "apply" if action == "edit" else action


def route_after_apply(state: ChatState) -> Literal["reassess", "__end__"]:
    return "__end__" if state.get("reply") else "reassess"


class ChatNodes:
    def __init__(self, deps: AgentDeps, interpret: Interpreter) -> None:
        self.deps = deps
        self.interpret_message = interpret

    def interpret(self, state: ChatState) -> dict:
        message = state["message"]
        turn = {"transcript": [{"role": "user", "content": message}], "reply": "", "changes": []}
        if UNDO.match(message):
            return {**turn, "action": "undo"}
        if REGENERATE.match(message):
            return {**turn, "action": "regenerate"}
        try:
            edits = self.interpret_message(message, Plan.model_validate(state["plan"]))
        except LlmError as exc:
            reply = f"I could not read that message ({exc}); the plan is unchanged."
            transcript = [*turn["transcript"], {"role": "assistant", "content": reply}]
            return {**turn, "action": "failed", "reply": reply, "transcript": transcript}
        action = "edit" if edits else "explain"
        return {**turn, "action": action, "edits": [e.model_dump(mode="json") for e in edits]}

    def apply(self, state: ChatState) -> dict:
        plan = Plan.model_validate(state["plan"])
        edits = EditList.model_validate({"edits": state.get("edits", [])}).edits
        try:
            edited = apply_edits(plan, edits, state["message"])
        except (EditError, ValueError) as exc:
            reply = f"I could not apply that: {exc}"
            return {
                "action": "failed",
                "reply": reply,
                "transcript": [{"role": "assistant", "content": reply}],
            }
        return self._commit(state, edited, "; ".join(describe(e) for e in edits))

    def _commit(self, state: ChatState, plan: Plan, did: str) -> dict:
        previous = [*state.get("previous", []), state["plan"]][-HISTORY_DEPTH:]
        return {
            "plan": plan.model_dump(mode="json"),
            "previous": previous,
            "reply": "",
            "done": did,
        }

    def reassess(self, state: ChatState) -> dict:
        before = Assessment.model_validate(state["assessment"])
        after = self.deps.assess(Plan.model_validate(state["plan"]))
        diff = changes(before, after)
        lines = [f"Done: {state.get('done', 'updated the plan')}."]
        lines += [f"- {c.what}: {c.before} → {c.after}" for c in diff] or ["- no computed change"]
        if after.issues:
            lines.append(f"The WBS now has {len(after.issues)} issue(s): {after.issues[0].message}")
        lines.append("Say “undo” to go back.")
        reply = "\n".join(lines)
        return {
            "assessment": after.model_dump(mode="json"),
            "changes": [c.model_dump() for c in diff],
            "reply": reply,
            "transcript": [{"role": "assistant", "content": reply}],
        }

    def undo(self, state: ChatState) -> dict:
        previous = list(state.get("previous", []))
        if not previous:
            reply = "There is nothing to undo."
            return {"reply": reply, "transcript": [{"role": "assistant", "content": reply}]}
        plan = previous.pop()
        return {
            "plan": plan,
            "previous": previous,
            "done": "went back to the previous version",
            "reply": "",
        }

    def regenerate(self, state: ChatState) -> dict:
        plan = Plan.model_validate(state["plan"])
        locked = [wp for wp in plan.wbs if wp.locked]
        graph = build_plan_graph(self.deps)
        try:
            out = graph.invoke(
                {
                    "text": plan.brief.text,
                    "tenant": state["tenant"],
                    "locked": locked,
                    "base": plan,
                },
                {"recursion_limit": self.deps.recursion_limit},
            )
        except (BriefError, LlmError) as exc:
            reply = f"I could not re-draft the plan ({exc}); it is unchanged."
            return {
                "action": "failed",
                "reply": reply,
                "transcript": [{"role": "assistant", "content": reply}],
            }
        kept = f"kept {len(locked)} locked package(s)" if locked else "nothing was locked"
        return self._commit(state, out["plan"], f"re-drafted the WBS and risks ({kept})")

    def explain(self, state: ChatState) -> dict:
        return {"reply": HELP, "transcript": [{"role": "assistant", "content": HELP}]}


def build_chat_graph(
    deps: AgentDeps, checkpointer: Checkpointer, interpret: Interpreter = read_edits
) -> CompiledStateGraph:
    nodes = ChatNodes(deps, interpret)
    graph = StateGraph(ChatState, input_schema=ChatInput, output_schema=ChatOutput)
    for name in ("interpret", "apply", "undo", "regenerate", "reassess", "explain"):
        graph.add_node(name, getattr(nodes, name))
    graph.add_edge(START, "interpret")
    graph.add_conditional_edges(
        "interpret", route_after_interpret, ["apply", "undo", "regenerate", "explain", END]
    )
    for name in ("apply", "undo", "regenerate"):
        graph.add_conditional_edges(name, route_after_apply, ["reassess", END])
    graph.add_edge("reassess", END)
    graph.add_edge("explain", END)
    return graph.compile(checkpointer=checkpointer, name="chat")
