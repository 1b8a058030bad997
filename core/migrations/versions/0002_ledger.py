"""Citizen ledger: ledger_citizens, ledger_claims, ledger_reminders, ledger_payments,
ledger_plan_applications.

Hand-written to match :mod:`core.ledger_models`.

Ordering note: ``0003_gateway`` was written first and revises ``0001_tariff_catalogue``;
to keep a single head this revision comes after it (0001 -> 0003 -> 0002). The ids are
names, not an order.

Revision ID: 0002_ledger
Revises: 0003_gateway
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_ledger"
down_revision = "0003_gateway"
branch_labels = None
depends_on = None

MONEY = sa.Numeric(precision=14, scale=2)


def upgrade() -> None:
    op.create_table(
        "ledger_citizens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=40), nullable=False),
        sa.Column("cpr", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_citizens")),
        sa.UniqueConstraint("cpr", name=op.f("uq_ledger_citizens_cpr")),
        sa.UniqueConstraint("ref", name=op.f("uq_ledger_citizens_ref")),
    )
    op.create_table(
        "ledger_claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_no", sa.String(length=40), nullable=False),
        sa.Column("citizen_id", sa.Integer(), nullable=False),
        sa.Column("bill_type", sa.String(length=32), nullable=False),
        sa.Column("office", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("civil_law", sa.Boolean(), nullable=False),
        sa.Column("on_property", sa.Boolean(), nullable=False),
        sa.Column("payment_id", sa.String(length=15), nullable=True),
        sa.Column("creditor_no", sa.String(length=8), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_ledger_claims_amount_positive")),
        sa.CheckConstraint(
            "status IN ('pending', 'overdue', 'paid', 'in_plan')",
            name=op.f("ck_ledger_claims_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["citizen_id"],
            ["ledger_citizens.id"],
            name=op.f("fk_ledger_claims_citizen_id_ledger_citizens"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_claims")),
        sa.UniqueConstraint("claim_no", name=op.f("uq_ledger_claims_claim_no")),
    )
    op.create_index(
        op.f("ix_ledger_claims_citizen_id"), "ledger_claims", ["citizen_id"], unique=False
    )
    op.create_table(
        "ledger_reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("fee", MONEY, nullable=False),
        sa.CheckConstraint("fee >= 0", name=op.f("ck_ledger_reminders_fee_nonnegative")),
        sa.CheckConstraint(
            "kind IN ('rykker', 'varsling', 'underretning_udlaeg')",
            name=op.f("ck_ledger_reminders_kind_known"),
        ),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["ledger_claims.id"],
            name=op.f("fk_ledger_reminders_claim_id_ledger_claims"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_reminders")),
        sa.UniqueConstraint(
            "claim_id", "kind", "sent_on", name=op.f("uq_ledger_reminders_claim_id_kind_sent_on")
        ),
    )
    op.create_table(
        "ledger_payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("payment_ref", sa.String(length=40), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_ledger_payments_amount_positive")),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["ledger_claims.id"],
            name=op.f("fk_ledger_payments_claim_id_ledger_claims"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_payments")),
        sa.UniqueConstraint("payment_ref", name=op.f("uq_ledger_payments_payment_ref")),
    )
    op.create_index(
        op.f("ix_ledger_payments_claim_id"), "ledger_payments", ["claim_id"], unique=False
    )
    op.create_table(
        "ledger_plan_applications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("citizen_id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("monthly_amount", MONEY, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("idempotency_key", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "monthly_amount > 0",
            name=op.f("ck_ledger_plan_applications_monthly_amount_positive"),
        ),
        sa.CheckConstraint(
            "status IN ('received', 'approved', 'rejected', 'withdrawn')",
            name=op.f("ck_ledger_plan_applications_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["citizen_id"],
            ["ledger_citizens.id"],
            name=op.f("fk_ledger_plan_applications_citizen_id_ledger_citizens"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["ledger_claims.id"],
            name=op.f("fk_ledger_plan_applications_claim_id_ledger_claims"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_plan_applications")),
        sa.UniqueConstraint(
            "idempotency_key", name=op.f("uq_ledger_plan_applications_idempotency_key")
        ),
    )
    op.create_index(
        op.f("ix_ledger_plan_applications_claim_id"),
        "ledger_plan_applications",
        ["claim_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_ledger_plan_applications_claim_id"), table_name="ledger_plan_applications"
    )
    op.drop_table("ledger_plan_applications")
    op.drop_index(op.f("ix_ledger_payments_claim_id"), table_name="ledger_payments")
    op.drop_table("ledger_payments")
    op.drop_table("ledger_reminders")
    op.drop_index(op.f("ix_ledger_claims_citizen_id"), table_name="ledger_claims")
    op.drop_table("ledger_claims")
    op.drop_table("ledger_citizens")
