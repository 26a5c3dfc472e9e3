"""Helpers shared by the plan-parser tests: the project's seed folders and their unit directories."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tracker.plans.resolve import DirGroup, DirUnit, UnitDirectory

SEEDS = Path(__file__).resolve().parents[2] / "seeds"

#: city folder → the work plan it holds
SEED_PLANS = {
    "yuncheng": "2021_work_plan.txt",
    "mudan": "2021_work_plan.txt",
    "xiaoyi": "2020_implementation_plan.txt",
    "sanmenxia": "2021_work_plan.txt",
}


def seed_text(city: str, name: str | None = None) -> str:
    """Return the text of a city's seed document."""
    return (SEEDS / city / (name or SEED_PLANS[city])).read_text(encoding="utf-8")


def load_directory(city: str) -> UnitDirectory:
    """Build a UnitDirectory from seeds/<city>/units.yaml, expanding rule groups by kind and parent."""
    data = yaml.safe_load((SEEDS / city / "units.yaml").read_text(encoding="utf-8"))
    units = []
    ids: dict[str, int] = {}
    for number, row in enumerate(data["units"], start=1):
        ids[row["name"]] = number
    for row in data["units"]:
        units.append(
            DirUnit(
                id=ids[row["name"]],
                name=row["name"],
                short_name=row.get("short_name"),
                aliases=list(row.get("aliases") or []),
                kind=row.get("kind", "other"),
                parent_id=ids.get(row.get("parent") or ""),
            )
        )
    groups = []
    for row in data.get("groups") or []:
        if "members" in row:
            members = [ids[name] for name in row["members"]]
        else:
            rule = row["rule"]
            parent = ids[rule["parent"]] if rule.get("parent") else None
            members = [u.id for u in units if u.kind == rule["kind"] and (parent is None or u.parent_id == parent)]
        groups.append(DirGroup(phrase=row["phrase"], member_ids=members, aliases=list(row.get("aliases") or [])))
    return UnitDirectory(units, groups, jurisdiction=data["jurisdiction"])


@pytest.fixture(scope="session")
def directories() -> dict[str, UnitDirectory]:
    return {city: load_directory(city) for city in SEED_PLANS}
