"""Demo step: 运城市人民政府办公室's 2020 annual report is seed 002, imported and published; its 2021
report is built from the demo 依申请公开 register and carries over seed 002's 1 application; its section 二
is filled in (the form shows seed 002's figures beside) and its section 五 edited from the draft.

The report is a task: on the demo date the office creates the 2021 report assignments, one per unit with its
statutory deadline (departments 2022-01-31, governments 2022-03-31), through the same service the yearly job
`annual_report_tasks` calls on 2 January (the job of 2022-01-02 then finds them and adds none). The built 2021
report is left as a draft, so a demo login can press 「定稿并提交任务」 and see its assignment completed."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from ..accounts.models import User
from ..config import PROJECT_ROOT
from ..extensions import db
from ..timeutil import clock_at, local_instant
from ..units.models import Unit
from . import editing, services
from .build import build_report
from .tasks import create_report_tasks

SEED = PROJECT_ROOT / "seeds" / "yuncheng" / "2020_annual_report.txt"
UNIT = "运城市人民政府办公室"
YEAR = 2020
SUPERVISOR = "duban"
JURISDICTION = "运城市人民政府"
#: the demo's "today": the office creates the 2021 report tasks ahead of the yearly job of 2022-01-02
TASKS_CREATED_ON = date(2021, 11, 15)


def load(result, progress) -> None:
    """Import seed 002 as the office's 2020 report and publish it; do nothing when it is there."""
    unit = db.session.scalar(sa.select(Unit).where(Unit.name == UNIT))
    if unit is None:
        note = f"未找到单位“{UNIT}”，跳过年度报告。"
        result.notes.append(note)
        progress(note)
        return
    if services.report_for(unit.id, YEAR) is not None:
        progress("年度报告：已存在，跳过")
        return
    supervisor = db.session.scalar(sa.select(User).where(User.username == SUPERVISOR))
    report = services.import_report(supervisor, unit, YEAR, SEED.read_bytes(), SEED.name)
    if supervisor is not None:
        services.publish(supervisor, report)
    progress(f"年度报告：导入{UNIT}{YEAR}年度报告（{_state(report)}），已发布")
    built, _ = build_report(supervisor, unit, YEAR + 1)
    progress(f"年度报告：由依申请公开登记台账生成{UNIT}{YEAR + 1}年度报告草稿（{_state(built)}）")
    editing.save_section2(supervisor, built, {editing.field_name(item, row, col): value
                                              for (item, row, col), value in SECTION2_2021.items()})
    draft = built.content["texts"]["s5"]
    editing.save_texts(supervisor, built, {"s1": OVERVIEW_2021, "s5": draft.replace(DRAFT_TAIL, IMPROVEMENTS_2021)})
    progress(f"年度报告：填报{UNIT}{YEAR + 1}年度报告第二部分，编辑第一、五部分")
    jurisdiction = db.session.scalar(sa.select(Unit).where(Unit.name == JURISDICTION))
    if jurisdiction is None:
        note = f"未找到单位“{JURISDICTION}”，跳过年度报告任务。"
        result.notes.append(note)
        progress(note)
        return
    with clock_at(local_instant(TASKS_CREATED_ON, 9)):
        plan, added = create_report_tasks(supervisor, jurisdiction, YEAR + 1)
    progress(f"年度报告：创建“{plan.title}”任务，{added}个单位各一项（部门次年1月31日、政府次年3月31日前）")


#: the office's section 二 for 2021, as its clerk would type it (seed 002 shows 14 规范性文件 made in 2020)
SECTION2_2021 = {
    ("i1", "rules", "issued"): "0", ("i1", "rules", "repealed"): "0", ("i1", "rules", "in_force"): "2",
    ("i1", "normative", "issued"): "12", ("i1", "normative", "repealed"): "3", ("i1", "normative", "in_force"): "23",
    ("i5", "licensing", "decisions"): "0",
    ("i6", "penalty", "decisions"): "0", ("i6", "enforcement", "decisions"): "0",
    ("i8", "fees", "amount"): "0",
}
OVERVIEW_2021 = ("2021年，运城市人民政府办公室认真贯彻《中华人民共和国政府信息公开条例》，围绕市委、市政府中心工作，"
                 "持续推进决策、执行、管理、服务、结果公开，政务公开工作取得新进展。")
#: the last line of the drafted 五, replaced by what the office writes
DRAFT_TAIL = "改进情况：（请补充具体改进措施。）"
IMPROVEMENTS_2021 = ("改进情况：一是建立政策解读台账，做到政策文件与解读材料同步组织、同步审签、同步发布；"
                     "二是每季度开展一次政府网站和政务新媒体自查，发现问题限期整改。")


def _state(report) -> str:
    return "勾稽关系一致" if report.is_consistent else f"勾稽关系不一致 {len(report.failures)} 项"
