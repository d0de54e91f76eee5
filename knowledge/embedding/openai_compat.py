"""Embeddings from any OpenAI-compatible `/embeddings` endpoint (OpenAI, Azure, Ollama, vLLM,
llama.cpp server), as a Chroma embedding function.

A plain httpx POST rather than the `openai` SDK: that is all the endpoint needs, and it keeps
the knowledge layer free of the SDK. The API key is never written into a collection's config
(Chroma persists the config): only the *name* of the environment variable that holds it is,
so that Chroma can rebuild the function when it reopens a collection on its own.
"""

from __future__ import annotations

import os
from typing import Any

import httpx
import numpy as np
from chromadb.api.types import Documents, Embeddings
from chromadb.utils.embedding_functions import register_embedding_function

from knowledge.embedding.spaces import UnitVectors

NAME = "pmpilot-openai-compatible"
DEFAULT_BASE_URL = "https://api.openai.com/v1"
DEFAULT_KEY_VARIABLE = "OPENAI_API_KEY"


class EmbeddingServiceError(RuntimeError):
    """The endpoint answered with an error or with something that is not embeddings."""


@register_embedding_function
class OpenAICompatibleEmbeddingFunction(UnitVectors):
    """Vectors from `POST {base_url}/embeddings`; unit length, so cosine space works for any
    model whatever its own normalisation.

    `api_key` is used when given (the composition root passes the key from settings);
    otherwise the variable `api_key_env_var` is read when a request is made, which only
    happens for a collection Chroma reopened from its config. `transport` is for tests."""

    def __init__(
        self,
        model: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        api_key: str | None = None,
        api_key_env_var: str = DEFAULT_KEY_VARIABLE,
        batch_size: int = 256,
        timeout_s: float = 60.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if not model:
            raise ValueError("an embedding model name is required")
        self.model = model
        self.base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
        self.api_key_env_var = api_key_env_var
        self.batch_size = batch_size
        self._api_key = api_key
        self._client = httpx.Client(timeout=timeout_s, transport=transport)

    def __call__(self, input: Documents) -> Embeddings:
        texts = list(input)
        vectors: list[np.ndarray] = []
        for start in range(0, len(texts), self.batch_size):
            vectors.extend(self._request(texts[start : start + self.batch_size]))
        return vectors

    def _request(self, texts: list[str]) -> list[np.ndarray]:
        response = self._client.post(
            f"{self.base_url}/embeddings",
            json={"model": self.model, "input": texts},
            headers=self._headers(),
        )
        if response.status_code != 200:
            raise EmbeddingServiceError(
                f"{self.base_url}/embeddings answered {response.status_code}: {response.text[:300]}"
            )
        return unit_vectors(response.json(), len(texts))

    def _headers(self) -> dict[str, str]:
        key = self._api_key or os.environ.get(self.api_key_env_var, "")
        return {"Authorization": f"Bearer {key}"} if key else {}

    @staticmethod
    def name() -> str:
        return NAME

    def get_config(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "base_url": self.base_url,
            "api_key_env_var": self.api_key_env_var,
            "batch_size": self.batch_size,
        }

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> OpenAICompatibleEmbeddingFunction:
        return OpenAICompatibleEmbeddingFunction(
            model=config["model"],
            base_url=config.get("base_url", DEFAULT_BASE_URL),
            api_key_env_var=config.get("api_key_env_var", DEFAULT_KEY_VARIABLE),
            batch_size=int(config.get("batch_size", 256)),
        )


def unit_vectors(body: Any, expected: int) -> list[np.ndarray]:
    """The `data[].embedding` of an /embeddings answer in input order, scaled to length 1."""
    try:
        items = sorted(body["data"], key=lambda d: d["index"])
        vectors = [np.asarray(d["embedding"], dtype=np.float32) for d in items]
    except (KeyError, TypeError) as exc:
        raise EmbeddingServiceError(f"not an /embeddings answer: missing {exc}") from exc
    if len(vectors) != expected:
        raise EmbeddingServiceError(f"asked for {expected} embeddings, got {len(vectors)}")
    return [v / max(float(np.linalg.norm(v)), 1e-12) for v in vectors]
