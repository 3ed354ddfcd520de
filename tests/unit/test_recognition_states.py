"""The transition tables of recognitions, decisions and objections, walked pair by pair against a spec
written out here (not read back from the tables)."""

from datetime import timedelta
from itertools import product
from types import SimpleNamespace
from uuid import uuid4

import pytest

from erkenning.core import clock
from erkenning.core.caller import Caller, Role
from erkenning.core.errors import DomainError, Forbidden, InvalidTransition
from erkenning.core.states import GuardRefused, allowed, apply, check
from erkenning.recognition.models import DecisionKind as K
from erkenning.recognition.models import DecisionStatus as D
from erkenning.recognition.models import HearingStatus as H
from erkenning.recognition.models import ObjectionStatus as O
from erkenning.recognition.models import RecognitionStatus as R
from erkenning.recognition.states import (
    DECISION_TRANSITIONS,
    HEARING_TRANSITIONS,
    OBJECTION_TRANSITIONS,
    RECOGNITION_TRANSITIONS,
)


def caller(role: Role, principal_id=None) -> Caller:
    return Caller(principal_id=principal_id or uuid4(), role=role, name=role.value)


ADVISER, SENIOR = caller(Role.ADVISER), caller(Role.SENIOR_ADVISER)
ALL_ROLES = [Role.ADMIN, Role.SENIOR_ADVISER, Role.ADVISER, Role.COMPANY, Role.SCHOOL, Role.SYSTEM]
STAFF_DECIDING = {Role.ADVISER, Role.SENIOR_ADVISER}

# ---------------------------------------------------------------- recognitions

RECOGNITION_SPEC = {
    (R.PENDING, R.ACTIVE): {K.GRANT},
    (R.PENDING, R.REFUSED): {K.REFUSE},
    (R.ACTIVE, R.ACTIVE): {K.IMPOSE_CONDITIONS},
    (R.ACTIVE, R.SUSPENDED): {K.SUSPEND},
    (R.ACTIVE, R.WITHDRAWN): {K.WITHDRAW},
    (R.ACTIVE, R.LAPSED): {K.LAPSE},
    (R.SUSPENDED, R.ACTIVE): {K.REINSTATE},
    (R.SUSPENDED, R.WITHDRAWN): {K.WITHDRAW},
}
# Undoing a revoked decision (art. 7:11 Awb): the reverse of each move an adverse decision makes, made by
# upholding the objection against it (a suspension is also lifted by a reinstate decision).
UNDOING_SPEC = {
    (R.SUSPENDED, R.ACTIVE),
    (R.REFUSED, R.PENDING),
    (R.WITHDRAWN, R.ACTIVE),
    (R.WITHDRAWN, R.SUSPENDED),
    (R.LAPSED, R.ACTIVE),
}


@pytest.mark.parametrize(("source", "target"), list(product(R, R)))
def test_recognition_every_pair_and_kind(source: R, target: R) -> None:
    for kind, upheld in product([*K, None], (False, True)):
        expected = kind in RECOGNITION_SPEC.get((source, target), set()) or (
            upheld and (source, target) in UNDOING_SPEC
        )
        given = {"kind": kind, "objection_upheld": upheld}
        if expected:
            check(RECOGNITION_TRANSITIONS, source, target, object(), SENIOR, given)
        else:
            # A move of the table made by the wrong decision is "not now" with its reason.
            known = (source, target) in RECOGNITION_SPEC or (source, target) in UNDOING_SPEC
            with pytest.raises(InvalidTransition, match="makes this change" if known else "Cannot go"):
                check(RECOGNITION_TRANSITIONS, source, target, object(), SENIOR, given)


def test_an_upheld_objection_undoes_exactly_the_moves_of_adverse_decisions() -> None:
    reverses = {
        (target, source)
        for (source, target), kinds in RECOGNITION_SPEC.items()
        if source is not target and kinds & {K.REFUSE, K.SUSPEND, K.WITHDRAW, K.LAPSE}
    }
    assert reverses == UNDOING_SPEC


@pytest.mark.parametrize("role", ALL_ROLES)
def test_recognition_moves_are_made_by_advisers_sending_decisions(role: Role) -> None:
    given = {"kind": K.GRANT}
    if role in STAFF_DECIDING:
        check(RECOGNITION_TRANSITIONS, R.PENDING, R.ACTIVE, object(), caller(role), given)
    else:
        with pytest.raises(Forbidden):
            check(RECOGNITION_TRANSITIONS, R.PENDING, R.ACTIVE, object(), caller(role), given)


# ---------------------------------------------------------------- decisions

DECISION_SPEC = {
    (D.DRAFT, D.INTENDED): STAFF_DECIDING,
    (D.DRAFT, D.APPROVED): STAFF_DECIDING,
    (D.INTENDED, D.APPROVED): STAFF_DECIDING,
    (D.APPROVED, D.SENT): STAFF_DECIDING,
    (D.APPROVED, D.DRAFT): STAFF_DECIDING,
    (D.DRAFT, D.CANCELLED): STAFF_DECIDING,
    (D.INTENDED, D.CANCELLED): STAFF_DECIDING,
    (D.APPROVED, D.CANCELLED): STAFF_DECIDING,
    (D.SENT, D.FINAL): {Role.SYSTEM},
    (D.SENT, D.REVOKED): STAFF_DECIDING,
    (D.FINAL, D.REVOKED): STAFF_DECIDING,  # by upholding a late objection found admissible (art. 6:11 Awb)
}
# What each move is given by the services that make it.
GIVEN = {"objection_upheld": True, "objection_pending": False, "criteria_unmet": []}


def decision(status: D, kind: K = K.GRANT, **fields):
    values = {
        "status": status,
        "kind": kind,
        "investigation_id": None,
        "drafted_by": uuid4(),
        "approved_by": None,
        "intended_on": None,
        "response_due": None,
        "response_received_at": None,
        "urgent_reason": None,
        # Past the term and the week after it for posted objections (art. 6:9(2) Awb).
        "objection_deadline": clock.today() - timedelta(days=30),
    }
    return SimpleNamespace(**(values | fields))


def ready_decision(source: D, target: D):
    """A decision for which the move's conditions hold (a harmful one for the intended step)."""
    return decision(source, K.SUSPEND if (source, target) == (D.DRAFT, D.INTENDED) else K.GRANT)


@pytest.mark.parametrize(("source", "target"), list(product(D, D)))
@pytest.mark.parametrize("role", ALL_ROLES)
def test_decision_every_pair_and_role(source: D, target: D, role: Role) -> None:
    obj = ready_decision(source, target)
    if role in DECISION_SPEC.get((source, target), set()):
        assert apply(DECISION_TRANSITIONS, obj, target, caller(role), **GIVEN) == source
        assert obj.status is target
    else:
        expected = Forbidden if (source, target) in DECISION_SPEC else InvalidTransition
        with pytest.raises(expected):
            apply(DECISION_TRANSITIONS, obj, target, caller(role), **GIVEN)
        assert obj.status is source


# For every move that waits for its moment: a decision (and what is given) for which it is not yet
# time, and the reason given then.
TODAY = clock.today()
NOT_READY_DECISION = {
    (D.DRAFT, D.INTENDED): (lambda: decision(D.DRAFT, K.GRANT), {}, "Only a harmful decision"),
    (D.DRAFT, D.APPROVED): (lambda: decision(D.DRAFT, K.WITHDRAW), {}, "First put this harmful decision"),
    (D.INTENDED, D.APPROVED): (
        lambda: decision(
            D.INTENDED, K.WITHDRAW, intended_on=TODAY, response_due=TODAY + timedelta(days=14)
        ),
        {},
        "may respond until",
    ),
    (D.APPROVED, D.SENT): (
        lambda: decision(D.APPROVED), {"criteria_unmet": ["25180 bol: not met: non_discrimination"]},
        "non_discrimination",
    ),
    (D.SENT, D.FINAL): (lambda: decision(D.SENT, objection_deadline=TODAY), {}, "have not passed yet"),
    (D.SENT, D.REVOKED): (lambda: decision(D.SENT), {"objection_upheld": False}, "only by upholding an objection"),
    (D.FINAL, D.REVOKED): (lambda: decision(D.FINAL), {"objection_upheld": False}, "only by upholding an objection"),
}


def test_the_decision_moves_that_wait_for_their_moment_are_the_ones_listed_here() -> None:
    assert {pair for pair, rule in DECISION_TRANSITIONS.items() if rule.ready is not None} == set(NOT_READY_DECISION)


@pytest.mark.parametrize(("source", "target"), sorted(NOT_READY_DECISION), ids=lambda s: s.value)
def test_a_decision_move_not_ready_is_409_with_its_reason_and_not_offered(source: D, target: D) -> None:
    make, given, reason = NOT_READY_DECISION[(source, target)]
    who = Caller.system() if target is D.FINAL else SENIOR
    early = make()
    with pytest.raises(InvalidTransition, match=reason):
        apply(DECISION_TRANSITIONS, early, target, who, **given)
    assert early.status is source
    assert target.value not in [m.to for m in allowed(DECISION_TRANSITIONS, early, who, **given)]
    ready = ready_decision(source, target)
    assert target.value in [m.to for m in allowed(DECISION_TRANSITIONS, ready, who, **GIVEN)]


@pytest.mark.parametrize("kind", [K.REFUSE, K.IMPOSE_CONDITIONS, K.SUSPEND, K.WITHDRAW])
def test_harmful_decisions_need_a_senior_who_did_not_draft_them(kind: K) -> None:
    drafter = caller(Role.SENIOR_ADVISER)
    obj = decision(D.DRAFT, kind, drafted_by=drafter.principal_id, urgent_reason="Studenten lopen gevaar.")
    with pytest.raises(GuardRefused, match="Four eyes"):
        apply(DECISION_TRANSITIONS, obj, D.APPROVED, drafter)
    with pytest.raises(GuardRefused, match="senior adviser must approve"):
        apply(DECISION_TRANSITIONS, obj, D.APPROVED, ADVISER)
    apply(DECISION_TRANSITIONS, obj, D.APPROVED, SENIOR)
    assert obj.status is D.APPROVED


@pytest.mark.parametrize("kind", [K.GRANT, K.REINSTATE, K.LAPSE])
def test_other_decisions_may_be_approved_by_any_adviser_even_the_drafter(kind: K) -> None:
    obj = decision(D.DRAFT, kind, drafted_by=ADVISER.principal_id)
    apply(DECISION_TRANSITIONS, obj, D.APPROVED, ADVISER, criteria_unmet=[])
    assert obj.status is D.APPROVED


@pytest.mark.parametrize("target", [D.APPROVED, D.SENT])
def test_a_grant_waits_for_every_criterion_met_and_is_never_made_unchecked(target: D) -> None:
    """Art. 7.2.10 WEB: 409 naming what is missing, and no grant at all when the criteria were not checked."""
    source = D.DRAFT if target is D.APPROVED else D.APPROVED
    unmet = ["25180 bol: not met: non_discrimination; not assessed: cooperation"]
    for given, reason in (({"criteria_unmet": unmet}, "not met: non_discrimination"), ({}, "were not checked")):
        obj = decision(source, K.GRANT)
        with pytest.raises(InvalidTransition, match=reason):
            apply(DECISION_TRANSITIONS, obj, target, ADVISER, **given)
        assert target.value not in [m.to for m in allowed(DECISION_TRANSITIONS, obj, ADVISER, **given)]
    obj = decision(source, K.GRANT)
    apply(DECISION_TRANSITIONS, obj, target, ADVISER, criteria_unmet=[])
    assert obj.status is target


def test_a_harmful_decision_without_investigation_is_first_put_to_the_company() -> None:
    obj = decision(D.DRAFT, K.WITHDRAW)
    with pytest.raises(InvalidTransition, match="intended decision"):
        apply(DECISION_TRANSITIONS, obj, D.APPROVED, SENIOR)
    apply(DECISION_TRANSITIONS, obj, D.INTENDED, ADVISER)
    obj.intended_on, obj.response_due = clock.today(), clock.today() + timedelta(days=14)
    with pytest.raises(InvalidTransition, match="may respond until"):
        apply(DECISION_TRANSITIONS, obj, D.APPROVED, SENIOR)
    with clock.travel(timedelta(days=15)):
        apply(DECISION_TRANSITIONS, obj, D.APPROVED, SENIOR)
    assert obj.status is D.APPROVED


def test_favourable_decisions_are_not_put_to_the_company() -> None:
    with pytest.raises(InvalidTransition, match="Only a harmful decision"):
        apply(DECISION_TRANSITIONS, decision(D.DRAFT, K.GRANT), D.INTENDED, ADVISER)


def test_a_measure_from_an_investigation_is_put_to_the_company_like_any_other() -> None:
    """The investigation heard the company on the facts, not on the measure (art. 4:8 Awb)."""
    obj = decision(D.DRAFT, K.SUSPEND, investigation_id=uuid4())
    with pytest.raises(InvalidTransition, match="intended decision"):
        apply(DECISION_TRANSITIONS, obj, D.APPROVED, SENIOR)
    apply(DECISION_TRANSITIONS, obj, D.INTENDED, ADVISER)


def test_an_urgent_measure_skips_the_intended_decision_only_with_its_reason() -> None:
    """Art. 4:11 Awb: without a recorded reason there is no way around the intended decision."""
    for reason in (None, ""):
        with pytest.raises(InvalidTransition, match="4:11"):
            apply(DECISION_TRANSITIONS, decision(D.DRAFT, K.WITHDRAW, urgent_reason=reason), D.APPROVED, SENIOR)
    urgent = decision(D.DRAFT, K.WITHDRAW, urgent_reason="Een student is op de werkplek bedreigd.")
    with pytest.raises(InvalidTransition, match="urgent"):
        apply(DECISION_TRANSITIONS, urgent, D.INTENDED, ADVISER)
    apply(DECISION_TRANSITIONS, urgent, D.APPROVED, SENIOR)
    assert urgent.status is D.APPROVED


def test_after_a_response_the_approver_confirms_having_read_it() -> None:
    responded = decision(
        D.INTENDED, K.SUSPEND, intended_on=clock.today(), response_due=clock.today() + timedelta(days=14),
        response_received_at=clock.now(),
    )
    with pytest.raises(InvalidTransition, match="response_read"):
        apply(DECISION_TRANSITIONS, responded, D.APPROVED, SENIOR)
    with pytest.raises(InvalidTransition, match="response_read"):
        apply(DECISION_TRANSITIONS, responded, D.APPROVED, SENIOR, response_read=False)
    apply(DECISION_TRANSITIONS, responded, D.APPROVED, SENIOR, response_read=True)
    assert responded.status is D.APPROVED


def test_only_a_person_sends_a_decision() -> None:
    with pytest.raises(Forbidden):
        apply(DECISION_TRANSITIONS, decision(D.APPROVED), D.SENT, Caller.system())
    nobody = Caller(principal_id=None, role=Role.ADVISER, name="no one")
    with pytest.raises(GuardRefused, match="by a person"):
        apply(DECISION_TRANSITIONS, decision(D.APPROVED), D.SENT, nobody)


def test_final_needs_the_term_passed_and_no_pending_objection() -> None:
    system = Caller.system()
    running = decision(D.SENT, objection_deadline=clock.today())
    with pytest.raises(InvalidTransition, match="not passed"):
        apply(DECISION_TRANSITIONS, running, D.FINAL, system)
    # The week after the term in which a posted objection may still arrive (art. 6:9(2) Awb) counts too.
    in_the_week = decision(D.SENT, objection_deadline=clock.today() - timedelta(days=3))
    with pytest.raises(InvalidTransition, match="6:9"):
        apply(DECISION_TRANSITIONS, in_the_week, D.FINAL, system)
    passed = decision(D.SENT)
    with pytest.raises(InvalidTransition, match="still pending"):
        apply(DECISION_TRANSITIONS, passed, D.FINAL, system, objection_pending=True)
    apply(DECISION_TRANSITIONS, passed, D.FINAL, system, objection_pending=False)
    assert passed.status is D.FINAL


def test_revoking_needs_an_upheld_objection() -> None:
    with pytest.raises(InvalidTransition, match="upholding an objection"):
        apply(DECISION_TRANSITIONS, decision(D.SENT), D.REVOKED, ADVISER)


def test_moves_lists_only_what_the_caller_may_do_now() -> None:
    drafter = caller(Role.SENIOR_ADVISER)
    intended = decision(
        D.INTENDED,
        K.SUSPEND,
        drafted_by=drafter.principal_id,
        intended_on=clock.today(),
        response_due=clock.today() + timedelta(days=14),
    )
    assert [m.to for m in allowed(DECISION_TRANSITIONS, intended, SENIOR)] == ["cancelled"]
    with clock.travel(timedelta(days=15)):
        assert [m.to for m in allowed(DECISION_TRANSITIONS, intended, SENIOR)] == [
            "approved",
            "cancelled",
        ]
        assert [m.to for m in allowed(DECISION_TRANSITIONS, intended, drafter)] == ["cancelled"]
    assert allowed(DECISION_TRANSITIONS, decision(D.SENT), SENIOR) == []


# ---------------------------------------------------------------- objections

OBJECTION_SPEC = {
    (O.PENDING, O.UPHELD): STAFF_DECIDING,
    (O.PENDING, O.REJECTED): STAFF_DECIDING,
    (O.PENDING, O.INADMISSIBLE): STAFF_DECIDING,
    (O.PENDING, O.WITHDRAWN): STAFF_DECIDING | {Role.COMPANY},
}


def objection(status: O = O.PENDING, **fields):
    """An objection on time and heard (the moves' conditions hold), unless `fields` say otherwise."""
    values = {"status": status, "timely": True, "late_excused": None, "hearing_status": H.HELD,
              "hearing_skip_ground": None, "hearing_at": None}
    return SimpleNamespace(**(values | fields))


@pytest.mark.parametrize(("source", "target"), list(product(O, O)))
@pytest.mark.parametrize("role", ALL_ROLES)
def test_objection_every_pair_and_role(source: O, target: O, role: Role) -> None:
    obj = objection(source)
    contested = decision(D.SENT, K.SUSPEND)
    if role in OBJECTION_SPEC.get((source, target), set()):
        apply(OBJECTION_TRANSITIONS, obj, target, caller(role), reason="r", decision=contested)
        assert obj.status is target
    else:
        with pytest.raises(DomainError):
            apply(OBJECTION_TRANSITIONS, obj, target, caller(role), reason="r", decision=contested)
        assert obj.status is source


def test_whoever_prepared_the_decision_does_not_decide_the_objection() -> None:
    approver = caller(Role.SENIOR_ADVISER)
    contested = decision(
        D.SENT, K.SUSPEND, drafted_by=ADVISER.principal_id, approved_by=approver.principal_id
    )
    for person in (ADVISER, approver):
        with pytest.raises(GuardRefused, match="7:5 Awb"):
            apply(
                OBJECTION_TRANSITIONS,
                objection(),
                O.UPHELD,
                person,
                reason="r",
                decision=contested,
            )
    obj = objection()
    apply(OBJECTION_TRANSITIONS, obj, O.REJECTED, SENIOR, reason="r", decision=contested)
    assert obj.status is O.REJECTED


def test_an_objection_is_rejected_only_after_the_hearing_or_a_fitting_ground_of_art_7_3() -> None:
    contested = decision(D.SENT, K.SUSPEND)
    for unheard in (objection(hearing_status=H.NONE), objection(hearing_status=H.INVITED)):
        with pytest.raises(InvalidTransition, match="7:2 Awb"):
            apply(OBJECTION_TRANSITIONS, unheard, O.REJECTED, SENIOR, reason="r", decision=contested)
        apply(OBJECTION_TRANSITIONS, unheard, O.UPHELD, SENIOR, reason="r", decision=contested)  # art. 7:3(e)
    for ground in ("manifestly_inadmissible", "fully_upheld"):
        with pytest.raises(InvalidTransition, match="does not fit rejecting"):
            apply(OBJECTION_TRANSITIONS, objection(hearing_status=H.SKIPPED, hearing_skip_ground=ground),
                  O.REJECTED, SENIOR, reason="r", decision=contested)
    for ground in ("manifestly_unfounded", "waived"):
        obj = objection(hearing_status=H.SKIPPED, hearing_skip_ground=ground)
        apply(OBJECTION_TRANSITIONS, obj, O.REJECTED, SENIOR, reason="r", decision=contested)


def test_a_late_objection_is_judged_only_once_found_admissible() -> None:
    contested = decision(D.SENT, K.SUSPEND)
    for target in (O.UPHELD, O.REJECTED):
        for late in (objection(timely=False), objection(timely=False, late_excused=False)):
            with pytest.raises(InvalidTransition, match="6:11 Awb"):
                apply(OBJECTION_TRANSITIONS, late, target, SENIOR, reason="r", decision=contested)
        apply(OBJECTION_TRANSITIONS, objection(timely=False, late_excused=True), target, SENIOR, reason="r",
              decision=contested)
    apply(OBJECTION_TRANSITIONS, objection(timely=False), O.INADMISSIBLE, SENIOR, reason="r", decision=contested)


HEARING_SPEC = {
    (H.NONE, H.INVITED): ("hearing_at",),
    (H.INVITED, H.HELD): ("report",),
    (H.NONE, H.SKIPPED): ("ground",),
    (H.INVITED, H.SKIPPED): ("ground",),
}


@pytest.mark.parametrize(("source", "target"), list(product(H, H)))
@pytest.mark.parametrize("role", ALL_ROLES)
def test_hearing_every_pair_and_role(source: H, target: H, role: Role) -> None:
    given = {"hearing_at": clock.now(), "report": "Verslag.", "ground": "waived"}
    obj = objection(hearing_status=source)
    if role in STAFF_DECIDING and (source, target) in HEARING_SPEC:
        apply(HEARING_TRANSITIONS, obj, target, caller(role), attr="hearing_status", **given)
        assert obj.hearing_status is target
        missing = {k: v for k, v in given.items() if k not in HEARING_SPEC[(source, target)]}
        with pytest.raises(DomainError):  # what the move needs: 422 without it
            apply(HEARING_TRANSITIONS, objection(hearing_status=source), target, caller(role),
                  attr="hearing_status", **missing)
    else:
        with pytest.raises(DomainError):
            apply(HEARING_TRANSITIONS, obj, target, caller(role), attr="hearing_status", **given)
        assert obj.hearing_status is source


def test_no_hearing_moves_once_the_objection_is_decided_and_none_before_its_time() -> None:
    decided = objection(O.UPHELD, hearing_status=H.NONE)
    with pytest.raises(InvalidTransition, match="no longer pending"):
        apply(HEARING_TRANSITIONS, decided, H.SKIPPED, SENIOR, attr="hearing_status", ground="waived")
    later = objection(hearing_status=H.INVITED, hearing_at=clock.now() + timedelta(days=2))
    with pytest.raises(InvalidTransition, match="record it once held"):
        apply(HEARING_TRANSITIONS, later, H.HELD, SENIOR, attr="hearing_status", report="Verslag.")
