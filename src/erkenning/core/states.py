"""State machines as data: one table per stateful thing, applied in one place.

A table maps (from, to) to a Rule: which roles may make the move, a guard that must hold (given the
object, the caller and what was given), and which inputs must be given. The service applies it,
the API lists the moves a caller may make now from it, and the tests walk every pair of it.

    TRANSITIONS = {
        (S.PROPOSED, S.APPROVED): Rule(roles={Role.SENIOR_ADVISER}, guard=not_the_proposer),
        (S.PROPOSED, S.ASSESSMENT): Rule(roles={Role.SENIOR_ADVISER}, needs=("reason",)),
    }
    apply(TRANSITIONS, case, S.APPROVED, caller)               # sets case.status or raises
    [t.value for t in allowed(TRANSITIONS, case, caller)]      # what this caller may do now
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar

from erkenning.core.caller import Caller, Role
from erkenning.core.errors import DomainError, Forbidden, InvalidTransition, ValidationFailed

S = TypeVar("S", bound=StrEnum)

# A guard returns None when the move may go ahead, or the reason it may not.
Guard = Callable[[Any, Caller, Mapping[str, Any]], str | None]


class GuardRefused(DomainError):
    """A rule of the move does not hold (for example four eyes); 403 with the reason."""

    status_code = 403
    type = "transition-refused"
    title = "This change is not allowed"


@dataclass(frozen=True)
class Rule:
    roles: Collection[Role]
    guard: Guard | None = None
    needs: tuple[str, ...] = ()
    # A guard failing means "not now" (409) rather than "not you" (403) when this is False.
    guard_is_permission: bool = True
    description: str = ""


Table = Mapping[tuple[S, S], Rule]


@dataclass
class Move:
    """A transition the caller may make now, for APIs and pages."""

    to: str
    needs: tuple[str, ...] = field(default_factory=tuple)
    description: str = ""


def check(
    table: Table[S], current: S, target: S, obj: Any, caller: Caller, given: Mapping[str, Any] | None = None
) -> Rule:
    """The rule for current → target if this caller may make it now with these inputs; raises otherwise."""
    given = given or {}
    rule = table.get((current, target))
    if rule is None:
        raise InvalidTransition(f"Cannot go from {current.value} to {target.value}")
    if caller.role not in rule.roles:
        raise Forbidden(f"Role {caller.role.value} may not move this from {current.value} to {target.value}")
    missing = [name for name in rule.needs if given.get(name) in (None, "", [], ())]
    if missing:
        raise ValidationFailed([{"field": name, "message": "required for this change"} for name in missing])
    if rule.guard is not None and (reason := rule.guard(obj, caller, given)) is not None:
        raise (GuardRefused if rule.guard_is_permission else InvalidTransition)(reason)
    return rule


def apply(
    table: Table[S], obj: Any, target: S, caller: Caller, *, attr: str = "status", **given: Any
) -> S:
    """Check the move and set the new state on `obj`; returns the state it came from."""
    current: S = getattr(obj, attr)
    check(table, current, target, obj, caller, given)
    setattr(obj, attr, target)
    return current


def allowed(table: Table[S], obj: Any, caller: Caller, *, attr: str = "status") -> list[Move]:
    """Every move this caller may make from the object's current state (guards evaluated, inputs not)."""
    current = getattr(obj, attr)
    moves = []
    for (source, target), rule in table.items():
        if source != current or caller.role not in rule.roles:
            continue
        if rule.guard is not None and rule.guard(obj, caller, {}) is not None:
            continue
        moves.append(Move(to=target.value, needs=rule.needs, description=rule.description))
    return moves
