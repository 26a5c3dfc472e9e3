"""Load the demo: 运城's unit directory, one account per role, and (as later parts land) its plan and activity."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from importlib import import_module

import sqlalchemy as sa

from ..accounts import services as accounts
from ..accounts.models import User
from ..config import PROJECT_ROOT
from ..extensions import db
from ..timeutil import clock_at, local_instant
from ..supervise import numbering
from ..units import services as units
from ..units.models import Unit

SEEDS = PROJECT_ROOT / "seeds"
DEMO_PASSWORD = "demo-2021"
JURISDICTION = "运城市人民政府"

#: (username, display name, role, unit full name)
DEMO_USERS = (
    ("admin", "系统管理员", "admin", None),
    ("duban", "张督办（市政府办公室政务公开科）", "supervisor", JURISDICTION),
    ("lingdao", "李副秘书长", "leader", JURISDICTION),
    ("caizheng", "王填报（市财政局）", "reporter", "运城市财政局"),
    ("yanhu", "赵填报（盐湖区政府）", "reporter", "运城市盐湖区人民政府"),
    ("shenpi", "刘填报（市审批服务管理局）", "reporter", "运城市行政审批服务管理局"),
)


@dataclass
class DemoResult:
    users: list[tuple[str, str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _find_unit(name: str | None) -> Unit | None:
    if not name:
        return None
    unit = db.session.scalar(sa.select(Unit).where(Unit.name == name))
    if unit is None:
        # The directory may spell the unit a little differently; take the closest full name.
        short = name.replace("运城市", "")
        unit = db.session.scalar(sa.select(Unit).where(Unit.name.contains(short)).order_by(sa.func.length(Unit.name)))
    return unit


def load_demo(progress=print) -> DemoResult:
    """Create the demo data; running it again changes nothing that exists."""
    result = DemoResult()
    with clock_at(local_instant(SET_UP_ON, 9)):
        _directory_and_users(result, progress)
    for name in DEMO_STEP_MODULES:
        import_module(name).load(result, progress)
        db.session.flush()
    return result


#: the demo's story starts when the office set the system up (before 孝义's 2020 plan was imported)
SET_UP_ON = date(2020, 7, 13)


def _directory_and_users(result: DemoResult, progress) -> None:
    directory = SEEDS / "yuncheng" / "units.yaml"
    doc = units.parse_directory(directory.name, directory.read_bytes())
    imported = units.import_directory(None, doc)
    numbering.ensure_office("运城市人民政府办公室", "运政办", contact="联系人：王敏，联系电话：0359-2022345",
                            cc="市政务公开工作领导小组成员单位")
    progress(f"单位名录：新建{len(imported.created)}个，更新{len(imported.updated)}个，统称{len(imported.groups)}条")
    for username, name, role, unit_name in DEMO_USERS:
        unit = _find_unit(unit_name)
        if unit_name and unit is None:
            result.notes.append(f"未找到单位“{unit_name}”，跳过用户 {username}")
            continue
        if not db.session.scalar(sa.select(User.id).where(User.username == username)):
            accounts.create_user(None, username=username, display_name=name, role=role,
                                 password=DEMO_PASSWORD, unit=unit)
        result.users.append((username, name, role))
    db.session.flush()


#: Modules with a `load(result, progress)` that adds their part of the demo, run in this order.
DEMO_STEP_MODULES: tuple[str, ...] = ("tracker.plans.demo", "tracker.reports.demo", "tracker.supervise.demo",
                                       "tracker.assessment.demo", "tracker.disclosure.demo",
                                       "tracker.annual.demo")
