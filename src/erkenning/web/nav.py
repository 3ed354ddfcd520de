"""The main navigation, per role. Page modules add their own items when they are imported."""

from __future__ import annotations

from dataclasses import dataclass

from erkenning.core.caller import Caller, Role


@dataclass(frozen=True)
class NavItem:
    label: str
    href: str
    roles: frozenset[Role]
    order: int
    anonymous: bool = False  # shown to visitors who are not signed in

    def is_current(self, path: str) -> bool:
        return path == self.href if self.href == "/" else path == self.href or path.startswith(self.href + "/")


_ITEMS: list[NavItem] = []


def add(label: str, href: str, roles: frozenset[Role] | set[Role], *, order: int, anonymous: bool = False) -> None:
    """Show `label` linking to `href` to callers holding one of `roles` (and, with `anonymous`, to
    visitors who are not signed in), ordered by `order`."""
    _ITEMS.append(NavItem(label, href, frozenset(roles), order, anonymous))
    _ITEMS.sort(key=lambda item: item.order)


def for_caller(caller: Caller | None) -> list[NavItem]:
    if caller is None:
        return [item for item in _ITEMS if item.anonymous]
    return [item for item in _ITEMS if caller.role in item.roles]
