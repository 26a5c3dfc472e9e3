"""The parser on documents written for these tests: task selection, units, deadlines, errors."""
from __future__ import annotations

import io
from datetime import date

import pytest
from docx import Document
from openpyxl import Workbook

from tracker.plans.draft import ParseError
from tracker.plans.parser import NO_STRUCTURE, content_hash, parse_document, parse_file

PLAN = """
青山县人民政府办公室文件

青政办发〔2022〕7号

青山县人民政府办公室 关于印发青山县2022年政务公开工作要点的通知

各乡镇人民政府，县直各单位：

现将《青山县2022年政务公开工作要点》印发给你们，请认真贯彻落实。

青山县人民政府办公室

2022年3月1日

青山县2022年政务公开工作要点

为做好全年政务公开工作，制定本要点。

一、总体要求

（一）指导思想

坚持以人民为中心，全面推进政务公开。

二、重点任务

（一）做好财政信息公开。县财政局牵头，各乡镇人民政府抓好落实。6月底前公开全部部门预算。

（二）做好规划公开。主动公开规划文件。（牵头单位：县发改局；责任单位：县自然资源局、县住建局）

（三）做好政策解读。政策解读率不得低于80%。(责任单位: 县直各单位)

（四）落实公文属性认定

1. 明确属性。拟制公文时明确公开属性。

2. 动态调整。每年对属性进行复核。

（责任单位：县政府办公室）

（五）做好年度报告。各乡镇人民政府于1月31日前报送年报，县直各单位于2月15日前报送年报。（责任单位：各乡镇人民政府，县直各单位）

（六）完善平台。（责任时限：2022年9月底前，牵头单位：县政府办公室，责任单位：县大数据中心）

（七）加强队伍建设。各乡镇人民政府要配齐工作人员。

各乡镇人民政府、县直各单位要将本要点落实情况纳入年度报告。（责任单位：各乡镇人民政府，县直各单位）

抄送：县委办公室。
"""


@pytest.fixture(scope="module")
def draft():
    return parse_document(PLAN)


def task(draft, ref):
    return next(t for t in draft.tasks if t.ref == ref)


class TestPlanFields:
    def test_head(self, draft):
        assert draft.title == "青山县2022年政务公开工作要点"
        assert draft.doc_number == "青政办发〔2022〕7号"
        assert draft.issuer == "青山县人民政府办公室"
        assert draft.issued_on == date(2022, 3, 1)
        assert draft.year == 2022

    def test_content_hash_ignores_whitespace_and_width(self, draft):
        assert draft.content_hash == content_hash(PLAN.replace("\n", "\r\n  "))
        assert content_hash("（一）做好公开") == content_hash("(一)做好公开")
        assert content_hash("（一）做好公开") != content_hash("（二）做好公开")
        assert len(draft.content_hash) == 64

    def test_year_argument_overrides(self):
        assert parse_document(PLAN, year=2023).year == 2023
        assert task(parse_document(PLAN, year=2023), "二.（一）").deadline.date == date(2023, 6, 30)


class TestTaskSelection:
    def test_refs_in_order(self, draft):
        assert [t.ref for t in draft.tasks] == [
            "二.（一）", "二.（二）", "二.（三）", "二.（四）", "二.（五）", "二.（六）", "二.（七）", "结语",
        ]

    def test_doctrine_heading_is_not_a_task(self, draft):
        assert all(t.title != "指导思想" for t in draft.tasks)

    def test_sub_points_fold_into_the_point_that_names_the_unit(self, draft):
        folded = task(draft, "二.（四）")
        assert folded.title == "落实公文属性认定"
        assert folded.text == "落实公文属性认定\n1.明确属性。拟制公文时明确公开属性。\n2.动态调整。每年对属性进行复核。"
        assert folded.responsible_units == ["县政府办公室"]
        assert folded.level == 2 and folded.is_leaf

    def test_path_and_level(self, draft):
        t = task(draft, "二.（二）")
        assert t.path == ["二、重点任务"]
        assert t.level == 2
        assert t.title == "做好规划公开"

    def test_closing_paragraph_is_its_own_task(self, draft):
        closing = task(draft, "结语")
        assert closing.path == []
        assert closing.text.startswith("各乡镇人民政府、县直各单位要将本要点落实情况")
        assert closing.responsible_units == ["各乡镇人民政府", "县直各单位"]
        assert "本要点" not in task(draft, "二.（七）").text

    def test_section_with_own_units_is_kept_as_non_leaf(self):
        text = ("2022年某县工作要点\n\n一、加强公开（责任单位：县政府办公室）\n"
                "（一）做好预算公开。（责任单位：县财政局）\n（二）做好规划公开。（责任单位：县发改局）\n")
        draft = parse_document(text)
        assert [(t.ref, t.is_leaf) for t in draft.tasks] == [("一", False), ("一.（一）", True), ("一.（二）", True)]
        assert draft.tasks[0].responsible_units == ["县政府办公室"]

    def test_outline_without_any_unit_clause_makes_every_leaf_a_task(self):
        text = "2022年某县工作要点\n\n一、公开\n（一）做好预算公开。\n（二）做好规划公开。\n二、保障\n加强经费保障。\n"
        draft = parse_document(text)
        assert [t.ref for t in draft.tasks] == ["一.（一）", "一.（二）", "二"]
        assert draft.tasks[2].text == "保障\n加强经费保障。"


class TestUnits:
    def test_role_phrase_in_running_text(self, draft):
        t = task(draft, "二.（一）")
        assert t.lead_units == ["县财政局"]
        assert t.responsible_units == ["各乡镇人民政府"]

    def test_labelled_clause_lead_and_responsible(self, draft):
        t = task(draft, "二.（二）")
        assert t.lead_units == ["县发改局"]
        assert t.responsible_units == ["县自然资源局", "县住建局"]
        assert t.unit_phrases[0] == "牵头单位：县发改局；责任单位：县自然资源局、县住建局"
        assert "牵头单位" not in t.text

    def test_half_width_clause(self, draft):
        assert task(draft, "二.（三）").responsible_units == ["县直各单位"]

    def test_clause_with_deadline_label(self, draft):
        t = task(draft, "二.（六）")
        assert t.lead_units == ["县政府办公室"]
        assert t.responsible_units == ["县大数据中心"]
        assert (t.deadline.kind, t.deadline.date, t.deadline.text) == ("date", date(2022, 9, 30), "2022年9月底前")

    def test_units_inferred_from_sentence_subject_with_warning(self, draft):
        t = task(draft, "二.（七）")
        assert t.responsible_units == ["各乡镇人民政府"]
        assert any("二.（七）" in w and "推断" in w for w in draft.warnings)

    def test_bare_clause_line_counts_for_folding(self):
        text = ("2022年某县工作要点\n\n一、公开\n（一）做好预算公开\n1.公开部门预算。\n2.公开部门决算。\n"
                "责任单位：县财政局\n（二）做好规划公开。（责任单位：县发改局）\n")
        draft = parse_document(text)
        assert [(t.ref, t.responsible_units) for t in draft.tasks] == [
            ("一.（一）", ["县财政局"]), ("一.（二）", ["县发改局"])]

    def test_task_without_units_is_warned(self):
        text = "2022年某县工作要点\n\n一、公开\n（一）做好预算公开。\n"
        draft = parse_document(text)
        assert draft.tasks[0].responsible_units == []
        assert draft.warnings == ["第 一.（一） 项「做好预算公开」未写明责任单位，请在预览中指定。"]


class TestDeadlinesAndTargets:
    def test_stated_date_without_year_takes_the_plan_year(self, draft):
        t = task(draft, "二.（一）")
        assert (t.deadline.kind, t.deadline.date, t.deadline.text) == ("date", date(2022, 6, 30), "6月底前")

    def test_default_deadline_is_year_end(self, draft):
        t = task(draft, "二.（二）")
        assert (t.deadline.kind, t.deadline.date, t.deadline.text) == ("default", date(2022, 12, 31), "")

    def test_deadlines_by_unit(self, draft):
        t = task(draft, "二.（五）")
        assert [(u.units, u.deadline.date) for u in t.deadlines_by_unit] == [
            (["各乡镇人民政府"], date(2022, 1, 31)),
            (["县直各单位"], date(2022, 2, 15)),
        ]

    def test_one_deadline_for_everyone_is_not_split_by_unit(self, draft):
        assert task(draft, "二.（一）").deadlines_by_unit == []

    def test_targets(self, draft):
        targets = task(draft, "二.（三）").targets
        assert [(x.metric, x.op, x.value, x.unit) for x in targets] == [("政策解读率", ">=", 80.0, "%")]

    def test_unreadable_deadline_cell_is_warned(self):
        rows = [["序号", "工作任务", "责任单位", "完成时限"], ["1", "做好预算公开。", "县财政局", "视情况而定"]]
        draft = parse_document("", rows=rows, year=2022)
        assert draft.tasks[0].deadline.kind == "default"
        assert any("视情况而定" in w for w in draft.warnings)


class TestDefinedGroups:
    def test_group_named_by_the_document(self):
        text = ("2022年某县工作要点\n\n一、公开\n"
                "（一）各乡镇人民政府、县经济开发区管委会（以下统称各乡镇）要做好公开。（责任单位：各乡镇）\n")
        draft = parse_document(text)
        assert draft.defined_groups == {"各乡镇": ["各乡镇人民政府", "县经济开发区管委会"]}

    def test_group_defined_by_an_attachment_table(self):
        text = ("2022年某县工作方案\n\n一、任务\n（一）编制目录。（责任单位：8个重点领域牵头部门）\n\n"
                "附件\n\n8个重点领域责任分工表\n\n序号\t重点领域\t责任单位\n1\t教育领域\t县教育局\n"
                "2\t卫生领域\t县卫健局\n3\t交通领域、住建领域\t县交通局、县住建局\n")
        draft = parse_document(text)
        assert draft.defined_groups == {"8个重点领域牵头部门": ["县教育局", "县卫健局", "县交通局", "县住建局"]}
        assert len(draft.tasks) == 1


class TestTables:
    TABLE_DOC = ("某市2022年政务公开工作要点\n\n一、扩大公开\n（一）做好公开。\n\n附件\n\n任务分解表\n\n"
                 "序号\t工作任务\t具体要求\t牵头单位\t配合单位\t完成时限\n"
                 "1\t财政公开\t公开预算。\t市财政局\t各县（市、区）政府\t6月底前\n"
                 "\t\t公开决算。\t\t\t9月底前\n"
                 "2\t规划公开\t公开规划。\t市发改委\t市自然资源局\t持续推进\n")

    def test_table_is_the_task_list(self):
        draft = parse_document(self.TABLE_DOC)
        assert [t.ref for t in draft.tasks] == ["1.1", "1.2", "2.1"]
        first, second, third = draft.tasks
        assert first.path == ["财政公开"] and first.level == 2
        assert first.lead_units == ["市财政局"]
        assert first.cooperating_units == ["各县（市、区）政府"]
        assert second.lead_units == ["市财政局"] and second.deadline.date == date(2022, 9, 30)
        assert third.deadline.kind == "continuous"
        assert first.columns == {"序号": "1", "工作任务": "财政公开", "具体要求": "公开预算。", "牵头单位": "市财政局",
                                 "配合单位": "各县（市、区）政府", "完成时限": "6月底前"}

    def test_rows_argument(self):
        rows = [["某市2022年任务分解表"], ["序号", "重点任务", "责任单位"], ["1", "做好财政公开，6月底前完成。", "市财政局"]]
        draft = parse_document("", rows=rows)
        assert draft.title == "某市2022年任务分解表"
        assert draft.year == 2022
        assert draft.tasks[0].responsible_units == ["市财政局"]
        assert draft.tasks[0].deadline.date == date(2022, 6, 30)


class TestErrors:
    @pytest.mark.parametrize("text", ["", "   \n\n", "\ufeff"])
    def test_empty(self, text):
        with pytest.raises(ParseError, match="文档内容为空"):
            parse_document(text)

    @pytest.mark.parametrize("text", ["这是一段没有任何编号的文字。\n第二行。", "会议通知\n\n请准时参加。", "1\t2\t3"])
    def test_no_structure(self, text):
        with pytest.raises(ParseError) as excinfo:
            parse_document(text)
        assert str(excinfo.value) == NO_STRUCTURE
        assert "“一、”“（一）”等编号或任务分解表" in str(excinfo.value)

    def test_doctrine_only_has_no_tasks(self):
        with pytest.raises(ParseError, match="未识别到任务结构"):
            parse_document("2022年某县工作方案\n\n一、总体要求\n（一）指导思想\n坚持依法公开。\n")

    def test_unknown_year_is_warned(self):
        draft = parse_document("某县工作方案\n\n一、任务\n（一）做好公开，年底前完成。（责任单位：县财政局）\n")
        assert draft.year is None
        assert draft.tasks[0].deadline.kind == "default" and draft.tasks[0].deadline.date is None
        assert any("未识别到计划年度" in w for w in draft.warnings)


class TestParseFile:
    def test_gbk_text(self):
        draft = parse_file("要点.txt", PLAN.encode("gbk"))
        assert draft.doc_number == "青政办发〔2022〕7号"
        assert len(draft.tasks) == 8

    def test_docx(self):
        document = Document()
        for line in PLAN.strip().split("\n"):
            document.add_paragraph(line)
        buffer = io.BytesIO()
        document.save(buffer)
        draft = parse_file("要点.docx", buffer.getvalue())
        assert [t.ref for t in draft.tasks] == [t.ref for t in parse_document(PLAN).tasks]

    def test_xlsx(self):
        workbook = Workbook()
        ws = workbook.active
        ws.append(["某市2022年重点任务分解表"])
        ws.append(["序号", "重点任务", "具体措施", "责任单位", "完成时限"])
        ws.append([1, "推进财政公开", "公开预算。", "市财政局", "6月底前"])
        ws.append([None, None, "公开决算。", None, "9月底前"])
        ws.merge_cells("A1:E1")
        ws.merge_cells("A3:A4")
        ws.merge_cells("B3:B4")
        ws.merge_cells("D3:D4")
        buffer = io.BytesIO()
        workbook.save(buffer)
        draft = parse_file("分解表.xlsx", buffer.getvalue())
        assert draft.title == "某市2022年重点任务分解表"
        assert draft.year == 2022
        assert [(t.ref, t.responsible_units, t.deadline.date) for t in draft.tasks] == [
            ("1.1", ["市财政局"], date(2022, 6, 30)),
            ("1.2", ["市财政局"], date(2022, 9, 30)),
        ]

    def test_bad_file_is_a_parse_error(self):
        with pytest.raises(ParseError, match="PNG"):
            parse_file("plan.txt", b"\x89PNG\r\n\x1a\n\x00\x00")
