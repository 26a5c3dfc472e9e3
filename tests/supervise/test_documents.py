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


def _body(data: bytes) -> bytes:
    with zipfile.ZipFile(BytesIO(data)) as z:
        return z.read("word/document.xml")


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
        assert _body(web.data) == _body(out.read_bytes())
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
