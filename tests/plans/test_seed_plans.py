"""Acceptance: the four seed plans parse into the tasks, units, deadlines and targets they state."""
from __future__ import annotations

import re
from datetime import date

import pytest
import yaml

from tests.plans.conftest import SEED_PLANS, SEEDS, seed_text
from tracker.plans.parser import parse_document, parse_file

CITY_OF = {"yuncheng": "运城市", "mudan": "菏泽市牡丹区", "xiaoyi": "孝义市", "sanmenxia": "三门峡市"}
COUNTY_GROUP = ["各县（市、区）人民政府", "运城开发区管委会", "市直各有关单位"]


@pytest.fixture(scope="module")
def drafts():
    return {city: parse_document(seed_text(city)) for city in SEED_PLANS}


def task(draft, ref):
    matches = [t for t in draft.tasks if t.ref == ref]
    assert len(matches) == 1, ref
    return matches[0]


def deadline_of(t):
    return (t.deadline.kind, t.deadline.date, t.deadline.text)


class TestSeedFolders:
    def test_documents_are_copies_of_the_shared_seeds(self):
        shared = SEEDS.parent.parent / "shared" / "seeds"
        if not shared.exists():
            pytest.skip("shared seeds not mounted")
        pairs = {"yuncheng/2021_work_plan.txt": "000", "yuncheng/2020_annual_report.txt": "002",
                 "mudan/2021_work_plan.txt": "001", "xiaoyi/2020_implementation_plan.txt": "003",
                 "sanmenxia/2021_work_plan.txt": "004"}
        for ours, number in pairs.items():
            original = next(shared.glob(f"{number}_*.txt"))
            assert (SEEDS / ours).read_bytes() == original.read_bytes(), ours

    def test_units_yaml_is_well_formed(self):
        names = []
        for city in SEED_PLANS:
            data = yaml.safe_load((SEEDS / city / "units.yaml").read_text(encoding="utf-8"))
            assert data["jurisdiction"] == CITY_OF[city]
            own = {u["name"] for u in data["units"]}
            for unit in data["units"]:
                assert unit["kind"] in {"city_gov", "county_gov", "city_dept", "town", "zone", "office", "other"}
                assert unit.get("category") in (None, "A", "B")
                assert unit.get("parent") is None or unit["parent"] in own, unit["name"]
            for group in data["groups"]:
                assert ("rule" in group) != ("members" in group)
                for member in group.get("members", []):
                    assert member in own, member
            names += [u["name"] for u in data["units"]]
        assert len(names) == len(set(names)), "unit names must be unique across the instance"

    def test_yuncheng_county_level_divisions(self, directories):
        group = directories["yuncheng"].resolve("各县（市、区）人民政府")
        members = sorted(u.name for u in directories["yuncheng"].units if u.id in group.unit_ids)
        expected = ["运城市盐湖区人民政府", "永济市人民政府", "河津市人民政府", "临猗县人民政府", "万荣县人民政府",
                    "闻喜县人民政府", "稷山县人民政府", "新绛县人民政府", "绛县人民政府", "垣曲县人民政府",
                    "夏县人民政府", "平陆县人民政府", "芮城县人民政府"]
        assert members == sorted(expected)
        zone = directories["yuncheng"].resolve("运城开发区管委会")
        assert zone.status == "unit" and zone.matched == "运城经济技术开发区管理委员会"

    def test_sanmenxia_county_level_divisions(self, directories):
        directory = directories["sanmenxia"]
        group = directory.resolve("各县〔市、区〕政府")
        assert group.status == "group"
        members = sorted(u.name for u in directory.units if u.id in group.unit_ids)
        assert members == sorted(["三门峡市湖滨区人民政府", "三门峡市陕州区人民政府", "义马市人民政府",
                                  "灵宝市人民政府", "渑池县人民政府", "卢氏县人民政府"])
        zones = sorted(u.name for u in directory.units if u.kind == "zone")
        assert zones == ["三门峡市城乡一体化示范区管理委员会", "三门峡经济开发区管理委员会"]


class TestResolution:
    VAGUE = {
        "yuncheng": ["市民政局等有关单位"],
        "mudan": ["区卫生健康局等", "区市场监督管理局等"],
        "xiaoyi": [],
        "sanmenxia": [],
    }

    @pytest.mark.parametrize("city", list(SEED_PLANS))
    def test_every_unit_name_resolves(self, city, drafts, directories):
        draft = drafts[city]
        names: list[str] = []
        for t in draft.tasks:
            for name in t.lead_units + t.responsible_units + t.cooperating_units:
                names.append(name)
            for by_unit in t.deadlines_by_unit:
                names += by_unit.units
        for phrase, members in draft.defined_groups.items():
            names += [phrase, *members]
        unresolved = sorted({n for n in names if directories[city].resolve(n).status == "unresolved"})
        assert unresolved == []
        assert len(set(names)) >= 10

    @pytest.mark.parametrize("city", list(SEED_PLANS))
    def test_vague_phrases_are_kept_for_the_preview(self, city, drafts):
        vague = sorted({p for t in drafts[city].tasks for p in t.unit_phrases
                        if re.search(r"等(有关|相关)?(单位|部门)?$", p) and not re.search(r"[、，,：:]", p)})
        assert vague == self.VAGUE[city]


class TestYuncheng:
    def test_plan(self, drafts):
        d = drafts["yuncheng"]
        assert (d.title, d.doc_number, d.issuer, d.issued_on, d.year) == (
            "运城市2021年政务公开工作要点", "运政办发〔2021〕31号", "运城市人民政府办公室", date(2021, 7, 14), 2021)

    def test_table_is_the_task_list(self, drafts):
        d = drafts["yuncheng"]
        assert len(d.tasks) == 37
        groups = list(dict.fromkeys(t.path[0] for t in d.tasks))
        assert groups == ["扩大公开范围打造阳光政府", "优化便民举措提升公开质效", "抓好平台建设拓宽公开渠道",
                          "完善体制机制健全保障体系", "省政务公开“亮点工程”", "加强队伍建设提升专业水准"]
        assert [t.ref for t in d.tasks[:3]] == ["1.1", "1.2", "1.3"]
        assert d.tasks[-1].ref == "6.4"
        assert all(len(t.path) == 2 and t.level == 3 for t in d.tasks)

    def test_interpretation_rate_target(self, drafts):
        t = task(drafts["yuncheng"], "2.2")
        assert t.path == ["优化便民举措提升公开质效", "加强政策多样化解读"]
        assert t.responsible_units == COUNTY_GROUP
        assert [(x.metric, x.op, x.value, x.unit, x.year) for x in t.targets] == [
            ("政策多样化解读率", ">=", 90.0, "%", 2021)]

    def test_lead_and_responsible(self, drafts):
        t = task(drafts["yuncheng"], "2.5")
        assert t.lead_units == ["市政府办公室", "市审批服务管理局"]
        assert t.responsible_units == COUNTY_GROUP
        t = task(drafts["yuncheng"], "2.7")
        assert t.lead_units == ["市政府办公室", "市委网信办"]

    def test_website_migration_deadline(self, drafts):
        t = task(drafts["yuncheng"], "3.1")
        assert t.lead_units == ["市政府办公室"]
        assert t.responsible_units == ["各县（市、区）人民政府"]
        assert deadline_of(t) == ("date", date(2021, 10, 31), "10月底之前")

    def test_row_recovered_from_a_shift(self, drafts):
        d = drafts["yuncheng"]
        t = task(d, "3.5")
        assert t.path == ["抓好平台建设拓宽公开渠道", "开设政务公开专区"]
        assert t.responsible_units == ["市审批服务管理局", "各县（市、区）人民政府"]
        assert deadline_of(t) == ("year_end", date(2021, 12, 31), "2021年底")
        assert t.columns["公开内容"] == "开设政务公开专区"
        assert any("3.5" in w and "错位" in w for w in d.warnings)

    def test_named_departments(self, drafts):
        t = task(drafts["yuncheng"], "2.6")
        assert t.responsible_units == ["市规划和自然资源局", "市住建局", "市教育局", "市人社局", "市卫健委",
                                       "市乡村振兴局", "市民政局"]
        assert task(drafts["yuncheng"], "1.6").responsible_units == ["市财政局", "市农业农村局", "市民政局"]

    def test_recurring_and_default_deadlines(self, drafts):
        assert deadline_of(task(drafts["yuncheng"], "6.1")) == ("recurring", date(2021, 12, 31), "年内至少听取一次")
        assert deadline_of(task(drafts["yuncheng"], "1.1")) == ("default", date(2021, 12, 31), "")

    def test_only_the_shift_is_warned(self, drafts):
        assert len(drafts["yuncheng"].warnings) == 1


class TestMudan:
    def test_plan_and_count(self, drafts):
        d = drafts["mudan"]
        assert (d.title, d.doc_number, d.issuer, d.issued_on, d.year) == (
            "2021年牡丹区政务公开工作要点", "菏区政办发〔2021〕5号", "菏泽市牡丹区人民政府办公室", date(2021, 6, 11), 2021)
        # 3 + 7 + 3 + 3 + 3 + 3 numbered points, plus the closing paragraph
        assert len(d.tasks) == 23
        assert d.tasks[-1].ref == "结语"
        assert d.warnings == []

    def test_lead_and_responsible_clause(self, drafts):
        t = task(drafts["mudan"], "二.（一）")
        assert t.title == "围绕区委、区政府中心工作推进政务公开"
        assert t.path == ["二、紧扣重点领域深化政府信息公开"]
        assert t.lead_units == ["区发改局", "区农业农村局", "区住建局", "区自然资源局", "区工信局"]
        assert t.responsible_units == ["各镇街", "区政府各部门"]

    def test_half_width_clause_split_over_a_page(self, drafts):
        t = task(drafts["mudan"], "一.（一）")
        assert t.responsible_units == ["各镇街", "区政府各部门"]
        assert "《中华人民共和国政府信息公开条例》（国务院令第711号)" in t.text
        assert t.text.endswith("明晰权力边界。")
        assert t.unit_phrases == ["责任单位:各镇街,区政府各部门"]

    def test_interpretation_target(self, drafts):
        t = task(drafts["mudan"], "三.（二）")
        assert [(x.metric, x.op, x.value, x.year) for x in t.targets] == [("多元化解读率", ">=", 60.0, 2021)]

    def test_open_month_window(self, drafts):
        t = task(drafts["mudan"], "四.（三）")
        assert deadline_of(t) == ("window", date(2021, 8, 31), "8月")
        assert t.deadline.start == date(2021, 8, 1)

    def test_lead_only(self, drafts):
        t = task(drafts["mudan"], "二.（五）")
        assert (t.lead_units, t.responsible_units) == (["区财政局"], [])

    def test_year_end_and_closing(self, drafts):
        assert deadline_of(task(drafts["mudan"], "五.（二）")) == ("year_end", date(2021, 12, 31), "到2021年底")
        closing = task(drafts["mudan"], "结语")
        assert closing.text.startswith("各镇街、各部门要根据本工作要点")
        assert closing.responsible_units == ["各镇街", "区政府各部门"]


class TestXiaoyi:
    def test_plan_and_count(self, drafts):
        d = drafts["xiaoyi"]
        assert (d.doc_number, d.issuer, d.issued_on, d.year) == (
            "孝政办发〔2020〕35号", "孝义市人民政府办公室", date(2020, 7, 10), 2020)
        assert d.title == "孝义市全面推进基层政务公开标准化规范化进一步做好政务公开工作实施方案"
        # 工作目标 + the 15 numbered tasks + the three 工作要求 points; 指导思想 is doctrine only
        assert len(d.tasks) == 19
        numbered = [t for t in d.tasks if t.level == 3]
        assert [t.ref.split(".")[-1] for t in numbered] == [str(n) for n in range(1, 16)]

    def test_per_group_deadlines_in_task_2(self, drafts):
        t = task(drafts["xiaoyi"], "二.（一）.2")
        assert t.responsible_units == ["26个试点领域承载部门", "各乡镇人民政府", "街道办事处", "山西孝义经济开发区管委会"]
        assert [(u.units, u.deadline.date, u.deadline.text) for u in t.deadlines_by_unit] == [
            (["26个试点领域承载部门"], date(2020, 7, 31), "7月31日前"),
            (["各乡镇人民政府", "街道办事处", "山西孝义经济开发区管委会"], date(2020, 8, 31), "8月31日前"),
        ]
        assert deadline_of(t) == ("date", date(2020, 8, 31), "8月31日前")

    def test_group_defined_by_attachment_1(self, drafts, directories):
        members = drafts["xiaoyi"].defined_groups["26个试点领域承载部门"]
        assert len(members) == 19
        assert members[0] == "市发改局" and members[8] == "吕梁市生态环境局孝义分局" and members[-1] == "市税务局"
        group = directories["xiaoyi"].resolve("26个试点领域承载部门")
        resolved = sorted(directories["xiaoyi"].resolve(m).unit_ids[0] for m in members)
        assert sorted(group.unit_ids) == resolved

    def test_sub_points_fold_into_task_4(self, drafts):
        t = task(drafts["xiaoyi"], "二.（二）.4")
        assert t.title == "加强政策性文件的解读工作"
        assert "（1）明确解读主体" in t.text and "（3）拓宽解读发布渠道" in t.text
        assert t.responsible_units == ["市直各有关部门", "各乡镇人民政府", "街道办事处", "山西孝义经济开发区管委会"]
        assert [(x.metric, x.value, x.year) for x in t.targets] == [
            ("多样化方式解读量", 70.0, 2020), ("多样化方式解读量", 90.0, 2021), ("其他渠道发布的政策解读量", 50.0, 2020)]

    def test_recurring_yearly(self, drafts):
        t = task(drafts["xiaoyi"], "二.（四）.15")
        # The plan was issued on 2020-07-10, so the first 1月底前 still ahead is January 2021.
        assert deadline_of(t) == ("recurring", date(2021, 1, 31), "每年1月底前")
        assert t.deadline.recurrence == "yearly"

    def test_relative_and_multi_year_deadlines(self, drafts):
        t = task(drafts["xiaoyi"], "二.（二）.3")
        assert (t.deadline.kind, t.deadline.rule) == ("relative", "文件印发后24小时内")
        assert deadline_of(task(drafts["xiaoyi"], "二.（四）.12")) == ("date", date(2021, 10, 31), "2021年10月底前完成")
        assert deadline_of(task(drafts["xiaoyi"], "二.（四）.14")) == ("date", date(2022, 6, 30), "2022年6月底前完成")
        assert deadline_of(task(drafts["xiaoyi"], "一.（二）")) == ("year_end", date(2022, 12, 31), "2022年底前")

    def test_assessment_weight(self, drafts):
        t = task(drafts["xiaoyi"], "三.（三）")
        assert [(x.metric, x.op, x.value, x.unit) for x in t.targets] == [("分值权重", ">=", 4.0, "%")]

    def test_second_paragraph_clause_joins_task_8(self, drafts):
        t = task(drafts["xiaoyi"], "二.（三）.8")
        assert t.responsible_units == ["市政府办公室", "市党政信息网络中心", "市直各有关部门", "各乡镇人民政府",
                                       "街道办事处", "山西孝义经济开发区管委会"]


class TestSanmenxia:
    def test_plan_and_count(self, drafts):
        d = drafts["sanmenxia"]
        assert (d.title, d.doc_number, d.issuer, d.issued_on, d.year) == (
            "2021年三门峡市政务公开工作要点", "三政办〔2021〕16号", "三门峡市人民政府办公室", date(2021, 7, 1), 2021)
        assert [t.ref for t in d.tasks][-3:] == ["五.（十四）", "五.（十五）", "结语"]
        assert len(d.tasks) == 16
        assert d.warnings == []

    def test_look_back_point(self, drafts, directories):
        t = task(drafts["sanmenxia"], "五.（十五）")
        assert t.title == "狠抓任务落实"
        assert "回头看" in t.text and "对未完成的依法督促整改" in t.text
        assert t.responsible_units == ["各县（市、区）政府", "市政府各部门"]
        assert t.unit_phrases == ["责任单位:各县〔市、区〕政府,市政府各部门"]
        counties = directories["sanmenxia"].resolve(t.responsible_units[0])
        assert (counties.status, len(counties.unit_ids)) == ("group", 6)
        departments = directories["sanmenxia"].resolve(t.responsible_units[1])
        assert (departments.status, len(departments.unit_ids)) == ("group", 7)

    def test_month_end_written_twice(self, drafts):
        t = task(drafts["sanmenxia"], "三.（九）")
        assert deadline_of(t) == ("date", date(2021, 10, 31), "2021年10月月底前")
        assert t.responsible_units == ["市政务和大数据局", "各县（市、区）政府"]

    def test_level_prefix_written_once(self, drafts, directories):
        t = task(drafts["sanmenxia"], "一.（三）")
        assert t.responsible_units == ["市发展改革委", "市场监管局", "司法局", "各县（市、区）政府"]
        assert [directories["sanmenxia"].resolve(n).matched for n in t.responsible_units[:3]] == [
            "三门峡市发展和改革委员会", "三门峡市市场监督管理局", "三门峡市司法局"]
        t = task(drafts["sanmenxia"], "一.（二）")
        assert directories["sanmenxia"].resolve(t.responsible_units[1]).matched == "三门峡市自然资源和规划局"


@pytest.mark.parametrize("city", list(SEED_PLANS))
def test_gbk_upload_parses_the_same(city, drafts):
    text = seed_text(city)
    draft = parse_file(f"{city}.txt", text.encode("gb18030"))
    assert [t.ref for t in draft.tasks] == [t.ref for t in drafts[city].tasks]
    assert draft.content_hash == drafts[city].content_hash
