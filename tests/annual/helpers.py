"""Shared test material: seed 002, copies of it with one cell changed, and a .docx made from text."""
from __future__ import annotations

import io
from pathlib import Path

SEED_002 = Path(__file__).resolve().parents[2] / "seeds" / "yuncheng" / "2020_annual_report.txt"


#: A 2021-format report of a made-up department: 6 new (5 自然人, 1 商业企业), 1 carried in (自然人), none carried out.
REPORT_2021 = """某某市某某局2021年政府信息公开工作年度报告
一、总体情况
全年依法公开。
二、主动公开政府信息情况
第二十条第（一）项
信息内容\t本年制发件数\t本年废止件数\t现行有效件数
规章\t0\t0\t1
行政规范性文件\t3\t1\t12
第二十条第（五）项
信息内容\t本年处理决定数量
行政许可\t120
第二十条第（六）项
信息内容\t本年处理决定数量
行政处罚\t7
行政强制\t0
第二十条第（八）项
信息内容\t本年收费金额（单位：万元）
行政事业性收费\t1.5
三、收到和处理政府信息公开申请情况
一、本年新收政府信息公开申请数量\t\t5\t1\t0\t0\t0\t0\t6
二、上年结转政府信息公开申请数量\t\t1\t0\t0\t0\t0\t0\t1
三、本年度办理结果\t（一）予以公开\t2\t1\t0\t0\t0\t0\t3
\t（二）部分公开（区分处理的，只计这一情形，不计其他情形）\t0\t0\t0\t0\t0\t0\t0
\t（三）不予公开\t1.属于国家秘密\t0\t0\t0\t0\t0\t0\t0
\t\t2.其他法律行政法规禁止公开\t0\t0\t0\t0\t0\t0\t0
\t\t3.危及“三安全一稳定”\t0\t0\t0\t0\t0\t0\t0
\t\t4.保护第三方合法权益\t0\t0\t0\t0\t0\t0\t0
\t\t5.属于三类内部事务信息\t0\t0\t0\t0\t0\t0\t0
\t\t6.属于四类过程性信息\t0\t0\t0\t0\t0\t0\t0
\t\t7.属于行政执法案卷\t0\t0\t0\t0\t0\t0\t0
\t\t8.属于行政查询事项\t0\t0\t0\t0\t0\t0\t0
\t（四）无法提供\t1.本机关不掌握相关政府信息\t2\t0\t0\t0\t0\t0\t2
\t\t2.没有现成信息需要另行制作\t0\t0\t0\t0\t0\t0\t0
\t\t3.补正后申请内容仍不明确\t0\t0\t0\t0\t0\t0\t0
\t（五）不予处理\t1.信访举报投诉类申请\t0\t0\t0\t0\t0\t0\t0
\t\t2.重复申请\t0\t0\t0\t0\t0\t0\t0
\t\t3.要求提供公开出版物\t0\t0\t0\t0\t0\t0\t0
\t\t4.无正当理由大量反复申请\t0\t0\t0\t0\t0\t0\t0
\t\t5.要求行政机关确认或重新出具已获取信息\t0\t0\t0\t0\t0\t0\t0
\t（六）其他处理\t1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请\t1\t0\t0\t0\t0\t0\t1
\t\t2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请\t0\t0\t0\t0\t0\t0\t0
\t\t3.其他\t1\t0\t0\t0\t0\t0\t1
\t（七）总计\t\t6\t1\t0\t0\t0\t0\t7
四、结转下年度继续办理\t\t0\t0\t0\t0\t0\t0\t0
四、政府信息公开行政复议、行政诉讼情况
行政复议\t\t\t\t\t行政诉讼
0\t0\t0\t1\t1\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0
五、存在的主要问题及改进情况
队伍需加强。
六、其他需要报告的事项
本年度未收取信息处理费。
"""


def seed_text() -> str:
    return SEED_002.read_text(encoding="utf-8")


def replace_line(text: str, startswith: str, new_line: str) -> str:
    """Return the text with the one line starting with `startswith` replaced (fails if not exactly one)."""
    lines = text.split("\n")
    hits = [i for i, line in enumerate(lines) if line.startswith(startswith)]
    assert len(hits) == 1, (startswith, hits)
    lines[hits[0]] = new_line
    return "\n".join(lines)


def docx_from_text(text: str) -> bytes:
    """Return a .docx whose paragraphs are the text's lines and whose tab-separated runs are tables.

    Consecutive tab lines form one table with as many columns as the widest line; an empty cell to
    the right of a label is merged into it, as report tables print group headings.
    """
    from docx import Document

    document = Document()
    block: list[list[str]] = []

    def flush():
        if not block:
            return
        width = max(len(r) for r in block)
        table = document.add_table(rows=len(block), cols=width)
        for r, cells in enumerate(block):
            for c in range(width):
                table.cell(r, c).text = cells[c] if c < len(cells) else ""
        block.clear()

    for line in text.split("\n"):
        if "\t" in line:
            block.append(line.split("\t"))
        elif line.strip():
            flush()
            document.add_paragraph(line)
    flush()
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def render_text(data: dict) -> str:
    """Return a report's data as extracted text prints it: headings, tab-separated table rows.

    A test-side writer, independent of the module's own document builder.
    """
    from tracker.annual import formats as F

    fmt = F.get_format(data["format"])
    out = [f"{data.get('unit_name') or '某单位'}{data.get('year') or 2021}年政府信息公开工作年度报告",
           "一、总体情况", data["texts"].get("s1", "概述。"), "二、主动公开政府信息情况"]
    for item in fmt.items:
        out.append(item.heading)
        out.append("\t".join(["信息内容"] + [label for _, label, _ in item.columns]))
        for key, label in item.rows:
            out.append("\t".join([label] + [str(data["section2"][item.key][key][col]) for col, _, _ in item.columns]))
    out.append("三、收到和处理政府信息公开申请情况")
    out.append(F.S3_RULE_NOTE + "\t\t申请人情况\t\t\t\t\t\t总计")
    for row in F.s3_rows(data["split_other"]):
        values = [str(data["section3"][row.key][col]) for col in F.S3_COLUMN_KEYS]
        out.append("\t".join([row.group, row.label] + values))
    out.append("四、政府信息公开行政复议、行政诉讼情况")
    out.append("行政复议\t\t\t\t\t行政诉讼")
    out.append("\t".join(str(data["section4"][block][col]) for block, _ in F.S4_BLOCKS for col, _ in F.S4_COLUMNS))
    out += ["五、存在的主要问题及改进情况", data["texts"].get("s5", "无。"),
            "六、其他需要报告的事项", data["texts"].get("s6", "无。")]
    return "\n".join(out)
