"""Transition tables of recognitions, decisions and objections (states as data, see `erkenning.core.states`).

Each rule says who may make a move and what must hold of them (its guard: "not you", 403), and
what must hold of the moment (its ready hook: "not now", 409): a response term that still runs, an
objection still pending. `states.apply` applies both, `states.allowed` lists what a caller may do
now, and the tests walk every pair of every table.

Recognition moves are made by sent decisions (the ready hook checks the decision's kind) and by
upholding an objection (art. 7:11 Awb), which undoes the contested decision from its start: the
reverse of each move an adverse decision makes, and nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from erkenning.core import calendar, clock
from erkenning.core.caller import ADVISER_ROLES, Caller, Role
from erkenning.core.states import Rule, Table
from erkenning.recognition.models import DecisionKind as K
from erkenning.recognition.models import DecisionStatus as D
from erkenning.recognition.models import HearingStatus as H
from erkenning.recognition.models import ObjectionStatus as O
from erkenning.recognition.models import RecognitionStatus as R

# Decisions that harm the company: four eyes, and first an intended decision (art. 4:8 Awb) unless urgent (4:11).
HARMFUL = frozenset({K.REFUSE, K.IMPOSE_CONDITIONS, K.SUSPEND, K.WITHDRAW})
# Decisions against the company's interest: never retroactive, and open to an objection that restores.
ADVERSE = HARMFUL | {K.LAPSE}

# The status a decision kind puts a recognition in (None: unchanged).
TARGET: Mapping[K, R | None] = {
    K.GRANT: R.ACTIVE,
    K.REFUSE: R.REFUSED,
    K.IMPOSE_CONDITIONS: None,
    K.SUSPEND: R.SUSPENDED,
    K.REINSTATE: R.ACTIVE,
    K.WITHDRAW: R.WITHDRAWN,
    K.LAPSE: R.LAPSED,
}


# ---------------------------------------------------------------- recognitions


def _by(*kinds: K, undoing: bool = False) -> Rule:
    """A move made by a sent decision of one of `kinds`; `undoing`: also (or, without kinds, only) by
    upholding an objection against the decision that made the reverse move (art. 7:11 Awb)."""
    names = " or ".join(k.value for k in kinds)
    by_objection = "upholding an objection against the decision that made the reverse move (art. 7:11 Awb)"

    def made_by(recognition: Any, caller: Caller, given: Mapping[str, Any]) -> str | None:
        if undoing and given.get("objection_upheld"):
            return None
        kind = given.get("kind")
        if kind in kinds:
            return None
        if not kinds:
            return f"only {by_objection} makes this change"
        return f"only a {names} decision makes this change, not a {getattr(kind, 'value', kind)} decision"

    made = " or by ".join(([f"a {names} decision"] if kinds else []) + ([by_objection] if undoing else []))
    return Rule(roles=ADVISER_ROLES, ready=made_by, description=f"by {made}")


RECOGNITION_TRANSITIONS: Table[R] = {
    (R.PENDING, R.ACTIVE): _by(K.GRANT),
    (R.PENDING, R.REFUSED): _by(K.REFUSE),
    # Conditions change no status.
    (R.ACTIVE, R.ACTIVE): _by(K.IMPOSE_CONDITIONS),
    (R.ACTIVE, R.SUSPENDED): _by(K.SUSPEND),
    (R.ACTIVE, R.WITHDRAWN): _by(K.WITHDRAW),
    (R.ACTIVE, R.LAPSED): _by(K.LAPSE),
    (R.SUSPENDED, R.ACTIVE): _by(K.REINSTATE, undoing=True),
    (R.SUSPENDED, R.WITHDRAWN): _by(K.WITHDRAW),
    # Undoing a revoked decision: each is the reverse of a move above, made only by the upheld objection.
    (R.REFUSED, R.PENDING): _by(undoing=True),
    (R.WITHDRAWN, R.ACTIVE): _by(undoing=True),
    (R.WITHDRAWN, R.SUSPENDED): _by(undoing=True),
    (R.LAPSED, R.ACTIVE): _by(undoing=True),
}


# ---------------------------------------------------------------- decisions


def needs_hearing(decision: Any) -> bool:
    """A harmful decision is first put to the company as an intended decision (art. 4:8 Awb), unless it is
    urgent and the reason is recorded (art. 4:11 Awb). An investigation's hearing does not count: it asked
    for the company's side of the facts, not of this measure."""
    return decision.kind in HARMFUL and not decision.urgent_reason


def hearing_done(decision: Any) -> bool:
    """The company responded, or its response term has passed."""
    if decision.response_received_at is not None:
        return True
    return decision.response_due is not None and clock.today() > decision.response_due


def four_eyes(decision: Any, caller: Caller, given: Mapping[str, Any]) -> str | None:
    if decision.kind not in HARMFUL:
        return None
    if caller.role is not Role.SENIOR_ADVISER:
        return f"A {decision.kind.value} decision harms the company: a senior adviser must approve it"
    if caller.principal_id == decision.drafted_by:
        return "Four eyes: a senior adviser other than the one who drafted this decision must approve it"
    return None


def by_a_person(decision: Any, caller: Caller, given: Mapping[str, Any]) -> str | None:
    """Sending is a deliberate step of someone who read the letter; never the worker's."""
    return None if caller.principal_id is not None else "A decision is sent by a person, who is recorded as its sender"


def _ready_to_intend(decision: Any, caller: Caller, given: Mapping[str, Any]) -> str | None:
    if decision.kind not in HARMFUL:
        return "Only a harmful decision is put to the company first"
    if decision.urgent_reason:
        return "This measure is recorded as urgent (art. 4:11 Awb): it is not put to the company first"
    if decision.intended_on is not None:
        return "This decision was already put to the company"
    return None


def criteria_met(decision: Any, caller: Caller, given: Mapping[str, Any]) -> str | None:
    """A grant needs every recognition criterion met in the current assessment of each recognition (art. 7.2.10 WEB).

    The service gives `criteria_unmet` (what is missing, see `erkenning.recognition.assessed.unmet_for_grant`);
    a grant that was not checked is refused too."""
    if decision.kind is not K.GRANT:
        return None
    if "criteria_unmet" not in given:
        return "The recognition criteria of this grant were not checked"
    if unmet := given["criteria_unmet"]:
        return "Not every recognition criterion is met in a current assessment (art. 7.2.10 WEB): " + "; ".join(unmet)
    return None


def _ready_to_approve(decision: Any, caller: Caller, given: Mapping[str, Any]) -> str | None:
    if (missing := criteria_met(decision, caller, given)) is not None:
        return missing
    if needs_hearing(decision) and not hearing_done(decision):
        if decision.response_due is None:
            return (
                "First put this harmful decision to the company as an intended decision (art. 4:8 Awb), "
                "or record why it is too urgent for that (art. 4:11 Awb)"
            )
        return (
            f"The company may respond until {decision.response_due.isoformat()}; approval is possible once it "
            "has responded or that term has passed"
        )
    if decision.response_received_at is not None and not given.get("response_read"):
        return "The company responded to the intended decision: confirm that you read its response (response_read)"
    return None


def postal_grace_end(objection_deadline: Any) -> Any:
    """The last day a posted objection can still arrive in time: a week after the term (art. 6:9(2) Awb),
    under the Algemene termijnenwet."""
    return calendar.term_end(objection_deadline, days=7)


def beyond_objection(decision: Any, today: Any) -> bool:
    """The objection term and the week after it for posted objections (art. 6:9(2) Awb) have passed."""
    deadline = decision.objection_deadline
    return deadline is not None and today > postal_grace_end(deadline)


def _ready_to_finalise(decision: Any, caller: Caller, given: Mapping[str, Any]) -> str | None:
    if not beyond_objection(decision, clock.today()):
        return (
            "The objection term, and the week after it in which a posted objection may still arrive "
            "(art. 6:9(2) Awb), have not passed yet"
        )
    if given.get("objection_pending"):
        return "An objection against this decision is still pending"
    return None


def _ready_to_revoke(decision: Any, caller: Caller, given: Mapping[str, Any]) -> str | None:
    return (
        None if given.get("objection_upheld") else "A sent decision is revoked only by upholding an objection"
    )


DECISION_TRANSITIONS: Table[D] = {
    (D.DRAFT, D.INTENDED): Rule(
        roles=ADVISER_ROLES, ready=_ready_to_intend, description="put it to the company as an intended decision"
    ),
    (D.DRAFT, D.APPROVED): Rule(
        roles=ADVISER_ROLES, guard=four_eyes, ready=_ready_to_approve, description="approve"
    ),
    (D.INTENDED, D.APPROVED): Rule(
        roles=ADVISER_ROLES, guard=four_eyes, ready=_ready_to_approve, description="approve"
    ),
    (D.APPROVED, D.SENT): Rule(
        roles=ADVISER_ROLES,
        guard=by_a_person,
        ready=criteria_met,
        description="send the letter to the company; it takes effect",
    ),
    (D.APPROVED, D.DRAFT): Rule(
        roles=ADVISER_ROLES, description="reopen to revise; it must be approved again"
    ),
    (D.DRAFT, D.CANCELLED): Rule(roles=ADVISER_ROLES, description="drop it"),
    (D.INTENDED, D.CANCELLED): Rule(
        roles=ADVISER_ROLES, description="drop it (for example after the response)"
    ),
    (D.APPROVED, D.CANCELLED): Rule(roles=ADVISER_ROLES, description="drop it before it is sent"),
    (D.SENT, D.FINAL): Rule(
        roles={Role.SYSTEM}, ready=_ready_to_finalise, description="the objection term passed without objection"
    ),
    (D.SENT, D.REVOKED): Rule(
        roles=ADVISER_ROLES, ready=_ready_to_revoke, description="revoked by upholding an objection"
    ),
    # A late objection found admissible (art. 6:11 Awb) can still undo a decision that became final.
    (D.FINAL, D.REVOKED): Rule(
        roles=ADVISER_ROLES, ready=_ready_to_revoke, description="revoked by upholding a late objection found "
        "admissible (art. 6:11 Awb)"
    ),
}


# ---------------------------------------------------------------- objections


def independent_decider(objection: Any, caller: Caller, given: Mapping[str, Any]) -> str | None:
    """Art. 7:5 Awb: whoever prepared the contested decision does not decide the objection against it."""
    decision = given.get("decision")
    if decision is not None and caller.principal_id in (decision.drafted_by, decision.approved_by):
        return (
            "Whoever drafted or approved the contested decision may not decide the objection (art. 7:5 Awb)"
        )
    return None


def _admissibility_settled(objection: Any, caller: Caller, given: Mapping[str, Any]) -> str | None:
    """A late objection is judged on its merits only once it is found admissible (art. 6:11 Awb)."""
    if not objection.timely and objection.late_excused is not True:
        return (
            "This objection came in late: first decide whether the lateness is excusable (art. 6:11 Awb)"
        )
    return None


def _heard(objection: Any, caller: Caller, given: Mapping[str, Any]) -> str | None:
    """Art. 7:2 Awb: the objector is heard before the objection is rejected, unless art. 7:3 applies."""
    late = _admissibility_settled(objection, caller, given)
    if late:
        return late
    if objection.hearing_status not in (H.HELD, H.SKIPPED):
        return (
            "The objector is heard first (art. 7:2 Awb): record the hearing and its report, or why it is "
            "left out on a ground of art. 7:3 Awb"
        )
    if objection.hearing_skip_ground in NOT_FOR_REJECTING:
        ground = getattr(objection.hearing_skip_ground, "value", objection.hearing_skip_ground)
        return (
            f"The hearing was left out as {ground} (art. 7:3 Awb), which does not fit rejecting the objection: "
            "hear the objector first"
        )
    return None


# Grounds to leave the hearing out that do not fit a rejection on the merits (art. 7:3(a) and (e) Awb).
NOT_FOR_REJECTING = frozenset({"manifestly_inadmissible", "fully_upheld"})


OBJECTION_TRANSITIONS: Table[O] = {
    # Upholding in full needs no hearing (art. 7:3(e) Awb): the service records that ground if none was.
    (O.PENDING, O.UPHELD): Rule(
        roles=ADVISER_ROLES,
        guard=independent_decider,
        ready=_admissibility_settled,
        needs=("reason",),
        description="uphold: revoke the decision and restore what it changed, from its start (art. 7:11 Awb)",
    ),
    (O.PENDING, O.REJECTED): Rule(
        roles=ADVISER_ROLES,
        guard=independent_decider,
        ready=_heard,
        needs=("reason",),
        description="reject: the decision stands (after the hearing, or with a ground of art. 7:3 Awb to skip it)",
    ),
    # Not admissible (late without excuse, art. 6:11; or art. 6:6): no hearing needed (art. 7:3(a) Awb).
    (O.PENDING, O.INADMISSIBLE): Rule(
        roles=ADVISER_ROLES,
        guard=independent_decider,
        needs=("reason",),
        description="declare it inadmissible (niet-ontvankelijk): not judged on its merits",
    ),
    (O.PENDING, O.WITHDRAWN): Rule(
        roles=ADVISER_ROLES | {Role.COMPANY}, description="withdrawn by the company"
    ),
}


# ---------------------------------------------------------------- hearings of objections (hoorzitting)


def _objection_pending(objection: Any, caller: Caller, given: Mapping[str, Any]) -> str | None:
    return None if objection.status is O.PENDING else "The objection is no longer pending"


def _hearing_time_came(objection: Any, caller: Caller, given: Mapping[str, Any]) -> str | None:
    pending = _objection_pending(objection, caller, given)
    if pending:
        return pending
    if objection.hearing_at is not None and clock.now() < objection.hearing_at:
        return f"The hearing is set for {clock.local(objection.hearing_at):%Y-%m-%d %H:%M}; record it once held"
    return None


HEARING_TRANSITIONS: Table[H] = {
    (H.NONE, H.INVITED): Rule(
        roles=ADVISER_ROLES,
        ready=_objection_pending,
        needs=("hearing_at",),
        description="invite the objector to the hearing: date, time, and place or video link (art. 7:2 Awb)",
    ),
    (H.INVITED, H.HELD): Rule(
        roles=ADVISER_ROLES,
        ready=_hearing_time_came,
        needs=("report",),
        description="record that the hearing was held, with its report (verslag), which the company receives",
    ),
    (H.NONE, H.SKIPPED): Rule(
        roles=ADVISER_ROLES,
        ready=_objection_pending,
        needs=("ground",),
        description="leave the hearing out on a ground of art. 7:3 Awb, with a note",
    ),
    (H.INVITED, H.SKIPPED): Rule(
        roles=ADVISER_ROLES,
        ready=_objection_pending,
        needs=("ground",),
        description="leave the hearing out after all (e.g. the objector waived it, art. 7:3(c) Awb), with a note",
    ),
}
