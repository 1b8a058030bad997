"""The database layer on SQLite and PostgreSQL: migrations, catalogue load and read-back.

Most tests take ``db_url`` and so run twice (see ``tests/conftest.py``). The catalogue is a
small JSON file written here in the documented format; the real
``knowledge/data/tariffs_2024.json`` is loaded too once it exists.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, inspect, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

import core.catalogue as db_catalogue
from core import db
from core.catalogue import (
    CatalogueNotFound,
    load_catalogue_into_db,
    read_catalogue_from_db,
    stored_sources,
)
from core.models import TariffAmount, TariffCatalogue, TariffRow, all_metadata
from core.settings import ROOT, load_settings
from knowledge.tariffs.catalogue import Catalogue, load_catalogue

SOURCE = "003_ca89e0cbbb223601.txt"
TABLES = {"tariff_catalogues", "tariff_rows", "tariff_amounts"}


def _row(line: int, **fields: Any) -> dict[str, Any]:
    row = {
        "id": f"L{line:04d}",
        "section": "Affald og genbrug",
        "subsection": "Affaldsgebyrer - faste gebyrer",
        "headings": ["Affaldsgebyrer - faste gebyrer"],
        "year": "2024",
        "label": f"Række {line}",
        "price_text": "1.070,00 kr.",
        "kind": "amount",
        "amounts": [{"value": "1070.00", "what": "pris"}],
        "unit": "year",
        "text_price": None,
        "notes": [],
        "line": line,
        "line_end": line,
    }
    row.update(fields)
    return row


def catalogue_document(source: str = SOURCE) -> dict[str, Any]:
    """A small catalogue covering every kind, Danish letters, notes and multi-line rows."""
    return {
        "source": source,
        "title": "Takster, skatter og afgifter",
        "source_sha256": "ab" * 32,
        "rows": [
            _row(40),
            _row(
                44,
                section="Mødelokaler",
                subsection="Leje af lokaler",
                headings=["Lokaler", "Leje af lokaler"],
                label="Store sal, lang beskrivelse over to linjer",
                price_text="395,00/1.290,00 kr.",
                kind="double",
                amounts=[
                    {"value": "395.00", "what": "pr. møde"},
                    {"value": "1290.00", "what": "pr. dag"},
                ],
                unit="meeting_or_day",
                notes=["Børn under 14 år betaler ½ pris"],
                line_end=45,
            ),
            _row(
                60,
                section="Skatter",
                subsection="Skatter",
                headings=["Skatter"],
                label="Personskat (procent)",
                price_text="25,26",
                kind="percent",
                amounts=[{"value": "25.26", "what": "procent"}],
                unit="percent",
            ),
            _row(
                61,
                section="Skatter",
                subsection="Skatter",
                headings=["Skatter"],
                label="Grundskyld (promille)",
                price_text="5,300",
                kind="promille",
                amounts=[{"value": "5.300", "what": "promille"}],
                unit="promille",
            ),
            _row(
                70,
                section="Køge Svømmeland",
                subsection="Svømmebad",
                headings=["Svømmebad", "Enkeltbillet hverdage excl. skoleferiedage"],
                year="2024/2025",
                label="Børn 0-2 år",
                price_text="Gratis",
                kind="text",
                amounts=[],
                unit="ticket",
                text_price="Gratis",
                notes=["pr. gang", "Gælder kun i svømmehallens åbningstid"],
            ),
            _row(
                80,
                section="Havnen",
                subsection="Gæstepladser",
                headings=["Gæstepladser"],
                label="Fastsættes i hvert enkelt tilfælde",
                price_text=None,
                kind="empty",
                amounts=[],
                unit="unknown",
            ),
            _row(
                90,
                section="Havnen",
                subsection="Gæstepladser",
                headings=[],
                label="Stor beløbsgrænse",
                price_text="12.345.678,123 kr.",
                amounts=[{"value": "12345678.123", "what": "pris"}],
                unit="once",
            ),
        ],
    }


def write_catalogue(path: Path, document: dict[str, Any]) -> Path:
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


@pytest.fixture
def catalogue(tmp_path: Path) -> Catalogue:
    return load_catalogue(write_catalogue(tmp_path / "tariffs.json", catalogue_document()))


@pytest.fixture
def migrated_url(db_url: str) -> str:
    db.upgrade_database(db_url)
    return db_url


@pytest.fixture
def session_factory(migrated_url: str) -> Iterator[sessionmaker]:
    engine = db.make_engine(migrated_url)
    yield db.make_session_factory(engine)
    engine.dispose()


def table_counts(session_factory: sessionmaker) -> tuple[int, int, int]:
    with session_factory() as session:
        return tuple(  # type: ignore[return-value]
            session.execute(select(func.count()).select_from(model)).scalar_one()
            for model in (TariffCatalogue, TariffRow, TariffAmount)
        )


def amount_count(catalogue: Catalogue) -> int:
    return sum(len(row.amounts) for row in catalogue.rows)


def assert_same_catalogue(stored: Catalogue, original: Catalogue) -> None:
    """Equal field by field, with every amount a Decimal of the same value."""
    assert [row.id for row in stored.rows] == [row.id for row in original.rows]
    for got, want in zip(stored.rows, original.rows):
        assert got == want, want.id
        for amount, expected in zip(got.amounts, want.amounts):
            assert isinstance(amount.value, Decimal)
            assert amount.value == expected.value
    assert stored == original


# --------------------------------------------------------------------------- migrations


def test_upgrade_from_empty_reaches_head(db_url: str) -> None:
    engine = db.make_engine(db_url)
    try:
        assert db.current_revisions(engine) == ()
        db.upgrade_database(db_url)
        assert db.current_revisions(engine) == db.head_revisions()
        assert TABLES <= set(inspect(engine).get_table_names())
        db.upgrade_database(db_url)  # a second run is a no-op
        assert db.current_revisions(engine) == db.head_revisions()
    finally:
        engine.dispose()


def test_migrated_schema_matches_models(db_url: str) -> None:
    db.upgrade_database(db_url)
    engine = db.make_engine(db_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, all_metadata()) == []
    finally:
        engine.dispose()


def test_migrated_constraint_names_follow_convention(migrated_url: str) -> None:
    engine = db.make_engine(migrated_url)
    try:
        inspector = inspect(engine)
        assert {uq["name"] for uq in inspector.get_unique_constraints("tariff_rows")} == {
            "uq_tariff_rows_catalogue_id_row_key"
        }
        indexes = inspector.get_indexes("tariff_rows")  # PostgreSQL lists the unique's index
        assert {ix["name"] for ix in indexes if not ix.get("duplicates_constraint")} == {
            "ix_tariff_rows_section"
        }
        assert {fk["name"] for fk in inspector.get_foreign_keys("tariff_amounts")} == {
            "fk_tariff_amounts_row_id_tariff_rows"
        }
    finally:
        engine.dispose()


def test_upgrade_on_a_given_connection() -> None:
    """``alembic_config(connection=...)`` migrates that very connection (in-memory SQLite)."""
    from alembic import command

    engine = db.make_engine("sqlite://")
    try:
        with engine.connect() as connection:
            command.upgrade(db.alembic_config(connection=connection), "head")
            assert TABLES <= set(inspect(connection).get_table_names())
            assert connection.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
    finally:
        engine.dispose()


def test_failed_upgrade_leaves_database_untouched(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A migration that fails half-way rolls back its tables too (on SQLite as well)."""
    from alembic.operations import Operations

    def broken_create_index(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("simulated failure in the middle of a migration")

    monkeypatch.setattr(Operations, "create_index", broken_create_index)
    with pytest.raises(RuntimeError, match="simulated"):
        db.upgrade_database(db_url)
    engine = db.make_engine(db_url)
    try:
        assert not TABLES & set(inspect(engine).get_table_names())
        assert db.current_revisions(engine) == ()
    finally:
        engine.dispose()
    monkeypatch.undo()
    db.upgrade_database(db_url)


def test_downgrade_to_base_removes_tables(migrated_url: str) -> None:
    from alembic import command

    command.downgrade(db.alembic_config(migrated_url), "base")
    engine = db.make_engine(migrated_url)
    try:
        assert not TABLES & set(inspect(engine).get_table_names())
        assert db.current_revisions(engine) == ()
    finally:
        engine.dispose()


def test_alembic_cli_uses_root_ini(sqlite_url: str) -> None:
    """Developers' ``alembic -x url=... upgrade head`` works from the repo root."""
    result = subprocess.run(
        [sys.executable, "-m", "alembic", "-x", f"url={sqlite_url}", "upgrade", "head"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    engine = db.make_engine(sqlite_url)
    try:
        assert db.current_revisions(engine) == db.head_revisions()
    finally:
        engine.dispose()


# --------------------------------------------------------------------------- load and read


def test_load_then_read_back_equals_original(
    session_factory: sessionmaker, catalogue: Catalogue
) -> None:
    assert load_catalogue_into_db(session_factory, catalogue) == len(catalogue.rows)
    stored = read_catalogue_from_db(session_factory, SOURCE)
    assert_same_catalogue(stored, catalogue)
    # both backends give the column's scale: "1070.00" comes back as Decimal("1070.000")
    assert {a.value.as_tuple().exponent for r in stored.rows for a in r.amounts} == {-3}
    assert table_counts(session_factory) == (1, len(catalogue.rows), amount_count(catalogue))
    with session_factory() as session:
        record = session.execute(select(TariffCatalogue)).scalar_one()
        assert record.row_count == len(catalogue.rows)
        assert record.imported_at is not None


def test_reload_is_idempotent(session_factory: sessionmaker, catalogue: Catalogue) -> None:
    load_catalogue_into_db(session_factory, catalogue)
    first = table_counts(session_factory)
    assert load_catalogue_into_db(session_factory, catalogue) == len(catalogue.rows)
    assert table_counts(session_factory) == first
    assert_same_catalogue(read_catalogue_from_db(session_factory, SOURCE), catalogue)


def test_reload_replaces_changed_catalogue_and_keeps_others(
    session_factory: sessionmaker, catalogue: Catalogue, tmp_path: Path
) -> None:
    other = load_catalogue(
        write_catalogue(tmp_path / "other.json", catalogue_document("other_source.txt"))
    )
    load_catalogue_into_db(session_factory, other)
    load_catalogue_into_db(session_factory, catalogue)
    changed = replace(catalogue, title="Takster 2025", rows=catalogue.rows[:3])
    assert load_catalogue_into_db(session_factory, changed) == 3
    assert_same_catalogue(read_catalogue_from_db(session_factory, SOURCE), changed)
    assert_same_catalogue(read_catalogue_from_db(session_factory, "other_source.txt"), other)
    assert stored_sources(session_factory) == sorted([SOURCE, "other_source.txt"])
    # no orphans: the cascade removed the old rows and amounts
    assert table_counts(session_factory) == (
        2,
        len(other.rows) + 3,
        amount_count(other) + amount_count(changed),
    )


def test_failed_load_on_constraint_keeps_previous_catalogue(
    session_factory: sessionmaker, catalogue: Catalogue
) -> None:
    load_catalogue_into_db(session_factory, catalogue)
    before = table_counts(session_factory)
    rows = catalogue.rows
    duplicate = replace(rows[-1], line=rows[-1].line + 100, line_end=rows[-1].line_end + 100)
    broken = replace(catalogue, title="broken", rows=(*rows, duplicate))  # same row id twice
    with pytest.raises(IntegrityError):
        load_catalogue_into_db(session_factory, broken)
    assert table_counts(session_factory) == before
    assert_same_catalogue(read_catalogue_from_db(session_factory, SOURCE), catalogue)


def test_failure_mid_way_keeps_previous_catalogue(
    session_factory: sessionmaker, catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_catalogue_into_db(session_factory, catalogue)
    before = table_counts(session_factory)
    half = len(catalogue.rows) // 2
    real_row_model = db_catalogue._row_model
    calls = []

    def failing_row_model(row):  # type: ignore[no-untyped-def]
        calls.append(row.id)
        if len(calls) > half:
            raise RuntimeError("simulated crash half-way")
        return real_row_model(row)

    # flush every row, so the delete and the first half really reached the database
    monkeypatch.setattr(db_catalogue, "FLUSH_EVERY", 1)
    monkeypatch.setattr(db_catalogue, "_row_model", failing_row_model)
    with pytest.raises(RuntimeError, match="half-way"):
        load_catalogue_into_db(session_factory, replace(catalogue, title="half"))
    assert len(calls) == half + 1
    assert table_counts(session_factory) == before
    assert_same_catalogue(read_catalogue_from_db(session_factory, SOURCE), catalogue)


def test_amount_outside_column_is_refused(
    session_factory: sessionmaker, catalogue: Catalogue
) -> None:
    load_catalogue_into_db(session_factory, catalogue)
    row = catalogue.rows[0]
    too_precise = replace(row, amounts=(replace(row.amounts[0], value=Decimal("1.2345")),))
    with pytest.raises(ValueError, match="Numeric"):
        load_catalogue_into_db(session_factory, replace(catalogue, rows=(too_precise,)))
    too_big = replace(row, amounts=(replace(row.amounts[0], value=Decimal("1e11")),))
    with pytest.raises(ValueError, match="Numeric"):
        load_catalogue_into_db(session_factory, replace(catalogue, rows=(too_big,)))
    assert_same_catalogue(read_catalogue_from_db(session_factory, SOURCE), catalogue)


def test_read_unknown_source_raises(session_factory: sessionmaker) -> None:
    with pytest.raises(CatalogueNotFound):
        read_catalogue_from_db(session_factory, "missing.txt")


def test_real_catalogue_round_trips(session_factory: sessionmaker) -> None:
    path = load_settings().tariff_catalogue  # knowledge/data/tariffs_2024.json by default
    if not path.exists():
        pytest.skip(f"{path} not produced yet")
    real = load_catalogue(path)
    assert load_catalogue_into_db(session_factory, real) == len(real.rows) > 0
    assert load_catalogue_into_db(session_factory, real) == len(real.rows)
    assert table_counts(session_factory) == (1, len(real.rows), amount_count(real))
    assert_same_catalogue(read_catalogue_from_db(session_factory, real.source), real)


# --------------------------------------------------------------------------- engine, ping, CLI


def test_sqlite_engine_creates_folder_and_enforces_foreign_keys(sqlite_url: str) -> None:
    folder = Path(sqlite_url.removeprefix("sqlite:///")).parent
    assert not folder.exists()
    engine = db.make_engine(sqlite_url)
    try:
        assert folder.is_dir()
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
        assert db.ping(engine)
    finally:
        engine.dispose()


def test_import_opens_no_connection(tmp_path: Path) -> None:
    """Importing the modules neither connects nor creates the SQLite folder."""
    folder = tmp_path / "never"
    code = "import core.db, core.models, core.catalogue"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder / 'x.db'}"}
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True, timeout=60)
    assert not folder.exists()


def test_ping_true_for_live_database(db_url: str) -> None:
    engine = db.make_engine(db_url)
    try:
        assert db.ping(engine) is True
    finally:
        engine.dispose()


def test_ping_false_for_unreachable_database_fast() -> None:
    engine = db.make_engine("postgresql://nobody:secret@127.0.0.1:1/nowhere?connect_timeout=2")
    started = time.monotonic()
    try:
        assert db.ping(engine) is False
    finally:
        engine.dispose()
    assert time.monotonic() - started < 5


def test_mask_url_hides_password() -> None:
    masked = db.mask_url("postgresql://koege:s3cret@db.example:5432/koege")
    assert "s3cret" not in masked
    assert masked == "postgresql://koege:***@db.example:5432/koege"


def test_db_cli_upgrade_current_ping(sqlite_url: str, capsys: pytest.CaptureFixture) -> None:
    assert db.main(["current", "--url", sqlite_url]) == 0
    assert "current (none)" in capsys.readouterr().out
    assert db.main(["upgrade", "--url", sqlite_url]) == 0
    assert db.main(["current", "--url", sqlite_url]) == 0
    assert "(up to date)" in capsys.readouterr().out
    assert db.main(["ping", "--url", sqlite_url]) == 0
    assert db.main(["ping", "--url", "postgresql://x:pw@127.0.0.1:1/x?connect_timeout=2"]) == 1
    out = capsys.readouterr().out
    assert "unreachable" in out and "pw" not in out


def test_catalogue_cli_migrates_and_loads(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    path = write_catalogue(tmp_path / "tariffs.json", catalogue_document())
    assert db_catalogue.main(["load", "--catalogue", str(path), "--url", db_url]) == 0
    assert db_catalogue.main(["load", "--catalogue", str(path), "--url", db_url]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert out == [f"loaded 7 rows into {db.mask_url(db_url)}"] * 2
    engine = db.make_engine(db_url)
    try:
        factory = db.make_session_factory(engine)
        assert_same_catalogue(read_catalogue_from_db(factory, SOURCE), load_catalogue(path))
    finally:
        engine.dispose()
