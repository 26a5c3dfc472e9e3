"""A throw-away PostgreSQL database beside the test one, for tests that need a whole database."""
from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from typing import Iterator

import sqlalchemy as sa

#: the test database (CI's PostgreSQL pass); unset on the SQLite pass
PG_URL = os.environ.get("TRACKER_TEST_DATABASE_URL")


@contextmanager
def temporary_database(prefix: str = "tracker_tmp") -> Iterator[str]:
    """Create an empty database on the test server, yield its URL, and drop it afterwards."""
    if not PG_URL:
        raise RuntimeError("TRACKER_TEST_DATABASE_URL is not set")
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.engine.make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
