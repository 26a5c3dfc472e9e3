"""The tracker application factory."""
from __future__ import annotations

import logging
from importlib import import_module
from pathlib import Path

from flask import Flask, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from . import config as config_module
from .extensions import bootstrap, csrf, db, login_manager, migrate

#: Domains whose views.py holds a Blueprint named `bp`, registered in this order.
BLUEPRINTS = ("accounts", "units", "audit", "plans", "reports", "inbox", "dashboard", "public", "supervise", "assessment", "exports", "annual", "disclosure", "help")
#: Domains whose cli.py holds a click group or command named `cli`.
CLI_MODULES = ("accounts", "units", "plans", "demo", "supervise", "assessment", "exports", "annual", "disclosure", "jobs")
#: Model modules imported so metadata is complete for create_all and Alembic.
MODEL_MODULES = ("units", "accounts", "audit", "plans", "inbox", "reports", "supervise", "assessment", "annual", "disclosure", "jobs")

TEMPLATES = config_module.PROJECT_ROOT / "templates"


def load_models() -> None:
    """Import every domain's models so all tables are known to the metadata."""
    for domain in MODEL_MODULES:
        import_module(f"tracker.{domain}.models")


def create_app(config: dict | None = None) -> Flask:
    """Create the Flask application; `config` overrides settings from the environment."""
    app = Flask(__name__, template_folder=str(TEMPLATES), instance_path=str(config_module.PROJECT_ROOT / "instance"))
    settings = config_module.from_env()
    if config:
        settings.update(config)
    app.config.update(settings)
    app.json.ensure_ascii = False  # JSON and |tojson keep Chinese readable
    if app.config.get("PROXY_COUNT"):
        # Behind N trusted reverse proxies the client is the N-th address from the right of X-Forwarded-For.
        n = int(app.config["PROXY_COUNT"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO)

    load_models()
    import_module("tracker.plans.data_version")  # registers the session listeners
    db.init_app(app)
    migrate.init_app(app, db, directory=str(config_module.PROJECT_ROOT / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "请先登录。"
    login_manager.login_message_category = "warning"
    bootstrap.init_app(app)

    from .timeutil import fixed_day_clock

    fixed_day_clock(app)  # first: with TRACKER_TODAY a request's writes are dated on the demo's day
    # The role check runs before CSRF so a denied user gets 403, not a CSRF error.
    from .access import enforce_roles

    app.before_request(enforce_roles)
    from .inputs import check_request_values

    app.before_request(check_request_values)
    csrf.init_app(app)

    from .errors import register_error_handlers

    register_error_handlers(app)
    for domain in BLUEPRINTS:
        app.register_blueprint(import_module(f"tracker.{domain}.views").bp)
    for domain in CLI_MODULES:
        module = import_module(f"tracker.{domain}.cli")
        app.cli.add_command(module.cli)
        for command in getattr(module, "EXTRA_COMMANDS", ()):
            app.cli.add_command(command)

    if not app.testing:
        check_database(app)

    from .templating import register_template_helpers

    register_template_helpers(app)

    from .access import security_headers

    app.after_request(security_headers)

    return app


def check_database(app: Flask) -> None:
    """Fail fast, naming the URL without its password, when the database cannot be reached."""
    import sqlalchemy as sa

    url = app.config["SQLALCHEMY_DATABASE_URI"]
    try:
        engine = sa.create_engine(url)
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        engine.dispose()
    except Exception as exc:
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0] if str(exc) else type(exc).__name__
        raise config_module.ConfigError(
            f"无法连接数据库 {config_module.redact_url(url)}：{reason}。请检查 DATABASE_URL 与数据库服务。"
        ) from None


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """Turn on foreign keys and let SQLAlchemy, not pysqlite, manage transactions (savepoints work)."""
    module = type(dbapi_connection).__module__
    if "sqlite" not in module:
        return
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    # A writer waits this long (ms) for another to finish, instead of failing with "database is locked".
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn):
    """Open SQLite transactions ourselves; a request that may write takes the write lock first.

    A deferred transaction that reads and then writes cannot wait for another writer (SQLite
    answers "database is locked" at once, busy timeout or not); taking the lock at BEGIN makes
    concurrent form posts queue behind each other for up to the busy timeout.
    """
    if conn.dialect.name == "sqlite":
        writes = has_request_context() and request.method not in ("GET", "HEAD", "OPTIONS")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")
