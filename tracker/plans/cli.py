"""`flask plans parse|import|list`."""
from __future__ import annotations

import json
from pathlib import Path

import click
import sqlalchemy as sa

from ..errors import ServiceError
from ..extensions import db
from ..units import services as unit_services
from ..units.models import Unit
from . import queries, services
from .draft import ParseError
from .parser import parse_file
from .resolve import DirGroup, DirUnit, UnitDirectory

FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.group("plans", help="工作要点：解析、导入、列表")
def cli():
    pass


def _yaml_directory(path: Path) -> UnitDirectory:
    """Build a resolver from a units.yaml without touching the database."""
    doc = unit_services.parse_directory(path.name, path.read_bytes())
    units = [DirUnit(id=i, name=u["name"], short_name=u.get("short_name"), aliases=list(u.get("aliases") or []),
                     kind=u.get("kind") or "other") for i, u in enumerate(doc["units"], start=1)]
    by_name = {u.name: u for u in units}
    parent_of = {u["name"]: u.get("parent") for u in doc["units"]}
    groups = []
    for g in doc.get("groups") or []:
        rule = g.get("rule") or {}
        if rule.get("kind"):
            ids = [u.id for u in units if u.kind == rule["kind"] and (not rule.get("parent") or parent_of.get(u.name) == rule["parent"])]
        else:
            ids = [by_name[m].id for m in g.get("members") or [] if m in by_name]
        groups.append(DirGroup(phrase=g["phrase"], member_ids=ids, aliases=list(g.get("aliases") or [])))
    root = next((u["name"] for u in doc["units"] if not u.get("parent")), "")
    return UnitDirectory(units, groups, jurisdiction=doc.get("jurisdiction") or root.replace("人民政府", ""))


@cli.command("parse")
@click.argument("path", type=FILE)
@click.option("--year", type=int, default=None, help="年度（不填则从文件识别）")
@click.option("--units", "units_path", type=FILE, default=None, help="单位名录 YAML，用于检查名称能否匹配")
def parse_cmd(path: Path, year: int | None, units_path: Path | None):
    """Print the parsed draft of a document as JSON; the database is not touched."""
    try:
        draft = parse_file(path.name, path.read_bytes(), year=year)
    except ParseError as exc:
        raise click.ClickException(str(exc)) from exc
    out = draft.to_json()
    if units_path:
        directory = _yaml_directory(units_path)
        names = []
        for t in out["tasks"]:
            for key in ("lead_units", "responsible_units", "cooperating_units"):
                names.extend(n for n in t[key] if n not in names)
        for name in names:
            r = directory.resolve(name)
            if r.status == "unresolved":
                out["warnings"].append(f"单位名称未匹配：{name}")
    click.echo(json.dumps(out, ensure_ascii=False, indent=2))


@cli.command("import")
@click.argument("path", type=FILE)
@click.option("--units", "units_path", type=FILE, default=None, help="先导入该单位名录 YAML")
@click.option("--unit", "unit_name", default=None, help="所属辖区单位全称（默认取名录的顶级单位）")
@click.option("--year", type=int, default=None)
@click.option("--drop-unresolved", is_flag=True, help="删除未能匹配的单位名称（默认：列出并拒绝导入）")
@click.option("--update", is_flag=True, help="文件已导入过时更新已有工作要点")
@click.option("--accept-issuer", is_flag=True, help="发文机关不属于所属辖区时仍导入（单位名称只按辖区全称匹配）")
def import_cmd(path: Path, units_path: Path | None, unit_name: str | None, year: int | None,
               drop_unresolved: bool, update: bool, accept_issuer: bool):
    """Import a document as a plan and print its id."""
    try:
        if units_path:
            doc = unit_services.parse_directory(units_path.name, units_path.read_bytes())
            unit_services.import_directory(None, doc)
            if not unit_name:
                unit_name = next(u["name"] for u in doc["units"] if not u.get("parent"))
        if not unit_name:
            raise ServiceError("请用 --unit 指定所属辖区，或用 --units 给出单位名录。")
        unit = db.session.scalar(sa.select(Unit).where(Unit.name == unit_name))
        if unit is None:
            raise ServiceError(f"单位“{unit_name}”不存在。")
        click.echo(f"解析 {path.name} …")
        imp = services.start_import(None, unit, filename=path.name, data=path.read_bytes(), year=year)
        warning = services.issuer_warning(imp)
        if warning:
            click.secho(f"警告：{warning}", fg="red", bold=True, err=True)
            if not accept_issuer:
                raise ServiceError("发文机关不属于所属辖区，未导入。请用 --unit 选择正确的辖区；确需导入时加 --accept-issuer。")
        open_names = [n for n, st in services.name_states(imp).items() if st.is_open]
        if open_names and not drop_unresolved:
            raise ServiceError("以下单位名称未能匹配，未导入（可加 --drop-unresolved 删除这些名称）：\n  " + "\n  ".join(open_names))
        for name in open_names:
            services.set_choice(None, imp, name, "drop")
            click.echo(f"  已删除未匹配的名称：{name}")
        plan = services.confirm(None, imp, mode="update" if update else "new", accept_issuer=accept_issuer)
    except (ServiceError, unit_services.DirectoryImportError) as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from exc
    db.session.commit()
    counts = queries.plan_counts([plan.id])[plan.id]
    click.echo(f"已导入《{plan.title}》：任务{counts['tasks']}项，承办{counts['assignments']}个。")
    click.echo(plan.id)


@cli.command("list")
@click.option("--json", "as_json", is_flag=True)
def list_cmd(as_json: bool):
    """List plans with their counts."""
    from .models import Plan

    plans = db.session.scalars(sa.select(Plan).order_by(Plan.year.desc(), Plan.id)).all()
    counts = queries.plan_counts([p.id for p in plans])
    rows = [{"id": p.id, "title": p.title, "doc_number": p.doc_number, "year": p.year,
             "issued_on": p.issued_on.isoformat() if p.issued_on else None, "unit": p.unit.name, **counts[p.id]}
            for p in plans]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for r in rows:
        click.echo(f"{r['id']:>4}  {r['year']}  {r['title']}  {r['doc_number'] or ''}  任务{r['tasks']} 承办{r['assignments']}")


# --- 交办件 (ad-hoc 督办 items) -----------------------------------------------------------------------


@click.group("items", help="交办件：新建、列表")
def items_cli():
    pass


def _day(value: str | None, what: str):
    from datetime import date

    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ServiceError(f"{what}“{value}”格式不正确，应为 YYYY-MM-DD。") from None


@items_cli.command("create")
@click.option("--source", required=True, help="来源：领导批示、会议议定事项、上级交办、评估发现问题、群众反映、其他")
@click.option("--doc-number", default="", help="来源文件编号")
@click.option("--doc-date", default=None, help="来源文件日期 YYYY-MM-DD")
@click.option("--title", required=True)
@click.option("--text", default="")
@click.option("--lead", multiple=True, help="牵头单位（名录中的名称，可多次给出）")
@click.option("--responsible", multiple=True, help="责任单位（可多次给出）")
@click.option("--due", required=True, help="办理时限 YYYY-MM-DD")
@click.option("--jurisdiction", default=None, help="所属辖区（默认：牵头单位所在的最上级单位）")
@click.option("--campaign", default="", help="专项督办名称")
@click.option("--scan", "scan_path", type=FILE, default=None, help="来源文件扫描件")
@click.option("--json", "as_json", is_flag=True)
def items_create_cmd(source, doc_number, doc_date, title, text, lead, responsible, due, jurisdiction, campaign,
                     scan_path, as_json):
    """Open an ad-hoc item with its assignments and print it."""
    from ..units.cli import unit_named
    from . import assign

    try:
        leads = [unit_named(n) for n in lead]
        others = [unit_named(n) for n in responsible]
        if jurisdiction:
            home = unit_named(jurisdiction)
        elif leads or others:
            root_id = int((leads or others)[0].path.strip("/").split("/")[0])
            home = db.session.get(Unit, root_id)
        else:
            raise ServiceError("请至少指定一个牵头单位或责任单位。")
        item = assign.ItemInput(source=source, title=title, text=text, due=_day(due, "办理时限"), lead=leads,
                                responsible=others, doc_number=doc_number, source_date=_day(doc_date, "来源文件日期"),
                                campaign=campaign)
        if scan_path is not None:
            with scan_path.open("rb") as fh:
                task = assign.create_item(None, home, item, scan=fh, scan_name=scan_path.name)
        else:
            task = assign.create_item(None, home, item)
        db.session.flush()
        db.session.refresh(task)
        out = assign.item_json(task)
    except ServiceError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from exc
    db.session.commit()
    if as_json:
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    click.echo(f"已新建交办件 {out['ref']}：{out['title']}（{out['source']}，{out['due']}前办结）")
    for a in out["assignments"]:
        click.echo(f"  {a['role']}：{a['unit']}")


@items_cli.command("list")
@click.option("--campaign", default=None, help="只列出某一专项督办")
@click.option("--json", "as_json", is_flag=True)
def items_list_cmd(campaign, as_json):
    """List the ad-hoc items, newest first."""
    from . import assign

    rows = [assign.item_json(t) for t in assign.items(campaign=campaign)]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for r in rows:
        units = "、".join(a["unit"] for a in r["assignments"])
        click.echo(f"{r['id']:>4}  {r['source']}  {r['doc_number'] or ''}  {r['title']}  {r['due']}前  {units}")


EXTRA_COMMANDS = (items_cli,)
