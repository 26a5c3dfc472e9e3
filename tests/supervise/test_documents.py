"""Every document kind: the CLI lists and renders exactly what the web gives; LibreOffice lays out each one."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import zipfile
from datetime import date
from io import BytesIO
from pathlib import Path

import pytest
import sqlalchemy as sa
from docx import Document

from tracker.extensions import db
from tracker.supervise import services
from tracker.supervise.models import (
    EscalationNotice,
    IssuingOffice,
    RectificationNotice,
)

from .conftest import make_assignment

SOFFICE = shutil.which("soffice")
needs_soffice = pytest.mark.skipif(
    SOFFICE is None and not os.environ.get("CI"), reason="LibreOffice (soffice) is not installed here")


def _all_kinds(world):
    """One document of each kind: a sweep (reminders, escalation), a look-back, a published circular."""
    for i in range(14):
        make_assignment(world, world.finance, date(2021, 9, 30), title=f"公开财政专项资金第{i + 1}批次的分配和使用情况")
    make_assignment(world, world.audit, date(2021, 9, 30))
    world.plan.issuer = "测试市人民政府办公室"
    db.session.add(IssuingOffice(name="测试市人民政府办公室", code="测政办", letter_format=True,
                                 contact="联系人：王敏，联系电话：0359-2022345", cc="市委办公室"))
    services.sweep(date(2021, 10, 14))
    services.lookback(world.plan, date(2022, 1, 20))
    circular = services.draft_circular(world.supervisor, world.plan, kind="criticism", as_of=date(2021, 11, 15))
    services.publish_circular(world.supervisor, circular)
    db.session.commit()
    return {
        "rectification": str(db.session.scalar(sa.select(RectificationNotice.id).where(
            RectificationNotice.unit_id == world.finance.id))),
        "escalation": str(db.session.scalar(sa.select(EscalationNotice.id).where(
            EscalationNotice.unit_id == world.finance.id))),
        "circular": str(circular.id),
        "reminder": f"{world.finance.id}:2021-10-14",
    }


def test_cli_lists_and_renders_what_the_web_gives(runner, client, auth, world, tmp_path):
    ids = _all_kinds(world)
    listed = json.loads(runner.invoke(args=["documents", "list", "--json"]).output)
    mine = {(r["kind"], r["id"]): r for r in listed}
    assert set(ids.items()) <= set(mine)
    assert mine[("escalation", ids["escalation"])]["doc_number"] == "测政办督〔2021〕1号"
    assert mine[("rectification", ids["rectification"])]["doc_number"] == "测政办整改〔2022〕1号"
    assert all(r["issuer"] != r["addressee"] for r in listed)
    assert set(listed[0]) == {"kind", "id", "doc_number", "issuer", "addressee", "date"}
    urls = {
        "rectification": f"/supervise/notices/{ids['rectification']}.docx",
        "escalation": f"/supervise/escalations/{ids['escalation']}.docx",
        "circular": f"/supervise/circulars/{ids['circular']}.docx",
        "reminder": f"/supervise/reminders.docx?on=2021-10-14&unit={world.finance.id}",
    }
    auth.login(world.supervisor)
    for kind, object_id in ids.items():
        out = tmp_path / f"{kind}.docx"
        result = runner.invoke(args=["documents", "render", kind, object_id, "-o", str(out)])
        assert result.exit_code == 0, result.output
        web = client.get(urls[kind])
        assert web.status_code == 200
        assert web.data == out.read_bytes()
        disposition = web.headers["Content-Disposition"]
        assert f'filename="{kind}' in disposition and "evidence" not in disposition
    bad = runner.invoke(args=["documents", "render", "memo", "1", "-o", str(tmp_path / "x.docx")])
    assert bad.exit_code != 0 and "未知的文书类型" in bad.output
    missing = runner.invoke(args=["documents", "render", "circular", "999999", "-o", str(tmp_path / "x.docx")])
    assert missing.exit_code != 0 and "没有编号为 999999 的通报" in missing.output


def _pdf_pages(docx: Path) -> list[str]:
    subprocess.run([SOFFICE, "--headless", "--convert-to", "pdf", "--outdir", str(docx.parent), str(docx)],
                   check=True, capture_output=True, timeout=180)
    pdf = docx.with_suffix(".pdf")
    n = int(next(line.split()[-1] for line in subprocess.run(
        ["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()
        if line.startswith("Pages:")))
    return [subprocess.run(["pdftotext", "-f", str(i), "-l", str(i), "-layout", str(pdf), "-"],
                           capture_output=True, text=True, check=True).stdout for i in range(1, n + 1)]


@needs_soffice
def test_no_page_holds_only_the_signature_and_date(runner, world, tmp_path):
    ids = _all_kinds(world)
    for kind, object_id in ids.items():
        out = tmp_path / f"{kind}.docx"
        assert runner.invoke(args=["documents", "render", kind, object_id, "-o", str(out)]).exit_code == 0
        document = Document(str(out))
        issuer = "测试市人民政府办公室"
        pages = _pdf_pages(out)
        signed = [i for i, text in enumerate(pages) if issuer in text and ("年" in text)]
        assert signed, kind
        for text in pages:
            words = [w for w in text.split() if not w.startswith("—") and not w.isdigit()]
            rest = [w for w in words if issuer not in w and not w.endswith("日") and "联系" not in w]
            assert rest, f"{kind}: a page holds only the signature and date:\n{text}"
        assert document.paragraphs


def _item_and_request(world):
    """A 交办件 (its 督办单) and a request through every step (its six documents)."""
    from datetime import UTC, datetime

    from tests.disclosure.conftest import AS_OF, register
    from tracker.calendar import WorkCalendar
    from tracker.disclosure import services as disclosure
    from tracker.plans import assign

    task = assign.create_item(world.supervisor, world.city, assign.ItemInput(
        source="领导批示", title="落实市长批示：公开停车收费标准", text="请市财政局牵头办理。", due=date(2021, 11, 10),
        lead=[world.finance], responsible=[world.audit], doc_number="领导批示〔2021〕7号",
        source_date=date(2021, 10, 12), campaign=""))
    cal = WorkCalendar()
    req = register(world, cal=cal, name="张三丰")
    disclosure.send_correction_notice(world.reporter, req, on=date(2021, 9, 30), reason="请说明年度。", as_of=AS_OF,
                                      calendar=cal)
    disclosure.record_correction(world.reporter, req, on=date(2021, 10, 11), as_of=AS_OF, calendar=cal)
    disclosure.start_pause(world.reporter, req, kind="third_party", start_on=date(2021, 10, 12), party="运城某建设有限公司",
                           as_of=AS_OF, calendar=cal)
    disclosure.end_pause(world.reporter, req, end_on=date(2021, 10, 15), as_of=AS_OF, calendar=cal)
    disclosure.extend(world.reporter, req, days=10, approver="李主任", reason="需要调取档案",
                      approved_at=datetime(2021, 11, 5, 2, 0, tzinfo=UTC), as_of=AS_OF, calendar=cal)
    disclosure.send_fee_notice(world.reporter, req, method="by_volume", quantity=120, on=date(2021, 11, 10),
                               as_of=AS_OF, calendar=cal)
    disclosure.record_fee_paid(world.reporter, req, on=date(2021, 11, 12), as_of=AS_OF, calendar=cal)
    disclosure.answer(world.reporter, req, category="open", on=date(2021, 11, 30), text="", as_of=AS_OF, calendar=cal)
    db.session.commit()
    return task, req


def test_cli_lists_and_renders_the_items_and_disclosure_documents_as_the_web_gives(runner, client, auth, world,
                                                                                 tmp_path):
    from tests.disclosure.conftest import register
    from tracker.calendar import WorkCalendar

    task, req = _item_and_request(world)
    cal = WorkCalendar()
    listed = {(r["kind"], r["id"]): r for r in json.loads(runner.invoke(args=["documents", "list", "--json"]).output)}
    item = listed[("item", str(task.id))]
    assert (item["doc_number"], item["issuer"], item["addressee"]) == (None, "测试市人民政府办公室", "测试市财政局")
    kinds = ["receipt", "correction", "extension", "third_party", "fee", "answer"]
    for kind in kinds:
        row = listed[(f"disclosure_{kind}", str(req.id))]
        assert row["issuer"] == "测试市财政局"
        # the applicant's name is masked in the list; the third party is named
        assert row["addressee"] == ("运城某建设有限公司" if kind == "third_party" else "张**")
    # the list reads what each document says without building it: the same date and signing office
    from tracker.disclosure import documents as register_documents
    for kind in kinds:
        built = register_documents.build(req, kind)
        row = listed[(f"disclosure_{kind}", str(req.id))]
        assert (row["date"], row["issuer"]) == (built.issued_on.isoformat(), built.issuer), kind
        assert row["addressee"][0] == built.recipient[0], kind
    assert listed[("disclosure_answer", str(req.id))]["date"] == "2021-11-30"
    assert listed[("disclosure_correction", str(req.id))]["date"] == "2021-09-30"

    urls = {("item", str(task.id)): f"/plans/items/{task.id}/docx"}
    urls |= {(f"disclosure_{k}", str(req.id)): f"/disclosure/{req.id}/docx/{k}" for k in kinds}
    for (kind, object_id), url in urls.items():
        auth.login(world.supervisor if kind == "item" else world.reporter)
        out = tmp_path / f"{kind}.docx"
        result = runner.invoke(args=["documents", "render", kind, object_id, "-o", str(out)])
        assert result.exit_code == 0, result.output
        web = client.get(url)
        assert web.status_code == 200, kind
        assert web.data == out.read_bytes(), kind
    plain = runner.invoke(args=["documents", "render", "item", str(world.task.id), "-o", str(tmp_path / "x.docx")])
    assert plain.exit_code != 0 and "该任务不是交办件" in plain.output
    early = register(world, cal=cal)
    db.session.commit()
    none = runner.invoke(args=["documents", "render", "disclosure_answer", str(early.id), "-o", str(tmp_path / "x.docx")])
    assert none.exit_code != 0 and "尚无可生成的政府信息公开申请答复书" in none.output


def _pdf_words(pdf: Path) -> list[tuple[float, list[tuple[str, float, float]]]]:
    """Per page: its height and its words with their top and bottom (pt), read with pdftotext -bbox."""
    import html
    import re

    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = []
    for page in re.finditer(r'<page width="[\d.]+" height="([\d.]+)">(.*?)</page>', out, re.S):
        words = [(html.unescape(m.group(3)), float(m.group(1)), float(m.group(2))) for m in re.finditer(
            r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">(.*?)</word>', page.group(2))]
        pages.append((float(page.group(1)), words))
    return pages


MM = 72 / 25.4


@needs_soffice
def test_the_imprint_sits_at_the_foot_of_the_last_page_of_every_kind(runner, world, tmp_path):
    """GB/T 9704: the 版记's last line on the bottom edge of the block of the last page (portrait: 262 mm
    from the top; a landscape attachment's: 184 mm); no page holds only the signature and date."""
    ids = _all_kinds(world)
    task, req = _item_and_request(world)
    ids |= {"item": str(task.id)} | {f"disclosure_{k}": str(req.id) for k in
                                     ("receipt", "correction", "extension", "third_party", "fee", "answer")}
    files = []
    for kind, object_id in ids.items():
        out = tmp_path / f"{kind}.docx"
        assert runner.invoke(args=["documents", "render", kind, object_id, "-o", str(out)]).exit_code == 0
        files.append(str(out))
    subprocess.run([SOFFICE, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), *files],
                   check=True, capture_output=True, timeout=600)
    # the office's documents are letters with a 抄送 (the 版记 of a letter); the 通报 and the register's
    # documents are 文件格式 with a 印发 line
    letters = {"rectification", "escalation", "reminder", "item"}
    for kind in ids:
        pages = _pdf_words(tmp_path / f"{kind}.pdf")
        height, words = pages[-1]
        mark = "抄送" if kind in letters else "印发"
        bottoms = [bottom for text, _top, bottom in words if mark in text]
        assert bottoms, f"{kind}: no {mark} on the last page"
        block_bottom = (184 if height < 600 else 262) * MM
        # within the last 4 lines of the block (a one-page letter's block starts under its letterhead,
        # which LibreOffice lowers by the letterhead's height: up to 12 mm lower)
        assert block_bottom - 4 * 10.2 * MM < max(bottoms) <= block_bottom + 12 * MM, (kind, max(bottoms) / MM)
        for _h, earlier in pages[:-1]:
            assert not any(mark in text for text, _t, _b in earlier), f"{kind}: the 版记 is not on the last page only"
        issuer = "测试市人民政府办公室" if not kind.startswith("disclosure") else "测试市财政局"
        for n, (_h, page_words) in enumerate(pages, 1):
            texts = [t for t, _t, _b in page_words]
            rest = [t for t in texts if not (issuer in t or t.endswith("日") or "联系" in t or t in ("—", "印发")
                                             or t.isdigit() or t.startswith(("抄送", "（", "2")) or "印发" in t)]
            assert rest, f"{kind}: page {n} holds only the signature, the date and the 版记: {texts}"
