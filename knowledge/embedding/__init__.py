"""Embedding functions for the lessons store, registered with Chroma on import so that a
collection reopened from its persisted config finds its function again.

Offline by default (all-MiniLM-L6-v2, int8 ONNX, no download); any OpenAI-compatible
`/embeddings` endpoint when configured. See README.md for the choice and the pinned hashes.
"""

from __future__ import annotations

from typing import Literal

from chromadb.api.types import Documents, EmbeddingFunction
from pydantic import BaseModel, ConfigDict, Field, SecretStr

from knowledge.embedding.minilm import (
    DIMENSIONS,
    MAX_TOKENS,
    MODEL_SHA256,
    VOCAB_SHA256,
    MiniLMEmbeddingFunction,
    ModelIntegrityError,
)
from knowledge.embedding.openai_compat import (
    EmbeddingServiceError,
    OpenAICompatibleEmbeddingFunction,
)

__all__ = [
    "DIMENSIONS",
    "MAX_TOKENS",
    "MODEL_SHA256",
    "VOCAB_SHA256",
    "EmbeddingConfig",
    "EmbeddingServiceError",
    "MiniLMEmbeddingFunction",
    "ModelIntegrityError",
    "OpenAICompatibleEmbeddingFunction",
    "make_embedding_function",
]


class EmbeddingConfig(BaseModel):
    """Which embedding function the store uses; built from settings at the edge.

    Changing it needs `pmpilot lessons rebuild`: vectors of two models do not mix."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    provider: Literal["local", "openai"] = "local"
    model: str = Field(default="", description="Remote model name (provider 'openai')")
    base_url: str = Field(default="", description="OpenAI-compatible endpoint; empty: OpenAI")
    api_key: SecretStr | None = None
    threads: int = Field(default=0, ge=0, description="Local model threads; 0: all cores")


def make_embedding_function(config: EmbeddingConfig) -> EmbeddingFunction[Documents]:
    """The function `config` names. Constructing one does no I/O."""
    if config.provider == "local":
        return MiniLMEmbeddingFunction(threads=config.threads)
    return OpenAICompatibleEmbeddingFunction(
        model=config.model,
        base_url=config.base_url or "https://api.openai.com/v1",
        api_key=config.api_key.get_secret_value() if config.api_key else None,
    )
