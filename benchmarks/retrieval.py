"""Does lesson search find the lessons a PM needs? Recall@5 and MRR on labelled queries.

    python -m benchmarks.retrieval --json                     # the contract
    python -m benchmarks.retrieval --weights 0 0.1 0.15 0.2 0.3 --json   # keyword weight sweep

Reads `benchmarks/retrieval_queries.jsonl` (one `{"query": ..., "relevant": ["L-...", ...]}`
per line, paraphrased brief fragments and risk situations), indexes the shipped seed lessons
in a temporary embedded store (the offline MiniLM model) and runs every query for tenant
"default". Three rankers:

- `hybrid` (the product's `ChromaLessonsStore.search`): vector candidates re-ranked by cosine
  plus `KEYWORD_WEIGHT` x candidate-normalised BM25;
- `vector_only`: the same store with keyword boosting off;
- `keyword_baseline`: BM25 alone over all lessons (same tokens), no embeddings at all.

recall_at_5 is the mean over queries of |relevant in top 5| / |relevant|; hit_at_5 the share
of queries with at least one relevant lesson in the top 5; mrr the mean reciprocal rank of
the first relevant lesson in the top 10 (0 when none). Exit 2 when the query file is missing.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from knowledge.embedding import MiniLMEmbeddingFunction
from knowledge.models import Lesson
from knowledge.seed_corpus import load_seed
from knowledge.store import (
    KEYWORD_WEIGHT,
    ChromaLessonsStore,
    bm25_scores,
    keyword_tokens,
    lesson_document,
    open_client,
    rerank,
)

QUERIES = Path(__file__).with_name("retrieval_queries.jsonl")
TENANT = "default"
DEPTH = 10
"""Ranks looked at for MRR."""
TARGET_RECALL = 0.9


@dataclass(frozen=True, slots=True)
class Query:
    text: str
    relevant: frozenset[str]
    kind: str


Ranker = Callable[[str], list[str]]


def read_queries(path: Path, known: set[str]) -> list[Query]:
    """The labelled queries; ValueError naming a line whose ids are not in the corpus."""
    queries: list[Query] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        row = json.loads(line)
        relevant = frozenset(row["relevant"])
        unknown = sorted(relevant - known)
        if unknown or not relevant:
            raise ValueError(f"{path.name} line {number}: unknown or no relevant ids {unknown}")
        queries.append(Query(row["query"], relevant, str(row.get("kind", "query"))))
    return queries


def score(queries: Sequence[Query], rank: Ranker) -> dict[str, float]:
    """recall@5, hit@5 and MRR@10 of a ranker over the queries."""
    recall, hit, rr = [], [], []
    for q in queries:
        ranked = rank(q.text)[:DEPTH]
        top5 = set(ranked[:5])
        recall.append(len(top5 & q.relevant) / len(q.relevant))
        hit.append(1.0 if top5 & q.relevant else 0.0)
        first = next((i for i, r in enumerate(ranked) if r in q.relevant), None)
        rr.append(0.0 if first is None else 1.0 / (first + 1))
    return {
        "recall_at_5": round(float(np.mean(recall)), 4),
        "hit_at_5": round(float(np.mean(hit)), 4),
        "mrr": round(float(np.mean(rr)), 4),
    }


def keyword_ranker(lessons: Sequence[Lesson]) -> Ranker:
    """BM25 over every lesson document: the no-embeddings baseline."""
    docs = [keyword_tokens(lesson_document(x)) for x in lessons]
    ids = [x.id for x in lessons]

    def rank(query: str) -> list[str]:
        scores = bm25_scores(keyword_tokens(query), docs)
        order = np.argsort(-scores, kind="stable")[:DEPTH]
        return [ids[i] for i in order]

    return rank


def store_ranker(store: ChromaLessonsStore, hybrid: bool) -> Ranker:
    return lambda query: [h.id for h in store.search(query, TENANT, k=DEPTH, hybrid=hybrid)]


def weighted_ranker(store: ChromaLessonsStore, weight: float) -> Ranker:
    """The hybrid ranker with another keyword weight (for the sweep)."""

    def rank(query: str) -> list[str]:
        candidates = store.search(query, TENANT, k=40, hybrid=False)
        return [h.id for h in rerank(query, candidates, weight)][:DEPTH]

    return rank


def by_kind(queries: Sequence[Query], rank: Ranker) -> dict[str, dict[str, float]]:
    kinds = sorted({q.kind for q in queries})
    return {k: score([q for q in queries if q.kind == k], rank) for k in kinds}


def run(args: argparse.Namespace) -> dict[str, object]:
    lessons, _ = load_seed()
    queries = read_queries(args.queries, {x.id for x in lessons})
    with tempfile.TemporaryDirectory() as tmp:
        store = ChromaLessonsStore(open_client(Path(tmp)), MiniLMEmbeddingFunction())
        started = time.perf_counter()
        store.upsert_lessons(lessons)
        index_s = time.perf_counter() - started
        hybrid, vector = store_ranker(store, True), store_ranker(store, False)
        result: dict[str, object] = {
            "queries": len(queries),
            "lessons": len(lessons),
            **score(queries, hybrid),
            "keyword_weight": KEYWORD_WEIGHT,
            "target_recall_at_5": TARGET_RECALL,
            "meets_target": score(queries, hybrid)["recall_at_5"] >= TARGET_RECALL,
            "vector_only": score(queries, vector),
            "keyword_baseline": score(queries, keyword_ranker(lessons)),
            "hybrid_by_kind": by_kind(queries, hybrid),
            "index_seconds": round(index_s, 2),
        }
        if args.weights:
            result["weight_sweep"] = {
                str(w): score(queries, weighted_ranker(store, w)) for w in args.weights
            }
        if args.misses:
            result["misses"] = misses(queries, hybrid)
    result["machine"] = machine()
    return result


def misses(queries: Sequence[Query], rank: Ranker) -> list[dict[str, object]]:
    """Queries with a relevant lesson outside the top 5 (to read, not to tune on)."""
    out: list[dict[str, object]] = []
    for q in queries:
        top5 = rank(q.text)[:5]
        if not q.relevant <= set(top5):
            out.append({"query": q.text, "relevant": sorted(q.relevant), "top5": top5})
    return out


def machine() -> dict[str, object]:
    return {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "processor": platform.processor() or platform.machine(),
    }


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.retrieval", description=__doc__)
    parser.add_argument("--queries", type=Path, default=QUERIES)
    parser.add_argument("--json", action="store_true", help="One JSON object on stdout.")
    parser.add_argument("--weights", type=float, nargs="*", help="Keyword weights to sweep.")
    parser.add_argument("--misses", action="store_true", help="List the hybrid's misses.")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if not args.queries.is_file():
        print(f"no labelled queries at {args.queries}: nothing to measure", file=sys.stderr)
        return 2
    result = run(args)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for key in ("recall_at_5", "hit_at_5", "mrr"):
            base = result["keyword_baseline"][key]  # type: ignore[index]
            vec = result["vector_only"][key]  # type: ignore[index]
            print(f"{key:12} hybrid {result[key]:.3f}  vector {vec:.3f}  bm25 {base:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
