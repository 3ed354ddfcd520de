"""The generic state-machine helper, on a small table walked pair by pair."""

from enum import StrEnum
from itertools import product
from types import SimpleNamespace

import pytest

from erkenning.core.caller import Caller, Role
from erkenning.core.errors import Forbidden, InvalidTransition, ValidationFailed
from erkenning.core.states import GuardRefused, Rule, allowed, apply


class S(StrEnum):
    DRAFT = "draft"
    PROPOSED = "proposed"
    APPROVED = "approved"


def not_the_proposer(obj, caller, given):
    return "the proposer cannot approve" if obj.proposed_by == caller.principal_id else None


def term_passed(obj, caller, given):
    return None if given.get("term_passed") else "the term still runs"


TABLE = {
    (S.DRAFT, S.PROPOSED): Rule(roles={Role.ADVISER, Role.SENIOR_ADVISER}, needs=("findings",)),
    (S.PROPOSED, S.APPROVED): Rule(
        roles={Role.SENIOR_ADVISER}, guard=not_the_proposer, needs=("note",), ready=term_passed
    ),
    (S.PROPOSED, S.DRAFT): Rule(roles={Role.SENIOR_ADVISER}, needs=("reason",)),
}

ADVISER = Caller(principal_id="a", role=Role.ADVISER, name="a")  # type: ignore[arg-type]
SENIOR = Caller(principal_id="s", role=Role.SENIOR_ADVISER, name="s")  # type: ignore[arg-type]
GIVEN = {"findings": "f", "reason": "r", "note": "n", "term_passed": True}


@pytest.mark.parametrize(("source", "target"), list(product(S, S)))
def test_every_pair(source: S, target: S) -> None:
    obj = SimpleNamespace(status=source, proposed_by="other")
    listed = [m.to for m in allowed(TABLE, obj, SENIOR, term_passed=True)]
    if (source, target) in TABLE:
        assert target.value in listed
        assert apply(TABLE, obj, target, SENIOR, **GIVEN) == source
        assert obj.status == target
    else:
        assert target.value not in listed
        with pytest.raises(InvalidTransition):
            apply(TABLE, obj, target, SENIOR, **GIVEN)
        assert obj.status == source


def test_role_guard_and_needs() -> None:
    obj = SimpleNamespace(status=S.PROPOSED, proposed_by="s")
    with pytest.raises(Forbidden):
        apply(TABLE, obj, S.APPROVED, ADVISER, **GIVEN)
    with pytest.raises(GuardRefused, match="proposer"):
        apply(TABLE, obj, S.APPROVED, SENIOR, **GIVEN)
    with pytest.raises(ValidationFailed):
        apply(TABLE, obj, S.DRAFT, SENIOR)
    assert obj.status == S.PROPOSED
    assert [m.to for m in allowed(TABLE, obj, SENIOR, term_passed=True)] == ["draft"]
    theirs = SimpleNamespace(status=S.PROPOSED, proposed_by="x")
    assert [m.to for m in allowed(TABLE, theirs, SENIOR, term_passed=True)] == ["approved", "draft"]
    assert allowed(TABLE, obj, ADVISER) == []


def test_not_ready_is_409_with_its_reason_and_left_out_of_allowed() -> None:
    obj = SimpleNamespace(status=S.PROPOSED, proposed_by="x")
    with pytest.raises(InvalidTransition, match="the term still runs"):
        apply(TABLE, obj, S.APPROVED, SENIOR, note="n")
    assert obj.status == S.PROPOSED
    # allowed() judges the hook with the context it is given, and lists the inputs still to give.
    assert [m.to for m in allowed(TABLE, obj, SENIOR)] == ["draft"]
    [approve, _] = allowed(TABLE, obj, SENIOR, term_passed=True)
    assert (approve.to, approve.needs) == ("approved", ("note",))
    apply(TABLE, obj, S.APPROVED, SENIOR, note="n", term_passed=True)
    assert obj.status == S.APPROVED


def test_checks_answer_in_order_pair_role_needs_guard_ready() -> None:
    """Each check answers only when every check before it holds: a caller who may not make the move at
    all hears that before anything about the moment."""
    mine = SimpleNamespace(status=S.PROPOSED, proposed_by="s")
    with pytest.raises(InvalidTransition, match="Cannot go"):
        apply(TABLE, mine, S.PROPOSED, ADVISER)
    with pytest.raises(Forbidden):
        apply(TABLE, mine, S.APPROVED, ADVISER)
    with pytest.raises(ValidationFailed):
        apply(TABLE, mine, S.APPROVED, SENIOR)
    with pytest.raises(GuardRefused):
        apply(TABLE, mine, S.APPROVED, SENIOR, note="n")
    with pytest.raises(InvalidTransition, match="term"):
        apply(TABLE, SimpleNamespace(status=S.PROPOSED, proposed_by="x"), S.APPROVED, SENIOR, note="n")
