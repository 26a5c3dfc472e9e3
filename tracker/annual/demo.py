"""Demo step: 运城市人民政府办公室's 2020 annual report is seed 002, imported and published; its 2021
report is built from the demo 依申请公开 register and carries over seed 002's 1 application."""
from __future__ import annotations

import sqlalchemy as sa

from ..accounts.models import User
from ..config import PROJECT_ROOT
from ..extensions import db
from ..units.models import Unit
from . import services
from .build import build_report

SEED = PROJECT_ROOT / "seeds" / "yuncheng" / "2020_annual_report.txt"
UNIT = "运城市人民政府办公室"
YEAR = 2020
SUPERVISOR = "duban"


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


def _state(report) -> str:
    return "勾稽关系一致" if report.is_consistent else f"勾稽关系不一致 {len(report.failures)} 项"
