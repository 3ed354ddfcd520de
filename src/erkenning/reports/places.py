"""Where a student is: a postcode's municipality (gemeente) from the PC4 ranges shipped in
`reports/data/pc4.json`, and municipality names written the one way the ADV table keeps them.

No package on PyPI ships Dutch PC4 → municipality data that works offline (the candidates call a web
API or download CBS files at run time), so the ranges are data of our own, with their source, date and
limits in the file itself and in docs/domain/reporting-structure.md.
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from erkenning.core.fields import SPACE

# Names people use for a municipality whose official name differs (the ADV table keeps the official one).
ALIASES = {
    "den haag": "'s-Gravenhage",
    "the hague": "'s-Gravenhage",
    "den bosch": "'s-Hertogenbosch",
    "s-hertogenbosch": "'s-Hertogenbosch",
    "s-gravenhage": "'s-Gravenhage",
}
_MUNICIPALITY = re.compile(r"^[A-Za-zÀ-ÿ'’. -]{2,100}$")
# A name as typed (the API document states it): those characters, white space inside collapsing to one space.
MUNICIPALITY_PATTERN = rf"^[{SPACE}]*[A-Za-zÀ-ÿ'’.-][A-Za-zÀ-ÿ'’.{SPACE}-]*[A-Za-zÀ-ÿ'’.-][{SPACE}]*$"


def load(name: str) -> dict[str, Any]:
    """One of the data files of `reports/data/` (read by the code and by the migration that seeds the ADVs)."""
    text = resources.files("erkenning.reports").joinpath("data", name).read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@dataclass(frozen=True)
class Pc4Table:
    """Sorted, non-overlapping PC4 ranges, each with its municipality."""

    starts: tuple[int, ...]
    ranges: tuple[tuple[int, int, str], ...]
    source: str
    as_of: str

    def municipality(self, pc4: int) -> str | None:
        i = bisect.bisect_right(self.starts, pc4) - 1
        if i < 0:
            return None
        first, last, name = self.ranges[i]
        return name if first <= pc4 <= last else None


@cache
def pc4_table() -> Pc4Table:
    data = load("pc4.json")
    ranges = tuple(sorted((int(a), int(b), str(n)) for a, b, n in data["ranges"]))
    for (a1, b1, n1), (a2, _, n2) in zip(ranges, ranges[1:], strict=False):
        if a2 <= b1:
            raise ValueError(f"pc4.json: {a1}-{b1} ({n1}) overlaps {a2} ({n2})")
    return Pc4Table(tuple(r[0] for r in ranges), ranges, data["source"], data["as_of"])


def municipality_of_postcode(postcode: str) -> str | None:
    """The municipality of a postcode (`1234 AB` or only its four digits), or None when the table does not know it."""
    digits = postcode.strip()[:4]
    if not digits.isdigit():
        return None
    return pc4_table().municipality(int(digits))


def clean_municipality(value: str) -> str:
    """A municipality's name as typed, trimmed and with an official name for a common alias; refuses what cannot
    be a Dutch municipality's name (letters, spaces, apostrophes, dots and dashes)."""
    name = " ".join(value.replace("’", "'").split())
    if not _MUNICIPALITY.fullmatch(name):
        raise ValueError("a municipality's name: letters, spaces, ' . and -, 2 to 100 characters")
    return ALIASES.get(name.lower().removeprefix("gemeente "), name)
