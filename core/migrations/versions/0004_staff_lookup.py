"""Staff console look-ups by betalings-id and name: the audit log records how staff
searched (``search_kind``, ``search_text``); staff accounts get a display name.

Hand-written to match :mod:`core.gateway_models`. Existing audit rows were CPR look-ups.

Revision ID: 0004_staff_lookup
Revises: 0002_ledger
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_staff_lookup"
down_revision = "0002_ledger"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("staff_users") as batch:
        batch.add_column(sa.Column("display_name", sa.String(length=200), nullable=True))
    with op.batch_alter_table("staff_audit_log") as batch:
        batch.add_column(sa.Column("search_kind", sa.String(length=16), nullable=False, server_default="cpr"))
        batch.add_column(sa.Column("search_text", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("staff_audit_log") as batch:
        batch.drop_column("search_text")
        batch.drop_column("search_kind")
    with op.batch_alter_table("staff_users") as batch:
        batch.drop_column("display_name")
