"""`flask demo load`: the demo a new user starts with."""
from __future__ import annotations

import click

from ..access import ROLE_LABELS
from ..extensions import db
from .services import DEMO_PASSWORD, load_demo


@click.group("demo", help="演示数据")
def cli():
    pass


@cli.command("load")
def load():
    """Load the 运城 demo (idempotent) and print the logins."""
    try:
        result = load_demo(progress=lambda msg: click.echo(f"  {msg}"))
    except Exception:
        db.session.rollback()
        raise
    db.session.commit()
    for note in result.notes:
        click.echo(f"  注意：{note}")
    click.echo("演示账号（密码均为 %s）：" % DEMO_PASSWORD)
    for username, name, role in result.users:
        click.echo(f"  {ROLE_LABELS[role]:<8} {username:<10} {name}")
