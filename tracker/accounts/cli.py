"""`flask users …`: make the first accounts from the shell."""
from __future__ import annotations

import click
import sqlalchemy as sa

from ..access import ROLES
from ..errors import ServiceError
from ..extensions import db
from ..units.models import Unit
from . import services


@click.group("users", help="用户账号管理")
def cli():
    pass


@cli.command("create")
@click.option("--username", prompt="用户名")
@click.option("--name", "display_name", prompt="姓名")
@click.option("--role", type=click.Choice(ROLES), default="admin", show_default=True)
@click.option("--unit", "unit_name", default=None, help="所属单位全称（填报员、督查人员、领导必填）")
@click.option("--password", prompt="密码", hide_input=True, confirmation_prompt=True)
def create(username, display_name, role, unit_name, password):
    """Create an account (the first admin, for example)."""
    unit = None
    if unit_name:
        unit = db.session.scalar(sa.select(Unit).where(Unit.name == unit_name))
        if unit is None:
            raise click.ClickException(f"单位“{unit_name}”不存在。")
    try:
        user = services.create_user(None, username=username, display_name=display_name, role=role,
                                    password=password, unit=unit)
    except ServiceError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from exc
    db.session.commit()
    click.echo(f"已创建用户 {user.username}（{user.role_label}）。")
