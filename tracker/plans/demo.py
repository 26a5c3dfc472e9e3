"""Demo step: import 运城's 2021 work plan the way a supervisor would."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from ..config import PROJECT_ROOT
from ..units.models import Unit
from ..extensions import db
from . import services
from ..timeutil import clock_at, local_instant
from .models import Assignment, Task

DEMO_PLAN = PROJECT_ROOT / "seeds" / "yuncheng" / "2021_work_plan.txt"


#: the plan was issued on 2021-07-14; the office imports it the next morning
IMPORTED_AT = date(2021, 7, 15)


def load(result, progress) -> None:
    with clock_at(local_instant(IMPORTED_AT, 9, 30)):
        _load(result, progress)


def _load(result, progress) -> None:
    jurisdiction = db.session.scalar(sa.select(Unit).where(Unit.name == "运城市人民政府"))
    if jurisdiction is None:
        result.notes.append("未找到运城市人民政府，跳过工作要点导入")
        return
    imp = services.start_import(None, jurisdiction, filename=DEMO_PLAN.name, data=DEMO_PLAN.read_bytes())
    if services.find_duplicate(imp) is not None:
        imp.status = "discarded"
        progress("工作要点：运城市2021年政务公开工作要点已存在，跳过")
        return
    for name, st in services.name_states(imp).items():
        if st.is_open:
            services.set_choice(None, imp, name, "drop")
            result.notes.append(f"工作要点中的“{name}”未匹配单位名录，已删除")
    plan = services.confirm(None, imp)
    plan.is_published = True
    db.session.flush()
    tasks = db.session.scalar(sa.select(sa.func.count()).select_from(Task).where(Task.plan_id == plan.id))
    assigned = db.session.scalar(sa.select(sa.func.count()).select_from(Assignment)
                                 .where(Assignment.plan_id == plan.id))
    progress(f"工作要点：已导入《{plan.title}》，共{tasks}项任务，分派到单位{assigned}次"
             f"（导入日期{IMPORTED_AT.isoformat()}）")
