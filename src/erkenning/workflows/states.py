"""The investigation's lifecycle as data: who may move it where, what must hold, what must be given."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from erkenning.core.caller import ADVISER_ROLES, Caller, Role
from erkenning.core.states import Guard, Rule, Table
from erkenning.workflows.models import OPEN_STATES, AdviserTask, Investigation, Outcome
from erkenning.workflows.models import InvestigationStatus as S

ADVISERS = frozenset({Role.ADVISER, Role.SENIOR_ADVISER})
SENIOR = frozenset({Role.SENIOR_ADVISER})
SYSTEM = frozenset({Role.SYSTEM})
ADVERSE = frozenset({Outcome.SUSPENSION, Outcome.WITHDRAWAL})


def assigned_or_senior(case: Investigation, caller: Caller, given: Mapping[str, Any]) -> str | None:
    if caller.role is Role.SENIOR_ADVISER or caller.role is Role.SYSTEM:
        return None
    if case.assigned_to is None or case.assigned_to != caller.principal_id:
        return "Only the adviser assigned to this case (or a senior adviser) may do this"
    return None


def not_the_proposer(case: Investigation, caller: Caller, given: Mapping[str, Any]) -> str | None:
    if case.proposed_by is not None and case.proposed_by == caller.principal_id:
        return "Four eyes: a proposal is approved by a senior adviser other than its proposer"
    return None


def answering_party(case: Investigation, caller: Caller, given: Mapping[str, Any]) -> str | None:
    """The company itself, the worker (no answer by the deadline), or the adviser recording an answer."""
    if caller.role is Role.COMPANY:
        return None if caller.company_id == case.company_id else "Not your hearing"
    return assigned_or_senior(case, caller, given)


def hearing_held_for_adverse(case: Investigation, caller: Caller, given: Mapping[str, Any]) -> str | None:
    refusal = assigned_or_senior(case, caller, given)
    if refusal is None and given.get("outcome") in ADVERSE and case.hearing_requested_at is None:
        return "A suspension or withdrawal can only be proposed after the company was heard (hearing)"
    return refusal


def back_to_where_it_was(target: S) -> Guard:
    def guard(case: Investigation, caller: Caller, given: Mapping[str, Any]) -> str | None:
        if case.status_before_hold is not target:
            return f"This case was put on hold from {case.status_before_hold}, not from {target.value}"
        return assigned_or_senior(case, caller, given)

    return guard


TRANSITIONS: dict[tuple[S, S], Rule] = {
    (S.OPEN, S.HEARING): Rule(
        roles=ADVISERS, guard=assigned_or_senior, needs=("question",),
        description="Ask the company for its side (hoor en wederhoor), with a deadline",
    ),
    (S.OPEN, S.ASSESSMENT): Rule(
        roles=ADVISERS, guard=assigned_or_senior, needs=("reason",),
        description="Assess without a hearing (only an unfounded or improvement outcome can follow)",
    ),
    (S.HEARING, S.ASSESSMENT): Rule(
        roles=frozenset({Role.COMPANY, Role.SYSTEM, *ADVISERS}), guard=answering_party,
        description="The company answered (or the adviser records its answer), or the deadline passed",
    ),
    (S.ASSESSMENT, S.PROPOSED): Rule(
        roles=ADVISERS, guard=hearing_held_for_adverse, needs=("outcome", "findings"),
        description="Propose an outcome with findings",
    ),
    (S.PROPOSED, S.APPROVED): Rule(
        roles=SENIOR, guard=not_the_proposer, description="Approve the proposal (not its proposer)"
    ),
    (S.PROPOSED, S.ASSESSMENT): Rule(
        roles=SENIOR, needs=("reason",), description="Send the proposal back to assessment, with a reason"
    ),
    (S.APPROVED, S.CLOSED): Rule(
        roles=SYSTEM, description="Carry out the approved outcome (decision or follow-up) and close"
    ),
    **{
        (state, S.ON_HOLD): Rule(
            roles=ADVISERS, guard=assigned_or_senior, needs=("reason",),
            description="Pause the case; its deadlines move by the time on hold",
        )
        for state in OPEN_STATES
    },
    **{
        (S.ON_HOLD, state): Rule(
            roles=ADVISERS, guard=back_to_where_it_was(state), description="Resume the case where it was"
        )
        for state in OPEN_STATES
    },
}


# An adviser's task on a case: open until someone it may be marked done by marks it done.
class TaskState(StrEnum):
    OPEN = "open"
    DONE = "done"


def _assignee_or_senior(task: AdviserTask, caller: Caller, _: Any) -> str | None:
    if task.assigned_to in (None, caller.principal_id) or caller.role is Role.SENIOR_ADVISER:
        return None
    return "only the adviser the task is assigned to, or a senior adviser, may mark it done"


TASK_TRANSITIONS: Table[TaskState] = {
    (TaskState.OPEN, TaskState.DONE): Rule(
        roles=ADVISER_ROLES, guard=_assignee_or_senior, description="Mark the task done"
    ),
}


def task_state(task: AdviserTask) -> TaskState:
    return TaskState.DONE if task.done_at is not None else TaskState.OPEN
