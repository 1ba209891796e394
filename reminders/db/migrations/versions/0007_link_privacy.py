"""Links and link emails without leaks: a random handle per subscription (personal feed
and unsubscribe links name it instead of the sequential id), requests for link emails
queued off the request path, quotas keyed by a keyed hash, and an index for the fast
lane that sends link emails within seconds.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from reminders.db.models import UtcDateTime

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("subscriptions") as batch:
        batch.add_column(sa.Column("handle", sa.String(32), nullable=True))
    bind = op.get_bind()
    subscriptions = sa.table("subscriptions", sa.column("id", sa.Integer), sa.column("handle"))
    ids = bind.execute(sa.select(subscriptions.c.id)).scalars().all()
    give_handle = (
        subscriptions.update()
        .where(subscriptions.c.id == sa.bindparam("row_id"))
        .values(handle=sa.bindparam("new_handle"))
    )
    # One batched statement per 10,000 rows: a row at a time, a million subscriptions
    # were a million round trips and kept the upgrade busy for many minutes.
    for start in range(0, len(ids), 10_000):
        batch_ids = ids[start : start + 10_000]
        bind.execute(
            give_handle,
            [{"row_id": i, "new_handle": secrets.token_urlsafe(16)} for i in batch_ids],
        )
    with op.batch_alter_table("subscriptions") as batch:
        batch.alter_column("handle", existing_type=sa.String(32), nullable=False)
        batch.create_unique_constraint("uq_subscriptions_handle", ["handle"])
    op.create_table(
        "mail_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("choices", sa.JSON(), nullable=False),
        sa.Column("created_at", UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_mail_requests"),
    )
    op.create_table(
        "mail_quota",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("at", UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_mail_quota"),
    )
    op.create_index("ix_mail_quota_key", "mail_quota", ["key", "at"])
    op.create_index("ix_outbox_kind_due", "outbox", ["kind", "state", "due_at"])


def downgrade() -> None:
    op.drop_index("ix_outbox_kind_due", table_name="outbox")
    op.drop_index("ix_mail_quota_key", table_name="mail_quota")
    op.drop_table("mail_quota")
    op.drop_table("mail_requests")
    with op.batch_alter_table("subscriptions") as batch:
        batch.drop_constraint("uq_subscriptions_handle", type_="unique")
        batch.drop_column("handle")
