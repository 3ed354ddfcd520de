"""The investigation lifecycle table, every pair of states: allowed for exactly the listed roles."""

from datetime import UTC, datetime
from itertools import product
from uuid import uuid4

import pytest

from erkenning.core.caller import Caller, Role
from erkenning.core.errors import Forbidden, InvalidTransition
from erkenning.core.states import GuardRefused, allowed, check
from erkenning.workflows.models import Investigation, Outcome
from erkenning.workflows.models import InvestigationStatus as S
from erkenning.workflows.states import TRANSITIONS

ME, OTHER, COMPANY = uuid4(), uuid4(), uuid4()
GIVEN = {"question": "q", "reason": "r", "outcome": Outcome.UNFOUNDED, "findings": "f", "answer": "a"}


def caller(role: Role) -> Caller:
    return Caller(principal_id=ME, role=role, name="t", company_id=COMPANY if role is Role.COMPANY else None)


def case_in(state: S, *, before_hold: S | None = None) -> Investigation:
    return Investigation(
        company_id=COMPANY, status=state, assigned_to=ME, proposed_by=OTHER, status_before_hold=before_hold,
        hearing_requested_at=datetime.now(UTC),
    )


@pytest.mark.parametrize(("source", "target"), list(product(S, S)), ids=lambda s: s.value)
def test_every_pair(source: S, target: S) -> None:
    rule = TRANSITIONS.get((source, target))
    case = case_in(source, before_hold=target if source is S.ON_HOLD else None)
    for role in Role:
        offered = target.value in [m.to for m in allowed(TRANSITIONS, case, caller(role))]
        if rule is not None and role in rule.roles:
            check(TRANSITIONS, source, target, case, caller(role), GIVEN)
            assert offered
        else:
            assert not offered
            with pytest.raises(InvalidTransition if rule is None else Forbidden):
                check(TRANSITIONS, source, target, case, caller(role), GIVEN)


def test_the_table_is_the_lifecycle_of_the_design() -> None:
    open_states = {S.OPEN, S.HEARING, S.ASSESSMENT, S.PROPOSED}
    expected = {
        (S.OPEN, S.HEARING), (S.OPEN, S.ASSESSMENT), (S.HEARING, S.ASSESSMENT), (S.ASSESSMENT, S.PROPOSED),
        (S.PROPOSED, S.APPROVED), (S.PROPOSED, S.ASSESSMENT), (S.APPROVED, S.CLOSED),
        *((s, S.ON_HOLD) for s in open_states), *((S.ON_HOLD, s) for s in open_states),
    }
    assert set(TRANSITIONS) == expected


def test_guards() -> None:
    senior = caller(Role.SENIOR_ADVISER)
    proposed_by_me = Investigation(company_id=COMPANY, status=S.PROPOSED, proposed_by=ME)
    with pytest.raises(GuardRefused, match="Four eyes"):
        check(TRANSITIONS, S.PROPOSED, S.APPROVED, proposed_by_me, senior)
    not_mine = Investigation(company_id=COMPANY, status=S.OPEN, assigned_to=OTHER)
    with pytest.raises(GuardRefused, match="assigned"):
        check(TRANSITIONS, S.OPEN, S.HEARING, not_mine, caller(Role.ADVISER), GIVEN)
    check(TRANSITIONS, S.OPEN, S.HEARING, not_mine, senior, GIVEN)  # a senior may step in
    unheard = Investigation(company_id=COMPANY, status=S.ASSESSMENT, assigned_to=ME)
    with pytest.raises(GuardRefused, match="heard"):
        check(TRANSITIONS, S.ASSESSMENT, S.PROPOSED, unheard, senior, {**GIVEN, "outcome": Outcome.SUSPENSION})
    held_from_hearing = Investigation(company_id=COMPANY, status=S.ON_HOLD, assigned_to=ME, status_before_hold=S.HEARING)
    with pytest.raises(GuardRefused):
        check(TRANSITIONS, S.ON_HOLD, S.ASSESSMENT, held_from_hearing, senior)
    foreign = Caller(principal_id=ME, role=Role.COMPANY, name="x", company_id=uuid4())
    with pytest.raises(GuardRefused):
        check(TRANSITIONS, S.HEARING, S.ASSESSMENT, case_in(S.HEARING), foreign)
