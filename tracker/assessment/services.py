"""Writes of the assessment: rubric upload, computing and freezing versions, bonuses and objections.

Every function takes the acting user, raises ServiceError with a message for the user, records
an audit event and flushes; the caller commits.
"""
from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa


from ..accounts.models import User
from ..audit.services import record
from ..config import setting
from ..errors import ServiceError
from ..extensions import db
from ..inbox.services import notify_unit, notify_users, staff_ids_over
from ..plans.models import Assignment, Plan
from ..timeutil import to_local, utcnow
from ..units.models import UNIT_KINDS, Unit
from .models import AssessmentVersion, Bonus, Objection, RubricDocument
from .queries import COUNTED_ROLES, ScoreSheet, accepted_item_ids, collect_facts, present_unit_kinds, rubric_for_year
from .rubric import Rubric, RubricError, load_rubric
from .scoring import Result, WorkdayCounter, compute

#: calendar days after freezing during which a unit may object, unless TRACKER_OBJECTION_DAYS says otherwise
DEFAULT_OBJECTION_DAYS = 7
#: longest rubric text accepted, in characters
MAX_RUBRIC_CHARS = 200_000
_CENT = Decimal("0.01")


class RubricRejected(ServiceError):
    """The uploaded rubric is not valid; ``messages`` lists each problem with its line."""

    def __init__(self, messages: list[str]):
        super().__init__("考核细则有误，未保存：\n" + "\n".join(messages))
        self.messages = messages


def _setting(name: str, default: str | None = None) -> str | None:
    value = setting(name)
    return default if value is None else str(value)


def _tz() -> str:
    return _setting("TIMEZONE") or "Asia/Shanghai"


def objection_days() -> int:
    """Return the objection window in calendar days (config OBJECTION_DAYS or TRACKER_OBJECTION_DAYS)."""
    raw = _setting("OBJECTION_DAYS")
    try:
        days = int(raw) if raw not in (None, "") else DEFAULT_OBJECTION_DAYS
    except ValueError:
        raise ServiceError(f"申诉期设置 TRACKER_OBJECTION_DAYS 应为整数，实际为 {raw!r}。", status=500) from None
    return max(0, days)


def _calendar() -> WorkdayCounter:
    from ..supervise.calendar_db import current_calendar

    return current_calendar()


# --- rubric -----------------------------------------------------------------------------------------


def _year_line(text: str) -> int:
    for number, line in enumerate(text.splitlines(), 1):
        if re.match(r"\s*year\s*:", line):
            return number
    return 1


def check_rubric(text: str, *, year: int | None = None) -> Rubric:
    """Validate rubric text against the units that exist; raise RubricRejected naming each bad line."""
    if not text or not text.strip():
        raise RubricRejected(["第1行：考核细则为空"])
    if len(text) > MAX_RUBRIC_CHARS:
        raise RubricRejected([f"第1行：考核细则过长（{len(text)}字），最多{MAX_RUBRIC_CHARS}字"])
    try:
        rubric = load_rubric(text, unit_kinds_present=present_unit_kinds())
    except RubricError as exc:
        raise RubricRejected(list(exc.messages)) from None
    if year is not None and rubric.year != year:
        raise RubricRejected([f"第{_year_line(text)}行（year）：细则中的年度为{rubric.year}，与所选年度{year}不一致"])
    return rubric


def save_rubric(actor, text: str, *, year: int | None = None) -> RubricDocument:
    """Validate and store the rubric of its year, replacing that year's earlier text; nothing is saved on error."""
    return _store_rubric(actor, check_rubric(text, year=year), text)


def save_rubric_data(actor, data: dict, *, year: int) -> RubricDocument:
    """Validate the edit form's data and store it as that year's rubric (as YAML); nothing is saved on error.

    Messages name the fields in Chinese (第2项指标“任务落实”的权重…).
    """
    from .rubric_form import rubric_yaml

    data = dict(data, year=year)
    try:
        rubric = load_rubric(data, unit_kinds_present=present_unit_kinds(), chinese=True, kind_labels=UNIT_KINDS)
    except RubricError as exc:
        raise RubricRejected(list(exc.messages)) from None
    return _store_rubric(actor, rubric, rubric_yaml(rubric))


def _store_rubric(actor, rubric: Rubric, text: str) -> RubricDocument:
    doc = rubric_for_year(rubric.year)
    before = None
    if doc is None:
        doc = RubricDocument(year=rubric.year)
        db.session.add(doc)
    else:
        before = {"name": doc.name, "chars": len(doc.yaml_text)}
    doc.name = rubric.name[:200]
    doc.yaml_text = text
    doc.loaded_at = utcnow()
    doc.loaded_by_id = getattr(actor, "id", None)
    db.session.flush()
    record(actor, "rubric.save", "rubric", doc.id, before=before,
           after={"year": rubric.year, "name": doc.name, "chars": len(text),
                  "indicators": [i.code for i in rubric.indicators], "rules": [r.code for r in rubric.rules]})
    return doc


def plan_rubric(plan: Plan) -> tuple[RubricDocument, Rubric]:
    """Return the stored rubric of the plan's year, parsed; refuse when there is none or it no longer loads."""
    doc = rubric_for_year(plan.year)
    if doc is None:
        raise ServiceError(f"尚未导入{plan.year}年度考核细则，请系统管理员先在“考核细则”中上传。", status=409)
    try:
        return doc, load_rubric(doc.yaml_text)
    except RubricError as exc:
        raise ServiceError(f"{plan.year}年度考核细则有误，请系统管理员修改：\n" + "\n".join(exc.messages),
                           status=409) from None


# --- computing and freezing -------------------------------------------------------------------------


def compute_result(plans: Sequence[Plan], rubric: Rubric, as_of: date, *,
                   calendar: WorkdayCounter | None = None, excluded: Iterable[str] = ()) -> Result:
    """Collect the plans' facts and score them with the rubric (nothing is stored)."""
    facts = collect_facts(plans, as_of=as_of, tz=_tz(), keep_original=rubric.keeps_original_due)
    bonus_rules = {r.code for r in rubric.rules if r.is_bonus}
    for b in facts.bonuses:
        if b.rule and b.rule not in bonus_rules:
            raise ServiceError(f"加分记录#{b.id}（{b.reason[:20]}）所属的加分规则“{b.rule}”在{rubric.year}年度考核细则中不存在，"
                               "请删除该加分记录后重新录入。", status=409)
    return compute(rubric, facts, as_of, calendar or _calendar(), excluded_items=excluded)


def compute_version(actor, plan: Plan, as_of: date, *, calendar: WorkdayCounter | None = None,
                    only_if_changed: bool = False) -> AssessmentVersion | None:
    """Score the plan at as_of as a new version; items of accepted objections are left out.

    With only_if_changed, nothing is stored (and None returned) when the newest version for the
    same as_of already holds exactly these figures — the scheduled job's rule.
    """
    doc, rubric = plan_rubric(plan)
    result = compute_result([plan], rubric, as_of, calendar=calendar, excluded=accepted_item_ids(plan.id))
    document = result.to_dict()
    if only_if_changed:
        same_day = db.session.scalar(
            sa.select(AssessmentVersion.result).where(AssessmentVersion.plan_id == plan.id,
                                                      AssessmentVersion.as_of == as_of)
            .order_by(AssessmentVersion.number.desc()).limit(1))
        if same_day is not None and _canonical(same_day) == _canonical(document):
            return None
    number = (db.session.scalar(
        sa.select(sa.func.max(AssessmentVersion.number)).where(AssessmentVersion.plan_id == plan.id)
    ) or 0) + 1
    version = AssessmentVersion(
        plan_id=plan.id, number=number, as_of=as_of, rubric_id=doc.id, rubric_snapshot=rubric.to_dict(),
        result=document, unit_count=len(result.units), computed_by_id=getattr(actor, "id", None),
        computed_at=utcnow(),
    )
    db.session.add(version)
    db.session.flush()
    record(actor, "assessment.compute", "assessment_version", version.id,
           after={"plan_id": plan.id, "number": number, "as_of": as_of, "units": len(result.units),
                  "excluded": list(result.excluded)})
    return version


def _canonical(result: dict) -> str:
    """The stored form of a result (JSON turns tuples into lists), for comparing two computations."""
    return json.dumps(result, sort_keys=True, ensure_ascii=False, default=str)


def unit_page_path(version_id: int, unit_id: int) -> str:
    # Built by hand: freezing also runs from the CLI, where url_for has no request to lean on.
    return f"/assessment/versions/{version_id}/units/{unit_id}"


def objection_deadline(version: AssessmentVersion) -> date | None:
    """Return the last day a unit may object to a published version (None while unpublished)."""
    if not version.is_frozen or version.frozen_at is None:
        return None
    return to_local(version.frozen_at, _tz()).date() + timedelta(days=objection_days())


def freeze_version(actor, version: AssessmentVersion, *, now: datetime | None = None) -> int:
    """Publish a version: it stays as it is, units see it and may object. Return how many users were told."""
    if version.is_frozen:
        raise ServiceError(f"第{version.number}版已发布，不能重复发布。", status=409)
    newest = db.session.scalar(
        sa.select(sa.func.max(AssessmentVersion.number)).where(AssessmentVersion.plan_id == version.plan_id)
    )
    if newest != version.number:
        raise ServiceError(f"只能发布最新计算的版本（第{newest}版），第{version.number}版已被取代。", status=409)
    version.is_frozen = True
    version.frozen_at = now or utcnow()
    version.frozen_by_id = getattr(actor, "id", None)
    db.session.flush()
    record(actor, "assessment.freeze", "assessment_version", version.id,
           after={"plan_id": version.plan_id, "number": version.number, "frozen_at": version.frozen_at})
    deadline = objection_deadline(version)
    plan = version.plan
    unit_ids = [u["unit_id"] for block in ScoreSheet.of(version).categories for u in block.units]
    by_unit: dict[int, list[int]] = defaultdict(list)
    if unit_ids:
        for uid, unit_id in db.session.execute(
            sa.select(User.id, User.unit_id).where(User.role == "reporter", User.is_active_account,
                                                   User.unit_id.in_(unit_ids))
        ):
            by_unit[unit_id].append(uid)
    told = 0
    for unit_id, users in by_unit.items():
        told += notify_users(
            users, kind="info", title=f"{plan.title}考核结果（第{version.number}版）已发布",
            body=f"如对本单位的扣分或加分有异议，请于{deadline.isoformat()}前在考核结果页面逐项提出申诉。",
            link=unit_page_path(version.id, unit_id), object_type="assessment_version", object_id=version.id,
        )
    return told


# --- bonuses ----------------------------------------------------------------------------------------


def _points(raw) -> Decimal:
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise ServiceError(f"加分分值应为数字，不是“{raw}”。") from None
    if not value.is_finite() or value <= 0:
        raise ServiceError("加分分值应大于0。")
    if value > 100:  # before rounding: 1e999 cannot even be rounded to cents
        raise ServiceError("加分分值不能超过100分。")
    if value != value.quantize(_CENT):
        raise ServiceError("加分分值最多保留两位小数。")
    return value.quantize(_CENT)


def add_bonus(actor, plan: Plan, *, unit_id: int, rule: str, points, reason: str, evidence: str) -> Bonus:
    """Enter bonus points for a unit of the plan under one of the rubric's bonus rules."""
    _doc, rubric = plan_rubric(plan)
    bonus_rules = {r.code: r for r in rubric.rules if r.is_bonus}
    if rule not in bonus_rules:
        raise ServiceError(f"“{rule}”不是{rubric.year}年度考核细则中的加分规则。")
    holds = db.session.scalar(sa.select(sa.exists().where(
        Assignment.plan_id == plan.id, Assignment.unit_id == unit_id, Assignment.role.in_(COUNTED_ROLES))))
    if not holds:
        raise ServiceError("该单位在本工作要点中没有牵头或责任任务，不能为其加分。")
    value = _points(points)
    cap = bonus_rules[rule].item_cap
    if cap is not None and value > cap:
        raise ServiceError(f"“{bonus_rules[rule].name}”单项最多加{format(cap.normalize(), 'f')}分。")
    reason = (reason or "").strip()
    evidence = (evidence or "").strip()
    if len(reason) < 2:
        raise ServiceError("请填写加分理由。")
    if len(reason) > 500:
        raise ServiceError("加分理由最多500字。")
    if len(evidence) < 2:
        raise ServiceError("请填写佐证（文号、链接或材料名称）。")
    if len(evidence) > 500:
        raise ServiceError("佐证最多500字。")
    bonus = Bonus(unit_id=unit_id, plan_id=plan.id, year=plan.year, rule=rule, points=value, reason=reason,
                  evidence=evidence, entered_by_id=getattr(actor, "id", None))
    db.session.add(bonus)
    db.session.flush()
    record(actor, "bonus.add", "bonus", bonus.id,
           after={"plan_id": plan.id, "unit_id": unit_id, "rule": rule, "points": str(value), "reason": reason,
                  "evidence": evidence})
    return bonus


def delete_bonus(actor, bonus: Bonus) -> None:
    """Remove a bonus entry; versions already computed keep it, the next one will not."""
    record(actor, "bonus.delete", "bonus", bonus.id,
           before={"plan_id": bonus.plan_id, "unit_id": bonus.unit_id, "rule": bonus.rule, "points": str(bonus.points),
                   "reason": bonus.reason, "evidence": bonus.evidence})
    db.session.delete(bonus)
    db.session.flush()


# --- objections -------------------------------------------------------------------------------------


def file_objection(actor, version: AssessmentVersion, item_id: str, reason: str, *, today: date) -> Objection:
    """File the reporter's unit's objection to one of its line items within the window."""
    if getattr(actor, "role", None) != "reporter" or actor.unit_id is None:
        raise ServiceError("只有单位填报员可以对本单位的考核事项提出申诉。", status=403)
    if not version.is_frozen:
        raise ServiceError("该版本考核结果尚未发布，不能申诉。", status=409)
    found = ScoreSheet.of(version).item((item_id or "").strip())
    if found is None:
        raise ServiceError("考核结果中没有这一扣分或加分事项。", status=404)
    unit, item = found
    if unit["unit_id"] != actor.unit_id:
        raise ServiceError("只能对本单位的考核事项提出申诉，不能对其他单位的事项申诉。", status=403)
    deadline = objection_deadline(version)
    if deadline is None or today > deadline:
        published = to_local(version.frozen_at, _tz()).date()
        raise ServiceError(f"申诉期已过：第{version.number}版考核结果于{published.isoformat()}发布，"
                           f"申诉截止日期为{deadline.isoformat()}。", status=409)
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise ServiceError("请写明申诉理由（至少5个字）。")
    if len(reason) > 2000:
        raise ServiceError("申诉理由最多2000字。")
    exists = db.session.scalar(sa.select(sa.exists().where(
        Objection.version_id == version.id, Objection.item_id == item["id"])))
    if exists:
        raise ServiceError("已对该事项提出过申诉，请勿重复提交。", status=409)
    objection = Objection(
        version_id=version.id, plan_id=version.plan_id, item_id=item["id"], unit_id=actor.unit_id,
        item_points=Decimal(str(item["points"])).quantize(_CENT), item_explanation=item["explanation"],
        filed_by_id=actor.id, reason=reason,
    )
    db.session.add(objection)
    db.session.flush()
    record(actor, "objection.file", "objection", objection.id,
           after={"version_id": version.id, "item_id": item["id"], "reason": reason})
    unit_row = db.session.get(Unit, actor.unit_id)
    notify_users(
        staff_ids_over(unit_row, ("supervisor",)), kind="objection",
        title=f"{unit_row.name}对考核结果提出申诉",
        body=f"{item['explanation']}\n申诉理由：{reason}", link=f"/assessment/objections?plan={version.plan_id}",
        object_type="objection", object_id=objection.id,
    )
    return objection


def decide_objection(actor, objection: Objection, *, accept: bool, reason: str | None,
                     now: datetime | None = None) -> None:
    """Accept (the item leaves the next version) or reject (a reason is required) an open objection."""
    if objection.status != "open":
        raise ServiceError(f"该申诉已处理（{objection.status_label}），不能再次处理。", status=409)
    reason = (reason or "").strip()
    if not accept and len(reason) < 2:
        raise ServiceError("不予采纳时请写明理由。")
    if len(reason) > 2000:
        raise ServiceError("处理意见最多2000字。")
    objection.status = "accepted" if accept else "rejected"
    objection.decided_by_id = getattr(actor, "id", None)
    objection.decided_at = now or utcnow()
    objection.decision_reason = reason or None
    db.session.flush()
    record(actor, "objection.decide", "objection", objection.id, before={"status": "open"},
           after={"status": objection.status, "reason": reason})
    outcome = ("申诉已采纳，该事项将在下一版考核结果中删除。" if accept else f"申诉未被采纳。理由：{reason}")
    notify_unit(
        objection.unit_id, kind="objection", title=f"考核申诉处理结果：{objection.status_label}",
        body=f"{objection.item_explanation}\n{outcome}",
        link=unit_page_path(objection.version_id, objection.unit_id), object_type="objection",
        object_id=objection.id,
    )
