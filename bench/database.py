"""Where the benchmark database lives, how it is created and wiped, and the bench_meta record."""
from __future__ import annotations

import json
import os
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from tracker.config import redact_url

RESULTS = Path(__file__).resolve().parent / "results"
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/tracker_bench"
#: Databases the harness never writes to: the shared test database and the server's own.
FORBIDDEN_DATABASES = frozenset({"test", "postgres", "template0", "template1"})

META = sa.MetaData()
#: One key/value row per fact about the dataset built in this database.
bench_meta = sa.Table(
    "bench_meta", META,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)


class BenchError(RuntimeError):
    """A problem the harness reports in one line and exits on."""


def database_url(db: str, scale: str, override: str | None = None) -> str:
    """Return the SQLAlchemy URL for the chosen backend and scale."""
    if override:
        url = override
    elif db == "sqlite":
        url = f"sqlite:///{RESULTS / f'bench-{scale}.db'}"
    elif db == "postgresql":
        url = os.environ.get("BENCH_DATABASE_URL") or DEFAULT_PG_URL
    else:
        raise BenchError(f"unknown database kind {db!r}")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql" and parsed.database in FORBIDDEN_DATABASES:
        raise BenchError(f"refusing to use database {parsed.database!r}: give the benchmark its own database")
    return url


def ensure_database(url: str) -> None:
    """Create the SQLite folder or the PostgreSQL database if missing."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database:
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        return
    server = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as conn:
            exists = conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": parsed.database})
            if not exists:
                print(f"creating database {parsed.database}")
                conn.execute(sa.text(f'CREATE DATABASE "{parsed.database}"'))
    except sa.exc.OperationalError as exc:
        raise BenchError(f"cannot reach PostgreSQL at {redact_url(url)}: {str(exc.orig).strip().splitlines()[0]}") from None
    finally:
        server.dispose()


def read_meta(engine: sa.Engine) -> dict | None:
    """Return the bench_meta record, or None when the database has no such table."""
    if not sa.inspect(engine).has_table("bench_meta"):
        return None
    with engine.connect() as conn:
        return {k: json.loads(v) for k, v in conn.execute(sa.select(bench_meta.c.key, bench_meta.c.value))}


def write_meta(engine: sa.Engine, **values) -> None:
    """Create bench_meta if needed and upsert the given keys (values stored as JSON)."""
    META.create_all(engine)
    with engine.begin() as conn:
        conn.execute(bench_meta.delete().where(bench_meta.c.key.in_(list(values))))
        conn.execute(bench_meta.insert(), [{"key": k, "value": json.dumps(v, ensure_ascii=False)}
                                           for k, v in values.items()])


def table_names(engine: sa.Engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names())


def wipe(engine: sa.Engine) -> None:
    """Drop everything in the benchmark database (a SQLite file is deleted)."""
    url = engine.url
    engine.dispose()
    if url.get_backend_name() == "sqlite" and url.database:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(url.database + suffix).unlink(missing_ok=True)
        return
    drop_tables(engine, keep=())


def drop_tables(engine: sa.Engine, keep: tuple[str, ...] = ("bench_meta",)) -> None:
    """Drop every table but those in `keep`."""
    reflected = sa.MetaData()
    with engine.begin() as conn:
        reflected.reflect(conn)
        reflected.drop_all(conn, tables=[t for name, t in reflected.tables.items() if name not in keep])


def finish_load(engine: sa.Engine) -> None:
    """After bulk loading: move PostgreSQL id sequences past the explicit ids and refresh statistics."""
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as conn:
        inspector = sa.inspect(conn)
        for table in inspector.get_table_names():
            if "id" not in {c["name"] for c in inspector.get_columns(table)}:
                continue
            seq = conn.scalar(sa.text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": table})
            if seq:
                conn.execute(sa.text(f'SELECT setval(:s, COALESCE((SELECT max(id) FROM "{table}"), 0) + 1, false)'),
                             {"s": seq})
    settle(engine)


def settle(engine: sa.Engine, tables: tuple[str, ...] = ()) -> None:
    """Vacuum and analyze on PostgreSQL (all tables, or those named), as autovacuum would in time.

    A server in steady state has had autovacuum visit its tables; the scenarios that write (the
    sweeps, the look-back's plan made and removed each run) leave dead rows behind, and a server
    with autovacuum off, or one not yet come round, would then slow every later scenario: the
    planner wades through dead index entries. Settling between runs keeps each run's start alike.
    SQLite has nothing to do.
    """
    if engine.dialect.name != "postgresql":
        return
    names = ", ".join(f'"{t}"' for t in tables)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text(f"VACUUM (ANALYZE) {names}".rstrip()))


def server_version(engine: sa.Engine) -> str:
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            return "SQLite " + conn.scalar(sa.text("SELECT sqlite_version()"))
        return "PostgreSQL " + conn.scalar(sa.text("SHOW server_version"))
