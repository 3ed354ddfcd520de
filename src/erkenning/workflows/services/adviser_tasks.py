"""An adviser's to-dos on cases (for now: a follow-up whose recommended courses were not completed),
and marking one done. The worker creates them (`closing.follow_up`); advisers list and finish them.

A task has two states, open and done (`done_at` set); the move between them is a transition table
like every other (`states.TASK_TRANSITIONS`), so the API, the pages and the tests read who may make it
from one place.
"""

from __future__ import annotations

from uuid import UUID

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.core import clock, states
from erkenning.core.audit import service as audit
from erkenning.core.auth.scope import get_scoped
from erkenning.core.caller import Caller
from erkenning.workflows import closing
from erkenning.workflows.models import AdviserTask, Investigation
from erkenning.workflows.schemas import AdviserTaskRead
from erkenning.workflows.states import TASK_TRANSITIONS, TaskState, task_state


def _read(task: AdviserTask, company_id: UUID) -> AdviserTaskRead:
    return AdviserTaskRead(
        id=task.id, investigation_id=task.investigation_id, company_id=company_id, assigned_to=task.assigned_to,
        kind=task.kind, note=task.note, due_on=task.due_on, done_at=task.done_at,
        overdue=task.done_at is None and task.due_on is not None and task.due_on < clock.today(),
    )


class AdviserTaskService:
    """Taken van adviseurs bij hun onderzoeken."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def open_for(self, caller: Caller, *, limit: int = 50) -> list[AdviserTaskRead]:
        """The caller's open tasks, earliest due first (no due date last)."""
        rows = await self.session.exec(
            select(AdviserTask, Investigation.company_id)
            .join(Investigation, col(Investigation.id) == col(AdviserTask.investigation_id))
            .where(col(AdviserTask.assigned_to) == caller.principal_id, col(AdviserTask.done_at).is_(None))
            .order_by(sa.nulls_last(col(AdviserTask.due_on).asc()), col(AdviserTask.created_at), col(AdviserTask.id))
            .limit(limit)
        )
        return [_read(task, company_id) for task, company_id in rows.all()]

    async def for_case(self, investigation_id: UUID, caller: Caller) -> list[AdviserTaskRead]:
        """Every task of one case (staff only: the table has no outside scope), open ones first."""
        case = await get_scoped(self.session, Investigation, investigation_id, caller, what="investigation")
        rows = await self.session.exec(
            select(AdviserTask).where(col(AdviserTask.investigation_id) == case.id)
            .order_by(col(AdviserTask.done_at).is_not(None), sa.nulls_last(col(AdviserTask.due_on).asc()),
                      col(AdviserTask.created_at))
        )
        return [_read(task, case.company_id) for task in rows.all()]

    async def complete(self, task_id: UUID, caller: Caller) -> AdviserTaskRead:
        task = await get_scoped(self.session, AdviserTask, task_id, caller, for_update=True, what="task")
        states.check(TASK_TRANSITIONS, task_state(task), TaskState.DONE, task, caller)
        task.done_at = clock.now()
        self.session.add(task)
        await closing.timeline_note(self.session, task.investigation_id, "task_done", by=caller,
                                    task_id=str(task.id), task_kind=task.kind)
        await audit.record(self.session, caller, "adviser_task.completed", task)
        await self.session.flush()
        case = await self.session.get(Investigation, task.investigation_id)
        assert case is not None  # the task's foreign key
        return _read(task, case.company_id)
