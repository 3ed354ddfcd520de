"""Plain Dutch sentences for the pages of companies, schools and the public (the words for codes are
in `erkenning.vocabulary`, the one vocabulary).

`recognition_sentence()` says where a recognition stands today, as a company would say it ("Erkend
voor Kok niveau 2 (BOL) sinds 3 maart 2024."), read from its dated periods like the register does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from erkenning.recognition.models import Pathway, RecognitionStatus
from erkenning.recognition.schemas import PeriodRead
from erkenning.reports.models import CoarseStatus
from erkenning.vocabulary import COMPANY_KEYS, RECOGNITION_STATUSES, long_date, number, term


def qualification_label(name: str, level: int, pathway: Pathway | str) -> str:
    """`Kok niveau 2 (BOL)`."""
    return f"{name} niveau {level} ({term(Pathway(pathway))})"


@dataclass(frozen=True)
class Standing:
    """Where a recognition stands today: a sentence, the change already planned (if any), a badge."""

    status: RecognitionStatus | None
    sentence: str
    next_change: str | None = None

    @property
    def badge(self) -> tuple[str, str]:
        return RECOGNITION_STATUSES[self.status] if self.status else ("geen status", "neutral")


def _run(periods: Sequence[PeriodRead], day: date) -> tuple[PeriodRead | None, date | None, date | None, int]:
    """The period covering `day`, the bounds of the unbroken run of its status, and the index after the run."""
    ordered = sorted(periods, key=lambda p: p.valid_from)
    at = next(
        (i for i, p in enumerate(ordered) if p.valid_from <= day and (p.valid_until is None or day < p.valid_until)),
        None,
    )
    if at is None:
        return None, None, None, len(ordered)
    current = ordered[at]
    first = last = at
    while (
        first > 0
        and ordered[first - 1].status is current.status
        and ordered[first - 1].valid_until == ordered[first].valid_from
    ):
        first -= 1
    while (
        last + 1 < len(ordered)
        and ordered[last + 1].status is current.status
        and ordered[last].valid_until == ordered[last + 1].valid_from
    ):
        last += 1
    return current, ordered[first].valid_from, ordered[last].valid_until, last + 1


_NEXT = {
    RecognitionStatus.ACTIVE: "Vanaf {day} weer erkend.",
    RecognitionStatus.SUSPENDED: "Wordt geschorst per {day}.",
    RecognitionStatus.WITHDRAWN: "Wordt ingetrokken per {day}.",
    RecognitionStatus.LAPSED: "Vervalt per {day}.",
    RecognitionStatus.REFUSED: "Wordt geweigerd per {day}.",
    RecognitionStatus.PENDING: "Weer in behandeling vanaf {day}.",
}


def recognition_sentence(label: str, periods: Sequence[PeriodRead], today: date) -> Standing:
    """The recognition's status today in plain language, with the next change already decided."""
    current, since, until, after = _run(periods, today)
    if current is None:
        return Standing(None, f"Nog geen erkenning voor {label}.")
    s, start = current.status, long_date(since)
    end = long_date(until) if until else None
    if s is RecognitionStatus.ACTIVE:
        sentence = f"Erkend voor {label} sinds {start}."
    elif s is RecognitionStatus.SUSPENDED:
        term = f"tot {end}" if end else "totdat de schorsing wordt opgeheven"
        sentence = f"Erkenning voor {label} geschorst sinds {start}, {term}."
    elif s is RecognitionStatus.WITHDRAWN:
        sentence = f"Erkenning voor {label} ingetrokken per {start}."
    elif s is RecognitionStatus.LAPSED:
        sentence = f"Erkenning voor {label} vervallen per {start}."
    elif s is RecognitionStatus.REFUSED:
        sentence = f"Aanvraag voor {label} geweigerd per {start}."
    else:
        sentence = f"Aanvraag voor {label} in behandeling sinds {start}."
    ordered = sorted(periods, key=lambda p: p.valid_from)
    following = ordered[after] if until is not None and after < len(ordered) else None
    next_change = _NEXT[following.status].format(day=end) if following is not None else None
    return Standing(s, sentence, next_change)


def verify_sentence(
    name: str, subject: str, day: date, today: date, recognised: bool, status: RecognitionStatus | None,
    since: date | None, until: date | None, placements_until: date | None = None,
) -> str:
    """The register's answer for one company, qualification and date, as a sentence for a school (with the
    transition arrangement of a suspension or withdrawal, where its decision has one)."""
    was = "is" if day >= today else "was"
    on = "vandaag" if day == today else f"op {long_date(day)}"
    bounds = (f" sinds {long_date(since)}" if since else "") + (f", tot {long_date(until)}" if until else "")
    if recognised:
        return f"Ja. {name} {was} {on} erkend voor {subject}{bounds}."
    if status is None:
        return f"Nee. {name} had {on} geen erkenning voor {subject}."
    word = RECOGNITION_STATUSES[status][0]
    answer = f"Nee. De erkenning van {name} voor {subject} {was} {on} {word}{bounds}."
    if placements_until is not None:
        answer += (
            f" Studenten die daar al stage liepen of een leerbaan hadden toen dat inging, mogen die afmaken "
            f"tot en met {long_date(placements_until)}."
        )
    return answer


def _either(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " of " + words[-1]


def number_searched(kinds: Sequence[str]) -> str:
    """`KvK-nummer of leerbedrijf-ID`: what a number in the register's one field was taken for."""
    return _either([COMPANY_KEYS[k] for k in kinds])


def companies(n: int) -> str:
    """`1 leerbedrijf`, `12 leerbedrijven`."""
    return f"{number(n)} {'leerbedrijf' if n == 1 else 'leerbedrijven'}"


def search_found(total: int, searched: str, *, capped: bool) -> str:
    """The line above the results: how many, for what; a capped search says to narrow it."""
    if capped:
        return (f"Meer dan {companies(total)} gevonden {searched}; u ziet de {number(total)} die het best passen. "
                "Maak de zoekvraag preciezer: voeg een woord van de naam of de plaats toe.")
    return f"{companies(total)} gevonden {searched}."


def searched_by_number(value: str, kinds: Sequence[str]) -> str:
    return f"met {number_searched(kinds)} {value}"


def searched_by_name(name: str, town: str | None) -> str:
    return f"met ‘{name}’ in de naam" + (f" in {town}" if town else "")


def not_found_by_number(value: str, kinds: Sequence[str]) -> str:
    """Nothing found for a number: what was searched, and how else to search (never "not recognised")."""
    return (f"Er staat geen leerbedrijf in het register {searched_by_number(value, kinds)}. Dat kan een tikfout zijn, "
            "of het bedrijf staat er onder een ander nummer: een KvK-nummer heeft 8 cijfers, een vestigingsnummer "
            "12. Controleer het nummer, of zoek op een deel van de naam en de plaats.")


def not_found_by_name(name: str, town: str | None) -> str:
    """Nothing found for a name: what was searched, and how else to search (never "not recognised")."""
    other = " Zoek ook eens zonder plaats: die moet precies zo zijn gespeld als in het register." if town else ""
    return (f"Er staat geen leerbedrijf in het register {searched_by_name(name, town)}. Probeer minder of kortere "
            f"woorden uit de naam, of een andere schrijfwijze.{other} Of zoek op het KvK-nummer of het "
            "vestigingsnummer.")


def school_report_next_step(status: CoarseStatus) -> str:
    """What happens after a school passed a report on, for where it stands now (never the outcome itself)."""
    if status is CoarseStatus.RECEIVED:
        return ("Eerst beoordeelt SBB de melding, binnen de termijn hierboven. Daarna kan SBB uw meldpunt om een "
                "reactie vragen: die vraag verschijnt op de pagina Meldingen en u krijgt er bericht over. Over de "
                "uitkomst informeert SBB u apart.")
    if status is CoarseStatus.BEING_HANDLED:
        return ("SBB is met de melding bezig. SBB kan uw meldpunt om een reactie vragen: die vraag verschijnt op de "
                "pagina Meldingen. Over de uitkomst informeert SBB u apart.")
    return "SBB heeft de melding afgehandeld."


@dataclass(frozen=True)
class HistoryLine:
    """One period of a recognition's history as the company reads it: when, in which tense, by which decision."""

    when: str  # "nu", "gepland" or "voorbij"
    sentence: str
    decision_id: object | None

    @property
    def is_now(self) -> bool:
        return self.when == "nu"


_FUTURE = {
    RecognitionStatus.ACTIVE: "Wordt erkend vanaf {start}",
    RecognitionStatus.SUSPENDED: "Wordt geschorst vanaf {start}",
    RecognitionStatus.WITHDRAWN: "Wordt ingetrokken per {start}",
    RecognitionStatus.LAPSED: "Vervalt per {start}",
    RecognitionStatus.REFUSED: "Wordt geweigerd per {start}",
    RecognitionStatus.PENDING: "Wordt in behandeling genomen vanaf {start}",
}


def history(periods: Sequence[PeriodRead], today: date) -> list[HistoryLine]:
    """A recognition's periods, newest first: the current one "nu" in the present tense, later ones as planned
    (future tense), earlier ones in the past tense ("Was geschorst van … tot …"). `valid_until` is exclusive."""
    lines = []
    for p in sorted(periods, key=lambda p: p.valid_from, reverse=True):
        word = RECOGNITION_STATUSES[p.status][0]
        start, end = long_date(p.valid_from), long_date(p.valid_until) if p.valid_until else None
        if p.valid_from > today:
            sentence, when = _FUTURE[p.status].format(start=start) + (f", tot {end}" if end else ""), "gepland"
        elif p.valid_until is not None and p.valid_until <= today:
            sentence, when = f"Was {word} van {start} tot {end}", "voorbij"
        else:
            sentence, when = f"{word[:1].upper()}{word[1:]} sinds {start}" + (f", tot {end}" if end else ""), "nu"
        lines.append(HistoryLine(when, sentence + ".", p.decision_id))
    return lines


def file_size(size: int) -> str:
    """`350 kB`, `1,2 MB` (decimal comma)."""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} kB"
    return f"{size / (1024 * 1024):.1f} MB".replace(".", ",")
