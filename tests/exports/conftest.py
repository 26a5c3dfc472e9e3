"""Fixtures for the export tests."""
from __future__ import annotations

from pathlib import Path

import pytest

SEED_RUBRIC = Path(__file__).resolve().parents[2] / "seeds" / "rubric.yaml"


@pytest.fixture
def rubric_text() -> str:
    return SEED_RUBRIC.read_text(encoding="utf-8")
