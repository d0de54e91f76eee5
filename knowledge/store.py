"""The lessons and past-projects index: a `LessonsStore` protocol and its Chroma adapter.

The index is derived data: the source records (`knowledge.seed_corpus.RecordStore`) are the
truth and the index can be rebuilt from them at any time. Each indexed item carries the
content hash of its record so that a startup check can tell what is missing, stale or orphaned.

Tenancy: every item carries its tenant in its metadata and every read puts the tenant into
the Chroma `where` of the query itself. Nothing is filtered after the fact, so a query for
tenant B cannot see tenant A's lessons whatever its text, and k results are k of B's.

Chroma ids are `tenant:record id:content hash`. Two tenants may hold the same lesson id (ids
are derived from content), and the startup check can compare the whole index with the records
by reading ids only: 0.3 s at 100k items, against 10 s for reading every item's metadata.
Writing a changed record adds the new version, then deletes the old one.

Search is hybrid: the vector top candidates (tenant and filters applied inside the query) are
re-ranked by their cosine plus a weighted BM25 score computed over the candidate set, which
lifts lessons that share the query's rare terms (product names, protocols, numbers).
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, Protocol
from urllib.parse import urlparse

import chromadb
import numpy as np
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.api.types import Documents, EmbeddingFunction
from chromadb.config import Settings as ChromaSettings
from chromadb.errors import ChromaError, NotFoundError
from pydantic import BaseModel, ConfigDict, Field

from knowledge.models import (
    Archetype,
    Lesson,
    LessonCategory,
    PastProject,
    Phase,
)

Kind = Literal["lessons", "projects"]
Key = tuple[str, str]
"""(tenant, record id): what identifies a record across tenants."""
Version = tuple[str, str, str]
"""(tenant, record id, content hash): one indexed version of a record."""
Metadata = dict[str, str | int | float | bool]
DOCUMENT_FORMAT = "v2"
"""Part of every content hash: changing how documents are written re-embeds everything."""
CANDIDATES = 40
"""Vector candidates re-ranked by the keyword score (at least k)."""
KEYWORD_WEIGHT = 0.15
"""Weight of the candidate-normalised BM25 score added to the cosine (see benchmarks/README)."""
PAGE = 2_000
"""Items read per call."""
WRITE_BATCH = 1_000
"""Items written (or near-duplicate queries made) per call: under Chroma's batch limit."""
_TENANT_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_TOKEN_RE = re.compile(r"[a-z0-9]+")
_STOPWORDS = (
    "a an and are as at be by for from has have in into is it its of on or our over that the"
    " their then there these this to was were will with we you your not no but so than"
)
STOPWORDS = frozenset(_STOPWORDS.split())


class StoreError(RuntimeError):
    """The index cannot be used as it is (for example built with another embedding model)."""


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LessonFilters(_Frozen):
    """Metadata filters of a lesson search; each is one value or several (any of them)."""

    archetype: Archetype | tuple[Archetype, ...] | None = None
    category: LessonCategory | tuple[LessonCategory, ...] | None = None
    phase: Phase | tuple[Phase, ...] | None = None


class LessonHit(_Frozen):
    """One search result: the lesson id to cite, its scores and its indexed data.

    `document` is the lesson's text exactly as stored; it is data to quote, never an
    instruction to follow."""

    id: str
    tenant: str
    score: float
    """What results are ranked by: cosine plus the weighted keyword score."""
    vector_score: float
    """Cosine similarity of query and lesson, in [-1, 1]."""
    keyword_score: float = 0.0
    """BM25 over the candidate set, scaled so the best candidate has 1."""
    title: str
    metadata: Metadata
    document: str


class ProjectHit(_Frozen):
    id: str
    tenant: str
    score: float
    name: str
    metadata: Metadata
    document: str


class IndexStats(_Frozen):
    tenant: str
    lessons: int
    projects: int
    by_archetype: dict[str, int] = Field(default_factory=dict)
    by_category: dict[str, int] = Field(default_factory=dict)


class LessonsStore(Protocol):
    """What the rest of pmpilot needs from a lessons index, whatever holds it."""

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...

    def upsert_lessons(
        self, lessons: Sequence[Lesson], embeddings: np.ndarray | None = None
    ) -> None: ...

    def upsert_projects(self, projects: Sequence[PastProject]) -> None: ...

    def search(
        self,
        query: str,
        tenant: str,
        k: int = 5,
        filters: LessonFilters | None = None,
        hybrid: bool = True,
    ) -> list[LessonHit]: ...

    def search_many(
        self, queries: Sequence[str], tenant: str, k: int = 5, filters: LessonFilters | None = None
    ) -> list[list[LessonHit]]: ...

    def nearest_lessons(self, embeddings: np.ndarray, tenant: str) -> list[LessonHit | None]: ...

    def similar_projects(
        self, brief: str, tenant: str, k: int = 3, archetype: Archetype | None = None
    ) -> list[ProjectHit]: ...

    def list_lessons(
        self, tenant: str, filters: LessonFilters | None = None
    ) -> list[LessonHit]: ...

    def delete(self, kind: Kind, tenant: str, ids: Sequence[str]) -> None: ...

    def stats(self, tenant: str) -> IndexStats: ...

    def versions(self, kind: Kind) -> set[Version]: ...

    def delete_versions(self, kind: Kind, versions: Sequence[Version]) -> None: ...

    def reset(self) -> None: ...


# -- pure helpers -----------------------------------------------------------------------------


def check_tenant(tenant: str) -> str:
    """The tenant, or ValueError: it goes into every query, so it is checked, not trusted."""
    if not _TENANT_RE.fullmatch(tenant):
        raise ValueError(f"invalid tenant {tenant!r}")
    return tenant


def chroma_id(record: Lesson | PastProject) -> str:
    return version_id((record.tenant, record.id, content_hash(record)))


def version_id(version: Version) -> str:
    return ":".join(version)


def parse_version(item_id: str) -> Version:
    """(tenant, id, content hash) of an index item. An id of another layout (an older index)
    parses with an empty hash, so the startup check sees it as stale and replaces it."""
    parts = item_id.split(":")
    if len(parts) == 3:
        return parts[0], parts[1], parts[2]
    return (parts[0], parts[1], "") if len(parts) == 2 else ("", item_id, "")


def content_hash(record: Lesson | PastProject) -> str:
    """Fingerprint of a record as indexed: equal hashes need no re-embedding."""
    payload = DOCUMENT_FORMAT + "\n" + record.model_dump_json()
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:20]


def lesson_document(lesson: Lesson) -> str:
    """The text that is embedded and keyword-scored: what a query should match.

    The labels line puts the archetype, category, phase and tags into words: PMs search with
    them ("ERP", "cutover", "licensing"), and on the labelled queries it lifts vector-only
    recall@5 from 0.86 to 0.90 (benchmarks/README.md)."""
    labels = "; ".join(
        [lesson.archetype.replace("_", " "), lesson.category, lesson.phase, ", ".join(lesson.tags)]
    )
    return (
        f"{lesson.title}\n\n{lesson.text}\n\nRecommendation: {lesson.recommendation}"
        f"\n\nLabels: {labels}"
    )


def project_document(project: PastProject) -> str:
    parts = [project.name, project.summary, "Work: " + "; ".join(project.wbs_outline)]
    if project.risks_materialised:
        parts.append("Risks that materialised: " + "; ".join(project.risks_materialised))
    return "\n\n".join(parts)


def lesson_metadata(lesson: Lesson) -> Metadata:
    meta: Metadata = {
        "tenant": lesson.tenant,
        "record_id": lesson.id,
        "title": lesson.title,
        "archetype": lesson.archetype,
        "phase": lesson.phase,
        "category": lesson.category,
        "impact": lesson.impact,
        "tags": ",".join(lesson.tags),
        "created": lesson.created.isoformat(),
        "source": lesson.source,
        "content_hash": content_hash(lesson),
    }
    if lesson.project:
        meta["project"] = lesson.project
    return meta


def project_metadata(project: PastProject) -> Metadata:
    return {
        "tenant": project.tenant,
        "record_id": project.id,
        "name": project.name,
        "archetype": project.archetype,
        "planned_weeks": project.duration_weeks.planned,
        "actual_weeks": project.duration_weeks.actual,
        "finished": project.finished.isoformat(),
        "content_hash": content_hash(project),
    }


def where_clause(tenant: str, **filters: str | tuple[str, ...] | None) -> dict[str, Any]:
    """The Chroma `where` for one tenant and optional equality/any-of filters.

    The tenant condition is always present: there is no way to build an unscoped query."""
    conditions: list[dict[str, Any]] = [{"tenant": check_tenant(tenant)}]
    for name, value in filters.items():
        if value is None:
            continue
        if isinstance(value, tuple):
            conditions.append({name: {"$in": list(value)}})
        else:
            conditions.append({name: value})
    return conditions[0] if len(conditions) == 1 else {"$and": conditions}


def keyword_tokens(text: str) -> list[str]:
    """Lower-case alphanumeric words without stop words, with plural and -ing/-ed endings cut,
    so that "migrations" meets "migration" and "delayed" meets "delay"."""
    return [_stem(t) for t in _TOKEN_RE.findall(text.lower()) if t not in STOPWORDS]


def _stem(token: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if len(token) > len(suffix) + 3 and token.endswith(suffix):
            return token[: -len(suffix)]
    return token


def bm25_scores(
    query: Sequence[str], documents: Sequence[Sequence[str]], k1: float = 1.2, b: float = 0.75
) -> np.ndarray:
    """Okapi BM25 of each document for the query, with IDF over `documents` themselves."""
    n = len(documents)
    if n == 0:
        return np.zeros(0)
    avg_len = sum(len(d) for d in documents) / n or 1.0
    df: Counter[str] = Counter()
    for doc in documents:
        df.update(set(doc))
    scores = np.zeros(n)
    terms = set(query)
    for i, doc in enumerate(documents):
        tf = Counter(doc)
        norm = k1 * (1 - b + b * len(doc) / avg_len)
        for term in terms & tf.keys():
            idf = math.log(1 + (n - df[term] + 0.5) / (df[term] + 0.5))
            scores[i] += idf * tf[term] * (k1 + 1) / (tf[term] + norm)
    return scores


def rerank(query: str, hits: list[LessonHit], weight: float = KEYWORD_WEIGHT) -> list[LessonHit]:
    """Hits ordered by cosine + weight x (BM25 / best BM25 among the hits)."""
    scores = bm25_scores(keyword_tokens(query), [keyword_tokens(h.document) for h in hits])
    best = float(scores.max()) if len(scores) else 0.0
    rescored = [
        h.model_copy(
            update={
                "keyword_score": (kw := float(s) / best if best > 0 else 0.0),
                "score": h.vector_score + weight * kw,
            }
        )
        for h, s in zip(hits, scores, strict=True)
    ]
    return sorted(rescored, key=lambda h: (-h.score, h.id))


# -- clients ----------------------------------------------------------------------------------


def open_client(
    data_dir: Path, server_url: str = "", *, set_aside_corrupt: bool = False
) -> ClientAPI:
    """A Chroma server's HttpClient when `server_url` is set, else a persistent client under
    `<data_dir>/chroma`. Telemetry is off: pmpilot makes no calls it was not asked to."""
    settings = ChromaSettings(anonymized_telemetry=False)
    if server_url:
        url = urlparse(server_url if "://" in server_url else f"http://{server_url}")
        if not url.hostname:
            raise ValueError(f"invalid Chroma server URL {server_url!r}")
        https = url.scheme == "https"
        port = url.port or (443 if https else 8000)
        return chromadb.HttpClient(host=url.hostname, port=port, ssl=https, settings=settings)
    path = data_dir / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    try:
        return chromadb.PersistentClient(path=str(path), settings=settings)
    except ChromaError as exc:
        if not set_aside_corrupt:
            raise StoreError(
                f"the lessons index at {path} is unreadable ({exc}); run `pmpilot lessons"
                " rebuild`: the index is rebuilt from the records"
            ) from exc
    # The index is disposable: keep the damaged copy for inspection and start afresh. Chroma
    # caches a failed client per path in this process, so the fresh index opens in the next.
    aside = path.with_name(f"chroma.unreadable-{len(list(data_dir.glob('chroma.unreadable-*')))}")
    path.rename(aside)
    raise StoreError(
        f"the unreadable lessons index was moved to {aside}; the next `pmpilot lessons`"
        " command rebuilds it from the records"
    )


# -- the Chroma adapter -----------------------------------------------------------------------


class ChromaLessonsStore:
    """LessonsStore on Chroma: collections `<namespace>lessons` and `<namespace>projects`.

    Collections are opened on first use, so that `reset()` works on an index that can no
    longer be opened (built with another embedding model)."""

    def __init__(
        self,
        client: ClientAPI,
        embedding_function: EmbeddingFunction[Documents],
        namespace: str = "pmpilot_",
    ) -> None:
        self._client = client
        self._ef = embedding_function
        self._names: dict[Kind, str] = {
            "lessons": f"{namespace}lessons",
            "projects": f"{namespace}projects",
        }
        self._open: dict[Kind, Collection] = {}
        self._raw_ids: dict[Kind, dict[Version, str]] = {}

    def _collection(self, kind: Kind) -> Collection:
        if kind not in self._open:
            try:
                self._open[kind] = self._client.get_or_create_collection(
                    self._names[kind],
                    embedding_function=self._ef,  # type: ignore[arg-type]
                    configuration={"hnsw": {"space": "cosine"}},
                )
            except ValueError as exc:
                raise StoreError(
                    f"cannot open the {kind} index ({exc}); run `pmpilot lessons rebuild`"
                ) from exc
        return self._open[kind]

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return np.asarray(self._ef(list(texts)), dtype=np.float32)

    def upsert_lessons(
        self, lessons: Sequence[Lesson], embeddings: np.ndarray | None = None
    ) -> None:
        """Index lessons (embedding them unless `embeddings` are given, row for row) and
        drop their earlier versions."""
        for start in range(0, len(lessons), WRITE_BATCH):
            chunk = lessons[start : start + WRITE_BATCH]
            documents = [lesson_document(x) for x in chunk]
            vectors = (
                self.embed(documents)
                if embeddings is None
                else embeddings[start : start + WRITE_BATCH]
            )
            ids = [chroma_id(x) for x in chunk]
            self._collection("lessons").upsert(
                ids=ids,
                documents=documents,
                metadatas=[lesson_metadata(x) for x in chunk],  # type: ignore[misc]
                embeddings=list(vectors),
            )
            self._drop_other_versions("lessons", chunk, ids)

    def upsert_projects(self, projects: Sequence[PastProject]) -> None:
        for start in range(0, len(projects), WRITE_BATCH):
            chunk = projects[start : start + WRITE_BATCH]
            ids = [chroma_id(p) for p in chunk]
            self._collection("projects").upsert(
                ids=ids,
                documents=[project_document(p) for p in chunk],
                metadatas=[project_metadata(p) for p in chunk],  # type: ignore[misc]
            )
            self._drop_other_versions("projects", chunk, ids)

    def _drop_other_versions(
        self, kind: Kind, records: Sequence[Lesson] | Sequence[PastProject], keep: Sequence[str]
    ) -> None:
        """Delete the earlier versions of records just written (per tenant, by record id)."""
        by_tenant: dict[str, list[str]] = {}
        for r in records:
            by_tenant.setdefault(r.tenant, []).append(r.id)
        kept = set(keep)
        collection = self._collection(kind)
        for tenant, record_ids in by_tenant.items():
            where = {"$and": [{"tenant": tenant}, {"record_id": {"$in": record_ids}}]}
            found = collection.get(where=where, include=[])["ids"]
            stale = [i for i in found if i not in kept]
            if stale:
                collection.delete(ids=stale)

    def search(
        self,
        query: str,
        tenant: str,
        k: int = 5,
        filters: LessonFilters | None = None,
        hybrid: bool = True,
    ) -> list[LessonHit]:
        """The k best lessons of `tenant` for `query`, filters applied inside the query."""
        if k < 1:
            raise ValueError(f"k must be >= 1, got {k}")
        f = filters or LessonFilters()
        where = where_clause(tenant, archetype=f.archetype, category=f.category, phase=f.phase)
        vector = self.embed([query])
        hits = self._query_lessons(vector, where, max(k, CANDIDATES) if hybrid else k)[0]
        return (rerank(query, hits) if hybrid else hits)[:k]

    def search_many(
        self, queries: Sequence[str], tenant: str, k: int = 5, filters: LessonFilters | None = None
    ) -> list[list[LessonHit]]:
        """`search` (hybrid) for several queries at once: one embedding batch, one query."""
        if k < 1:
            raise ValueError(f"k must be >= 1, got {k}")
        if not queries:
            return []
        f = filters or LessonFilters()
        where = where_clause(tenant, archetype=f.archetype, category=f.category, phase=f.phase)
        results = self._query_lessons(self.embed(list(queries)), where, max(k, CANDIDATES))
        return [rerank(q, hits)[:k] for q, hits in zip(queries, results, strict=True)]

    def nearest_lessons(self, embeddings: np.ndarray, tenant: str) -> list[LessonHit | None]:
        """For each vector, the closest lesson of `tenant` (None when it has none): the
        near-duplicate check of an import."""
        where = where_clause(tenant)
        nearest: list[LessonHit | None] = []
        for start in range(0, len(embeddings), WRITE_BATCH):
            results = self._query_lessons(embeddings[start : start + WRITE_BATCH], where, 1)
            nearest.extend(hits[0] if hits else None for hits in results)
        return nearest

    def _query_lessons(
        self, vectors: np.ndarray, where: dict[str, Any], n: int
    ) -> list[list[LessonHit]]:
        res = self._collection("lessons").query(
            query_embeddings=list(vectors),
            n_results=n,
            where=where,
            include=["metadatas", "documents", "distances"],  # type: ignore[list-item]
        )
        return [
            [
                _lesson_hit(meta, doc, dist)
                for meta, doc, dist in zip(metas, docs, dists, strict=True)
            ]
            for metas, docs, dists in zip(
                res["metadatas"] or [], res["documents"] or [], res["distances"] or [], strict=True
            )
        ]

    def similar_projects(
        self, brief: str, tenant: str, k: int = 3, archetype: Archetype | None = None
    ) -> list[ProjectHit]:
        """The past projects of `tenant` whose summary and outline read most like `brief`."""
        res = self._collection("projects").query(
            query_embeddings=list(self.embed([brief])),
            n_results=k,
            where=where_clause(tenant, archetype=archetype),
            include=["metadatas", "documents", "distances"],  # type: ignore[list-item]
        )
        return [
            ProjectHit(
                id=str(meta["record_id"]),
                tenant=str(meta["tenant"]),
                score=1.0 - float(dist),
                name=str(meta["name"]),
                metadata=dict(meta),
                document=doc,
            )
            for meta, doc, dist in zip(
                (res["metadatas"] or [[]])[0],
                (res["documents"] or [[]])[0],
                (res["distances"] or [[]])[0],
                strict=True,
            )
        ]

    def list_lessons(self, tenant: str, filters: LessonFilters | None = None) -> list[LessonHit]:
        """Every lesson of `tenant` that passes the filters, by id."""
        f = filters or LessonFilters()
        where = where_clause(tenant, archetype=f.archetype, category=f.category, phase=f.phase)
        hits = [
            _lesson_hit(meta, doc, None)
            for meta, doc in self._pages("lessons", where, ["metadatas", "documents"])
        ]
        return sorted(hits, key=lambda h: h.id)

    def delete(self, kind: Kind, tenant: str, ids: Sequence[str]) -> None:
        """Delete every version of these records of `tenant`."""
        if ids:
            where = {"$and": [{"tenant": check_tenant(tenant)}, {"record_id": {"$in": list(ids)}}]}
            self._collection(kind).delete(where=where)

    def stats(self, tenant: str) -> IndexStats:
        where = where_clause(tenant)
        metas = [m for m, _ in self._pages("lessons", where, ["metadatas"])]
        projects = len(self._collection("projects").get(where=where, include=[])["ids"])
        return IndexStats(
            tenant=tenant,
            lessons=len(metas),
            projects=projects,
            by_archetype=dict(sorted(Counter(str(m["archetype"]) for m in metas).items())),
            by_category=dict(sorted(Counter(str(m["category"]) for m in metas).items())),
        )

    def versions(self, kind: Kind) -> set[Version]:
        """Every (tenant, id, content hash) in the index, all tenants, from the ids alone:
        what the startup check compares with the records."""
        raw = {parse_version(i): i for i in self._collection(kind).get(include=[])["ids"]}
        self._raw_ids[kind] = raw
        return set(raw)

    def delete_versions(self, kind: Kind, versions: Sequence[Version]) -> None:
        # An id of an older layout is deleted by the id it was found under.
        raw = self._raw_ids.get(kind, {})
        ids = [raw.get(v, version_id(v)) for v in versions]
        for start in range(0, len(ids), PAGE):
            self._collection(kind).delete(ids=ids[start : start + PAGE])

    def reset(self) -> None:
        """Drop both collections (they are recreated empty on next use)."""
        for kind, name in self._names.items():
            self._open.pop(kind, None)
            try:
                self._client.delete_collection(name)
            except NotFoundError:
                continue

    def _pages(
        self, kind: Kind, where: dict[str, Any] | None, include: list[str]
    ) -> Iterator[tuple[Mapping[str, Any], str]]:
        """Every item matching `where`: the ids in one read, then their data a page of ids at
        a time (Chroma's offset paging rescans from the start: quadratic at 100k items)."""
        collection = self._collection(kind)
        ids = collection.get(where=where, include=[])["ids"]
        for start in range(0, len(ids), PAGE):
            chunk = ids[start : start + PAGE]
            if not include:
                yield from (({}, "") for _ in chunk)
                continue
            page = collection.get(ids=chunk, include=include)  # type: ignore[arg-type]
            metas = page["metadatas"] or [{} for _ in page["ids"]]
            docs = page["documents"] or ["" for _ in page["ids"]]
            yield from zip(metas, docs, strict=True)


def _lesson_hit(meta: Mapping[str, Any], document: str, distance: float | None) -> LessonHit:
    cosine = 1.0 - float(distance) if distance is not None else 0.0
    return LessonHit(
        id=str(meta["record_id"]),
        tenant=str(meta["tenant"]),
        score=cosine,
        vector_score=cosine,
        title=str(meta["title"]),
        metadata=dict(meta),
        document=document,
    )
