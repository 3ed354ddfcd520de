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


TABLE = {
    (S.DRAFT, S.PROPOSED): Rule(roles={Role.ADVISER, Role.SENIOR_ADVISER}, needs=("findings",)),
    (S.PROPOSED, S.APPROVED): Rule(roles={Role.SENIOR_ADVISER}, guard=not_the_proposer),
    (S.PROPOSED, S.DRAFT): Rule(roles={Role.SENIOR_ADVISER}, needs=("reason",)),
}

ADVISER = Caller(principal_id="a", role=Role.ADVISER, name="a")  # type: ignore[arg-type]
SENIOR = Caller(principal_id="s", role=Role.SENIOR_ADVISER, name="s")  # type: ignore[arg-type]
GIVEN = {"findings": "f", "reason": "r"}


@pytest.mark.parametrize(("source", "target"), list(product(S, S)))
def test_every_pair(source: S, target: S) -> None:
    obj = SimpleNamespace(status=source, proposed_by="other")
    if (source, target) in TABLE:
        assert apply(TABLE, obj, target, SENIOR, **GIVEN) == source
        assert obj.status == target
    else:
        with pytest.raises(InvalidTransition):
            apply(TABLE, obj, target, SENIOR, **GIVEN)
        assert obj.status == source


def test_role_guard_and_needs() -> None:
    obj = SimpleNamespace(status=S.PROPOSED, proposed_by="s")
    with pytest.raises(Forbidden):
        apply(TABLE, obj, S.APPROVED, ADVISER)
    with pytest.raises(GuardRefused, match="proposer"):
        apply(TABLE, obj, S.APPROVED, SENIOR)
    with pytest.raises(ValidationFailed):
        apply(TABLE, obj, S.DRAFT, SENIOR)
    assert obj.status == S.PROPOSED
    assert [m.to for m in allowed(TABLE, obj, SENIOR)] == ["draft"]
    assert [m.to for m in allowed(TABLE, SimpleNamespace(status=S.PROPOSED, proposed_by="x"), SENIOR)] == [
        "approved", "draft",
    ]
    assert allowed(TABLE, obj, ADVISER) == []
