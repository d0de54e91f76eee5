"""How fast is the lessons store? Query latency at 10k and 100k lessons, ingest, embedding.

    python -m benchmarks.latency --json
    python -m benchmarks.latency --sizes 10000 --queries 100 --json

Synthetic fill: embedding 100k texts with the offline model would take far longer than the
measurement (it runs at tens of lesson-length documents per second per core, see
`embedding`), so the index is filled with random unit vectors and short random documents
made of project-management words, with realistic metadata (4 tenants, the product's 13
archetypes, 9 categories, 8 phases). Index latency does not depend on what the vectors mean.

Per size, p50/p95 over `--queries` top-5 queries:

- `index_no_filter`: a raw Chroma query, no `where` (pmpilot never does this: the tenant
  is always in the query; it is the floor);
- `index_tenant`: `where` tenant only, the product's minimal query;
- `index_tenant_archetype_category`: tenant + archetype + category;
- `search` / `search_filtered`: `ChromaLessonsStore.search` end to end: embed the query
  text, 40 vector candidates, BM25 re-rank, top 5.

Plus `ingest_per_s` (index writes with precomputed vectors), `consistency_scan_s` (the
startup check reads every indexed (tenant, id, content hash) from the ids), `stats_s` (the
per-tenant counts of `pmpilot lessons stats`), and `embedding` (sentences/s of the offline
model on short sentences and on lesson-length documents, one thread and all).
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
from pathlib import Path
from typing import Any

import numpy as np

from knowledge.embedding import DIMENSIONS, MiniLMEmbeddingFunction
from knowledge.models import ARCHETYPES, LessonCategory, Phase
from knowledge.seed_corpus import load_seed
from knowledge.store import ChromaLessonsStore, LessonFilters, lesson_document, open_client

TENANTS = ("default", "acme", "globex", "initech")
TENANT_SHARE = (0.55, 0.25, 0.15, 0.05)
CATEGORIES: tuple[str, ...] = LessonCategory.__args__  # type: ignore[attr-defined]
PHASES: tuple[str, ...] = Phase.__args__  # type: ignore[attr-defined]
_VOCABULARY = (
    "cutover rehearsal vendor licence replication lag firewall backlog sprint key users"
    " testing data cleansing migration outage budget overrun contract scope change freeze"
    " training adoption integration api timeout duplicate order identity sso mfa saml"
    " mailbox throttling egress cost capacity network switch datacentre latency rollback"
)
WORDS = _VOCABULARY.split()
QUERY_TEXTS = (
    "replication lag during the database cutover weekend",
    "vendor delivered hardware late and blocked the build",
    "key users not available for acceptance testing",
    "cloud egress costs higher than the business case",
    "single sign-on for legacy applications without SAML",
)


def percentiles(samples: Sequence[float]) -> dict[str, float]:
    ms = np.asarray(samples) * 1000
    return {
        "p50_ms": round(float(np.percentile(ms, 50)), 2),
        "p95_ms": round(float(np.percentile(ms, 95)), 2),
    }


def timed(fn: Callable[[], Any], repeat: int) -> list[float]:
    fn()  # warm
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def unit_vectors(rng: np.random.Generator, n: int) -> np.ndarray:
    v = rng.standard_normal((n, DIMENSIONS)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def synthetic_batch(rng: np.random.Generator, start: int, n: int) -> dict[str, Any]:
    """n synthetic lessons in Chroma's shape, with the metadata the product writes."""
    tenants = rng.choice(TENANTS, size=n, p=TENANT_SHARE)
    ids = [f"{t}:L-S{start + i}:{start + i:020x}" for i, t in enumerate(tenants)]
    metadatas = [
        {
            "tenant": str(t),
            "record_id": f"L-S{start + i}",
            "title": f"Synthetic lesson {start + i}",
            "archetype": str(rng.choice(ARCHETYPES)),
            "category": str(rng.choice(CATEGORIES)),
            "phase": str(rng.choice(PHASES)),
            "impact": "medium",
            "tags": "",
            "created": "2025-01-01",
            "source": "synthetic",
            "content_hash": f"{start + i:020x}",
        }
        for i, t in enumerate(tenants)
    ]
    documents = [" ".join(rng.choice(WORDS, size=40)) for _ in range(n)]
    return {"ids": ids, "metadatas": metadatas, "documents": documents}


def fill(store: ChromaLessonsStore, size: int, rng: np.random.Generator) -> float:
    """Add `size` synthetic lessons; returns index writes per second."""
    collection = store._collection("lessons")  # the adapter's own collection, no embedding
    batch = 5_000
    elapsed = 0.0
    for start in range(0, size, batch):
        n = min(batch, size - start)
        data = synthetic_batch(rng, start, n)
        vectors = unit_vectors(rng, n)
        t = time.perf_counter()
        collection.add(embeddings=list(vectors), **data)
        elapsed += time.perf_counter() - t
        print(f"  filled {start + n:,}/{size:,}", file=sys.stderr)
    return size / elapsed


def measure_size(size: int, queries: int, ef: MiniLMEmbeddingFunction, seed: int) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    with tempfile.TemporaryDirectory() as tmp:
        store = ChromaLessonsStore(open_client(Path(tmp)), ef)
        ingest = fill(store, size, rng)
        collection = store._collection("lessons")
        qv = unit_vectors(rng, queries)
        it = iter(range(10**9))

        def query(where: dict[str, Any] | None) -> Callable[[], Any]:
            return lambda: collection.query(
                query_embeddings=[qv[next(it) % queries]], n_results=5, where=where
            )

        texts = iter(range(10**9))
        filters = LessonFilters(archetype="database_migration", category="technical")
        start = time.perf_counter()
        store.versions("lessons")
        scan = time.perf_counter() - start
        start = time.perf_counter()
        store.stats("acme")
        stats = time.perf_counter() - start
        tenant_cat = {
            "$and": [
                {"tenant": "acme"},
                {"archetype": "database_migration"},
                {"category": "technical"},
            ]
        }
        return {
            "lessons": size,
            "ingest_per_s": round(ingest),
            "consistency_scan_s": round(scan, 2),
            "stats_s": round(stats, 2),
            "index_no_filter": percentiles(timed(query(None), queries)),
            "index_tenant": percentiles(timed(query({"tenant": "acme"}), queries)),
            "index_tenant_archetype_category": percentiles(timed(query(tenant_cat), queries)),
            "search": percentiles(
                timed(lambda: store.search(QUERY_TEXTS[next(texts) % 5], "acme", k=5), queries)
            ),
            "search_filtered": percentiles(
                timed(
                    lambda: store.search(QUERY_TEXTS[next(texts) % 5], "acme", 5, filters),
                    queries,
                )
            ),
        }


def embedding_throughput() -> dict[str, Any]:
    """Sentences per second of the offline model, one thread and onnxruntime's default."""
    lessons, _ = load_seed()
    documents = [lesson_document(x) for x in lessons] or ["a lesson document " * 20] * 128
    short = [f"Vendor hardware arrived {i} days late" for i in range(256)]
    out: dict[str, Any] = {}
    for threads in (1, 0):
        ef = MiniLMEmbeddingFunction(threads=threads)
        ef.embed(short[:8])
        for name, texts in (("short_sentences", short), ("lesson_documents", documents)):
            start = time.perf_counter()
            ef.embed(texts)
            out[f"{name}_threads_{threads or 'all'}_per_s"] = round(
                len(texts) / (time.perf_counter() - start), 1
            )
    return out


def machine() -> dict[str, Any]:
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        model = next(
            (
                ln.split(":", 1)[1].strip()
                for ln in cpuinfo.read_text().splitlines()
                if ln.startswith("model name")
            ),
            "",
        )
    return {"python": platform.python_version(), "cpus": os.cpu_count(), "cpu": model}


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.latency", description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--queries", type=int, default=200, help="Queries per measurement.")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="One JSON object on stdout.")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    ef = MiniLMEmbeddingFunction()
    result = {
        "embedding": embedding_throughput(),
        "sizes": [measure_size(n, args.queries, ef, args.seed) for n in args.sizes],
        "machine": machine(),
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(json.dumps(result["embedding"]))
        for row in result["sizes"]:
            print(json.dumps(row))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
