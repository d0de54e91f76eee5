"""Fixtures shared by the whole test suite."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The public reference data sets (`../shared/data` beside the repository root).

    They are not part of the repository; tests that need them skip when the folder is absent.
    """
    if not SHARED_DATA.is_dir():
        pytest.skip(f"reference data folder {SHARED_DATA} not found (see shared/data/README.md)")
    return SHARED_DATA
