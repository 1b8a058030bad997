"""Database plumbing: engines, sessions, migrations and a health check.

Nothing connects at import time and there is no global session: callers build an engine
with :func:`make_engine`, a session factory with :func:`make_session_factory`, and open
transactions with ``with Session.begin() as session:``.

SQLite (the default, ``var/koege.db``) and PostgreSQL (``DATABASE_URL``) are supported.
The schema is owned by Alembic (``core/migrations``): :func:`upgrade_database` brings a
database to the newest revision without needing ``alembic.ini``.

CLI::

    python -m core.db upgrade [--url URL]   # migrate to head
    python -m core.db ping [--url URL]      # exit 0 when reachable, 1 otherwise
    python -m core.db current [--url URL]   # current and head revision
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.engine.url import URL
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import sessionmaker

from core.settings import get_settings

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

LOG_FORMAT = "%(levelname)s %(name)s: %(message)s"

#: Seconds a PostgreSQL connection attempt may take unless the URL says otherwise.
DEFAULT_CONNECT_TIMEOUT = 10


def resolve_url(url: Optional[str] = None) -> str:
    """``url`` itself, or the configured ``database_url`` when it is None or empty."""
    return url or get_settings().database_url


def mask_url(url: str | URL) -> str:
    """The URL as text with any password replaced by ``***``."""
    return make_url(url).render_as_string(hide_password=True)


def tracker_db_url(env: Mapping[str, str], database: Optional[str] = None) -> Optional[URL]:
    """Rasa's PostgreSQL tracker store as a URL, from the ``TRACKER_DB_*`` variables that
    ``endpoints.prod.yml`` gives Rasa (None when ``TRACKER_DB_HOST`` is not set). ``database``
    defaults to ``TRACKER_DB_NAME``."""
    host = env.get("TRACKER_DB_HOST")
    if not host:
        return None
    return URL.create(
        "postgresql",
        username=env.get("TRACKER_DB_USER") or None,
        password=env.get("TRACKER_DB_PASSWORD") or None,
        host=host,
        port=int(env.get("TRACKER_DB_PORT") or 5432),
        database=database or env.get("TRACKER_DB_NAME") or None,
    )


def is_sqlite(url: str | URL) -> bool:
    """Whether ``url`` names a SQLite database."""
    return make_url(url).get_backend_name() == "sqlite"


def _sqlite_file(url: URL) -> Optional[Path]:
    """The database file of a SQLite URL, or None for an in-memory database."""
    database = url.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        return None
    return Path(database)


def sqlite_file_missing(url: str | URL) -> bool:
    """A SQLite URL whose file does not exist yet (connecting would create an empty one)."""
    if not is_sqlite(url):
        return False
    path = _sqlite_file(make_url(url))
    return path is not None and not path.exists()


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    """Enforce foreign keys (so ON DELETE CASCADE works) and let SQLAlchemy own BEGIN.

    pysqlite by default starts transactions only before INSERT/UPDATE/DELETE, so DDL and
    SAVEPOINTs run outside them. With ``isolation_level = None`` plus the ``begin``
    listener below, a SQLAlchemy transaction is a real SQLite transaction: migrations are
    atomic and ``begin_nested()`` works (SQLAlchemy's documented pysqlite recipe).
    """
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()


def _sqlite_on_begin(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN")


def set_sqlite_foreign_keys(connection: Connection, enabled: bool) -> None:
    """Switch SQLite foreign-key enforcement on ``connection`` (outside any transaction).

    SQLite ignores this PRAGMA inside a transaction, so it goes straight to the DBAPI
    connection without starting one. Migrations switch enforcement off because batch
    mode recreates tables, and dropping a parent table would cascade-delete its children.
    """
    if connection.in_transaction():
        raise RuntimeError("PRAGMA foreign_keys has no effect inside a transaction")
    cursor = connection.connection.cursor()
    try:
        cursor.execute(f"PRAGMA foreign_keys={'ON' if enabled else 'OFF'}")
    finally:
        cursor.close()


def _make_sqlite_engine(url: URL, **kwargs: Any) -> Engine:
    path = _sqlite_file(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    connect_args = {"check_same_thread": False, **kwargs.pop("connect_args", {})}
    engine = create_engine(url, future=True, connect_args=connect_args, **kwargs)
    event.listen(engine, "connect", _sqlite_on_connect)
    event.listen(engine, "begin", _sqlite_on_begin)
    return engine


def _make_server_engine(url: URL, **kwargs: Any) -> Engine:
    connect_args = dict(kwargs.pop("connect_args", {}))
    if url.get_backend_name() == "postgresql" and "connect_timeout" not in url.query:
        connect_args.setdefault("connect_timeout", DEFAULT_CONNECT_TIMEOUT)
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, future=True, connect_args=connect_args, **kwargs)


def make_engine(url: Optional[str] = None, **kwargs: Any) -> Engine:
    """A new engine for ``url`` (default: the configured ``database_url``).

    SQLite: the file's folder is created, connections may cross threads, and foreign keys
    are enforced. PostgreSQL: connections are pre-pinged and time out after
    :data:`DEFAULT_CONNECT_TIMEOUT` seconds (override with ``?connect_timeout=N``).
    Extra keyword arguments go to :func:`sqlalchemy.create_engine`.
    """
    parsed = make_url(resolve_url(url))
    if parsed.get_backend_name() == "sqlite":
        return _make_sqlite_engine(parsed, **kwargs)
    return _make_server_engine(parsed, **kwargs)


def make_session_factory(engine: Engine) -> sessionmaker:
    """A 2.0-style session factory; objects stay readable after commit."""
    return sessionmaker(bind=engine, future=True, expire_on_commit=False)


def ping(engine: Engine) -> bool:
    """True when the database answers ``SELECT 1``; never raises for connection errors."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except (SQLAlchemyError, OSError) as exc:
        log.warning("database %s unreachable: %s", mask_url(engine.url), exc)
        return False


# --------------------------------------------------------------------------- migrations


def alembic_config(
    url: Optional[str] = None, connection: Optional[Connection] = None
) -> Config:
    """An Alembic ``Config`` for ``core/migrations``, built in code (no ``alembic.ini``).

    The URL travels in ``config.attributes`` rather than the ini options, so passwords
    containing ``%`` need no escaping. With ``connection`` the migrations run on it
    (inside the caller's transaction handling) instead of a new engine.
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["database_url"] = resolve_url(url)
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade_database(url: Optional[str] = None, revision: str = "head") -> None:
    """Run the Alembic migrations on ``url`` (default: configured) up to ``revision``."""
    command.upgrade(alembic_config(url), revision)


def head_revisions() -> tuple[str, ...]:
    """The head revision(s) of the migration scripts."""
    return tuple(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())


def current_revisions(engine: Engine) -> tuple[str, ...]:
    """The revision(s) the database is at; empty for an unmigrated database."""
    with engine.connect() as connection:
        return tuple(MigrationContext.configure(connection).get_current_heads())


# --------------------------------------------------------------------------- CLI


def _cmd_upgrade(url: str) -> int:
    upgrade_database(url)
    print(f"upgraded {mask_url(url)} to {', '.join(head_revisions())}")
    return 0


def _cmd_ping(url: str) -> int:
    engine = make_engine(url)
    try:
        ok = ping(engine)
    finally:
        engine.dispose()
    print(f"{'ok' if ok else 'unreachable'}: {mask_url(url)}")
    return 0 if ok else 1


def _cmd_current(url: str) -> int:
    engine = make_engine(url)
    try:
        current = current_revisions(engine)
    finally:
        engine.dispose()
    heads = head_revisions()
    state = "up to date" if set(current) == set(heads) else "behind"
    print(
        f"{mask_url(url)}: current {', '.join(current) or '(none)'}; "
        f"head {', '.join(heads)} ({state})"
    )
    return 0


COMMANDS = {"upgrade": _cmd_upgrade, "ping": _cmd_ping, "current": _cmd_current}


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m core.db", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=sorted(COMMANDS))
    parser.add_argument("--url", help="database URL (default: DATABASE_URL or var/koege.db)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=get_settings().log_level, format=LOG_FORMAT)
    try:
        return COMMANDS[args.command](resolve_url(args.url))
    except SQLAlchemyError as exc:
        print(f"error: {exc.__class__.__name__}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
