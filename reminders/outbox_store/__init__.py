"""The `outbox` and `send_log` tables: every statement on them (SQLAlchemy Core).

Use cases call these functions on their own connection and transaction: the planning
tick and the sign-up pages add rows (`adding`), `reminders.claims` leases and releases
them and `reminders.send_records` records attempts (`leasing`), stale rows are
withdrawn and old ones deleted (`removing`), and the subscriber's export, the
operator's view and the metrics read them (`reading`). A unit test says that no module
outside this package writes SQL on these tables. The row life cycle is in
`reminders.claims`.
"""

from reminders.outbox_store._tables import FINISHED_STATES, PENDING_STATES, TOO_LATE, WAITING_STATES
from reminders.outbox_store.adding import (
    SLOT_COLUMNS,
    PlannedMessage,
    enqueue,
    enqueue_slot,
    new_message_id,
)
from reminders.outbox_store.leasing import (
    finish_attempts,
    lease,
    log_attempts,
    release,
    set_message_ids,
)
from reminders.outbox_store.reading import (
    count_by_state,
    failed_attempts,
    messages_of,
    oldest_waiting_due,
    pending_revisions,
    subscription_of,
)
from reminders.outbox_store.removing import (
    delete_finished,
    delete_for_subscriptions,
    withdraw_revisions,
    withdraw_rows,
    withdraw_subscriptions,
)

__all__ = [
    "FINISHED_STATES",
    "PENDING_STATES",
    "SLOT_COLUMNS",
    "TOO_LATE",
    "WAITING_STATES",
    "PlannedMessage",
    "count_by_state",
    "delete_finished",
    "delete_for_subscriptions",
    "enqueue",
    "enqueue_slot",
    "failed_attempts",
    "finish_attempts",
    "lease",
    "log_attempts",
    "messages_of",
    "new_message_id",
    "oldest_waiting_due",
    "pending_revisions",
    "release",
    "set_message_ids",
    "subscription_of",
    "withdraw_revisions",
    "withdraw_rows",
    "withdraw_subscriptions",
]
