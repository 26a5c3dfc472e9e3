"""The big workbooks: the 工作台账 and the 逾期清单 of every plan in the dataset.

Each is timed in-process around the export itself. The ledger's peak memory is measured once,
on the warm-up run, in a fresh process (``python -m bench.scenarios.exports``): ru_maxrss of a
process that only started the app and wrote the workbook, so no other scenario's memory counts.
The scenario fails when that peak is over the budget.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import sqlalchemy as sa

from ..registry import scenario
from ..runner import Context, ScenarioFailed

ROOT = Path(__file__).resolve().parents[2]
#: peak resident memory allowed for the process exporting the province ledger
LEDGER_RSS_BUDGET_MB = 200
#: measured peaks, one per database URL, so the subprocess runs once per bench process
_measured: dict[str, dict] = {}


def overdue_date(as_of: date) -> date:
    """Return the overdue list's date: mid next year, when most of the dataset's open work is late."""
    return date(as_of.year + 1, 6, 30)


def _all_plans():
    from tracker.extensions import db
    from tracker.plans.models import Plan

    return tuple(db.session.scalars(sa.select(Plan).order_by(Plan.id)))


def _export(kind: str, as_of: date, out: str) -> dict[str, int]:
    """Write one workbook of every plan; runs inside an app context."""
    from tracker.exports import documents
    from tracker.exports.queries import Selection

    sel = Selection(plans=_all_plans(), as_of=as_of)
    if kind == "ledger":
        return documents.write_ledger(out, sel)
    return documents.write_overdue(out, sel)


def _rss_mb() -> float:
    """Return this process's peak resident memory in MB.

    VmHWM is read first: Linux carries ru_maxrss over from the parent across fork and exec, so a
    child started by a large bench process would report the parent's peak.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def measure_in_subprocess(url: str, kind: str, as_of: date) -> dict:
    """Run one export in a fresh Python process and return its time, rows and peak RSS."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)}
    proc = subprocess.run(
        [sys.executable, "-m", "bench.scenarios.exports", "--url", url, "--kind", kind, "--as-of", as_of.isoformat()],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900,
    )
    if proc.returncode != 0:
        raise ScenarioFailed(f"the {kind} export process failed: {proc.stderr.strip().splitlines()[-1:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


@scenario("ledger export of every plan (工作台账, ~200,000 rows)")
def ledger_export(ctx: Context) -> int:
    url = ctx.app.config["SQLALCHEMY_DATABASE_URI"]
    if url not in _measured:
        found = _measured[url] = measure_in_subprocess(url, "ledger", ctx.ds.as_of)
        print(f"  fresh process: {found['rows']:,} rows in {found['seconds']:.1f} s, peak RSS "
              f"{found['peak_rss_mb']:.0f} MB (app started: {found['start_rss_mb']:.0f} MB; budget "
              f"{LEDGER_RSS_BUDGET_MB} MB), file {found['bytes'] / 1e6:.1f} MB", flush=True)
        if found["peak_rss_mb"] >= LEDGER_RSS_BUDGET_MB:
            raise ScenarioFailed(f"peak RSS {found['peak_rss_mb']:.0f} MB is over the {LEDGER_RSS_BUDGET_MB} MB budget")
    with ctx.app.app_context(), tempfile.TemporaryDirectory() as tmp:
        with ctx.timed():
            counts = _export("ledger", ctx.ds.as_of, os.path.join(tmp, "ledger.xlsx"))
    return counts["assignments"]


@scenario("overdue list of every plan (逾期清单, ~60,000 rows)")
def overdue_export(ctx: Context) -> int:
    with ctx.app.app_context(), tempfile.TemporaryDirectory() as tmp:
        with ctx.timed():
            counts = _export("overdue", overdue_date(ctx.ds.as_of), os.path.join(tmp, "overdue.xlsx"))
    return counts["overdue"]


def main(argv: list[str] | None = None) -> int:
    """Export once in this process and print {"rows", "seconds", "peak_rss_mb", "start_rss_mb", "bytes"} as JSON."""
    p = argparse.ArgumentParser(prog="python -m bench.scenarios.exports")
    p.add_argument("--url", required=True)
    p.add_argument("--kind", choices=("ledger", "overdue"), default="ledger")
    p.add_argument("--as-of", required=True)
    args = p.parse_args(argv)
    from tracker import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": args.url, "SECRET_KEY": "bench-secret"})
    with app.app_context(), tempfile.TemporaryDirectory() as tmp:
        _all_plans()  # connect and load the mappers before the baseline
        start = _rss_mb()
        out = os.path.join(tmp, f"{args.kind}.xlsx")
        began = time.perf_counter()
        counts = _export(args.kind, date.fromisoformat(args.as_of), out)
        seconds = time.perf_counter() - began
        size = os.path.getsize(out)
    rows = counts.get("assignments", counts.get("overdue", 0))
    print(json.dumps({"rows": rows, "seconds": seconds, "peak_rss_mb": _rss_mb(), "start_rss_mb": start,
                      "bytes": size}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
