"""Change notices owed survive a crash: what subscribers were last told, per event.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("event_revisions") as batch:
        batch.add_column(sa.Column("notified", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("notified_sequence", sa.Integer(), nullable=True))
    # Whatever was recorded before this migration counts as told.
    op.execute("UPDATE event_revisions SET notified = published, notified_sequence = sequence")
    with op.batch_alter_table("event_revisions") as batch:
        batch.alter_column("notified", existing_type=sa.JSON(), nullable=False)
        batch.alter_column("notified_sequence", existing_type=sa.Integer(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("event_revisions") as batch:
        batch.drop_column("notified_sequence")
        batch.drop_column("notified")
