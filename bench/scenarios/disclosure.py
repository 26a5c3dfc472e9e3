"""Issue 19: the 依申请公开 register — 100,000 requests over the province's units at full scale.

The register page of the unit with the most requests (a reporter's first page, with the year's
figures) and the sweep's request part. Requests are received from January to the dataset's date;
those older than about a month are answered (a few late), the rest are open, some past their due date.
"""
from __future__ import annotations

from datetime import date, datetime, timezone

import sqlalchemy as sa

from tracker.audit.models import AuditEvent
from tracker.calendar import default_calendar
from tracker.disclosure import categories as cat
from tracker.disclosure.models import DisclosureRequest
from tracker.disclosure.sweep import sweep_requests
from tracker.extensions import db
from tracker.inbox.models import Notification

from ..database import settle
from ..dataset import Dataset, insert_rows
from ..registry import generator, scenario
from ..runner import Context, ScenarioFailed

#: requests per assignment: 100,000 at the province scale (200,000 assignments)
REQUESTS_PER_ASSIGNMENT = 0.5
#: the share of all requests the busiest unit (the first city's government office) receives
LARGEST_SHARE = 0.02
CONTENTS = ("申请公开本单位2020年度部门决算", "申请公开某项目征收补偿方案", "申请公开某道路工程立项批复",
            "申请公开某小区规划许可附图", "申请公开2021年财政预算执行情况")
ANSWERS = list(cat.ANSWERS)


@generator(order=60, requires=("disclosure_requests",))
def make_requests(conn: sa.Connection, ds: Dataset) -> None:
    rng = ds.rng("disclosure")
    cal = default_calendar()
    total = max(20, round(ds.scale.assignments * REQUESTS_PER_ASSIGNMENT))
    largest = ds.cities[0]["office_id"]
    others = [u for u in ds.unit_ids if u != largest]
    n_largest = max(5, round(total * LARGEST_SHARE))
    first_day, last_day = date(ds.as_of.year, 1, 4), ds.as_of
    days = [d for d in (date.fromordinal(o) for o in range(first_day.toordinal(), last_day.toordinal() + 1))
            if cal.is_workday(d)]
    stamp = datetime(ds.as_of.year, 1, 4, 2, tzinfo=timezone.utc)
    serials: dict[int, int] = {}

    def rows():
        for i in range(total):
            unit_id = largest if i < n_largest else others[rng.randrange(len(others))]
            received = days[rng.randrange(len(days))]
            due = cal.add_workdays(received, 20)
            answered_on = None
            if cal.workdays_between(received, last_day) > 22 or rng.random() < 0.5:
                answered_on = cal.add_workdays(received, rng.randint(3, 22) if rng.random() < 0.97 else 23)
                if answered_on > last_day:
                    answered_on = None
            serials[unit_id] = serials.get(unit_id, 0) + 1
            yield {
                "unit_id": unit_id, "serial": f"{received.year}-{serials[unit_id]:05d}",
                "channel": rng.choice(list(cat.CHANNELS)), "received_on": received, "confirmed_on": None,
                "applicant_type": "natural" if rng.random() < 0.8 else rng.choice(list(cat.APPLICANT_TYPES)),
                "applicant_name": f"申请人{i}", "applicant_contact": f"139{i:08d}",
                "content": CONTENTS[i % len(CONTENTS)], "state": "answered" if answered_on else "open",
                "correction_notice_on": None, "correction_reason": None, "corrected_on": None,
                "extension_days": 0, "extension_approver": None, "extension_approved_at": None,
                "extension_reason": None, "delayed_due_on": None, "delayed_reason": None, "fee_method": None,
                "fee_quantity": None, "fee_amount": None, "fee_notice_on": None, "fee_paid_on": None,
                "due_on": due, "correction_notice_by": cal.add_workdays(received, 7),
                "answer_category": ANSWERS[rng.randrange(len(ANSWERS))] if answered_on else None,
                "answered_on": answered_on, "answer_text": None, "alert": None, "reminded_soon_for": None,
                "reminded_overdue_for": None, "escalated_for": None, "created_by_id": None,
                "created_at": stamp, "updated_at": stamp,
            }

    n = insert_rows(conn, DisclosureRequest.__table__, rows())
    ds.extra["disclosure"] = {"total": n, "largest_unit_id": largest, "largest": n_largest}


def _info(ctx: Context) -> dict:
    info = ctx.ds.extra.get("disclosure")
    if not info:
        raise ScenarioFailed("the dataset has no disclosure requests (rebuild it)")
    return info


@scenario("disclosure: register page of the largest unit")
def register_page(ctx: Context) -> int:
    info = _info(ctx)
    resp = ctx.get(ctx.client("reporter", info["largest_unit_id"]), "/disclosure/")
    text = resp.get_data(as_text=True)
    if f"共 {info['largest']} 条" not in text:
        raise ScenarioFailed(f"the register page does not show {info['largest']} requests")
    return ctx.table_rows(resp)


def _reset() -> None:
    r = DisclosureRequest.__table__
    db.session.execute(sa.update(r).where(sa.or_(r.c.alert.is_not(None), r.c.reminded_soon_for.is_not(None),
                                                 r.c.reminded_overdue_for.is_not(None), r.c.escalated_for.is_not(None)))
                       .values(alert=None, reminded_soon_for=None, reminded_overdue_for=None, escalated_for=None))
    db.session.execute(sa.delete(Notification.__table__).where(Notification.dedupe_key.startswith("disclosure-")))
    db.session.execute(sa.delete(AuditEvent.__table__).where(AuditEvent.action == "disclosure.sweep"))
    db.session.commit()
    settle(db.engine, ("disclosure_requests", "notifications", "audit_events"))


@scenario("disclosure: the sweep's request part (first run)")
def first_request_sweep(ctx: Context) -> int:
    _info(ctx)
    with ctx.app.app_context():
        _reset()
        with ctx.timed():
            result = sweep_requests(ctx.ds.as_of)
            db.session.commit()
        if not result.overdue or not result.reminded:
            raise ScenarioFailed(f"the sweep flagged nothing: {result.to_json()}")
        return result.overdue + result.due_soon
