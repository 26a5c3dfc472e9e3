"""The province overview: every jurisdiction's plans of one year side by side, for a provincial supervisor.

Each row is a jurisdiction that issued plans of the year (a city under a province), with the
figures of all its plans added up — the same figures its dashboard shows plan by plan, counted
with the same ``StatusRules`` — and its on-time rate (按时办结率, see ``tracker.plans.status``).
One grouped scan over the year's assignments gives every row (on PostgreSQL with GROUPING SETS,
which also counts the tasks; SQLite looks the tasks up apart).

Ranking: by on-time rate, highest first; equal rates share a rank (1, 2, 2, 4) and are listed in
the units' official order; a jurisdiction with nothing due yet has no rate and no rank and comes
last, in official order.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from fractions import Fraction

import sqlalchemy as sa

from ..extensions import db
from ..plans.models import Assignment, Plan, Task
from ..plans.queries import visible_plans
from ..plans.status import StatusRules, zone_offset_seconds
from ..scope import under
from ..units.models import Unit, official_key

#: plan kinds the overview counts: imported 工作要点, not the 交办件 containers
KINDS = ("plan",)


@dataclass
class CityRow:
    unit_id: int
    name: str
    sort_order: int = 0
    plans: int = 0
    tasks: int = 0
    assignments: int = 0
    completed: int = 0
    overdue: int = 0
    #: completed by as_of and on or before the local due date
    on_time: int = 0
    rank: int | None = None
    #: the jurisdiction's plans of the year, oldest first (each opens on the dashboard)
    plan_ids: list[int] = field(default_factory=list)

    @property
    def due(self) -> int:
        """Items that had to be finished by as_of: completed plus overdue."""
        return self.completed + self.overdue

    @property
    def on_time_rate(self) -> float | None:
        """On-time completions over the items due, in percent with one decimal; None with none due."""
        return round(100 * self.on_time / self.due, 1) if self.due else None

    @property
    def exact_rate(self) -> Fraction | None:
        """The rate as an exact fraction: what ranks and ties are decided on."""
        return Fraction(self.on_time, self.due) if self.due else None


def years(user) -> list[int]:
    """Return the years of the plans the user may see, newest first."""
    stmt = visible_plans(user).where(Plan.kind.in_(KINDS)).with_only_columns(Plan.year).distinct()
    return sorted(db.session.scalars(stmt), reverse=True)


@functools.lru_cache(maxsize=8)
def _statements(scoped: bool, tz: str, offset: int) -> tuple[sa.Select, sa.Select]:
    """The two grouped scans, built once per shape with bound parameters (see dashboard.queries).

    Counts are grouped by plan and unit, the order of the dashboard's covering index (no sort;
    the groups are added up per jurisdiction in Python); tasks are counted apart: the tasks with
    an assignment in view, which is what the dashboard's task card counts.
    """
    rules = StatusRules(as_of=sa.bindparam("pv_as_of"), soon_until=sa.bindparam("pv_soon_until"),
                        day_end=sa.bindparam("pv_day_end"))
    where = [Assignment.plan_id.in_(sa.bindparam("pv_plans", expanding=True))]
    if scoped:
        where.append(Assignment.unit_id.in_(sa.select(Unit.id).where(under(Unit.path, sa.bindparam("pv_scope")))))
    counts = (
        sa.select(Assignment.plan_id, sa.func.count(), sa.func.count().filter(rules.completed()),
                  sa.func.count().filter(rules.overdue()), sa.func.count().filter(rules.completed_on_time(tz, offset)))
        .where(*where).group_by(Assignment.plan_id, Assignment.unit_id)
    )
    # A task counts when one of its assignments is in view: looked up task by task (a province's
    # year has a few thousand), each stopping at its first assignment.
    in_view = sa.exists().where(Assignment.task_id == Task.id, Assignment.withdrawn_at.is_(None))
    if scoped:
        in_view = in_view.where(Assignment.unit_id == Unit.id, under(Unit.path, sa.bindparam("pv_scope")))
    tasks = (sa.select(Task.plan_id, sa.func.count())
             .where(Task.plan_id.in_(sa.bindparam("pv_plans", expanding=True)), in_view).group_by(Task.plan_id))
    return counts, tasks


@functools.lru_cache(maxsize=8)
def _grouping_sets_statement(scoped: bool, tz: str, offset: int) -> sa.Select:
    """PostgreSQL: both groupings of _statements in one scan (GROUPING SETS); grouping(task_id) is
    1 on the (plan, unit) rows and 0 on the (plan, task) rows."""
    counts, _ = _statements(scoped, tz, offset)
    return (counts.add_columns(sa.func.grouping(Assignment.task_id)).group_by(None)
            .group_by(sa.func.grouping_sets(sa.tuple_(Assignment.plan_id, Assignment.unit_id),
                                            sa.tuple_(Assignment.plan_id, Assignment.task_id))))


def overview(user, year: int, rules: StatusRules, *, tz: str = "Asia/Shanghai",
             scope_path: str | None = None) -> list[CityRow]:
    """Return one row per jurisdiction with plans of the year the user may see, ranked.

    scope_path limits the assignments counted to a subtree, as the dashboard's figures are
    (None: all, for the admin).
    """
    from ..scope import prefix_pattern

    plans = db.session.execute(
        visible_plans(user).where(Plan.year == year, Plan.kind.in_(KINDS))
        .with_only_columns(Plan.id, Plan.unit_id, Unit.name, Unit.sort_order)
        .join(Unit, Unit.id == Plan.unit_id).order_by(Plan.id)
    ).all()
    rows: dict[int, CityRow] = {}
    city_of: dict[int, CityRow] = {}
    for plan_id, unit_id, name, sort_order in plans:
        row = rows.get(unit_id)
        if row is None:
            row = rows[unit_id] = CityRow(unit_id=unit_id, name=name, sort_order=sort_order or 0)
        row.plans += 1
        row.plan_ids.append(plan_id)
        city_of[plan_id] = row
    if plans:
        values = {"pv_plans": list(city_of), "pv_as_of": rules.as_of, "pv_soon_until": rules.soon_until,
                  "pv_day_end": rules.day_end}
        if scope_path is not None:
            values["pv_scope"] = prefix_pattern(scope_path)
        shape = (scope_path is not None, tz, zone_offset_seconds(rules.as_of, tz))
        if db.session.get_bind().dialect.name == "postgresql":
            groups = []
            for plan_id, n, completed, overdue, on_time, by_unit in db.session.execute(
                    _grouping_sets_statement(*shape), values):
                if by_unit:
                    groups.append((plan_id, n, completed, overdue, on_time))
                else:
                    city_of[plan_id].tasks += 1
        else:
            counts, tasks = _statements(*shape)
            for plan_id, n in db.session.execute(tasks, values):
                city_of[plan_id].tasks += n
            groups = db.session.execute(counts, values).all()
        for plan_id, n, completed, overdue, on_time in groups:
            row = city_of[plan_id]
            row.assignments += n
            row.completed += completed
            row.overdue += overdue
            row.on_time += on_time
    return ranked(list(rows.values()))


def ranked(rows: list[CityRow]) -> list[CityRow]:
    """Rank by on-time rate (ties share a rank, official order within them); no rate: unranked, last."""
    by_order = sorted(rows, key=lambda r: official_key(r.sort_order, r.name))
    rated = sorted((r for r in by_order if r.due), key=lambda r: -r.exact_rate)  # stable: official order in ties
    rank, previous = 0, None
    for position, row in enumerate(rated, start=1):
        if row.exact_rate != previous:
            rank, previous = position, row.exact_rate
        row.rank = rank
    unrated = [r for r in by_order if not r.due]
    for row in unrated:
        row.rank = None
    return rated + unrated
