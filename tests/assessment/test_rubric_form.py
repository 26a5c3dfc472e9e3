"""The rubric as a form: a round trip to the YAML written by hand, each bad input named in Chinese, roles."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from tracker.assessment.models import RubricDocument
from tracker.assessment.rubric import load_rubric
from tracker.extensions import db

#: what the form below must save, written by hand
HAND_YAML = """\
year: 2022
name: 2022年度政务公开考核细则
full_score: 100
assessment_weight: 5%
categories:
  - code: A
    name: A类（县级政府）
    unit_kinds: [county_gov, zone]
  - code: B
    name: B类（政府部门）
    unit_kinds: [city_dept]
indicators:
  - code: tasks
    name: 任务落实
    weight: 60
    description: 按时限完成
  - code: reports
    name: 进展报送
    weight: 40
rules:
  - code: late
    name: 任务逾期完成
    type: late_completion
    indicator: tasks
    amount: 0.5
    per_day: 0.2
    item_cap: 2
    cap: 20
    extension_moves_due: false
    exclude_deadline_kinds: [continuous, year_end]
  - code: returned
    name: 报告被退回
    type: report_returned
    indicator: reports
    amount: 1
    cap: 8
  - code: praised
    name: 被通报表扬
    type: bonus
    item_cap: 2
    cap: 4
bonus:
  name: 加分项
  cap: 5
"""


def form_data(**changes) -> dict:
    """The posted fields that stand for HAND_YAML; keyword arguments replace single fields."""
    data = {
        "year": "2022", "name": "2022年度政务公开考核细则", "full_score": "100", "assessment_weight": "5",
        "cat-0-code": "A", "cat-0-name": "A类（县级政府）", "cat-0-unit_kinds": ["county_gov", "zone"],
        "cat-1-code": "B", "cat-1-name": "B类（政府部门）", "cat-1-unit_kinds": ["city_dept"],
        "ind-0-code": "tasks", "ind-0-name": "任务落实", "ind-0-weight": "60", "ind-0-description": "按时限完成",
        "ind-1-code": "reports", "ind-1-name": "进展报送", "ind-1-weight": "40", "ind-1-description": "",
        "rule-0-code": "late", "rule-0-name": "任务逾期完成", "rule-0-type": "late_completion",
        "rule-0-indicator": "tasks", "rule-0-amount": "0.5", "rule-0-per_day": "0.2", "rule-0-item_cap": "2",
        "rule-0-cap": "20", "rule-0-exclude_deadline_kinds": ["continuous", "year_end"],
        "rule-1-code": "returned", "rule-1-name": "报告被退回", "rule-1-type": "report_returned",
        "rule-1-indicator": "reports", "rule-1-amount": "1", "rule-1-cap": "8",
        # a day setting left in a field of a rule whose type has no use for it is ignored
        "rule-1-per_day": "0.3",
        "rule-2-code": "praised", "rule-2-name": "被通报表扬", "rule-2-type": "bonus", "rule-2-indicator": "",
        "rule-2-item_cap": "2", "rule-2-cap": "4",
        "bonus_name": "加分项", "bonus_cap": "5", "action": "save",
    }
    data.update(changes)
    return data


def saved_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(RubricDocument))


def test_form_saves_the_rubric_written_by_hand(client, auth, world):
    auth.login(world.admin)
    page = client.get("/assessment/rubrics/edit?year=2022").get_data(as_text=True)
    # the seed moved to 2022 fills the form, in Chinese, with a help line per setting
    assert "每次扣分" in page and "单项上限" in page and "延期后按新期限计算" in page and "任务逾期完成" in page
    assert "按工作日累计的扣分" in page
    assert 'value="2022年度政务公开工作目标责任考核细则"' in page  # the seed's name moves to the year too
    resp = client.post("/assessment/rubrics/edit", data=form_data())
    assert resp.status_code == 302, resp.get_data(as_text=True)
    doc = db.session.scalar(sa.select(RubricDocument).where(RubricDocument.year == 2022))
    assert load_rubric(doc.yaml_text) == load_rubric(HAND_YAML)
    assert doc.loaded_by_id == world.admin.id
    # the form opens again on what was saved, and saving it unchanged gives the same rubric
    again = client.get("/assessment/rubrics/edit?year=2022").get_data(as_text=True)
    assert 'value="0.2"' in again and "2022年度政务公开考核细则" in again
    assert client.post("/assessment/rubrics/edit", data=form_data()).status_code == 302
    assert load_rubric(db.session.get(RubricDocument, doc.id).yaml_text) == load_rubric(HAND_YAML)
    # the display is Chinese, not YAML
    shown = client.get("/assessment/rubrics?year=2022").get_data(as_text=True)
    assert "每个工作日加扣" in shown and "0.2分" in shown and "持续推进、年底前" in shown and "县级政府、开发区/管委会" in shown
    for key in ("late_completion", "item_cap", "unit_kinds", "county_gov", "task_completion", "per_day"):
        assert key not in shown
    # the YAML export, for the admin who wants it
    exported = client.get("/assessment/rubrics/2022/export")
    assert exported.status_code == 200 and "attachment" in exported.headers["Content-Disposition"]
    assert load_rubric(exported.get_data(as_text=True)) == load_rubric(HAND_YAML)


BAD = [
    pytest.param({"ind-1-weight": "-5"}, "第2项指标“进展报送”的权重（分）不能为负数（-5）", id="negative-weight"),
    pytest.param({"rule-0-item_cap": "-1"}, "第1条规则“任务逾期完成”的单项上限不能为负数（-1）", id="negative-item-cap"),
    pytest.param({"rule-1-cap": "-8"}, "第2条规则“报告被退回”的本规则合计上限不能为负数（-8）", id="negative-cap"),
    pytest.param({"rule-0-amount": "半分"}, "第1条规则“任务逾期完成”的每次扣分应为数字", id="amount-not-number"),
    pytest.param({"rule-0-per_day": "0.125"}, "第1条规则“任务逾期完成”的每个工作日加扣最多保留两位小数", id="three-decimals"),
    pytest.param({"rule-1-amount": ""}, "第2条规则“报告被退回”的每次扣分未填写", id="amount-missing"),
    pytest.param({"rule-1-amount": "0"}, "第2条规则“报告被退回”的每次扣分与每个工作日加扣不能都为0", id="never-deducts"),
    pytest.param({"rule-1-indicator": ""}, "第2条规则“报告被退回”的计入指标未选择", id="no-indicator"),
    pytest.param({"ind-0-name": ""}, "第1项指标的名称未填写", id="indicator-without-name"),
    pytest.param({"rule-2-name": ""}, "第3条规则的名称未填写", id="rule-without-name"),
    pytest.param({"ind-1-weight": "50"}, "第2项指标“进展报送”的权重（分）指标权重合计110分，超过满分100分", id="weights-above-full"),
    pytest.param({"full_score": "0"}, "满分应大于0", id="zero-full-score"),
    pytest.param({"assessment_weight": "120"}, "考核权重应大于0且不超过100%，不是 120%", id="weight-above-100"),
    pytest.param({"assessment_weight": "四"}, "考核权重应填写百分数，如 4，不是“四”", id="weight-not-a-number"),
    pytest.param({"bonus_cap": ""}, "加分项的加分合计上限未填写", id="bonus-cap-missing"),
    pytest.param({"bonus_cap": "-1"}, "加分项的加分合计上限不能为负数（-1）", id="negative-bonus-cap"),
    pytest.param({"cat-1-unit_kinds": []}, "第2个单位类别“B类（政府部门）”的单位类型至少勾选一种", id="category-without-kinds"),
    pytest.param({"cat-1-unit_kinds": ["city_dept", "zone"]},
                 "第2个单位类别“B类（政府部门）”的单位类型不能包含“开发区/管委会”：它已归入“A类（县级政府）”",
                 id="kind-in-two-categories"),
    pytest.param({"cat-1-unit_kinds": ["town"]},
                 "第2个单位类别“B类（政府部门）”的单位类型（乡镇/街道）在现有单位中都不存在，没有单位属于该类别",
                 id="category-no-unit-is-in"),
]


@pytest.mark.parametrize("changes, message", BAD)
def test_bad_input_names_the_field_in_chinese_and_saves_nothing(client, auth, world, changes, message):
    auth.login(world.admin)
    resp = client.post("/assessment/rubrics/edit", data=form_data(**changes))
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    errors = re.search(r'<ul class="mb-0" id="rubric-errors">(.*?)</ul>', html, re.S).group(1)
    assert message in errors, errors
    assert saved_count() == 0
    # what was typed stays in the form
    assert 'value="任务逾期完成"' in html or changes.get("rule-0-name") is not None


def test_bad_year_is_refused(client, auth, world):
    auth.login(world.admin)
    resp = client.post("/assessment/rubrics/edit", data=form_data(year="20x2"))
    assert resp.status_code == 400 and "年度应为2000至2100之间的整数" in resp.get_data(as_text=True)
    assert saved_count() == 0


def test_add_and_remove_items(client, auth, world):
    auth.login(world.admin)
    page = client.post("/assessment/rubrics/edit", data=form_data(action="add-ind")).get_data(as_text=True)
    assert "第3项指标名称" in page and 'name="ind-2-code" value="indicator1"' in page
    page = client.post("/assessment/rubrics/edit", data=form_data(action="add-rule")).get_data(as_text=True)
    assert "第4条规则名称" in page
    page = client.post("/assessment/rubrics/edit", data=form_data(action="remove-rule-1")).get_data(as_text=True)
    assert 'value="报告被退回"' not in page and "第3条规则名称" not in page and 'value="被通报表扬"' in page
    assert saved_count() == 0  # adding and removing only redraw the form
    # a removed rule is gone from what is saved
    data = {k: v for k, v in form_data().items() if not k.startswith("rule-1-")}
    data.update({k.replace("rule-2-", "rule-1-"): data.pop(k) for k in list(data) if k.startswith("rule-2-")})
    assert client.post("/assessment/rubrics/edit", data=data).status_code == 302
    saved = load_rubric(db.session.scalar(sa.select(RubricDocument)).yaml_text)
    assert [r.name for r in saved.rules] == ["任务逾期完成", "被通报表扬"]
    assert client.post("/assessment/rubrics/edit", data=form_data(action="remove-rule-9")).status_code == 400


def test_roles(client, auth, world):
    auth.login(world.admin)
    assert client.post("/assessment/rubrics/edit", data=form_data()).status_code == 302
    auth.logout()
    for user, edit, show in ((world.supervisor, 403, 200), (world.leader, 403, 200), (world.reporter, 403, 403)):
        auth.login(user)
        assert client.get("/assessment/rubrics/edit?year=2022").status_code == edit
        assert client.post("/assessment/rubrics/edit", data=form_data(name="改")).status_code == edit
        assert client.get("/assessment/rubrics/2022/export").status_code == edit
        assert client.get("/assessment/rubrics?year=2022").status_code == show
        auth.logout()
    assert db.session.scalar(sa.select(RubricDocument)).name == "2022年度政务公开考核细则"


def test_a_stored_rubric_that_no_longer_loads_opens_the_seed_with_a_warning(client, auth, world):
    db.session.add(RubricDocument(year=2022, name="坏细则", yaml_text="year: 2022\nrules: 1\n"))
    db.session.flush()
    auth.login(world.admin)
    page = client.get("/assessment/rubrics/edit?year=2022").get_data(as_text=True)
    assert "已保存的2022年度细则有误" in page and 'value="任务逾期完成"' in page


def test_the_deadline_change_setting_round_trips_through_the_form(client, auth, world):
    auth.login(world.admin)
    page = client.get("/assessment/rubrics/edit?year=2022").get_data(as_text=True)
    assert "督办调整任务时限的计分口径" in page and "保留原定时限计分" in page
    resp = client.post("/assessment/rubrics/edit", data=form_data(deadline_change="keep_original"))
    assert resp.status_code == 302, resp.get_data(as_text=True)
    doc = db.session.scalar(sa.select(RubricDocument).where(RubricDocument.year == 2022))
    assert load_rubric(doc.yaml_text) == load_rubric(HAND_YAML + "deadline_change: keep_original\n")
    shown = client.get("/assessment/rubrics?year=2022").get_data(as_text=True)
    assert "督办调整任务时限的计分口径：保留原定时限计分" in shown and "keep_original" not in shown
    # back to the default: a correction, which the YAML leaves out
    assert client.post("/assessment/rubrics/edit", data=form_data(deadline_change="correction")).status_code == 302
    assert load_rubric(db.session.get(RubricDocument, doc.id).yaml_text) == load_rubric(HAND_YAML)
    # a value that is not one of the two is refused in Chinese and nothing changes
    bad = client.post("/assessment/rubrics/edit", data=form_data(deadline_change="whatever"))
    assert "督办调整任务时限的计分口径应为" in bad.get_data(as_text=True)
    assert load_rubric(db.session.get(RubricDocument, doc.id).yaml_text) == load_rubric(HAND_YAML)
