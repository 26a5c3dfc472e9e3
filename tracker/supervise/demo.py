"""Demo step: 孝义's 2020 plan with a look-back in January 2021, then the sweep on the demo date."""
from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from ..accounts import services as accounts
from ..accounts.models import User
from ..config import PROJECT_ROOT
from ..demo.services import DEMO_PASSWORD
from ..extensions import db
from ..plans import services as plans
from ..plans.models import Plan
from ..units import services as units
from ..timeutil import clock_at, local_instant
from ..units.models import Unit
from . import numbering, services
from .models import JobRun

XIAOYI = PROJECT_ROOT / "seeds" / "xiaoyi"
JURISDICTION = "孝义市人民政府"
DOC_NUMBER = "孝政办发〔2020〕35号"
LOOKBACK_DATE = date(2021, 1, 20)
DEMO_DATE = date(2021, 11, 15)
#: (username, display name, role, unit full name)
USERS = (
    ("xiaoyi", "陈督办（孝义市政府办公室）", "supervisor", JURISDICTION),
    ("xiaoyiban", "孙填报（孝义市政府办公室）", "reporter", "孝义市人民政府办公室"),
    # the office sends the look-back's notices, never to itself: a department receives one
    ("xiaoyifgj", "李填报（孝义市发展和改革局）", "reporter", "孝义市发展和改革局"),
)


def _import_plan(jurisdiction: Unit, result, progress) -> Plan:
    existing = db.session.scalar(sa.select(Plan).where(Plan.unit_id == jurisdiction.id, Plan.doc_number == DOC_NUMBER))
    if existing is not None:
        progress(f"孝义实施方案：《{existing.title}》已存在，跳过导入")
        return existing
    source = XIAOYI / "2020_implementation_plan.txt"
    imp = plans.start_import(None, jurisdiction, filename=source.name, data=source.read_bytes())
    for name, state in plans.name_states(imp).items():
        if state.is_open:
            plans.set_choice(None, imp, name, "drop")
            result.notes.append(f"孝义实施方案中的“{name}”未匹配单位名录，已删除")
    plan = plans.confirm(None, imp)
    progress(f"孝义实施方案：已导入《{plan.title}》")
    return plan


#: 孝义's plan was issued on 2020-07-10 and imported the next working day
IMPORTED_AT = date(2020, 7, 13)


def load(result, progress) -> None:
    with clock_at(local_instant(IMPORTED_AT, 10)):
        plan = _setup(result, progress)
    if plan is None:
        return
    with clock_at(local_instant(LOOKBACK_DATE, 9)):
        review = services.lookback(plan, LOOKBACK_DATE)
        db.session.flush()
    if review.message:
        progress(f"回头看：{review.message}")
    else:
        progress(f"回头看（{LOOKBACK_DATE}）：整改通知{review.notices}份、整改事项{review.items}项")
    # The morning sweep of the demo date, at the scheduler's hour.
    with clock_at(local_instant(DEMO_DATE, 8)):
        swept = services.sweep(DEMO_DATE)
        db.session.flush()
        _record_scheduled_sweep(swept)
    progress(f"逾期巡查（{DEMO_DATE}）：逾期{swept.overdue}项、临期{swept.due_soon}项，"
             f"新发催办{swept.reminders_created}条、督办通知{swept.escalations_created}份")


def _record_scheduled_sweep(swept) -> None:
    """The story's sweep is the scheduler's 08:00 run of the demo date: the 定时任务 page lists it so."""
    done = db.session.scalar(sa.select(sa.exists().where(JobRun.job_id == "sweep", JobRun.as_of == DEMO_DATE)))
    if not done:
        at = local_instant(DEMO_DATE, 8)
        db.session.add(JobRun(job_id="sweep", trigger="scheduler", as_of=DEMO_DATE, started_at=at,
                              finished_at=at + timedelta(seconds=2), outcome="ok", counts=swept.to_json()))
        db.session.flush()


def _setup(result, progress) -> Plan | None:
    directory = XIAOYI / "units.yaml"
    doc = units.parse_directory(directory.name, directory.read_bytes())
    imported = units.import_directory(None, doc)
    progress(f"孝义单位名录：新建{len(imported.created)}个，更新{len(imported.updated)}个")
    numbering.ensure_office("孝义市人民政府办公室", "孝政办", contact="联系人：孙敏，联系电话：0358-7622345",
                            cc="孝义市政务公开领导小组成员单位")
    jurisdiction = db.session.scalar(sa.select(Unit).where(Unit.name == JURISDICTION))
    if jurisdiction is None:
        result.notes.append(f"未找到{JURISDICTION}，跳过回头看演示")
        return None
    plan = _import_plan(jurisdiction, result, progress)
    # Accounts first, so the look-back's and the sweep's messages reach them.
    for username, name, role, unit_name in USERS:
        unit = db.session.scalar(sa.select(Unit).where(Unit.name == unit_name))
        if unit is None:
            result.notes.append(f"未找到单位“{unit_name}”，跳过用户 {username}")
            continue
        if not db.session.scalar(sa.select(User.id).where(User.username == username)):
            accounts.create_user(None, username=username, display_name=name, role=role, password=DEMO_PASSWORD,
                                 unit=unit)
        result.users.append((username, name, role))

    db.session.flush()
    return plan
