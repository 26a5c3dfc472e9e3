"""`flask supervise lookback|sweep` and `flask scheduler run` with good and bad input."""
from __future__ import annotations






def test_sweep_refuses_a_malformed_date(runner):
    result = runner.invoke(args=["supervise", "sweep", "--as-of", "2021-13-01"])
    assert result.exit_code != 0
    assert "日期格式不正确：“2021-13-01”，应为 YYYY-MM-DD" in result.output


def test_scheduler_run_job_refuses_a_malformed_date(runner):
    result = runner.invoke(args=["scheduler", "run-job", "sweep", "--as-of", "昨天"])
    assert result.exit_code != 0 and "日期格式不正确" in result.output


def test_lookback_of_a_missing_plan(runner):
    result = runner.invoke(args=["supervise", "lookback", "--plan", "999999", "--as-of", "2022-01-20"])
    assert result.exit_code != 0
    assert "工作要点 999999 不存在" in result.output


def test_scheduler_lists_its_jobs_in_chinese_and_refuses_an_unknown_one(runner):
    listed = runner.invoke(args=["scheduler", "jobs"])
    assert listed.exit_code == 0, listed.output
    for label in ("每日逾期巡查", "年度回头看", "考核计算（每月第1个工作日计算上月；每年1月15日计算上一年度"):
        assert label in listed.output
    unknown = runner.invoke(args=["scheduler", "run-job", "nosuch"])
    assert unknown.exit_code != 0 and "没有名为 nosuch 的定时任务" in unknown.output
