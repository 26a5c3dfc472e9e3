"""`flask requests due|…`: the statutory clock and the register from the command line."""
from __future__ import annotations

import json

import click

from . import clock


def _fail(exc: Exception) -> None:
    raise click.ClickException(str(exc)) from None


@click.group("requests", help="依申请公开：答复期限计算与申请登记")
def cli():
    pass


@cli.command("due")
@click.option("--received", required=True, metavar="YYYY-MM-DD", help="收到申请之日")
@click.option("--corrected", default=None, metavar="YYYY-MM-DD", help="收到补正后申请之日")
@click.option("--pause", "pauses", multiple=True, metavar="START:END", help="不计入答复期限的期间（含首尾），可多次")
@click.option("--extension", default=0, type=int, help="经批准延长的工作日数（最多20）")
@click.option("--delayed", default=None, metavar="YYYY-MM-DD", help="依条例第三十五条另行确定的答复期限")
@click.option("--as-of", "as_of", default=None, metavar="YYYY-MM-DD", help="按哪一天计算剩余工作日")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
def due_cmd(received, corrected, pauses, extension, delayed, as_of, as_json):
    """Print the correction-notice deadline and the answer deadline of one request."""
    from ..supervise.calendar_db import current_calendar

    try:
        received_on = clock.parse_date(received, "收到申请日期")
        corrected_on = clock.parse_date(corrected, "补正后收到日期") if corrected else None
        delayed_on = clock.parse_date(delayed, "另行确定的答复期限") if delayed else None
        as_of_on = clock.parse_date(as_of, "计算日期") if as_of else None
        parsed = [clock.parse_pause(p) for p in pauses]
        calendar = current_calendar()
        result = clock.deadlines(received_on, corrected=corrected_on, pauses=parsed, extension=extension,
                                 delayed_due_on=delayed_on, as_of=as_of_on, calendar=calendar)
        where = clock.standing(result, as_of_on, calendar=calendar) if as_of_on else None
    except clock.ClockError as exc:
        _fail(exc)
    data = clock.as_dict(result, where)
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False))
        return
    click.echo(f"补正告知期限：{data['correction_notice_by']}")
    click.echo(f"答复期限：{data['due_on']}（{data['working_days']}个工作日，暂停{data['paused_working_days']}个工作日）")
    if where:
        if where.is_overdue:
            click.echo(f"截至{where.as_of.isoformat()}已超期（逾期{where.working_days_overdue}个工作日）")
        else:
            click.echo(f"截至{where.as_of.isoformat()}剩余{where.working_days_left}个工作日")


@cli.command("sweep")
@click.option("--as-of", "as_of", default=None, metavar="YYYY-MM-DD", help="按哪一天巡查（默认今天）")
@click.option("--soon-days", default=None, type=int, help="临期工作日数（默认同任务督办设置）")
@click.option("--escalate-after", default=None, type=int, help="逾期超过多少个工作日督办（默认同任务督办设置）")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
def sweep_cmd(as_of, soon_days, escalate_after, as_json):
    """Flag requests due soon and overdue, remind the units and tell the supervisors."""
    from ..extensions import db
    from .queries import today
    from .sweep import sweep_requests

    try:
        day = clock.parse_date(as_of, "巡查日期") if as_of else today()
    except clock.ClockError as exc:
        _fail(exc)
    if (soon_days is not None and soon_days < 0) or (escalate_after is not None and escalate_after < 1):
        _fail(ValueError("临期天数不能为负数，督办所需逾期工作日至少为1天。"))
    result = sweep_requests(day, soon_days=soon_days, escalate_after=escalate_after)
    db.session.commit()
    data = result.to_json()
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False))
    else:
        click.echo(f"依申请公开巡查（{day.isoformat()}）：超期未答复{result.overdue}件、临期{result.due_soon}件，"
                   f"新提醒{result.reminded}件、督办{result.escalated}件，消息{result.notifications}条")
