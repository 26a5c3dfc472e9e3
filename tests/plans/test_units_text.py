"""Unit phrases: normalising, splitting lists, roles, inline unit clauses and group definitions."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.plans.units_text import (
    UnitRoles,
    extract_unit_clauses,
    find_group_definitions,
    normalize,
    parse_unit_phrase,
    split_units,
)


@pytest.mark.parametrize(
    "written, expected",
    [
        ("各县（市、区）政府", "各县（市、区）政府"),
        ("各县〔市、区〕政府", "各县（市、区）政府"),
        ("各县(市、区)政府", "各县（市、区）政府"),
        ("各县[市、区]政府", "各县（市、区）政府"),
        ("责任单位: 各镇街, 区政府各部门", "责任单位：各镇街，区政府各部门"),
        ("牵头单位:区财政局;责任单位:各镇街", "牵头单位：区财政局；责任单位：各镇街"),
        ("市直 各有关单位", "市直各有关单位"),
        ("生态环境局 孝义分局", "生态环境局孝义分局"),
        ("2020 年底前", "2020年底前"),
        ("**全面梳理公开事项。**", "全面梳理公开事项。"),
        ("  市财政局  ", "市财政局"),
        # a 文号's year bracket is not a unit qualifier and stays as issued
        ("运政办发〔2021〕31号", "运政办发〔2021〕31号"),
        # numbers written with half-width separators are left alone
        ("12:30, 1,000", "12:30, 1,000"),
    ],
)
def test_normalize(written, expected):
    assert normalize(written) == expected


def test_bracket_variants_normalise_to_the_same_phrase():
    variants = ["各县（市、区）人民政府", "各县〔市、区〕人民政府", "各县(市、区)人民政府", "各县[市、区]人民政府"]
    assert {normalize(v) for v in variants} == {"各县（市、区）人民政府"}


@pytest.mark.parametrize(
    "written, expected",
    [
        ("市财政局、市审计局", ["市财政局", "市审计局"]),
        ("市财政局，市审计局", ["市财政局", "市审计局"]),
        ("市财政局,市审计局;市统计局", ["市财政局", "市审计局", "市统计局"]),
        ("市财政局；市审计局", ["市财政局", "市审计局"]),
        ("市财政局和市审计局", ["市财政局", "市审计局"]),
        ("区司法局及区政府相关部门", ["区司法局", "区政府相关部门"]),
        ("市委宣传部以及市网信办", ["市委宣传部", "市网信办"]),
        ("市财政局、市税务局和市人民银行", ["市财政局", "市税务局", "市人民银行"]),
        ("市规划和自然资源局", ["市规划和自然资源局"]),
        ("市人力资源和社会保障局", ["市人力资源和社会保障局"]),
        ("市发展和改革委员会", ["市发展和改革委员会"]),
        ("区教育和体育局、区住房和城乡建设局", ["区教育和体育局", "区住房和城乡建设局"]),
        ("市政务和大数据局", ["市政务和大数据局"]),
        ("市规划和自然资源局和市财政局", ["市规划和自然资源局", "市财政局"]),
        ("各县（市、区）人民政府", ["各县（市、区）人民政府"]),
        ("各县〔市、区〕政府、市直各单位", ["各县（市、区）政府", "市直各单位"]),
        ("市民政局、市财政局等", ["市民政局", "市财政局"]),
        ("市民政局等有关单位", ["市民政局"]),
        ("、市财政局、、", ["市财政局"]),
        ("市发展改\n\n革委、市财政局", ["市发展改革委", "市财政局"]),
        ("", []),
    ],
)
def test_split_units(written, expected):
    assert split_units(written) == expected


@pytest.mark.parametrize(
    "phrase, lead, responsible, cooperating",
    [
        ("市政府办、市数据局牵头，各县（市、区）政府、市直各单位抓好落实",
         ["市政府办", "市数据局"], ["各县（市、区）政府", "市直各单位"], []),
        ("市司法局牵头，市财政局等有关部门负责落实", ["市司法局"], ["市财政局"], []),
        ("办公室牵头，各科室配合", ["办公室"], [], ["各科室"]),
        ("市财政局、市审计局", [], ["市财政局", "市审计局"], []),
        ("市卫健委负责", [], ["市卫健委"], []),
        ("市卫健委负责落实", [], ["市卫健委"], []),
        ("各乡镇落实", [], ["各乡镇"], []),
        ("市民政局牵头，市财政局协助", ["市民政局"], [], ["市财政局"]),
        ("市民政局牵头，市财政局、市审计局参与", ["市民政局"], [], ["市财政局", "市审计局"]),
        ("市直各部门按职责分工负责", [], ["市直各部门"], []),
        ("由市政府办公室牵头", ["市政府办公室"], [], []),
        ("市政府办牵头，各县（市、区）政府，开发区管委会，市直各单位抓好落实",
         ["市政府办"], ["各县（市、区）政府", "开发区管委会", "市直各单位"], []),
        ("市财政局牵头，市审计局配合，各县区政府负责",
         ["市财政局"], ["各县区政府"], ["市审计局"]),
        ("牵头单位：区财政局；责任单位：各镇街，区政府各部门",
         ["区财政局"], ["各镇街", "区政府各部门"], []),
        ("配合单位：市公安局、市司法局", [], [], ["市公安局", "市司法局"]),
    ],
)
def test_parse_unit_phrase_roles(phrase, lead, responsible, cooperating):
    roles = parse_unit_phrase(phrase)
    assert (roles.lead, roles.responsible, roles.cooperating) == (lead, responsible, cooperating)


def test_phrase_is_kept_as_written():
    roles = parse_unit_phrase("市审批局、各县(市、区)人民政府")
    assert roles.phrases == ["市审批局、各县(市、区)人民政府"]


def test_vague_tail_is_kept_as_a_phrase():
    roles = parse_unit_phrase("市司法局牵头，市财政局等有关部门负责落实")
    assert roles.responsible == ["市财政局"]
    assert roles.phrases == ["市司法局牵头，市财政局等有关部门负责落实", "市财政局等有关部门"]


@pytest.mark.parametrize("tail", ["等有关单位", "等有关部门", "等相关单位", "等"])
def test_every_vague_tail_is_stripped_and_noted(tail):
    roles = parse_unit_phrase(f"市农业农村局{tail}")
    assert roles.responsible == ["市农业农村局"]
    assert f"市农业农村局{tail}" in roles.phrases


def test_empty_phrase():
    assert parse_unit_phrase("") == UnitRoles()


@pytest.mark.parametrize(
    "text, clean, lead, responsible, cooperating, deadline_text",
    [
        ("做好财政公开。（责任单位：市财政局、各县〔市、区〕政府）",
         "做好财政公开。", [], ["市财政局", "各县（市、区）政府"], [], ""),
        ("做好规划公开。（牵头单位：市发改委；责任单位：各县（市、区）政府）",
         "做好规划公开。", ["市发改委"], ["各县（市、区）政府"], [], ""),
        ("做好规划公开。(责任单位: 市发改委, 市财政局)",
         "做好规划公开。", [], ["市发改委", "市财政局"], [], ""),
        ("开设公开专区。（责任时限：2021年底前，牵头单位：市数据局，责任单位：各县(市、区)政府）",
         "开设公开专区。", ["市数据局"], ["各县（市、区）政府"], [], "2021年底前"),
        ("做好解读。（配合单位：市委宣传部）", "做好解读。", [], [], ["市委宣传部"], ""),
        ("强化培训。（责任部门：市人社局）", "强化培训。", [], ["市人社局"], [], ""),
        ("完善制度。（责任科室：办公室、法规科）", "完善制度。", [], ["办公室", "法规科"], [], ""),
        ("推进试点。（牵头部门：市民政局）", "推进试点。", ["市民政局"], [], [], ""),
        ("建立台账。（完成时限：10月底前；责任单位：市档案局）", "建立台账。", [], ["市档案局"], [], "10月底前"),
        ("做好回应（责任单位：市网信办牵头，各县区政府配合）。",
         "做好回应。", ["市网信办"], [], ["各县区政府"], ""),
    ],
)
def test_extract_unit_clauses(text, clean, lead, responsible, cooperating, deadline_text):
    cleaned, roles = extract_unit_clauses(text)
    assert cleaned == clean
    assert roles is not None
    assert (roles.lead, roles.responsible, roles.cooperating, roles.deadline_text) == (
        lead, responsible, cooperating, deadline_text,
    )


def test_nested_brackets_do_not_end_a_clause_early():
    cleaned, roles = extract_unit_clauses("加强指导。（责任单位：各县〔市、区〕政府，各县（市、区）教育局）后续文字")
    assert cleaned == "加强指导。后续文字"
    assert roles.responsible == ["各县（市、区）政府", "各县（市、区）教育局"]


def test_clause_split_across_lines():
    text = "汇总编制办事指南。（责任单位：市行政审批服务\n\n管理局)"
    cleaned, roles = extract_unit_clauses(text)
    assert cleaned == "汇总编制办事指南。"
    assert roles.responsible == ["市行政审批服务管理局"]
    assert roles.phrases == ["责任单位：市行政审批服务管理局"]


def test_unclosed_clause_runs_to_the_end():
    cleaned, roles = extract_unit_clauses("做好公开。（责任单位：市财政局、市审计局")
    assert cleaned == "做好公开。"
    assert roles.responsible == ["市财政局", "市审计局"]


def test_several_clauses_merge_in_order():
    text = "建好网站。（责任单位：市政府办公室、市信息中心）\n\n各单位不得私开网站。（责任单位：市直各部门，市信息中心）"
    cleaned, roles = extract_unit_clauses(text)
    assert cleaned == "建好网站。\n\n各单位不得私开网站。"
    assert roles.responsible == ["市政府办公室", "市信息中心", "市直各部门"]
    assert roles.phrases == ["责任单位：市政府办公室、市信息中心", "责任单位：市直各部门，市信息中心"]


def test_label_at_line_start_without_brackets():
    cleaned, roles = extract_unit_clauses("加强队伍建设。\n责任单位：市委编办、市人社局")
    assert cleaned == "加强队伍建设。"
    assert roles.responsible == ["市委编办", "市人社局"]


@pytest.mark.parametrize(
    "text",
    ["没有单位的任务文字。", "（2021年10月底前完成）", "按照《条例》（国务院令第711号）执行。", ""],
)
def test_no_clause(text):
    assert extract_unit_clauses(text) == (text, None)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("各县（市、区）人民政府，开发区管委会，以下统称各县（区）政府，要抓好落实。",
         {"各县（区）政府": "各县（市、区）人民政府，开发区管委会"}),
        ("市发展改革委、市财政局、市审计局（以下简称“三部门”）要加强协调。",
         {"三部门": "市发展改革委、市财政局、市审计局"}),
        ("各乡镇人民政府、街道办事处(以下统称\"各乡镇\")负责本辖区。",
         {"各乡镇": "各乡镇人民政府、街道办事处"}),
        ("严格依照《政府信息公开条例》（以下简称《条例》）的要求。", {"《条例》": "《政府信息公开条例》"}),
        ("没有定义的句子。", {}),
    ],
)
def test_find_group_definitions(text, expected):
    assert find_group_definitions(text) == expected


SEED_CLAUSES = [
    # 牡丹区 001, 二（一）: half-width brackets and separators with PDF spaces
    ("工业强区、服务业兴区等领域信息公开, 以公开促进我区中心工作顺利实施。(牵头单位: 区发改局、区农业农村局、区住建局、区自然资源局、区工信局; 责任单位: 各镇街, 区政府各部门)",
     ["区发改局", "区农业农村局", "区住建局", "区自然资源局", "区工信局"], ["各镇街", "区政府各部门"]),
    # 牡丹区 001, 二（四）: a list ending in 等
    ("(责任单位: 区人力资源和社会保障局、区教育和体育局、区卫生健康局、区民政局、区自然资源局、区应急管理局、区市场监督管理局等)",
     [], ["区人力资源和社会保障局", "区教育和体育局", "区卫生健康局", "区民政局", "区自然资源局", "区应急管理局", "区市场监督管理局"]),
    # 三门峡 004, （二）: a name broken over a page and 〔〕 inside the clause
    ("做好历史规划（计划）的归集整理和主动公开工作。（责任单位：市发展改\n\n革委、自然资源规划局和市政府有关部门，各县〔市、区〕政府）",
     [], ["市发展改革委", "自然资源规划局", "市政府有关部门", "各县（市、区）政府"]),
    # 孝义 003, task 1
    ("（责任单位：26个试点领域承载部门，各乡镇人民政府、街道办事处，山西孝义经济开发区管委会）",
     [], ["26个试点领域承载部门", "各乡镇人民政府", "街道办事处", "山西孝义经济开发区管委会"]),
    # 牡丹区 001, 四（二）
    ("（牵头单位：区政府办公室、区司法局及区政府相关部门）", ["区政府办公室", "区司法局", "区政府相关部门"], []),
]


@pytest.mark.parametrize("text, lead, responsible", SEED_CLAUSES)
def test_seed_clauses(text, lead, responsible):
    _, roles = extract_unit_clauses(text)
    assert (roles.lead, roles.responsible) == (lead, responsible)


def test_seed_table_cell_with_roles():
    # 运城 000 decomposition table, 责任部门 column
    roles = parse_unit_phrase("市政府办公室、市委网信办牵头，各县（市、区）人民政府、运城开发区管委会、市直各有关单位抓好落实")
    assert roles.lead == ["市政府办公室", "市委网信办"]
    assert roles.responsible == ["各县（市、区）人民政府", "运城开发区管委会", "市直各有关单位"]


def test_seed_table_cell_split_by_pdf():
    roles = parse_unit_phrase("各县(市、区)人民政府、 运城开发区管委会、市直 各有关单位")
    assert roles.responsible == ["各县（市、区）人民政府", "运城开发区管委会", "市直各有关单位"]


ALPHABET = st.sampled_from(
    list("市区县各局委办政府单位部门牵头负责落实配合协助参与等有关和及责任时限以下统称简称")
    + list("0123456789 　\n\t（）()〔〕[]【】“”\"，。；：、,.;:*")
)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=60))
def test_no_input_raises(text):
    normalize(text)
    for name in split_units(text):
        assert name and name == name.strip()
    roles = parse_unit_phrase(text)
    assert all(roles.lead + roles.responsible + roles.cooperating)
    cleaned, roles = extract_unit_clauses(text)
    assert len(cleaned) <= len(text)
    find_group_definitions(text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_no_arbitrary_unicode_raises(text):
    normalize(text)
    split_units(text)
    parse_unit_phrase(text)
    extract_unit_clauses(text)
    find_group_definitions(text)
