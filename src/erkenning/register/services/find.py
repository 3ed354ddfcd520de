"""Finding a company the way people ask for it, as SBB's Stagemarkt search does: by one number in one field
(KvK number, establishment number or SBB company id), or by part of the name, optionally in a town.

A number is read by its form: 8 digits may be a KvK number (no check digit) or an SBB id, 12 digits an
establishment number (vestigingsnummer) or an SBB id, any other length up to 12 an SBB id only; the
answer says which key matched. A KvK number covers every establishment of the organisation, so it can
find several. A name search takes each word as a part of the name (in any order, any case), served by
pg_trgm's GIN index on `company.name`, and the town as the whole name of the town (any case); its hits
are capped (`REGISTER_NAME_SEARCH_CAP`) and the closest come first: names that start with the first word,
then the shortest (the query itself uses no pg_trgm function, so it answers on a server without it too).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from erkenning.core.errors import ValidationFailed
from erkenning.core.runtime import Runtime
from erkenning.register import lean
from erkenning.register.schemas import RegisterCompany

NUMBER = r"^[0-9]{1,12}$"
KVK_DIGITS = 8
ESTABLISHMENT_DIGITS = 12
MIN_NAME_CHARS = 3
MAX_NAME_WORDS = 5
_SEPARATORS = re.compile(r"[\s.\-]+")
_LIKE_SPECIAL = re.compile(r"([\\%_])")


@dataclass(frozen=True)
class Found:
    items: list[RegisterCompany]
    total: int
    capped: bool = False


def normalise_number(raw: str) -> str:
    """`1234 5678`, `1234.5678` → `12345678`; refuses anything but 1 to 12 digits."""
    number = _SEPARATORS.sub("", raw)
    if not re.fullmatch(NUMBER, number):
        raise ValueError("a KvK number (8 digits), an establishment number (12 digits) or an SBB id (digits)")
    return number


def number_kinds(number: str) -> tuple[str, ...]:
    """Which keys a number of this length can be, the likeliest first."""
    if len(number) == KVK_DIGITS:
        return ("kvk_number", "sbb_id")
    if len(number) == ESTABLISHMENT_DIGITS:
        return ("establishment_number", "sbb_id")
    return ("sbb_id",)


def name_words(raw: str) -> list[str]:
    """The words of a name search; refuses more than 5 words, or none of 3 characters or more (a shorter
    word has no trigram, so the index could not serve it: the search would read the whole register)."""
    words = raw.split()
    if not any(len(w) >= MIN_NAME_CHARS for w in words):
        raise ValidationFailed([{"field": "name_contains", "message": "at least one word of 3 characters or more"}])
    if len(words) > MAX_NAME_WORDS:
        raise ValidationFailed([{"field": "name_contains", "message": "at most 5 words"}])
    return words


def _company(row: Any) -> RegisterCompany:
    return RegisterCompany(sbb_id=row["sbb_id"], name=row["name"], city=row["city"], postcode=row["postcode"],
                           matched_on=row["matched_on"])


async def by_number(runtime: Runtime, number: str, *, limit: int, offset: int) -> Found:
    """Every company one of whose keys this number can be (see `number_kinds`), by name."""
    kinds = number_kinds(number)
    matched = " ".join(f"WHEN c.{k} = $1 THEN '{k}'" for k in kinds)
    where = " OR ".join(f"c.{k} = $1" for k in kinds)
    sql = (
        f"SELECT c.sbb_id, c.name, c.city, c.postcode, CASE {matched} END AS matched_on, count(*) OVER () AS total "
        f"FROM company c WHERE {where} ORDER BY lower(c.name), c.sbb_id LIMIT $2 OFFSET $3"
    )
    async with lean.connection(runtime) as conn:
        rows = await conn.fetch(sql, number, limit, offset)
        total = rows[0]["total"] if rows else (
            await conn.fetchval(f"SELECT count(*) FROM company c WHERE {where}", number) if offset else 0
        )
    return Found([_company(r) for r in rows], int(total))


async def by_name(
    runtime: Runtime, name_contains: str, town: str | None, *, limit: int, offset: int, cap: int
) -> Found:
    """Companies whose name holds every word given, in the town if one is given; at most `cap` in all."""
    words = name_words(name_contains)
    args: list[Any] = [_LIKE_SPECIAL.sub(r"\\\1", words[0]) + "%"]
    conditions = []
    for word in words:
        args.append("%" + _LIKE_SPECIAL.sub(r"\\\1", word) + "%")
        conditions.append(f"c.name ILIKE ${len(args)}")
    if town:
        args.append(" ".join(town.split()))
        conditions.append(f"lower(c.city) = lower(${len(args)})")
    n = len(args)
    # The cap is applied before counting, so a word found in thousands of names costs at most `cap` rows.
    sql = f"""
        SELECT sbb_id, name, city, postcode, NULL AS matched_on, count(*) OVER () AS total FROM (
            SELECT c.sbb_id, c.name, c.city, c.postcode, NOT c.name ILIKE $1 AS later, length(c.name) AS size
            FROM company c WHERE {" AND ".join(conditions)}
            ORDER BY later, size, lower(c.name), c.sbb_id LIMIT ${n + 1}
        ) AS hit
        ORDER BY later, size, lower(name), sbb_id LIMIT ${n + 2} OFFSET ${n + 3}
    """
    async with lean.connection(runtime) as conn:
        rows = await conn.fetch(sql, *args, cap + 1, limit, offset)
        # Past the last page: count from the first row of the first page.
        first = rows or (await conn.fetch(sql, *args, cap + 1, 1, 0) if offset else [])
    total = int(first[0]["total"]) if first else 0
    shown = rows[: max(0, cap - offset)]
    return Found([_company(r) for r in shown], min(total, cap), capped=total > cap)
