from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
import yaml
from openpyxl import Workbook

from tracker.audit.models import AuditEvent
from tracker.errors import ServiceError
from tracker.extensions import db
from tracker.units import services
from tracker.units.models import Unit, UnitGroup


def count_units() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Unit))


def test_create_sets_materialised_path_and_audits(world):
    unit = services.create_unit(world.admin, name="测试市统计局", kind="city_dept", parent=world.city, category="B")
    assert unit.path == f"{world.city.path}{unit.id}/"
    assert unit.is_within(world.city) and not unit.is_within(world.other_city)
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "unit.create", AuditEvent.object_id == unit.id))
    assert event.after["name"] == "测试市统计局"
    assert event.actor_id == world.admin.id


def test_moving_a_unit_repaths_its_subtree(world):
    office = services.create_unit(None, name="测试县财政局", kind="city_dept", parent=world.county)
    section = services.create_unit(None, name="测试县财政局预算股", kind="office", parent=office)
    services.update_unit(None, office, name=office.name, kind="city_dept", parent=world.other_city,
                         short_name=None, aliases=[], category="B")
    db.session.expire_all()
    assert office.path.startswith(world.other_city.path)
    assert section.path == f"{office.path}{section.id}/"


@pytest.mark.parametrize("name, kind, category, message", [
    ("", "city_dept", None, "不能为空"),
    ("测试市财政局", "city_dept", None, "已存在"),
    ("新单位", "ministry", None, "未知的单位类型"),
    ("新单位", "city_dept", "C", "A 或 B"),
])
def test_create_bad_input(world, name, kind, category, message):
    before = count_units()
    with pytest.raises(ServiceError) as exc:
        services.create_unit(None, name=name, kind=kind, parent=world.city, category=category)
    assert message in exc.value.message
    assert count_units() == before


def test_cannot_move_under_own_child(world):
    child = services.create_unit(None, name="子单位", kind="office", parent=world.finance)
    with pytest.raises(ServiceError, match="下级"):
        services.update_unit(None, world.finance, name=world.finance.name, kind="city_dept", parent=child,
                             short_name=None, aliases=[], category="B")


def test_group_by_rule_and_by_list(world):
    rule = services.save_group(None, None, phrase="各县（市、区）人民政府", owner=world.city,
                               rule_kind="county_gov", rule_parent=world.city)
    listed = services.save_group(None, None, phrase="财审部门", owner=world.city,
                                 members=[world.finance, world.audit])
    assert services.group_member_ids(rule) == [world.county.id]
    assert sorted(services.group_member_ids(listed)) == sorted([world.finance.id, world.audit.id])
    world.audit.is_active = False
    assert services.group_member_ids(listed) == [world.finance.id]
    with pytest.raises(ServiceError, match="已存在"):
        services.save_group(None, None, phrase="财审部门", owner=world.city, members=[world.finance])
    with pytest.raises(ServiceError, match="规则"):
        services.save_group(None, None, phrase="空统称", owner=world.city)


DIRECTORY = {
    "units": [
        {"name": "样例市人民政府", "short_name": "市政府", "kind": "city_gov"},
        {"name": "样例市发展和改革委员会", "short_name": "市发展改革委", "aliases": ["市发改委"], "kind": "city_dept",
         "parent": "样例市人民政府", "category": "B"},
        {"name": "样例县人民政府", "kind": "county_gov", "parent": "样例市人民政府", "category": "A"},
        {"name": "样例县城关镇人民政府", "kind": "town", "parent": "样例县人民政府"},
    ],
    "groups": [
        {"phrase": "各县（市、区）人民政府", "aliases": ["各县（市、区）政府"],
         "rule": {"kind": "county_gov", "parent": "样例市人民政府"}},
        {"phrase": "发改部门", "members": ["样例市发展和改革委员会"]},
    ],
}


def test_import_yaml_directory(world):
    doc = services.parse_directory("units.yaml", yaml.safe_dump(DIRECTORY, allow_unicode=True).encode())
    result = services.import_directory(world.admin, doc)
    assert len(result.created) == 4 and result.groups == ["各县（市、区）人民政府", "发改部门"]
    town = db.session.scalar(sa.select(Unit).where(Unit.name == "样例县城关镇人民政府"))
    root = db.session.scalar(sa.select(Unit).where(Unit.name == "样例市人民政府"))
    assert town.is_within(root) and town.parent.name == "样例县人民政府"
    group = db.session.scalar(sa.select(UnitGroup).where(UnitGroup.phrase == "各县（市、区）人民政府"))
    assert group.owner_id == root.id
    assert [db.session.get(Unit, i).name for i in services.group_member_ids(group)] == ["样例县人民政府"]
    # Importing again updates instead of duplicating.
    again = services.import_directory(world.admin, doc)
    assert again.created == [] and len(again.updated) == 4


def test_import_parent_listed_after_child(world):
    doc = {"units": [{"name": "乙局", "parent": "甲市政府", "kind": "city_dept"}, {"name": "甲市政府", "kind": "city_gov"}]}
    result = services.import_directory(None, doc)
    assert result.created == ["甲市政府", "乙局"]


@pytest.mark.parametrize("rows, expected", [
    ([{"name": "甲"}, {"name": "甲"}], "与第2行重名"),
    ([{"name": "甲", "parent": "不存在的上级"}], "上级单位“不存在的上级”不存在"),
    ([{"name": ""}], "单位名称为空"),
    ([{"name": "甲", "kind": "ministry"}], "未知的单位类型"),
    ([{"name": "甲", "category": "Z"}], "考核类别"),
])
def test_import_errors_import_nothing(world, rows, expected):
    before = count_units()
    with pytest.raises(services.DirectoryImportError) as exc:
        services.import_directory(None, {"units": [{"name": "好单位", "kind": "other"}] + rows})
    assert any(expected in e for e in exc.value.errors), exc.value.errors
    assert count_units() == before


def test_import_group_error_rolls_back_units(world):
    before = count_units()
    doc = {"units": [{"name": "丙市政府", "kind": "city_gov"}],
           "groups": [{"phrase": "坏统称", "members": ["没有这个单位"]}]}
    with pytest.raises(services.DirectoryImportError) as exc:
        services.import_directory(None, doc)
    assert "成员“没有这个单位”不存在" in exc.value.errors[0]
    assert count_units() == before


def _xlsx(rows: list[list], groups: list[list] | None = None) -> bytes:
    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    if groups:
        g = wb.create_sheet("统称")
        for r in groups:
            g.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_import_xlsx_directory(world):
    data = _xlsx(
        [["名称", "简称", "别名", "类型", "上级单位", "考核类别"],
         ["表格市人民政府", "市政府", "", "市政府/办公室", "", ""],
         ["表格市教育局", "市教育局", "教育局、市教委", "city_dept", "表格市人民政府", "B"]],
        [["统称", "别名", "规则类型", "规则上级", "成员"], ["市直各有关单位", "市直各单位", "city_dept", "表格市人民政府", ""]],
    )
    result = services.import_directory(None, services.parse_directory("units.xlsx", data))
    assert result.created == ["表格市人民政府", "表格市教育局"]
    edu = db.session.scalar(sa.select(Unit).where(Unit.name == "表格市教育局"))
    assert edu.aliases == ["教育局", "市教委"] and edu.kind == "city_dept"
    group = db.session.scalar(sa.select(UnitGroup).where(UnitGroup.phrase == "市直各有关单位"))
    assert services.group_member_ids(group) == [edu.id]


@pytest.mark.parametrize("data, message", [
    (b"", "文件为空"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "既不是 YAML 也不是 xlsx"),
    (b"just: [a, b", "既不是 YAML 也不是 xlsx"),
    (b"- a\n- b\n", "units"),
])
def test_parse_directory_bad_files(data, message):
    with pytest.raises(services.DirectoryImportError) as exc:
        services.parse_directory("x.yaml", data)
    assert message in exc.value.message


def test_xlsx_without_header(world):
    data = _xlsx([["甲", "乙"], ["丙", "丁"]])
    with pytest.raises(services.DirectoryImportError, match="表头"):
        services.parse_directory("x.xlsx", data)


def test_admin_import_page_lists_row_errors(client, auth, world):
    auth.login(world.admin)
    before = count_units()
    body = yaml.safe_dump({"units": [{"name": "甲"}, {"name": "甲"}, {"name": "乙", "parent": "无"}]}, allow_unicode=True)
    resp = client.post("/admin/units/import", data={"file": (io.BytesIO(body.encode()), "units.yaml")},
                       content_type="multipart/form-data")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert "未导入任何数据" in page and "与第1行重名" in page and "上级单位“无”不存在" in page
    assert count_units() == before


def test_admin_unit_screens(client, auth, world):
    auth.login(world.admin)
    assert "测试市财政局" in client.get("/admin/units/?q=财政").get_data(as_text=True)
    resp = client.post("/admin/units/new", data={"name": "测试市统计局", "short_name": "市统计局", "aliases": "统计局",
                                                  "kind": "city_dept", "parent_id": world.city.id, "category": "B"})
    assert resp.status_code == 302
    unit = db.session.scalar(sa.select(Unit).where(Unit.name == "测试市统计局"))
    assert unit.parent_id == world.city.id and unit.aliases == ["统计局"]
    resp = client.post("/admin/units/new", data={"name": "测试市统计局", "kind": "city_dept", "parent_id": 0, "category": ""})
    assert "已存在" in resp.get_data(as_text=True)
    client.post(f"/admin/units/{unit.id}/active", data={"active": "0"})
    assert unit.is_active is False
    resp = client.post("/admin/units/groups/new", data={"phrase": "市直各有关单位", "owner_id": world.city.id,
                                                         "rule_kind": "city_dept", "rule_parent_id": world.city.id})
    assert resp.status_code == 302
    page = client.get("/admin/units/groups").get_data(as_text=True)
    assert "市直各有关单位" in page and "（2个）" in page


def test_directory_order_is_the_official_order(world):
    """Units sort as the 名录 lists them: 运城 first, then its counties in the city's order (not by id or name)."""
    from pathlib import Path

    import sqlalchemy as sa

    from tracker.extensions import db
    from tracker.units import services as unit_services
    from tracker.units.models import Unit, official_order

    raw = (Path(__file__).resolve().parents[2] / "seeds" / "yuncheng" / "units.yaml").read_bytes()
    unit_services.import_directory(None, unit_services.parse_directory("units.yaml", raw))
    names = list(db.session.scalars(sa.select(Unit.name).where(Unit.kind == "county_gov", Unit.path.startswith(
        db.session.scalar(sa.select(Unit.path).where(Unit.name == "运城市人民政府")))).order_by(*official_order())))
    # the order of seeds/yuncheng/units.yaml, read by hand: 盐湖区 first, not 稷山县 (an earlier id) or by name
    assert names[:4] == ["运城市盐湖区人民政府", "永济市人民政府", "河津市人民政府", "临猗县人民政府"]
    counties = db.session.scalar(sa.select(sa.func.max(Unit.sort_order)).where(Unit.name.in_(names)))
    departments = db.session.scalar(sa.select(sa.func.min(Unit.sort_order)).where(
        Unit.kind == "city_dept", Unit.name.like("运城市%")))
    assert counties < departments
