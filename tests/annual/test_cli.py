"""`flask annual-report check`: seed 002, a damaged copy, JSON output, unreadable input."""
from __future__ import annotations

import json

from .helpers import SEED_002, replace_line, seed_text


def test_check_seed_002_prints_consistent(runner):
    result = runner.invoke(args=["annual-report", "check", str(SEED_002)])
    assert result.exit_code == 0, result.output
    assert "运城市人民政府办公室 2020年度：2019年版格式（国办公开办函〔2019〕60号）" in result.output
    assert "勾稽关系一致：40 项校验全部通过。" in result.output


def test_check_json_carries_every_table_and_consistent(runner):
    result = runner.invoke(args=["annual-report", "check", str(SEED_002), "--json"])
    data = json.loads(result.output)
    assert data["consistent"] is True and data["format"] == "2019"
    assert data["section3"]["new"]["total"] == 14 and data["section3"]["carried_out"]["total"] == 1
    assert data["section4"]["review"]["corrected"] == 1


def test_check_names_each_failure(runner, tmp_path):
    path = tmp_path / "bad.txt"
    path.write_text(replace_line(seed_text(), "\t(七) 总计", "\t(七) 总计\t\t12\t0\t0\t0\t0\t0\t12"), encoding="utf-8")
    result = runner.invoke(args=["annual-report", "check", str(path)])
    assert result.exit_code == 0
    assert "勾稽关系不一致" in result.output
    # 14 + 0 ≠ 12 + 1 and 3+1+1+8 = 13 ≠ 12, in 自然人 and in 总计
    assert "第三部分「（七）总计」行「自然人」列为 12，不等于（一）至（六）各办理结果之和 13" in result.output
    assert "第三部分「总计」列：一、本年新收（14）加二、上年结转（0）为 14，不等于（七）总计（12）加四、结转下年度（1）的 13" in result.output


def test_check_with_last_year_checks_the_carry_over(runner, tmp_path):
    # Seed 002 carries 1 (自然人) into the next year; a next-year copy that carries in 0 fails.
    result = runner.invoke(args=["annual-report", "check", str(SEED_002), "--last-year", str(SEED_002), "--json"])
    data = json.loads(result.output)
    assert data["carry_over_checked"] and not data["consistent"]
    assert {(f["row"], f["column"]) for f in data["failures"]} == {
        ("二、上年结转政府信息公开申请数量", "自然人"), ("二、上年结转政府信息公开申请数量", "总计")}


def test_check_unreadable_input_exits_non_zero_with_a_chinese_message(runner, tmp_path):
    missing = runner.invoke(args=["annual-report", "check", str(tmp_path / "none.txt")])
    assert missing.exit_code != 0 and "无法读取文件" in missing.output
    path = tmp_path / "notice.txt"
    path.write_text("关于召开会议的通知\n各单位：……", encoding="utf-8")
    result = runner.invoke(args=["annual-report", "check", str(path)])
    assert result.exit_code != 0
    assert "未找到年度报告的表格" in result.output


def test_check_can_save_the_report_as_word(runner, tmp_path):
    out = tmp_path / "报告.docx"
    result = runner.invoke(args=["annual-report", "check", str(SEED_002), "-o", str(out)])
    assert result.exit_code == 0, result.output
    again = runner.invoke(args=["annual-report", "check", str(out), "--json"])
    assert json.loads(again.output)["section3"] == json.loads(
        runner.invoke(args=["annual-report", "check", str(SEED_002), "--json"]).output)["section3"]
