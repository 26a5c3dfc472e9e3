"""The one migration history builds the same schema as the models, on SQLite and PostgreSQL."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_migrate import check, downgrade, upgrade

from tests.pg import PG_URL, temporary_database
from tracker import create_app
from tracker.extensions import db


def _roundtrip(url: str) -> set[str]:
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        check()  # raises if autogenerate finds any difference between models and migrations
        tables = set(sa.inspect(db.engine).get_table_names())
        downgrade(revision="base")
        left = set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert left == set(), f"downgrade left tables behind: {left}"
        upgrade()
        db.engine.dispose()
    return tables


@pytest.mark.no_db
def test_migrations_on_sqlite(tmp_path):
    tables = _roundtrip(f"sqlite:///{tmp_path / 'm.db'}")
    assert {"units", "users", "plans", "tasks", "assignments", "audit_events"} <= tables


@pytest.mark.no_db
@pytest.mark.skipif(not PG_URL, reason="TRACKER_TEST_DATABASE_URL is not set: PostgreSQL run only")
def test_migrations_on_postgresql():
    with temporary_database("tracker_mig") as url:
        assert "assignments" in _roundtrip(url)


def _reports_keep_their_plan(url: str) -> None:
    """0009 fills progress_reports.plan_id from each report's assignment, for rows already there."""
    from tests.factories import ReportFactory, build_world

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        w = build_world()
        reports = [ReportFactory(assignment=a) for a in (w.a_fin, w.a_aud, w.a_other)]
        expected = {r.id: r.assignment.plan_id for r in reports}
        db.session.commit()
        assert {r.plan_id for r in reports} == {w.plan.id, w.other_plan.id}  # filled in on insert
        db.session.remove()  # its reads would hold a lock that the downgrade's ALTER TABLE waits for
        downgrade(revision="0008")
        upgrade()
        with db.engine.connect() as conn:
            got = dict(conn.execute(sa.text("SELECT id, plan_id FROM progress_reports")).all())
        assert got == expected
        db.session.remove()
        db.engine.dispose()


@pytest.mark.no_db
def test_reports_keep_their_plan_through_0009_on_sqlite(tmp_path):
    _reports_keep_their_plan(f"sqlite:///{tmp_path / 'm.db'}")


@pytest.mark.no_db
@pytest.mark.skipif(not PG_URL, reason="TRACKER_TEST_DATABASE_URL is not set: PostgreSQL run only")
def test_reports_keep_their_plan_through_0009_on_postgresql():
    with temporary_database("tracker_mig") as url:
        _reports_keep_their_plan(url)
