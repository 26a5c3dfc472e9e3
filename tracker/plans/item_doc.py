"""The 督办单 of an ad-hoc item (交办件), built with the notices' GB/T 9704 document builder."""
from __future__ import annotations

from datetime import date

from docx.shared import Pt

from ..supervise.notices import Attachment, DocTable, NoticeDoc, render
from ..supervise.queries import issuer_for, letterhead, task_text
from ..timeutil import cn_date, to_local
from ..units.models import name_on
from .models import ROLE_LABELS, Task


def issued_on(task: Task) -> date:
    """The 督办单 is issued when the item is opened: the local date of its creation."""
    return to_local(task.created_at).date()


def item_doc(task: Task, on: date | None = None) -> NoticeDoc:
    """Return the 督办单 for one item: addressed to its lead units, one row per unit to fill in.

    It is dated the day the item was opened (``on`` overrides) and names every unit as it was
    called then, so a unit renamed later keeps its old name on it.
    """
    plan = task.plan
    when = task.created_at
    on = on or issued_on(task)
    head = letterhead(issuer_for(plan.unit, when=when))
    assignments = sorted(task.assignments, key=lambda a: (list(ROLE_LABELS).index(a.role), a.unit.sort_order, a.unit.name))
    names = {a.unit_id: name_on(a.unit, when) for a in assignments}
    leads = [names[a.unit_id] for a in assignments if a.role == "lead"] or [names[a.unit_id] for a in assignments]
    source = task.source or "交办"
    if task.source_doc_number:
        source += f"（{task.source_doc_number}）"
    due = cn_date(task.deadline) if task.deadline else "—"
    rows = [(str(n), names[a.unit_id], ROLE_LABELS[a.role], cn_date(a.due_on) if a.due_on else "—", "")
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


def item_docx(task: Task, on: date | None = None) -> bytes:
    return render(item_doc(task, on))
