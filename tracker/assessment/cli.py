"""`flask assess compute|freeze` and `flask rubric load|show`."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from ..errors import ServiceError
from ..extensions import db
from ..plans.models import Plan
from ..timeutil import app_today, parse_iso_date
from . import queries, services
from .models import AssessmentVersion


def _as_of(ctx, param, value: str | None) -> date | None:
    try:
        return parse_iso_date(value)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None


def _plan(plan_id: int) -> Plan:
    plan = db.session.get(Plan, plan_id)
    if plan is None:
        raise click.ClickException(f"工作要点 {plan_id} 不存在。")
    return plan


@click.group("assess", help="考核：计算、发布考核结果")
def cli():
    pass


@cli.command("compute")
@click.option("--plan", "plan_id", type=int, required=True, help="工作要点编号")
@click.option("--as-of", "as_of", callback=_as_of, default=None, metavar="YYYY-MM-DD", help="考核日期（默认今天）")
@click.option("--json", "as_json", is_flag=True, help="输出完整结果 JSON")
@click.option("--save", is_flag=True, help="保存为新版本（不加则只计算、不保存）")
def compute_cmd(plan_id: int, as_of: date | None, as_json: bool, save: bool):
    """Score every unit of a plan; print the ranking or, with --json, the whole result."""
    plan = _plan(plan_id)
    as_of = as_of or app_today()
    try:
        _doc, rubric = services.plan_rubric(plan)
        result = services.compute_result([plan], rubric, as_of, excluded=queries.accepted_item_ids(plan.id))
        version = services.compute_version(None, plan, as_of) if save else None
    except ServiceError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from None
    if save:
        db.session.commit()
    if as_json:
        click.echo(result.to_json())
        return
    click.echo(f"{plan.title}：考核日期 {as_of.isoformat()}，{len(result.units)} 个单位"
               + (f"，已保存为第{version.number}版" if version else "（未保存，加 --save 保存）"))
    for category in rubric.categories:
        click.echo(f"{category.name}")
        for u in result.category(category.code):
            click.echo(f"  {u.rank:>3}  {u.total:>7}  {u.converted:>5}  {u.unit}（{len(u.items)}项）")
    if result.unranked:
        click.echo("未分类单位（不参加排名）")
        for u in result.unranked:
            click.echo(f"       {u.total:>7}  {u.converted:>5}  {u.unit}")


@cli.command("freeze")
@click.option("--plan", "plan_id", type=int, required=True, help="工作要点编号")
@click.option("--version", "number", type=int, default=None, help="版本号（默认最新版本）")
def freeze_cmd(plan_id: int, number: int | None):
    """Publish the newest version of a plan's assessment."""
    plan = _plan(plan_id)
    version = queries.latest_version(plan.id)
    if number is not None and (version is None or version.number != number):
        version = db.session.scalar(queries.plan_versions(plan.id).where(AssessmentVersion.number == number))
    if version is None:
        raise click.ClickException("该工作要点尚未计算考核结果，请先运行 flask assess compute --save。")
    try:
        told = services.freeze_version(None, version)
    except ServiceError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from None
    db.session.commit()
    click.echo(f"已发布第{version.number}版，通知{told}名填报员；申诉截止 {services.objection_deadline(version)}。")


@click.group("rubric", help="考核细则：导入、查看")
def rubric_cli():
    pass


@rubric_cli.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--year", type=int, default=None, help="年度（须与文件中的 year 一致；默认取文件中的年度）")
def load_cmd(path: Path, year: int | None):
    """Validate a rubric YAML file and store it for its year."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise click.ClickException(f"{path} 不是 UTF-8 编码的文本。") from None
    try:
        doc = services.save_rubric(None, text, year=year)
    except services.RubricRejected as exc:
        db.session.rollback()
        raise click.ClickException("考核细则有误，未保存：\n" + "\n".join(exc.messages)) from None
    db.session.commit()
    click.echo(f"已保存{doc.year}年度考核细则：{doc.name}")


@rubric_cli.command("show")
@click.option("--year", type=int, required=True)
def show_cmd(year: int):
    """Print the stored rubric of a year."""
    doc = queries.rubric_for_year(year)
    if doc is None:
        raise click.ClickException(f"尚未导入{year}年度考核细则。")
    click.echo(doc.yaml_text)


EXTRA_COMMANDS = (rubric_cli,)
