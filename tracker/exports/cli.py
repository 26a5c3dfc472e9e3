"""`flask export ledger|overdue|assessment --plan ID [--as-of YYYY-MM-DD] -o FILE`."""
from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import click
from flask import current_app

from ..errors import ServiceError
from ..extensions import db
from ..plans.models import Plan
from ..timeutil import app_today, parse_iso_date
from . import documents
from .queries import Selection


def _as_of(ctx, param, value: str | None) -> date | None:
    try:
        return parse_iso_date(value)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None


def _plans(plan_ids: tuple[int, ...]) -> tuple[Plan, ...]:
    plans = []
    for plan_id in plan_ids:
        plan = db.session.get(Plan, plan_id)
        if plan is None:
            raise click.ClickException(f"工作要点 {plan_id} 不存在。")
        plans.append(plan)
    return tuple(plans)


PLANS = click.option("--plan", "plan_ids", type=int, multiple=True, required=True,
                     help="工作要点编号（可重复，多个工作要点合并导出）")
AS_OF = click.option("--as-of", "as_of", callback=_as_of, default=None, metavar="YYYY-MM-DD",
                     help="统计日期（默认今天，北京时间）")
OUT = click.option("-o", "--output", "output", type=click.Path(dir_okay=False, path_type=Path), required=True,
                   help="输出的 .xlsx 文件")


@click.group("export", help="导出 Excel：工作台账、逾期清单、考核结果")
def cli():
    pass


def _selection(plan_ids: tuple[int, ...], as_of: date | None) -> Selection:
    tz = current_app.config["TIMEZONE"]
    return Selection(plans=_plans(plan_ids), as_of=as_of or app_today(), tz=tz)


def _done(output: Path, counts: dict[str, int], started: float) -> None:
    rows = "，".join(f"{k} {v} 行" for k, v in counts.items())
    click.echo(f"已导出 {output}（{rows}，用时 {time.perf_counter() - started:.1f} 秒）")


@cli.command("ledger")
@PLANS
@AS_OF
@OUT
def ledger_cmd(plan_ids, as_of, output):
    """Write the 工作台账 of one or more plans."""
    started = time.perf_counter()
    sel = _selection(plan_ids, as_of)
    _done(output, documents.write_ledger(str(output), sel), started)


@cli.command("overdue")
@PLANS
@AS_OF
@OUT
def overdue_cmd(plan_ids, as_of, output):
    """Write the 逾期清单 of one or more plans at a date."""
    started = time.perf_counter()
    sel = _selection(plan_ids, as_of)
    _done(output, documents.write_overdue(str(output), sel), started)


@cli.command("assessment")
@click.option("--plan", "plan_id", type=int, required=True, help="工作要点编号")
@click.option("--version", "number", type=int, default=None, help="版本号（默认最新版本；尚无版本时按统计日期计算，不保存）")
@AS_OF
@OUT
def assessment_cmd(plan_id, number, as_of, output):
    """Write the 考核结果 of a stored version (or of a fresh, unsaved computation)."""
    from ..assessment import queries, services
    from ..assessment.models import AssessmentVersion

    started = time.perf_counter()
    plan = _plans((plan_id,))[0]
    if number is not None:
        version = db.session.scalar(queries.plan_versions(plan.id).where(AssessmentVersion.number == number))
        if version is None:
            raise click.ClickException(f"该工作要点没有第{number}版考核结果。")
    else:
        version = queries.latest_version(plan.id)
    if version is None:
        day = as_of or app_today()
        try:
            version = services.compute_version(None, plan, day)
        except ServiceError as exc:
            db.session.rollback()
            raise click.ClickException(exc.message) from None
        click.echo(f"尚无已保存的考核结果，按 {day.isoformat()} 计算（不保存）。")
        counts = documents.write_assessment(str(output), version)
        db.session.rollback()
    else:
        counts = documents.write_assessment(str(output), version)
    _done(output, counts, started)
