"""Demo step: the 2021 依申请公开 registers of three 运城 units, written through the services.

Deterministic (a seeded generator): the same 60 requests every time, received from January to the
demo date, with realistic channels and applicants, and the events the issue asks the demo to show —
corrections, a third-party consultation, an extension, a fee, answers across the table's leaves, one
行政复议, and one request received in December 2020 and answered in January 2021.
"""
from __future__ import annotations

import random
from datetime import UTC, date, datetime, time

import sqlalchemy as sa

from ..accounts.models import User
from ..extensions import db
from ..timeutil import local_zone
from ..units.models import Unit
from . import services
from .models import DisclosureRequest

#: the day the demo stands on (the same as the supervision demo's)
DEMO_DATE = date(2021, 11, 15)
#: unit full name -> (demo user recording its events, number of 2021 requests)
UNITS = {
    "运城市人民政府办公室": ("duban", 28),
    "运城市财政局": ("caizheng", 18),
    "运城市行政审批服务管理局": ("shenpi", 13),
}
CHANNEL_WEIGHTS = {"online": 50, "post": 24, "in_person": 20, "fax": 3, "other": 3}
APPLICANT_WEIGHTS = {"natural": 76, "business": 11, "legal_service": 5, "other_org": 4, "research": 2,
                     "public_interest": 2}
ANSWER_WEIGHTS = {
    "open": 40, "partial": 7, "none.not_held": 16, "none.needs_making": 4, "deny.third_party": 3,
    "deny.process": 3, "deny.internal": 2, "deny.law": 1, "reject.petition": 6, "reject.repeat": 3,
    "reject.publication": 2, "other.other": 2,
}
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = ["建国", "志强", "秀英", "桂兰", "海燕", "晓东", "丽娟", "文杰", "红梅", "永刚", "雪梅", "国栋", "春燕", "明亮", "玉兰", "卫东", "淑珍", "俊峰", "彩霞", "振华", "小军", "静", "磊", "敏", "涛", "鹏", "娜", "勇", "芳", "强"]
ORGANISATIONS = {
    "business": ("运城市盐湖区某商贸有限公司", "山西某建筑工程有限公司", "运城某置业有限公司", "某农业科技发展有限公司"),
    "legal_service": ("山西某律师事务所", "运城某律师事务所"),
    "other_org": ("某村村民委员会", "运城市某行业协会"),
    "research": ("山西某大学法学院",),
    "public_interest": ("某环保公益服务中心",),
}
CONTENTS = {
    "运城市人民政府办公室": (
        "申请公开运城市2021年政府工作报告重点任务分解方案",
        "申请公开运城市人民政府2020年第12次常务会议纪要中关于棚户区改造的内容",
        "申请公开盐湖区某村集体土地征收的批准文件",
        "申请公开运城市中心城区老旧小区改造项目名单及资金安排",
        "申请公开市政府关于某道路拓宽工程的批复文件",
        "申请公开运城市2020年度政府信息公开工作年度报告的统计口径说明",
        "申请公开市政府办公室2021年政务公开工作要点的落实情况",
        "申请公开运城市城区集中供热价格调整的依据文件",
    ),
    "运城市财政局": (
        "申请公开运城市2020年市本级一般公共预算执行情况",
        "申请公开运城市财政局2021年部门预算及“三公”经费明细",
        "申请公开某项目政府采购合同及中标金额",
        "申请公开2020年运城市农业支持保护补贴资金发放明细",
        "申请公开市本级政府债券资金使用情况",
        "申请公开某乡镇2020年度转移支付资金拨付文件",
    ),
    "运城市行政审批服务管理局": (
        "申请公开某小区建设工程规划许可证及附图",
        "申请公开某企业建设项目环境影响评价审批文件",
        "申请公开某加油站危险化学品经营许可审批材料",
        "申请公开某房地产开发项目施工许可审批档案",
        "申请公开2021年上半年行政许可事项办理结果统计",
    ),
}


def _workdays(cal, start: date, end: date) -> list[date]:
    from datetime import timedelta

    days, d = [], start
    while d <= end:
        if cal.is_workday(d):
            days.append(d)
        d += timedelta(days=1)
    return days


def _applicant(rng: random.Random, kind: str) -> tuple[str, str]:
    if kind == "natural":
        name = rng.choice(SURNAMES) + rng.choice(GIVEN)
        return name, f"139{rng.randint(0, 9999):04d}{rng.randint(0, 9999):04d}"
    name = rng.choice(ORGANISATIONS[kind])
    return name, f"0359-{rng.randint(2000000, 2999999)}"


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _approval_time(day: date) -> datetime:
    return datetime.combine(day, time(15, 30), tzinfo=local_zone()).astimezone(UTC)


def _carried_over(actor, unit: Unit, cal) -> None:
    """One request received in December 2020, answered in January 2021 (seed 002: 1 carried over)."""
    req = services.register_request(
        actor, unit=unit, channel="post", received_on=date(2020, 12, 24), applicant_type="natural",
        applicant_name="薛建国", applicant_contact="13903591234", as_of=DEMO_DATE, calendar=cal,
        content="申请公开2020年运城市中心城区道路改造工程的立项批复")
    services.answer(actor, req, category="open", on=date(2021, 1, 15), text="已提供立项批复复印件。",
                    as_of=DEMO_DATE, calendar=cal)


def _one(rng, actor, unit: Unit, received: date, cal, *, script: str | None = None) -> DisclosureRequest:
    applicant_type = _pick(rng, APPLICANT_WEIGHTS)
    name, contact = _applicant(rng, applicant_type)
    channel = _pick(rng, CHANNEL_WEIGHTS)
    confirmed = None
    if channel in ("online", "fax") and rng.random() < 0.3:
        confirmed = cal.add_workdays(received, 1)
    if confirmed and confirmed > DEMO_DATE:
        confirmed = None
    req = services.register_request(
        actor, unit=unit, channel=channel, received_on=received, confirmed_on=confirmed,
        applicant_type=applicant_type, applicant_name=name, applicant_contact=contact,
        content=rng.choice(CONTENTS[unit.name]), as_of=DEMO_DATE, calendar=cal)
    start = req.receipt_on
    if script == "correction":
        services.send_correction_notice(actor, req, on=cal.add_workdays(start, 3),
                                        reason="申请内容不明确，请说明所需信息的文件名称、文号或年度等特征描述。",
                                        as_of=DEMO_DATE, calendar=cal)
        services.record_correction(actor, req, on=cal.add_workdays(start, 8), as_of=DEMO_DATE, calendar=cal)
        start = req.corrected_on
    elif script == "no_correction":
        services.send_correction_notice(actor, req, on=cal.add_workdays(start, 2),
                                        reason="请明确所需信息的地点和时间范围。", as_of=DEMO_DATE, calendar=cal)
        services.answer(actor, req, category="other.no_correction", on=cal.add_workdays(start, 20),
                        text="申请人逾期未补正，视为放弃申请。", as_of=DEMO_DATE, calendar=cal)
        return req
    elif script == "third_party":
        services.start_pause(actor, req, kind="third_party", start_on=cal.add_workdays(start, 5),
                             party="山西某建筑工程有限公司", note="合同含有第三方商业信息", as_of=DEMO_DATE, calendar=cal)
        services.end_pause(actor, req, end_on=cal.add_workdays(start, 16), as_of=DEMO_DATE, calendar=cal)
        services.answer(actor, req, category="partial", on=req.due_on, text="对涉及商业秘密的单价部分作了区分处理。",
                        as_of=DEMO_DATE, calendar=cal)
        return req
    elif script == "extension":
        services.extend(actor, req, days=15, approver="王建华（市政府办公室政务公开科科长）",
                        approved_at=_approval_time(cal.add_workdays(start, 17)),
                        reason="所需信息涉及多个年度的档案，需要调取核实", as_of=DEMO_DATE, calendar=cal)
        services.answer(actor, req, category="open", on=cal.add_workdays(start, 30), text="",
                        as_of=DEMO_DATE, calendar=cal)
        return req
    elif script == "fee":
        services.send_fee_notice(actor, req, method="by_volume", quantity=150, on=cal.add_workdays(start, 4),
                                 as_of=DEMO_DATE, calendar=cal)
        services.record_fee_paid(actor, req, on=cal.add_workdays(start, 9), as_of=DEMO_DATE, calendar=cal)
    elif script == "late":
        services.answer(actor, req, category="none.not_held", on=cal.add_workdays(req.due_on, 2), text="",
                        as_of=DEMO_DATE, calendar=cal)
        return req
    elif script == "open":
        return req
    answer_on = cal.add_workdays(start, rng.randint(4, 18))
    if req.pauses:
        answer_on = max(answer_on, cal.add_workdays(req.pauses[-1].end_on, 3))
    if answer_on > DEMO_DATE:
        return req  # still being handled on the demo date
    services.answer(actor, req, category=_pick(rng, ANSWER_WEIGHTS), on=answer_on, text="", as_of=DEMO_DATE,
                    calendar=cal)
    return req


#: scripted events: (unit, position in the unit's year) -> script
SCRIPTS = {
    ("运城市人民政府办公室", 2): "correction",
    ("运城市人民政府办公室", 5): "extension",
    ("运城市人民政府办公室", 9): "no_correction",
    ("运城市人民政府办公室", 12): "fee",
    ("运城市人民政府办公室", 15): "late",
    ("运城市人民政府办公室", 21): "open",     # received in September, still unanswered: overdue on the demo date
    ("运城市财政局", 3): "third_party",
    ("运城市财政局", 7): "correction",
    ("运城市行政审批服务管理局", 4): "correction",
}


def load(result, progress) -> None:
    units = {name: db.session.scalar(sa.select(Unit).where(Unit.name == name)) for name in UNITS}
    if any(u is None for u in units.values()):
        result.notes.append("依申请公开演示：缺少演示单位，跳过")
        return
    office = units["运城市人民政府办公室"]
    if db.session.scalar(sa.select(DisclosureRequest.id).where(DisclosureRequest.unit_id == office.id).limit(1)):
        progress("依申请公开登记台账：已存在，跳过")
        return
    cal = services._calendar(None)
    rng = random.Random(2021)
    actors = {name: db.session.scalar(sa.select(User).where(User.username == username))
              for name, (username, _) in UNITS.items()}
    _carried_over(actors["运城市人民政府办公室"], office, cal)
    total = 1
    reviewed = fallback = None
    days = _workdays(cal, date(2021, 1, 4), date(2021, 11, 12))
    for name, (_, count) in UNITS.items():
        picks = sorted(rng.sample(range(len(days)), count))
        for position, index in enumerate(picks):
            received = days[index]
            script = SCRIPTS.get((name, position))
            if script == "open":
                received = date(2021, 9, 15)
            req = _one(rng, actors[name], units[name], received, cal, script=script)
            total += 1
            if reviewed is None and req.answer_category == "none.not_held" and req.answered_on < date(2021, 9, 1):
                reviewed = req
            fallback = fallback or (req if req.state == "answered" else None)
    reviewed = reviewed or fallback
    if reviewed is not None:
        appeal = services.add_appeal(actors["运城市人民政府办公室"], reviewed, kind="review",
                                     filed_on=cal.add_workdays(reviewed.answered_on, 10), as_of=DEMO_DATE,
                                     note="申请人认为本机关应当掌握相关信息")
        services.decide_appeal(actors["运城市人民政府办公室"], appeal, result="upheld",
                               decided_on=cal.add_workdays(appeal.filed_on, 40), as_of=DEMO_DATE)
    db.session.flush()
    progress(f"依申请公开登记台账：{len(UNITS)}个单位，{total}件申请（含2020年结转1件）")
