"""Plan import against the database: preview, name resolution, confirm, re-import."""
from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from tracker.errors import ServiceError
from tracker.extensions import db
from tracker.plans import services
from tracker.plans.models import Assignment, Plan, PlanImport, Task
from tracker.units import services as unit_services
from tracker.units.models import Unit

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
YUNCHENG = SEEDS / "yuncheng" / "2021_work_plan.txt"


def load_units(city: str) -> Unit:
    path = SEEDS / city / "units.yaml"
    doc = unit_services.parse_directory(path.name, path.read_bytes())
    unit_services.import_directory(None, doc)
    root = next(u["name"] for u in doc["units"] if not u.get("parent"))
    return db.session.scalar(sa.select(Unit).where(Unit.name == root))


def unit_named(short: str) -> Unit:
    return db.session.scalar(sa.select(Unit).where(sa.or_(Unit.short_name == short, Unit.name == short)))


def counts() -> tuple[int, int, int]:
    return tuple(db.session.scalar(sa.select(sa.func.count()).select_from(m)) for m in (Plan, Task, Assignment))


def start(city_root: Unit, path: Path = YUNCHENG, **kw) -> PlanImport:
    return services.start_import(None, city_root, filename=path.name, data=path.read_bytes(), **kw)


def resolve_open_names(imp: PlanImport) -> list[str]:
    open_names = [n for n, st in services.name_states(imp).items() if st.is_open]
    for name in open_names:
        services.set_choice(None, imp, name, "drop")
    return open_names


@pytest.fixture
def yuncheng():
    return load_units("yuncheng")


def test_yuncheng_plan_imports_37_tasks_with_units(yuncheng):
    imp = start(yuncheng)
    assert imp.draft["plan"]["doc_number"] == "运政办发〔2021〕31号"
    resolve_open_names(imp)
    plan = services.confirm(None, imp)
    leaves = db.session.scalars(sa.select(Task).where(Task.plan_id == plan.id, Task.is_leaf)).all()
    assert len(leaves) == 37
    assert len({t.section for t in leaves}) == 6
    assert plan.year == 2021 and plan.issued_on.isoformat() == "2021-07-14"
    # 依托政务服务热线…: 市政府办公室、市审批服务管理局牵头，各县（市、区）人民政府…抓好落实
    task = next(t for t in leaves if "政策咨询综合服务窗口" in t.text)
    by_unit = {a.unit.short_name or a.unit.name: a for a in task.assignments}
    assert by_unit["市审批服务管理局"].role == "lead"
    counties = [a for a in task.assignments if a.source_phrase == "各县（市、区）人民政府"]
    assert len(counties) == 13 and all(a.role == "responsible" for a in counties)
    assert all(a.unit.kind == "county_gov" for a in counties)
    # Every task without a stated deadline falls to the plan's year end, marked as a default.
    assert all(a.due_on.isoformat() == "2021-12-31" for a in task.assignments)
    assert task.deadline_kind == "default"


def test_confirm_is_one_transaction_and_notifies_units(yuncheng):
    imp = start(yuncheng)
    resolve_open_names(imp)
    plan = services.confirm(None, imp)
    finance = unit_named("市财政局")
    n = db.session.scalar(sa.select(sa.func.count()).select_from(Assignment).where(
        Assignment.plan_id == plan.id, Assignment.unit_id == finance.id))
    assert n > 0
    assert imp.status == "confirmed" and imp.plan_id == plan.id


def test_unresolved_name_blocks_confirm_until_decided(yuncheng):
    imp = start(yuncheng)
    draft = dict(imp.draft)
    task = dict(draft["tasks"][0])
    task["responsible_units"] = task["responsible_units"] + ["市不存在局"]
    draft["tasks"] = [task, *draft["tasks"][1:]]
    imp.draft = draft
    resolve_open_names_except = [n for n, st in services.name_states(imp).items() if st.is_open and n != "市不存在局"]
    for name in resolve_open_names_except:
        services.set_choice(None, imp, name, "drop")
    before = counts()
    with pytest.raises(ServiceError) as exc:
        services.confirm(None, imp)
    assert "市不存在局" in exc.value.message
    assert counts() == before
    services.set_choice(None, imp, "市不存在局", "create", kind="city_dept")
    plan = services.confirm(None, imp)
    created = db.session.scalar(sa.select(Unit).where(Unit.name == "市不存在局"))
    assert created.parent_id == yuncheng.id
    first = db.session.scalar(sa.select(Task).where(Task.plan_id == plan.id, Task.ref == task["ref"]))
    assert created.id in {a.unit_id for a in first.assignments}


def test_map_choice_must_stay_in_the_jurisdiction(yuncheng):
    other = load_units("sanmenxia")
    imp = start(yuncheng)
    with pytest.raises(ServiceError, match="范围内"):
        services.set_choice(None, imp, "市委网信办", "map", unit_id=other.id)
    services.set_choice(None, imp, "市委网信办", "map", unit_id=unit_named("市政府办公室").id)
    assert imp.mapping["市委网信办"]["action"] == "map"


def test_reimport_is_detected_and_update_does_not_duplicate(yuncheng):
    imp = start(yuncheng)
    resolve_open_names(imp)
    plan = services.confirm(None, imp)
    first = counts()
    again = start(yuncheng)
    resolve_open_names(again)
    assert services.find_duplicate(again) == plan
    with pytest.raises(ServiceError) as exc:
        services.confirm(None, again)
    assert exc.value.status == 409 and "已导入过" in exc.value.message
    assert counts() == first
    # An extension granted since must survive the update.
    a = db.session.scalars(sa.select(Assignment).where(Assignment.plan_id == plan.id)).first()
    from datetime import date
    a.due_on = date(2022, 3, 31)
    db.session.flush()
    updated = services.confirm(None, again, mode="update")
    assert updated.id == plan.id
    assert counts() == first
    assert a.due_on == date(2022, 3, 31)


def test_update_without_a_previous_import_is_refused(yuncheng):
    imp = start(yuncheng)
    resolve_open_names(imp)
    with pytest.raises(ServiceError, match="没有找到"):
        services.confirm(None, imp, mode="update")


def test_edit_a_task_in_the_preview(yuncheng):
    imp = start(yuncheng)
    services.update_task(None, imp, 0, title="改过的标题", text="内容", deadline="2021-09-30", deadline_kind="date",
                         deadline_text="9月底前", lead=["市财政局"], responsible=["市民政局", ""], cooperating=[])
    t = imp.draft["tasks"][0]
    assert t["title"] == "改过的标题" and t["deadline"] == "2021-09-30" and t["lead_units"] == ["市财政局"]
    with pytest.raises(ServiceError, match="日期格式"):
        services.update_task(None, imp, 0, title="x", text="", deadline="2021-9-31", deadline_kind="date",
                             deadline_text="", lead=[], responsible=[], cooperating=[])
    with pytest.raises(ServiceError, match="需要填写日期"):
        services.update_task(None, imp, 0, title="x", text="", deadline=None, deadline_kind="date",
                             deadline_text="", lead=[], responsible=[], cooperating=[])
    resolve_open_names(imp)
    plan = services.confirm(None, imp)
    task = db.session.scalar(sa.select(Task).where(Task.plan_id == plan.id, Task.ref == t["ref"]))
    assert task.title == "改过的标题"
    roles = {a.unit.short_name: a.role for a in task.assignments}
    assert roles == {"市财政局": "lead", "市民政局": "responsible"}
    assert all(a.due_on.isoformat() == "2021-09-30" for a in task.assignments)


def _docx_not_zip() -> bytes:
    return b"This is not a zip file at all, just text pretending to be docx"


def _xlsx_without_header() -> bytes:
    wb = Workbook()
    wb.active.append(["甲", "乙", "丙"])
    wb.active.append(["1", "2", "3"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.mark.parametrize("filename, data, message", [
    ("empty.txt", b"", "空"),
    ("image.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, ""),
    ("plan.docx", _docx_not_zip(), ""),
    ("plan.xlsx", _xlsx_without_header(), ""),
    ("plain.txt", "这是一段没有任何编号结构的文字，只是随便写写而已。".encode("utf-8") * 3, ""),
])
def test_bad_files_save_nothing(yuncheng, filename, data, message):
    before = counts()
    imports = db.session.scalar(sa.select(sa.func.count()).select_from(PlanImport))
    with pytest.raises(ServiceError) as exc:
        services.start_import(None, yuncheng, filename=filename, data=data)
    assert exc.value.message and any("\u4e00" <= ch <= "\u9fff" for ch in exc.value.message)
    assert message in exc.value.message
    assert counts() == before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PlanImport)) == imports


def test_oversized_upload_is_refused(yuncheng):
    with pytest.raises(ServiceError) as exc:
        services.start_import(None, yuncheng, filename="big.txt", data=b"a" * (50 * 1024 * 1024), max_bytes=20 * 1024 * 1024)
    assert exc.value.status == 413 and "大小" in exc.value.message


def test_gbk_text_is_read(yuncheng):
    data = YUNCHENG.read_text(encoding="utf-8").encode("gb18030")
    imp = services.start_import(None, yuncheng, filename="gbk.txt", data=data)
    assert imp.draft["plan"]["doc_number"] == "运政办发〔2021〕31号"
    assert len([t for t in imp.draft["tasks"] if t["is_leaf"]]) == 37


def test_pasted_text(yuncheng):
    imp = services.start_import(None, yuncheng, text=YUNCHENG.read_text(encoding="utf-8"))
    assert len([t for t in imp.draft["tasks"] if t["is_leaf"]]) == 37
    with pytest.raises(ServiceError, match="请上传文件或粘贴"):
        services.start_import(None, yuncheng, text="   ")


@pytest.mark.parametrize("city, doc", [
    ("mudan", "2021_work_plan.txt"), ("sanmenxia", "2021_work_plan.txt"), ("xiaoyi", "2020_implementation_plan.txt"),
])
def test_other_seed_plans_import(city, doc):
    root = load_units(city)
    imp = start(root, SEEDS / city / doc)
    open_names = resolve_open_names(imp)
    plan = services.confirm(None, imp)
    n = db.session.scalar(sa.select(sa.func.count()).select_from(Assignment).where(Assignment.plan_id == plan.id))
    assert n > 50, (city, open_names)
    # Every assignment belongs to a unit inside the plan's jurisdiction.
    outside = db.session.scalar(
        sa.select(sa.func.count()).select_from(Assignment).join(Unit, Assignment.unit_id == Unit.id)
        .where(Assignment.plan_id == plan.id, ~Unit.path.startswith(root.path)))
    assert outside == 0


def test_xiaoyi_per_group_deadlines_reach_assignments():
    root = load_units("xiaoyi")
    imp = start(root, SEEDS / "xiaoyi" / "2020_implementation_plan.txt")
    resolve_open_names(imp)
    plan = services.confirm(None, imp)
    dues = {}
    for a in db.session.scalars(sa.select(Assignment).join(Task).where(Assignment.plan_id == plan.id)):
        if a.task.deadline_kind and "7月31日" in (a.task.text or "") and "8月31日" in (a.task.text or ""):
            dues.setdefault(a.unit.kind, set()).add(a.due_on.isoformat() if a.due_on else None)
    assert "2020-08-31" in dues.get("town", set())
    assert "2020-07-31" in dues.get("city_dept", set())


def test_cli_parse_prints_the_draft(runner):
    result = runner.invoke(args=["plans", "parse", str(YUNCHENG), "--units", str(SEEDS / "yuncheng" / "units.yaml")])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert set(out) >= {"plan", "tasks", "warnings"}
    assert out["plan"]["doc_number"] == "运政办发〔2021〕31号"
    assert len(out["tasks"]) == 37
    keys = {"ref", "path", "title", "text", "lead_units", "responsible_units", "cooperating_units", "unit_phrases",
            "deadline", "deadline_kind", "deadline_text", "deadlines_by_unit", "targets"}
    assert keys <= set(out["tasks"][0])
    assert counts() == (0, 0, 0)


def test_cli_import_and_list(runner):
    result = runner.invoke(args=["plans", "import", str(SEEDS / "sanmenxia" / "2021_work_plan.txt"),
                                 "--units", str(SEEDS / "sanmenxia" / "units.yaml"), "--drop-unresolved"])
    assert result.exit_code == 0, result.output
    plan_id = int(result.output.strip().splitlines()[-1])
    listed = json.loads(runner.invoke(args=["plans", "list", "--json"]).output)
    assert [p["id"] for p in listed] == [plan_id]
    assert listed[0]["tasks"] > 10 and listed[0]["assignments"] > 50
    again = runner.invoke(args=["plans", "import", str(SEEDS / "sanmenxia" / "2021_work_plan.txt"),
                                "--unit", listed[0]["unit"], "--drop-unresolved"])
    assert again.exit_code != 0 and "已导入过" in again.output


def test_cli_parse_bad_file(runner, tmp_path):
    bad = tmp_path / "x.txt"
    bad.write_bytes(b"")
    result = runner.invoke(args=["plans", "parse", str(bad)])
    assert result.exit_code != 0
