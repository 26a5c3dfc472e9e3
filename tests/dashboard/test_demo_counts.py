"""On the 运城 demo: every number on the dashboard equals the row count of the list it links to."""
from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from tests.dashboard.helpers import mismatches
from tracker.dashboard import queries as q
from tracker.demo.services import DEMO_PASSWORD, load_demo
from tracker.extensions import db
from tracker.plans.models import Assignment, Plan

DATES = (date(2021, 10, 15), date(2022, 1, 10))


@pytest.fixture
def demo_plan():
    load_demo(progress=lambda *args: None)
    plan = db.session.scalar(
        sa.select(Plan).where(sa.exists().where(Assignment.plan_id == Plan.id)).order_by(Plan.id)
    )
    if plan is None:
        pytest.skip("the demo has no plan with assignments yet (the plan import step is not in this build)")
    return plan


@pytest.mark.slow
def test_demo_dashboard_numbers_equal_their_lists_at_two_dates(client, auth, demo_plan):
    assert auth.login("lingdao", DEMO_PASSWORD).status_code == 302
    overdue = []
    for as_of in DATES:
        html = client.get(f"/dashboard/?plan={demo_plan.id}&as_of={as_of.isoformat()}").get_data(as_text=True)
        checked, bad = mismatches(client, html)
        assert bad == [], (as_of, bad[:5])
        assert checked > 20
        overdue.append(q.overview(q.Filters(plan_id=demo_plan.id), q.StatusRules.at(as_of)).overdue)
    # The two dates differ: the later one has more items past their deadline.
    assert overdue[0] < overdue[1]
