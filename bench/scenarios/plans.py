"""Plan import scenarios: the 运城 2021 plan as issued, and a generated 2,000-row decomposition xlsx."""
from __future__ import annotations

import io
from functools import cache

import sqlalchemy as sa
from openpyxl import Workbook

from tracker.config import PROJECT_ROOT
from tracker.extensions import db
from tracker.plans import services
from tracker.units import services as unit_services
from tracker.units.models import Unit

from ..registry import scenario
from ..runner import Context

SEEDS = PROJECT_ROOT / "seeds" / "yuncheng"
DEPARTMENTS = ("市财政局", "市发展改革委", "市审批服务管理局", "市司法局", "市市场监管局", "市教育局", "市民政局",
               "市卫健委", "市住建局", "市人社局")
DEADLINES = ("2021年10月底前", "年底前", "持续推进", "每年1月底前", "9月30日前", "2021年6月底前完成")


def _jurisdiction() -> Unit:
    """Load 运城's directory into the (rolled-back) transaction and return its root."""
    path = SEEDS / "units.yaml"
    unit_services.import_directory(None, unit_services.parse_directory(path.name, path.read_bytes()))
    return db.session.scalar(sa.select(Unit).where(Unit.name == "运城市人民政府"))


@cache
def generated_xlsx(rows: int = 2000) -> bytes:
    """Return a decomposition table of `rows` tasks in six groups, as a supervisor's xlsx would be."""
    wb = Workbook()
    ws = wb.active
    ws.append(["序号", "工作任务", "具体要求", "牵头单位", "责任单位", "完成时限"])
    for i in range(rows):
        group = i * 6 // rows + 1
        lead = DEPARTMENTS[i % len(DEPARTMENTS)]
        responsible = "各县（市、区）人民政府、运城开发区管委会" if i % 3 else "市直各有关单位"
        ws.append([f"{group}.{i + 1}", f"第{group}组重点任务", f"做好第{i + 1}项政务公开工作，按要求公开相关信息。",
                   lead, responsible, DEADLINES[i % len(DEADLINES)]])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _import(ctx: Context, filename: str, data: bytes) -> int:
    with ctx.app.app_context():
        return _import_in_context(ctx, filename, data)


def _import_in_context(ctx: Context, filename: str, data: bytes) -> int:
    try:
        root = _jurisdiction()
        with ctx.timed():
            imp = services.start_import(None, root, filename=filename, data=data)
            for name, st in services.name_states(imp).items():
                if st.is_open:
                    services.set_choice(None, imp, name, "drop")
            plan = services.confirm(None, imp)
            db.session.flush()
        return db.session.scalar(sa.text("SELECT count(*) FROM assignments WHERE plan_id = :p"), {"p": plan.id})
    finally:
        db.session.rollback()


@scenario("parse and import the 运城 2021 plan (000)")
def import_yuncheng(ctx: Context) -> int:
    path = SEEDS / "2021_work_plan.txt"
    return _import(ctx, path.name, path.read_bytes())


@scenario("parse and import a 2,000-row decomposition xlsx")
def import_generated_xlsx(ctx: Context) -> int:
    return _import(ctx, "generated.xlsx", generated_xlsx())
