"""Resolving written unit names against a unit directory."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.plans.resolve import (
    ABBREVIATIONS,
    DirGroup,
    DirUnit,
    Resolution,
    UnitDirectory,
    canonical,
    name_key,
)

CITY_UNITS = [
    DirUnit(1, "运城市发展和改革委员会", kind="department"),
    DirUnit(2, "市卫生健康委员会", kind="department"),
    DirUnit(3, "市市场监督管理局", kind="department"),
    DirUnit(4, "市司法局", kind="department"),
    DirUnit(5, "市人力资源和社会保障局", short_name="市人社局", kind="department"),
    DirUnit(6, "市规划和自然资源局", kind="department"),
    DirUnit(7, "市人民政府办公室", kind="office"),
    DirUnit(8, "运城经济技术开发区管理委员会", aliases=["运城开发区管委会"], kind="zone"),
    DirUnit(9, "市财政局", kind="department"),
    DirUnit(10, "市政务服务和大数据管理局", kind="department"),
    DirUnit(11, "市住房和城乡建设局", kind="department"),
    DirUnit(12, "市教育和体育局", kind="department"),
    DirUnit(13, "市工业和信息化局", kind="department"),
    DirUnit(14, "市委网络安全和信息化委员会办公室", kind="department"),
    DirUnit(21, "盐湖区人民政府", kind="county"),
    DirUnit(22, "永济市人民政府", kind="county"),
    DirUnit(23, "临猗县人民政府", kind="county"),
]
CITY_GROUPS = [
    DirGroup("各县（市、区）人民政府", [21, 22, 23], aliases=["各县市区政府"], id=100),
    DirGroup("市直各有关单位", [1, 2, 3, 4, 5], id=101),
]


@pytest.fixture(scope="module")
def city() -> UnitDirectory:
    return UnitDirectory(CITY_UNITS, CITY_GROUPS, jurisdiction="运城市")


@pytest.mark.parametrize(
    "written, unit_id",
    [
        # exact, short name, alias, spacing and bracket debris
        ("市财政局", 9),
        ("市人社局", 5),
        ("运城开发区管委会", 8),
        (" 市 财政局 ", 9),
        # the jurisdiction written out or as its level prefix
        ("运城市财政局", 9),
        ("市发展和改革委员会", 1),
        # standard abbreviations
        ("市发展改革委", 1),
        ("市发改委", 1),
        ("运城市发改委", 1),
        ("市卫健委", 2),
        ("市卫生健康委", 2),
        ("运城市卫生健康委员会", 2),
        ("市市场监管局", 3),
        ("市人力资源社会保障局", 5),
        ("市政府办公室", 7),
        ("市政府办", 7),
        ("运城经济技术开发区管委会", 8),
        ("市政务和大数据局", 10),
        ("市大数据局", 10),
        ("市住建局", 11),
        ("市住房城乡建设局", 11),
        ("市教体局", 12),
        ("市工信局", 13),
        ("市委网信办", 14),
        ("市自然资源和规划局", 6),
        ("市自然资源规划局", 6),
        # a list that writes the level prefix once
        ("市场监管局", 3),
        ("司法局", 4),
        ("自然资源规划局", 6),
        ("发改委", 1),
    ],
)
def test_resolves_to_one_unit(city, written, unit_id):
    result = city.resolve(written)
    assert (result.status, result.unit_ids, result.written) == ("unit", [unit_id], written)
    assert result.matched == next(u.name for u in CITY_UNITS if u.id == unit_id)


@pytest.mark.parametrize(
    "written, members, phrase",
    [
        ("各县（市、区）人民政府", [21, 22, 23], "各县（市、区）人民政府"),
        ("各县〔市、区〕人民政府", [21, 22, 23], "各县（市、区）人民政府"),
        ("各县(市、区)人民政府", [21, 22, 23], "各县（市、区）人民政府"),
        ("各县[市、区]政府", [21, 22, 23], "各县（市、区）人民政府"),
        ("各县市区政府", [21, 22, 23], "各县（市、区）人民政府"),
        ("市直各有关单位", [1, 2, 3, 4, 5], "市直各有关单位"),
    ],
)
def test_groups_expand_to_members(city, written, members, phrase):
    assert city.resolve(written) == Resolution("group", members, written, phrase)


@pytest.mark.parametrize("written", ["市审计局", "26个试点领域承载部门", "", "   ", "局"])
def test_unknown_names_stay_unresolved(city, written):
    assert city.resolve(written) == Resolution("unresolved", [], written, "")


def test_two_matching_units_are_ambiguous():
    directory = UnitDirectory(
        [DirUnit(1, "市财政局"), DirUnit(2, "县财政局", aliases=["财政局"]), DirUnit(3, "财政局")]
    )
    result = directory.resolve("财政局")
    assert (result.status, result.unit_ids, result.matched) == ("unresolved", [2, 3], "ambiguous")


def test_ambiguity_through_abbreviations():
    directory = UnitDirectory([DirUnit(1, "区发展和改革局"), DirUnit(2, "区发展改革局")])
    result = directory.resolve("区发改局")
    assert (result.status, result.unit_ids, result.matched) == ("unresolved", [1, 2], "ambiguous")


def test_exact_match_wins_over_an_abbreviation_match():
    directory = UnitDirectory([DirUnit(1, "市政府办"), DirUnit(2, "市人民政府办公室")])
    assert directory.resolve("市政府办").unit_ids == [1]
    assert directory.resolve("市人民政府办公室").unit_ids == [2]


def test_district_jurisdiction_prefix():
    directory = UnitDirectory(
        [DirUnit(1, "牡丹区发展和改革局"), DirUnit(2, "区卫生健康局"), DirUnit(3, "区教育和体育局")],
        [DirGroup("各镇街", [], aliases=["各镇、街道"])],
        jurisdiction="牡丹区",
    )
    assert directory.resolve("区发改局").unit_ids == [1]
    assert directory.resolve("牡丹区卫生健康局").unit_ids == [2]
    assert directory.resolve("区教体局").unit_ids == [3]
    assert directory.resolve("卫生健康局").unit_ids == [2]
    assert directory.resolve("各镇、街道").status == "group"


def test_level_prefix_is_not_added_without_a_jurisdiction():
    directory = UnitDirectory([DirUnit(1, "市司法局")])
    assert directory.resolve("司法局").status == "unresolved"


def test_resolve_many_keeps_every_name_in_order(city):
    names = ["市发展改革委", "市场监管局", "司法局", "不存在的单位", "各县〔市、区〕政府"]
    results = city.resolve_many(names)
    assert [(r.written, r.status, r.unit_ids) for r in results] == [
        ("市发展改革委", "unit", [1]),
        ("市场监管局", "unit", [3]),
        ("司法局", "unit", [4]),
        ("不存在的单位", "unresolved", []),
        ("各县〔市、区〕政府", "group", [21, 22, 23]),
    ]


@pytest.mark.parametrize(
    "a, b",
    [
        ("发展和改革委员会", "发改委"),
        ("发展改革委", "发改委"),
        ("卫生健康委员会", "卫健委"),
        ("人力资源和社会保障局", "人社局"),
        ("市场监督管理局", "市场监管局"),
        ("住房和城乡建设局", "住建局"),
        ("教育和体育局", "教体局"),
        ("工业和信息化局", "工信局"),
        ("政务服务和大数据管理局", "政务和大数据局"),
        ("政务服务和大数据管理局", "大数据局"),
        ("某县人民政府", "某县政府"),
        ("开发区管理委员会", "开发区管委会"),
        ("编制委员会", "编制委"),
        ("各县〔市、区〕人民政府", "各县（市、区）政府"),
    ],
)
def test_canonical_forms_agree(a, b):
    assert canonical(a) == canonical(b)


@pytest.mark.parametrize(
    "a, b",
    [("市财政局", "市审计局"), ("卫生健康委", "卫生健康局"), ("自然资源局", "自然资源规划局"), ("市委", "市政府")],
)
def test_canonical_forms_keep_different_units_apart(a, b):
    assert canonical(a) != canonical(b)


def test_every_abbreviation_row_collapses_to_one_form():
    for row in ABBREVIATIONS:
        assert len({canonical(v) for v in row}) == 1, row


def test_name_key_unifies_brackets_and_quotes():
    assert name_key("“各县(市、区)政府”") == name_key("各县〔市、区〕政府") == "各县（市、区）政府"


# The real unit phrases of the 三门峡 plan (004), which write the level prefix once per list.
SANMENXIA = UnitDirectory(
    [
        DirUnit(1, "三门峡市发展和改革委员会"),
        DirUnit(2, "三门峡市自然资源和规划局"),
        DirUnit(3, "三门峡市市场监督管理局"),
        DirUnit(4, "三门峡市司法局"),
        DirUnit(5, "三门峡市卫生健康委员会"),
        DirUnit(6, "三门峡市政务服务和大数据管理局"),
    ],
    [DirGroup("各县（市、区）政府", [])],
    jurisdiction="三门峡市",
)


@pytest.mark.parametrize(
    "written, status, unit_ids",
    [
        ("市发展改革委", "unit", [1]),
        ("自然资源规划局", "unit", [2]),
        ("市场监管局", "unit", [3]),
        ("司法局", "unit", [4]),
        ("市卫生健康委", "unit", [5]),
        ("市政务和大数据局", "unit", [6]),
        ("各县〔市、区〕政府", "group", []),
        ("市政府有关部门", "unresolved", []),
    ],
)
def test_seed_sanmenxia_names(written, status, unit_ids):
    result = SANMENXIA.resolve(written)
    assert (result.status, result.unit_ids) == (status, unit_ids)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(list("市区县局委办政府发改卫健（）()〔〕和 、")), max_size=20), max_size=5))
def test_resolve_many_never_drops_or_raises(names):
    results = UnitDirectory(CITY_UNITS, CITY_GROUPS, jurisdiction="运城市").resolve_many(names)
    assert [r.written for r in results] == names
    for result in results:
        assert result.status in ("unit", "group", "unresolved")
        if result.status == "unit":
            assert len(result.unit_ids) == 1


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40), st.text(max_size=10))
def test_arbitrary_text_never_raises(written, jurisdiction):
    UnitDirectory(CITY_UNITS, CITY_GROUPS, jurisdiction=jurisdiction).resolve(written)
