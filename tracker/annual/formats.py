"""The two national formats of the 政府信息公开工作年度报告, as data: sections, rows, columns.

国办公开办函〔2019〕60号 (reports for 2019 and 2020) and 国办公开办函〔2021〕30号 (reports for 2021
on). Every reader, checker, form, view and document asks this module; nothing else spells a row.
"""
from __future__ import annotations

from dataclasses import dataclass, field

FORMAT_2019 = "2019"
FORMAT_2021 = "2021"
FORMAT_LABELS = {
    FORMAT_2019: "2019年版格式（国办公开办函〔2019〕60号）",
    FORMAT_2021: "2021年版格式（国办公开办函〔2021〕30号）",
}

#: The six section headings, as the template prints them.
SECTIONS = (
    ("s1", "一、总体情况"),
    ("s2", "二、主动公开政府信息情况"),
    ("s3", "三、收到和处理政府信息公开申请情况"),
    ("s4", "四、政府信息公开行政复议、行政诉讼情况"),
    ("s5", "五、存在的主要问题及改进情况"),
    ("s6", "六、其他需要报告的事项"),
)
SECTION_TITLES = dict(SECTIONS)
#: Sections that are prose, not tables.
TEXT_SECTIONS = ("s1", "s5", "s6")


def format_for_year(year: int) -> str:
    """Return the format a report for `year` is due in."""
    return FORMAT_2019 if year <= 2020 else FORMAT_2021


# ---------------------------------------------------------------- section 二

@dataclass(frozen=True)
class Item:
    """One 第二十条 item table of section 二: its heading, columns and rows."""

    key: str
    heading: str
    #: (column key, label, kind) where kind is "count", "delta" (may be negative) or "amount" (万元)
    columns: tuple[tuple[str, str, str], ...]
    #: (row key, label)
    rows: tuple[tuple[str, str], ...]


_ITEMS_2019 = (
    Item("i1", "第二十条第（一）项",
         (("made", "本年新制作数量", "count"), ("published", "本年新公开数量", "count"),
          ("total", "对外公开总数量", "count")),
         (("rules", "规章"), ("normative", "规范性文件"))),
    Item("i5", "第二十条第（五）项",
         (("last_year", "上一年项目数量", "count"), ("change", "本年增/减", "delta"),
          ("decisions", "处理决定数量", "count")),
         (("licensing", "行政许可"), ("other_services", "其他对外管理服务事项"))),
    Item("i6", "第二十条第（六）项",
         (("last_year", "上一年项目数量", "count"), ("change", "本年增/减", "delta"),
          ("decisions", "处理决定数量", "count")),
         (("penalty", "行政处罚"), ("enforcement", "行政强制"))),
    Item("i8", "第二十条第（八）项",
         (("last_year", "上一年项目数量", "count"), ("change", "本年增/减", "delta")),
         (("fees", "行政事业性收费"),)),
    Item("i9", "第二十条第（九）项",
         (("projects", "采购项目数量", "count"), ("amount", "采购总金额", "amount")),
         (("procurement", "政府集中采购"),)),
)

_ITEMS_2021 = (
    Item("i1", "第二十条第（一）项",
         (("issued", "本年制发件数", "count"), ("repealed", "本年废止件数", "count"),
          ("in_force", "现行有效件数", "count")),
         (("rules", "规章"), ("normative", "行政规范性文件"))),
    Item("i5", "第二十条第（五）项",
         (("decisions", "本年处理决定数量", "count"),),
         (("licensing", "行政许可"),)),
    Item("i6", "第二十条第（六）项",
         (("decisions", "本年处理决定数量", "count"),),
         (("penalty", "行政处罚"), ("enforcement", "行政强制"))),
    Item("i8", "第二十条第（八）项",
         (("amount", "本年收费金额（单位：万元）", "amount"),),
         (("fees", "行政事业性收费"),)),
)

#: A 2021-format cell → the 2019-format cell that holds the nearest figure last year (item, column):
#: shown beside the form when last year's report is in the old format.
PREVIOUS_CELL_2019 = {
    ("i1", "issued"): ("i1", "made"),
    ("i1", "in_force"): ("i1", "total"),
    ("i5", "decisions"): ("i5", "decisions"),
    ("i6", "decisions"): ("i6", "decisions"),
}


def previous_cell(fmt: str, last_fmt: str, item: str, column: str) -> tuple[str, str] | None:
    """Return the (item, column) of last year's report that answers this year's cell, or None."""
    if fmt == last_fmt:
        return item, column
    if fmt == FORMAT_2021 and last_fmt == FORMAT_2019:
        return PREVIOUS_CELL_2019.get((item, column))
    return None


def column_label(fmt: str, item: str, column: str) -> str:
    return next(label for key, label, _ in get_format(fmt).item(item).columns if key == column)


# ---------------------------------------------------------------- section 三

#: Applicant columns, then the total, in print order: (key, label, group label or "").
APPLICANT_COLUMNS = (
    ("natural", "自然人", ""),
    ("business", "商业企业", "法人或其他组织"),
    ("research", "科研机构", "法人或其他组织"),
    ("nonprofit", "社会公益组织", "法人或其他组织"),
    ("legal", "法律服务机构", "法人或其他组织"),
    ("other", "其他", "法人或其他组织"),
)
TOTAL_COLUMN = ("total", "总计", "")
S3_COLUMNS = APPLICANT_COLUMNS + (TOTAL_COLUMN,)
S3_COLUMN_KEYS = tuple(key for key, _, _ in S3_COLUMNS)
APPLICANT_KEYS = tuple(key for key, _, _ in APPLICANT_COLUMNS)
S3_COLUMN_LABELS = {key: label for key, label, _ in S3_COLUMNS}

S3_RULE_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"


@dataclass(frozen=True)
class Row:
    """One row of section 三: key, full label as printed, its group (（三）不予公开…) and leaf number."""

    key: str
    label: str
    group: str = ""
    #: true for the rows whose sum is （七）总计
    is_result: bool = False


_S3_HEAD = (
    Row("new", "一、本年新收政府信息公开申请数量"),
    Row("carried_in", "二、上年结转政府信息公开申请数量"),
)
_S3_RESULTS_COMMON = (
    Row("disclosed", "（一）予以公开", is_result=True),
    Row("partly", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", is_result=True),
    Row("withheld_secret", "1.属于国家秘密", "（三）不予公开", True),
    Row("withheld_law", "2.其他法律行政法规禁止公开", "（三）不予公开", True),
    Row("withheld_safety", "3.危及“三安全一稳定”", "（三）不予公开", True),
    Row("withheld_third_party", "4.保护第三方合法权益", "（三）不予公开", True),
    Row("withheld_internal", "5.属于三类内部事务信息", "（三）不予公开", True),
    Row("withheld_process", "6.属于四类过程性信息", "（三）不予公开", True),
    Row("withheld_enforcement", "7.属于行政执法案卷", "（三）不予公开", True),
    Row("withheld_query", "8.属于行政查询事项", "（三）不予公开", True),
    Row("unable_not_held", "1.本机关不掌握相关政府信息", "（四）无法提供", True),
    Row("unable_needs_making", "2.没有现成信息需要另行制作", "（四）无法提供", True),
    Row("unable_unclear", "3.补正后申请内容仍不明确", "（四）无法提供", True),
    Row("refused_petition", "1.信访举报投诉类申请", "（五）不予处理", True),
    Row("refused_repeat", "2.重复申请", "（五）不予处理", True),
    Row("refused_publication", "3.要求提供公开出版物", "（五）不予处理", True),
    Row("refused_mass", "4.无正当理由大量反复申请", "（五）不予处理", True),
    Row("refused_confirm", "5.要求行政机关确认或重新出具已获取信息", "（五）不予处理", True),
)
#: （六）其他处理 as one row (2019 format; some 2021-year reports still print it so).
OTHER_SINGLE = (Row("other_handling", "（六）其他处理", is_result=True),)
#: （六）其他处理 split in three (2021 format).
OTHER_SPLIT = (
    Row("other_no_correction", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "（六）其他处理", True),
    Row("other_no_fee", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "（六）其他处理", True),
    Row("other_other", "3.其他", "（六）其他处理", True),
)
_S3_TAIL = (
    Row("results_total", "（七）总计"),
    Row("carried_out", "四、结转下年度继续办理"),
)
RESULTS_HEADING = "三、本年度办理结果"


def s3_rows(split_other: bool) -> tuple[Row, ...]:
    """Return section 三's rows in print order, with （六） as one row or three."""
    return _S3_HEAD + _S3_RESULTS_COMMON + (OTHER_SPLIT if split_other else OTHER_SINGLE) + _S3_TAIL


ALL_S3_ROWS = {row.key: row for row in _S3_HEAD + _S3_RESULTS_COMMON + OTHER_SINGLE + OTHER_SPLIT + _S3_TAIL}


def s3_row_label(key: str) -> str:
    """Return a row's label as a reader names it: group and leaf together (（三）不予公开 4.保护第三方合法权益)."""
    row = ALL_S3_ROWS[key]
    return f"{row.group} {row.label}" if row.group else row.label


# ---------------------------------------------------------------- section 四

S4_PARTS = (
    ("upheld", "结果维持"),
    ("corrected", "结果纠正"),
    ("other", "其他结果"),
    ("pending", "尚未审结"),
)
S4_TOTAL = ("total", "总计")
S4_COLUMNS = S4_PARTS + (S4_TOTAL,)
#: The three blocks, in print order: key, label.
S4_BLOCKS = (
    ("review", "行政复议"),
    ("direct_suit", "行政诉讼（未经复议直接起诉）"),
    ("suit_after_review", "行政诉讼（复议后起诉）"),
)
S4_BLOCK_LABELS = dict(S4_BLOCKS)
S4_COLUMN_LABELS = dict(S4_COLUMNS)


# ---------------------------------------------------------------- one format

@dataclass(frozen=True)
class Format:
    key: str
    label: str
    items: tuple[Item, ...]
    split_other: bool
    rows: tuple[Row, ...] = field(default=())

    def item(self, key: str) -> Item:
        return next(item for item in self.items if item.key == key)


FORMATS = {
    FORMAT_2019: Format(FORMAT_2019, FORMAT_LABELS[FORMAT_2019], _ITEMS_2019, False, s3_rows(False)),
    FORMAT_2021: Format(FORMAT_2021, FORMAT_LABELS[FORMAT_2021], _ITEMS_2021, True, s3_rows(True)),
}


def get_format(key: str) -> Format:
    return FORMATS[key]
