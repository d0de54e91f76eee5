"""What a tenant's plans draw on: its own lessons and past projects, and the shared corpus.

The shared corpus is the tenant `default`: the seed shipped with pmpilot plus whatever an
administrator imports with `pmpilot lessons import` (no `--tenant`). Every tenant reads it;
no API key can write it (keys are never issued for `default`). A tenant's own records come
first: on equal ids, and in the ranking where the two corpora score alike.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from agent.deps import Knowledge
from knowledge.models import Archetype, Lesson, PastProject
from knowledge.seed_corpus import SEED_TENANT as SHARED_TENANT
from knowledge.store import LessonFilters, LessonHit, ProjectHit

Hit = TypeVar("Hit", LessonHit, ProjectHit)
Record = TypeVar("Record", Lesson, PastProject)


def _merge(own: list[Hit], shared: list[Hit], k: int) -> list[Hit]:
    """The k best of both lists by score; the tenant's own hit wins a tie."""
    ranked = sorted(
        [(h.score, 1, i, h) for i, h in enumerate(own)]
        + [(h.score, 0, i, h) for i, h in enumerate(shared)],
        key=lambda t: (-t[0], -t[1], t[2]),
    )
    return [t[3] for t in ranked[:k]]


@dataclass(frozen=True)
class SharedCorpus:
    """A Knowledge that adds the shared corpus to every tenant's reads."""

    inner: Knowledge
    shared: str = SHARED_TENANT

    def search_many(
        self, queries: list[str], tenant: str, k: int = 5, filters: LessonFilters | None = None
    ) -> list[list[LessonHit]]:
        own = self.inner.search_many(queries, tenant, k, filters)
        if tenant == self.shared:
            return own
        shared = self.inner.search_many(queries, self.shared, k, filters)
        return [_merge(o, s, k) for o, s in zip(own, shared, strict=True)]

    def similar_projects(
        self, brief: str, tenant: str, k: int = 3, archetype: Archetype | None = None
    ) -> list[ProjectHit]:
        own = self.inner.similar_projects(brief, tenant, k, archetype)
        if tenant == self.shared:
            return own
        return _merge(own, self.inner.similar_projects(brief, self.shared, k, archetype), k)

    def lessons(self, tenant: str, ids: list[str]) -> list[Lesson]:
        return self._records(self.inner.lessons, tenant, ids)

    def projects(self, tenant: str, ids: list[str]) -> list[PastProject]:
        return self._records(self.inner.projects, tenant, ids)

    def _records(
        self, read: Callable[[str, list[str]], list[Record]], tenant: str, ids: list[str]
    ) -> list[Record]:
        """The tenant's records for these ids, the shared corpus's for the rest, in order."""
        own = {r.id: r for r in read(tenant, ids)}
        rest = [i for i in ids if i not in own]
        shared = {}
        if rest and tenant != self.shared:
            shared = {r.id: r for r in read(self.shared, rest)}
        return [own.get(i) or shared[i] for i in ids if i in own or i in shared]
