"""What both of our embedding functions tell Chroma about their vectors."""

from __future__ import annotations

from chromadb.api.types import Documents, EmbeddingFunction, Space


class UnitVectors(EmbeddingFunction[Documents]):
    """L2-normalised sentence vectors: cosine by default, and every space agrees on rank."""

    def default_space(self) -> Space:
        return "cosine"

    def supported_spaces(self) -> list[Space]:
        return ["cosine", "ip", "l2"]
