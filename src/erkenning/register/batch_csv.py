"""Batch verification as a CSV file: the items in (columns leerbedrijf, crebo, leerweg[, datum], or the API's
English names company, crebo, pathway[, date]), the answers out (the column names the caller gives: Dutch on
the school's page).

The items are checked with the batch API's own shape (`BatchItem`), line by line, so a file is held
to exactly the rules of `POST /verify/batch`; each bad line is reported with its number and column.
A spreadsheet's habits are met: a `;` or tab instead of `,`, a byte-order mark, a date written
31-12-2025, `BOL` in capitals, blank lines.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import msgspec

from erkenning.register.schemas import BatchItem, VerifyAnswer

COLUMNS = ("company", "crebo", "pathway", "date")
REQUIRED = COLUMNS[:3]
# Dutch column names are taken too (those of the answers file among them, so an answer can be checked again).
_ALIASES = {
    "bedrijf": "company", "leerbedrijf": "company", "leerbedrijf-id": "company", "vestigingsnummer": "company",
    "crebo-code": "crebo", "crebocode": "crebo", "leerweg": "pathway", "datum": "date",
}
ANSWER_COLUMNS = ("line", *COLUMNS, "recognised", "status", "since", "until", "placements_until")
_DUTCH_DATE = re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{4})$")
_FIELD_IN_ERROR = re.compile(r"`\$\.(\w+)`|required field `(\w+)`")


@dataclass(frozen=True)
class LineError:
    """A problem with the file: `line` 0 is the file as a whole; `problem` is missing, invalid or a file code."""

    line: int
    column: str | None
    problem: str


@dataclass
class Parsed:
    items: list[BatchItem]
    lines: list[int]  # the file's line number of each item
    errors: list[LineError]
    delimiter: str


def _delimiter(header: str) -> str:
    counts = {d: header.count(d) for d in (";", "\t", ",")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _iso(value: str) -> str:
    found = _DUTCH_DATE.fullmatch(value)
    if found:
        day, month, year = found.groups()
        return f"{year}-{int(month):02d}-{int(day):02d}"
    return value


def _column_of(exc: msgspec.ValidationError) -> str | None:
    found = _FIELD_IN_ERROR.search(str(exc))
    return (found.group(1) or found.group(2)) if found else None


def parse(text: str, *, max_items: int) -> Parsed:
    """The items of a CSV file, or the reasons it cannot be answered (then no items)."""
    text = text.removeprefix("\ufeff")
    rows = [(n, line) for n, line in enumerate(text.splitlines(), start=1) if line.strip(" ,;\t")]
    if not rows:
        return Parsed([], [], [LineError(0, None, "empty")], ",")
    delimiter = _delimiter(rows[0][1])
    header_line, header = rows[0]
    header_cells = next(csv.reader([header], delimiter=delimiter))
    names = [_ALIASES.get(h.strip().lower(), h.strip().lower()) for h in header_cells]
    if missing := [c for c in REQUIRED if c not in names]:
        return Parsed([], [], [LineError(header_line, c, "no_column") for c in missing], delimiter)
    if len(rows) - 1 > max_items:
        return Parsed([], [], [LineError(0, None, "too_many")], delimiter)
    at = {name: names.index(name) for name in COLUMNS if name in names}
    items: list[BatchItem] = []
    lines: list[int] = []
    errors: list[LineError] = []
    for number, line in rows[1:]:
        cells = next(csv.reader([line], delimiter=delimiter))
        raw = {name: cells[i].strip() if i < len(cells) else "" for name, i in at.items()}
        if empty := [c for c in REQUIRED if not raw[c]]:
            errors.extend(LineError(number, c, "missing") for c in empty)
            continue
        given: dict[str, str] = {"company": raw["company"], "crebo": raw["crebo"], "pathway": raw["pathway"].lower()}
        if raw.get("date"):
            given["date"] = _iso(raw["date"])
        try:
            items.append(msgspec.convert(given, BatchItem))
        except msgspec.ValidationError as exc:
            errors.append(LineError(number, _column_of(exc), "invalid"))
            continue
        lines.append(number)
    if not items and not errors:
        errors.append(LineError(0, None, "empty"))
    return Parsed([] if errors else items, [] if errors else lines, errors, delimiter)


def answers(
    lines: Sequence[int], found: Sequence[VerifyAnswer], *, delimiter: str, words: dict[str, str], yes: str, no: str,
    unknown: str, header: Mapping[str, str] | None = None,
) -> str:
    """The answers as CSV, one row per item with the line it came from; statuses in `words`, the columns named
    by `header` (column -> name; default the English names of `ANSWER_COLUMNS`)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([(header or {}).get(c, c) for c in ANSWER_COLUMNS])
    for line, a in zip(lines, found, strict=True):
        writer.writerow([
            line, a.company, a.crebo, a.pathway.value, a.date.isoformat(), yes if a.recognised else no,
            words[a.status.value] if a.status else unknown,
            a.since.isoformat() if a.since else "", a.until.isoformat() if a.until else "",
            a.placements_until.isoformat() if a.placements_until else "",
        ])
    return buffer.getvalue()
