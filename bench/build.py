"""Build the synthetic dataset once per database and reuse it until the scale or the schema changes."""
from __future__ import annotations

import json
import time
from dataclasses import asdict
from datetime import datetime, timezone
from typing import Callable

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask import Flask, current_app

from tracker.extensions import db

from .database import BenchError, drop_tables, finish_load, read_meta, table_names, wipe, write_meta
from .dataset import Dataset, Scale
from .registry import generators

#: Bump when the generators change in a way that makes old datasets wrong.
FORMAT = 1


def fingerprint(spec: Scale) -> dict:
    """Return what a dataset depends on: its scale, the migration heads, the model tables and generators."""
    script = ScriptDirectory(current_app.extensions["migrate"].directory)
    return {
        "format": FORMAT,
        "scale": asdict(spec),
        "heads": sorted(script.get_heads()),
        "tables": {name: sorted(table.columns.keys()) for name, table in sorted(db.metadata.tables.items())},
        "generators": [g.name for g in generators()],
    }


def rebuild_reason(meta: dict | None, fp: dict, rebuild: bool) -> str | None:
    """Return why the dataset must be built, or None when the stored one can be reused."""
    if rebuild:
        return "--rebuild given"
    if meta is None:
        return "no dataset yet"
    if meta.get("state") != "ready":
        return "the last build did not finish"
    old = meta.get("fingerprint", {})
    if old.get("scale", {}).get("name") != fp["scale"]["name"]:
        return f"scale changed from {old.get('scale', {}).get('name')} to {fp['scale']['name']}"
    for key, what in (("scale", "scale parameters"), ("heads", "migrations"), ("tables", "model tables or columns"),
                      ("generators", "generators"), ("format", "generator format")):
        if old.get(key) != fp[key]:
            return f"{what} changed"
    return None


def count_rows(conn: sa.Connection) -> dict[str, int]:
    """Return the number of rows of every model table that exists."""
    present = set(sa.inspect(conn).get_table_names())
    return {name: conn.scalar(sa.select(sa.func.count()).select_from(table))
            for name, table in sorted(db.metadata.tables.items()) if name in present}


def schema_gaps(engine: sa.Engine) -> tuple[list[str], list[str]]:
    """Return the model tables and the model columns (table.column) the database lacks."""
    inspector = sa.inspect(engine)
    present = set(inspector.get_table_names())
    tables, columns = [], []
    for name, table in sorted(db.metadata.tables.items()):
        if name not in present:
            tables.append(name)
            continue
        have = {c["name"] for c in inspector.get_columns(name)}
        columns += [f"{name}.{c.name}" for c in table.columns if c.name not in have]
    return tables, columns


def migrate_schema(progress: Callable[[str], None]) -> str:
    """Build the schema from the migrations; fill in what models have and migrations lack yet.

    Missing tables are added with create_all. Missing columns cannot be added portably, so
    then the whole schema comes from create_all and the run says so: such figures are
    provisional until the migration exists.
    """
    from flask_migrate import upgrade

    upgrade()
    engine = db.engine
    tables, columns = schema_gaps(engine)
    if columns:
        progress(f"WARNING: model columns without a migration ({', '.join(columns)}): "
                 "schema made by create_all instead of the migrations")
        drop_tables(engine)
        db.metadata.create_all(engine)
        return "create_all"
    if tables:
        db.metadata.create_all(engine, tables=[db.metadata.tables[name] for name in tables])
        progress(f"tables without a migration, made by create_all: {', '.join(tables)}")
        return "migrations+create_all"
    return "migrations"


def prepare_dataset(app: Flask, spec: Scale, *, rebuild: bool = False,
                    progress: Callable[[str], None] = print) -> tuple[Dataset, dict]:
    """Return the dataset for `spec` in the app's database, building it if needed, and build facts."""
    with app.app_context():
        engine = db.engine
        meta = read_meta(engine)
        fp = fingerprint(spec)
        reason = rebuild_reason(meta, fp, rebuild)
        if reason is None:
            ds = Dataset.from_json(json.dumps(meta["dataset"]))
            progress(f"reusing the {spec.name} dataset built {meta['built_at']} "
                     f"({ds.counts.get('assignments', 0):,} assignments; --rebuild to build anew)")
            if meta.get("schema") == "create_all":
                progress("WARNING: its schema came from create_all, not the migrations (model columns lacked one)")
            return ds, {"reused": True, "build_seconds": meta["build_seconds"], "built_at": meta["built_at"],
                        "schema": meta.get("schema")}
        if meta is None and table_names(engine) and not rebuild:
            raise BenchError("the database has tables but no bench_meta: it is not a benchmark database. "
                             "Point the harness elsewhere or pass --rebuild to wipe it.")
        progress(f"building the {spec.name} dataset: {reason}")
        started = time.perf_counter()
        wipe(engine)
        write_meta(engine, state="building", fingerprint=fp)
        schema = migrate_schema(progress)
        ds = Dataset(scale=spec)
        present = table_names(engine)
        for gen in generators():
            missing = [t for t in gen.requires if t not in present]
            if missing:
                progress(f"  {gen.name}: skipped, no table {', '.join(missing)}")
                continue
            t0 = time.perf_counter()
            with engine.begin() as conn:
                before = count_rows(conn)
                gen.func(conn, ds)
                after = count_rows(conn)
            added = ", ".join(f"{name} +{after[name] - before.get(name, 0):,}"
                              for name in after if after[name] != before.get(name, 0))
            progress(f"  {gen.name}: {added or 'no rows'} in {time.perf_counter() - t0:.1f} s")
        t0 = time.perf_counter()
        finish_load(engine)
        if engine.dialect.name == "postgresql":
            progress(f"  sequences reset, VACUUM ANALYZE in {time.perf_counter() - t0:.1f} s")
        with engine.connect() as conn:
            ds.counts = {k: v for k, v in count_rows(conn).items() if v}
        seconds = round(time.perf_counter() - started, 1)
        built_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
        write_meta(engine, state="ready", fingerprint=fp, dataset=json.loads(ds.to_json()),
                   build_seconds=seconds, built_at=built_at, schema=schema)
        progress(f"built in {seconds} s: " + ", ".join(f"{k} {v:,}" for k, v in ds.counts.items()))
        return ds, {"reused": False, "build_seconds": seconds, "built_at": built_at, "schema": schema}
