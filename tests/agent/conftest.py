"""Fixtures of the agent tests: the real lessons store (seed corpus, embedded Chroma, the
offline embedding model) and the graph's dependencies with the offline drafter."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from agent.deps import AgentDeps
from agent.drafting.offline import OfflineDrafter
from agent.service import LessonsService
from knowledge.rates import default_rates
from knowledge.templates import load_templates

TODAY = date(2026, 11, 25)
BRIEFS = sorted((Path(__file__).parents[2] / "examples/briefs").glob("[0-9]*.md"))


@pytest.fixture(scope="session")
def knowledge(tmp_path_factory: pytest.TempPathFactory) -> LessonsService:
    service = LessonsService.open(tmp_path_factory.mktemp("pmpilot-data"))
    service.startup()
    return service


@pytest.fixture(scope="session")
def offline_deps(knowledge: LessonsService) -> AgentDeps:
    return AgentDeps(
        drafter=OfflineDrafter(),
        knowledge=knowledge,
        templates=load_templates(),
        rates=default_rates,
        today=lambda: TODAY,
        seed=11,
        iterations=2000,
    )
