"""The API's row rules as SQL, for the common case; everything else goes to the API's own validators.

The raw cells of a file are COPYed into a text table; one statement then normalises each row and
marks it `ok` when SQL can *vouch* for it: every cell matches a conservative pattern inside which the
API's validator (pydantic model, stdnum, email-validator) is known to accept the value and to
normalise it the same way (`1234ab` → `1234 AB`, an empty cell → not given). A row SQL cannot vouch
for is not refused here: the importer sends it through the API's model in Python, which refuses it
with the API's own message or accepts it (an unusual but valid value, say a postcode written
`NL-1234-AB` or an address with a capital in its domain). So SQL only decides "surely good",
never "bad", and the API's rules stay the single source of what is valid.
`tests/bulk/test_sqlcheck.py` holds SQL to this on a corpus of good, odd and bad values.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from erkenning.companies.models import Sector
from erkenning.recognition.models import Pathway, RecognitionStatus

RAW = "bulk_raw"

# Trimmed here: ASCII whitespace, which both Python's str.strip() (the importer's "is the cell empty")
# and pydantic's str_strip_whitespace remove. A value that then still starts or ends with any other
# character either of them would strip is not vouched for (the patterns below admit none; free text
# checks its first and last character), so it goes to Python.
_ASCII_STRIP = " \t\n\r\x0b\x0c"
_OTHER_SPACE = sorted(ord(c) for c in map(chr, range(128, 0x3001)) if c.isspace())
_DIGITS = "'0123456789'"


def _literal(text: str) -> str:
    """An E'' string literal holding `text` exactly (any character, escaped as \\uXXXX)."""
    return "E'" + "".join(
        ch if ch.isalnum() and ch.isascii() else f"\\u{ord(ch):04x}" for ch in text
    ) + "'"


def _in(values: list[str]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


@dataclass(frozen=True)
class Rule:
    """SQL on `{t}` (the trimmed cell, NULL when empty or absent): when SQL vouches for it, and its value."""

    ok: str
    value: str = "{t}"
    exact: bool = False  # not a str in the API (enum, date, bool): pydantic does not strip it, so neither may SQL


def _optional(rule: Rule) -> Rule:
    return Rule(ok=f"({{t}} IS NULL OR {rule.ok})", value=rule.value, exact=rule.exact)


def _required(rule: Rule) -> Rule:
    return Rule(ok=f"({{t}} IS NOT NULL AND {rule.ok})", value=rule.value, exact=rule.exact)


def _plain_edge(expr: str) -> str:
    """SQL: the code point `expr` is no whitespace and no control character (neither strip removes it)."""
    return f"({expr} > 32 AND {expr} NOT IN ({', '.join(map(str, _OTHER_SPACE))}))"


def _text(most: int) -> Rule:
    return Rule(ok=f"(char_length({{t}}) <= {most} AND {_plain_edge('ascii({t})')}"
                f" AND {_plain_edge('ascii(right({t}, 1))')})")


# PostgreSQL's regular expressions cost microseconds a call (bounded repetition such as `{1,64}`
# far more), so digits are checked with ltrim and lengths, and each pattern below is used once a row.
def _all_digits(expr: str) -> str:
    return f"ltrim({expr}, {_DIGITS}) = ''"


def _digits(n: int) -> Rule:
    """The API's `_digits`: spaces inside are dropped, then exactly n ASCII digits."""
    compact = "replace({t}, ' ', '')"
    return Rule(ok=f"(octet_length({compact}) = {n} AND {_all_digits(compact)})", value=compact)


SBB_ID = Rule(ok=f"(octet_length({{t}}) <= 12 AND {_all_digits('{t}')})")
CREBO = Rule(ok=f"(octet_length({{t}}) = 5 AND {_all_digits('{t}')})")
# stdnum's nl.postcode: four digits not starting with 0, two letters other than SA, SD, SS.
POSTCODE = Rule(
    ok="({t} ~ '^[1-9][0-9][0-9][0-9] ?[A-Za-z][A-Za-z]$' AND upper(right({t}, 2)) NOT IN ('SA', 'SD', 'SS'))",
    value="left({t}, 4) || ' ' || upper(right({t}, 2))",
)
# email-validator, plain lower-case ASCII only (it lower-cases some local parts, info@ among them, and
# every domain): a dot-atom local part of common characters, a domain
# of at least two LDH labels (no `--`, so no punycode), an alphabetic TLD that is not special-use.
_SPECIAL_USE_TLDS = ["arpa", "invalid", "local", "localhost", "onion", "test"]
EMAIL = Rule(
    ok="({t} ~ '^[a-z0-9_+-]+(\\.[a-z0-9_+-]+)*@([a-z0-9]([a-z0-9-]*[a-z0-9])?\\.)+[a-z][a-z]+$'"
    # at most 64 before the @, and at most 63 after it (so no label is longer than DNS allows)
    " AND char_length(split_part({t}, '@', 1)) <= 64 AND char_length(split_part({t}, '@', 2)) <= 63"
    " AND position('--' IN {t}) = 0"
    f" AND substring({{t}} FROM '\\.([a-z]+)$') NOT IN {_in(_SPECIAL_USE_TLDS)})",
)


def _choice(values: list[str], *, any_case: bool = False) -> Rule:
    if any_case:  # the API lower-cases these before it checks them
        return Rule(ok=f"lower({{t}}) IN {_in(values)}", value="lower({t})", exact=True)
    return Rule(ok=f"{{t}} IN {_in(values)}", exact=True)


# Every month-day of a leap year ('01-01' … '12-31', '02-29' among them), as one IN list: PostgreSQL
# (14 on) looks a constant list of nine or more up in a hash table, one lookup a cell, where checking
# month and day by arithmetic took about nine casts a cell (a third of checking a recognitions file).
_MONTH_DAYS = [f"{m:02d}-{d:02d}" for m in range(1, 13)
               for d in range(1, (29 if m == 2 else 30 if m in (4, 6, 9, 11) else 31) + 1)]


def _date(*, not_after: date | None = None) -> Rule:
    """ISO dates only (YYYY-MM-DD, a real day, year 1 on); other forms pydantic takes go to Python."""
    year = "substr({t}, 1, 4)"
    leap = f"({year}::int % 4 = 0 AND ({year}::int % 100 <> 0 OR {year}::int % 400 = 0))"
    limit = f" AND {{t}} COLLATE \"C\" <= '{not_after.isoformat()}'" if not_after else ""
    return Rule(
        ok=f"CASE WHEN octet_length({{t}}) = 10 AND substr({{t}}, 5, 1) = '-'"
        f" AND substr({{t}}, 6, 5) IN {_in(_MONTH_DAYS)} AND {_all_digits(year)} AND {year} <> '0000'"
        f" THEN (substr({{t}}, 6, 5) <> '02-29' OR {leap}){limit} ELSE false END",
        value="{t}::date",
        exact=True,
    )


# pydantic's lax bool from a string (it lower-cases first); only the lower-case spellings are vouched for.
_BOOL = Rule(ok="{t} IN ('0', 'off', 'f', 'false', 'n', 'no', '1', 'on', 't', 'true', 'y', 'yes')",
             value="{t}::boolean", exact=True)


def rules(kind: str, today: date) -> tuple[dict[str, Rule], str | None]:
    """Per column of `kind`, its rule; and a rule on the whole row (SQL on the columns' values), if any."""
    if kind == "companies":
        return {
            "sbb_id": _optional(SBB_ID),
            "kvk_number": _required(_digits(8)),
            "establishment_number": _required(_digits(12)),
            "name": _required(_text(200)),
            "street": _optional(_text(200)),
            "house_number": _optional(_text(20)),
            "postcode": _required(POSTCODE),
            "city": _required(_text(100)),
            "sector": _required(_choice([s.value for s in Sector])),
            "email": _optional(EMAIL),
        }, None
    if kind == "qualifications":
        return {
            "crebo": _required(CREBO),
            "name": _required(_text(200)),
            "level": _required(Rule(ok="{t} IN ('1', '2', '3', '4')", value="{t}::int")),
            "active": _optional(_BOOL),
        }, None
    if kind == "recognitions":
        return {
            "establishment_number": _optional(_digits(12)),
            "sbb_id": _optional(SBB_ID),
            "crebo": _required(CREBO),
            "pathway": _required(_choice([p.value for p in Pathway], any_case=True)),
            "status": _required(_choice([s.value for s in RecognitionStatus], any_case=True)),
            "since": _required(_date(not_after=today)),
            "granted_on": _optional(_date()),
            "reassessment_due": _optional(_date()),
        }, "(establishment_number IS NOT NULL OR sbb_id IS NOT NULL)"
    raise KeyError(kind)


def _trimmed(column: str) -> str:
    return f"nullif(btrim({column}, {_literal(_ASCII_STRIP)}), '')"


def staging_sql(kind: str, columns: tuple[str, ...], present: list[str], today: date, *, source: str = RAW,
                target: str = "bulk_staging") -> str:
    """CREATE the staging table from `source` (line + the file's `present` columns, as text): each row
    normalised, with `ok` true where SQL vouches for the whole row (values of other rows are NULL)."""
    by_column, row_rule = rules(kind, today)
    trimmed = ", ".join(f"{_trimmed(c) if c in present else 'NULL::text'} AS {c}" for c in columns)
    exact = [c for c in columns if by_column[c].exact and c in present]
    trimmed += "".join(f", {c} AS raw_{c}" for c in exact)
    checks = [by_column[c].ok.replace("{t}", c) for c in columns]
    checks += [f"({c} IS NULL OR {c} = raw_{c})" for c in exact]
    if row_rule:
        checks.append(row_rule)
    values = ", ".join(f"CASE WHEN ok THEN {by_column[c].value.replace('{t}', c)} END AS {c}" for c in columns)
    return f"""
        CREATE TEMP TABLE {target} ON COMMIT DROP AS
        SELECT line, ok, {values}
        FROM (SELECT t.*, coalesce({' AND '.join(checks)}, false) AS ok
              FROM (SELECT line, {trimmed} FROM {source} OFFSET 0) t OFFSET 0) c
    """
