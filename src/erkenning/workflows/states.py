"""The investigation's lifecycle as data: who may move it where, what must hold, what must be given."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from erkenning.core.caller import ADVISER_ROLES, Caller, Role
from erkenning.core.states import Guard, Rule, Table
from erkenning.workflows.models import (
    OPEN_STATES,
    AdviserTask,
    Investigation,
    Outcome,
    ReactionRoute,
    ReactionStatus,
    ReporterReaction,
    RoundState,
)
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


def no_reporter_term_running(case: Investigation, caller: Caller, given: Mapping[str, Any]) -> str | None:
    """The proposal waits while the reporting side may still react (wederhoor): "not yet", 409."""
    if case.reporter_round_open:
        return "The reporting side may still react to the company's answer (wederhoor): propose after its term"
    return None


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
        roles=ADVISERS, guard=hearing_held_for_adverse, needs=("outcome", "findings"), ready=no_reporter_term_running,
        description="Propose an outcome with findings (once the reporting side's term, if any, has passed)",
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


# Hearing the other side (wederhoor): after the company answered (or its term passed), the case's adviser
# puts the substance of the answer, in the adviser's own words, to the reporting side of every report of
# the case, with a term. Not a state of the case but an activity within `assessment`: the round is open
# from the question until every side reacted or the term passed, and a proposal waits for it (above).
# The basis is due care in gathering the facts (art. 3:2 Awb); the company's own hearing is art. 4:8 Awb.


def company_heard(case: Investigation, caller: Caller, given: Mapping[str, Any]) -> str | None:
    """In assessment, after the company answered or its term passed: there is an answer to put ("not yet", 409)."""
    if case.status is not S.ASSESSMENT:
        return "The reporting side is asked while the case is in assessment"
    if case.hearing_requested_at is None:
        return "The company was not heard: there is no answer to put to the reporting side"
    return None


ROUND_TRANSITIONS: Table[RoundState] = {
    (RoundState.IDLE, RoundState.OPEN): Rule(
        roles=ADVISERS, guard=assigned_or_senior, needs=("question",), ready=company_heard,
        description="Put the substance of the company's answer, as the adviser words it, to the reporting side "
        "of every report of the case, with a term and a reminder (wederhoor)",
    ),
    (RoundState.OPEN, RoundState.IDLE): Rule(
        roles=SYSTEM, description="Every reporting side reacted, or the term passed (the rest: no reaction)"
    ),
}

# The anonymous reporter, known only by the receipt code it holds (no token, no principal, no address).
RECEIPT_HOLDER = Caller.system("receipt-holder")


def reacting_side(reaction: ReporterReaction, caller: Caller, given: Mapping[str, Any]) -> str | None:
    """The school that passed the report on, the anonymous reporter by its receipt code, or the case's adviser.

    The adviser (or a senior adviser) records a reaction received outside the service, for any report.
    """
    if caller.role is Role.SCHOOL:
        own = reaction.route is ReactionRoute.SCHOOL and caller.school_brin == reaction.school_brin
        return None if own else "Not a report your school passed on"
    if caller.role is Role.SYSTEM:
        if caller == RECEIPT_HOLDER and reaction.route is ReactionRoute.RECEIPT:
            return None
        return "Only the reporter, with the receipt code, reacts to an anonymous report"
    if caller.is_senior or (caller.principal_id is not None and caller.principal_id == given.get("assigned_to")):
        return None
    return "Only the adviser assigned to this case (or a senior adviser) records a reaction"


def the_worker(reaction: ReporterReaction, caller: Caller, given: Mapping[str, Any]) -> str | None:
    """The worker, when the term passed (not the anonymous reporter, who holds the same role)."""
    return "Only the worker records that the term passed" if caller == RECEIPT_HOLDER else None


REACTION_TRANSITIONS: Table[ReactionStatus] = {
    (ReactionStatus.ASKED, ReactionStatus.ANSWERED): Rule(
        roles=frozenset({Role.SCHOOL, Role.SYSTEM, *ADVISERS}), guard=reacting_side, needs=("reaction",),
        description="The reporting side reacts (school, anonymous reporter), or the adviser records its reaction",
    ),
    (ReactionStatus.ASKED, ReactionStatus.NO_REACTION): Rule(
        roles=SYSTEM, guard=the_worker, description="The term passed without a reaction (on the timeline)"
    ),
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
