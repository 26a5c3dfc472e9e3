"""One truth: every page, document and workbook shows the same figures for the same plan and date.

For the demo at three dates, and for a small generated world, this collects every figure shown
about the same assignments — the dashboard's cards and unit rows, its list, the province overview, the 逾期情况汇总, the
督办 逾期与临期 page, a reporter's 我的任务 and 督办 pages, the public page, the assessment's
lateness items, the 逾期清单 and 工作台账 workbooks (read back with openpyxl), the 考核结果 workbook,
and the 督办/催办 .docx notices (read back with python-docx) — and asserts they agree: counts,
overdue working days per item, reminders issued per item.

Documents and workbooks are read by content (header cells, table cells), not by position, so a
change of layout does not break the comparison.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import date
from io import BytesIO

import pytest
import sqlalchemy as sa
from docx import Document
from openpyxl import load_workbook

from tests.factories import AssignmentFactory, TaskFactory, UserFactory, build_world
from tracker.accounts.models import User
from tracker.demo.services import DEMO_PASSWORD, load_demo
from tracker.extensions import db
from tracker.plans.models import Assignment, Plan, Task
from tracker.plans.status import StatusRules, reminders_issued
from tracker.supervise import services as supervise
from tracker.supervise.calendar_db import current_calendar
from tracker.supervise.models import EscalationNotice, Reminder
from tracker.supervise.queries import clause_label
from tracker.units.models import Unit

DATES = (date(2021, 11, 15), date(2021, 12, 20), date(2022, 1, 10))
BIG_PAGE = 100_000


# --- reading what the pages show ------------------------------------------------------------------


def _html(client, url: str) -> str:
    resp = client.get(url)
    assert resp.status_code == 200, (url, resp.status_code)
    return resp.get_data(as_text=True)


def _rows(html: str, *attrs: str) -> list[dict[str, str]]:
    """Return the data-* attributes of every <tr> that has the first of attrs."""
    out = []
    for tag in re.findall(r"<tr\b[^>]*>", html):
        found = dict(re.findall(r'data-([a-z]+)="([^"]*)"', tag))
        if attrs[0] in found:
            out.append(found)
    return out


def dashboard_cards(html: str) -> dict[str, int]:
    return {s: int(n) for s, n in re.findall(
        r'<div class="card (completed|on_track|due_soon|overdue)">.*?data-count="(\d+)"', html, re.S)}


def summary_rows(client, url: str) -> list[dict[str, str]]:
    """Every item row of the paginated 逾期情况汇总, with its issued reminders and escalations."""
    out, page = [], 1
    while True:
        html = _html(client, f"{url}&page={page}")
        found = []
        for tr, cell in re.findall(r'(<tr data-assignment[^>]*>).*?<td class="issued" ([^>]*)>', html, re.S):
            row = dict(re.findall(r'data-([a-z]+)="([^"]*)"', tr)) | dict(re.findall(r'data-([a-z]+)="([^"]*)"', cell))
            found.append(row)
        if not found or page > 50:
            return out
        out += found
        page += 1


def supervise_rows(html: str) -> dict[int, tuple[str, int]]:
    out = {}
    for tr, days in re.findall(r'(<tr data-assignment[^>]*>).*?<td class="days">([^<]*)</td>', html, re.S):
        attrs = dict(re.findall(r'data-([a-z]+)="([^"]*)"', tr))
        out[int(attrs["assignment"])] = (attrs["status"], int(days) if days.strip().isdigit() else 0)
    return out


def sheet_rows(data: bytes, *headers: str) -> list[dict[str, object]]:
    """Rows of the first sheet whose header row holds all `headers`, as header -> value."""
    book = load_workbook(BytesIO(data), read_only=True)
    for sheet in book.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        for i, row in enumerate(rows):
            names = [str(c).strip() if c is not None else "" for c in row]
            if all(h in names for h in headers):
                return [dict(zip(names, r)) for r in rows[i + 1:] if any(c not in (None, "") for c in r)]
    raise AssertionError(f"no sheet has the columns {headers}")


def docx_rows(data: bytes, header: str) -> list[dict[str, str]]:
    document = Document(BytesIO(data))
    for table in document.tables:
        names = [c.text.strip() for c in table.rows[0].cells]
        if header in names:
            return [dict(zip(names, [c.text.strip() for c in r.cells])) for r in table.rows[1:]]
    raise AssertionError(f"no table has the column {header}")


def _cell_date(value) -> date | None:
    if value in (None, ""):
        return None
    if hasattr(value, "date"):
        return value.date()
    if isinstance(value, date):
        return value
    m = re.match(r"(\d{4})\D+(\d{1,2})\D+(\d{1,2})", str(value))
    return date(int(m[1]), int(m[2]), int(m[3])) if m else None


# --- the truth: the status module --------------------------------------------------------------------


class Truth:
    """What the status module says about a plan's assignments on one date."""

    def __init__(self, plan: Plan, as_of: date):
        self.plan, self.as_of = plan, as_of
        self.rules = StatusRules.at(as_of, calendar=current_calendar())
        self.assignments = list(db.session.scalars(sa.select(Assignment).where(Assignment.plan_id == plan.id)))
        self.state = {a.id: self.rules.state(a) for a in self.assignments}
        self.by_id = {a.id: a for a in self.assignments}
        units = dict(db.session.execute(sa.select(Unit.id, Unit.name)).all())
        refs = dict(db.session.execute(sa.select(Task.id, Task.ref).where(Task.plan_id == plan.id)).all())
        self.key = {a.id: (units[a.unit_id], str(refs[a.task_id]), a.due_on) for a in self.assignments}
        self.issued = reminders_issued(self.by_id, as_of)

    def ids(self, status: str) -> set[int]:
        return {i for i, s in self.state.items() if s.status == status}

    def days(self) -> dict[int, int]:
        return {i: s.overdue_workdays for i, s in self.state.items() if s.status == "overdue"}

    def counts(self) -> dict[str, int]:
        c = Counter(s.status for s in self.state.values())
        return {s: c.get(s, 0) for s in ("completed", "on_track", "due_soon", "overdue")}

    def unit_days(self) -> dict[int, tuple[int, int]]:
        out: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        for i, d in self.days().items():
            out[self.by_id[i].unit_id][0] += 1
            out[self.by_id[i].unit_id][1] += d
        return {u: tuple(v) for u, v in out.items()}

    def keyed_days(self) -> Counter:
        return Counter((*self.key[i], d) for i, d in self.days().items())


def _login(client, username: str, password: str) -> None:
    client.get("/logout")
    assert client.post("/login", data={"username": username, "password": password}).status_code == 302


def check_plan(app, client, plan: Plan, as_of: date, *, staff: tuple[str, str], reporter: tuple[str, str] | None,
               checked: Counter) -> Truth:
    """Collect every view's figures about the plan on as_of and assert each equals the status module's."""
    truth = Truth(plan, as_of)
    q = f"plan={plan.id}&as_of={as_of.isoformat()}"
    _login(client, *staff)

    # Dashboard: the cards, the unit rows, the list behind the overdue card.
    html = _html(client, f"/dashboard/?{q}")
    assert dashboard_cards(html) == truth.counts(), (plan.title, as_of)
    shown_units = {int(r["unit"]): (int(r["overdue"]), int(r["days"])) for r in _rows(html, "unit")
                   if int(r["overdue"])}
    assert shown_units == truth.unit_days()
    listed = {int(r["assignment"]): int(r["days"]) for r in _rows(
        _html(client, f"/dashboard/assignments?{q}&status=overdue"), "assignment")}
    assert listed == truth.days()
    checked["dashboard"] += 1

    # 逾期情况汇总: days and reminders/escalations issued per item.
    summary = summary_rows(client, f"/dashboard/overdue?{q}")
    assert {int(r["assignment"]): int(r["days"]) for r in summary} == truth.days()
    issued = {int(r["assignment"]): (int(r["reminders"]), int(r["escalations"])) for r in summary}
    assert issued == {i: (truth.issued[i].reminders, truth.issued[i].escalations) if i in truth.issued else (0, 0)
                      for i in truth.days()}
    # its print view (issue 21): every unit on one page, the same days and reminders
    printed = []
    for tr, cell in re.findall(r'(<tr data-assignment[^>]*>).*?<td class="issued" ([^>]*)>',
                               _html(client, f"/dashboard/overdue/print?{q}"), re.S):
        printed.append(dict(re.findall(r'data-([a-z]+)="([^"]*)"', tr)) | dict(re.findall(r'data-([a-z]+)="([^"]*)"', cell)))
    assert {int(r["assignment"]): int(r["days"]) for r in printed} == truth.days()
    assert {int(r["assignment"]): (int(r["reminders"]), int(r["escalations"])) for r in printed} == issued
    listed_print = {int(r["assignment"]): int(r["days"]) for r in _rows(
        _html(client, f"/dashboard/assignments/print?{q}&status=overdue"), "assignment")}
    assert listed_print == truth.days()
    checked["summary"] += 1

    # 督办 → 逾期与临期, as of the same date.
    shown = supervise_rows(_html(client, f"/supervise/overdue?{q}"))
    assert {i for i, (s, _) in shown.items() if s == "overdue"} == truth.ids("overdue")
    assert {i for i, (s, _) in shown.items() if s == "due_soon"} == truth.ids("due_soon")
    assert {i: d for i, (s, d) in shown.items() if s == "overdue"} == truth.days()
    checked["supervise"] += 1

    # Workbooks: 逾期清单 (days and 催办次数) and 工作台账's 承办明细 (days per assignment). Rows are
    # found by their header cells; subtotal and total rows (no running 序号) are left out.
    overdue_book = [r for r in sheet_rows(client.get(f"/exports/overdue?{q}").data,
                                          "承办单位", "任务编号", "逾期工作日", "催办次数")
                    if isinstance(r.get("序号"), int)]
    got = Counter((r["承办单位"], str(r["任务编号"]), _cell_date(r["完成时限"]), int(r["逾期工作日"] or 0))
                  for r in overdue_book)
    assert got == truth.keyed_days()
    reminded = Counter((r["承办单位"], str(r["任务编号"]), _cell_date(r["完成时限"]), int(r["催办次数"] or 0))
                       for r in overdue_book)
    assert reminded == Counter((*truth.key[i], truth.issued[i].reminders if i in truth.issued else 0)
                               for i in truth.days())
    ledger = [r for r in sheet_rows(client.get(f"/exports/ledger?{q}").data, "承办单位", "任务编号", "逾期工作日")
              if isinstance(r.get("序号"), int)]
    got = Counter((r["承办单位"], str(r["任务编号"]), _cell_date(r["完成时限"]), int(r["逾期工作日"] or 0))
                  for r in ledger if r.get("逾期工作日") not in (None, "", 0))
    assert got == truth.keyed_days()
    assert len(ledger) == len(truth.assignments)
    checked["workbooks"] += 1

    # The public page (published for the check), on the same date.
    plan.is_published = True
    db.session.flush()
    from tracker.public.views import invalidate

    invalidate(plan.id)
    app.config["TODAY"] = as_of
    try:
        public = _html(client, f"/public/plans/{plan.id}")
    finally:
        app.config["TODAY"] = None
    tasks_state: dict[int, list[str]] = defaultdict(list)
    for a in truth.assignments:
        tasks_state[a.task_id].append(truth.state[a.id].status)
    expected = Counter("completed" if all(s == "completed" for s in v) else "overdue" if "overdue" in v
                       else "in_progress" for v in tasks_state.values())
    shown_public = Counter(re.findall(r'<span class="pub-status (completed|overdue|in_progress)">', public))
    assert shown_public["overdue"] == expected["overdue"] and shown_public["completed"] == expected["completed"]
    checked["public"] += 1

    # The assessment's lateness items (scored on the same date, same calendar).
    from tracker.assessment import services as assessment
    from tracker.errors import ServiceError

    try:
        _, rubric = assessment.plan_rubric(plan)
    except ServiceError:
        rubric = None
    if rubric is not None:
        result = assessment.compute_result([plan], rubric, as_of, calendar=current_calendar())
        late = {}
        for unit in result.units:
            for item in unit.items:
                m = re.search(r"截至.+?仍未完成，逾期(\d+)个工作日", item.explanation)
                if item.source_type == "assignment" and m:
                    late[item.source_id] = int(m[1])
        assert late, (plan.title, as_of)
        for aid, days in late.items():
            a = truth.by_id[aid]
            if a.original_due_on in (None, a.due_on):  # scoring keeps the original due date
                assert truth.state[aid].status == "overdue" and truth.state[aid].overdue_workdays == days, aid
        checked["assessment"] += 1

    # The .docx notices the sweep issued on this date: 督办 and 催办 figures as of their date.
    for notice in db.session.scalars(sa.select(EscalationNotice).where(EscalationNotice.issued_on == as_of)):
        if notice.unit_id not in {a.unit_id for a in truth.assignments}:
            continue
        rows = docx_rows(client.get(f"/supervise/escalations/{notice.id}.docx").data, "逾期工作日")
        units_items = {(clause_label(truth.key[i][1]), truth.key[i][2]): d for i, d in truth.days().items()
                       if truth.by_id[i].unit_id == notice.unit_id}
        for r in rows:
            due = _cell_date(next(v for k, v in r.items() if "时限" in k))
            ref = next(v for k, v in r.items() if "条款" in k)
            if (ref, due) in units_items:
                assert int(r["逾期工作日"]) == units_items[(ref, due)], (notice.doc_number, r)
                checked["docx"] += 1

    # A reporter of a unit in the plan: 我的任务's 已逾期 and its rows; the reporter's 督办 page.
    if reporter is not None:
        _login(client, *reporter)
        unit_id = db.session.scalar(sa.select(User.unit_id).where(User.username == reporter[0]))
        mine = {i for i in truth.ids("overdue") if truth.by_id[i].unit_id == unit_id}
        html = _html(client, f"/my/tasks?{q}&status=overdue")
        all_overdue = db.session.scalar(sa.select(sa.func.count()).select_from(Assignment).where(
            Assignment.unit_id == unit_id, StatusRules.at(as_of, calendar=current_calendar()).overdue()))
        if all_overdue:
            assert f"已逾期（{all_overdue}）" in html
        rows = re.findall(r'<tr data-assignment="(\d+)">.*?data-status="(\w+)"(?: data-days="(\d+)")?', html, re.S)
        shown_mine = {int(i): int(d) for i, s, d in rows if s == "overdue" and int(i) in truth.by_id}
        assert shown_mine == {i: truth.days()[i] for i in mine}
        printed = re.findall(r'<tr data-assignment="(\d+)" data-status="(\w+)" data-days="(\d*)"',
                             _html(client, f"/my/tasks/print?{q}&status=overdue"))
        assert {int(i): int(d) for i, s, d in printed if s == "overdue"} == {i: truth.days()[i] for i in mine}
        page = _html(client, f"/supervise/overdue?as_of={as_of.isoformat()}")
        assert re.search(rf"逾期 {all_overdue}<", page), "the reporter's 督办 page and 我的任务 disagree"
        checked["reporter"] += 1
    return truth


@pytest.fixture
def big_pages(app):
    before = app.config["PAGE_SIZE"]
    app.config["PAGE_SIZE"] = BIG_PAGE
    yield
    app.config["PAGE_SIZE"] = before


@pytest.mark.slow
def test_every_view_agrees_on_the_demo_at_three_dates(app, client, big_pages):
    load_demo(progress=lambda *args: None)
    plans = list(db.session.scalars(sa.select(Plan).where(sa.exists().where(Assignment.plan_id == Plan.id))
                                    .order_by(Plan.id)))
    assert len(plans) == 3
    # the third is the 2021 annual report plan (one assignment per unit; 市财政局 owes one)
    assert plans[2].title == "2021年度政府信息公开工作年度报告"
    people = {plans[0].id: (("admin", DEMO_PASSWORD), ("caizheng", DEMO_PASSWORD)),
              plans[1].id: (("admin", DEMO_PASSWORD), ("xiaoyiban", DEMO_PASSWORD)),
              plans[2].id: (("admin", DEMO_PASSWORD), ("caizheng", DEMO_PASSWORD))}
    checked: Counter = Counter()
    overdue = []
    for as_of in DATES:
        for plan in plans:
            staff, reporter = people[plan.id]
            truth = check_plan(app, client, plan, as_of, staff=staff, reporter=reporter, checked=checked)
            overdue.append(len(truth.ids("overdue")))
    # 3 plans at 3 dates
    assert checked["dashboard"] == checked["summary"] == checked["workbooks"] == checked["public"] == 9
    assert checked["reporter"] == 9 and checked["docx"] > 0
    assert sum(overdue) > 0


# --- a generated world with items on every boundary ----------------------------------------------


AS_OF = date(2021, 11, 15)  # a Monday; the 3-working-day window ends on Thursday 18 November


@pytest.mark.slow
def test_every_view_agrees_on_a_generated_world_and_its_boundaries(app, client, big_pages):
    w = build_world()
    for a in (w.a_fin, w.a_aud):
        a.status = "completed"
    plan = w.plan
    due = {
        "today": AS_OF,                       # due on the as-of date: due soon, not overdue
        "window_end": date(2021, 11, 18),     # the last day of the window: due soon
        "beyond": date(2021, 11, 19),         # on track
        "friday": date(2021, 11, 12),         # due Friday, open Monday: overdue by 1
        "holiday": date(2021, 9, 30),         # across the National Day holiday: 28 working days
    }
    made = {}
    for i, (name, d) in enumerate(due.items(), 2):
        for unit in (w.finance, w.county):
            t = TaskFactory(plan=plan, ref=f"{i}.{unit.id}", title=f"边界{name}", deadline=d)
            made[(name, unit.id)] = AssignmentFactory(task=t, unit=unit, due_on=d, original_due_on=d, role="lead")
    db.session.flush()
    # Manual 催办 (issue 21): the county's holiday item by hand on 10 November and again on the as-of
    # date (two reminders); the finance one by hand on the as-of date, before the sweep (one: the
    # sweep adds none that day).
    from tracker.supervise.remind import send_reminders

    assert len(send_reminders(w.supervisor, [made[("holiday", w.county.id)].id], today=date(2021, 11, 10)).sent) == 1
    assert len(send_reminders(w.supervisor, [made[("holiday", w.county.id)].id, made[("holiday", w.finance.id)].id],
                              today=AS_OF).sent) == 2
    supervise.sweep(AS_OF)
    db.session.flush()
    UserFactory(username="rep-county", role="reporter", unit=w.county, display_name="县填报员")
    db.session.flush()
    checked: Counter = Counter()
    truth = check_plan(app, client, plan, AS_OF, staff=("admin1", "password123"),
                       reporter=("rep1", "password123"), checked=checked)
    assert truth.issued[made[("holiday", w.county.id)].id].reminders == 2
    assert truth.issued[made[("holiday", w.finance.id)].id].reminders == 1
    st = {name: truth.state[made[(name, w.finance.id)].id] for name in due}
    assert (st["today"].status, st["today"].overdue_workdays) == ("due_soon", 0)
    assert st["window_end"].status == "due_soon" and st["beyond"].status == "on_track"
    assert (st["friday"].status, st["friday"].overdue_workdays) == ("overdue", 1)
    # 30 Sep → 15 Nov: 8, 9 (make-up), 11–15 Oct, 18–22, 25–29 Oct, 1–5, 8–12 and 15 Nov.
    assert st["holiday"].overdue_workdays == 2 + 5 * 5 + 1
    # The sweep's flags and reminders follow the same rules.
    flags = {name: made[(name, w.finance.id)].alert for name in due}
    assert flags == {"today": "due_soon", "window_end": "due_soon", "beyond": None, "friday": "overdue",
                     "holiday": "overdue"}
    # 8 items in the window, one reminded twice by hand
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Reminder)) == 9
    assert checked["docx"] > 0 and checked["reporter"] == 1


# --- issue 16: an ad-hoc item (交办件), a moved and a closed (不再承办) assignment ---------------------


@pytest.mark.slow
def test_every_view_agrees_on_an_adhoc_item_and_moved_and_closed_assignments(app, client, big_pages):
    from tests.factories import ReportFactory
    from tracker.plans import assign

    w = build_world()
    item = assign.create_item(None, w.city, assign.ItemInput(
        source="领导批示", title="落实批示：公开停车收费标准", text="限期公开。", due=date(2021, 11, 12),
        lead=[w.finance], responsible=[w.county], source_date=date(2021, 11, 1), doc_number="批〔2021〕9号"))
    extra = TaskFactory(plan=w.plan, ref="2", title="第二项", deadline=date(2021, 10, 29))
    kept = AssignmentFactory(task=extra, unit=w.finance, role="lead", due_on=date(2021, 10, 29),
                             original_due_on=date(2021, 10, 29))
    closed = AssignmentFactory(task=extra, unit=w.audit, due_on=date(2021, 10, 29), original_due_on=date(2021, 10, 29))
    ReportFactory(assignment=closed)
    assign.withdraw_assignment(None, closed, "职责调整")
    assign.move_assignment(None, w.a_aud, w.county)
    db.session.flush()
    supervise.sweep(AS_OF)
    db.session.flush()
    UserFactory(username="rep-county", role="reporter", unit=w.county, display_name="县填报员")
    db.session.flush()
    checked: Counter = Counter()
    item_truth = check_plan(app, client, item.plan, AS_OF, staff=("admin1", "password123"),
                            reporter=("rep-county", "password123"), checked=checked)
    # due Friday 12 November, open on Monday 15th: both units 1 working day overdue
    assert item_truth.days() == {a.id: 1 for a in item.assignments}
    plan_truth = check_plan(app, client, w.plan, AS_OF, staff=("admin1", "password123"),
                            reporter=("rep-county", "password123"), checked=checked)
    assert closed.id not in plan_truth.by_id and kept.id in plan_truth.by_id
    assert plan_truth.by_id[w.a_aud.id].unit_id == w.county.id
    assert checked["dashboard"] == checked["workbooks"] == checked["reporter"] == 2


# --- issue 15: the province overview adds up each city's dashboards ------------------------------


def dashboard_tasks(html: str) -> int:
    """The dashboard's 任务 card: tasks that have a unit assigned."""
    return int(re.search(r'<div class="small text-muted">任务</div><div class="num"><a [^>]*>(\d+)</a>', html).group(1))


@pytest.mark.parametrize("as_of", [date(2021, 11, 12), date(2021, 11, 15), date(2021, 12, 31)])
def test_the_province_overview_agrees_with_each_citys_dashboards(app, client, as_of):
    from tests.dashboard.province_world import build_province

    world = build_province()
    _login(client, world.users.supervisor.username, "password123")
    html = _html(client, f"/dashboard/province?year=2021&as_of={as_of.isoformat()}")
    overview = {int(r["city"]): r for r in _rows(html, "city")}
    assert len(overview) == 4
    for key, city in (("jia", world.jia), ("yi", world.yi), ("bing", world.bing), ("ding", world.ding)):
        cards: Counter = Counter()
        tasks = 0
        for plan in world.plans[key]:
            page = _html(client, f"/dashboard/?plan={plan.id}&as_of={as_of.isoformat()}")
            cards.update(dashboard_cards(page))
            tasks += dashboard_tasks(page)
        row = overview[city.id]
        assert int(row["plans"]) == len(world.plans[key]), city.name
        assert int(row["tasks"]) == tasks, city.name
        assert int(row["assignments"]) == sum(cards.values()), city.name
        assert (int(row["completed"]), int(row["overdue"])) == (cards["completed"], cards["overdue"]), city.name
        # 按时办结 as status.py's Python form counts it, assignment by assignment
        rules = StatusRules.at(as_of, tz="Asia/Shanghai", calendar=current_calendar())
        loaded = db.session.scalars(sa.select(Assignment).where(
            Assignment.plan_id.in_([p.id for p in world.plans[key]]))).all()
        assert int(row["ontime"]) == sum(rules.is_completed_on_time(a) for a in loaded), city.name
