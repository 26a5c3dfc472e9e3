"""Shared test material: seed 002, copies of it with one cell changed, and a .docx made from text."""
from __future__ import annotations

import io
from pathlib import Path

SEED_002 = Path(__file__).resolve().parents[2] / "seeds" / "yuncheng" / "2020_annual_report.txt"


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
