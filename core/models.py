"""ORM models of the bot's database (SQLAlchemy 1.4, written in 2.0 style).

Tables here: the tariff catalogue imported from ``knowledge/data/tariffs_<year>.json``
(``tariff_catalogues`` → ``tariff_rows`` → ``tariff_amounts``).

Every table hangs off :data:`Base.metadata`, whose naming convention gives each constraint
and index a stable, explicit name, so migrations can refer to (and drop) them on both
SQLite and PostgreSQL. Types are portable: ``JSON`` is SQLAlchemy's generic JSON (JSON on
PostgreSQL, TEXT on SQLite), amounts are ``NUMERIC(14, 3)`` read as ``Decimal`` (never float).

More tables will follow (the ledger and the audit log). Each gets its own module that
imports :data:`Base` from here, and its own migration under ``core/migrations/versions``
(``0002_ledger.py``, ...); import such a module inside :func:`all_metadata`, which the
migration environment and the schema test use, so that they see its tables. Do not add
them to this module.
"""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal
from typing import Any, Optional

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import declarative_base, relationship
from sqlalchemy.types import TypeDecorator, TypeEngine

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: Precision and scale of stored money, percent and per-mille amounts.
AMOUNT_PRECISION = 14
AMOUNT_SCALE = 3

Base = declarative_base(metadata=MetaData(naming_convention=NAMING_CONVENTION))


class PortableNumeric(TypeDecorator):
    """``NUMERIC(p, s)`` that reads back as ``Decimal`` with ``s`` places on every backend.

    PostgreSQL stores and returns exact decimals. SQLite has no decimal type: the value is
    stored as a number (REAL or INTEGER) and turned back into a Decimal here, quantized to
    the scale, which is exact for up to 15 significant digits (``Numeric(14, 3)`` has 14).
    Doing the conversion here, rather than letting ``Numeric`` do it, avoids SQLAlchemy's
    "does not support Decimal natively" warning for a conversion we know to be lossless.
    The DDL is plain ``NUMERIC(p, s)``, so migrations use ``sa.Numeric(p, s)``.
    """

    impl = Numeric
    cache_ok = True

    def __init__(self, precision: int, scale: int) -> None:
        super().__init__(precision=precision, scale=scale, asdecimal=True)
        self._quantum = Decimal(1).scaleb(-scale)

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine:
        if dialect.name == "sqlite":
            plain = Numeric(self.impl.precision, self.impl.scale, asdecimal=False)
            return dialect.type_descriptor(plain)
        return dialect.type_descriptor(self.impl)

    def process_result_value(self, value: Any, dialect: Dialect) -> Optional[Decimal]:
        if value is None:
            return None
        if not isinstance(value, Decimal):
            value = Decimal(str(value))  # shortest repr of the float, then exact
        return value.quantize(self._quantum)


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(timezone.utc)


class TariffCatalogue(Base):
    """One imported catalogue file; ``source`` (the seed file name) identifies it."""

    __tablename__ = "tariff_catalogues"

    id = Column(Integer, primary_key=True)
    source = Column(String(255), nullable=False)
    title = Column(Text, nullable=False)
    source_sha256 = Column(String(64), nullable=False)
    row_count = Column(Integer, nullable=False)
    imported_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)

    rows = relationship(
        "TariffRow",
        back_populates="catalogue",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by=lambda: [TariffRow.line, TariffRow.id],
    )

    __table_args__ = (UniqueConstraint("source"),)

    def __repr__(self) -> str:
        return f"<TariffCatalogue {self.id} {self.source!r} rows={self.row_count}>"


class TariffRow(Base):
    """One priced row of a catalogue (``row_key`` is the JSON ``id``, e.g. ``"L0040"``)."""

    __tablename__ = "tariff_rows"

    id = Column(Integer, primary_key=True)
    catalogue_id = Column(
        Integer, ForeignKey("tariff_catalogues.id", ondelete="CASCADE"), nullable=False
    )
    row_key = Column(String(32), nullable=False)
    section = Column(Text, nullable=False)
    subsection = Column(Text, nullable=False)
    headings = Column(JSON, nullable=False)
    year = Column(String(64), nullable=False)
    label = Column(Text, nullable=False)
    price_text = Column(Text, nullable=True)
    kind = Column(String(16), nullable=False)
    unit = Column(String(32), nullable=False)
    text_price = Column(Text, nullable=True)
    notes = Column(JSON, nullable=False)
    line = Column(Integer, nullable=False)
    line_end = Column(Integer, nullable=False)

    catalogue = relationship("TariffCatalogue", back_populates="rows")
    amounts = relationship(
        "TariffAmount",
        back_populates="row",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="TariffAmount.position",
    )

    __table_args__ = (
        UniqueConstraint("catalogue_id", "row_key"),
        CheckConstraint("line >= 1 AND line_end >= line", name="line_range"),
        Index(None, "section"),
    )

    def __repr__(self) -> str:
        return f"<TariffRow {self.row_key} {self.label!r}>"


class TariffAmount(Base):
    """The ``position``-th amount (0-based) of a tariff row, as an exact decimal."""

    __tablename__ = "tariff_amounts"

    row_id = Column(
        Integer, ForeignKey("tariff_rows.id", ondelete="CASCADE"), primary_key=True
    )
    position = Column(Integer, primary_key=True, autoincrement=False)
    value = Column(PortableNumeric(AMOUNT_PRECISION, AMOUNT_SCALE), nullable=False)
    what = Column(Text, nullable=False)

    row = relationship("TariffRow", back_populates="amounts")

    __table_args__ = (CheckConstraint("position >= 0", name="position_nonnegative"),)

    def __repr__(self) -> str:
        return f"<TariffAmount {self.row_id}#{self.position} {self.value} {self.what!r}>"


def all_metadata() -> MetaData:
    """The metadata of every table, with every model module imported.

    Later model modules (ledger, audit log) are imported here so Alembic and the schema
    check see all tables.
    """
    import core.gateway_models  # noqa: F401 - gateway tables (staff, audit, feedback)
    import core.ledger_models  # noqa: F401 - citizen ledger (citizens, claims, ...)

    return Base.metadata
