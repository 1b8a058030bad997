"""Gateway tables: staff_users, staff_audit_log, chat_feedback, unanswered_questions.

Hand-written to match :mod:`core.gateway_models`.

Revision ID: 0003_gateway
Revises: 0001_tariff_catalogue
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_gateway"
down_revision = "0001_tariff_catalogue"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("role IN ('staff', 'supervisor')", name=op.f("ck_staff_users_role_known")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_users")),
        sa.UniqueConstraint("username", name=op.f("uq_staff_users_username")),
    )
    op.create_table(
        "staff_audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("staff_username", sa.String(length=64), nullable=False),
        sa.Column("citizen_ref", sa.String(length=64), nullable=True),
        sa.Column("cpr_masked", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_audit_log")),
    )
    op.create_index(op.f("ix_staff_audit_log_at"), "staff_audit_log", ["at"], unique=False)
    op.create_table(
        "chat_feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("message_id", sa.String(length=64), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.CheckConstraint("rating IN (-1, 1)", name=op.f("ck_chat_feedback_rating_sign")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat_feedback")),
        sa.UniqueConstraint("message_id", name=op.f("uq_chat_feedback_message_id")),
    )
    op.create_index(op.f("ix_chat_feedback_at"), "chat_feedback", ["at"], unique=False)
    op.create_table(
        "unanswered_questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unanswered_questions")),
    )
    op.create_index(op.f("ix_unanswered_questions_at"), "unanswered_questions", ["at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_unanswered_questions_at"), table_name="unanswered_questions")
    op.drop_table("unanswered_questions")
    op.drop_index(op.f("ix_chat_feedback_at"), table_name="chat_feedback")
    op.drop_table("chat_feedback")
    op.drop_index(op.f("ix_staff_audit_log_at"), table_name="staff_audit_log")
    op.drop_table("staff_audit_log")
    op.drop_table("staff_users")
