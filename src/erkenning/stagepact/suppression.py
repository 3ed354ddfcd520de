"""Small-number suppression for every output that leaves the back office.

The rule, applied to each period on its own:

1. **Primary.** A count from 1 to 4 is shown as "<5". (A zero is shown: it describes no one, and
   hiding it would also hide every 100 % share.)
2. **Secondary (differencing).** Where cells add up to a published total (`catalogue.PARTITIONS`),
   one hidden cell could be found by subtracting the others from the total. So when exactly one
   part of a partition is unknown — a hidden cell, or the unpublished remainder when that is 1 to 4
   (e.g. the 2 late investigations behind "decided within the norm: 18 of 20") — the smallest other
   non-zero cell is hidden as well (or the total, when there is no such cell), shown as "x" (it is
   not below 5, and saying "<5" would be false). This repeats until nothing changes, because a cell
   hidden for one partition may be the lone unknown of another.
3. **Derived figures.** A percentage is withheld when its numerator or denominator is hidden; a lead
   time (median, 90th percentile) when the number of cases it summarises is hidden; a change when
   either period's figure is.

What this does not prevent: differencing across *overlapping periods* the caller chooses (January–
June against January–July gives July). The yearly report uses disjoint calendar years; whoever
publishes CSV exports of self-chosen periods must not publish overlapping ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from erkenning.stagepact.catalogue import PARTITIONS, SPECS, Key, Partition, Unit

THRESHOLD = 5
SHOWN_AS = "<5"  # a count below the threshold
SECONDARY = "x"  # a count hidden so that a "<5" cannot be worked out
WITHHELD = "withheld"  # a percentage, lead time or change that rests on a hidden count


class Reason(StrEnum):
    SMALL = "small"
    SECONDARY = "secondary"
    DERIVED = "derived"

    @property
    def text(self) -> str:
        return {Reason.SMALL: SHOWN_AS, Reason.SECONDARY: SECONDARY, Reason.DERIVED: WITHHELD}[self]


def small(value: Any) -> bool:
    return isinstance(value, int) and 0 < value < THRESHOLD


def hidden_keys(values: Mapping[Key, Any]) -> dict[Key, Reason]:
    """The figures of one period that must not be shown, and why, by the rule above."""
    hidden = {s.key: Reason.SMALL for s in SPECS if s.unit is Unit.COUNT and small(values[s.key])}
    while any(_protect(partition, values, hidden) for partition in PARTITIONS):
        pass
    for spec in SPECS:
        rests_on = [*(spec.of or ()), *([spec.base] if spec.base else [])]
        if any(key in hidden for key in rests_on):
            hidden[spec.key] = Reason.DERIVED
    return hidden


def _protect(partition: Partition, values: Mapping[Key, Any], hidden: dict[Key, Reason]) -> bool:
    """Hide one more cell of `partition` if a single unknown part could be worked out; True if it did."""
    if partition.total in hidden:
        return False
    unknown = [cell for cell in partition.cells if cell in hidden]
    if partition.remainder:
        rest = values[partition.total] - sum(values[cell] for cell in partition.cells)
        if len(unknown) != 0 or not small(rest):
            # The remainder is unknown too, so with a hidden cell there are two unknowns; alone, a
            # remainder of 0 or 5+ discloses nothing small.
            return False
    elif len(unknown) != 1:
        return False
    shown = [cell for cell in partition.cells if cell not in hidden and values[cell] > 0]
    if shown:
        hidden[min(shown, key=lambda cell: (values[cell], cell[2] or ""))] = Reason.SECONDARY
    else:
        hidden[partition.total] = Reason.SECONDARY
    return True
