"""The assessment at province scale: facts of every plan collected and scored in one computation."""
from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from ..registry import scenario
from ..runner import Context, ScenarioFailed

SEED_RUBRIC = Path(__file__).resolve().parents[2] / "seeds" / "rubric.yaml"


@scenario("assessment of every plan (2,000 units, 200,000 assignments)")
def assessment_all_plans(ctx: Context) -> int:
    """Collect the facts of every plan and score them (what computing a version does, without storing it)."""
    from tracker.assessment.queries import collect_facts
    from tracker.assessment.rubric import load_rubric
    from tracker.assessment.scoring import compute
    from tracker.extensions import db
    from tracker.plans.models import Plan
    from tracker.supervise.calendar_db import current_calendar

    rubric = load_rubric(SEED_RUBRIC.read_text(encoding="utf-8"))
    with ctx.app.app_context():
        plans = tuple(db.session.scalars(sa.select(Plan).order_by(Plan.id)))
        with ctx.timed():
            facts = collect_facts(plans, as_of=ctx.ds.as_of)
            result = compute(rubric, facts, ctx.ds.as_of, current_calendar())
            document = result.to_dict()
    if not document["categories"] or not result.units:
        raise ScenarioFailed("the assessment scored no unit")
    if len(facts.assignments) == 0:
        raise ScenarioFailed("the assessment saw no assignment")
    return len(result.units)


@scenario("assessment ranking page (largest plan, stored version)")
def assessment_ranking_page(ctx: Context) -> int:
    """Open the ranking of a version of the largest plan, computed and stored once for the scenario."""
    from tracker.assessment import queries, services
    from tracker.assessment.models import AssessmentVersion
    from tracker.extensions import db
    from tracker.plans.models import Plan

    plan_id = ctx.ds.largest_plan_id
    with ctx.app.app_context():
        version_id = db.session.scalar(sa.select(AssessmentVersion.id).where(AssessmentVersion.plan_id == plan_id)
                                       .order_by(AssessmentVersion.number.desc()).limit(1))
        if version_id is None:
            plan = db.session.get(Plan, plan_id)
            if queries.rubric_for_year(plan.year) is None:
                text = SEED_RUBRIC.read_text(encoding="utf-8").replace("year: 2021", f"year: {plan.year}", 1)
                services.save_rubric(None, text, year=plan.year)
            version_id = services.compute_version(None, plan, ctx.ds.as_of).id
            db.session.commit()
        city_id = db.session.scalar(sa.select(Plan.unit_id).where(Plan.id == plan_id))
    resp = ctx.get(ctx.client("leader", city_id), f"/assessment/versions/{version_id}")
    if "考核排名" not in resp.get_data(as_text=True):
        raise ScenarioFailed("the ranking page shows no ranking")
    return ctx.table_rows(resp)
