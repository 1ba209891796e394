"""Region edits move the feeds: `event_revisions.contact_digest` and `names_digest`
keep what the calendars showed around each event (its region's contact, the region
names of the feeds carrying it).

Empty for events recorded before: the next timeline load fills them, moving nothing.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("event_revisions") as batch:
        batch.add_column(sa.Column("contact_digest", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("names_digest", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("event_revisions") as batch:
        batch.drop_column("names_digest")
        batch.drop_column("contact_digest")
