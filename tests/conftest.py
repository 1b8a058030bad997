"""Shared fixtures: database URLs for SQLite and a throw-away PostgreSQL database.

``db_url`` runs a test once on SQLite and once on PostgreSQL. PostgreSQL is found at
``TEST_PG_URL`` (default ``postgresql://postgres@127.0.0.1:5432/test``); each test gets a
fresh database ``koege_test_<hex>`` that is dropped afterwards. When the server cannot be
reached the PostgreSQL variant is skipped, except under ``CI=true`` where it fails: CI
must not pass by skipping the database it is meant to test.

Imports of ``core`` and ``knowledge`` work because ``pytest.ini`` sets ``pythonpath = .``.

The gateway runs in its own environment (``.venv-gateway``: a current aiohttp, no Rasa), so
its in-process tests run there (:data:`GATEWAY_TEST_MODULES`, marked ``gateway``):
``scripts/test.sh`` runs ``-m "not gateway"`` with ``.venv`` and these with ``.venv-gateway``,
which collects nothing else (the other modules import Rasa, spaCy or the actions).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import os
import secrets
from dataclasses import dataclass
from typing import Iterator, Optional

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

DEFAULT_TEST_PG_URL = "postgresql://postgres@127.0.0.1:5432/test"
PG_CONNECT_TIMEOUT = 3


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


def _admin_url() -> str:
    return os.environ.get("TEST_PG_URL") or DEFAULT_TEST_PG_URL


def _admin_engine(url: str) -> Engine:
    return create_engine(
        url,
        future=True,
        poolclass=NullPool,
        isolation_level="AUTOCOMMIT",
        connect_args={"connect_timeout": PG_CONNECT_TIMEOUT},
    )


@dataclass(frozen=True)
class PgServer:
    """The PostgreSQL test server: an AUTOCOMMIT engine, or why there is none."""

    admin: Optional[Engine]
    reason: str = ""


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """Probe PostgreSQL once per session, so a down server costs one timeout, not many."""
    url = _admin_url()
    engine = _admin_engine(url)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        engine.dispose()
        shown = make_url(url).render_as_string(hide_password=True)
        first_line = (str(getattr(exc, "orig", None) or exc).strip().splitlines() or [""])[0]
        yield PgServer(None, f"PostgreSQL unreachable at {shown} ({first_line})")
        return
    yield PgServer(engine)
    engine.dispose()


def _drop_database(admin: Engine, name: str) -> None:
    with admin.connect() as connection:
        version = connection.dialect.server_version_info or (0,)
        if version >= (13,):
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            return
        connection.execute(
            text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
            {"n": name},
        )
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))


@pytest.fixture
def pg_url(pg_server: PgServer) -> Iterator[str]:
    """URL of a fresh, empty PostgreSQL database, dropped after the test."""
    pg_admin = pg_server.admin
    if pg_admin is None:
        if _in_ci():
            pytest.fail(f"{pg_server.reason}; CI=true requires it (set TEST_PG_URL)", pytrace=False)
        pytest.skip(f"{pg_server.reason}; start it or set TEST_PG_URL")
    name = f"koege_test_{secrets.token_hex(6)}"
    with pg_admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(_admin_url()).set(database=name).render_as_string(hide_password=False)
    finally:
        _drop_database(pg_admin, name)


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    """URL of a SQLite file in a folder that does not exist yet (make_engine creates it)."""
    return f"sqlite:///{tmp_path / 'db' / 'koege.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest) -> str:
    """Each test using this runs on SQLite and on PostgreSQL."""
    return request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")


@dataclass(frozen=True)
class LedgerDb:
    """A migrated database with the demo citizens seeded (see core.ledger.seed_demo)."""

    url: str
    factory: object  # sqlalchemy.orm.sessionmaker
    refs: dict  # "Demo Borger 2" -> citizen reference


@pytest.fixture
def ledger_db(db_url: str) -> Iterator[LedgerDb]:
    """The demo ledger on SQLite and on PostgreSQL (via ``db_url``)."""
    from core import db, ledger

    db.upgrade_database(db_url)
    engine = db.make_engine(db_url)
    factory = db.make_session_factory(engine)
    ledger.seed_demo(factory)
    refs = {c.name: c.ref for c in ledger.demo_citizens(factory=factory)}
    try:
        yield LedgerDb(db_url, factory, refs)
    finally:
        engine.dispose()


# Test modules that exercise the gateway (bot/) in-process, in the gateway's environment.
GATEWAY_TEST_MODULES = frozenset({
    "tests/unit/test_gateway.py",
    "tests/unit/test_gateway_answers.py",
    "tests/unit/test_gateway_features.py",
    "tests/unit/test_gateway_hardening.py",
    "tests/unit/test_metrics.py",
    "tests/unit/test_routing.py",
    "tests/unit/test_staff.py",
    "tests/unit/test_redis_state.py",
    "tests/unit/test_gateway_env.py",
    "tests/unit/test_embed.py",
    "tests/chaos/test_fuzz_gateway.py",
})
IN_GATEWAY_ENV = importlib.util.find_spec("rasa") is None
_ROOT = Path(__file__).resolve().parent.parent


def _module_name(path: Path) -> str:
    try:
        return path.resolve().relative_to(_ROOT).as_posix()
    except ValueError:
        return path.as_posix()


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> Optional[bool]:
    """In the gateway's environment only the gateway's test modules are collected."""
    if IN_GATEWAY_ENV and collection_path.is_file() and collection_path.name.startswith("test_"):
        return True if _module_name(collection_path) not in GATEWAY_TEST_MODULES else None
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list) -> None:
    for item in items:
        if _module_name(Path(str(item.fspath))) in GATEWAY_TEST_MODULES:
            item.add_marker(pytest.mark.gateway)
