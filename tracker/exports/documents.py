"""Put queries and workbooks together: write each export for a selection, from the web or the CLI."""
from __future__ import annotations

from datetime import date
from typing import IO

from ..calendar import WorkCalendar
from ..dashboard.queries import StatusRules
from ..supervise.calendar_db import current_calendar
from ..timeutil import local_today
from ..units.models import Unit
from . import queries, workbooks
from .queries import Selection

Out = str | IO[bytes]

MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def made_by(sel: Selection) -> str:
    """The 制表单位 of an export: the plans' issuing office, else the jurisdiction's."""
    from ..supervise.queries import issuer_for

    issuers = {p.issuer for p in sel.plans if p.issuer}
    if len(issuers) == 1:
        return issuers.pop()
    return issuer_for(sel.plans[0].unit) if sel.plans else ""


def _rules(sel: Selection, calendar: WorkCalendar) -> StatusRules:
    return StatusRules.at(sel.as_of, tz=sel.tz, calendar=calendar)


def write_ledger(out: Out, sel: Selection, *, calendar: WorkCalendar | None = None) -> dict[str, int]:
    """Write the 工作台账 of the selection; return the row count of each sheet."""
    calendar = calendar or current_calendar()
    rules = _rules(sel, calendar)
    return workbooks.ledger_workbook(
        out, title=sel.title, as_of=sel.as_of, tasks=queries.task_rows(sel, rules),
        assignments=queries.assignment_rows(sel, rules, calendar), show_plan=len(sel.plans) > 1,
        made_by=made_by(sel), made_on=local_today(sel.tz),
    )


def write_overdue(out: Out, sel: Selection, *, calendar: WorkCalendar | None = None) -> dict[str, int]:
    """Write the 逾期清单 of the selection at its date."""
    calendar = calendar or current_calendar()
    rules = _rules(sel, calendar)
    return workbooks.overdue_workbook(out, title=sel.title, as_of=sel.as_of,
                                      rows=queries.overdue_rows(sel, rules, calendar), show_plan=len(sel.plans) > 1,
                                      made_by=made_by(sel), made_on=local_today(sel.tz))


def write_assessment(out: Out, version) -> dict[str, int]:
    """Write the 考核结果 of a stored version."""
    from ..supervise.queries import issuer_for

    plan = version.plan
    return workbooks.assessment_workbook(out, queries.assessment_data(version),
                                         made_by=plan.issuer or issuer_for(plan.unit), made_on=local_today())


def write_unit(out: Out, unit: Unit, as_of: date, *, plan_id: int | None = None, tz: str = "Asia/Shanghai",
               calendar: WorkCalendar | None = None) -> dict[str, int]:
    """Write one unit's own assignments (of one plan, or of all its plans)."""
    calendar = calendar or current_calendar()
    sel = Selection(plans=queries.unit_plans(unit.id, plan_id), as_of=as_of, unit_id=unit.id, tz=tz)
    rows = queries.assignment_rows(sel, _rules(sel, calendar), calendar, with_requirement=True) if sel.plans else ()
    return workbooks.unit_workbook(out, unit=unit.name, as_of=as_of, rows=rows, made_on=local_today(tz))


def filename(kind: str, sel_title: str, as_of: date) -> str:
    """Return a download name such as 工作台账-运城市2021年政务公开工作要点-2021-11-15.xlsx."""
    clean = sel_title.strip("《》").replace("/", "-")[:60]
    return f"{kind}-{clean}-{as_of.isoformat()}.xlsx"
