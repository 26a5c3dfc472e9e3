"""Run scenarios through the Flask test client and summarise their timings."""
from __future__ import annotations

import gc
import os
import platform
import re
import statistics
import time
from contextlib import contextmanager
from typing import Any, Iterator

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from tracker.accounts.models import User
from tracker.extensions import db

from .dataset import Dataset
from .generators.core import PASSWORD
from .registry import Scenario

CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
TBODY = re.compile(r"<tbody>(.*?)</tbody>", re.S)


class ScenarioFailed(AssertionError):
    """A scenario got an answer other than the one it benchmarks (an error page is worth nothing)."""


class Context:
    """What a scenario gets: the app, the dataset, logged-in clients and timing helpers.

    A run's time is the sum of its `timed()` blocks and `get()` calls; a scenario that uses
    neither is timed as a whole. Setup such as logging in therefore stays out of the figures.
    The same parts are also measured in this process's CPU time, which a busy shared machine
    inflates far less than wall time (it leaves out a database server's own work).
    """

    def __init__(self, app: Flask, ds: Dataset):
        self.app = app
        self.ds = ds
        self._clients: dict[tuple, FlaskClient] = {}
        self._timed_ns: int | None = None
        self._timed_cpu_ns: int | None = None

    # -- setup, never timed --------------------------------------------------------------
    def scalar(self, stmt: sa.Select) -> Any:
        """Run a read for setup in its own app context and return one value."""
        with self.app.app_context():
            return db.session.scalar(stmt)

    def anonymous(self) -> FlaskClient:
        """Return a client with no session."""
        return self._clients.setdefault(("anonymous",), self.app.test_client())

    def client(self, role: str, unit_id: int | None = None) -> FlaskClient:
        """Return a client logged in as a user of `role` (of that unit when given), logging in once."""
        key = (role, unit_id)
        if key in self._clients:
            return self._clients[key]
        stmt = sa.select(User.username).where(User.role == role, User.is_active_account).order_by(User.id)
        if unit_id is not None:
            stmt = stmt.where(User.unit_id == unit_id)
        username = self.scalar(stmt.limit(1))
        if username is None:
            raise ScenarioFailed(f"no {role} user" + (f" for unit {unit_id}" if unit_id else ""))
        client = self.app.test_client()
        page = client.get("/login")
        token = CSRF_FIELD.search(page.get_data(as_text=True))
        data = {"username": username, "password": PASSWORD}
        if token:
            data["csrf_token"] = token.group(1)
        resp = client.post("/login", data=data)
        if resp.status_code != 302:
            raise ScenarioFailed(f"login as {username} answered {resp.status_code}")
        self._clients[key] = client
        return client

    # -- timing --------------------------------------------------------------------------
    def start_run(self) -> None:
        """Forget the timed blocks of the previous run."""
        self._timed_ns = None
        self._timed_cpu_ns = None

    def run_time_ns(self, whole_ns: int) -> int:
        """Return the run's time: its timed blocks if it had any, else the whole call."""
        return self._timed_ns if self._timed_ns is not None else whole_ns

    def run_cpu_ns(self, whole_ns: int) -> int:
        """Return the run's CPU time in this process, on the same terms as run_time_ns."""
        return self._timed_cpu_ns if self._timed_cpu_ns is not None else whole_ns

    @contextmanager
    def timed(self) -> Iterator[None]:
        """Count the time spent inside the block towards this run."""
        start, cpu = time.perf_counter_ns(), time.process_time_ns()
        try:
            yield
        finally:
            self._timed_ns = (self._timed_ns or 0) + time.perf_counter_ns() - start
            self._timed_cpu_ns = (self._timed_cpu_ns or 0) + time.process_time_ns() - cpu

    def get(self, client: FlaskClient, url: str, expect: int = 200):
        """GET url (timed) and fail the scenario unless the status is `expect`."""
        with self.timed():
            resp = client.get(url)
            resp.get_data()
        if resp.status_code != expect:
            raise ScenarioFailed(f"GET {url} answered {resp.status_code}, expected {expect}")
        return resp

    @staticmethod
    def table_rows(resp) -> int:
        """Return the number of rows in the page's table bodies."""
        html = resp.get_data(as_text=True)
        return sum(body.count("<tr") for body in TBODY.findall(html))


def run_scenario(ctx: Context, sc: Scenario, runs: int) -> dict:
    """Run a scenario `runs` times; the first is a warm-up and is not counted."""
    if runs < 2:
        raise ValueError("runs must be at least 2: the first run is a warm-up")
    times_ms: list[float] = []
    cpu_ms: list[float] = []
    rows = 0
    for i in range(runs):
        gc.collect()
        ctx.start_run()
        start, cpu = time.perf_counter_ns(), time.process_time_ns()
        result = sc.func(ctx)
        elapsed = ctx.run_time_ns(time.perf_counter_ns() - start)
        used = ctx.run_cpu_ns(time.process_time_ns() - cpu)
        rows = int(result or 0)
        if i > 0:
            times_ms.append(elapsed / 1e6)
            cpu_ms.append(used / 1e6)
    return {
        "name": sc.name,
        "median_ms": round(statistics.median(times_ms), 2),
        "min_ms": round(min(times_ms), 2),
        "max_ms": round(max(times_ms), 2),
        #: this process's CPU time (for SQLite all the work; for PostgreSQL the app's share)
        "cpu_median_ms": round(statistics.median(cpu_ms), 2),
        "runs": len(times_ms),
        "rows": rows,
    }


def reference_ms(rounds: int = 5) -> float:
    """Time a fixed pure-Python loop (median of a few rounds, CPU ms): the machine's speed right now.

    Virtual machines slow down and speed up with their neighbours' load, by half again or more;
    figures taken at different times compare only beside this one.
    """
    times = []
    for _ in range(rounds):
        start = time.process_time_ns()
        total = 0
        for i in range(1_000_000):
            total += i
        times.append((time.process_time_ns() - start) / 1e6)
    return round(sorted(times)[rounds // 2], 1)


def machine() -> dict:
    return {
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "reference_loop_ms": reference_ms(),
    }


def format_table(results: list[dict]) -> str:
    """Return the results as a fixed-width text table."""
    width = max([len("scenario")] + [len(r["name"]) for r in results])
    lines = [f"{'scenario':<{width}}  {'median ms':>9}  {'min':>8}  {'max':>8}  {'cpu ms':>8}  {'rows':>6}"]
    lines.append("-" * len(lines[0]))
    for r in results:
        if "error" in r:
            lines.append(f"{r['name']:<{width}}  FAILED: {r['error']}")
            continue
        cpu = r.get("cpu_median_ms")
        lines.append(f"{r['name']:<{width}}  {r['median_ms']:>9.1f}  {r['min_ms']:>8.1f}  {r['max_ms']:>8.1f}  "
                     f"{'' if cpu is None else f'{cpu:.1f}':>8}  {r['rows']:>6}")
    return "\n".join(lines)
