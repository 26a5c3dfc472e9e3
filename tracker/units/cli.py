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
