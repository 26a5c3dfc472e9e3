"""`flask supervise lookback|sweep` and `flask scheduler run` with good and bad input."""
from __future__ import annotations

import json
from datetime import date

import sqlalchemy as sa

from tracker.extensions import db
from tracker.supervise.models import RectificationNotice

from .conftest import make_assignment, settle


def test_sweep_refuses_a_malformed_date(runner):
    result = runner.invoke(args=["supervise", "sweep", "--as-of", "2021-13-01"])
    assert result.exit_code != 0
    assert "日期格式不正确：'2021-13-01'，应为 YYYY-MM-DD" in result.output


def test_scheduler_once_refuses_a_malformed_date(runner):
    result = runner.invoke(args=["scheduler", "run", "--once", "sweep", "--as-of", "昨天"])
    assert result.exit_code != 0 and "日期格式不正确" in result.output


def test_lookback_of_a_missing_plan(runner):
    result = runner.invoke(args=["supervise", "lookback", "--plan", "999999", "--as-of", "2022-01-20"])
    assert result.exit_code != 0
    assert "工作要点 999999 不存在" in result.output


def test_lookback_json_and_rerun(runner, world):
    make_assignment(world, world.finance, date(2021, 6, 30))
    args = ["supervise", "lookback", "--plan", str(world.plan.id), "--as-of", "2022-01-20", "--json"]
    first = runner.invoke(args=args)
    assert first.exit_code == 0, first.output
    assert json.loads(first.output) == {"notices": 2, "items": 3, "units": 2}
    second = runner.invoke(args=args)
    assert second.exit_code == 0
    assert json.loads(second.output.splitlines()[0]) == {"notices": 0, "items": 0, "units": 0}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RectificationNotice)) == 2


def test_lookback_with_nothing_unfinished_says_so(runner, world):
    settle(world)
    result = runner.invoke(args=["supervise", "lookback", "--plan", str(world.plan.id), "--as-of", "2022-01-20"])
    assert result.exit_code == 0
    assert "没有逾期未完成的事项" in result.output and "未生成整改通知" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RectificationNotice)) == 0


def test_lookback_text_output_and_provisional_year(runner, world):
    result = runner.invoke(args=["supervise", "lookback", "--plan", str(world.plan.id), "--as-of", "2031-01-20",
                                 "--deadline-days", "10", "--prefix", "测督"])
    assert result.exit_code == 0, result.output
    assert "新发整改通知 2 份，整改事项 2 项，涉及 2 个单位；整改时限 2031-02-03" in result.output
    assert "注意：2031年的节假日安排尚未录入" in result.output
    bad = runner.invoke(args=["supervise", "lookback", "--plan", str(world.plan.id), "--deadline-days", "0"])
    assert bad.exit_code != 0 and "整改时限应为1到250个工作日" in bad.output
