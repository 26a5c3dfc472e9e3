"""Put queries and workbooks together: write each export for a selection, from the web or the CLI."""
from __future__ import annotations

import re
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


def filename(kind: str, sel_title: str, as_of: date, filters: tuple[str, ...] = ()) -> str:
    """Return a download name such as 工作台账-运城市2021年政务公开工作要点-2021-11-15.xlsx.

    `filters` are the chosen filters in words (逾期, 市财政局, …); they go between the title and the date,
    so a narrowed workbook never carries the name of the whole one.
    """
    clean = sel_title.strip("《》").replace("/", "-")[:60]
    words = [f.replace("/", "-").strip()[:40] for f in filters if f and f.strip()]
    return "-".join([kind, clean, *words, as_of.isoformat()]) + ".xlsx"


def ascii_filename(kind: str, as_of: date, parts: tuple[str, ...] = ()) -> str:
    """Return the plain-ASCII name older browsers and mail gateways get (e.g. ledger-plan3-overdue-2021-11-15.xlsx)."""
    safe = [re.sub(r"[^A-Za-z0-9_.-]+", "_", p).strip("_-") for p in parts]
    return "-".join([kind, *[p for p in safe if p], as_of.isoformat()]) + ".xlsx"


def ledger_filenames(sel: Selection) -> tuple[str, str]:
    """The 工作台账's download name in Chinese and in ASCII, naming every filter the reader chose."""
    from ..dashboard.queries import NO_SECTION, NO_SECTION_LABEL, STATUS_LABELS

    words: list[str] = []
    ascii_parts: list[str] = [f"plan{sel.plans[0].id}" if len(sel.plans) == 1 else f"{len(sel.plans)}plans"]
    if sel.status:
        words.append(STATUS_LABELS[sel.status])
        ascii_parts.append(sel.status.replace("_", "-"))
    if sel.unit_id is not None:
        from ..extensions import db

        unit = db.session.get(Unit, sel.unit_id)
        words.append(unit.name if unit is not None else f"单位{sel.unit_id}")
        ascii_parts.append(f"unit{sel.unit_id}")
    if sel.section:
        words.append(NO_SECTION_LABEL.strip("（）") if sel.section == NO_SECTION else sel.section)
        ascii_parts.append("section")
    if sel.category:
        words.append(f"{sel.category}类")
        ascii_parts.append(f"category{sel.category}")
    return filename("工作台账", sel.title, sel.as_of, tuple(words)), ascii_filename("ledger", sel.as_of, tuple(ascii_parts))
