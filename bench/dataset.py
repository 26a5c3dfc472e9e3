"""Dataset sizes, the Dataset handed to generators and scenarios, and bulk-insert helpers."""
from __future__ import annotations

import json
import random
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Iterable, Iterator

import sqlalchemy as sa

#: Rows per executemany batch: large enough to amortise round trips, small enough to stream.
CHUNK = 5000


@dataclass(frozen=True)
class Scale:
    name: str
    #: city jurisdictions under the one province root
    cities: int
    #: every unit, the province root included
    units: int
    plans: int
    #: plans issued by the first city (the capital), which keeps several years of history
    capital_plans: int
    tasks: int
    #: top-level sections (一、… 六、) per plan; they are tasks too, without assignments
    sections: int
    assignments: int
    #: the capital's 政府办公室 leads every leaf task of its plans, so it gets at least this many
    largest_unit_min: int


SCALES: dict[str, Scale] = {
    "province": Scale("province", cities=20, units=2000, plans=40, capital_plans=21, tasks=4000,
                      sections=6, assignments=200_000, largest_unit_min=2000),
    "small": Scale("small", cities=2, units=200, plans=4, capital_plans=3, tasks=80,
                   sections=4, assignments=2000, largest_unit_min=40),
    # for the harness's own tests
    "tiny": Scale("tiny", cities=2, units=50, plans=3, capital_plans=2, tasks=24,
                  sections=2, assignments=200, largest_unit_min=12),
}


@dataclass
class Dataset:
    """What was built: sizes, ids generators and scenarios need, and room for later issues' data."""

    scale: Scale
    #: the dataset's "today": statuses and completion times are consistent with it
    as_of: date = date(2021, 9, 30)
    seed: int = 20210930
    #: rows per table, counted after the build
    counts: dict[str, int] = field(default_factory=dict)
    root_unit_id: int | None = None
    #: per city: {"unit_id", "name", "office_id", "counties", "zones", "departments", "towns"} (unit ids)
    cities: list[dict] = field(default_factory=list)
    city_unit_ids: list[int] = field(default_factory=list)
    unit_ids: list[int] = field(default_factory=list)
    plan_ids: list[int] = field(default_factory=list)
    task_ids: list[int] = field(default_factory=list)
    #: first and last assignment id (ids are contiguous)
    assignment_id_range: tuple[int, int] = (0, -1)
    #: role → user ids
    user_ids: dict[str, list[int]] = field(default_factory=dict)
    largest_unit_id: int | None = None
    largest_plan_id: int | None = None
    #: free space for later generators (JSON-serialisable values only)
    extra: dict[str, Any] = field(default_factory=dict)

    def rng(self, purpose: str) -> random.Random:
        """Return a random generator seeded per purpose, so adding a generator shifts no other data."""
        return random.Random(f"{self.seed}:{purpose}")

    def to_json(self) -> str:
        data = asdict(self)
        data["as_of"] = self.as_of.isoformat()
        return json.dumps(data, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> "Dataset":
        data = json.loads(text)
        data["scale"] = Scale(**data["scale"])
        data["as_of"] = date.fromisoformat(data["as_of"])
        data["assignment_id_range"] = tuple(data["assignment_id_range"])
        return cls(**data)


def chunks(rows: Iterable[dict], size: int = CHUNK) -> Iterator[list[dict]]:
    """Yield lists of at most `size` rows."""
    batch: list[dict] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def insert_rows(conn: sa.Connection, table: sa.Table, rows: Iterable[dict], size: int = CHUNK) -> int:
    """Insert plain dicts with executemany in chunks; every dict must carry the same keys. Return the count."""
    n = 0
    stmt = table.insert()
    for batch in chunks(rows, size):
        conn.execute(stmt, batch)
        n += len(batch)
    return n


def next_id(conn: sa.Connection, table: sa.Table) -> int:
    """Return the first free integer id of a table, for inserts that set ids themselves."""
    return (conn.scalar(sa.select(sa.func.max(table.c.id))) or 0) + 1
