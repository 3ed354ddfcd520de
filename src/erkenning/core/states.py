"""State machines as data: one table per stateful thing, applied in one place.

A table maps (from, to) to a Rule. A move is checked in this order, and the first check that fails
answers:

1. the pair is in the table, else `InvalidTransition` (409);
2. the caller's role is among `roles`, else `Forbidden` (403);
3. every input named in `needs` is given, else `ValidationFailed` (422);
4. `guard` — "not you": a rule about who this caller is for this object (four eyes, the assigned
   adviser) — else `GuardRefused` (403) with its reason;
5. `ready` — "not now": a rule about the moment (a term still running, a company not yet known),
   else `InvalidTransition` (409) with its reason.

A guard and a ready hook have the same shape: given the object, the caller and what was given, they
return None when the move may go ahead, or the reason it may not. The service applies the table, the
API and the pages list the moves a caller may make now from it (leaving out moves that are not
ready), and the tests walk every pair of it.

    TRANSITIONS = {
        (S.PROPOSED, S.APPROVED): Rule(roles={Role.SENIOR_ADVISER}, guard=not_the_proposer),
        (S.PROPOSED, S.ASSESSMENT): Rule(roles={Role.SENIOR_ADVISER}, needs=("reason",)),
        (S.HEARING, S.ASSESSMENT): Rule(roles={Role.ADVISER}, ready=term_passed),
    }
    apply(TRANSITIONS, case, S.APPROVED, caller)               # sets case.status or raises
    [t.value for t in allowed(TRANSITIONS, case, caller)]      # what this caller may do now

`check()` and `apply()` take what was given; `allowed()` fills the inputs the caller must still give
with placeholders (they are listed on the move, not judged) and takes context the hooks read as
keyword arguments, e.g. `allowed(OBJECTION_TRANSITIONS, objection, caller, decision=contested)`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar

from erkenning.core.caller import Caller, Role
from erkenning.core.errors import DomainError, Forbidden, InvalidTransition, ValidationFailed

S = TypeVar("S", bound=StrEnum)

# A guard or a ready hook returns None when the move may go ahead, or the reason it may not.
Guard = Callable[[Any, Caller, Mapping[str, Any]], str | None]

# What `allowed()` passes for an input the caller has yet to give.
PLACEHOLDER = "given"


class GuardRefused(DomainError):
    """A rule of the move does not hold (for example four eyes); 403 with the reason."""

    status_code = 403
    type = "transition-refused"
    title = "This change is not allowed"


@dataclass(frozen=True)
class Rule:
    roles: Collection[Role]
    # "Not you" (403): whether this caller may make the move on this object.
    guard: Guard | None = None
    needs: tuple[str, ...] = ()
    # "Not now" (409): whether the move may be made yet.
    ready: Guard | None = None
    description: str = ""


Table = Mapping[tuple[S, S], Rule]


@dataclass
class Move:
    """A transition the caller may make now, for APIs and pages."""

    to: str
    needs: tuple[str, ...] = field(default_factory=tuple)
    description: str = ""


def _refusal(
    rule: Rule, current: S, target: S, obj: Any, caller: Caller, given: Mapping[str, Any]
) -> DomainError | None:
    """The error of the first check of a known move that fails (role, needs, guard, ready), or None."""
    if caller.role not in rule.roles:
        return Forbidden(f"Role {caller.role.value} may not move this from {current.value} to {target.value}")
    missing = [name for name in rule.needs if given.get(name) in (None, "", [], ())]
    if missing:
        return ValidationFailed([{"field": name, "message": "required for this change"} for name in missing])
    if rule.guard is not None and (reason := rule.guard(obj, caller, given)) is not None:
        return GuardRefused(reason)
    if rule.ready is not None and (reason := rule.ready(obj, caller, given)) is not None:
        return InvalidTransition(reason)
    return None


def check(
    table: Table[S], current: S, target: S, obj: Any, caller: Caller, given: Mapping[str, Any] | None = None
) -> Rule:
    """The rule for current → target if this caller may make it now with these inputs; raises otherwise."""
    given = given or {}
    rule = table.get((current, target))
    if rule is None:
        raise InvalidTransition(f"Cannot go from {current.value} to {target.value}")
    if (refusal := _refusal(rule, current, target, obj, caller, given)) is not None:
        raise refusal
    return rule


def apply(
    table: Table[S], obj: Any, target: S, caller: Caller, *, attr: str = "status", **given: Any
) -> S:
    """Check the move and set the new state on `obj`; returns the state it came from."""
    current: S = getattr(obj, attr)
    check(table, current, target, obj, caller, given)
    setattr(obj, attr, target)
    return current


def allowed(table: Table[S], obj: Any, caller: Caller, *, attr: str = "status", **context: Any) -> list[Move]:
    """Every move this caller may make from the object's current state now (guards and ready hooks judged
    with `context`; the inputs a move needs are listed on it, not judged)."""
    current = getattr(obj, attr)
    moves = []
    for (source, target), rule in table.items():
        if source != current:
            continue
        given = {name: PLACEHOLDER for name in rule.needs} | context
        if _refusal(rule, source, target, obj, caller, given) is None:
            moves.append(Move(to=target.value, needs=rule.needs, description=rule.description))
    return moves
