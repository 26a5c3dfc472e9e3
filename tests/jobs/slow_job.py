"""A job run in a real process through the real runner, slow on purpose: `python -m tests.jobs.slow_job URL SECONDS`.

Its work creates one unit named 并发测试单位 (once: a rerun finds it and creates nothing), then
keeps its transaction open for SECONDS, so another process can try the same job meanwhile or
the test can kill it mid-run. It prints the runner's outcome as one JSON line.
"""
from __future__ import annotations

import json
import sys
import time
from datetime import date

import sqlalchemy as sa

from tracker import create_app
from tracker.extensions import db
from tracker.jobs import runner
from tracker.jobs.runner import JobSpec
from tracker.units.models import Unit

JOB_ID = "slow_test"
UNIT_NAME = "并发测试单位"


def work(seconds: float):
    def run(as_of: date) -> dict:
        created = 0
        if db.session.scalar(sa.select(Unit.id).where(Unit.name == UNIT_NAME)) is None:
            db.session.add(Unit(name=UNIT_NAME, short_name=UNIT_NAME))
            db.session.flush()
            created = 1
        print("working", flush=True)
        time.sleep(seconds)
        return {"units_created": created}
    return run


def register(seconds: float) -> None:
    runner.register(JobSpec(id=JOB_ID, label="测试任务", work=work(seconds), count_labels={"units_created": "新建单位"},
                            created=("units_created",)))


def main() -> None:
    url, seconds = sys.argv[1], float(sys.argv[2])
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "slow-job"})
    register(seconds)
    with app.app_context():
        outcome = runner.run(JOB_ID, date(2021, 10, 14), trigger="cli")
    print(json.dumps(outcome.to_json(), ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
