"""In Chromium: confirmations come from data-confirm and the one static script; the policy blocks injected script."""
from __future__ import annotations

import sqlalchemy as sa

from tests.e2e.helpers import login
from tests.e2e.test_journeys import PLAN_FILE, _plan_id

PAYLOAD = "某局');alert(1);('\"><img src=x onerror=alert(2)>"


def _watch(page) -> tuple[list[str], list[str]]:
    """Collect the page's dialogs (left for the caller to answer) and its console errors."""
    dialogs: list[str] = []
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("dialog", lambda d: dialogs.append(d.message))
    return dialogs, errors


def _preview_with_payload(live_app) -> int:
    from tracker.extensions import db
    from tracker.plans import services as plans
    from tracker.units.models import Unit

    with live_app.app_context():
        root = db.session.scalar(sa.select(Unit).where(Unit.name == "运城市人民政府"))
        imp = plans.start_import(None, root, text=PLAN_FILE.read_text(encoding="utf-8"))
        draft = dict(imp.draft)
        draft["tasks"] = [dict(draft["tasks"][0], lead_units=[PAYLOAD]), *draft["tasks"][1:]]
        imp.draft = draft
        imp.created_by_id = None
        db.session.commit()
        return imp.id


def test_a_unit_name_from_a_document_cannot_run_script_and_delete_asks_first(server, live_app, page):
    import_id = _preview_with_payload(live_app)
    login(page, server, "duban")
    dialogs, errors = _watch(page)
    page.goto(f"{server}/plans/import/{import_id}")
    row = page.locator("tr.table-danger", has_text="某局")
    assert row.count() == 1
    assert PAYLOAD in row.inner_text()  # shown as text

    page.once("dialog", lambda d: d.dismiss())
    row.get_by_role("button", name="删除").click()
    page.wait_for_timeout(300)
    assert dialogs == [f"确定删除“{PAYLOAD}”？该名称将不分配任务。"]
    assert page.locator("tr.table-danger", has_text="某局").count() == 1  # dismissed: nothing sent

    page.once("dialog", lambda d: d.accept())
    with page.expect_navigation():
        row.get_by_role("button", name="删除").click()
    assert page.locator("tr.table-danger", has_text="某局").count() == 0
    assert page.locator("tr.table-info", has_text="某局").count() == 1  # dropped
    assert len(dialogs) == 2 and not any(d in ("1", "2") for d in dialogs)
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_bulk_approve_counts_the_ticked_reports_and_the_circular_prints(server, live_app, page):
    plan_id = _plan_id(live_app)
    login(page, server, "duban")
    dialogs, errors = _watch(page)
    page.goto(f"{server}/review")
    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="批量通过所选报告").click()
    page.wait_for_timeout(300)
    assert dialogs == ["请先勾选要通过的报告。"]
    assert page.url.endswith("/review")  # nothing was posted

    page.goto(f"{server}/dashboard/circular?plan={plan_id}&as_of=2022-01-10")
    page.evaluate("() => { window.print = () => { window.__printed = true; }; }")
    page.get_by_role("button", name="打印").click()
    assert page.evaluate("() => window.__printed === true")
    assert not [e for e in errors if "Content Security Policy" in e], errors
