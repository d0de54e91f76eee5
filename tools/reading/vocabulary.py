"""The reading layer's vocabularies, as data files in tools/reading/data (read once)."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


@cache
def load(name: str) -> Any:
    """The parsed data file `name`.json."""
    return json.loads(resources.files("tools.reading").joinpath(f"data/{name}.json").read_text())
