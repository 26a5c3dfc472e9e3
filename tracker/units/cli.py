"""`flask units import FILE`: load a unit directory."""
from __future__ import annotations

from pathlib import Path

import click

from ..extensions import db
from . import services


@click.group("units", help="单位名录")
def cli():
    pass


@cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_cmd(path: Path):
    """Import units and group phrases from a YAML or xlsx directory."""
    try:
        doc = services.parse_directory(path.name, path.read_bytes())
        result = services.import_directory(None, doc)
    except services.DirectoryImportError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from exc
    db.session.commit()
    click.echo(f"导入完成：新建{len(result.created)}个单位，更新{len(result.updated)}个，统称{len(result.groups)}条。")


def unit_named(name: str):
    """Return the unit a CLI argument names (its full name, else its short name), or fail in Chinese."""
    import sqlalchemy as sa

    from ..errors import ServiceError
    from .models import Unit

    name = (name or "").strip()
    unit = db.session.scalar(sa.select(Unit).where(Unit.name == name))
    if unit is None:
        found = db.session.scalars(sa.select(Unit).where(Unit.short_name == name)).all()
        unit = found[0] if len(found) == 1 else None
    if unit is None:
        raise ServiceError(f"单位名录中没有“{name}”。")
    return unit


def _run(action):
    from ..errors import ServiceError

    try:
        out = action()
    except ServiceError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from exc
    db.session.commit()
    return out


@cli.command("merge")
@click.argument("source")
@click.argument("target")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
def merge_cmd(source: str, target: str, as_json: bool):
    """Merge unit SOURCE into TARGET: open assignments move, completed ones stay; SOURCE is retired."""
    import json

    from ..plans import assign

    result = _run(lambda: assign.merge_units(None, unit_named(source), unit_named(target)))
    if as_json:
        click.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
        return
    click.echo(f"“{result.source}”已并入“{result.target}”：转入在办任务{len(result.moved)}项，"
               f"与并入单位重复的{len(result.folded)}项已合并，已办结的{result.kept}项留在原单位名下。")
    for row in result.moved:
        click.echo(f"  转入：《{row['plan']}》{row['task']}（{row['role']}）")


@cli.command("rename")
@click.argument("name")
@click.argument("new_name")
def rename_cmd(name: str, new_name: str):
    """Rename a unit; documents issued before keep the old name."""
    from ..plans import assign

    unit = _run(lambda: assign.rename_unit(None, unit_named(name), new_name))
    click.echo(f"已更名为“{unit.name}”（原名“{name}”保留在更名前的文件中）。")


@cli.command("retire")
@click.argument("name")
def retire_cmd(name: str):
    """Retire a unit that has no open assignment left."""
    from ..plans import assign

    unit = _run(lambda: assign.retire_unit(None, unit_named(name)))
    click.echo(f"“{unit.name}”已撤销。")
