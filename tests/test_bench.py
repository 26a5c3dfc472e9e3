"""The benchmark harness: end to end at the tiny scale on a temporary SQLite file, and its parts."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest
import sqlalchemy as sa

from bench import registry
from bench.build import rebuild_reason
from bench.database import BenchError, database_url, settle
from bench.dataset import SCALES, Dataset
from bench.generators.core import _sizes, city_composition, plan_task_sizes, split
from bench.runner import Context, ScenarioFailed, format_table, run_scenario
from tests.pg import PG_URL, temporary_database

pytestmark = pytest.mark.no_db

ROOT = Path(__file__).resolve().parents[1]
CORE_SCENARIOS = {"login page", "task list page for a supervisor", "my-tasks page for the largest unit"}


def run_bench(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "BENCH_DATABASE_URL")}
    return subprocess.run([sys.executable, "-m", "bench", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """Build the tiny dataset once and run every scenario three times (two counted)."""
    tmp = tmp_path_factory.mktemp("bench")
    url = f"sqlite:///{tmp / 'bench.db'}"
    out = tmp / "out.json"
    proc = run_bench("--db", "sqlite", "--scale", "tiny", "--url", url, "--json", str(out), "--runs", "3")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return {"url": url, "tmp": tmp, "proc": proc, "doc": json.loads(out.read_text(encoding="utf-8"))}


# -- end to end -----------------------------------------------------------------------------------

def test_json_has_every_scenario_with_positive_timings(tiny):
    doc = tiny["doc"]
    assert doc["db"] == "sqlite" and doc["scale"] == "tiny"
    by_name = {s["name"]: s for s in doc["scenarios"]}
    assert CORE_SCENARIOS <= set(by_name)
    for name in CORE_SCENARIOS:
        s = by_name[name]
        assert "error" not in s, s
        assert s["runs"] == 2  # three runs, the warm-up not counted
        assert 0 < s["min_ms"] <= s["median_ms"] <= s["max_ms"], s
    assert by_name["login page"]["rows"] == 1
    # the tiny plans have 2-3 leaf tasks per section and the largest unit leads every capital leaf
    assert by_name["task list page for a supervisor"]["rows"] >= 6
    assert by_name["my-tasks page for the largest unit"]["rows"] >= 12


def test_json_reports_dataset_counts_and_machine(tiny):
    doc = tiny["doc"]
    # 50 units, 3 plans of 8 tasks, 200 assignments; users: admin + supervisor and leader for the
    # province and both cities + one reporter per unit
    assert {k: doc["dataset"][k] for k in ("units", "plans", "tasks", "assignments", "users")} == {
        "units": 50, "plans": 3, "tasks": 24, "assignments": 200, "users": 1 + 2 * 3 + 50,
    }
    assert doc["machine"]["cpu_count"] >= 1
    assert doc["machine"]["python"].startswith("3.")
    assert doc["build"]["reused"] is False
    assert "built in" in tiny["proc"].stdout
    assert "median ms" in tiny["proc"].stdout


def test_second_run_reuses_the_dataset_and_only_filters(tiny):
    out = tiny["tmp"] / "login.json"
    started = time.perf_counter()
    proc = run_bench("--db", "sqlite", "--scale", "tiny", "--url", tiny["url"], "--json", str(out),
                     "--runs", "2", "--only", "LOGIN")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "reusing the tiny dataset" in proc.stdout
    assert "building" not in proc.stdout
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert [s["name"] for s in doc["scenarios"]] == ["login page"]
    assert doc["scenarios"][0]["runs"] == 1
    assert doc["build"]["reused"] is True
    assert doc["dataset"]["assignments"] == 200
    assert time.perf_counter() - started < 120


def test_unknown_scenario_filter_fails_cleanly(tiny):
    proc = run_bench("--db", "sqlite", "--scale", "tiny", "--url", tiny["url"], "--only", "no such thing")
    assert proc.returncode == 2
    assert "no scenario matches" in proc.stderr


def test_refuses_a_database_that_is_not_a_bench_database(tmp_path):
    path = tmp_path / "foreign.db"
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE precious (id INTEGER PRIMARY KEY)"))
        conn.execute(sa.text("INSERT INTO precious VALUES (1)"))
    engine.dispose()
    proc = run_bench("--db", "sqlite", "--scale", "tiny", "--url", f"sqlite:///{path}", "--runs", "2")
    assert proc.returncode == 2
    assert "not a benchmark database" in proc.stderr
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        assert conn.scalar(sa.text("SELECT count(*) FROM precious")) == 1
    engine.dispose()


# -- the data it builds ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def tiny_db(tiny):
    engine = sa.create_engine(tiny["url"])
    with engine.connect() as conn:
        yield conn
    engine.dispose()


def test_meta_records_the_dataset(tiny_db):
    meta = dict(tiny_db.execute(sa.text("SELECT key, value FROM bench_meta")).all())
    assert json.loads(meta["state"]) == "ready"
    ds = Dataset.from_json(meta["dataset"])
    assert ds.scale == SCALES["tiny"]
    assert len(ds.unit_ids) == 50 and len(ds.plan_ids) == 3 and len(ds.task_ids) == 24
    first, last = ds.assignment_id_range
    assert last - first + 1 == 200
    assert len(ds.user_ids["reporter"]) == 50 and len(ds.user_ids["supervisor"]) == 3
    assert ds.largest_unit_id == ds.cities[0]["office_id"]


def test_largest_unit_leads_every_capital_task(tiny_db):
    meta = dict(tiny_db.execute(sa.text("SELECT key, value FROM bench_meta")).all())
    ds = Dataset.from_json(meta["dataset"])
    n, leads = tiny_db.execute(sa.text(
        "SELECT count(*), sum(CASE WHEN role = 'lead' THEN 1 ELSE 0 END) FROM assignments WHERE unit_id = :u"
    ), {"u": ds.largest_unit_id}).one()
    assert n == leads >= SCALES["tiny"].largest_unit_min
    top = tiny_db.execute(sa.text(
        "SELECT unit_id FROM assignments GROUP BY unit_id ORDER BY count(*) DESC LIMIT 1")).scalar()
    assert top == ds.largest_unit_id


def test_assignments_stay_inside_the_plans_jurisdiction(tiny_db):
    outside = tiny_db.execute(sa.text(
        "SELECT count(*) FROM assignments a JOIN plans p ON p.id = a.plan_id JOIN units owner ON owner.id = p.unit_id "
        "JOIN units u ON u.id = a.unit_id WHERE substr(u.path, 1, length(owner.path)) <> owner.path"
    )).scalar()
    assert outside == 0
    on_sections = tiny_db.execute(sa.text(
        "SELECT count(*) FROM assignments a JOIN tasks t ON t.id = a.task_id WHERE NOT t.is_leaf")).scalar()
    assert on_sections == 0
    wrong_plan = tiny_db.execute(sa.text(
        "SELECT count(*) FROM assignments a JOIN tasks t ON t.id = a.task_id WHERE t.plan_id <> a.plan_id")).scalar()
    assert wrong_plan == 0


def test_statuses_are_consistent(tiny_db):
    rows = tiny_db.execute(sa.text(
        "SELECT status, min(progress), max(progress), count(completed_at), count(*) FROM assignments GROUP BY status"
    )).all()
    by_status = {r[0]: r[1:] for r in rows}
    assert by_status["completed"][:2] == (100, 100)
    assert by_status["completed"][2] == by_status["completed"][3]  # every completed one has its time
    assert by_status["in_progress"][2] == 0 and 10 <= by_status["in_progress"][0] <= by_status["in_progress"][1] <= 90
    if "pending" in by_status:
        assert by_status["pending"][:3] == (0, 0, 0)
    late = tiny_db.execute(sa.text(
        "SELECT count(*) FROM assignments WHERE completed_at > '2021-10-01'")).scalar()
    assert late == 0  # nothing completes after the dataset's as_of date


# -- the harness's parts --------------------------------------------------------------------------

def test_split_spreads_evenly():
    assert split(1999, 20) == [100] * 19 + [99]
    assert split(7, 3) == [3, 2, 2]
    assert sum(split(1858, 19)) == 1858


def test_city_composition_of_a_province_city():
    assert city_composition(100) == {"counties": 12, "zones": 3, "departments": 60, "towns": 23}
    assert sum(city_composition(25).values()) == 23
    with pytest.raises(ValueError):
        city_composition(3)


def test_province_plan_sizes_give_the_largest_unit_2000_tasks():
    spec = SCALES["province"]
    sizes = plan_task_sizes(spec)
    assert len(sizes) == 40 and sum(sizes) == 4000
    capital_leaves = sum(s - spec.sections for s in sizes[:spec.capital_plans])
    assert capital_leaves >= 2000
    assert min(sizes) > spec.sections
    with pytest.raises(ValueError):
        plan_task_sizes(replace(spec, tasks=40 * 6))


def test_sizes_hit_the_total_within_caps():
    import random

    natural, caps = [2, 16, 61, 76, 98, 5], [90, 90, 90, 90, 98, 90]
    sizes = _sizes(natural, caps, 400, random.Random(1))
    assert sum(sizes) == 400
    assert all(2 <= s <= c for s, c in zip(sizes, caps))
    with pytest.raises(ValueError):
        _sizes(natural, caps, sum(caps) + 1, random.Random(1))


def test_dataset_survives_json():
    ds = Dataset(scale=SCALES["small"], unit_ids=[1, 2], user_ids={"admin": [1]}, assignment_id_range=(5, 9),
                 extra={"reports": [1, 2]})
    back = Dataset.from_json(ds.to_json())
    assert back == ds
    assert back.rng("x").random() == ds.rng("x").random() != ds.rng("y").random()


def test_rebuild_reasons():
    fp = {"format": 1, "scale": {"name": "small"}, "heads": ["0003"], "tables": {"units": ["id"]}, "generators": ["a"]}
    ready = {"state": "ready", "fingerprint": fp}
    assert rebuild_reason(ready, fp, False) is None
    assert rebuild_reason(ready, fp, True) == "--rebuild given"
    assert rebuild_reason(None, fp, False) == "no dataset yet"
    assert rebuild_reason({"state": "building", "fingerprint": fp}, fp, False) == "the last build did not finish"
    assert rebuild_reason(ready, {**fp, "scale": {"name": "province"}}, False) == "scale changed from small to province"
    assert rebuild_reason(ready, {**fp, "heads": ["0004"]}, False) == "migrations changed"
    assert rebuild_reason(ready, {**fp, "tables": {"units": ["id", "name"]}}, False) == "model tables or columns changed"
    assert rebuild_reason(ready, {**fp, "generators": ["a", "b"]}, False) == "generators changed"


def test_database_url_defaults_and_refuses_the_test_database(monkeypatch):
    monkeypatch.delenv("BENCH_DATABASE_URL", raising=False)
    assert database_url("sqlite", "province").endswith("bench/results/bench-province.db")
    assert database_url("postgresql", "small") == "postgresql+psycopg://postgres@127.0.0.1:5432/tracker_bench"
    monkeypatch.setenv("BENCH_DATABASE_URL", "postgresql://u@db/perf")
    assert database_url("postgresql", "small") == "postgresql+psycopg://u@db/perf"
    with pytest.raises(BenchError, match="test"):
        database_url("postgresql", "small", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def test_registry_filters_and_refuses_duplicates():
    registry.load_plugins()
    names = [s.name for s in registry.scenarios()]
    assert CORE_SCENARIOS <= set(names)
    assert [s.name for s in registry.scenarios("MY-TASKS")] == ["my-tasks page for the largest unit"]
    gens = [g.name for g in registry.generators()]
    core = ["core.make_units", "core.make_users", "core.make_plans", "core.make_tasks", "core.make_assignments"]
    assert [g for g in gens if g.startswith("core.")] == core
    with pytest.raises(ValueError, match="twice"):
        registry.scenario("login page")(lambda ctx: 0)


def test_run_scenario_counts_only_timed_parts_and_skips_the_warm_up():
    ctx = Context(app=None, ds=None)
    calls = []

    def slow_setup(ctx):
        calls.append(1)
        time.sleep(0.03 if len(calls) == 1 else 0.02)  # setup: never counted
        with ctx.timed():
            time.sleep(0.005)
        return 7

    result = run_scenario(ctx, registry.Scenario("probe", slow_setup, __name__), runs=4)
    assert len(calls) == 4 and result["runs"] == 3 and result["rows"] == 7
    assert 5 <= result["min_ms"] <= result["median_ms"] < 15, result
    assert 0 <= result["cpu_median_ms"] < 5, result  # sleeping uses no CPU

    def busy(ctx):
        with ctx.timed():
            # Spin on this process's CPU clock, so a loaded machine cannot starve the spin.
            end = time.process_time() + 0.01
            while time.process_time() < end:
                pass

    spin = run_scenario(ctx, registry.Scenario("busy", busy, __name__), runs=3)
    assert 5 <= spin["cpu_median_ms"] <= spin["median_ms"] + 1, spin
    whole = run_scenario(ctx, registry.Scenario("whole", lambda c: time.sleep(0.01), __name__), runs=2)
    assert whole["runs"] == 1 and whole["median_ms"] >= 10 and whole["rows"] == 0


def test_context_logs_in_once_and_fails_on_error_pages(tiny):
    from tracker import create_app

    meta_engine = sa.create_engine(tiny["url"])
    with meta_engine.connect() as conn:
        ds = Dataset.from_json(conn.execute(sa.text("SELECT value FROM bench_meta WHERE key = 'dataset'")).scalar())
    meta_engine.dispose()
    app = create_app({"SQLALCHEMY_DATABASE_URI": tiny["url"], "SECRET_KEY": "t"})
    ctx = Context(app, ds)
    reporter = ctx.client("reporter", ds.largest_unit_id)
    assert ctx.client("reporter", ds.largest_unit_id) is reporter
    assert ctx.table_rows(ctx.get(reporter, "/my/tasks")) >= 12
    with pytest.raises(ScenarioFailed, match="404"):
        ctx.get(reporter, "/no/such/page")
    with pytest.raises(ScenarioFailed, match="403"):
        ctx.get(reporter, f"/plans/{ds.largest_plan_id}")
    with pytest.raises(ScenarioFailed, match="no supervisor"):
        ctx.client("supervisor", 999999)


def test_format_table_lists_each_result():
    text = format_table([
        {"name": "a page", "median_ms": 12.345, "min_ms": 10.0, "max_ms": 20.0, "cpu_median_ms": 9.04,
         "runs": 6, "rows": 50},
        {"name": "broken", "error": "GET /x answered 500, expected 200"},
    ])
    lines = text.splitlines()
    assert lines[0].split() == ["scenario", "median", "ms", "min", "max", "cpu", "ms", "rows"]
    assert lines[2].split() == ["a", "page", "12.3", "10.0", "20.0", "9.0", "50"]
    assert lines[3].split(None, 1) == ["broken", "FAILED: GET /x answered 500, expected 200"]


@pytest.mark.skipif(not PG_URL, reason="TRACKER_TEST_DATABASE_URL is not set: PostgreSQL run only")
def test_settle_vacuums_and_analyzes_what_scenarios_churned():
    """With autovacuum off (as on this machine), dead rows would slow every later scenario."""
    with temporary_database("tracker_settle") as url:
        engine = sa.create_engine(url)
        try:
            with engine.begin() as conn:
                conn.execute(sa.text("CREATE TABLE churned (id int primary key)"))
                conn.execute(sa.text("CREATE TABLE untouched (id int primary key)"))
                conn.execute(sa.text("INSERT INTO churned SELECT generate_series(1, 5000)"))
                conn.execute(sa.text("DELETE FROM churned"))

            def visits() -> dict:
                with engine.connect() as conn:
                    return {name: (vac, ana) for name, vac, ana in conn.execute(sa.text(
                        "SELECT relname, vacuum_count, analyze_count FROM pg_stat_user_tables"))}

            before = visits()
            settle(engine, ("churned",))
            after = visits()
            assert after["churned"][0] == before["churned"][0] + 1
            assert after["churned"][1] == before["churned"][1] + 1
            assert after["untouched"] == before["untouched"]
            settle(engine)  # no names: every table
            assert visits()["untouched"][0] == before["untouched"][0] + 1
        finally:
            engine.dispose()


def test_settle_does_nothing_on_sqlite(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 's.db'}")
    settle(engine, ("no_such_table",))  # would fail if it ran anything
    engine.dispose()


@pytest.mark.skipif(not PG_URL, reason="TRACKER_TEST_DATABASE_URL is not set: PostgreSQL run only")
def test_first_sweep_after_emptied_vacuumed_tables_runs_on_postgresql(tmp_path):
    """Issue 15: the sweep's tables emptied, vacuumed and analyzed, then a first sweep (the bench
    reports its time at the province scale; here the scenario runs at the tiny one)."""
    from bench.scenarios.supervise import EMPTIED_SWEEP

    with temporary_database("tracker_bench_sweep") as url:
        out = tmp_path / "out.json"
        proc = run_bench("--db", "postgresql", "--scale", "tiny", "--url", url, "--json", str(out), "--runs", "2",
                         "--only", EMPTIED_SWEEP)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        doc = json.loads(out.read_text(encoding="utf-8"))
        assert doc["db"] == "postgresql"
        [result] = doc["scenarios"]
        assert result["name"] == EMPTIED_SWEEP and "error" not in result, result
        assert result["runs"] == 1 and result["median_ms"] > 0
        assert result["rows"] > 0  # the sweep found overdue or due-soon assignments
        engine = sa.create_engine(url)
        try:
            with engine.connect() as conn:
                stats = {name: (vac, ana) for name, vac, ana in conn.execute(sa.text(
                    "SELECT relname, vacuum_count, analyze_count FROM pg_stat_user_tables"))}
                reminders = conn.scalar(sa.text("SELECT count(*) FROM reminders"))
        finally:
            engine.dispose()
        # The build and the harness's settle after the scenario vacuum every table once each; the two
        # runs (warm-up and counted) each emptied and vacuumed the sweep's tables once more before sweeping.
        for name in ("reminders", "escalation_items", "escalation_notices", "periodic_checks"):
            assert stats[name][0] >= 4 and stats[name][1] >= 4, (name, stats[name])
        assert reminders > 0
