"""Assessment pages per role: rankings, a unit's line items, computing, publishing, objections, bonuses, rubric."""
from __future__ import annotations

import io
import json
import re
from datetime import date, timedelta

import sqlalchemy as sa

from tests.assessment.conftest import AS_OF
from tracker.assessment import services
from tracker.assessment.models import AssessmentVersion, Bonus, Objection, RubricDocument
from tracker.extensions import db
from tracker.timeutil import local_today, utcnow


def compute(client, auth, world, as_of=AS_OF) -> AssessmentVersion:
    auth.login(world.supervisor)
    resp = client.post(f"/assessment/plans/{world.plan.id}/compute", data={"as_of": as_of.isoformat()})
    assert resp.status_code == 302, resp.get_data(as_text=True)
    version = db.session.scalar(sa.select(AssessmentVersion).order_by(AssessmentVersion.id.desc()))
    assert resp.headers["Location"].endswith(f"/assessment/versions/{version.id}")
    return version


def test_supervisor_computes_and_sees_the_ranking_with_drill_down(client, auth, world, scenario):
    v = compute(client, auth, world)
    page = client.get(f"/assessment/versions/{v.id}?category=B").get_data(as_text=True)
    assert page.count("<h1") == 1 and "考核排名" in page
    assert "测试市财政局" in page and "96.2" in page and "90.9" in page
    assert f"/assessment/versions/{v.id}/units/{world.finance.id}" in page
    assert "发布本版本" in page  # newest, unpublished
    detail = client.get(f"/assessment/versions/{v.id}/units/{world.finance.id}").get_data(as_text=True)
    assert "应于2021年9月30日前完成" in detail and "逾期完成4个工作日" in detail
    # each line item links to its source
    assert f"/assignments/{scenario.late.id}" in detail
    assert f"/assignments/{scenario.late.id}#reports" in detail
    assert f"/supervise/notices/{scenario.notice.id}#item-{scenario.item.id}" in detail
    audit = client.get(f"/assessment/versions/{v.id}/units/{world.audit.id}").get_data(as_text=True)
    assert f"/supervise/circulars/{scenario.criticism.id}" in audit


def test_bad_compute_date_is_refused_with_a_message(client, auth, world, rubric):
    auth.login(world.supervisor)
    resp = client.post(f"/assessment/plans/{world.plan.id}/compute", data={"as_of": "2021-13-01"},
                       follow_redirects=True)
    assert "日期格式不正确" in resp.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AssessmentVersion)) == 0


def test_compute_without_rubric_flashes_the_reason(client, auth, world):
    auth.login(world.supervisor)
    resp = client.post(f"/assessment/plans/{world.plan.id}/compute", data={"as_of": "2021-11-15"},
                       follow_redirects=True)
    assert "尚未导入2021年度考核细则" in resp.get_data(as_text=True)


def test_leader_reads_but_cannot_compute_or_freeze(client, auth, world, scenario):
    v = services.compute_version(world.supervisor, world.plan, AS_OF)
    auth.login(world.leader)
    assert client.get(f"/assessment/versions/{v.id}").status_code == 200
    assert client.post(f"/assessment/plans/{world.plan.id}/compute", data={"as_of": "2021-11-15"}).status_code == 403
    assert client.post(f"/assessment/versions/{v.id}/freeze").status_code == 403
    assert "发布本版本" not in client.get(f"/assessment/versions/{v.id}").get_data(as_text=True)


def test_other_jurisdiction_gets_404(client, auth, world, scenario):
    v = services.compute_version(world.supervisor, world.plan, AS_OF)
    auth.login(world.other_supervisor)
    assert client.get(f"/assessment/plans/{world.plan.id}").status_code == 404
    assert client.get(f"/assessment/versions/{v.id}").status_code == 404
    assert client.get(f"/assessment/versions/{v.id}/units/{world.finance.id}").status_code == 404
    assert client.post(f"/assessment/versions/{v.id}/freeze").status_code == 404


def test_freeze_publishes_and_reporter_sees_only_its_own_unit(client, auth, world, scenario):
    v = services.compute_version(world.supervisor, world.plan, AS_OF)
    auth.login(world.reporter)
    # unpublished: nothing to see
    assert client.get(f"/assessment/versions/{v.id}/units/{world.finance.id}").status_code == 404
    auth.logout()
    auth.login(world.supervisor)
    resp = client.post(f"/assessment/versions/{v.id}/freeze", follow_redirects=True)
    assert "已发布" in resp.get_data(as_text=True)
    assert db.session.get(AssessmentVersion, v.id).is_frozen
    auth.logout()
    auth.login(world.reporter)
    assert client.get(f"/assessment/versions/{v.id}").headers["Location"].endswith(
        f"/assessment/versions/{v.id}/units/{world.finance.id}")
    mine = client.get(f"/assessment/versions/{v.id}/units/{world.finance.id}")
    assert mine.status_code == 200
    text = mine.get_data(as_text=True)
    assert "96.2" in text and "提出申诉" in text
    assert client.get(f"/assessment/versions/{v.id}/units/{world.audit.id}").status_code == 404
    overview = client.get(f"/assessment/plans/{world.plan.id}").get_data(as_text=True)
    assert "第1版" in overview and "96.2" in overview


def test_reporter_files_objection_and_supervisor_accepts(client, auth, world, scenario):
    v = services.compute_version(world.supervisor, world.plan, AS_OF)
    services.freeze_version(world.supervisor, v, now=utcnow())
    db.session.flush()
    item = f"report_returned:report:{scenario.returned.id}"
    auth.login(world.reporter)
    resp = client.post(f"/assessment/versions/{v.id}/objections", data={"item_id": item, "reason": "退回系网站故障所致。"})
    assert resp.status_code == 302
    objection = db.session.scalar(sa.select(Objection))
    assert objection.item_id == item and objection.unit_id == world.finance.id
    # another unit's item is refused with the reason
    other = f"overdue_at_assessment:assignment:{scenario.overdue.id}"
    resp = client.post(f"/assessment/versions/{v.id}/objections", data={"item_id": other, "reason": "不是我们的。"},
                       follow_redirects=True)
    assert "只能对本单位的考核事项提出申诉" in resp.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Objection)) == 1
    auth.logout()
    auth.login(world.supervisor)
    listing = client.get("/assessment/objections?status=open").get_data(as_text=True)
    assert "退回系网站故障所致" in listing
    resp = client.post(f"/assessment/objections/{objection.id}/decide", data={"decision": "accept", "reason": ""})
    assert resp.status_code == 302
    assert db.session.get(Objection, objection.id).status == "accepted"
    v2 = compute(client, auth, world)
    assert v2.number == 2 and item in v2.result["excluded"]


def test_objection_after_the_window_is_refused_on_the_page(client, auth, world, scenario):
    v = services.compute_version(world.supervisor, world.plan, AS_OF)
    services.freeze_version(world.supervisor, v, now=utcnow() - timedelta(days=30))
    auth.login(world.reporter)
    page = client.get(f"/assessment/versions/{v.id}/units/{world.finance.id}").get_data(as_text=True)
    assert "申诉期已过" in page and "提出申诉</button>" not in page
    resp = client.post(f"/assessment/versions/{v.id}/objections",
                       data={"item_id": f"report_returned:report:{scenario.returned.id}", "reason": "迟到的申诉理由。"},
                       follow_redirects=True)
    assert "申诉期已过" in resp.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Objection)) == 0


def test_staff_cannot_file_and_reporter_cannot_decide(client, auth, world, scenario):
    v = services.compute_version(world.supervisor, world.plan, AS_OF)
    services.freeze_version(world.supervisor, v)
    objection = services.file_objection(world.reporter, v, f"report_returned:report:{scenario.returned.id}",
                                        "请复核这一事项。", today=local_today())
    auth.login(world.reporter)
    assert client.post(f"/assessment/objections/{objection.id}/decide", data={"decision": "accept"}).status_code == 403
    assert client.get("/assessment/objections").status_code == 403
    auth.logout()
    auth.login(world.leader)
    assert client.post(f"/assessment/versions/{v.id}/objections", data={"item_id": "x", "reason": "y"}).status_code == 403


def test_reject_without_reason_is_refused(client, auth, world, scenario):
    v = services.compute_version(world.supervisor, world.plan, AS_OF)
    services.freeze_version(world.supervisor, v)
    objection = services.file_objection(world.reporter, v, f"report_returned:report:{scenario.returned.id}",
                                        "请复核这一事项。", today=local_today())
    auth.login(world.supervisor)
    resp = client.post(f"/assessment/objections/{objection.id}/decide", data={"decision": "reject", "reason": ""},
                       follow_redirects=True)
    assert "不予采纳时请写明理由" in resp.get_data(as_text=True)
    assert db.session.get(Objection, objection.id).status == "open"


def test_supervisor_enters_and_deletes_a_bonus(client, auth, world, scenario):
    auth.login(world.supervisor)
    page = client.get(f"/assessment/plans/{world.plan.id}/bonuses").get_data(as_text=True)
    assert "被通报表扬（单项最多2分）" in page and 'for="unit_id"' in page
    resp = client.post(f"/assessment/plans/{world.plan.id}/bonuses", data={
        "unit_id": world.finance.id, "rule": "praised", "points": "2", "reason": "推进会通报表扬",
        "evidence": "测政办函〔2021〕3号"})
    assert resp.status_code == 302
    bonus = db.session.scalar(sa.select(Bonus))
    assert (bonus.unit_id, bonus.plan_id, str(bonus.points)) == (world.finance.id, world.plan.id, "2.00")
    bad = client.post(f"/assessment/plans/{world.plan.id}/bonuses", data={
        "unit_id": world.finance.id, "rule": "praised", "points": "abc", "reason": "理由", "evidence": "佐证"})
    assert bad.status_code == 400 and "加分分值应为数字" in bad.get_data(as_text=True)
    assert client.post(f"/assessment/bonuses/{bonus.id}/delete").status_code == 302
    assert db.session.get(Bonus, bonus.id) is None
    auth.logout()
    auth.login(world.leader)
    assert client.post(f"/assessment/plans/{world.plan.id}/bonuses", data={}).status_code == 403


def test_admin_uploads_a_rubric_with_errors_shown_per_line_and_nothing_saved(client, auth, world, rubric_text):
    auth.login(world.admin)
    form = client.get("/assessment/rubrics/yaml?year=2021").get_data(as_text=True)
    assert "full_score: 100" in form and 'for="text"' in form
    bad = rubric_text.replace("type: circular_criticism", "type: circular_blame").replace("    cap: 8\n", "    cap: -8\n")
    resp = client.post("/assessment/rubrics/yaml", data={"year": "2021", "text": bad})
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert "未保存" in html and "未知的规则类型" in html and "不能为负数" in html
    assert html.count("<li>第") == 2
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RubricDocument)) == 0
    upload = {"year": "2021", "text": "", "upload": (io.BytesIO(rubric_text.encode("utf-8")), "rubric.yaml")}
    resp = client.post("/assessment/rubrics/yaml", data=upload, content_type="multipart/form-data")
    assert resp.status_code == 302
    doc = db.session.scalar(sa.select(RubricDocument))
    assert doc.year == 2021 and doc.yaml_text == rubric_text and doc.loaded_by_id == world.admin.id
    assert "2021年度政务公开工作目标责任考核细则" in client.get("/assessment/rubrics").get_data(as_text=True)
    auth.logout()
    auth.login(world.supervisor)
    assert client.post("/assessment/rubrics/yaml", data={"year": "2021", "text": rubric_text}).status_code == 403


def test_forms_carry_csrf_and_a_post_without_it_is_refused(client, world, scenario, csrf_enabled):
    v = services.compute_version(world.supervisor, world.plan, AS_OF)
    services.freeze_version(world.supervisor, v)
    login = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', login).group(1)
    assert client.post("/login", data={"username": world.reporter.username, "password": "password123",
                                       "csrf_token": token}).status_code == 302
    page = client.get(f"/assessment/versions/{v.id}/units/{world.finance.id}").get_data(as_text=True)
    forms = page.count("<form")
    assert forms >= 3  # logout and one objection form per line item
    assert page.count('name="csrf_token"') == forms
    resp = client.post(f"/assessment/versions/{v.id}/objections",
                       data={"item_id": f"report_returned:report:{scenario.returned.id}", "reason": "没有校验码的申诉。"})
    assert resp.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Objection)) == 0


def test_cli_compute_json_save_and_freeze(runner, world, scenario):
    out = runner.invoke(args=["assess", "compute", "--plan", str(world.plan.id), "--as-of", "2021-11-15", "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["as_of"] == "2021-11-15"
    assert [(u["unit"], u["total"]) for u in data["categories"]["B"]] == [("测试市财政局", 96.2), ("测试市审计局", 90.9)]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AssessmentVersion)) == 0
    saved = runner.invoke(args=["assess", "compute", "--plan", str(world.plan.id), "--as-of", "2021-11-15", "--save"])
    assert saved.exit_code == 0 and "已保存为第1版" in saved.output
    frozen = runner.invoke(args=["assess", "freeze", "--plan", str(world.plan.id)])
    assert frozen.exit_code == 0 and "已发布第1版" in frozen.output
    assert db.session.scalar(sa.select(AssessmentVersion.is_frozen))
    missing = runner.invoke(args=["assess", "compute", "--plan", "999999"])
    assert missing.exit_code != 0 and "不存在" in missing.output
    bad_date = runner.invoke(args=["assess", "compute", "--plan", str(world.plan.id), "--as-of", "15/11/2021"])
    assert bad_date.exit_code != 0 and "日期格式不正确" in bad_date.output


def test_cli_rubric_load_refuses_bad_files(runner, world, tmp_path, rubric_text):
    good = tmp_path / "rubric.yaml"
    good.write_text(rubric_text, encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(rubric_text.replace("weight: 40", "weight: 60"), encoding="utf-8")
    out = runner.invoke(args=["rubric", "load", str(bad)])
    assert out.exit_code != 0 and "超过满分100分" in out.output and "第" in out.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RubricDocument)) == 0
    out = runner.invoke(args=["rubric", "load", str(good), "--year", "2021"])
    assert out.exit_code == 0 and "已保存2021年度考核细则" in out.output
    shown = runner.invoke(args=["rubric", "show", "--year", "2021"])
    assert "full_score: 100" in shown.output


def test_index_lists_plans_with_their_latest_version(client, auth, world, scenario):
    v = services.compute_version(world.supervisor, world.plan, date(2021, 11, 15))
    auth.login(world.leader)
    page = client.get("/assessment/").get_data(as_text=True)
    assert world.plan.title in page and "第1版" in page and "未发布" in page
    auth.logout()
    auth.login(world.reporter)
    page = client.get("/assessment/").get_data(as_text=True)
    assert "尚未发布" in page and f"/assessment/versions/{v.id}" not in page


def test_unit_items_are_paginated(client, auth, world, scenario, monkeypatch):
    from tracker.assessment import views

    monkeypatch.setattr(views, "ITEMS_PAGE", 2)
    v = services.compute_version(world.supervisor, world.plan, AS_OF)
    auth.login(world.supervisor)
    first = client.get(f"/assessment/versions/{v.id}/units/{world.finance.id}").get_data(as_text=True)
    second = client.get(f"/assessment/versions/{v.id}/units/{world.finance.id}?page=2").get_data(as_text=True)
    # three items, in date order: the late completion (due 30 Sep), the returned report, the rectification
    assert "逾期完成4个工作日" in first and "被退回" in first and "整改通知" not in first
    assert "整改通知" in second and "逾期完成4个工作日" not in second
    assert "第 2 / 2 页" in second


def test_an_alias_bomb_in_the_rubric_editor_is_refused_at_once(client, auth, world):
    from tests.assessment.test_rubric import BOMB

    auth.login(world.admin)
    resp = client.post("/assessment/rubrics/yaml", data={"year": "2021", "text": BOMB})
    assert resp.status_code == 400
    assert "不支持锚点引用" in resp.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RubricDocument)) == 0


def test_a_version_scored_against_the_original_dates_says_so(client, auth, world, rubric_text):
    services.save_rubric(world.admin, rubric_text)
    v = compute(client, auth, world)
    assert "按原定时限计分" not in client.get(f"/assessment/versions/{v.id}").get_data(as_text=True)
    services.save_rubric(world.admin, rubric_text.replace("assessment_weight: 4%\n",
                                                          "assessment_weight: 4%\ndeadline_change: keep_original\n"))
    kept = compute(client, auth, world)
    assert kept.rubric_snapshot["deadline_change"] == "keep_original"
    assert "督办调整过时限的任务按原定时限计分" in client.get(f"/assessment/versions/{kept.id}").get_data(as_text=True)
