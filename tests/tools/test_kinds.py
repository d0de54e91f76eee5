"""A brief whose words do not settle its kind is decided by meaning, and said."""

from __future__ import annotations

from datetime import date

from tools.brief import read_brief
from tools.brief.kinds import CLOSE, FEW_CUES, by_meaning, decide_kind, weak_cues

MEANING = {"cloud_migration": 0.35, "erp_rollout": 0.25, "api_integration": 0.10}


def test_many_cue_words_settle_the_kind_without_meaning() -> None:
    assert not weak_cues({"erp_rollout": FEW_CUES, "cloud_migration": 1.0})
    assert weak_cues({"erp_rollout": FEW_CUES - 1})
    assert weak_cues({})


def test_no_close_template_means_none_and_a_generic_plan() -> None:
    archetype, kinds, note = decide_kind({"erp_rollout": 3.0}, MEANING)
    assert archetype is None
    assert "no template is close" in note and "cloud_migration" in note
    assert "generic IT delivery lifecycle" in note
    assert kinds == {"cloud_migration": 0.35}  # only what comes near at all


def test_a_close_template_wins_over_a_few_stray_cue_words() -> None:
    meaning = {**MEANING, "network_infrastructure_upgrade": CLOSE + 0.03}
    archetype, kinds, note = decide_kind({"workplace_m365_migration": 4.0}, meaning)
    assert archetype == "network_infrastructure_upgrade"
    assert next(iter(kinds)) == "network_infrastructure_upgrade"
    assert "closest in meaning" in note and "workplace_m365_migration" in note


def test_by_meaning_updates_the_brief_and_says_so() -> None:
    reading = read_brief(
        "RPA pilot\n\nWe want software robots for five claims processes.", today=date(2026, 12, 7)
    )
    assert weak_cues(reading.archetype_scores)
    decided = by_meaning(reading, MEANING)
    assert decided.brief.archetype is None and "archetype" not in decided.brief.quotes
    assert decided.assumptions[-1].startswith("no template is close")
    assert decided.brief.title == reading.brief.title
