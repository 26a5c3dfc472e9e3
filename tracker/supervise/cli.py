"""`flask supervise sweep|lookback` and `flask scheduler run|jobs`."""
from __future__ import annotations

import json
from datetime import date

import click
from flask.cli import with_appcontext

from ..config import ConfigError
from ..extensions import db
from ..plans.models import Plan
from ..timeutil import parse_iso_date
from . import jobs


def _as_of(ctx, param, value: str | None) -> date | None:
    try:
        return parse_iso_date(value)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None


AS_OF = click.option("--as-of", "as_of", callback=_as_of, default=None, metavar="YYYY-MM-DD",
                     help="按哪一天计算（默认今天，北京时间）")


@click.group("supervise", help="督办：逾期巡查、回头看")
def cli():
    pass


def _finish(outcome: jobs.JobOutcome) -> None:
    if outcome.outcome == "skipped":
        raise click.ClickException(f"未运行：{outcome.error}（任务记录 #{outcome.run_id}）")
    if outcome.outcome == "failed":
        raise click.ClickException(f"运行失败，已回滚，未作任何修改：{outcome.error}（任务记录 #{outcome.run_id}）")


@cli.command("sweep")
@AS_OF
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
def sweep_cmd(as_of: date | None, as_json: bool):
    """Flag due-soon and overdue assignments, send reminders and escalation notices (locked, recorded)."""
    try:
        outcome = jobs.sweep_job(as_of, trigger="cli")
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    _finish(outcome)
    out = outcome.counts
    if as_json:
        click.echo(json.dumps(out, ensure_ascii=False))
        return
    click.echo(f"巡查日期 {out['as_of']}：逾期 {out['overdue']} 项（新增 {out['newly_overdue']}），"
               f"临期 {out['due_soon']} 项；催办 {out['reminders_created']} 条，督办通知 {out['escalations_created']} 份，"
               f"整改逾期 {out['rectifications_overdue']} 项。")
    if out.get("calendar_warning"):
        click.echo(f"注意：{out['calendar_warning']}")


@cli.command("lookback")
@click.option("--plan", "plan_id", type=int, required=True, help="工作要点编号（flask plans list 可查）")
@AS_OF
@click.option("--deadline-days", type=int, default=15, show_default=True, help="整改时限（工作日）")
@click.option("--prefix", default=None, help="文号前缀，如 运政办整改（默认取配置或工作要点文号）")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
def lookback_cmd(plan_id: int, as_of: date | None, deadline_days: int, prefix: str | None, as_json: bool):
    """Review a plan and issue one numbered rectification notice per unit with unfinished items."""
    plan = db.session.get(Plan, plan_id)
    if plan is None:
        raise click.ClickException(f"工作要点 {plan_id} 不存在（可用 flask plans list 查看编号）。")
    as_of = as_of or jobs.today()
    if not 1 <= deadline_days <= 250:
        raise click.ClickException("整改时限应为1到250个工作日。")
    # As the look-back job: under its lock, recorded; another look-back running makes this one skip.
    outcome, result = jobs.lookback_plan_job(plan, as_of, trigger="cli", deadline_workdays=deadline_days,
                                             prefix=prefix)
    _finish(outcome)
    if as_json:
        click.echo(json.dumps(result.to_json(), ensure_ascii=False))
        if result.message:
            click.echo(result.message, err=True)
        return
    if result.message:
        click.echo(result.message)
    else:
        click.echo(f"《{plan.title}》回头看：新发整改通知 {result.notices} 份，整改事项 {result.items} 项，"
                   f"涉及 {result.units} 个单位；整改时限 {result.due_on.isoformat()}。")
    if result.calendar_warning:
        click.echo(f"注意：{result.calendar_warning}")


@click.group("documents", help="公文：列出和生成整改通知、督办通知、通报、催办提醒、交办件督办单和依申请公开文书")
def documents_cli():
    pass


@documents_cli.command("list")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@with_appcontext
def documents_list(as_json: bool):
    """列出已有的全部公文（类型、编号、文号、发文机关、主送单位、日期）。"""
    from .documents import KIND_LABELS, listing

    rows = listing()
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False))
        return
    for r in rows:
        click.echo(f"{KIND_LABELS[r['kind']]}\t{r['kind']} {r['id']}\t{r['doc_number'] or '—'}\t{r['issuer']}"
                   f" → {r['addressee']}\t{r['date']}")
    click.echo(f"共{len(rows)}份。")


@documents_cli.command("render")
@click.argument("kind")
@click.argument("object_id")
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False), help="写入的 .docx 文件")
@with_appcontext
def documents_render(kind: str, object_id: str, output: str):
    """生成一份公文（与网页下载的文件完全相同）：KIND 为 rectification、escalation、circular、reminder、item
    或 disclosure_receipt、disclosure_correction、disclosure_extension、disclosure_third_party、disclosure_fee、
    disclosure_answer（ID 为申请的编号）。"""
    from ..extensions import db
    from .documents import DISCLOSURE_KINDS, NotFound, file_of

    try:
        f = file_of(kind, object_id)
    except NotFound as exc:
        raise click.ClickException(str(exc)) from None
    if kind in DISCLOSURE_KINDS:
        # a document addressed to the applicant shows their name: audited as the web download is
        from ..disclosure import documents as register
        from ..disclosure.services import log_applicant_view

        if DISCLOSURE_KINDS[kind] in register.WITH_APPLICANT:
            from ..disclosure.models import DisclosureRequest

            log_applicant_view(None, db.session.get(DisclosureRequest, int(object_id)),
                               purpose=f"cli:docx:{DISCLOSURE_KINDS[kind]}")
            db.session.commit()
    with open(output, "wb") as out:
        out.write(f.data)
    click.echo(f"已写入 {output}（{f.name}）")


#: further command groups create_app registers next to `cli`
EXTRA_COMMANDS = (documents_cli,)
