"""Tariff catalogue: tariff_catalogues, tariff_rows, tariff_amounts.

Hand-written to match :mod:`core.models`; constraint names follow its naming convention
and are spelled out with ``op.f`` so they are the same on SQLite and PostgreSQL.

Revision ID: 0001_tariff_catalogue
Revises:
Create Date: 2024-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0001_tariff_catalogue"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tariff_catalogues",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("source_sha256", sa.String(length=64), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tariff_catalogues")),
        sa.UniqueConstraint("source", name=op.f("uq_tariff_catalogues_source")),
    )
    op.create_table(
        "tariff_rows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("catalogue_id", sa.Integer(), nullable=False),
        sa.Column("row_key", sa.String(length=32), nullable=False),
        sa.Column("section", sa.Text(), nullable=False),
        sa.Column("subsection", sa.Text(), nullable=False),
        sa.Column("headings", sa.JSON(), nullable=False),
        sa.Column("year", sa.String(length=64), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("price_text", sa.Text(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=False),
        sa.Column("text_price", sa.Text(), nullable=True),
        sa.Column("notes", sa.JSON(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("line_end", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "line >= 1 AND line_end >= line", name=op.f("ck_tariff_rows_line_range")
        ),
        sa.ForeignKeyConstraint(
            ["catalogue_id"],
            ["tariff_catalogues.id"],
            name=op.f("fk_tariff_rows_catalogue_id_tariff_catalogues"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tariff_rows")),
        sa.UniqueConstraint(
            "catalogue_id", "row_key", name=op.f("uq_tariff_rows_catalogue_id_row_key")
        ),
    )
    op.create_index(op.f("ix_tariff_rows_section"), "tariff_rows", ["section"], unique=False)
    op.create_table(
        "tariff_amounts",
        sa.Column("row_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("value", sa.Numeric(precision=14, scale=3), nullable=False),
        sa.Column("what", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "position >= 0", name=op.f("ck_tariff_amounts_position_nonnegative")
        ),
        sa.ForeignKeyConstraint(
            ["row_id"],
            ["tariff_rows.id"],
            name=op.f("fk_tariff_amounts_row_id_tariff_rows"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("row_id", "position", name=op.f("pk_tariff_amounts")),
    )


def downgrade() -> None:
    op.drop_table("tariff_amounts")
    op.drop_index(op.f("ix_tariff_rows_section"), table_name="tariff_rows")
    op.drop_table("tariff_rows")
    op.drop_table("tariff_catalogues")
