"""Score every unit from a rubric and the facts of a period: pure, exact and deterministic.

How a unit's score comes about:

- Each rule turns the unit's events into line items. Only lead and responsible assignments
  count; cooperating ones, and reports on them, never do. Anything dated after ``as_of`` has
  not happened yet: a completion after it leaves the assignment open, a later return, circular
  or missed period is ignored. Facts about units not listed in ``facts.units`` are skipped.
- An event is late or overdue only from the first working day after its due date, counted
  with the calendar given (``workdays_between``), so a Friday deadline met on Saturday is on time.
- Caps apply in the order events happened: each item is first held to the rule's ``item_cap``,
  then to what is left of the rule's ``cap`` and of its indicator's weight; bonuses to what is
  left of the rule's cap and of the bonus section's cap. An item that hits a cap keeps its full
  explanation, says which cap, and counts only what was left (possibly 0).
- ``total = full_score - deductions + bonus``, ``converted = total × assessment_weight``.
  Every amount has at most two decimals (the rubric enforces it, bonuses are rounded), so all
  sums are exact; only ``converted`` is rounded, half up, to two decimals.
- Units are ranked within their category by total, highest first; equal totals share a rank
  (1, 2, 2, 4) and are listed by name. Units in no category are scored but not ranked.
- Every line item has an id built from its rule and source, e.g. ``late_completion:assignment:17``,
  stable across computations, so an accepted objection can exclude it from the next version.
"""
from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any, NamedTuple, Protocol

from ..calendar import overdue_workdays
from ..gcpause import gc_paused
from .facts import AssignmentFact, Facts, UnitFact
from .rubric import Rubric, Rule

__all__ = ["WorkdayCounter", "LineItem", "UnitScore", "Result", "compute"]

_CENT = Decimal("0.01")
_ZERO = Decimal("0.00")
_COUNTED_ROLES = frozenset({"lead", "responsible"})
_TITLE_LIMIT = 40
#: ``_new(Record, (values…))`` makes a named tuple without its Python-level ``__new__``: the same
#: object, for the events and line items a province makes by the ten thousand
_new = tuple.__new__


class WorkdayCounter(Protocol):
    """The part of ``tracker.calendar.WorkCalendar`` scoring needs."""

    def workdays_between(self, start: date, end: date) -> int: ...


class LineItem(NamedTuple):
    """One deduction or bonus with its reason and the record that caused it.

    A named tuple rather than a frozen dataclass, as immutable: a province's result holds tens of
    thousands and a tuple is made several times faster.
    """

    #: stable across computations: rule code, source type, source id (and what else tells it apart)
    id: str
    unit_id: int
    rule: str
    rule_name: str
    #: the indicator a deduction counts against; None for bonuses
    indicator: str | None
    #: what counts after every cap: negative for a deduction, positive for a bonus
    points: Decimal
    #: the item's own value (already held to the rule's per-item cap), before the other caps
    raw_points: Decimal
    explanation: str
    #: assignment | report | rectification | circular | bonus
    source_type: str
    source_id: int
    #: when the event happened (due date, return, period end …); None for bonuses
    occurred_on: date | None

    @property
    def is_bonus(self) -> bool:
        return self.indicator is None

    def to_dict(self) -> dict[str, Any]:
        item_id, _unit_id, rule, _rule_name, indicator, points, _raw, explanation, source_type, source_id, on = self
        return {
            "id": item_id,
            "rule": rule,
            "indicator": indicator,
            "points": _json_number(points),
            "explanation": explanation,
            "source_type": source_type,
            "source_id": source_id,
            "date": on.isoformat() if on else None,
        }


@dataclass(frozen=True)
class UnitScore:
    """One unit's result."""

    unit_id: int
    unit: str
    kind: str
    #: category code, None when the unit is in no category (then it has no rank)
    category: str | None
    rank: int | None
    total: Decimal
    converted: Decimal
    #: indicator code -> score (weight minus its deductions), in rubric order
    indicators: dict[str, Decimal]
    #: sum of bonus points after caps (>= 0)
    bonus: Decimal
    #: sum of deductions after caps (<= 0)
    deductions: Decimal
    items: tuple[LineItem, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "unit_id": self.unit_id,
            "unit": self.unit,
            "total": _json_number(self.total),
            "converted": _json_number(self.converted),
            "indicators": {code: _json_number(v) for code, v in self.indicators.items()},
            "bonus": _json_number(self.bonus),
            "deductions": _json_number(self.deductions),
            "items": [item.to_dict() for item in self.items],
        }


@dataclass(frozen=True)
class Result:
    """Every unit's score at one assessment date."""

    as_of: date
    rubric: Rubric
    #: categories in rubric order, each by rank then name; then the units in no category
    units: tuple[UnitScore, ...]
    #: the excluded line-item ids that matched an item, sorted
    excluded: tuple[str, ...] = ()

    def category(self, code: str) -> list[UnitScore]:
        """Return the ranked units of one category."""
        return [u for u in self.units if u.category == code]

    @property
    def unranked(self) -> list[UnitScore]:
        return [u for u in self.units if u.category is None]

    def unit(self, unit_id: int) -> UnitScore | None:
        """Return one unit's score, or None when the unit was not assessed."""
        for score in self.units:
            if score.unit_id == unit_id:
                return score
        return None

    def item(self, item_id: str) -> LineItem | None:
        """Return the line item with this id, or None."""
        for score in self.units:
            for item in score.items:
                if item.id == item_id:
                    return item
        return None

    @gc_paused()
    def to_dict(self) -> dict[str, Any]:
        rubric = self.rubric
        return {
            "as_of": self.as_of.isoformat(),
            "rubric": {
                "year": rubric.year,
                "name": rubric.name,
                "full_score": _json_number(rubric.full_score),
                "assessment_weight": f"{_fmt(rubric.assessment_weight_percent)}%",
            },
            "categories": {c.code: [u.to_dict() for u in self.category(c.code)] for c in rubric.categories},
            "unranked": [u.to_dict() for u in self.unranked],
            "excluded": list(self.excluded),
        }

    def to_json(self, indent: int | None = 2) -> str:
        """Return the result as JSON text, identical for identical inputs."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)


# -- helpers ------------------------------------------------------------------------------------


def _json_number(d: Decimal) -> int | float:
    """Return points as JSON writes them: 2, not 2.00; 0.5 as a float."""
    number = _JSON_NUMBERS.get(d)
    if number is None:
        number = int(d) if d == d.to_integral_value() else float(d)
        if len(_JSON_NUMBERS) < 4096:  # a result repeats a few dozen amounts tens of thousands of times
            _JSON_NUMBERS[d] = number
    return number


_JSON_NUMBERS: dict[Decimal, int | float] = {}


@lru_cache(maxsize=4096)
def _fmt(d: Decimal) -> str:
    """Format points for people: 2, 0.5, 1.25."""
    text = format(d, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


@lru_cache(maxsize=4096)
def _day(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _task(a: AssignmentFact | None, assignment_id: int, ref: str | None = None, title: str = "") -> str:
    """Name the task of an assignment: from its fact, else from the clause and title a report gave, else by id."""
    if a is not None:
        ref, title = a.ref, a.title
    elif ref is None:
        return f"承办事项{assignment_id}"
    return _task_label(ref, title) or f"承办事项{assignment_id}"


@lru_cache(maxsize=8192)
def _task_label(ref: str, title: str) -> str:
    """Name a task by its clause and title (a province's events name a few thousand tasks again and again)."""
    title = title.strip()
    if len(title) > _TITLE_LIMIT:
        title = title[: _TITLE_LIMIT - 1] + "…"
    ref = ref.strip()
    if title:
        return f"{ref}「{title}」" if ref else f"「{title}」"
    return f"任务{ref}" if ref else ""


def _points(value: Any) -> Decimal:
    """Turn entered points into a two-decimal Decimal, reading floats by their shortest form."""
    if isinstance(value, bool):
        raise ValueError(f"bonus points must be a number, not {value!r}")
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    return number.quantize(_CENT, rounding=ROUND_HALF_UP)


def _held_to_item_cap(rule: Rule, raw: Decimal, verb: str) -> tuple[Decimal, str]:
    if rule.item_cap is not None and raw > rule.item_cap:
        return rule.item_cap, f"，单项最多{verb}{_fmt(rule.item_cap)}分"
    return raw, ""


def _day_deduction(rule: Rule, days: int) -> tuple[Decimal, str]:
    """Return the deduction for an event lasting ``days`` working days and how it was reached."""
    parts = []
    if rule.amount:
        parts.append(f"扣{_fmt(rule.amount)}分")
    if rule.per_day:
        parts.append(("另" if rule.amount else "") + f"每日扣{_fmt(rule.per_day)}分")
    raw = rule.amount + (rule.per_day or 0) * days
    text = "，".join(parts)
    if rule.per_day and (rule.amount or days > 1):
        text += f"，计{_fmt(raw)}分"
    held, note = _held_to_item_cap(rule, raw, "扣")
    return held, text + note


def _flat_deduction(rule: Rule) -> tuple[Decimal, str]:
    held, note = _held_to_item_cap(rule, rule.amount, "扣")
    return held, f"扣{_fmt(rule.amount)}分{note}"


def _extension_note(rule: Rule, a: AssignmentFact) -> str:
    if a.original_due_on is None or a.due_on is None or a.original_due_on == a.due_on:
        return ""
    if rule.extension_moves_due:
        return f"（经批准延期，原定{_day(a.original_due_on)}）"
    return f"（虽经批准延期至{_day(a.due_on)}，本项按原定期限计算）"


# -- events -------------------------------------------------------------------------------------


class _Emit(Protocol):
    """What a rule calls for each finding, before caps: who, what, when, how much, and why."""

    def __call__(self, unit_id: int, source_type: str, source_id: int, suffix: str, occurred_on: date | None,
                 magnitude: Decimal, explanation: str) -> None: ...


#: A finding as the unit's list holds it: (is bonus, date or date.min, rule index, source id,
#: suffix, item id, unit id, source type, date, magnitude, explanation). The first five tell
#: findings apart (a rule gives one source type), so sorting the list puts them in the order the
#: caps apply, and nothing after the item id is ever compared. The suffix is what else keeps the
#: id unique (a period end, a unit named in a shared circular).
_Finding = tuple


@dataclass
class _Context:
    facts: Facts
    as_of: date
    calendar: WorkdayCounter
    units: dict[int, UnitFact]
    assignments: dict[int, AssignmentFact]
    #: lead and responsible assignments of assessed units
    counted: list[AssignmentFact]
    #: (due, until) -> overdue working days: a province has thousands of events but few distinct dates
    _overdue_days: dict[tuple[date, date], int] = field(default_factory=dict)

    def overdue_days(self, due: date, until: date) -> int:
        key = (due, until)
        days = self._overdue_days.get(key)
        if days is None:
            days = self._overdue_days[key] = overdue_workdays(self.calendar, due, until)
        return days

    def counts(self, unit_id: int, assignment_id: int) -> bool:
        """Tell whether an event about this unit and assignment may be scored."""
        if unit_id not in self.units:
            return False
        a = self.assignments.get(assignment_id)
        return a is None or a.role in _COUNTED_ROLES


def _late(rule: Rule, ctx: _Context, emit: _Emit, situation: str, *, completed: bool) -> None:
    """Emit the per-working-day deduction of each counted assignment that was late.

    With ``completed``, assignments completed by as_of count from their due date to their
    completion; otherwise those still open at as_of count to as_of. An assignment is late from
    the first working day after its due date.
    """
    deductions: dict[int, tuple[Decimal, str]] = {}
    moves = rule.extension_moves_due
    excluded_kinds = rule.exclude_deadline_kinds
    overdue_days = ctx.overdue_days
    as_of = ctx.as_of
    for a in ctx.counted:
        done = a.completed_at_date
        if done is not None and done > as_of:
            done = None  # completed after as_of: still open at as_of
        if completed:
            if done is None:
                continue
            until = done
        elif done is not None:
            continue
        else:
            until = as_of
        if a.deadline_kind in excluded_kinds:
            continue
        due = a.due_on if moves else (a.original_due_on or a.due_on)
        if due is None or until <= due:
            continue
        days = overdue_days(due, until)
        if days < 1:
            continue
        found = deductions.get(days)
        if found is None:
            found = deductions[days] = _day_deduction(rule, days)
        magnitude, how = found
        emit(a.unit_id, "assignment", a.id, "", due, magnitude,
             f"{_task(a, a.id)}应于{_day(due)}前完成{_extension_note(rule, a)}，"
             f"{situation.format(until=_day(until), days=days)}，{how}")


def _late_completion(rule: Rule, ctx: _Context, emit: _Emit) -> None:
    _late(rule, ctx, emit, "{until}完成，逾期完成{days}个工作日", completed=True)


def _overdue_at_assessment(rule: Rule, ctx: _Context, emit: _Emit) -> None:
    _late(rule, ctx, emit, "截至{until}仍未完成，逾期{days}个工作日", completed=False)


def _report_returned(rule: Rule, ctx: _Context, emit: _Emit) -> None:
    magnitude, how = _flat_deduction(rule)
    as_of, units, assignments = ctx.as_of, ctx.units, ctx.assignments
    for report_id, unit_id, assignment_id, returned_on, ref, title in ctx.facts.returned_reports:
        if returned_on > as_of or unit_id not in units:
            continue
        a = assignments.get(assignment_id)  # what ctx.counts asks, inlined: a province returns tens of thousands
        if a is not None and a.role not in _COUNTED_ROLES:
            continue
        emit(unit_id, "report", report_id, "", returned_on, magnitude,
             f"{_task(a, assignment_id, ref, title)}的进展报告于{_day(returned_on)}被退回，{how}")


def _missed_periodic_report(rule: Rule, ctx: _Context, emit: _Emit) -> None:
    magnitude, how = _flat_deduction(rule)
    for m in ctx.facts.missed_reports:
        if m.period_end > ctx.as_of or not ctx.counts(m.unit_id, m.assignment_id):
            continue
        task = _task(ctx.assignments.get(m.assignment_id), m.assignment_id, m.task_ref, m.task_title)
        emit(m.unit_id, "assignment", m.assignment_id, m.period_end.isoformat(), m.period_end, magnitude,
             f"{task}截至{_day(m.period_end)}的进展未按期报送，{how}")


def _rectification_overdue(rule: Rule, ctx: _Context, emit: _Emit) -> None:
    as_of = ctx.as_of
    for r in ctx.facts.rectifications:
        if r.unit_id not in ctx.units:
            continue
        closed = r.closed_on if r.closed_on is not None and r.closed_on <= as_of else None
        end = closed or as_of
        if end <= r.due_on:
            continue
        days = ctx.overdue_days(r.due_on, end)
        if days < 1:
            continue
        magnitude, how = _day_deduction(rule, days)
        state = f"{_day(closed)}销号" if closed else f"截至{_day(as_of)}仍未销号"
        emit(r.unit_id, "rectification", r.id, "", r.due_on, magnitude,
             f"整改通知（{r.notice_number}）所列事项应于{_day(r.due_on)}前整改到位，{state}，"
             f"逾期{days}个工作日，{how}")


def _circular_criticism(rule: Rule, ctx: _Context, emit: _Emit) -> None:
    for c in ctx.facts.circulars:
        if c.kind != "criticism" or c.issued_on > ctx.as_of or c.unit_id not in ctx.units:
            continue
        magnitude, how = _flat_deduction(rule)
        title = f"《{c.title}》" if c.title else ""
        # One circular may name several units: the unit keeps the ids apart.
        emit(c.unit_id, "circular", c.id, f"u{c.unit_id}", c.issued_on, magnitude,
             f"{_day(c.issued_on)}被通报批评{title}，{how}")


def _bonus(rule: Rule, ctx: _Context, emit: _Emit, first_bonus_rule: str | None) -> None:
    for b in ctx.facts.bonuses:
        if (b.rule or first_bonus_rule) != rule.code or b.unit_id not in ctx.units:
            continue
        points = _points(b.points)
        magnitude, note = _held_to_item_cap(rule, points, "加")
        evidence = f"（佐证：{b.evidence}）" if b.evidence else ""
        emit(b.unit_id, "bonus", b.id, "", None, magnitude, f"{b.reason}{evidence}，加{_fmt(points)}分{note}")


def _request_late(rule: Rule, ctx: _Context, emit: _Emit) -> None:
    """One deduction per request answered after its deadline, or still unanswered past it."""
    as_of = ctx.as_of
    magnitude, how = _flat_deduction(rule)
    for r in ctx.facts.requests:
        if r.unit_id not in ctx.units or r.due_on >= as_of:
            continue
        answered = r.answered_on if r.answered_on is not None and r.answered_on <= as_of else None
        if answered is not None and answered <= r.due_on:
            continue
        state = f"{_day(answered)}答复" if answered else f"截至{_day(as_of)}仍未答复"
        emit(r.unit_id, "disclosure_request", r.id, "", r.due_on, magnitude,
             f"政府信息公开申请（{r.serial}）应于{_day(r.due_on)}前答复，{state}，{how}")


def _appeal_lost(rule: Rule, ctx: _Context, emit: _Emit) -> None:
    """One deduction per review or lawsuit whose result corrected the unit's answer."""
    from ..disclosure.categories import APPEAL_KINDS

    for a in ctx.facts.appeals:
        if a.unit_id not in ctx.units or a.result != "corrected" or a.decided_on is None or a.decided_on > ctx.as_of:
            continue
        magnitude, how = _flat_deduction(rule)
        emit(a.unit_id, "disclosure_appeal", a.id, "", a.decided_on, magnitude,
             f"政府信息公开申请（{a.serial}）的{APPEAL_KINDS.get(a.kind, '复议诉讼')}于{_day(a.decided_on)}"
             f"结果为纠正，{how}")


_DEDUCTION_RULES: dict[str, Callable[[Rule, _Context, _Emit], None]] = {
    "request_late": _request_late,
    "appeal_lost": _appeal_lost,
    "late_completion": _late_completion,
    "overdue_at_assessment": _overdue_at_assessment,
    "report_returned": _report_returned,
    "missed_periodic_report": _missed_periodic_report,
    "rectification_overdue": _rectification_overdue,
    "circular_criticism": _circular_criticism,
}


def _emitter(found: dict[int, list[_Finding]], rule_index: int, rule: Rule) -> _Emit:
    """Return the rule's emit: it names the finding's line item and files it under its unit."""
    prefix, is_bonus, no_date = rule.code + ":", rule.is_bonus, date.min

    def emit(unit_id, source_type, source_id, suffix, occurred_on, magnitude, explanation):
        item_id = f"{prefix}{source_type}:{source_id}:{suffix}" if suffix else f"{prefix}{source_type}:{source_id}"
        found[unit_id].append((is_bonus, occurred_on or no_date, rule_index, source_id, suffix, item_id,
                               unit_id, source_type, occurred_on, magnitude, explanation))

    return emit


def _check_bonuses(rubric: Rubric, facts: Facts) -> str | None:
    """Return the bonus rule unnamed bonuses fall under; refuse bonuses no rule can take."""
    bonus_rules = [r.code for r in rubric.rules if r.is_bonus]
    for b in facts.bonuses:
        if b.rule and b.rule not in bonus_rules:
            raise ValueError(f"bonus {b.id} names {b.rule!r}, which is not a bonus rule of the rubric")
        if not b.rule and not bonus_rules:
            raise ValueError(f"bonus {b.id} cannot be scored: the rubric has no bonus rule")
        if _points(b.points) <= 0:
            raise ValueError(f"bonus {b.id} must have positive points, not {b.points!r}")
    return bonus_rules[0] if bonus_rules else None


def _unique_by_id(records: Iterable[Any], what: str) -> dict[int, Any]:
    result: dict[int, Any] = {}
    for record in records:
        if record.id in result:
            raise ValueError(f"duplicate {what} id {record.id}")
        result[record.id] = record
    return result


# -- computation --------------------------------------------------------------------------------


@gc_paused()
def compute(
    rubric: Rubric,
    facts: Facts,
    as_of: date,
    calendar: WorkdayCounter,
    excluded_items: Iterable[str] = frozenset(),
) -> Result:
    """Score every unit in ``facts.units`` at ``as_of``, leaving out the excluded line items.

    ``calendar`` counts working days (pass ``tracker.calendar.default_calendar()``). Raises
    ValueError for facts that contradict themselves: duplicate ids, a bonus that no bonus rule
    takes, bonus points that are not positive.
    """
    units = _unique_by_id(facts.units, "unit")
    assignments = _unique_by_id(facts.assignments, "assignment")
    excluded = frozenset(excluded_items)
    first_bonus_rule = _check_bonuses(rubric, facts)
    ctx = _Context(
        facts=facts,
        as_of=as_of,
        calendar=calendar,
        units=units,
        assignments=assignments,
        counted=[a for a in assignments.values() if a.role in _COUNTED_ROLES and a.unit_id in units],
    )

    # Per unit: its findings (see _Finding), sorted as they stand: the order of caps does not
    # depend on the order facts arrive in.
    found: dict[int, list[_Finding]] = defaultdict(list)
    for rule_index, rule in enumerate(rubric.rules):
        emit = _emitter(found, rule_index, rule)
        if rule.is_bonus:
            _bonus(rule, ctx, emit, first_bonus_rule)
        else:
            _DEDUCTION_RULES[rule.type](rule, ctx, emit)
    _refuse_duplicate_items(found)
    matched_exclusions: set[str] = set()
    if excluded:
        for unit_id, entries in found.items():
            kept = [entry for entry in entries if entry[5] not in excluded]
            if len(kept) < len(entries):
                matched_exclusions.update(entry[5] for entry in entries if entry[5] in excluded)
                found[unit_id] = kept

    points = _Points()
    rules = _rule_parts(rubric, points)
    scores = [_score_unit(rubric, rules, unit, found.get(unit.id, []), points) for unit in units.values()]
    return Result(as_of=as_of, rubric=rubric, units=_ranked(rubric, scores), excluded=tuple(sorted(matched_exclusions)))


def _refuse_duplicate_items(found: dict[int, list[_Finding]]) -> None:
    """Raise ValueError when two facts give the same line item id (counted in one pass, named only then)."""
    ids = [entry[5] for entries in found.values() for entry in entries]
    if len(set(ids)) == len(ids):
        return
    seen: set[str] = set()
    for item_id in ids:
        if item_id in seen:
            raise ValueError(f"two facts give the same line item {item_id}")
        seen.add(item_id)


class _Points:
    """Amounts as whole cents for the caps' arithmetic, and back as Decimals (each made once).

    A province's result applies caps to tens of thousands of items of a few dozen distinct
    amounts; integers compare and subtract several times faster than Decimals.
    """

    def __init__(self):
        self.cents: dict[Decimal, int] = {}
        #: cents -> (the amount, its negative)
        self.amounts: dict[int, tuple[Decimal, Decimal]] = {}

    def to_cents(self, amount: Decimal) -> int:
        cents = self.cents.get(amount)
        if cents is None:
            exact = amount * 100
            if exact != exact.to_integral_value():
                raise ValueError(f"points have at most two decimals, not {amount}")
            cents = self.cents[amount] = int(exact)
            self.amounts.setdefault(cents, (amount.quantize(_CENT), (-amount).quantize(_CENT)))
        return cents

    def signed(self, cents: int) -> tuple[Decimal, Decimal]:
        """Return (amount, negative amount) of so many cents."""
        pair = self.amounts.get(cents)
        if pair is None:
            amount = (Decimal(cents) / 100).quantize(_CENT)
            pair = self.amounts[cents] = (amount, -amount)
        return pair


def _score_unit(rubric: Rubric, rules: list[tuple[str, str, str | None, bool, str, int | None]], unit: UnitFact,
                found: list[_Finding], points: _Points) -> UnitScore:
    """Apply the caps in event order and add up one unit's score (in whole cents)."""
    to_cents, signed = points.to_cents, points.signed
    rule_left: list[int | None] = [cap for *_rest, cap in rules]
    indicator_left: dict[str, int] = {i.code: to_cents(i.weight) for i in rubric.indicators}
    bonus_left = to_cents(rubric.bonus.cap)
    indicators = {i.code: i for i in rubric.indicators}
    bonus = 0
    items: list[LineItem] = []
    unit_id = unit.id

    bonus_cap_note = f"已达{rubric.bonus.name}上限{_fmt(rubric.bonus.cap)}分"
    found.sort()
    for (_is_bonus, _on, rule_index, source_id, _suffix, item_id,
         _unit, source_type, occurred_on, magnitude, explanation) in found:
        code, name, code_i, is_bonus, cap_note, _cap = rules[rule_index]
        raw = to_cents(magnitude)
        counted = raw
        note = ""
        left = rule_left[rule_index]
        if left is not None and counted > left:
            counted = left
            note = cap_note
        if is_bonus:
            if counted > bonus_left:
                counted = bonus_left
                note = bonus_cap_note
            bonus_left -= counted
            bonus += counted
        else:
            if counted > indicator_left[code_i]:
                counted = indicator_left[code_i]
                indicator = indicators[code_i]
                note = f"“{indicator.name}”扣分已达该指标权重{_fmt(indicator.weight)}分"
            indicator_left[code_i] -= counted
        if left is not None:
            rule_left[rule_index] = left - counted
        raw_amount, raw_negative = signed(raw)
        amount, negative = (raw_amount, raw_negative) if counted == raw else signed(counted)
        if note:
            explanation += f"；{note}，本项计{_fmt(amount)}分"
        items.append(_new(LineItem, (
            item_id, unit_id, code, name, code_i,
            amount if is_bonus else negative,
            raw_amount if is_bonus else raw_negative,
            explanation, source_type, source_id, occurred_on,
        )))

    deductions = sum(to_cents(i.weight) - indicator_left[i.code] for i in rubric.indicators)
    full = to_cents(rubric.full_score)
    total = signed(full - deductions + bonus)[0]
    converted = (total * rubric.assessment_weight).quantize(_CENT, rounding=ROUND_HALF_UP)
    return UnitScore(
        unit_id=unit.id,
        unit=unit.name,
        kind=unit.kind,
        category=rubric.category_for(unit.kind, unit.category),
        rank=None,
        total=total,
        converted=converted,
        indicators={i.code: signed(indicator_left[i.code])[0] for i in rubric.indicators},
        bonus=signed(bonus)[0],
        deductions=signed(deductions)[1],
        items=tuple(items),
    )


def _rule_parts(rubric: Rubric, points: _Points) -> list[tuple[str, str, str | None, bool, str, int | None]]:
    """Per rule, in rubric order: code, name, indicator, is a bonus, the note when its own cap is
    reached, and the cap in cents (None: no cap of its own)."""
    parts = []
    for rule in rubric.rules:
        is_bonus = rule.type == "bonus"
        if not is_bonus:
            assert rule.indicator is not None
        cap = None if rule.cap is None else points.to_cents(rule.cap)
        parts.append((rule.code, rule.name, rule.indicator, is_bonus,
                      f"已达“{rule.name}”上限{_fmt(rule.cap or _ZERO)}分", cap))
    return parts


def _ranked(rubric: Rubric, scores: list[UnitScore]) -> tuple[UnitScore, ...]:
    """Rank each category (ties share a rank) and put the unranked units last."""
    by_category: dict[str | None, list[UnitScore]] = defaultdict(list)
    for score in scores:
        by_category[score.category].append(score)
    ordered: list[UnitScore] = []
    for category in rubric.categories:
        members = sorted(by_category.get(category.code, []), key=lambda s: (-s.total, s.unit, s.unit_id))
        rank = 0
        previous: Decimal | None = None
        for position, score in enumerate(members, start=1):
            if score.total != previous:
                rank, previous = position, score.total
            ordered.append(replace(score, rank=rank))
    ordered.extend(sorted(by_category.get(None, []), key=lambda s: (s.unit, s.unit_id)))
    return tuple(ordered)
