"""`python -m bench`: build or reuse the dataset, run the scenarios, print a table, write JSON."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .database import BenchError, database_url, ensure_database, server_version, settle
from .dataset import SCALES
from .registry import load_plugins, scenarios

DEFAULT_RUNS = 7


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    p.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite",
                   help="sqlite: bench/results/bench-<scale>.db; postgresql: $BENCH_DATABASE_URL or "
                        "the tracker_bench database on 127.0.0.1")
    p.add_argument("--scale", choices=tuple(SCALES), default="small",
                   help="province: 2,000 units and 200,000 assignments; small: about 1/100; tiny: for tests")
    p.add_argument("--json", dest="json_out", metavar="OUT", help="write the results to this JSON file")
    p.add_argument("--runs", type=int, default=DEFAULT_RUNS,
                   help=f"runs per scenario, the first a warm-up not counted (default {DEFAULT_RUNS})")
    p.add_argument("--only", metavar="SUBSTRING", help="run only scenarios whose name contains this")
    p.add_argument("--rebuild", action="store_true", help="build the dataset anew even if one exists")
    p.add_argument("--url", help="database URL to use instead of the default for --db (tests use a temp file)")
    args = p.parse_args(argv)
    if args.runs < 2:
        p.error("--runs must be at least 2 (the first run is a warm-up)")
    return args


def run(args: argparse.Namespace) -> dict:
    """Build or reuse the dataset, run the selected scenarios and return the results document."""
    from tracker import create_app

    from .build import prepare_dataset
    from .runner import Context, ScenarioFailed, format_table, machine, run_scenario

    load_plugins()
    chosen = scenarios(args.only)
    if not chosen:
        raise BenchError(f"no scenario matches {args.only!r}")
    url = database_url(args.db, args.scale, args.url)
    ensure_database(url)
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "bench-secret",
    })
    ds, build = prepare_dataset(app, SCALES[args.scale], rebuild=args.rebuild)
    with app.app_context():
        from tracker.extensions import db

        engine = db.engine
        version = server_version(engine)
    if build.get("reused"):
        settle(engine)  # what earlier invocations' writing scenarios left behind
    ctx = Context(app, ds)
    results = []
    for sc in chosen:
        print(f"running {sc.name} ×{args.runs}", flush=True)
        try:
            results.append(run_scenario(ctx, sc, args.runs))
        except ScenarioFailed as exc:
            print(f"  FAILED: {exc}", flush=True)
            results.append({"name": sc.name, "error": str(exc)})
        settle(engine)  # each scenario starts from a vacuumed database, whatever the last one wrote
    print()
    print(f"{args.db} ({version}), scale {args.scale}: {ds.counts.get('units', 0):,} units, "
          f"{ds.counts.get('plans', 0):,} plans, {ds.counts.get('tasks', 0):,} tasks, "
          f"{ds.counts.get('assignments', 0):,} assignments")
    speed = machine()
    print(format_table(results))
    print(f"reference loop (a million additions, CPU): {speed['reference_loop_ms']} ms")
    return {
        "db": args.db,
        "scale": args.scale,
        "database_version": version,
        "dataset": ds.counts,
        "build": build,
        "machine": speed,
        "scenarios": results,
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        doc = run(args)
    except BenchError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 2
    if args.json_out:
        out = Path(args.json_out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {out}")
    failed = [r["name"] for r in doc["scenarios"] if "error" in r]
    if failed:
        print(f"bench: failed scenarios: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0
