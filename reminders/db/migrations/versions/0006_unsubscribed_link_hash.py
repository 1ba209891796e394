"""A second one-click unsubscribe for an address already gone answers success.

`unsubscribed.link_hash`: the SHA-256 of the link that unsubscribed (as
`subscriptions.token_hash` held it), so that the same link posted again finds it.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("unsubscribed") as batch:
        batch.add_column(sa.Column("link_hash", sa.String(length=64), nullable=True))
        batch.create_index("ix_unsubscribed_link_hash", ["link_hash"])


def downgrade() -> None:
    with op.batch_alter_table("unsubscribed") as batch:
        batch.drop_index("ix_unsubscribed_link_hash")
        batch.drop_column("link_hash")
