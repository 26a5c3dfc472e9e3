"""Quantitative targets: metric, operator, value, unit and the year they apply to."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.plans.draft import TARGET_OPS, Target
from tracker.plans.targets import find_targets


@pytest.mark.parametrize(
    "sentence, expected",
    [
        ("各部门政策解读率不得低于90%。", Target("政策解读率", ">=", 90.0, "%")),
        ("网站信息更新率不低于60%。", Target("网站信息更新率", ">=", 60.0, "%")),
        ("主动公开比例不得少于50%。", Target("主动公开比例", ">=", 50.0, "%")),
        ("纳入绩效考核，分值权重不低于4%。", Target("分值权重", ">=", 4.0, "%")),
        ("申请答复按期率达到100%。", Target("申请答复按期率", ">=", 100.0, "%")),
        ("信息差错率不超过1%。", Target("信息差错率", "<=", 1.0, "%")),
        ("留言办结率95%以上。", Target("留言办结率", ">=", 95.0, "%")),
        ("群众满意度在90%及以上。", Target("群众满意度", ">=", 90.0, "%")),
        ("被纠错率控制在5%以内。", Target("被纠错率", "<=", 5.0, "%")),
        ("超期答复率低于2%。", Target("超期答复率", "<", 2.0, "%")),
        ("网上可办率超过80%。", Target("网上可办率", ">", 80.0, "%")),
        ("全市政务公开专区覆盖率为100%。", Target("政务公开专区覆盖率", "=", 100.0, "%")),
        ("图解类解读占比不得高于30%。", Target("图解类解读占比", "<=", 30.0, "%")),
        ("在线访谈不少于4次。", Target("在线访谈", ">=", 4.0, "次")),
        ("发布典型案例不少于10件。", Target("发布典型案例", ">=", 10.0, "件")),
        ("开设专题栏目至少5个。", Target("开设专题栏目", ">=", 5.0, "个")),
        ("覆盖率不低于百分之九十五。", Target("覆盖率", ">=", 95.0, "%")),
        ("公开率不低于８５％。", Target("公开率", ">=", 85.0, "%")),
        ("准确率不低于99.5%。", Target("准确率", ">=", 99.5, "%")),
    ],
)
def test_single_target(sentence, expected):
    assert find_targets(sentence) == [expected]


@pytest.mark.parametrize(
    "sentence, metric",
    [
        ("各级各部门政策多样化解读率不得低于90%。", "政策多样化解读率"),
        ("各单位、各部门多元化解读率不得低于60%。", "多元化解读率"),
        ("全市政务新媒体留言回复率要达到95%。", "政务新媒体留言回复率"),
        ("各县（市、区）政府网站健康度不低于90%。", "政府网站健康度"),
        ("市直各有关单位答复规范率均不低于90%。", "答复规范率"),
    ],
)
def test_leading_subjects_and_modal_words_are_stripped(sentence, metric):
    assert [t.metric for t in find_targets(sentence)] == [metric]


@pytest.mark.parametrize(
    "sentence, expected",
    [
        ("从2021年起各级各部门政策多样化解读率不得低于90%。", [("政策多样化解读率", 90.0, 2021)]),
        ("自2022年起图解率不低于30%。", [("图解率", 30.0, 2022)]),
        ("各单位2021年多元化解读率不得低于60%。", [("多元化解读率", 60.0, 2021)]),
        ("视频解读量2021年不得少于40%，自2022年起不得少于60%。",
         [("视频解读量", 40.0, 2021), ("视频解读量", 60.0, 2022)]),
        ("2022年起，在门户网站之外，通过其他渠道发布的解读量不得少于50%。",
         [("通过其他渠道发布的解读量", 50.0, 2022)]),
        ("公开率不低于80%。", [("公开率", 80.0, None)]),
    ],
)
def test_years(sentence, expected):
    assert [(t.metric, t.value, t.year) for t in find_targets(sentence)] == expected


def test_two_targets_in_one_sentence_keep_their_own_metrics():
    found = find_targets("解读率不低于90%，回应率不低于95%。")
    assert [(t.metric, t.value) for t in found] == [("解读率", 90.0), ("回应率", 95.0)]


@pytest.mark.parametrize(
    "sentence",
    [
        "对接26个试点领域。",
        "公开10个方面民生实事。",
        "2021年是开局之年。",
        "年内至少听取一次汇报。",
        "答复期限不超过15个工作日。",
        "工作分为3个阶段。",
        "支持互联网协议第6版。",
        "",
    ],
)
def test_not_targets(sentence):
    assert find_targets(sentence) == []


SEED_CASES = [
    # 运城 000, 二（二）1
    ("提升解读质量。从2021年起各级各部门政策多样化解读率不得低于90%。解读材料除对政策本义进行通俗化、生动化解读外",
     [Target("政策多样化解读率", ">=", 90.0, "%", 2021)]),
    # 牡丹区 001, 三（二）
    ("讲明讲透政策内涵。各单位、各部门2021年多元化解读率不得低于60%。扩大政策解读传播面",
     [Target("多元化解读率", ">=", 60.0, "%", 2021)]),
    # 孝义 003, 4（2）
    ("更多运用数字化、图表图解、音频视频等方式展现，使解读信息更可视、可读、可感。多样化方式解读量2020年不得少于70%，自2021年起不得少于90%。",
     [Target("多样化方式解读量", ">=", 70.0, "%", 2020), Target("多样化方式解读量", ">=", 90.0, "%", 2021)]),
    # 孝义 003, 三（三）
    ("要把政务公开工作纳入年度目标责任考核，分值权重不低于4%，并将推进基层政务公开标准化规范化工作情况作为评价政务公开工作成效的重要内容。",
     [Target("分值权重", ">=", 4.0, "%", None)]),
]


@pytest.mark.parametrize("text, expected", SEED_CASES)
def test_seed_sentences(text, expected):
    assert find_targets(text) == expected


ALPHABET = st.sampled_from(
    list("不得低于少超过高以上下内达到为至少率量权重年起自从各级部门百分之九十点个次件")
    + list("0123456789.%％ （）()，。；、,;\n")
)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=60))
def test_no_input_raises(text):
    for target in find_targets(text):
        assert target.op in TARGET_OPS
        assert isinstance(target.value, float)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_no_arbitrary_unicode_raises(text):
    find_targets(text)
