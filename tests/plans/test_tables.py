"""Decomposition tables: headers, carried-down cells, page-break repeats, shifted and wrapped rows."""
from __future__ import annotations

import pytest

from tests.plans.conftest import seed_text
from tracker.plans.tables import (
    classify_header_cell,
    find_decomposition_tables,
    find_header,
    looks_like_units,
    parse_rows,
    read_text_tables,
    squeeze,
)


@pytest.mark.parametrize(
    "cell, key",
    [
        ("序号", "seq"), ("序 号", "seq"), ("公开任务", "task"), ("工作任务", "task"), ("重点任务", "task"),
        ("公开内容", "content"), ("主要内容", "content"), ("具体要求", "requirement"), ("工作要求", "requirement"),
        ("工作措施", "requirement"), ("具体任务", "requirement"), ("责任单位", "responsible"),
        ("责任部门", "responsible"), ("责任科室", "responsible"), ("牵头单位", "lead"), ("配合单位", "cooperating"),
        ("时限要求", "deadline"), ("完成时限", "deadline"), ("完成时间", "deadline"), ("备注", "note"),
        ("试点领域", None), ("姓名", None), ("这是一段很长的不可能是表头的正文内容", None),
    ],
)
def test_classify_header_cell(cell, key):
    assert classify_header_cell(cell) == key


def test_find_header_needs_work_and_unit_columns():
    rows = [["某市任务分解表"], ["序号", "姓名", "电话"], ["序号", "工作任务", "责任单位", "完成时限"]]
    header = find_header(rows)
    assert header.index == 2
    assert header.keys == ["seq", "task", "responsible", "deadline"]
    assert find_header([["序号", "试点领域", "责任单位"]]) is None
    assert find_header([["序号", "试点领域", "责任单位"]], need_work=False).keys == ["seq", None, "responsible"]


@pytest.mark.parametrize(
    "cell, expected",
    [
        ("各县(市、区)人民政府、运城开发区管委会、市直各有关单位", True),
        ("市政府办公室、市审批服务管理局牵头，各县（市、区）人民政府抓好落实", True),
        ("市财政局、市农业农村局、市民政局等有关单位", True),
        ("吕梁市生态环境局 孝义分局", True),
        ("各乡镇（街道）、开发区", True),
        ("2021年底在政务服务中心开设政务公开专区。", False),
        ("开设政务公开专区", False),
        ("", False),
    ],
)
def test_looks_like_units(cell, expected):
    assert looks_like_units(cell) is expected


def test_squeeze_drops_wrap_spaces_between_chinese():
    assert squeeze("进一步规范拟发 公文公开属性 认定") == "进一步规范拟发公文公开属性认定"
    assert squeeze("运城市 2021 年 IPv6 改造") == "运城市2021年IPv6改造"
    assert squeeze("support IPv6 now") == "support IPv6 now"


class TestSeed000:
    @pytest.fixture(scope="class")
    @classmethod
    def table(cls):
        tables = find_decomposition_tables(seed_text("yuncheng"))
        assert len(tables) == 1
        return tables[0]

    def test_title_and_header(self, table):
        assert table.title == "运城市2021年政务公开工作要点任务分解表"
        assert table.labels == ["序号", "公开任务", "公开内容", "具体要求", "责任部门"]

    def test_37_rows_in_6_groups(self, table):
        assert len(table.rows) == 37
        assert table.groups == [
            "扩大公开范围打造阳光政府", "优化便民举措提升公开质效", "抓好平台建设拓宽公开渠道",
            "完善体制机制健全保障体系", "省政务公开“亮点工程”", "加强队伍建设提升专业水准",
        ]
        per_group = [sum(1 for r in table.rows if r.ref.split(".")[0] == str(g)) for g in range(1, 7)]
        assert per_group == [10, 12, 5, 5, 1, 4]

    def test_page_break_repeats_continue_the_group(self, table):
        # Page 2 repeats 序号 1 and 公开任务; its first row opens a new 公开内容 in the same group.
        row = table.rows[6]
        assert row.ref == "1.7"
        assert row.path == ["扩大公开范围打造阳光政府", "进一步规范拟发公文公开属性认定"]
        # Page 3 repeats 公开内容 “加强政策多样化解读”: the same content group goes on.
        assert [r.ref for r in table.rows if r.path[-1] == "加强政策多样化解读"] == ["2.2", "2.3", "2.4", "2.5", "2.6"]

    def test_blank_cells_carried_down(self, table):
        row = table.rows[1]
        assert row.columns["序号"] == "1"
        assert row.columns["公开内容"] == "加强转型发展政策主动公开"
        assert row.text.startswith("做好各类规划主动公开。")

    def test_shifted_row_recovered(self, table):
        row = next(r for r in table.rows if r.ref == "3.5")
        assert row.recovered is True
        assert row.path == ["抓好平台建设拓宽公开渠道", "开设政务公开专区"]
        assert row.text.startswith("2021年底在政务服务中心(大厅)开设")
        assert row.cells["responsible"] == "市审批服务管理局、各县(市、区)人民政府"
        assert any("3.5" in w and "错位" in w for w in table.warnings)

    def test_cells_wrapped_with_spaces_are_joined(self, table):
        row = table.rows[6]
        assert row.cells["responsible"] == "各县(市、区)人民政府、运城开发区管委会、市直各有关单位"


HEADER = "序号\t工作任务\t具体措施\t责任单位\t完成时限"


class TestTextTables:
    def test_cell_split_over_physical_lines(self):
        text = "\n".join([
            HEADER,
            "1\t推进财政公开\t公开预算，",
            "并公开决算。\t市财政局\t6月底前",
            "2\t推进规划公开\t公开规划。\t市发展改革委\t年底前",
        ])
        table = find_decomposition_tables(text)[0]
        assert [r.text for r in table.rows] == ["公开预算，并公开决算。", "公开规划。"]
        assert table.rows[0].cells["deadline"] == "6月底前"

    def test_row_missing_its_leading_cell_is_shifted_back(self):
        text = "\n".join([
            "序号\t公开任务\t公开内容\t具体要求\t责任部门",
            "1\t任务甲\t内容甲\t要求一是一段比较长的具体内容。\t县财政局",
            "\t内容乙\t要求二也是一段比较长的具体内容。\t县民政局、县财政局\t",
        ])
        table = find_decomposition_tables(text)[0]
        row = table.rows[1]
        assert (row.ref, row.path, row.text) == ("1.2", ["任务甲", "内容乙"], "要求二也是一段比较长的具体内容。")
        assert row.cells["responsible"] == "县民政局、县财政局"
        assert row.recovered and not table.rows[0].recovered

    def test_line_without_tabs_continues_an_incomplete_row(self):
        text = "\n".join([HEADER, "1\t推进财政公开\t公开预算", "和决算。\t市财政局\t6月底前"])
        table = find_decomposition_tables(text)[0]
        assert table.rows[0].text == "公开预算和决算。"
        assert table.rows[0].cells["responsible"] == "市财政局"

    def test_flat_table_with_row_numbers(self):
        text = "\n".join([HEADER, "1\t任务甲\t措施甲。\t市财政局\t6月底前", "2\t任务乙\t措施乙。\t市民政局\t9月底前"])
        table = find_decomposition_tables(text)[0]
        assert [r.ref for r in table.rows] == ["1", "2"]
        assert [r.path for r in table.rows] == [["任务甲"], ["任务乙"]]

    def test_table_ends_at_prose(self):
        text = "\n".join([HEADER, "1\t任务甲\t措施甲。\t市财政局\t6月底前", "", "抄送：市委办公室。", "2\t任务乙\t措施乙。\t市民政局\t年底"])
        tables = read_text_tables(text, need_work=True)
        assert len(tables) == 1
        assert tables[0].rows == [["1", "任务甲", "措施甲。", "市财政局", "6月底前"]]

    def test_page_number_between_pages_is_skipped(self):
        text = "\n".join([HEADER, "1\t任务甲\t措施甲。\t市财政局\t6月底前", "", "— 5 —", "", HEADER,
                          "1\t任务甲\t措施乙。\t市民政局\t9月底前"])
        table = find_decomposition_tables(text)[0]
        assert [r.ref for r in table.rows] == ["1.1", "1.2"]
        assert table.groups == ["任务甲"]

    def test_attachment_table_of_units(self):
        tables = read_text_tables(seed_text("xiaoyi"))
        assert len(tables) == 1
        assert tables[0].title == "26个试点领域基层政务公开事项标准指导责任分工表"
        assert len(tables[0].rows) == 19
        assert tables[0].rows[8] == ["9", "环境保护领域", "吕梁市生态环境局 孝义分局"]


class TestRows:
    """Rows as a spreadsheet reader hands them over (merged cells already filled or left blank)."""

    def test_blank_merged_cells_and_banner(self):
        rows = [
            ["某县2021年重点任务分解表", "", "", "", ""],
            ["序号", "重点任务", "具体措施", "牵头单位", "完成时限"],
            ["1", "推进财政公开", "公开预算。", "县财政局", "6月底前"],
            ["", "", "公开决算。", "", "9月底前"],
            ["2", "推进规划公开", "公开规划。", "县发改局", ""],
        ]
        table = parse_rows(rows)
        assert table.title == "某县2021年重点任务分解表"
        assert [r.ref for r in table.rows] == ["1.1", "1.2", "2.1"]
        assert table.rows[1].cells == {"seq": "1", "task": "推进财政公开", "requirement": "公开决算。",
                                       "lead": "县财政局", "deadline": "9月底前"}
        # Unit and deadline cells never leak into a new top-level group.
        assert table.rows[2].cells["deadline"] == ""

    def test_row_continuing_the_leaf_text(self):
        rows = [["序号", "工作任务", "责任单位"], ["1", "推进财政公开，做好预算", "县财政局"], ["", "和决算公开。", ""]]
        table = parse_rows(rows)
        assert len(table.rows) == 1
        assert table.rows[0].text == "推进财政公开，做好预算和决算公开。"

    def test_extra_leading_blank_cell(self):
        rows = [["序号", "工作任务", "具体要求", "责任单位"], ["1", "甲", "要求一。", "县财政局"],
                ["", "", "", "要求二比较长的一段具体内容。", "县民政局"]]
        table = parse_rows(rows)
        assert table.rows[1].text == "要求二比较长的一段具体内容。"
        assert table.rows[1].cells["responsible"] == "县民政局"
        assert table.rows[1].recovered is True

    def test_no_header(self):
        assert parse_rows([["姓名", "电话"], ["张三", "1"]]) is None


class TestSectionRows:
    def test_merged_section_rows_in_a_spreadsheet(self):
        rows = [
            ["序号", "重点任务", "责任单位", "完成时限"],
            ["一、扩大公开范围"] * 4,
            ["1", "做好预算公开。", "县财政局", "6月底前"],
            ["2", "做好规划公开。", "县发改局", "年底前"],
            ["二、加强保障", "", "", ""],
            ["1", "配齐人员。", "县政府办公室", "年底前"],
        ]
        table = parse_rows(rows)
        assert [(r.ref, r.path) for r in table.rows] == [
            ("1.1", ["一、扩大公开范围"]), ("1.2", ["一、扩大公开范围"]), ("2.1", ["二、加强保障"])]
        assert table.groups == ["一、扩大公开范围", "二、加强保障"]

    def test_section_line_inside_a_text_table(self):
        text = "\n".join(["序号\t工作任务\t具体要求\t责任单位", "一、扩大公开范围", "1\t预算公开\t公开预算。\t县财政局",
                          "二、加强保障", "1\t队伍建设\t配齐人员。\t县政府办公室"])
        table = find_decomposition_tables(text)[0]
        assert [(r.ref, r.path) for r in table.rows] == [
            ("1.1", ["一、扩大公开范围", "预算公开"]), ("2.1", ["二、加强保障", "队伍建设"])]


def test_two_row_header():
    rows = [
        ["序号", "工作任务", "责任单位", "责任单位", "完成时限"],
        ["序号", "工作任务", "牵头单位", "配合单位", "完成时限"],
        ["1", "做好预算公开。", "县财政局", "各乡镇", "6月底前"],
    ]
    table = parse_rows(rows)
    assert table.labels == ["序号", "工作任务", "牵头单位", "配合单位", "完成时限"]
    assert table.rows[0].cells == {"seq": "1", "task": "做好预算公开。", "lead": "县财政局", "cooperating": "各乡镇",
                                   "deadline": "6月底前"}
