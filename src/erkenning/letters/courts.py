"""The competent court for an appeal (art. 8:7(2) Awb): the rechtbank of the arrondissement where the
company has its seat, read from the company's place in a shipped table (`data/arrondissementen.csv`, its
source in its head). A place not in the table gives no name: the letter then names the rule, not the court.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

TABLE = Path(__file__).parent / "data" / "arrondissementen.csv"


@cache
def arrondissements() -> dict[str, str]:
    """Place (lower case) → arrondissement, from the shipped table."""
    found: dict[str, str] = {}
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        place, arrondissement = (part.strip() for part in line.rsplit(",", 1))
        found[place.lower()] = arrondissement
    return found


def court_for(city: str | None) -> str | None:
    """`rechtbank <arrondissement>` for the company's place, or None when the table does not know it."""
    if not city:
        return None
    arrondissement = arrondissements().get(" ".join(city.split()).lower())
    return f"rechtbank {arrondissement}" if arrondissement else None
