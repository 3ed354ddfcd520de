"""The Stagepact indicators: every figure's key, unit, Dutch label, and what it is derived from.

A figure is identified by `(section, name, category)`. The definitions (which date places what in a
period) are in the docstrings of `erkenning.stagepact.queries`, which computes them, and in
docs/domain/stagepact.md. This module only says what exists and how figures hang together, which is
what the small-number suppression needs: a share is withheld when its numerator or denominator is, a
lead time when the cases it summarises are too few, and `PARTITIONS` name cells that add up to a
published total (so that one hidden cell could be found by subtraction).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from erkenning import vocabulary
from erkenning.companies.models import Sector
from erkenning.reports.models import Ground
from erkenning.training.models import CourseFormat, InvitationKind, Topic
from erkenning.vocabulary import SECTORS
from erkenning.workflows.models import Outcome

Key = tuple[str, str, str | None]


class Unit(StrEnum):
    COUNT = "count"
    PERCENT = "percent"  # 0–100; its change is in percentage points
    DAYS = "days"


@dataclass(frozen=True)
class Spec:
    """One figure: what it is, its unit, its Dutch label; `of` (numerator, denominator) for a
    percentage, `base` (the count of cases summarised) for a lead time."""

    key: Key
    unit: Unit
    label: str
    of: tuple[Key, Key] | None = None
    base: Key | None = None

    @property
    def section(self) -> str:
        return self.key[0]


@dataclass(frozen=True)
class Partition:
    """Cells that add up to `total` (with `remainder`: plus a part that is not published)."""

    total: Key
    cells: tuple[Key, ...]
    remainder: bool = False


# ------------------------------------------------------------------ categories (code → Dutch)
# Grounds, outcomes, formats and topics in the words every page uses (`erkenning.vocabulary`).

CHANNEL_GROUPS = {
    "school_reporting_point": "Meldpunt van een school",
    "agency": "Antidiscriminatievoorziening of gemeente",
    "adviser_intake": "Intake door SBB (telefoon, e-mail, brief, contactformulier, anders)",
    "anonymous": "Anoniem (openbaar meldformulier)",
}
GROUNDS = {g: vocabulary.capital(g) for g in Ground}
UNMATCHED = "unmatched"
REPORT_SECTORS: dict[str, str] = {
    **{s.value: SECTORS[s] for s in Sector},
    UNMATCHED: "Nog niet aan een leerbedrijf gekoppeld",
}
TRIAGE_OUTCOMES = {
    "substantiated": "Gegrond: onderzoek",
    "not_substantiated": "Niet gegrond",
    "referred": "Doorverwezen",
}
OUTCOMES = {o: vocabulary.capital(o) for o in Outcome}
FORMATS = {f: vocabulary.capital(f) for f in CourseFormat}
TOTAL = "total"
TOPICS = {t: vocabulary.capital(t) for t in Topic}
# Course topics that count as "discrimination-related" for the reach figures.
DISCRIMINATION_TOPICS = (Topic.DISCRIMINATION_FREE_RECRUITMENT, Topic.EQUAL_OPPORTUNITIES)
MEASURES = {"enrolled": "Ingeschreven", "completed": "Gevolgd of afgerond", "no_show": "Niet verschenen"}
INVITATION_KINDS = {k: vocabulary.capital(k) for k in InvitationKind}

SECTIONS = {
    "reports": "Meldingen",
    "triage": "Beoordeling",
    "investigations": "Onderzoeken",
    "objections": "Bezwaren",
    "lead_times": "Doorlooptijden",
    "follow_up": "Verbeterafspraken",
    "training_by_format": "Cursusdeelnames per vorm",
    "training_by_topic": "Cursusdeelnames per onderwerp",
    "course_reach": "Bereik van de cursussen",
    "reach_by_topic": "Bereik per onderwerp",
    "invitations": "Uitnodigingen voor cursussen",
}


def _str(code: object) -> str:
    return str(getattr(code, "value", code))


def _cells(section: str, name: str, categories: Mapping[Any, str], label: str) -> list[Spec]:
    return [Spec((section, name, _str(c)), Unit.COUNT, f"{label}: {text}") for c, text in categories.items()]


def _share(key: Key, label: str, numerator: Key, denominator: Key) -> Spec:
    return Spec(key, Unit.PERCENT, label, of=(numerator, denominator))


# ------------------------------------------------------------------ the figures

RECEIVED: Key = ("reports", "received", None)
TRIAGED: Key = ("triage", "decided", None)
CLOSED: Key = ("investigations", "closed", None)
WITHIN_NORM: Key = ("lead_times", "decided_within_norm", None)
CHECKED: Key = ("follow_up", "checked", None)
WITH_COURSES: Key = ("follow_up", "with_courses", None)
COURSES_DONE: Key = ("follow_up", "courses_completed", None)
RECOGNISED: Key = ("course_reach", "recognised_companies", None)
RECOGNISED_DONE: Key = ("course_reach", "recognised_completed", None)
REPORTED: Key = ("course_reach", "reported_companies", None)
REPORTED_DONE: Key = ("course_reach", "reported_completed", None)


def _build() -> tuple[list[Spec], list[Partition]]:
    specs: list[Spec] = [Spec(RECEIVED, Unit.COUNT, "Meldingen ontvangen")]
    channel = _cells("reports", "by_channel", CHANNEL_GROUPS, "Via")
    ground = _cells("reports", "by_ground", GROUNDS, "Grond")
    sector = _cells("reports", "by_sector", REPORT_SECTORS, "Sector")
    specs += [*channel, *ground, *sector, Spec(("reports", "schools", None), Unit.COUNT, "Scholen die meldden")]
    parts = [Partition(RECEIVED, tuple(s.key for s in group)) for group in (channel, ground, sector)]

    outcomes = _cells("triage", "outcome", TRIAGE_OUTCOMES, "Beoordeling")
    specs += [Spec(TRIAGED, Unit.COUNT, "Meldingen beoordeeld"), *outcomes]
    specs += [
        _share(("triage", "share", s.key[2]), f"Aandeel: {TRIAGE_OUTCOMES[s.key[2] or '']}", s.key, TRIAGED)
        for s in outcomes
    ]
    parts.append(Partition(TRIAGED, tuple(s.key for s in outcomes)))

    case_outcomes = _cells("investigations", "outcome", OUTCOMES, "Uitkomst")
    specs += [
        Spec(("investigations", "opened", None), Unit.COUNT, "Onderzoeken geopend"),
        Spec(CLOSED, Unit.COUNT, "Onderzoeken afgerond"),
        Spec(("investigations", "open_at_end", None), Unit.COUNT, "Onderzoeken open aan het eind"),
        *case_outcomes,
        Spec(("objections", "filed", None), Unit.COUNT, "Bezwaren ingediend"),
        Spec(("objections", "upheld", None), Unit.COUNT, "Bezwaren gegrond"),
        Spec(("objections", "rejected", None), Unit.COUNT, "Bezwaren ongegrond"),
    ]
    parts.append(Partition(CLOSED, tuple(s.key for s in case_outcomes)))

    specs += [
        Spec(("lead_times", "triage_days_median", None), Unit.DAYS, "Melding tot beoordeling: mediaan (dagen)",
             base=TRIAGED),
        Spec(("lead_times", "triage_days_p90", None), Unit.DAYS, "Melding tot beoordeling: 90e percentiel (dagen)",
             base=TRIAGED),
        Spec(("lead_times", "decision_days_median", None), Unit.DAYS, "Onderzoek tot besluit: mediaan (dagen)",
             base=CLOSED),
        Spec(("lead_times", "decision_days_p90", None), Unit.DAYS, "Onderzoek tot besluit: 90e percentiel (dagen)",
             base=CLOSED),
        Spec(WITHIN_NORM, Unit.COUNT, "Onderzoeken binnen de norm besloten"),
        _share(("lead_times", "share_within_norm", None), "Aandeel binnen de norm besloten", WITHIN_NORM, CLOSED),
    ]
    parts.append(Partition(CLOSED, (WITHIN_NORM,), remainder=True))

    specs += [
        Spec(CHECKED, Unit.COUNT, "Verbeterafspraken nagegaan"),
        Spec(WITH_COURSES, Unit.COUNT, "waarvan met aanbevolen cursussen"),
        Spec(COURSES_DONE, Unit.COUNT, "waarvan alle aanbevolen cursussen gevolgd"),
        _share(("follow_up", "share_courses_completed", None), "Aandeel met alle aanbevolen cursussen gevolgd",
               COURSES_DONE, WITH_COURSES),
    ]
    parts += [Partition(CHECKED, (WITH_COURSES,), remainder=True),
              Partition(WITH_COURSES, (COURSES_DONE,), remainder=True)]

    for measure, word in MEASURES.items():
        total: Key = ("training_by_format", measure, TOTAL)
        by_format = _cells("training_by_format", measure, FORMATS, word)
        by_topic = _cells("training_by_topic", measure, TOPICS, word)
        specs += [*by_format, Spec(total, Unit.COUNT, f"{word}: totaal"), *by_topic]
        # A course may have two topics, so topics may add up to more than the total: treating them
        # as a partition can only suppress more, never less.
        parts += [Partition(total, tuple(s.key for s in by_format)), Partition(total, tuple(s.key for s in by_topic))]

    specs += [
        Spec(("course_reach", "companies_took_part", None), Unit.COUNT, "Leerbedrijven die een cursus volgden"),
        Spec(RECOGNISED, Unit.COUNT, "Erkende leerbedrijven"),
        Spec(RECOGNISED_DONE, Unit.COUNT, "waarvan een cursus over discriminatie volgden"),
        _share(("course_reach", "recognised_share", None), "Aandeel erkende leerbedrijven met zo'n cursus",
               RECOGNISED_DONE, RECOGNISED),
        Spec(REPORTED, Unit.COUNT, "Leerbedrijven waarover gemeld is"),
        Spec(REPORTED_DONE, Unit.COUNT, "waarvan een cursus over discriminatie volgden"),
        _share(("course_reach", "reported_share", None), "Aandeel gemelde leerbedrijven met zo'n cursus",
               REPORTED_DONE, REPORTED),
    ]
    parts += [Partition(RECOGNISED, (RECOGNISED_DONE,), remainder=True),
              Partition(REPORTED, (REPORTED_DONE,), remainder=True)]

    # Companies, not participations, per topic: one company with two courses of a topic counts once, and a
    # company may count under several topics (no partition: the topics add up to no published total).
    specs += _cells("reach_by_topic", "companies", TOPICS, "Leerbedrijven die een cursus volgden over")

    for kind, word in INVITATION_KINDS.items():
        invited: Key = ("invitations", "invited", kind.value)
        enrolled: Key = ("invitations", "enrolled", kind.value)
        specs += [
            Spec(invited, Unit.COUNT, f"Uitgenodigde leerbedrijven: {word}"),
            Spec(enrolled, Unit.COUNT, f"waarvan daarna ingeschreven: {word}"),
            _share(("invitations", "share_enrolled", kind.value), f"Aandeel daarna ingeschreven: {word}",
                   enrolled, invited),
        ]
        parts.append(Partition(invited, (enrolled,), remainder=True))
    return specs, parts


SPECS, PARTITIONS = _build()
BY_KEY: dict[Key, Spec] = {s.key: s for s in SPECS}
assert len(BY_KEY) == len(SPECS), "figure keys must be unique"


def _category_tables() -> dict[tuple[str, str], dict[str, str]]:
    tables: dict[tuple[str, str], Mapping[Any, str]] = {
        ("reports", "by_channel"): CHANNEL_GROUPS,
        ("reports", "by_ground"): GROUNDS,
        ("reports", "by_sector"): REPORT_SECTORS,
        ("triage", "outcome"): TRIAGE_OUTCOMES,
        ("triage", "share"): TRIAGE_OUTCOMES,
        ("investigations", "outcome"): OUTCOMES,
    }
    for measure in MEASURES:
        tables[("training_by_format", measure)] = {**FORMATS, TOTAL: "Totaal"}
        tables[("training_by_topic", measure)] = TOPICS
    tables[("reach_by_topic", "companies")] = TOPICS
    for name in ("invited", "enrolled", "share_enrolled"):
        tables[("invitations", name)] = INVITATION_KINDS
    return {k: {_str(code): text for code, text in v.items()} for k, v in tables.items()}


_CATEGORY_TABLES = _category_tables()


def category_label(key: Key) -> str:
    """The Dutch name of a figure's category alone (for a chart's axis), or its whole label."""
    section, name, category = key
    if category is None:
        return BY_KEY[key].label
    return _CATEGORY_TABLES.get((section, name), {}).get(category, category)
