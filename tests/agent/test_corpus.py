"""The shared corpus: every tenant's plans draw on the seed (tenant `default`) and on their
own records; no tenant sees another's, and the shared corpus cannot be given a key."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from agent.corpus import SHARED_TENANT, SharedCorpus
from agent.deps import AgentDeps
from agent.repository import Repository
from agent.service import LessonsService, PlanningService
from tests.agent.conftest import BRIEFS

LESSON = {
    "title": "Replica lag hid a broken sequence reset",
    "text": "After cut-over the sequences of the billing tables were not reset, and inserts"
    " failed on duplicate keys for an hour until someone reset them by hand.",
    "archetype": "database_migration",
    "phase": "cutover",
    "category": "technical",
    "impact": "high",
    "recommendation": "Reset every sequence in the cut-over runbook and test inserts.",
}
QUERY = "sequences not reset after cut-over, duplicate key inserts failed"


def _draft(deps: AgentDeps, tenant: str):
    return PlanningService(agent=deps).draft(BRIEFS[0].read_text(), tenant)


def test_a_new_tenant_plans_with_the_shared_corpus(offline_deps: AgentDeps) -> None:
    shared = replace(offline_deps, knowledge=SharedCorpus(offline_deps.knowledge))
    _, home = _draft(offline_deps, SHARED_TENANT)
    _, new = _draft(shared, "corpus-new")
    _, alone = _draft(offline_deps, "corpus-new")
    assert new.forecast.p80_finish == home.forecast.p80_finish
    assert [r.source for r in new.wbs] == [r.source for r in home.wbs]
    lesson_sources = {r.source.kind for r in new.risks}
    assert "lesson" in lesson_sources
    assert "lesson" not in {r.source.kind for r in alone.risks}  # what the wrapper adds


def test_own_lessons_join_the_shared_ones_and_stay_the_tenants(
    knowledge: LessonsService,
) -> None:
    knowledge.add("corpus-a", LESSON)
    corpus = SharedCorpus(knowledge)
    [own] = corpus.search_many([QUERY], "corpus-a", k=5)
    [other] = corpus.search_many([QUERY], "corpus-b", k=5)
    [home] = corpus.search_many([QUERY], SHARED_TENANT, k=5)
    mine = [h for h in own if h.tenant == "corpus-a"]
    assert [h.title for h in mine] == [LESSON["title"]]
    assert [h.score for h in own] == sorted((h.score for h in own), reverse=True)
    assert len(own) == len(other) == 5
    assert all(h.tenant == SHARED_TENANT for h in other + home)
    assert [h.id for h in other] == [h.id for h in home]
    assert [h.id for h in own if h.tenant == SHARED_TENANT] == [h.id for h in home[:4]]
    ids = [mine[0].id, home[0].id]
    assert [r.tenant for r in corpus.lessons("corpus-a", ids)] == ["corpus-a", SHARED_TENANT]
    assert [r.id for r in corpus.lessons("corpus-b", ids)] == [home[0].id]


def test_the_shared_corpus_gets_no_api_key(tmp_path: Path) -> None:
    repository = Repository(tmp_path / "plans.sqlite3")
    with pytest.raises(ValueError, match="shared corpus"):
        repository.create_key(SHARED_TENANT, "admin")
