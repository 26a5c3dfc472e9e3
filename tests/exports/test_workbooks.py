"""The four workbooks through the web and the CLI, read back with openpyxl."""
from __future__ import annotations

import io
import shutil
import subprocess
from datetime import date, datetime, timezone

import openpyxl
import pytest
from openpyxl.cell.cell import MergedCell

from tests.factories import (
    AssignmentFactory,
    PlanFactory,
    ReportFactory,
    TaskFactory,
    UnitFactory,
)
from tracker.assessment import services as assessment
from tracker.extensions import db
from tracker.supervise.models import Reminder

AS_OF = "2021-11-15"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


@pytest.fixture
def ledger_data(world):
    """The world's plan with an overdue task, a unit whose name and a report whose text start with '='."""
    w = world
    late = TaskFactory(plan=w.plan, ref="2", title="公开审计结果", section="二、强化解读回应", path=["二、强化解读回应"],
                       deadline=date(2021, 10, 29), deadline_kind="date", deadline_text="10月底前",
                       columns={"公开任务": "强化解读回应", "公开内容": "审计结果公开", "具体要求": "=及时公开审计结果", "时限要求": "10月底前"})
    evil = UnitFactory(name="=HYPERLINK(\"http://evil\",\"点我\")", short_name=None, kind="other", category=None,
                       parent=w.city)
    a_late = AssignmentFactory(task=late, unit=w.audit, role="lead", progress=40, status="in_progress")
    a_evil = AssignmentFactory(task=late, unit=evil, role="responsible")
    a_done = AssignmentFactory(task=late, unit=w.finance, role="responsible", status="completed", progress=100,
                               completed_at=utc(2021, 10, 20, 2))
    report = ReportFactory(assignment=a_late, text="=cmd|' /C calc'!A0 已完成初稿", submitted_at=utc(2021, 11, 1, 2),
                           status="approved")
    ReportFactory(assignment=a_late, text="草稿不算", status="draft", submitted_at=None)
    for stage, day in (("due_soon", date(2021, 10, 27)), ("overdue", date(2021, 11, 1))):
        db.session.add(Reminder(assignment_id=a_late.id, unit_id=w.audit.id, stage=stage, due_on=late.deadline,
                                sweep_on=day))
    db.session.add(Reminder(assignment_id=a_late.id, unit_id=w.audit.id, stage="overdue", due_on=date(2021, 11, 19),
                            sweep_on=date(2021, 11, 20)))  # after the export date
    db.session.flush()
    return locals()


def download(client, url) -> openpyxl.Workbook:
    resp = client.get(url)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    assert resp.mimetype == XLSX
    assert "attachment" in resp.headers["Content-Disposition"]
    return openpyxl.load_workbook(io.BytesIO(resp.data))


def rows(ws, first: int = 3) -> list[tuple]:
    return [r for r in ws.iter_rows(min_row=first, values_only=True)]


def data(ws) -> list[tuple]:
    """The table's rows down to the 合计 row or the blank row above the 制表 lines."""
    out = []
    for r in rows(ws):
        if "合计" in r[:2] or all(v is None for v in r):
            break
        out.append(r)
    return out


#: printable width at 100 % in pixels (96 dpi), worked out by hand: landscape width less two 0.4-inch margins
#: A4: (297 mm − 20.32 mm) / 25.4 × 96 ≈ 1046 px; A3: (420 − 20.32) / 25.4 × 96 ≈ 1511 px
PRINTABLE = {"9": 1046, "8": 1511}


def assert_finished(ws, columns: int, last_row: int, paper: str = "9") -> None:
    letter = openpyxl.utils.get_column_letter(columns)
    assert ws.freeze_panes == "A3"
    assert ws.auto_filter.ref == f"A2:{letter}{last_row}"
    assert ws.print_title_rows == "$1:$2"
    assert ws.page_setup.orientation == "landscape" and str(ws.page_setup.paperSize) == paper
    assert all(c.font.b for c in ws[2])
    # fit to the page's width at 90 % or more: 宋体 10 pt prints at 9 pt at least
    widths = [ws.column_dimensions[openpyxl.utils.get_column_letter(i)].width for i in range(1, columns + 1)]
    total_px = sum(int(w * 7 + 5) for w in widths)
    assert PRINTABLE[paper] / total_px >= 0.9, (paper, total_px)
    assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    # every cell of the table, empty ones too, has its borders; no cell is a formula
    for row in ws.iter_rows(min_row=2, max_row=last_row, max_col=columns):
        for cell in row:
            if isinstance(cell, MergedCell):
                continue  # openpyxl reads a merged range's other cells without their (written) styles
            assert cell.border.left.style == "thin" and cell.border.bottom.style == "thin", cell.coordinate
    for row in ws.iter_rows():
        for cell in row:
            assert cell.data_type != "f", cell.coordinate
    footer = [r[0] for r in rows(ws, last_row + 1) if r[0] and str(r[0]).startswith("制表单位：")]
    assert len(footer) == 1 and "制表日期：" in footer[0] and "审核人：" in footer[0]


def test_ledger_has_the_decomposition_layout_and_one_row_per_assignment(client, auth, world, ledger_data):
    auth.login(world.supervisor)
    wb = download(client, f"/exports/ledger?plan={world.plan.id}&as_of={AS_OF}")
    assert wb.sheetnames == ["任务分解及落实情况", "承办明细"]
    tasks, detail = wb["任务分解及落实情况"], wb["承办明细"]
    assert tasks["A1"].value == f"《{world.plan.title}》工作台账（截至2021年11月15日）"
    assert [c.value for c in tasks[2]] == ["序号", "任务编号", "公开任务", "公开内容", "具体要求", "时限要求", "完成时限",
                                           "承办单位", "角色", "落实情况", "进度（%）"]
    body = rows(tasks)
    # task 1 on two unit rows, task 2 on three; the task's cells are merged over its units
    assert body[0][:4] == (1, "1", "一、扩大公开范围", "做好财政信息公开") and body[0][7:9] == ("市财政局", "牵头单位")
    assert body[1][:7] == (None,) * 7 and body[1][7:9] == ("市审计局", "责任单位")
    assert body[2][:7] == (2, "2", "强化解读回应", "审计结果公开", "=及时公开审计结果", "10月底前", datetime(2021, 10, 29))
    assert body[2][7:] == ("市审计局", "牵头单位", "逾期", 40)
    assert body[3][7:] == ("市财政局", "责任单位", "已办结", 100)
    assert body[4][7].startswith("=HYPERLINK")
    merged = {str(r) for r in tasks.merged_cells.ranges}
    assert {"A3:A4", "E3:E4", "A5:A7", "G5:G7"} <= merged
    assert body[5][0] == "合计" and body[5][4] == "任务2项，承办单位5家次，已办结1项，逾期2项"
    assert tasks["E5"].data_type == "s" and tasks["E5"].quotePrefix and not tasks["C5"].quotePrefix
    assert tasks["G5"].number_format == "yyyy-mm-dd"
    assert_finished(tasks, 11, 7)

    assert [c.value for c in detail[2]] == ["序号", "任务编号", "所属部分", "任务", "承办单位", "角色", "完成时限", "原定时限",
                                            "状态", "进度（%）", "最近报送日期", "最近报送内容（摘要）", "佐证材料数", "逾期工作日"]
    body = data(detail)
    assert [r[0] for r in body] == [1, 2, 3, 4, 5]  # two on task 1, three on task 2
    lead = next(r for r in body if r[4] == "测试市审计局" and r[1] == "2")
    # 29 October to 15 November: 11 working days
    assert lead[5:] == ("牵头单位", datetime(2021, 10, 29), None, "逾期", 40, datetime(2021, 11, 1),
                        "=cmd|' /C calc'!A0 已完成初稿", 0, 11)
    evil_row = next(i for i, r in enumerate(body, start=3) if r[4].startswith("="))
    assert detail.cell(evil_row, 5).data_type == "s" and detail.cell(evil_row, 5).quotePrefix
    report_row = next(i for i, r in enumerate(body, start=3) if r[11] and r[11].startswith("="))
    assert detail.cell(report_row, 12).data_type == "s" and detail.cell(report_row, 12).quotePrefix
    assert detail.cell(report_row, 11).number_format == "yyyy-mm-dd"
    total = rows(detail)[5]
    assert total[0] == "合计" and total[3] == "5项（已办结1项，逾期2项）" and detail["A8"].font.b
    # a wrapped cell's row is as tall as its lines
    assert detail.row_dimensions[3].height and detail.row_dimensions[3].height >= 13.5
    assert_finished(detail, 14, 7)


def test_ledger_follows_the_dashboard_filters(client, auth, world, ledger_data):
    auth.login(world.leader)
    wb = download(client, f"/exports/ledger?plan={world.plan.id}&as_of={AS_OF}&status=overdue")
    body = data(wb["承办明细"])
    assert sorted(r[4] for r in body) == ["=HYPERLINK(\"http://evil\",\"点我\")", "测试市审计局"]
    assert [r[1] for r in data(wb["任务分解及落实情况"]) if r[1]] == ["2"]
    wb = download(client, f"/exports/ledger?plan={world.plan.id}&as_of={AS_OF}&unit={world.finance.id}")
    assert [r[4] for r in data(wb["承办明细"])] == ["测试市财政局", "测试市财政局"]
    wb = download(client, f"/exports/ledger?plan={world.plan.id}&as_of={AS_OF}&section=二、强化解读回应")
    assert len(data(wb["承办明细"])) == 3
    wb = download(client, f"/exports/ledger?plan={world.plan.id}&as_of={AS_OF}&category=A")
    assert data(wb["承办明细"]) == [("该工作要点暂无任务。",) + (None,) * 13]
    assert client.get(f"/exports/ledger?plan={world.plan.id}&status=late").status_code == 400
    assert client.get(f"/exports/ledger?plan={world.plan.id}&as_of=2021-11-31").status_code == 400
    assert client.get(f"/exports/ledger?plan={world.plan.id}&unit={world.other_dept.id}").status_code == 404
    assert client.get(f"/exports/ledger?plan={world.other_plan.id}").status_code == 404
    assert client.get("/exports/ledger").status_code == 400


def test_plan_without_tasks_gives_a_valid_empty_workbook_with_a_note(client, auth, world):
    empty = PlanFactory(unit=world.city, title="测试市2022年政务公开工作要点（待分解）", year=2022)
    db.session.flush()
    auth.login(world.supervisor)
    wb = download(client, f"/exports/ledger?plan={empty.id}&as_of={AS_OF}")
    for ws in wb.worksheets:
        assert ws["A3"].value == "该工作要点暂无任务。"
        assert ws["A4"].value is None and ws["A5"].value.startswith("制表单位：")
        assert ws.max_row == 5
    wb = download(client, f"/exports/overdue?plan={empty.id}&as_of={AS_OF}")
    assert wb.active["A3"].value == "截至2021年11月15日没有逾期未办结的事项。"


def test_overdue_list_at_a_date(client, auth, world, ledger_data):
    auth.login(world.supervisor)
    wb = download(client, f"/exports/overdue?plan={world.plan.id}&as_of={AS_OF}")
    ws = wb["逾期清单"]
    assert ws["A1"].value == f"《{world.plan.title}》逾期未办结事项清单（截至2021年11月15日）"
    assert [c.value for c in ws[2]] == ["序号", "承办单位", "角色", "任务编号", "任务", "条款内容", "完成时限", "原定时限",
                                        "逾期工作日", "进度（%）", "催办次数", "最近报送日期", "最近报送内容（摘要）"]
    body = rows(ws)
    # unit by unit in the directory's order, each with its 小计, then the 合计
    assert [(r[0], r[1], r[4]) for r in body[:5]] == [
        (1, "测试市审计局", "公开审计结果"), (None, "测试市审计局小计", "1项"),
        (2, "=HYPERLINK(\"http://evil\",\"点我\")", "公开审计结果"),
        (None, "=HYPERLINK(\"http://evil\",\"点我\")小计", "1项"), ("合计", None, "2项")]
    assert body[0][3] == "2"
    assert body[0][8:11] == (11, 40, 2)  # two reminders by the export date, the later one not counted
    assert ws["B5"].data_type == "s" and ws["B5"].quotePrefix
    assert all(c.font.b for c in ws[4] if c.value)
    assert_finished(ws, 13, 7)
    later = download(client, f"/exports/overdue?plan={world.plan.id}&as_of=2022-01-10")
    # at 2022-01-10 the year-end tasks are overdue too (everything but the completed one)
    assert len([r for r in rows(later["逾期清单"]) if isinstance(r[0], int)]) == 4


def test_assessment_workbook_has_a_sheet_per_category_and_the_line_items(client, auth, world, ledger_data,
                                                                           rubric_text):
    assessment.save_rubric(world.admin, rubric_text)
    version = assessment.compute_version(world.supervisor, world.plan, date(2021, 11, 15))
    auth.login(world.leader)
    wb = download(client, f"/exports/assessment?version={version.id}")
    assert wb.sheetnames == ["A类（县级政府、开发区）", "B类（政府部门）", "未分类单位（不参加排名）", "扣分加分明细"]
    b = wb["B类（政府部门）"]
    # no brackets inside brackets in the title
    assert b["A1"].value == f"《{world.plan.title}》考核结果　B类（政府部门）　第1版，未发布　考核日期2021年11月15日"
    assert [c.value for c in b[2]] == ["排名", "单位", "任务落实（40分）", "进展报送（20分）", "整改落实（20分）",
                                       "督查通报（20分）", "加分", "扣分", "总分（满分100）", "折算分（×4%）", "扣分加分事项数"]
    ranking = data(b)
    assert [(r[0], r[1]) for r in ranking] == [(1, "测试市财政局"), (2, "测试市审计局")]
    # 审计局: 11 working days overdue, 2 + 1.1
    assert ranking[1][2:] == (36.9, 20, 20, 20, 0, -3.1, 96.9, 3.88, 1)
    assert b["I4"].number_format == "0.00"
    assert data(wb["A类（县级政府、开发区）"]) == [("该类别没有单位。",) + (None,) * 10]
    unranked = rows(wb["未分类单位（不参加排名）"])
    assert unranked[0][0] is None and unranked[0][1].startswith("=HYPERLINK")
    assert wb["未分类单位（不参加排名）"]["B3"].data_type == "s"
    sheet = wb["扣分加分明细"]
    items = data(sheet)
    assert len(items) == 2
    assert items[0][:6] == (1, "B类（政府部门）", "测试市审计局", "任务落实", "考核时任务逾期未完成", -3.1)
    assert items[0][7] == datetime(2021, 10, 29)
    # what the item rests on, in Chinese: no internal key such as rule:assignment:12
    assert all(":" not in r[8] and r[8].endswith("号") for r in items), [r[8] for r in items]
    total = rows(sheet)[2]
    assert total[1:3] == ("合计", "2项") and total[5] == pytest.approx(items[0][5] + items[1][5])
    assert [c.value for c in sheet[2]][1] == "类别" and sheet.column_dimensions["B"].width >= 20
    by_plan = client.get(f"/exports/assessment?plan={world.plan.id}")
    assert by_plan.status_code == 200
    assert client.get(f"/exports/assessment?plan={world.other_plan.id}").status_code == 404
    auth.logout()
    auth.login(world.reporter)
    assert client.get(f"/exports/assessment?version={version.id}").status_code == 403


def test_reporter_exports_only_its_own_units_assignments(client, auth, world, ledger_data):
    auth.login(world.reporter2)
    wb = download(client, f"/exports/mine?as_of={AS_OF}")
    ws = wb["本单位承办事项"]
    assert ws["A1"].value == "测试市审计局承办事项（截至2021年11月15日）"
    body = data(ws)
    assert {r[1] for r in body} == {world.plan.title} and [r[0] for r in body] == [1, 2]
    assert [(r[2], r[5], r[8]) for r in body] == [("1", "责任单位", "正常推进"), ("2", "牵头单位", "逾期")]
    assert body[1][4] == "做好相关信息公开工作。"
    assert rows(ws)[2][1:4] == ("合计", None, "2项（已办结0项，逾期1项）")
    assert client.get(f"/exports/mine?plan={world.other_plan.id}").status_code == 404
    assert client.get("/exports/ledger?plan=%d" % world.plan.id).status_code == 403


def test_cli_exports_each_workbook(runner, world, ledger_data, tmp_path, rubric_text):
    out = tmp_path / "ledger.xlsx"
    result = runner.invoke(args=["export", "ledger", "--plan", str(world.plan.id), "--as-of", AS_OF, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "tasks 2 行" in result.output and "assignments 5 行" in result.output
    assert len(data(openpyxl.load_workbook(out)["承办明细"])) == 5
    both = tmp_path / "both.xlsx"
    result = runner.invoke(args=["export", "ledger", "--plan", str(world.plan.id), "--plan", str(world.other_plan.id),
                                 "--as-of", AS_OF, "-o", str(both)])
    assert result.exit_code == 0, result.output
    ws = openpyxl.load_workbook(both)["承办明细"]
    assert ws["A2"].value == "工作要点" and ws["A1"].value.startswith("2个工作要点承办明细")
    overdue = tmp_path / "overdue.xlsx"
    result = runner.invoke(args=["export", "overdue", "--plan", str(world.plan.id), "--as-of", AS_OF, "-o", str(overdue)])
    assert result.exit_code == 0 and "overdue 2 行" in result.output
    assessment.save_rubric(world.admin, rubric_text)
    scores = tmp_path / "scores.xlsx"
    result = runner.invoke(args=["export", "assessment", "--plan", str(world.plan.id), "--as-of", AS_OF,
                                 "-o", str(scores)])
    assert result.exit_code == 0, result.output
    assert "不保存" in result.output and "items 2 行" in result.output
    missing = runner.invoke(args=["export", "ledger", "--plan", "999999", "-o", str(out)])
    assert missing.exit_code != 0 and "不存在" in missing.output


def _office() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.office
@pytest.mark.skipif(_office() is None, reason="LibreOffice (soffice) is not installed; CI installs it")
def test_libreoffice_opens_the_ledger(world, ledger_data, tmp_path):
    from tracker.exports import documents
    from tracker.exports.queries import Selection

    path = tmp_path / "ledger.xlsx"
    documents.write_ledger(str(path), Selection(plans=(world.plan,), as_of=date(2021, 11, 15)))
    proc = subprocess.run([_office(), "--headless", "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", str(tmp_path), str(path)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    text = (tmp_path / "ledger.csv").read_text(encoding="utf-8", errors="replace")
    assert "序号" in text and "强化解读回应" in text
