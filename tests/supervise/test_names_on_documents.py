"""A unit renamed after a document was issued keeps its old name on that document (issue 16):
on the page, in the .docx (read back with python-docx) and in `flask documents render`; a document
issued after the rename carries the new name."""
from __future__ import annotations

import json
from datetime import date, datetime, timezone
from io import BytesIO

import sqlalchemy as sa
from docx import Document

from tracker.extensions import db
from tracker.plans import assign
from tracker.supervise import services
from tracker.supervise.models import EscalationNotice, RectificationNotice
from tracker.timeutil import clock_at

from .conftest import make_assignment

OLD, NEW = "测试市财政局", "测试市财政和税务局"
ISSUED = datetime(2021, 10, 14, 1, tzinfo=timezone.utc)
RENAMED = datetime(2021, 12, 1, 2, tzinfo=timezone.utc)
LATER = datetime(2022, 1, 20, 2, tzinfo=timezone.utc)


def _docx_text(data: bytes) -> str:
    doc = Document(BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        parts += [c.text for row in table.rows for c in row.cells]
    return "\n".join(parts)


def _before_and_after(world):
    """Reminders, an escalation and a circular issued before the rename; a look-back notice and a
    second day's reminders after it."""
    for i in range(3):
        make_assignment(world, world.finance, date(2021, 9, 30), title=f"公开财政专项资金第{i + 1}批次")
    late = make_assignment(world, world.finance, date(2021, 10, 29), title="公开政府采购意向")
    with clock_at(ISSUED):
        services.sweep(date(2021, 10, 14))
        circular = services.draft_circular(world.supervisor, world.plan, kind="criticism", as_of=date(2021, 10, 14))
        services.publish_circular(world.supervisor, circular)
    with clock_at(RENAMED):
        assign.rename_unit(world.admin, world.finance, NEW)
    with clock_at(LATER):
        services.sweep(date(2021, 11, 15))
        services.lookback(world.plan, date(2022, 1, 20))
    db.session.commit()
    assert late.id
    escalation = db.session.scalar(sa.select(EscalationNotice).where(EscalationNotice.unit_id == world.finance.id))
    notice = db.session.scalar(sa.select(RectificationNotice).where(RectificationNotice.unit_id == world.finance.id))
    return escalation, circular, notice


def test_documents_issued_before_a_rename_keep_the_old_name(runner, client, auth, world, tmp_path):
    escalation, circular, notice = _before_and_after(world)
    assert escalation.issued_on == date(2021, 10, 14) and circular.units
    auth.login(world.supervisor)
    old = {
        "escalation": (f"/supervise/escalations/{escalation.id}", f"/supervise/escalations/{escalation.id}.docx",
                       str(escalation.id)),
        "circular": (f"/supervise/circulars/{circular.id}", f"/supervise/circulars/{circular.id}.docx",
                     str(circular.id)),
        "reminder": (f"/supervise/reminders?on=2021-10-14&unit={world.finance.id}",
                     f"/supervise/reminders.docx?on=2021-10-14&unit={world.finance.id}",
                     f"{world.finance.id}:2021-10-14"),
    }
    for kind, (page, download, object_id) in old.items():
        html = client.get(page).get_data(as_text=True)
        if kind == "reminder":  # the day's list under its heading; the unit filter names units as they are now
            html = html[html.index('id="detail-title"'):html.index("</section>")]
        assert OLD in html and NEW not in html, kind
        web = _docx_text(client.get(download).data)
        assert OLD in web and NEW not in web, kind
        out = tmp_path / f"{kind}.docx"
        assert runner.invoke(args=["documents", "render", kind, object_id, "-o", str(out)]).exit_code == 0
        assert _docx_text(out.read_bytes()) == web, kind
    listed = {(r["kind"], r["id"]): r for r in json.loads(runner.invoke(args=["documents", "list", "--json"]).output)}
    assert listed[("escalation", str(escalation.id))]["addressee"] == OLD
    assert listed[("reminder", f"{world.finance.id}:2021-10-14")]["addressee"] == OLD
    assert listed[("reminder", f"{world.finance.id}:2021-11-15")]["addressee"] == NEW
    assert listed[("rectification", str(notice.id))]["addressee"] == NEW


def test_documents_issued_after_a_rename_carry_the_new_name(client, auth, world):
    _escalation, _circular, notice = _before_and_after(world)
    auth.login(world.supervisor)
    html = client.get(f"/supervise/notices/{notice.id}").get_data(as_text=True)
    assert f'主送单位</dt><dd class="col-sm-10">{NEW}</dd>' in html
    text = _docx_text(client.get(f"/supervise/notices/{notice.id}.docx").data)
    assert f"{NEW}：" in text and f"{OLD}：" not in text
    page = client.get(f"/supervise/reminders?on=2021-11-15&unit={world.finance.id}").get_data(as_text=True)
    assert f"{NEW} · 2021年11月15日" in page
    text = _docx_text(client.get(f"/supervise/reminders.docx?on=2021-11-15&unit={world.finance.id}").data)
    assert f"{NEW}：" in text


def test_the_items_duban_dan_names_units_as_on_the_day_it_was_opened(client, auth, world):
    with clock_at(ISSUED):
        task = assign.create_item(world.supervisor, world.city, assign.ItemInput(
            source="领导批示", title="落实市长批示：公开停车收费标准", text="请市财政局牵头办理。", due=date(2021, 11, 10),
            lead=[world.finance], responsible=[world.audit], doc_number="领导批示〔2021〕7号",
            source_date=date(2021, 10, 12), campaign=""))
    with clock_at(RENAMED):
        assign.rename_unit(world.admin, world.finance, NEW)
    db.session.commit()
    auth.login(world.supervisor)
    text = _docx_text(client.get(f"/plans/items/{task.id}/docx").data)
    assert f"{OLD}：" in text and NEW not in text
    # dated the day the item was opened (local 14 October), not the day it is printed
    assert "2021年10月14日" in text


def test_disclosure_documents_sign_with_the_name_of_their_date(world):
    from tracker.calendar import WorkCalendar
    from tracker.disclosure import documents
    from tracker.disclosure import services as disclosure

    from tests.disclosure.conftest import AS_OF, register

    cal = WorkCalendar()
    req = register(world, cal=cal)
    with clock_at(RENAMED):  # renamed on 1 December 2021 (10:00 local)
        assign.rename_unit(world.admin, world.finance, NEW)
    disclosure.answer(world.reporter, req, category="open", on=date(2021, 12, 1), text="", as_of=AS_OF, calendar=cal)
    receipt = _docx_text(documents.render_for(req, "receipt", as_of=AS_OF, calendar=cal)[0])
    answer = _docx_text(documents.render_for(req, "answer", as_of=AS_OF, calendar=cal)[0])
    # received 28 September: the old name; answered on the day of the rename: the new name
    assert OLD in receipt and NEW not in receipt
    assert NEW in answer and OLD not in answer
