"""A hand-started look-back (page or CLI) runs as the look-back job: under its lock, recorded, never twice at once.

Each test has a committed database of its own (the job writes its lock and run record in
transactions of their own).
"""
from __future__ import annotations

import json
import threading
from datetime import date
from io import BytesIO

import pytest
import sqlalchemy as sa

from tests.conftest import PASSWORD
from tests.factories import TaskFactory, build_world
from tracker.extensions import db
from tracker.supervise import jobs
from tracker.supervise.models import JobRun, RectificationItem, RectificationNotice

from .conftest import make_assignment, settle

pytestmark = pytest.mark.no_db

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde\x00"
       b"\x00\x00\x0cIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


@pytest.fixture
def ctx(fresh_app):
    """An app context on a database of the test's own, with the world built and committed."""
    with fresh_app.app_context():
        world = build_world()
        db.session.commit()
        yield fresh_app, world


def _cli(app, *args):
    # The command runs in an app context (and a session) of its own, as `flask` would.
    result = app.test_cli_runner().invoke(args=list(args))
    db.session.expire_all()
    return result


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _runs() -> list[tuple]:
    return [tuple(r) for r in db.session.execute(
        sa.select(JobRun.job_id, JobRun.trigger, JobRun.outcome).order_by(JobRun.id))]


def test_lookback_json_and_rerun(ctx):
    app, world = ctx
    make_assignment(world, world.finance, date(2021, 6, 30))
    db.session.commit()
    args = ["supervise", "lookback", "--plan", str(world.plan.id), "--as-of", "2022-01-20", "--json"]
    first = _cli(app, *args)
    assert first.exit_code == 0, first.output
    assert json.loads(first.output) == {"notices": 2, "items": 3, "units": 2}
    second = _cli(app, *args)
    assert second.exit_code == 0
    assert json.loads(second.output.splitlines()[0]) == {"notices": 0, "items": 0, "units": 0}
    assert _count(RectificationNotice) == 2
    assert _runs() == [("lookback", "cli", "ok")] * 2
    counts = list(db.session.scalars(sa.select(JobRun.counts).order_by(JobRun.id)))
    assert counts == [{"plans": 1, "notices": 2, "items": 3, "units": 2}, {"plans": 1, "notices": 0, "items": 0, "units": 0}]


def test_lookback_with_nothing_unfinished_says_so(ctx):
    app, world = ctx
    settle(world)
    db.session.commit()
    result = _cli(app, "supervise", "lookback", "--plan", str(world.plan.id), "--as-of", "2022-01-20")
    assert result.exit_code == 0
    assert "没有逾期未完成的事项" in result.output and "未生成整改通知" in result.output
    assert _count(RectificationNotice) == 0


def test_lookback_text_output_and_provisional_year(ctx):
    app, world = ctx
    result = _cli(app, "supervise", "lookback", "--plan", str(world.plan.id), "--as-of", "2031-01-20",
                  "--deadline-days", "10", "--prefix", "测督")
    assert result.exit_code == 0, result.output
    assert "新发整改通知 2 份，整改事项 2 项，涉及 2 个单位；整改时限 2031-02-03" in result.output
    assert "注意：2031年的节假日安排尚未录入" in result.output
    bad = _cli(app, "supervise", "lookback", "--plan", str(world.plan.id), "--deadline-days", "0")
    assert bad.exit_code != 0 and "整改时限应为1到250个工作日" in bad.output
    # A refused prefix is the user's mistake: said in Chinese, nothing written.
    wrong = _cli(app, "supervise", "lookback", "--plan", str(world.plan.id), "--as-of", "2031-01-21",
                 "--prefix", "测〔督〕")
    assert wrong.exit_code != 0 and "文号前缀应为1到40个字" in wrong.output
    assert _count(RectificationNotice) == 2


def test_a_lookback_while_another_runs_is_told_to_wait(ctx):
    """Two look-backs at once used to collide on the notice numbers (IntegrityError, 500); now one waits."""
    app, world = ctx
    make_assignment(world, world.finance, date(2021, 6, 30))
    db.session.commit()
    holding, release = threading.Event(), threading.Event()

    def hold():
        with app.app_context(), jobs.job_lock("lookback") as acquired:
            assert acquired
            holding.set()
            release.wait(30)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert holding.wait(30)
        client = app.test_client()
        assert client.post("/login", data={"username": "super1", "password": PASSWORD}).status_code == 302
        resp = client.post("/supervise/lookback", data={"plan_id": world.plan.id, "as_of": "2022-01-20",
                                                        "deadline_workdays": "15", "prefix": ""})
        assert resp.status_code == 200
        assert "另一个回头看正在进行，请稍后再试" in resp.get_data(as_text=True)
        cli = _cli(app, "supervise", "lookback", "--plan", str(world.plan.id), "--as-of", "2022-01-20")
        assert cli.exit_code != 0 and "另一个进程正在运行该任务，本次跳过" in cli.output
        assert _count(RectificationNotice) == 0
    finally:
        release.set()
        holder.join(30)
    assert _runs() == [("lookback", "web", "skipped"), ("lookback", "cli", "skipped")]


def test_lookback_form_answer_and_close(ctx):
    app, world = ctx
    t = TaskFactory(plan=world.plan, deadline=date(2021, 6, 30), deadline_kind="date", title="公开预算执行情况")
    make_assignment(world, world.finance, date(2021, 6, 30), task=t)
    db.session.commit()
    client = app.test_client()

    def login(user):
        assert client.post("/login", data={"username": user.username, "password": PASSWORD}).status_code == 302

    login(world.supervisor)
    resp = client.post("/supervise/lookback", data={"plan_id": world.plan.id, "as_of": "2022-01-20",
                                                    "deadline_workdays": "15", "prefix": ""})
    assert resp.status_code == 302
    db.session.expire_all()
    notices = db.session.scalars(sa.select(RectificationNotice).order_by(RectificationNotice.number)).all()
    assert [n.doc_number for n in notices] == ["测政办整改〔2022〕1号", "测政办整改〔2022〕2号"]
    assert _runs() == [("lookback", "web", "ok")]
    bad = client.post("/supervise/lookback", data={"plan_id": world.plan.id, "as_of": "20.1.2022",
                                                   "deadline_workdays": "0"})
    assert bad.status_code == 200
    assert "日期格式不正确" in bad.get_data(as_text=True) and "整改时限应为1到250之间的整数" in bad.get_data(as_text=True)
    client.post("/logout")

    finance_notice = notices[0]
    item = db.session.scalar(sa.select(RectificationItem).where(RectificationItem.notice_id == finance_notice.id)
                             .order_by(RectificationItem.id))
    login(world.reporter2)
    assert client.get(f"/supervise/notices/{finance_notice.id}").status_code == 404
    assert client.post(f"/supervise/items/{item.id}/answer", data={"text": "x"}).status_code == 404
    client.post("/logout")

    login(world.reporter)
    assert "公开预算执行情况" in client.get(f"/supervise/notices/{finance_notice.id}").get_data(as_text=True)
    resp = client.post(f"/supervise/items/{item.id}/answer",
                       data={"text": "已整改。", "progress": "100", "links": "",
                             "files": [(BytesIO(PNG), "截图.png")]},
                       content_type="multipart/form-data")
    assert resp.status_code == 302
    db.session.expire_all()
    assert item.status == "answered" and [e.original_name for e in item.report.evidence] == ["截图.png"]
    client.post("/logout")

    login(world.supervisor)
    assert client.post(f"/supervise/items/{item.id}/close", data={"comment": "属实"}).status_code == 302
    db.session.expire_all()
    assert item.status == "closed" and item.assignment.status == "completed"
    page = client.get(f"/supervise/notices/{finance_notice.id}").get_data(as_text=True)
    assert "核实销号" in page and "已销号" in page
