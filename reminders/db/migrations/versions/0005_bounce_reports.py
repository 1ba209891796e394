"""Bounces read back: a decaying bounce score per subscription, and the reports table.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from reminders.db.models import UtcDateTime

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("subscriptions") as batch:
        batch.add_column(sa.Column("bounce_score", sa.Float(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("bounce_scored_at", UtcDateTime(), nullable=True))
    op.create_table(
        "bounce_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=True),
        sa.Column("outbox_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["subscriptions.id"],
            name="fk_bounce_reports_subscription_id_subscriptions",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_bounce_reports"),
        sa.UniqueConstraint("outbox_id", "kind", name="uq_bounce_reports_outbox_kind"),
    )
    op.create_index("ix_bounce_reports_at", "bounce_reports", ["at"])
    op.create_index("ix_bounce_reports_subscription_id", "bounce_reports", ["subscription_id"])


def downgrade() -> None:
    op.drop_index("ix_bounce_reports_subscription_id", table_name="bounce_reports")
    op.drop_index("ix_bounce_reports_at", table_name="bounce_reports")
    op.drop_table("bounce_reports")
    with op.batch_alter_table("subscriptions") as batch:
        batch.drop_column("bounce_scored_at")
        batch.drop_column("bounce_score")
