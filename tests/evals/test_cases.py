"""The evaluation cases as committed: valid, split, and as varied as the suite promises."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from evals.cases import CASES, CaseError, check_gold, load_cases, load_chat, load_split


@pytest.fixture(scope="module")
def cases():
    return load_cases()


def test_every_gold_file_is_valid_and_in_one_split(cases) -> None:
    assert len(cases) >= 40
    split = Counter(c.split for c in cases)
    assert split["test"] >= 13
    assert split["dev"] >= 14
    assert {c.gold.id for c in cases} == set(load_split())


def test_the_cases_are_as_varied_as_promised(cases) -> None:
    golds = [c.gold for c in cases]
    assert sum(g.origin == "example" for g in golds) == 14
    assert sum(g.origin == "new" for g in golds) >= 26
    assert sum("other" in g.kinds for g in golds) >= 5
    assert sum(g.mixes for g in golds) >= 4
    assert {g.style for g in golds if g.origin == "new"} >= {
        "email",
        "meeting_notes",
        "markdown_table",
        "narrative",
        "non_native",
        "one_liner",
    }
    assert any(g.start is None for g in golds)
    assert any(g.deadline is None for g in golds)
    assert any(g.budget is None for g in golds)
    assert {g.verdict for g in golds} >= {"within", "at_risk", "over", None}
    assert sum(g.injection is not None for g in golds) >= 4


def test_the_test_split_holds_only_briefs_written_for_the_evaluation(cases) -> None:
    assert all(c.gold.origin == "new" for c in cases if c.split == "test")


def test_chat_cases_cover_every_intent_in_both_splits(cases) -> None:
    chat = load_chat()
    assert len(chat) >= 60
    ids = {c.gold.id for c in cases}
    assert all(m.case in ids for m in chat)
    assert len({m.id for m in chat}) == len(chat)
    by_split = {s: {m.intent for m in chat if m.split == s} for s in ("dev", "test")}
    assert by_split["dev"] == by_split["test"]


def test_a_broken_gold_file_is_refused_naming_the_field(tmp_path: Path) -> None:
    good = json.loads((CASES / "01-postgres-to-rds.gold.json").read_text())
    bad = tmp_path / "01-postgres-to-rds.gold.json"
    bad.write_text(json.dumps({**good, "deadline": "31 May"}))
    with pytest.raises(CaseError, match=r"01-postgres-to-rds.gold.json: deadline: "):
        check_gold(bad)
    renamed = tmp_path / "other-name.gold.json"
    renamed.write_text(json.dumps(good))
    with pytest.raises(CaseError, match="does not match the file name"):
        check_gold(renamed)
    lost = tmp_path / "01-postgres-to-rds.gold.json"
    lost.write_text(json.dumps({**good, "brief": "examples/briefs/missing.md"}))
    with pytest.raises(CaseError, match="brief: no file"):
        check_gold(lost)


def test_a_case_in_both_splits_is_refused(tmp_path: Path) -> None:
    split = tmp_path / "split.json"
    split.write_text(json.dumps({"dev": ["a"], "test": ["a"]}))
    with pytest.raises(CaseError, match="in both splits"):
        load_split(split)


def test_a_bad_chat_line_is_refused_naming_the_line_and_field(tmp_path: Path) -> None:
    good = json.loads((load_chat()[0]).model_dump_json())
    chat = tmp_path / "messages.jsonl"
    chat.write_text(json.dumps(good) + "\n\n" + json.dumps({**good, "intent": "reorg"}) + "\n")
    with pytest.raises(CaseError, match=r"messages.jsonl line 3: intent: "):
        load_chat(chat)
