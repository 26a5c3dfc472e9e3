"""The 督办单 of an ad-hoc item (交办件), built with the notices' GB/T 9704 document builder."""
from __future__ import annotations

from datetime import date

from docx.shared import Pt

from ..supervise.notices import Attachment, DocTable, NoticeDoc, render
from ..supervise.queries import issuer_for, letterhead, task_text
from ..timeutil import cn_date
from .models import ROLE_LABELS, Task


def item_doc(task: Task, on: date) -> NoticeDoc:
    """Return the 督办单 for one item: addressed to its lead units, one row per unit to fill in."""
    plan = task.plan
    head = letterhead(issuer_for(plan.unit))
    assignments = sorted(task.assignments, key=lambda a: (list(ROLE_LABELS).index(a.role), a.unit.sort_order, a.unit.name))
    leads = [a.unit.name for a in assignments if a.role == "lead"] or [a.unit.name for a in assignments]
    source = task.source or "交办"
    if task.source_doc_number:
        source += f"（{task.source_doc_number}）"
    due = cn_date(task.deadline) if task.deadline else "—"
    rows = [(str(n), a.unit.name, ROLE_LABELS[a.role], cn_date(a.due_on) if a.due_on else "—", "")
            for n, a in enumerate(assignments, 1)]
    sheet = DocTable(("序号", "承办单位", "承办角色", "办理时限", "办理情况"), rows, center=frozenset({0, 2, 3}),
                     blank_widths={4: 14}, row_lines=2, size=Pt(10.5))
    dated = f"（{cn_date(task.source_date)}）" if task.source_date else ""
    campaign = f"，列入“{task.campaign}”" if task.campaign else ""
    return NoticeDoc(
        issuer=head.issuer, title=f"关于{task.title}的督办单", recipient="、".join(leads), issued_on=on,
        letter=head.letter,
        intro=[f"根据{source}{dated}，现将以下事项交由你单位办理{campaign}：", task_text(task)],
        closing=[f"请于{due}前办结，并在督办单中逐项填写办理情况，加盖单位公章后报送；"
                 "同时在系统中报送办理进展和佐证材料。逾期未办结的，将按规定予以催办、通报。"],
        attachments=[Attachment("督办单", landscape=True, before=[f"督办单位：{head.issuer}　　交办事项：{task.title}"],
                                table=sheet)],
        contact=head.contact, cc=list(head.cc),
    )


def item_docx(task: Task, on: date) -> bytes:
    return render(item_doc(task, on))
