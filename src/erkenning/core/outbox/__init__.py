"""Transactional outbox: add an event in the transaction of the change, enqueue after commit, claim in a task.

PostgreSQL holds the truth (the `outbox_event` row); Redis only carries a trigger whose job id is
the event id. A handler runs in the same transaction that marks its event done, under a row lock,
so a job that runs twice (arq is at-least-once) has one effect.

`models` holds the table, `events` writing an event and the handlers' specs (`Handler`, one per
topic, gathered into `Handlers` where the worker is built), `queue` the Redis side, `processing`
the worker side (claim, run by the runtime's handlers, batches, the sweep), `admin` what operators do.
"""

from erkenning.core.outbox.admin import Backlog, backlog, list_events, purge_done, retry_dead
from erkenning.core.outbox.events import (
    ClaimedEvent,
    Event,
    EventContext,
    Handler,
    HandlerFn,
    Handlers,
    NewEvent,
    add,
    check_payload,
    enqueue_after_commit,
    take_new,
    topic_for_sql,
)
from erkenning.core.outbox.models import EventStatus, OutboxEvent
from erkenning.core.outbox.processing import RecentlyDone, claim_and_mark, claim_due, process, sweep
from erkenning.core.outbox.queue import TASK_NAME, Queue

__all__ = [
    "TASK_NAME",
    "Backlog",
    "ClaimedEvent",
    "Event",
    "EventContext",
    "EventStatus",
    "Handler",
    "HandlerFn",
    "Handlers",
    "NewEvent",
    "OutboxEvent",
    "Queue",
    "RecentlyDone",
    "add",
    "backlog",
    "check_payload",
    "enqueue_after_commit",
    "claim_and_mark",
    "claim_due",
    "list_events",
    "process",
    "purge_done",
    "retry_dead",
    "sweep",
    "take_new",
    "topic_for_sql",
]
