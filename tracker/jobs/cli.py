"""`flask scheduler run | jobs | run-job JOB`."""
from __future__ import annotations

import json
import signal
import sys
from datetime import date, datetime

import click
from flask import current_app
from flask.cli import with_appcontext

from ..config import ConfigError
from ..timeutil import parse_iso_date
from . import runner, scheduler


def _as_of(ctx, param, value: str | None) -> date | None:
    try:
        return parse_iso_date(value)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None


@click.group("scheduler", help="定时任务：逾期巡查、回头看、考核计算等")
def cli():
    pass


def _schedule_lines(app) -> list[str]:
    specs = runner.registry()
    when = {job_id: at for job_id, _, at in scheduler.next_runs(app)}
    lines = []
    for job_id, spec in specs.items():
        with app.app_context():
            rule = spec.describe() if spec.describe else "仅手动运行"
        nxt = f"，下次运行 {when[job_id]:%Y-%m-%d %H:%M}" if job_id in when else ""
        lines.append(f"{job_id:<11} {spec.label}（{rule}{nxt}）")
    return lines


@cli.command("jobs")
@with_appcontext
def jobs_cmd():
    """List every job, its schedule and its next run."""
    try:
        lines = _schedule_lines(current_app._get_current_object())
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    for line in lines:
        click.echo(line)


@cli.command("run-job")
@click.argument("job_id", metavar="JOB")
@click.option("--as-of", "as_of", callback=_as_of, default=None, metavar="YYYY-MM-DD",
              help="按哪一天运行（默认今天，北京时间）")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON：job、outcome、counts、run_id")
@with_appcontext
def run_job_cmd(job_id: str, as_of: date | None, as_json: bool):
    """Run one job now exactly as the scheduler would (locked, recorded); a copy already running makes it skip."""
    try:
        spec = runner.get(job_id)
        outcome = runner.run(job_id, as_of, trigger="cli")
    except KeyError as exc:
        raise click.ClickException(exc.args[0]) from None
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        out = outcome.to_json()
        out.pop("error")
        click.echo(json.dumps(out, ensure_ascii=False, default=str))
    else:
        counts = "，".join(f"{label}{value}" for label, value in runner.label_counts(job_id, outcome.counts))
        word = {"ok": "完成", "skipped": "跳过", "failed": "失败"}[outcome.outcome]
        click.echo(f"{spec.label}：{word}（运行记录 #{outcome.run_id}）" + (f"：{counts}" if counts else ""))
    if outcome.error:
        click.echo(outcome.error, err=True)
    if outcome.outcome == "failed":
        raise SystemExit(1)


def _stop(signum, frame):
    raise SystemExit(0)


@cli.command("run")
@with_appcontext
def run_cmd():
    """Start the scheduler in the foreground (one process per deployment); Ctrl+C or SIGTERM stops it."""
    app = current_app._get_current_object()
    try:
        sched = scheduler.build_scheduler(app)
        lines = _schedule_lines(app)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    signal.signal(signal.SIGTERM, _stop)
    beat = scheduler.Heartbeat(app)
    try:
        beat_id = beat.start()
        for line in lines:
            click.echo(line)
        for outcome in scheduler.catch_up(app, exclude_beat=beat_id):
            click.echo(f"补运行错过的任务：{runner.get(outcome.job_id).label}，结果：{outcome.outcome}")
        click.echo(f"定时任务已启动（{datetime.now():%Y-%m-%d %H:%M}，Ctrl+C 停止）。", nl=True)
        sys.stdout.flush()
        sched.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        if beat.beat_id is not None:
            beat.stop()
        click.echo("定时任务已停止。")
