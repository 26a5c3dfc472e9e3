"""factory_boy factories bound to the per-test session."""
from __future__ import annotations

import itertools
from datetime import date
from types import SimpleNamespace

import factory
from werkzeug.security import generate_password_hash

from tracker.accounts.models import User
from tracker.extensions import db
from tracker.plans.models import Assignment, Plan, Task
from tracker.units.models import Unit, UnitGroup

# Hashing once keeps the suite fast; scrypt per user would dominate the run time.
PASSWORD_HASH = generate_password_hash("password123", method="scrypt")
_seq = itertools.count(1)


class Base(factory.alchemy.SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731 - the session changes per test
        sqlalchemy_session_persistence = "flush"


class UnitFactory(Base):
    class Meta:
        model = Unit

    name = factory.Sequence(lambda n: f"测试单位{n}")
    kind = "city_dept"
    category = "B"
    aliases = factory.LazyFunction(list)
    #: units are listed in the order the test creates them, as a directory lists them
    sort_order = factory.Sequence(lambda n: n + 1)

    @factory.post_generation
    def set_path(obj, create, extracted, **kwargs):
        db.session.flush()
        obj.path = (obj.parent.path if obj.parent else "/") + f"{obj.id}/"
        db.session.flush()


class UserFactory(Base):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    password_hash = PASSWORD_HASH
    role = "reporter"


class PlanFactory(Base):
    class Meta:
        model = Plan

    title = factory.Sequence(lambda n: f"测试市2021年政务公开工作要点{n}")
    year = 2021
    issued_on = date(2021, 7, 1)


class TaskFactory(Base):
    class Meta:
        model = Task

    plan = factory.SubFactory(PlanFactory)
    ref = factory.Sequence(lambda n: str(n))
    position = factory.Sequence(lambda n: n)
    title = factory.Sequence(lambda n: f"任务{n}")
    text = "做好相关信息公开工作。"
    section = "一、扩大公开范围"
    path = factory.LazyFunction(lambda: ["一、扩大公开范围"])
    deadline = date(2021, 12, 31)
    deadline_kind = "year_end"
    deadline_text = "年底前"


class AssignmentFactory(Base):
    class Meta:
        model = Assignment

    task = factory.SubFactory(TaskFactory)
    plan = factory.LazyAttribute(lambda o: o.task.plan)
    role = "responsible"
    due_on = factory.LazyAttribute(lambda o: o.task.deadline)
    original_due_on = factory.LazyAttribute(lambda o: o.task.deadline)
    deadline_kind = factory.LazyAttribute(lambda o: o.task.deadline_kind)


class GroupFactory(Base):
    class Meta:
        model = UnitGroup

    phrase = "各县（市、区）人民政府"


def build_world() -> SimpleNamespace:
    """Two jurisdictions; the first with two departments and a county, one user per role, a plan."""
    city = UnitFactory(name="测试市人民政府", short_name="市政府", kind="city_gov", category=None)
    finance = UnitFactory(name="测试市财政局", short_name="市财政局", parent=city, aliases=["财政局"])
    audit = UnitFactory(name="测试市审计局", short_name="市审计局", parent=city)
    county = UnitFactory(name="测试县人民政府", short_name="测试县政府", kind="county_gov", category="A", parent=city)
    other_city = UnitFactory(name="别市人民政府", short_name="别市政府", kind="city_gov", category=None)
    other_dept = UnitFactory(name="别市财政局", parent=other_city)
    admin = UserFactory(username="admin1", role="admin", display_name="管理员")
    supervisor = UserFactory(username="super1", role="supervisor", unit=city, display_name="督查员")
    leader = UserFactory(username="leader1", role="leader", unit=city, display_name="领导")
    reporter = UserFactory(username="rep1", role="reporter", unit=finance, display_name="财政填报员")
    reporter2 = UserFactory(username="rep2", role="reporter", unit=audit, display_name="审计填报员")
    other_supervisor = UserFactory(username="super2", role="supervisor", unit=other_city)
    plan = PlanFactory(unit=city, doc_number="测政办发〔2021〕1号")
    task = TaskFactory(plan=plan, title="做好财政信息公开", ref="1")
    a_fin = AssignmentFactory(task=task, unit=finance, role="lead")
    a_aud = AssignmentFactory(task=task, unit=audit)
    other_plan = PlanFactory(unit=other_city)
    other_task = TaskFactory(plan=other_plan)
    a_other = AssignmentFactory(task=other_task, unit=other_dept)
    db.session.flush()
    return SimpleNamespace(**locals())


# --- reports (issue 4) ---
from tracker.reports.models import ProgressReport  # noqa: E402 - appended section
from tracker.timeutil import utcnow  # noqa: E402


class ReportFactory(Base):
    """A submitted progress report; pass assignment=… (unit_id follows it)."""

    class Meta:
        model = ProgressReport

    assignment = None
    unit_id = factory.LazyAttribute(lambda o: o.assignment.unit_id)
    text = "已在政府网站发布相关信息。"
    progress = 50
    status = "submitted"
    submitted_at = factory.LazyFunction(utcnow)


# --- assessment (issue 6) ---
from tracker.supervise.models import (  # noqa: E402 - appended section
    Circular,
    CircularUnit,
    PeriodicCheck,
    RectificationItem,
    RectificationNotice,
)

_notice_numbers = itertools.count(1)


class RectificationNoticeFactory(Base):
    """A look-back notice to one unit; pass plan=… and unit=…."""

    class Meta:
        model = RectificationNotice

    plan = None
    unit = None
    prefix = "测政办整改"
    year = 2021
    number = factory.LazyFunction(lambda: next(_notice_numbers))
    doc_number = factory.LazyAttribute(lambda o: f"{o.prefix}〔{o.year}〕{o.number}号")
    title = "关于整改落实工作要点未完成事项的通知"
    issued_on = date(2021, 10, 15)
    due_on = date(2021, 11, 1)


class RectificationItemFactory(Base):
    """One item of a notice; pass notice=… and assignment=… (unit_id follows the notice)."""

    class Meta:
        model = RectificationItem

    notice = None
    assignment = None
    unit_id = factory.LazyAttribute(lambda o: o.notice.unit_id)
    status = "open"


class CircularFactory(Base):
    """A published circular of criticism on a plan; add names with CircularUnit(unit_id=…)."""

    class Meta:
        model = Circular

    plan = None
    kind = "criticism"
    title = "关于工作要点逾期未办结事项的通报"
    as_of = date(2021, 11, 1)
    status = "published"
    issued_on = date(2021, 11, 1)

    @factory.post_generation
    def names(obj, create, extracted, **kwargs):
        for position, unit in enumerate(extracted or []):
            obj.units.append(CircularUnit(unit_id=unit.id, count=1, position=position))
        db.session.flush()


class PeriodicCheckFactory(Base):
    """A reporting period of a continuous task; pass assignment=…."""

    class Meta:
        model = PeriodicCheck

    assignment = None
    unit_id = factory.LazyAttribute(lambda o: o.assignment.unit_id)
    period_start = date(2021, 7, 1)
    period_end = date(2021, 9, 30)
    is_missed = True
    checked_on = date(2021, 10, 8)
