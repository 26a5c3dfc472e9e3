"""A plan imported under the wrong jurisdiction (issue 14, finding 17; issue 17)."""
from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from tests.factories import UserFactory
from tests.plans.conftest import SEEDS, load_directory, seed_text
from tests.plans.test_import_service import counts, load_units, start, unit_named
from tracker.errors import ServiceError
from tracker.extensions import db
from tracker.plans import services
from tracker.plans.models import Assignment, PlanImport
from tracker.plans.resolve import UnitDirectory, issuer_outside

SANMENXIA = SEEDS / "sanmenxia" / "2021_work_plan.txt"
YUNCHENG_PLAN = SEEDS / "yuncheng" / "2021_work_plan.txt"


@pytest.mark.parametrize("issuer, place, inside, outside", [
    ("三门峡市人民政府办公室", "运城市", [], True),
    ("运城市人民政府办公室", "运城市", [], False),
    ("运城市政府办公室", "运城市", [], False),
    ("运城政府办", "运城市", [], False),
    ("市人民政府办公室", "运城市", [], False),  # no place written: cannot tell
    ("", "运城市", [], False),
    ("孝义市人民政府办公室", "吕梁市", [], True),
    ("孝义市人民政府办公室", "吕梁市", ["孝义市人民政府办公室"], False),  # a unit of that name lies inside
    ("孝义市政府办", "吕梁市", ["孝义市人民政府办公室"], False),
    ("牡丹区人民政府办公室", "菏泽市牡丹区", [], False),
    ("菏泽市人民政府办公室", "菏泽市牡丹区", [], True),  # the city above: its 市××局 are the city's, not the district's
    ("东明县人民政府办公室", "菏泽市牡丹区", [], True),
])
def test_issuer_outside(issuer, place, inside, outside):
    assert issuer_outside(issuer, place, inside) is outside


def test_directory_of_own_names_only_matches_spelled_out_names():
    full = load_directory("yuncheng")
    strict = UnitDirectory(full.units, full.groups, jurisdiction="运城市", own_names_only=True)
    assert full.resolve("市发展改革委").status == "unit"
    for written in ("市发展改革委", "市财政局", "司法局", "各县（市、区）政府"):
        assert strict.resolve(written).status == "unresolved"
        assert strict.resolve(written).matched == "foreign"
    assert strict.resolve("运城市财政局").unit_ids == full.resolve("市财政局").unit_ids


def test_sanmenxia_plan_under_yuncheng_maps_nothing_silently():
    yuncheng = load_units("yuncheng")
    imp = start(yuncheng, SANMENXIA)
    warning = services.issuer_warning(imp)
    assert "三门峡市人民政府办公室" in warning and "运城市人民政府" in warning
    states = services.name_states(imp)
    assert "市发展改革委" in states
    assert not [n for n, st in states.items() if st.resolution.status != "unresolved"]
    assert all(st.is_open for st in states.values())
    for name in states:
        services.set_choice(None, imp, name, "drop")
    before = counts()
    with pytest.raises(ServiceError, match="不属于所选辖区.*勾选"):
        services.confirm(None, imp)
    assert counts() == before


def test_confirmed_with_acceptance_only_assigns_what_the_supervisor_mapped():
    yuncheng = load_units("yuncheng")
    imp = start(yuncheng, SANMENXIA)
    finance = unit_named("市财政局")
    for name in services.name_states(imp):
        if name == "市财政局":
            services.set_choice(None, imp, name, "map", unit_id=finance.id)
        else:
            services.set_choice(None, imp, name, "drop")
    plan = services.confirm(None, imp, accept_issuer=True)
    units = set(db.session.scalars(sa.select(Assignment.unit_id).where(Assignment.plan_id == plan.id)))
    assert units == {finance.id}


def test_own_plan_has_no_warning():
    yuncheng = load_units("yuncheng")
    imp = start(yuncheng, YUNCHENG_PLAN)
    assert services.issuer_warning(imp) is None
    assert services.name_states(imp)["市发展改革委"].resolution.status == "unit"


def test_preview_warns_loudly_and_confirm_needs_the_tick(client, auth):
    yuncheng = load_units("yuncheng")
    auth.login(UserFactory(username="yc-super", role="supervisor", unit=yuncheng))
    resp = client.post("/plans/import", data={"unit_id": yuncheng.id, "file": (io.BytesIO(SANMENXIA.read_bytes()), "三门峡.txt"),
                                               "text": "", "year": ""}, content_type="multipart/form-data")
    assert resp.status_code == 302
    imp = db.session.scalar(sa.select(PlanImport).order_by(PlanImport.id.desc()))
    page = client.get(f"/plans/import/{imp.id}").get_data(as_text=True)
    assert 'id="issuer-warning"' in page and "发文机关不属于所选辖区" in page
    assert 'name="accept_issuer"' in page
    for name in services.name_states(imp):
        client.post(f"/plans/import/{imp.id}/names", data={"name": name, "action": "drop"})
    client.post(f"/plans/import/{imp.id}/confirm", data={"mode": "new"})
    assert db.session.get(PlanImport, imp.id).status == "draft"
    client.post(f"/plans/import/{imp.id}/confirm", data={"mode": "new", "accept_issuer": "1"})
    assert db.session.get(PlanImport, imp.id).status == "confirmed"


def test_cli_refuses_without_accept_issuer(runner):
    units = ["--units", str(SEEDS / "yuncheng" / "units.yaml"), "--unit", "运城市人民政府"]
    result = runner.invoke(args=["plans", "import", str(SANMENXIA), *units, "--drop-unresolved"])
    assert result.exit_code != 0
    assert "警告：发文机关“三门峡市人民政府办公室”不属于所选辖区" in result.output
    assert "--accept-issuer" in result.output
    assert counts()[0] == 0
    result = runner.invoke(args=["plans", "import", str(SANMENXIA), *units, "--drop-unresolved", "--accept-issuer"])
    assert result.exit_code == 0, result.output
    assert counts()[2] == 0  # every name was foreign and dropped: no 运城 unit got a task


def test_seed_text_issuer_is_read():
    from tracker.plans.parser import parse_document

    assert parse_document(seed_text("sanmenxia")).issuer == "三门峡市人民政府办公室"
