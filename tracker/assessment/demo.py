"""Demo step: the 2021 rubric, two bonuses, a computed and published assessment of the 运城 plan on the
demo date, and one objection from the 市财政局 reporter. Does nothing the second time."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import sqlalchemy as sa
from flask import current_app

from ..accounts.models import User
from ..config import PROJECT_ROOT
from ..errors import ServiceError
from ..extensions import db
from ..plans.models import Plan
from ..timeutil import clock_at, local_zone
from ..units.models import Unit
from . import queries, services
from .models import AssessmentVersion

DEMO_AS_OF = date(2021, 11, 15)
DEMO_YEAR = 2021
JURISDICTION = "运城市人民政府"
SUPERVISOR = "duban"
OBJECTOR = "caizheng"
#: (unit name, bonus rule, points, reason, evidence)
BONUSES = (
    ("运城市人民政府新闻办公室", "interpretation_adopted", "1",
     "《运城市优化营商环境若干措施》图解解读被山西省人民政府门户网站转载采用",
     "https://www.shanxi.gov.cn/zcjd/demo-2021-0926.shtml"),
    ("运城市盐湖区人民政府", "praised", "2",
     "政府开放月活动组织有力，在全市政务公开工作推进会上被通报表扬", "运政办函〔2021〕88号"),
)
OBJECTION_REASON = ("该报告退回原因为附件链接失效，我局已于次日重新报送并审核通过，"
                    "退回系网站栏目调整所致，非我局报送质量问题，申请不予扣分。")


def _at(day: date, hour: int) -> datetime:
    zone = local_zone(current_app.config.get("TIMEZONE", "Asia/Shanghai"))
    return datetime.combine(day, time(hour), tzinfo=zone).astimezone(timezone.utc)


def _find_plan() -> Plan | None:
    owner = db.session.scalar(sa.select(Unit.id).where(Unit.name == JURISDICTION))
    stmt = sa.select(Plan).where(Plan.year == DEMO_YEAR).order_by(Plan.id)
    if owner is not None:
        stmt = stmt.where(Plan.unit_id == owner)
    return db.session.scalar(stmt)


def _user(username: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.username == username))


def _rubric(progress) -> bool:
    if queries.rubric_for_year(DEMO_YEAR) is not None:
        return True
    path = PROJECT_ROOT / "seeds" / "rubric.yaml"
    try:
        services.save_rubric(None, path.read_text(encoding="utf-8"), year=DEMO_YEAR)
    except services.RubricRejected as exc:
        progress("考核细则未导入：" + "；".join(exc.messages))
        return False
    return True


def load(result, progress) -> None:
    """Add the demo assessment; print a note and stop when the plan or the rubric is missing."""
    # The rubric, the computation and the publication happened on the demo date (their messages too).
    with clock_at(_at(DEMO_AS_OF, 16)):
        _load(result, progress)
        db.session.flush()


def _load(result, progress) -> None:
    if not _rubric(progress):
        result.notes.append("2021年度考核细则未能导入，跳过考核演示。")
        return
    plan = _find_plan()
    if plan is None:
        note = f"未找到{DEMO_YEAR}年工作要点，跳过考核演示。"
        result.notes.append(note)
        progress(note)
        return
    if db.session.scalar(sa.select(sa.exists().where(AssessmentVersion.plan_id == plan.id))):
        progress("考核演示：已存在，跳过")
        return
    supervisor = _user(SUPERVISOR)
    units = dict(queries.plan_units(plan))
    by_name = {name: uid for uid, name in units.items()}
    added = 0
    for name, rule, points, reason, evidence in BONUSES:
        unit_id = by_name.get(name)
        if unit_id is None:
            continue
        bonus = services.add_bonus(supervisor, plan, unit_id=unit_id, rule=rule, points=points, reason=reason,
                                   evidence=evidence)
        bonus.created_at = _at(DEMO_AS_OF - timedelta(days=7), 10)
        added += 1
    version = services.compute_version(supervisor, plan, DEMO_AS_OF)
    version.computed_at = _at(DEMO_AS_OF, 16)
    services.freeze_version(supervisor, version, now=_at(DEMO_AS_OF, 17))
    objected = _object(version)
    progress(f"考核演示：{DEMO_YEAR}年度细则，加分{added}条，第{version.number}版（{version.unit_count}个单位，"
             f"考核日期{DEMO_AS_OF.isoformat()}）已发布，申诉{1 if objected else 0}件")


def _object(version: AssessmentVersion) -> bool:
    """File the demo objection on the first deduction of the 财政局 reporter's unit."""
    reporter = _user(OBJECTOR)
    if reporter is None or reporter.unit_id is None:
        return False
    mine = queries.ScoreSheet.of(version).unit(reporter.unit_id)
    deductions = [item for item in (mine or {}).get("items", []) if item["points"] < 0]
    if not deductions:
        return False
    try:
        objection = services.file_objection(reporter, version, deductions[0]["id"], OBJECTION_REASON,
                                            today=DEMO_AS_OF + timedelta(days=2))
    except ServiceError:
        return False
    objection.created_at = _at(DEMO_AS_OF + timedelta(days=2), 9)
    return True
