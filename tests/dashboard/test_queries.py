from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from tests.dashboard.conftest import AS_OF, utc
from tests.factories import AssignmentFactory, PlanFactory, TaskFactory
from tracker.extensions import db
from tracker.inbox.services import notify_unit
from tracker.dashboard import queries as q
from tracker.dashboard.queries import Filters, StatusRules


def city_filters(scene, **kw) -> Filters:
    return Filters(plan_id=scene.world.plan.id, scope_path=scene.world.city.path, **kw)


def ids_with(flt: Filters, rules: StatusRules, status: str | None) -> set[int]:
    rows = db.session.execute(q.assignment_list(flt, rules, status)).all()
    return {row.Assignment.id for row in rows}


def test_status_rules_partition_the_scene(scene):
    rules = StatusRules.at(AS_OF)
    assert rules.soon_until == date(2021, 9, 18)  # Saturday 09-18 was a make-up workday
    flt = city_filters(scene)
    s = scene
    assert ids_with(flt, rules, "completed") == {s.a2.id, s.a3.id, s.a6.id}
    assert ids_with(flt, rules, "overdue") == {s.a1.id, s.a8.id}
    assert ids_with(flt, rules, "due_soon") == {s.a4.id}
    assert ids_with(flt, rules, "on_track") == {s.a5.id, s.a7.id, s.world.a_fin.id, s.world.a_aud.id}
    assert ids_with(flt, rules, None) == {s.a1.id, s.a2.id, s.a3.id, s.a4.id, s.a5.id, s.a6.id, s.a7.id,
                                          s.a8.id, s.world.a_fin.id, s.world.a_aud.id}


def test_overview_counts_and_rate(scene):
    ov = q.overview(city_filters(scene), StatusRules.at(AS_OF))
    assert (ov.tasks, ov.assignments, ov.completed, ov.on_track, ov.due_soon, ov.overdue) == (4, 10, 3, 4, 1, 2)
    assert ov.rate == 30.0


def test_admin_scope_includes_units_outside_the_city(scene):
    ov = q.overview(Filters(plan_id=scene.world.plan.id), StatusRules.at(AS_OF))
    assert (ov.assignments, ov.overdue) == (11, 3)


def test_due_today_is_due_soon_not_overdue(scene):
    rules = StatusRules.at(date(2021, 9, 16))
    assert scene.a4.id in ids_with(city_filters(scene), rules, "due_soon")
    assert scene.a4.id in ids_with(city_filters(scene), StatusRules.at(date(2021, 9, 17)), "overdue")


def test_replay_treats_later_completion_as_open(scene):
    # a3 was completed on 09-10, after its 08-31 deadline: overdue on 09-05, completed on 09-15.
    assert scene.a3.id in ids_with(city_filters(scene), StatusRules.at(date(2021, 9, 5)), "overdue")
    assert scene.a3.id in ids_with(city_filters(scene), StatusRules.at(AS_OF), "completed")


def test_completion_is_judged_by_the_local_day(scene):
    # 17:00 UTC on 09-05 is 01:00 on 09-06 in Beijing: still open on 09-05, completed on 09-06.
    scene.a1.status = "completed"
    scene.a1.completed_at = utc(2021, 9, 5, 17, 0)
    db.session.flush()
    flt = city_filters(scene)
    assert scene.a1.id in ids_with(flt, StatusRules.at(date(2021, 9, 5)), "overdue")
    assert scene.a1.id in ids_with(flt, StatusRules.at(date(2021, 9, 6)), "completed")
    assert q.local_day_end(date(2021, 9, 5)) == datetime(2021, 9, 5, 16, 0, tzinfo=timezone.utc)


def test_filters_by_unit_section_and_category(scene):
    rules = StatusRules.at(AS_OF)
    s = scene
    assert ids_with(city_filters(s, unit_id=s.world.county.id), rules, None) == {s.a3.id, s.a6.id, s.a8.id}
    assert ids_with(city_filters(s, section="二、强化政策解读"), rules, None) == {s.a4.id, s.a5.id, s.a6.id}
    assert ids_with(city_filters(s, section=q.NO_SECTION), rules, None) == {s.a7.id, s.a8.id}
    assert ids_with(city_filters(s, category="A"), rules, None) == {s.a3.id, s.a6.id, s.a8.id}
    assert ids_with(city_filters(s, category="B", section="一、扩大公开范围"), rules, "overdue") == {s.a1.id}


def test_unit_rows_with_working_days_overdue(scene):
    rows = {r.name: r for r in q.unit_rows(city_filters(scene), StatusRules.at(AS_OF))}
    assert set(rows) == {"测试市财政局", "测试市审计局", "测试县人民政府", "测试县财政局"}
    fin, county = rows["测试市财政局"], rows["测试县人民政府"]
    assert (fin.assignments, fin.completed, fin.due_soon, fin.overdue, fin.days_overdue) == (3, 0, 1, 1, 11)
    assert (county.assignments, county.completed, county.overdue, county.days_overdue) == (3, 2, 1, 3)
    assert round(county.rate, 1) == 66.7
    assert rows["测试市审计局"].days_overdue == 0


def test_working_days_sum_over_several_due_dates_of_one_unit(scene):
    extra = TaskFactory(plan=scene.world.plan, deadline=date(2021, 9, 10))
    AssignmentFactory(task=extra, unit=scene.world.finance)
    AssignmentFactory(task=TaskFactory(plan=scene.world.plan, deadline=date(2021, 9, 10)), unit=scene.world.finance)
    db.session.flush()
    days = {r.unit_id: r.days_overdue for r in q.unit_rows(city_filters(scene), StatusRules.at(AS_OF)) if r.overdue}
    assert days[scene.world.finance.id] == 11 + 3 + 3
    assert days[scene.world.county.id] == 3


def test_sort_units_keys_and_ties(scene):
    rows = q.unit_rows(city_filters(scene), StatusRules.at(AS_OF))
    # finance and county both have one overdue item; finance has more working days overdue.
    assert [r.name for r in q.sort_units(rows)] == ["测试市财政局", "测试县人民政府", "测试县财政局", "测试市审计局"]
    assert [r.name for r in q.sort_units(rows, "rate")][:2] == ["测试县财政局", "测试市财政局"]
    assert [r.name for r in q.sort_units(rows, "rate", descending=True)][0] == "测试县人民政府"
    assert [r.name for r in q.sort_units(rows, "name")] == sorted(r.name for r in rows)


def test_sections_in_document_order_with_ungrouped_last(scene):
    rows = q.section_rows(city_filters(scene), StatusRules.at(AS_OF))
    assert [(r.label, r.assignments, r.overdue) for r in rows] == [
        ("一、扩大公开范围", 5, 1), ("二、强化政策解读", 3, 0), (q.NO_SECTION_LABEL, 2, 1),
    ]
    assert rows[-1].key == q.NO_SECTION


def test_trend_days_are_sundays_then_as_of():
    days = q.trend_days(date(2021, 7, 14), date(2021, 8, 4))
    assert days == [date(2021, 7, 18), date(2021, 7, 25), date(2021, 8, 1), date(2021, 8, 4)]
    assert q.trend_days(date(2021, 7, 14), date(2021, 8, 1))[-2:] == [date(2021, 7, 25), date(2021, 8, 1)]
    assert q.trend_days(None, date(2021, 8, 4)) == [date(2021, 8, 4)]
    assert q.trend_days(date(2021, 9, 1), date(2021, 8, 4)) == [date(2021, 8, 4)]
    assert len(q.trend_days(date(2019, 1, 1), date(2021, 8, 4))) == q.MAX_TREND_POINTS


def test_trend_points_equal_the_overdue_count_on_each_day(scene):
    flt = city_filters(scene)
    days = q.trend_days(date(2021, 8, 20), AS_OF)
    points = q.overdue_trend(flt, days)
    assert [p.day for p in points] == days
    expected = [q.overview(flt, StatusRules.at(d)).overdue for d in days]
    assert [p.overdue for p in points] == expected
    # 09-05: a1 and a3 (completed only on 09-10) are overdue; 09-12: a3 done, a8 late; 09-15: a1, a8.
    assert [p.overdue for p in points] == [0, 0, 2, 2, 2]


def test_default_plan_prefers_this_year_and_own_jurisdiction(world):
    mine = PlanFactory(unit=world.city, year=2022, issued_on=date(2022, 3, 1))
    other = PlanFactory(unit=world.other_city, year=2022, issued_on=date(2022, 5, 1))
    old = PlanFactory(unit=world.city, year=2020, issued_on=date(2020, 3, 1))
    plans = [world.plan, mine, other, old]
    assert q.default_plan(plans, 2022, world.city.id) == mine
    assert q.default_plan(plans, 2022, None) == other
    assert q.default_plan(plans, 2021, world.city.id) == world.plan
    assert q.default_plan(plans, 2030, world.city.id) == other
    assert q.default_plan([], 2021, None) is None


def test_reminders_issued_counts_the_sweeps_rows_up_to_the_date(scene, world):
    from tracker.supervise.models import EscalationItem, EscalationNotice, Reminder

    a1 = scene.a1
    for stage, on in (("due_soon", date(2021, 8, 30)), ("overdue", date(2021, 9, 1)), ("overdue", date(2021, 12, 1))):
        db.session.add(Reminder(assignment_id=a1.id, unit_id=a1.unit_id, stage=stage,
                                due_on=on if on.month == 12 else a1.due_on, sweep_on=on))
    notice = EscalationNotice(unit_id=a1.unit_id, issued_on=date(2021, 9, 8), prefix="督办", number=3,
                              doc_number="督办〔2021〕3号")
    db.session.add(notice)
    db.session.flush()
    db.session.add(EscalationItem(notice_id=notice.id, assignment_id=a1.id, due_on=a1.due_on))
    # An inbox message about the assignment is not a reminder issued.
    notify_unit(world.finance.id, kind="reminder", title="催办", object_type="assignment", object_id=a1.id)
    db.session.flush()
    got = q.reminders_issued([a1.id, scene.a8.id], date(2021, 9, 10))
    assert set(got) == {a1.id}
    assert (got[a1.id].reminders, got[a1.id].escalations, got[a1.id].doc_numbers) == (2, 1, ["督办〔2021〕3号"])
    assert got[a1.id].text == "催办2次；督办1次（督办〔2021〕3号）"
    assert q.reminders_issued([a1.id], date(2021, 9, 7))[a1.id].escalations == 0
    assert q.reminders_issued([a1.id], date(2021, 8, 29)) == {}


def test_last_reports_take_the_latest_submitted(scene):
    from tracker.reports.models import ProgressReport

    base = utc(2021, 9, 1, 2, 0)
    for i, status in enumerate(["approved", "returned", "draft"]):
        db.session.add(ProgressReport(assignment_id=scene.a1.id, unit_id=scene.a1.unit_id, status=status,
                                      submitted_at=None if status == "draft" else base + timedelta(days=i)))
    db.session.flush()
    got = q.last_reports([scene.a1.id, scene.a8.id])
    assert set(got) == {scene.a1.id}
    assert got[scene.a1.id].status == "returned"
    assert got[scene.a1.id].submitted_at == base + timedelta(days=1)


def test_empty_plan_gives_zero_counts(world):
    empty = PlanFactory(unit=world.city)
    data = q.dashboard(Filters(plan_id=empty.id, scope_path=world.city.path), StatusRules.at(AS_OF),
                       issued_on=empty.issued_on)
    assert data.overview.assignments == 0 and data.overview.rate is None
    assert data.units == [] and data.trend == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(
        q.assignment_list(Filters(plan_id=empty.id), StatusRules.at(AS_OF)).subquery())) == 0


def test_the_one_scan_statement_folds_to_the_same_figures_as_the_three(scene):
    """PostgreSQL answers the dashboard with one GROUPING SETS statement, SQLite with three:
    on PostgreSQL both are run here and must agree for every filter and date."""
    if db.session.get_bind().dialect.name != "postgresql":
        pytest.skip("GROUPING SETS is the PostgreSQL path; SQLite runs the three statements only")
    w = scene.world
    filters = [
        Filters(plan_id=w.plan.id), city_filters(scene), city_filters(scene, category="A"),
        city_filters(scene, section="一、扩大公开范围"), city_filters(scene, section=q.NO_SECTION),
        city_filters(scene, unit_id=w.county.id),
    ]
    for as_of in (date(2021, 8, 15), AS_OF, date(2021, 12, 31)):
        rules = StatusRules.at(as_of)
        days = q.trend_days(date(2021, 6, 1), as_of)
        for flt in filters:
            by_task, units, trend = q._one_scan(flt, rules, days, "Asia/Shanghai")
            assert by_task == q.status_counts(flt, rules), (flt, as_of)
            assert q._unit_rows(units, rules) == q.unit_rows(flt, rules), (flt, as_of)
            assert q._trend_points(trend, days) == q.overdue_trend(flt, days), (flt, as_of)
            one = q.dashboard(flt, rules, issued_on=date(2021, 6, 1))
            assert one.overview == q.overview(flt, rules)
            assert one.sections == q.section_rows(flt, rules)
