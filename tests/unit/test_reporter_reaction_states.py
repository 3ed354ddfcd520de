"""Hearing the reporting side (wederhoor) as data: the round of a case and one report's reaction, every pair
of states for every role, the guards, and the proposal waiting for the round."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import product
from uuid import uuid4

import pytest

from erkenning.core.caller import Caller, Role
from erkenning.core.errors import Forbidden, InvalidTransition
from erkenning.core.states import GuardRefused, allowed, check
from erkenning.workflows.models import (
    Investigation,
    Outcome,
    ReactionRoute,
    ReactionStatus,
    ReporterReaction,
    RoundState,
)
from erkenning.workflows.models import InvestigationStatus as S
from erkenning.workflows.states import REACTION_TRANSITIONS, RECEIPT_HOLDER, ROUND_TRANSITIONS, TRANSITIONS

ME, OTHER, COMPANY = uuid4(), uuid4(), uuid4()
BRIN = "25LX"


def caller(role: Role) -> Caller:
    return Caller(principal_id=ME, role=role, name="t", company_id=COMPANY if role is Role.COMPANY else None,
                  school_brin=BRIN if role is Role.SCHOOL else None)


def heard_case(**fields: object) -> Investigation:
    values: dict[str, object] = {"status": S.ASSESSMENT, "assigned_to": ME, "hearing_requested_at": datetime.now(UTC)}
    return Investigation(company_id=COMPANY, **{**values, **fields})


def round_in(state: RoundState) -> Investigation:
    return heard_case(reporter_round_open=state is RoundState.OPEN)


@pytest.mark.parametrize(("source", "target"), list(product(RoundState, RoundState)), ids=lambda s: s.value)
def test_every_pair_of_the_round(source: RoundState, target: RoundState) -> None:
    rule = ROUND_TRANSITIONS.get((source, target))
    case = round_in(source)
    for role in Role:
        offered = target.value in [m.to for m in allowed(ROUND_TRANSITIONS, case, caller(role), attr="reporter_round")]
        if rule is not None and role in rule.roles:
            check(ROUND_TRANSITIONS, source, target, case, caller(role), {"question": "q"})
            assert offered
        else:
            assert not offered
            with pytest.raises(InvalidTransition if rule is None else Forbidden):
                check(ROUND_TRANSITIONS, source, target, case, caller(role), {"question": "q"})


def _reaction(state: ReactionStatus, route: ReactionRoute) -> ReporterReaction:
    return ReporterReaction(investigation_id=uuid4(), report_id=uuid4(), route=route, question="q", status=state,
                            school_brin=BRIN if route is ReactionRoute.SCHOOL else None)


# The caller each route's side answers as: a school token, the receipt holder, the case's adviser.
ANSWERING = {ReactionRoute.SCHOOL: Role.SCHOOL, ReactionRoute.RECEIPT: Role.SYSTEM, ReactionRoute.ADVISER: Role.ADVISER}


def _as(role: Role, route: ReactionRoute) -> Caller:
    return RECEIPT_HOLDER if role is Role.SYSTEM and route is ReactionRoute.RECEIPT else caller(role)


@pytest.mark.parametrize("route", list(ReactionRoute), ids=lambda r: r.value)
@pytest.mark.parametrize(("source", "target"), list(product(ReactionStatus, ReactionStatus)), ids=lambda s: s.value)
def test_every_pair_of_a_reaction(source: ReactionStatus, target: ReactionStatus, route: ReactionRoute) -> None:
    rule = REACTION_TRANSITIONS.get((source, target))
    reaction = _reaction(source, route)
    given = {"reaction": "r", "assigned_to": ME}
    for role in Role:
        who = _as(role, route) if target is ReactionStatus.ANSWERED else caller(role)
        if rule is None or role not in rule.roles:
            with pytest.raises(InvalidTransition if rule is None else Forbidden):
                check(REACTION_TRANSITIONS, source, target, reaction, who, given)
            continue
        # Within the roles, the guard decides: a school only for its own school's report, the receipt holder
        # only for an anonymous one, the worker only for "no reaction"; staff record any.
        may = (target is ReactionStatus.NO_REACTION) or role in (Role.ADVISER, Role.SENIOR_ADVISER) or (
            ANSWERING[route] is role
        )
        if may:
            check(REACTION_TRANSITIONS, source, target, reaction, who, given)
        else:
            with pytest.raises(GuardRefused):
                check(REACTION_TRANSITIONS, source, target, reaction, who, given)


def test_the_guards_of_a_reaction() -> None:
    given = {"reaction": "r", "assigned_to": OTHER}
    school = _reaction(ReactionStatus.ASKED, ReactionRoute.SCHOOL)
    other_school = Caller(principal_id=ME, role=Role.SCHOOL, name="t", school_brin="31GH")
    with pytest.raises(GuardRefused, match="your school"):
        check(REACTION_TRANSITIONS, ReactionStatus.ASKED, ReactionStatus.ANSWERED, school, other_school, given)
    with pytest.raises(GuardRefused, match="assigned"):  # not the case's adviser
        check(REACTION_TRANSITIONS, ReactionStatus.ASKED, ReactionStatus.ANSWERED, school, caller(Role.ADVISER), given)
    senior = caller(Role.SENIOR_ADVISER)
    check(REACTION_TRANSITIONS, ReactionStatus.ASKED, ReactionStatus.ANSWERED, school, senior, given)
    with pytest.raises(GuardRefused, match="worker"):
        check(REACTION_TRANSITIONS, ReactionStatus.ASKED, ReactionStatus.NO_REACTION, school, RECEIPT_HOLDER)
    with pytest.raises(GuardRefused, match="receipt"):
        check(REACTION_TRANSITIONS, ReactionStatus.ASKED, ReactionStatus.ANSWERED, school, Caller.system(), given)


def test_the_round_opens_only_in_assessment_after_the_company_was_heard() -> None:
    adviser = caller(Role.ADVISER)
    for case in (heard_case(status=S.HEARING), heard_case(status=S.PROPOSED), heard_case(hearing_requested_at=None)):
        with pytest.raises(InvalidTransition):
            check(ROUND_TRANSITIONS, RoundState.IDLE, RoundState.OPEN, case, adviser, {"question": "q"})
        assert allowed(ROUND_TRANSITIONS, case, adviser, attr="reporter_round") == []
    not_mine = heard_case(assigned_to=OTHER)
    with pytest.raises(GuardRefused):
        check(ROUND_TRANSITIONS, RoundState.IDLE, RoundState.OPEN, not_mine, adviser, {"question": "q"})


def test_a_proposal_waits_while_the_reporting_side_may_react() -> None:
    given = {"outcome": Outcome.UNFOUNDED, "findings": "f"}
    waiting = heard_case(reporter_round_open=True)
    with pytest.raises(InvalidTransition, match="reporting side"):
        check(TRANSITIONS, S.ASSESSMENT, S.PROPOSED, waiting, caller(Role.ADVISER), given)
    assert "proposed" not in [m.to for m in allowed(TRANSITIONS, waiting, caller(Role.ADVISER))]
    check(TRANSITIONS, S.ASSESSMENT, S.PROPOSED, heard_case(), caller(Role.ADVISER), given)
