"""Load the tariff catalogue (``knowledge/data/tariffs_<year>.json``) into the database.

:func:`load_catalogue_into_db` replaces the catalogue with the same ``source`` in one
transaction: the old rows are deleted (the foreign keys cascade to their amounts) and the
new ones inserted; any error rolls the whole thing back, so the previous catalogue stays
as it was. Loading the same file twice leaves the same rows.
:func:`read_catalogue_from_db` rebuilds the :class:`~knowledge.tariffs.catalogue.Catalogue`.

CLI::

    python -m core.catalogue load [--catalogue PATH] [--url URL]

migrates the database to head first, then loads (default: ``TARIFF_CATALOGUE`` or
``knowledge/data/tariffs_2024.json`` into ``DATABASE_URL`` or ``var/koege.db``).
"""

from __future__ import annotations

import argparse
import logging
import sys
from decimal import Decimal
from pathlib import Path
from typing import Optional, Sequence

from sqlalchemy import delete, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, selectinload, sessionmaker

from core.db import (
    LOG_FORMAT,
    make_engine,
    make_session_factory,
    mask_url,
    resolve_url,
    upgrade_database,
)
from core.models import AMOUNT_PRECISION, AMOUNT_SCALE, TariffAmount, TariffCatalogue, TariffRow
from core.settings import get_settings
from knowledge.tariffs.catalogue import Amount, Catalogue
from knowledge.tariffs.catalogue import TariffRow as CatalogueRow
from knowledge.tariffs.catalogue import load_catalogue

log = logging.getLogger(__name__)

_QUANTUM = Decimal(1).scaleb(-AMOUNT_SCALE)
_LIMIT = Decimal(10) ** (AMOUNT_PRECISION - AMOUNT_SCALE)
#: Rows sent to the database per flush while loading (bounds the pending objects).
FLUSH_EVERY = 200


class CatalogueNotFound(LookupError):
    """No catalogue with the requested ``source`` is in the database."""


# --------------------------------------------------------------------------- writing


def check_amount(row_key: str, value: Decimal) -> Decimal:
    """``value`` if the database column stores it exactly; ValueError otherwise.

    PostgreSQL would round a fourth decimal silently and SQLite would store a float, so
    anything outside ``Numeric(14, 3)`` is refused before it is written.
    """
    if not isinstance(value, Decimal) or not value.is_finite():
        raise ValueError(f"{row_key}: amount {value!r} is not a finite Decimal")
    if value != value.quantize(_QUANTUM) or abs(value) >= _LIMIT:
        raise ValueError(
            f"{row_key}: amount {value} does not fit Numeric({AMOUNT_PRECISION}, {AMOUNT_SCALE})"
        )
    return value


def _amount_model(row_key: str, position: int, amount: Amount) -> TariffAmount:
    return TariffAmount(
        position=position, value=check_amount(row_key, amount.value), what=amount.what
    )


def _row_model(row: CatalogueRow) -> TariffRow:
    """The ORM object for one catalogue row (with its amounts)."""
    return TariffRow(
        row_key=row.id,
        section=row.section,
        subsection=row.subsection,
        headings=list(row.headings),
        year=row.year,
        label=row.label,
        price_text=row.price_text,
        kind=row.kind,
        unit=row.unit,
        text_price=row.text_price,
        notes=list(row.notes),
        line=row.line,
        line_end=row.line_end,
        amounts=[_amount_model(row.id, i, a) for i, a in enumerate(row.amounts)],
    )


def _delete_catalogue(session: Session, source: str) -> None:
    """Delete the catalogue ``source``; ON DELETE CASCADE removes its rows and amounts."""
    session.execute(
        delete(TariffCatalogue)
        .where(TariffCatalogue.source == source)
        .execution_options(synchronize_session=False)
    )


def load_catalogue_into_db(session_factory: sessionmaker, catalogue: Catalogue) -> int:
    """Replace the stored catalogue with ``catalogue.source`` by ``catalogue``.

    Returns the number of rows stored. All or nothing: on any error (a constraint, an
    amount that does not fit) the transaction is rolled back and the error re-raised.
    """
    with session_factory.begin() as session:
        _delete_catalogue(session, catalogue.source)
        record = TariffCatalogue(
            source=catalogue.source,
            title=catalogue.title,
            source_sha256=catalogue.source_sha256,
            row_count=len(catalogue.rows),
        )
        session.add(record)
        for number, row in enumerate(catalogue.rows, start=1):
            record.rows.append(_row_model(row))
            if number % FLUSH_EVERY == 0:
                session.flush()
    log.info("stored %d tariff rows of %s", len(catalogue.rows), catalogue.source)
    return len(catalogue.rows)


# --------------------------------------------------------------------------- reading


def _row_from_model(row: TariffRow) -> CatalogueRow:
    return CatalogueRow(
        id=row.row_key,
        section=row.section,
        subsection=row.subsection,
        headings=tuple(row.headings),
        year=row.year,
        label=row.label,
        price_text=row.price_text,
        kind=row.kind,
        amounts=tuple(Amount(value=a.value, what=a.what) for a in row.amounts),
        unit=row.unit,
        text_price=row.text_price,
        notes=tuple(row.notes),
        line=row.line,
        line_end=row.line_end,
    )


def read_catalogue_from_db(session_factory: sessionmaker, source: str) -> Catalogue:
    """The stored catalogue ``source``, rows ordered by source line.

    Amounts come back as Decimals with the column's three decimals (``1070.00`` is read
    as ``Decimal("1070.000")``, which compares equal). Raises :class:`CatalogueNotFound`.
    """
    with session_factory() as session:
        record = session.execute(
            select(TariffCatalogue).where(TariffCatalogue.source == source)
        ).scalar_one_or_none()
        if record is None:
            raise CatalogueNotFound(source)
        rows = (
            session.execute(
                select(TariffRow)
                .where(TariffRow.catalogue_id == record.id)
                .order_by(TariffRow.line, TariffRow.id)
                .options(selectinload(TariffRow.amounts))
            )
            .scalars()
            .all()
        )
        return Catalogue(
            source=record.source,
            title=record.title,
            source_sha256=record.source_sha256,
            rows=tuple(_row_from_model(row) for row in rows),
        )


def stored_sources(session_factory: sessionmaker) -> list[str]:
    """The ``source`` of every stored catalogue, sorted."""
    with session_factory() as session:
        return list(
            session.execute(select(TariffCatalogue.source).order_by(TariffCatalogue.source))
            .scalars()
            .all()
        )


# --------------------------------------------------------------------------- CLI


def _cmd_load(catalogue_path: Path, url: str) -> int:
    catalogue = load_catalogue(catalogue_path)
    upgrade_database(url)
    engine = make_engine(url)
    try:
        count = load_catalogue_into_db(make_session_factory(engine), catalogue)
    finally:
        engine.dispose()
    print(f"loaded {count} rows into {mask_url(url)}")
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m core.catalogue", description=__doc__.splitlines()[0]
    )
    sub = parser.add_subparsers(dest="command", required=True)
    load = sub.add_parser("load", help="migrate the database, then load the catalogue")
    load.add_argument("--catalogue", type=Path, help="catalogue JSON (default: TARIFF_CATALOGUE)")
    load.add_argument("--url", help="database URL (default: DATABASE_URL or var/koege.db)")
    args = parser.parse_args(argv)
    settings = get_settings()
    logging.basicConfig(level=settings.log_level, format=LOG_FORMAT)
    path = args.catalogue or settings.tariff_catalogue
    try:
        return _cmd_load(path, resolve_url(args.url))
    except (OSError, ValueError, SQLAlchemyError) as exc:
        print(f"error: {exc.__class__.__name__}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
