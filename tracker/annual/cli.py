"""`flask annual-report check|import`: read, check and store 政府信息公开工作年度报告."""
from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import with_appcontext

from ..errors import ServiceError
from ..extensions import db
from . import checks, reader, services
from . import formats as F


@click.group("annual-report", help="政府信息公开工作年度报告：读取、校验、导入")
def cli():
    pass


def _read(path: str) -> reader.ReportData:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise click.ClickException(f"无法读取文件 {path}：{exc.strerror or exc}") from None
    try:
        return reader.read_file(data, Path(path).name)
    except reader.ReportReadError as exc:
        raise click.ClickException(exc.message) from None


def echo_result(result: dict) -> None:
    """Print a checked report for a clerk: what was read, then each failed rule."""
    who = " ".join(str(x) for x in (result["unit_name"], f"{result['year']}年度" if result["year"] else None) if x)
    click.echo(f"{who or '（标题中未读到单位和年度）'}：{result['format_label']}")
    total = len(result["checks"])
    if result["consistent"]:
        click.echo(f"勾稽关系一致：{total} 项校验全部通过。")
    else:
        click.echo(f"勾稽关系不一致：{total} 项校验中 {len(result['failures'])} 项未通过：")
        for n, failure in enumerate(result["failures"], 1):
            click.echo(f"  {n}. {failure['message']}")
    if not result["carry_over_checked"]:
        click.echo("（未提供上年度报告，未校验上年结转。）")


@cli.command("check")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--last-year", "last_year", type=click.Path(dir_okay=False), default=None,
              help="上年度报告文件，用于校验上年结转")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@click.option("-o", "--docx", "docx_out", type=click.Path(dir_okay=False), default=None,
              help="按国家年度报告格式另存为 Word 文件")
def check_cmd(file: str, last_year: str | None, as_json: bool, docx_out: str | None):
    """Read a report (text or .docx), recognise its format and check every rule of its tables."""
    report = _read(file)
    result = checks.summary(report, _read(last_year) if last_year else None)
    if docx_out:
        from .document import render

        Path(docx_out).write_bytes(render(report, report.unit_name or "", report.year or 0))
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    echo_result(result)


@cli.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--unit", "unit_name", required=True, help="单位全称")
@click.option("--year", type=int, required=True, help="报告年度，如 2020")
@click.option("--force", is_flag=True, help="报告勾稽关系不一致时，确认后仍导入")
@with_appcontext
def import_cmd(file: str, unit_name: str, year: int, force: bool):
    """Import a checked report as the unit's report for the year (an inconsistent one only with --force)."""
    try:
        data = Path(file).read_bytes()
    except OSError as exc:
        raise click.ClickException(f"无法读取文件 {file}：{exc.strerror or exc}") from None
    try:
        unit = services.find_unit(unit_name)
        report = services.import_report(None, unit, year, data, Path(file).name, confirm=force)
    except services.InconsistentReport as exc:
        db.session.rollback()
        echo_result(exc.result)
        raise click.ClickException("未导入：报告勾稽关系不一致。核对无误后可加 --force 确认导入。") from None
    except ServiceError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from None
    db.session.commit()
    state = "勾稽关系一致" if report.is_consistent else f"勾稽关系不一致（{len(report.failures)} 项，已确认导入）"
    click.echo(f"已导入 {unit.name} {year} 年度报告（{F.FORMAT_LABELS[report.format]}），{state}，状态：草稿。")
    from .tasks import report_assignment

    assignment = report_assignment(unit.id, year)
    if assignment is not None and assignment.status != "completed":
        click.echo("已作为本单位年度报告任务的办结申请提交（附 Word 全文），等待督查人员审核。")


@cli.command("tasks")
@click.option("--jurisdiction", "jurisdiction_name", required=True, help="辖区（本级政府）单位全称")
@click.option("--year", type=int, required=True, help="报告年度，如 2021（次年报送、公布）")
@with_appcontext
def tasks_cmd(jurisdiction_name: str, year: int):
    """Create one assignment per unit of the jurisdiction to write the year's report, with its statutory deadline."""
    from .tasks import create_report_tasks

    try:
        plan, added = create_report_tasks(None, services.find_unit(jurisdiction_name), year)
    except ServiceError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from None
    db.session.commit()
    click.echo(f"《{plan.title}》：新增承办 {added} 项（部门 {year + 1}年1月31日前，政府 {year + 1}年3月31日前）。")


@cli.command("build")
@click.option("--unit", "unit_name", required=True, help="单位全称")
@click.option("--year", type=int, required=True, help="报告年度，如 2021")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@click.option("-o", "--docx", "docx_out", type=click.Path(dir_okay=False), default=None, help="另存为 Word 文件")
@with_appcontext
def build_cmd(unit_name: str, year: int, as_json: bool, docx_out: str | None):
    """Build the unit's report for the year from the 依申请公开 register and store it as a draft."""
    from .build import build_report
    from .document import render

    try:
        unit = services.find_unit(unit_name)
        report, result = build_report(None, unit, year)
    except ServiceError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from None
    db.session.commit()
    if docx_out:
        Path(docx_out).write_bytes(render(reader.ReportData.from_dict(report.content), unit.name, year))
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    click.echo(f"已生成 {unit.name} {year} 年度报告草稿（{F.FORMAT_LABELS[report.format]}）。")
    echo_result(result)
