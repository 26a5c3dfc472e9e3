"""The leaders' dashboard, its drill-down lists, the overdue summary and the circular draft."""
from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import quote_plus, urlencode

from flask import Blueprint, Flask, abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup, escape

from ..access import STAFF, roles
from ..assessment.queries import latest_version, unit_totals
from ..calendar import WorkCalendar, default_calendar
from ..errors import ServiceError
from ..extensions import database_key, db
from ..pagination import Page, current_page, paginate
from ..plans.models import Plan
from ..plans import queries as plan_queries
from ..plans.queries import get_plan_for, visible_plans
from ..public.views import invalidate as invalidate_public_page
from ..reports.models import REPORT_STATUS_LABELS
from ..supervise.calendar_db import current_calendar
from ..timeutil import app_today, parse_iso_date
from ..units.models import CATEGORIES, Unit
from .. import printing
from . import charts, province, queries, services
from .cache import FigureCache
from .circular import UnitFigures, draft_circular
from .queries import STATUS_LABELS, STATUSES, Filters, StatusRules

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")

#: bars in the per-unit chart
CHART_UNITS = 15
#: units per page of the overdue summary
OVERDUE_UNITS_PER_PAGE = 20
#: plans offered in the picker
PICKER_LIMIT = 300
#: dates the dashboard can be asked about (the calendar's arithmetic needs room on both sides)
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)
#: ids beyond this cannot exist (and would overflow a database integer)
MAX_ID = 2**31 - 1


def drill(value: int, href: str, cls: str = "") -> Markup:
    """Return a number linking to the assignment list behind it; data-count lets tests compare the two.

    A Python helper rather than a template macro: the dashboard has hundreds of these.
    """
    return Markup(f'<a class="drill {escape(cls)}" data-count="{int(value)}" href="{escape(href)}">{int(value)}</a>')


def rate(value: float | None) -> str:
    """Return a completion rate as shown in tables: one decimal and a percent sign, or a dash."""
    return "—" if value is None else f"{value:.1f}%"


@bp.context_processor
def _names():
    return {"STATUSES": STATUSES, "STATUS_LABELS": STATUS_LABELS, "CATEGORIES": CATEGORIES,
            "NO_SECTION": queries.NO_SECTION, "NO_SECTION_LABEL": queries.NO_SECTION_LABEL,
            "REPORT_STATUS_LABELS": REPORT_STATUS_LABELS, "drill": drill, "rate": rate}


@dataclass
class Selection:
    """What the request asks to see: plan, date, filters, and the choices around them."""

    plans: list[Plan]
    plan: Plan | None
    as_of: date
    rules: StatusRules
    flt: Filters | None
    unit: Unit | None = None
    status: str | None = None
    #: the working-day calendar with the admin's overrides, the same one the sweep uses
    calendar: WorkCalendar = field(default_factory=default_calendar)
    #: path of the drill-down list, built once: a dashboard has hundreds of links to it
    list_path: str = ""
    #: the encoded arguments of the selection itself, and their names (made on first use)
    _list_prefix: tuple[str, frozenset] | None = field(default=None, repr=False)

    def args(self, **changes) -> dict:
        """Return query arguments for a link to the same selection, with some changed (None drops one)."""
        out = {"as_of": self.as_of.isoformat(), **(self.flt.args() if self.flt else {})}
        if self.status:
            out["status"] = self.status
        out.update(changes)
        return {k: v for k, v in out.items() if v is not None}

    def unit_links(self, unit_id: int) -> dict[str, str]:
        """Return the list URLs of one unit's row: "all" and one per status (the same as list_url)."""
        base = self.list_url(unit=unit_id)
        if {"unit", "status"} & self._list_prefix[1]:
            return {"all": base, **{s: self.list_url(unit=unit_id, status=s) for s in STATUSES}}
        return {"all": base, **{s: f"{base}&status={s}" for s in STATUSES}}

    def list_url(self, **changes) -> str:
        """Return the URL of the assignment list behind a number (same as url_for, without its cost).

        The selection's own arguments are encoded once; a link that only adds arguments appends
        them to that prefix, in the order urlencode would have put them.
        """
        if self._list_prefix is None:
            base = self.args()
            self._list_prefix = (f"{self.list_path}?{urlencode(base)}", frozenset(base))
        prefix, keys = self._list_prefix
        if any(k in keys or v is None for k, v in changes.items()):
            return f"{self.list_path}?{urlencode(self.args(**changes))}"
        return prefix + "".join(
            f"&{k}={v}" if type(v) is int else f"&{k}={_quoted(str(v))}" for k, v in changes.items())


@functools.lru_cache(maxsize=1024)
def _quoted(value: str) -> str:
    """quote_plus, remembered: the same few statuses and section titles recur in every link."""
    return quote_plus(value)


def _int_arg(name: str, message: str) -> int | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    if not raw.isdecimal():
        raise ServiceError(message, status=400)
    value = int(raw)
    if value > MAX_ID:
        abort(404)
    return value


def _as_of_arg() -> date:
    """The as_of of the query string (today without one); malformed or out of range is a 400 in Chinese."""
    try:
        as_of = parse_iso_date(request.args.get("as_of")) or app_today()
    except ValueError as exc:
        raise ServiceError(str(exc), status=400) from None
    if not FIRST_DAY <= as_of <= LAST_DAY:
        raise ServiceError(f"统计日期应在{FIRST_DAY.year}年至{LAST_DAY.year}年之间。", status=400)
    return as_of


def _selection(*, with_unit_section: bool = False) -> Selection:
    """Parse plan, as_of, category (and unit, section, status) from the query string.

    A malformed date or filter is a 400 with a Chinese message; a plan or unit outside the
    user's subtree is a 404, the same as one that does not exist.
    """
    tz = current_app.config["TIMEZONE"]
    as_of = _as_of_arg()
    calendar = current_calendar()
    rules = StatusRules.at(as_of, tz=tz, calendar=calendar)
    plans = list(db.session.scalars(
        visible_plans(current_user).order_by(Plan.year.desc(), Plan.id.desc()).limit(PICKER_LIMIT)
    ))
    plan_id = _int_arg("plan", "工作要点编号不正确。")
    if plan_id is not None:
        plan = next((p for p in plans if p.id == plan_id), None)
        if plan is None:  # beyond the picker's limit, or not visible (404)
            plan = get_plan_for(current_user, plan_id)
            plans.append(plan)
    else:
        plan = queries.default_plan(plans, as_of.year, current_user.unit_id)
    category = request.args.get("category", "").strip() or None
    if category is not None and category not in CATEGORIES:
        raise ServiceError("考核类别只能是 A 或 B。", status=400)
    unit, section, status = None, None, None
    if with_unit_section:
        unit_id = _int_arg("unit", "单位编号不正确。")
        if unit_id is not None:
            unit = queries.unit_in_scope(unit_id, queries.scope_path_of(current_user))
            if unit is None:
                abort(404)
        section = request.args.get("section") or None
        status = request.args.get("status", "").strip() or None
        if status is not None and status not in STATUSES:
            raise ServiceError("状态只能是：" + "、".join(f"{s}（{STATUS_LABELS[s]}）" for s in STATUSES), status=400)
    flt = None
    if plan is not None:
        flt = Filters(plan_id=plan.id, scope_path=queries.scope_path_of(current_user),
                      unit_id=unit.id if unit else None, section=section, category=category)
    return Selection(plans=plans, plan=plan, as_of=as_of, rules=rules, flt=flt, unit=unit, status=status,
                     calendar=calendar, list_path=url_for("dashboard.assignments", as_of=None))


@bp.route("/")
@roles(*STAFF)
def index():
    sel = _selection()
    if sel.plan is None:
        return render_template("dashboard/index.html", sel=sel, data=None)
    data, cached = _figures(sel)
    version = latest_version(sel.plan.id, with_result=False) if data.units else None
    if version is not None:
        # The cached rows are shared with other requests: score copies of them.
        totals = unit_totals(version)
        data = dataclasses.replace(
            data, units=[dataclasses.replace(r, score=totals.get(r.unit_id)) for r in data.units])
    sort = request.args.get("sort", queries.DEFAULT_SORT)
    if sort not in queries.SORTS or (sort == "score" and version is None):
        sort = queries.DEFAULT_SORT
    order = request.args.get("order")
    descending = None if order not in ("asc", "desc") else order == "desc"
    ranked = queries.sort_units(data.units, sort, descending)
    per_page = current_app.config["PAGE_SIZE"]
    page_no = min(current_page(), max(1, -(-len(ranked) // per_page)))
    ranking = Page(items=ranked[(page_no - 1) * per_page: page_no * per_page], page=page_no,
                   per_page=per_page, total=len(ranked))
    svg = _charts(sel, data) if data.overview.assignments else {}
    # Tasks no unit was assigned have no statuses; named beside the count so it adds up to the plan's.
    whole_plan = sel.flt.unit_id is None and sel.flt.category is None
    unassigned = plan_queries.unassigned_tasks(
        sel.plan.id, None if sel.flt.section == queries.NO_SECTION else sel.flt.section,
        no_section=sel.flt.section == queries.NO_SECTION) if whole_plan else 0
    resp = make_response(render_template(
        "dashboard/index.html", sel=sel, data=data, ranking=ranking, sort=sort, unassigned=unassigned,
        descending=queries.SORTS[sort][1] if descending is None else descending,
        svg=svg, version=version,
    ))
    resp.headers["X-Cache"] = "hit" if cached else "miss"
    return resp


def figure_cache(app: Flask | None = None) -> FigureCache[queries.Dashboard]:
    """Return the application's cache of computed dashboard figures."""
    app = app or current_app
    return app.extensions.setdefault("dashboard_figures", FigureCache())


def _figures(sel: Selection) -> tuple[queries.Dashboard, bool]:
    """Return the selection's figures and whether they came from the cache (see dashboard.cache)."""
    plan, tz = sel.plan, current_app.config["TIMEZONE"]
    issued_on = plan.issued_on or plan.created_at.date()
    key = (database_key(), plan.id, plan.created_at, plan.data_version, issued_on,
           sel.flt, sel.rules, tz, sel.calendar)
    return figure_cache().get_or_compute(
        key, lambda: queries.dashboard(sel.flt, sel.rules, issued_on=issued_on, tz=tz, calendar=sel.calendar))


def _charts(sel: Selection, data: queries.Dashboard) -> dict[str, str]:
    def drill(**kw) -> dict[str, str]:
        return {s: sel.list_url(status=s, **kw) for s in STATUSES}

    worst = [r for r in queries.sort_units(data.units, "overdue")][:CHART_UNITS]
    unit_bars = [charts.BarRow(r.name, {s: r.get(s) for s in STATUSES}, drill(unit=r.unit_id)) for r in worst]
    section_bars = [charts.BarRow(r.label, {s: r.get(s) for s in STATUSES}, drill(section=r.key))
                    for r in data.sections]
    # Month/day, with the year on the first point and wherever a new year starts.
    trend = [(f"{p.day.year}/{p.day.month}/{p.day.day}" if i == 0 or p.day.year != data.trend[i - 1].day.year
              else f"{p.day.month}/{p.day.day}", p.overdue) for i, p in enumerate(data.trend)]
    return {
        "units": charts.stacked_bar_chart(
            unit_bars, id_prefix="chart-units",
            title=f"各单位承办状态（逾期最多的前{len(unit_bars)}个单位）"),
        "sections": charts.stacked_bar_chart(section_bars, id_prefix="chart-sections", title="各部分任务承办状态"),
        # Narrower than the bar charts: it sits in the smaller column and should not shrink its text.
        "trend": charts.line_chart(trend, id_prefix="chart-trend", title="逾期承办数周趋势（每周日及统计日）",
                                   series_label="逾期承办数", width=560),
    }


@bp.route("/province")
@roles("supervisor", "leader")
def province_overview():
    """Every jurisdiction's plans of one year side by side (a provincial supervisor's or leader's view)."""
    tz = current_app.config["TIMEZONE"]
    as_of = _as_of_arg()
    years = province.years(current_user)
    raw_year = request.args.get("year", "").strip()
    if raw_year:
        if not raw_year.isdecimal() or not FIRST_DAY.year <= int(raw_year) <= LAST_DAY.year:
            raise ServiceError(f"年度应为{FIRST_DAY.year}至{LAST_DAY.year}之间的年份。", status=400)
        year = int(raw_year)
    else:
        year = as_of.year if as_of.year in years or not years else years[0]
    rules = StatusRules.at(as_of, tz=tz, calendar=current_calendar())
    rows = province.overview(current_user, year, rules, tz=tz, scope_path=queries.scope_path_of(current_user))
    total = province.CityRow(unit_id=0, name="合计")
    for r in rows:
        for attr in ("plans", "tasks", "assignments", "completed", "overdue", "on_time"):
            setattr(total, attr, getattr(total, attr) + getattr(r, attr))
    return render_template("dashboard/province.html", rows=rows, total=total, year=year,
                           years=sorted(set(years) | {year}, reverse=True), as_of=as_of)


@bp.route("/assignments")
@roles(*STAFF)
def assignments():
    sel = _selection(with_unit_section=True)
    if sel.plan is None:
        abort(404)
    stmt = queries.assignment_list(sel.flt, sel.rules, sel.status)
    page = paginate(stmt, per_page=current_app.config["PAGE_SIZE"], scalars=False)
    days = {row.Assignment.id: sel.rules.overdue_workdays(row.Assignment)
            for row in page.items if row.dash_status == "overdue"}
    return render_template(
        "dashboard/assignments.html", sel=sel, page=page, days=days,
        has_export="exports.ledger" in current_app.view_functions,
    )


@bp.route("/overdue")
@roles(*STAFF)
def overdue():
    sel = _selection()
    if sel.plan is None:
        return render_template("dashboard/overdue.html", sel=sel, page=None)
    rows = [r for r in queries.unit_rows(sel.flt, sel.rules, sel.calendar) if r.overdue]
    ranked = queries.sort_units(rows, "overdue")
    page_no = min(current_page(), max(1, -(-len(ranked) // OVERDUE_UNITS_PER_PAGE)))
    page = Page(items=ranked[(page_no - 1) * OVERDUE_UNITS_PER_PAGE: page_no * OVERDUE_UNITS_PER_PAGE],
                page=page_no, per_page=OVERDUE_UNITS_PER_PAGE, total=len(ranked))
    return render_template("dashboard/overdue.html", sel=sel, page=page, total_overdue=sum(r.overdue for r in ranked),
                           **_overdue_items(sel, page.items))


def _overdue_items(sel: Selection, unit_rows) -> dict:
    """Return the overdue items of the given unit rows with their days, reminders issued and last reports."""
    items = queries.overdue_items(sel.flt, sel.rules, [r.unit_id for r in unit_rows])
    by_unit: dict[int, list] = {}
    for a in items:
        by_unit.setdefault(a.unit_id, []).append(a)
    ids = [a.id for a in items]
    return {"by_unit": by_unit, "days": {a.id: sel.rules.overdue_workdays(a) for a in items},
            "issued": queries.reminders_issued(ids, sel.as_of), "reports": queries.last_reports(ids)}


@bp.route("/overdue/print")
@roles(*STAFF)
def overdue_print():
    """逾期情况汇总, every unit on one A4 printout (no pagination, no navigation), as of the chosen date."""
    sel = _selection()
    if sel.plan is None:
        abort(404)
    ranked = queries.sort_units([r for r in queries.unit_rows(sel.flt, sel.rules, sel.calendar) if r.overdue],
                                "overdue")
    return render_template(
        "print/overdue.html", sel=sel, units=ranked, total_overdue=sum(r.overdue for r in ranked),
        **_overdue_items(sel, ranked),
        **printing.context(f"{sel.plan.title}逾期情况汇总", as_of=sel.as_of, plan=sel.plan,
                           back=url_for("dashboard.overdue", **sel.args())))


@bp.route("/assignments/print")
@roles(*STAFF)
def assignments_print():
    """A unit's (or the selection's) assignments on one A4 printout, as of the chosen date."""
    sel = _selection(with_unit_section=True)
    if sel.plan is None:
        abort(404)
    rows = db.session.execute(queries.assignment_list(sel.flt, sel.rules, sel.status)
                              .limit(printing.MAX_PRINT_ROWS + 1)).all()
    cut = len(rows) > printing.MAX_PRINT_ROWS
    rows = rows[:printing.MAX_PRINT_ROWS]
    days = {row.Assignment.id: sel.rules.overdue_workdays(row.Assignment)
            for row in rows if row.dash_status == "overdue"}
    title = f"{sel.unit.name}承办事项清单" if sel.unit else "承办事项清单"
    return render_template(
        "print/assignments.html", sel=sel, rows=rows, days=days, cut=cut,
        **printing.context(title, as_of=sel.as_of, plan=sel.plan, subtitle=sel.plan.title,
                           back=url_for("dashboard.assignments", **sel.args())))


@bp.route("/circular")
@roles("supervisor")
def circular():
    sel = _selection()
    if sel.plan is None:
        abort(404)
    ov = queries.overview(sel.flt, sel.rules)
    rows = queries.sort_units([r for r in queries.unit_rows(sel.flt, sel.rules, sel.calendar) if r.overdue], "overdue")
    text = draft_circular(
        plan_title=sel.plan.title, doc_number=sel.plan.doc_number, as_of=sel.as_of, tasks=ov.tasks,
        assignments=ov.assignments, completed=ov.completed, overdue=ov.overdue,
        units=[UnitFigures(r.name, r.assignments, r.completed, r.overdue, r.days_overdue) for r in rows],
    )
    return render_template("dashboard/circular.html", sel=sel, text=text)


@bp.route("/plans/<int:plan_id>/publish", methods=["POST"])
@roles("supervisor")
def publish(plan_id: int):
    if plan_id > MAX_ID:
        abort(404)
    plan = get_plan_for(current_user, plan_id)
    wanted = request.form.get("published")
    if wanted not in ("0", "1"):
        raise ServiceError("请求缺少公开状态。", status=400)
    services.set_published(current_user, plan, wanted == "1")
    db.session.commit()
    invalidate_public_page(plan.id)
    if plan.is_published:
        flash(f"已将《{plan.title}》发布到公开页面。", "success")
    else:
        flash(f"已取消公开《{plan.title}》，公开页面不再可访问。", "success")
    return redirect(url_for("dashboard.index", plan=plan.id))
