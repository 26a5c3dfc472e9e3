"""Assessment (考核): the rubric as data, the facts of a period, and the pure scoring engine."""
from __future__ import annotations

from .facts import (
    AssignmentFact,
    BonusFact,
    CircularFact,
    Facts,
    MissedReportFact,
    RectificationFact,
    ReturnedReportFact,
    UnitFact,
)
from .rubric import RULE_TYPES, Rubric, RubricError, load_rubric
from .scoring import LineItem, Result, UnitScore, compute

__all__ = [
    "AssignmentFact",
    "BonusFact",
    "CircularFact",
    "Facts",
    "MissedReportFact",
    "RectificationFact",
    "ReturnedReportFact",
    "UnitFact",
    "RULE_TYPES",
    "Rubric",
    "RubricError",
    "load_rubric",
    "LineItem",
    "Result",
    "UnitScore",
    "compute",
]
