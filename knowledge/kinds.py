"""How close a brief is in meaning to each kind of project we have a template for.

Cue words decide the kind when a brief uses enough of them; a brief that says little in our
words ("RPA pilot for claims", "move CI to GitHub Actions") is compared by meaning instead:
its title, goal and scope against each template's title and packages, with the shipped
MiniLM model (local, no download). The numbers are similarities, not verdicts: the brief
reader (tools.brief.kinds) decides with them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from knowledge.embedding.minilm import MiniLMEmbeddingFunction
from knowledge.models import GENERIC
from knowledge.templates import Template

Embed = Callable[[list[str]], np.ndarray]
"""Texts to unit vectors, one row each."""


def _profiles(template: Template) -> tuple[str, str]:
    """What a template is about, twice: its title alone, and its title with its packages."""
    packages = "; ".join(p.name for p in template.packages)
    return template.title, f"{template.title}. {packages}"[:1500]


@dataclass
class KindMatcher:
    """Cosine similarity of a text to each template (the generic one aside), averaged over
    the template's title and its title with its packages. Template vectors are computed once."""

    embed: Embed
    templates: Mapping[str, Template]
    _names: list[str] = field(default_factory=list, init=False)
    _vectors: np.ndarray | None = field(default=None, init=False)

    @classmethod
    def local(cls, templates: Mapping[str, Template]) -> KindMatcher:
        return cls(MiniLMEmbeddingFunction().embed, templates)

    def similarity(self, text: str) -> dict[str, float]:
        names, vectors = self._ready()
        v = self.embed([text])[0]
        scores = vectors @ v
        return {
            name: round(float((scores[2 * i] + scores[2 * i + 1]) / 2), 3)
            for i, name in enumerate(names)
        }

    def _ready(self) -> tuple[Sequence[str], np.ndarray]:
        if self._vectors is None:
            self._names = [a for a in self.templates if a != GENERIC]
            texts = [t for a in self._names for t in _profiles(self.templates[a])]
            self._vectors = self.embed(texts)
        return self._names, self._vectors
