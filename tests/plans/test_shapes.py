"""Shapes of plans from other provinces that the importer used to misread (issue 17).

The sentences and tables here are written for these tests, in several wordings each; none is
taken from the seed plans.
"""
from __future__ import annotations

from datetime import date

import pytest

from tracker.plans.deadlines import parse_deadline
from tracker.plans.parser import parse_document
from tracker.plans.tables import unflatten_tables
from tracker.plans.units_text import extract_unit_clauses, parse_unit_phrase, split_units


def roles(phrase: str) -> tuple[list[str], list[str], list[str]]:
    r = parse_unit_phrase(phrase)
    return r.lead, r.responsible, r.cooperating


# --- 1. a table flattened one cell per line ---------------------------------------------------

FLAT_A = """某局2023年政务公开重点工作任务分解表
序号
工作任务
具体要求
落实处室
完成时限
1
深化主动公开
及时公开本部门规范性文件，做好集中发布
办公室、法规处
6月底前
2
在门户网站开设专栏，动态更新
规划处
每季度
3
加强解读回应
围绕重点政策开展多元化解读
政策研究室
全年
"""

FLAT_B = """附件
甲县2024年政务公开任务清单
序号
重点任务
工作要求
责任单位
完成时间
一、规范公开平台
1
整合县政府网站栏目，清理僵尸栏目
县政务服务中心
2024年5月31日前
2
政务新媒体开设留言功能，
建立回复审核机制
县委网信办、县政务服务中心
下半年
二、强化依申请公开
3
修订依申请公开办理规程
县司法局
9月底前
"""


class TestFlattenedTable:
    def test_rows_rejoined_with_their_units_and_deadlines(self):
        draft = parse_document(FLAT_A, year=2023)
        got = [(t.ref, t.path, t.responsible_units, t.deadline.kind, t.deadline.date) for t in draft.tasks]
        assert got == [
            ("1", ["深化主动公开"], ["办公室", "法规处"], "date", date(2023, 6, 30)),
            # the merged 工作任务 cell is missing in row 2: the row belongs to the group above
            ("2", ["深化主动公开"], ["规划处"], "recurring", date(2023, 12, 31)),
            ("3", ["加强解读回应"], ["政策研究室"], "window", date(2023, 12, 31)),
        ]
        assert draft.tasks[1].text == "在门户网站开设专栏，动态更新"

    def test_section_lines_and_a_cell_wrapped_over_two_lines(self):
        draft = parse_document(FLAT_B)
        assert draft.year == 2024
        got = [(t.path[0], t.responsible_units, t.deadline.date) for t in draft.tasks]
        assert got == [
            ("一、规范公开平台", ["县政务服务中心"], date(2024, 5, 31)),
            ("一、规范公开平台", ["县委网信办", "县政务服务中心"], date(2024, 12, 31)),
            ("二、强化依申请公开", ["县司法局"], date(2024, 9, 30)),
        ]
        assert draft.tasks[1].text == "政务新媒体开设留言功能，建立回复审核机制"

    def test_unflatten_writes_tab_separated_rows(self):
        text = unflatten_tables("序号\n任务名称\n牵头单位\n时限要求\n1\n公开财政预算\n市财政局\n3月底前\n")
        assert text.split("\n")[:2] == ["序号\t任务名称\t牵头单位\t时限要求", "1\t公开财政预算\t市财政局\t3月底前"]

    def test_prose_with_a_heading_word_on_its_own_line_is_left_alone(self):
        text = "一、工作任务\n序号\n各单位要抓好落实\n"
        assert unflatten_tables(text) == text


# --- 2. a unit cell that is a sentence --------------------------------------------------------


class TestSentenceCell:
    @pytest.mark.parametrize("phrase, lead, responsible", [
        ("市司法局牵头做好全市规章的集中公开工作，各成员单位负责做好本单位文件的公开。", ["市司法局"], ["各成员单位"]),
        ("县统计局牵头编制数据发布日历；各乡镇负责按时报送本辖区数据", ["县统计局"], ["各乡镇"]),
        ("区政务服务中心牵头，各街道办事处负责做好便民服务事项的公开", ["区政务服务中心"], ["各街道办事处"]),
        ("市档案馆、市图书馆牵头建设查阅场所，各县区负责本级场所建设", ["市档案馆", "市图书馆"], ["各县区"]),
    ])
    def test_units_without_what_the_sentence_says(self, phrase, lead, responsible):
        assert roles(phrase)[:2] == (lead, responsible)

    def test_sentence_cell_in_a_table(self):
        rows = [["序号", "工作任务", "责任单位", "完成时限"],
                ["1", "推进规章集中公开", "市司法局牵头做好全市规章的集中公开工作，各成员单位负责做好本单位文件的公开。", "9月底前"]]
        task = parse_document("", rows=rows, year=2023).tasks[0]
        assert (task.lead_units, task.responsible_units) == (["市司法局"], ["各成员单位"])


# --- 3. role words after a qualifier ----------------------------------------------------------


class TestQualifier:
    @pytest.mark.parametrize("phrase, responsible", [
        ("区直各部门按职能分工负责", ["区直各部门"]),
        ("各乡镇按属地原则抓好落实", ["各乡镇"]),
        ("各县（市、区）按属地管理原则负责", ["各县（市、区）"]),
        ("市直各单位根据各自职责抓好落实", ["市直各单位"]),
        ("县卫健局、县医保局按照职责分工落实", ["县卫健局", "县医保局"]),
    ])
    def test_qualifier_is_not_part_of_the_name(self, phrase, responsible):
        assert roles(phrase) == ([], responsible, [])

    def test_qualifier_before_a_lead(self):
        assert roles("市政府办公室按照统筹原则牵头，各县区按属地原则落实") == (["市政府办公室"], ["各县区"], [])


# --- 4. "A等…部门" ------------------------------------------------------------------------------


class TestEtcGroup:
    @pytest.mark.parametrize("phrase, names", [
        ("区教育局等区政府有关部门抓好落实", ["区教育局", "区政府有关部门"]),
        ("市卫健委、市医保局等市直有关部门负责", ["市卫健委", "市医保局", "市直有关部门"]),
        ("县住建局等县直相关单位", ["县住建局", "县直相关单位"]),
        ("区行政审批局等区直部门具体落实", ["区行政审批局", "区直部门"]),
    ])
    def test_unit_and_group(self, phrase, names):
        _, responsible, _ = roles(phrase)
        assert responsible == names

    def test_plain_vague_tail_still_drops(self):
        assert split_units("市财政局、市审计局等有关部门") == ["市财政局", "市审计局"]
        assert split_units("市财政局等单位") == ["市财政局"]

    def test_words_with_deng_inside_are_not_split(self):
        assert split_units("市高等学校工作委员会") == ["市高等学校工作委员会"]


# --- 5. rows with more cells than the header --------------------------------------------------

WIDE = [
    ["工作任务", "具体要求", "责任单位", "时限要求"],
    ["一、推进决策公开", "（一）做好预公开", "1", "重大决策草案公开征求意见，不少于30日", "区司法局、区政府办", "长期坚持"],
    ["", "", "2", "公布年度重大行政决策事项目录", "区政府办", "3月底前"],
    ["", "（二）加强解读", "1", "政策文件与解读材料同步起草、同步审签", "区发展改革局", "每季度"],
    ["二、优化政务服务", "（一）办事指南", "1", "完善办事指南要素", "区行政审批局", "第三季度"],
]


class TestWideRows:
    def test_alignment_from_content_keeps_the_group_path(self):
        draft = parse_document("", rows=WIDE, year=2023)
        got = [(t.ref, t.path, t.responsible_units, t.deadline.kind, t.deadline.date) for t in draft.tasks]
        assert got == [
            ("一.（一）.1", ["一、推进决策公开", "（一）做好预公开"], ["区司法局", "区政府办"], "continuous", None),
            ("一.（一）.2", ["一、推进决策公开", "（一）做好预公开"], ["区政府办"], "date", date(2023, 3, 31)),
            ("一.（二）.1", ["一、推进决策公开", "（二）加强解读"], ["区发展改革局"], "recurring", date(2023, 12, 31)),
            ("二.（一）.1", ["二、优化政务服务", "（一）办事指南"], ["区行政审批局"], "window", date(2023, 9, 30)),
        ]
        assert draft.tasks[0].text == "重大决策草案公开征求意见，不少于30日"

    def test_tab_separated_text_with_wide_rows(self):
        text = "\n".join("\t".join(r) for r in WIDE)
        draft = parse_document("某区2023年政务公开工作任务分解表\n" + text)
        assert [t.ref for t in draft.tasks] == ["一.（一）.1", "一.（一）.2", "一.（二）.1", "二.（一）.1"]
        assert draft.tasks[3].responsible_units == ["区行政审批局"]

    def test_five_cells_under_four_headers_without_a_number(self):
        rows = [["重点任务", "工作措施", "牵头单位", "完成时限"],
                ["一、公开平台", "（一）网站", "集约化建设市级平台", "市政务服务局", "6月底前"],
                ["", "（二）新媒体", "清理整合政务新媒体", "市委网信办", "8月底前"]]
        draft = parse_document("", rows=rows, year=2023)
        got = [(t.path, t.lead_units, t.deadline.date) for t in draft.tasks]
        assert got == [(["一、公开平台", "（一）网站"], ["市政务服务局"], date(2023, 6, 30)),
                       (["一、公开平台", "（二）新媒体"], ["市委网信办"], date(2023, 8, 31))]


# --- 6. a deadline cell serving several units -------------------------------------------------


class TestPerUnitDeadlineCell:
    def per_unit(self, task) -> dict[str, date]:
        return {u: e.deadline.date for e in task.deadlines_by_unit for u in e.units}

    def test_deadline_cell_names_two_units(self):
        rows = [["序号", "工作任务", "具体要求", "责任单位", "完成时限"],
                ["1", "健全制度", "制定政务公开工作制度并抓好执行", "局办公室、各处室", "局办公室7月底前印发制度；各处室11月底前落实"],
                ["2", "", "按制度做好信息发布", "", ""]]
        draft = parse_document("", rows=rows, year=2023)
        for task in draft.tasks:  # the merged 时限 cell serves the row below as well
            assert self.per_unit(task) == {"局办公室": date(2023, 7, 31), "各处室": date(2023, 11, 30)}
            assert task.deadline.date == date(2023, 11, 30)

    def test_unit_cell_that_carries_the_deadlines(self):
        rows = [["序号", "工作任务", "责任单位", "完成时限"],
                ["1", "公开权责清单", "市委编办6月底前完成清单调整；各县区9月底前公布本级清单", ""]]
        task = parse_document("", rows=rows, year=2024).tasks[0]
        assert task.responsible_units == ["市委编办", "各县区"]
        assert self.per_unit(task) == {"市委编办": date(2024, 6, 30), "各县区": date(2024, 9, 30)}
        assert task.deadline.date == date(2024, 9, 30)

    def test_one_deadline_for_every_unit_is_not_split(self):
        rows = [["序号", "工作任务", "责任单位", "完成时限"], ["1", "公开预算", "市财政局、各县区", "3月底前"]]
        task = parse_document("", rows=rows, year=2024).tasks[0]
        assert task.deadlines_by_unit == []
        assert task.deadline.date == date(2024, 3, 31)


# --- 7. three-field clauses -------------------------------------------------------------------


class TestThreeFieldClause:
    @pytest.mark.parametrize("clause, lead, responsible, kind, due", [
        ("（牵头单位：区政府办公室；责任单位：区直各部门；完成时限：长期坚持）", ["区政府办公室"], ["区直各部门"], "continuous", None),
        ("（牵头部门：市数据局；责任部门：各县区政府；完成时间：2023年10月底前）", ["市数据局"], ["各县区政府"], "date", date(2023, 10, 31)),
        ("（牵头单位：县司法局，责任单位：各乡镇，时间节点：每季度）", ["县司法局"], ["各乡镇"], "recurring", date(2023, 12, 31)),
        ("(牵头单位:市财政局;责任单位:市直各部门;完成时限:上半年)", ["市财政局"], ["市直各部门"], "window", date(2023, 6, 30)),
    ])
    def test_units_and_the_deadline_inside_the_clause(self, clause, lead, responsible, kind, due):
        text = f"2023年政务公开工作要点\n一、深化重点领域公开\n（一）推进预决算公开。按规定公开预决算报告和报表。{clause}\n"
        task = parse_document(text).tasks[0]
        assert (task.lead_units, task.responsible_units) == (lead, responsible)
        assert (task.deadline.kind, task.deadline.date) == (kind, due)

    def test_clause_is_removed_from_the_text(self):
        cleaned, found = extract_unit_clauses("做好公开。（牵头单位：甲局；责任单位：乙局；完成时限：长期坚持）")
        assert cleaned == "做好公开。"
        assert (found.lead, found.responsible, found.deadline_text) == (["甲局"], ["乙局"], "长期坚持")


# --- 8. recurring and seasonal forms ----------------------------------------------------------


class TestRecurringAndSeasonal:
    @pytest.mark.parametrize("phrase, kind, start, due, recurrence", [
        ("每季度", "recurring", None, date(2023, 12, 31), "quarterly"),
        ("每个季度", "recurring", None, date(2023, 12, 31), "quarterly"),
        ("每季度末", "recurring", None, date(2023, 12, 31), "quarterly"),
        ("每半年", "recurring", None, date(2023, 12, 31), "half-yearly"),
        ("每月", "recurring", None, date(2023, 12, 31), "monthly"),
        ("每月10日前", "recurring", None, date(2023, 12, 10), "monthly"),
        ("每月5号前", "recurring", None, date(2023, 12, 5), "monthly"),
        ("上半年", "window", date(2023, 1, 1), date(2023, 6, 30), None),
        ("下半年", "window", date(2023, 7, 1), date(2023, 12, 31), None),
        ("第三季度", "window", date(2023, 7, 1), date(2023, 9, 30), None),
        ("三季度末前", "window", date(2023, 7, 1), date(2023, 9, 30), None),
        ("第一季度", "window", date(2023, 1, 1), date(2023, 3, 31), None),
        ("全年", "window", date(2023, 1, 1), date(2023, 12, 31), None),
        ("2024年全年", "window", date(2024, 1, 1), date(2024, 12, 31), None),
        ("全年度", "window", date(2023, 1, 1), date(2023, 12, 31), None),
        ("年内", "year_end", None, date(2023, 12, 31), None),
    ])
    def test_cell_phrases(self, phrase, kind, start, due, recurrence):
        d = parse_deadline(phrase, 2023)
        assert (d.kind, d.start, d.date, d.recurrence) == (kind, start, due, recurrence)

    def test_every_quarter_in_prose(self):
        text = "2023年工作要点\n一、公开\n（一）定期通报。每季度通报一次网站检查情况。（责任单位：县政务服务中心）\n"
        task = parse_document(text).tasks[0]
        assert (task.deadline.kind, task.deadline.recurrence) == ("recurring", "quarterly")

    def test_whole_year_in_prose_stays_unread(self):
        # "全年" in running text usually counts something over the year, not a deadline.
        text = "2023年工作要点\n一、公开\n（一）全年公开政府信息不少于500条。（责任单位：县政务服务中心）\n"
        assert parse_document(text).tasks[0].deadline.kind == "default"

    def test_every_word_not_a_period(self):
        assert parse_deadline("每项任务", 2023) is None
