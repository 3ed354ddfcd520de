"""Synthetic learning companies and their recognitions, deterministic for a seed value.

Names, streets and places come from Faker's nl_NL provider, drawn once into pools; rows are then
combined from the pools with one seeded `random.Random`, which is what makes 250,000 companies cheap.
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from faker import Faker

from erkenning.companies.models import Sector
from erkenning.devtools.synthetic_catalogue import CatalogueEntry
from erkenning.recognition.models import Pathway, RecognitionStatus

S = Sector
RS = RecognitionStatus
FOUR_YEARS = timedelta(days=1461)

SECTOR_WEIGHTS = {
    S.ZORG_WELZIJN_SPORT: 20, S.HANDEL: 17, S.TECHNIEK_GEBOUWDE_OMGEVING: 17, S.VOEDSEL_GROEN_GASTVRIJHEID: 15,
    S.ZAKELIJKE_DIENSTVERLENING_VEILIGHEID: 10, S.MOBILITEIT_TRANSPORT_LOGISTIEK_MARITIEM: 10,
    S.ICT_CREATIEVE_INDUSTRIE: 7, S.SPECIALISTISCH_VAKMANSCHAP: 4,
}
NAME_PATTERNS: dict[Sector, tuple[str, ...]] = {
    S.TECHNIEK_GEBOUWDE_OMGEVING: ("{last} Installatietechniek B.V.", "Bouwbedrijf {last}", "{last} Elektro",
                                   "Schildersbedrijf {last}", "Aannemersbedrijf {last} & Zn."),
    S.MOBILITEIT_TRANSPORT_LOGISTIEK_MARITIEM: ("Autobedrijf {last}", "Transportbedrijf {last} B.V.",
                                                "{last} Logistiek", "Garage {last}", "Tweewielers {last}"),
    S.ZORG_WELZIJN_SPORT: ("Zorggroep {place}", "Kinderopvang De {noun}", "Thuiszorg {last}",
                           "Fysiotherapie {place}", "Woonzorgcentrum De {noun}", "Sportcentrum {place}"),
    S.HANDEL: ("{last} Mode", "Supermarkt {last}", "{last} Groothandel B.V.", "Bloemenhandel {last}",
               "Woonwinkel {noun}"),
    S.ICT_CREATIEVE_INDUSTRIE: ("{last} ICT", "{noun} Media", "Studio {last}", "{last} Software B.V.",
                                "Drukkerij {last}"),
    S.VOEDSEL_GROEN_GASTVRIJHEID: ("Bakkerij {last}", "Restaurant De {noun}", "Hotel {place}",
                                   "Hoveniersbedrijf {last}", "Slagerij {last}", "Melkveebedrijf {last}"),
    S.SPECIALISTISCH_VAKMANSCHAP: ("Kapsalon {first}", "Meubelmakerij {last}", "Juwelier {last}",
                                   "Optiek {last}", "Schoonheidssalon {first}"),
    S.ZAKELIJKE_DIENSTVERLENING_VEILIGHEID: ("Administratiekantoor {last}", "{last} Beveiliging",
                                             "Schoonmaakbedrijf {last}", "Advocatenkantoor {last}",
                                             "Reisbureau {place}"),
}
NOUNS = ("Gouden Leeuw", "Molen", "Zwaan", "Linde", "Eik", "Zonnebloem", "Regenboog", "Klimop", "Vlinder",
         "Hoeksteen", "Kroon", "Ster", "Boomgaard", "Vuurtoren", "Brug", "Zeester", "Korenbloem", "Wilg")
# stdnum refuses these letter pairs in a Dutch postcode.
_BAD_POSTCODE_LETTERS = {"SA", "SD", "SS"}
_LETTERS = "ABCDEFGHJKLMNPRSTVWXZ"

STATUS_WEIGHTS = {RS.ACTIVE: 88, RS.WITHDRAWN: 5, RS.SUSPENDED: 3, RS.LAPSED: 3, RS.PENDING: 1}
# The decision that makes each period (the decisions branch turns these into `decision` rows).
DECISION_FOR = {RS.ACTIVE: "grant", RS.SUSPENDED: "suspend", RS.WITHDRAWN: "withdraw", RS.LAPSED: "lapse"}
RECOGNITIONS_PER_COMPANY = ((1, 15), (2, 25), (3, 25), (4, 17), (5, 11), (6, 7))  # ≈ 3 after duplicates


@dataclass(frozen=True)
class Pools:
    last: list[str]
    first: list[str]
    streets: list[str]
    places: list[tuple[str, int]]  # city, first two postcode digits

    @classmethod
    def build(cls, seed: int, size: int = 3000) -> Pools:
        fake = Faker("nl_NL")
        fake.seed_instance(seed)
        return cls(
            last=sorted({fake.last_name() for _ in range(size)}),
            first=sorted({fake.first_name() for _ in range(size // 3)}),
            streets=sorted({fake.street_name() for _ in range(size)}),
            places=[(city, 10 + i % 89) for i, city in enumerate(sorted({fake.city() for _ in range(size // 2)}))],
        )


@dataclass(frozen=True)
class SeededPeriod:
    """One dated period as seeded, with the kind of decision that would have made it (None: an application)."""

    id: UUID
    recognition_id: UUID
    company_id: UUID
    status: RecognitionStatus
    valid_from: date
    valid_until: date | None
    decision_kind: str | None


@dataclass
class Batch:
    companies: list[tuple[Any, ...]] = field(default_factory=list)
    recognitions: list[tuple[Any, ...]] = field(default_factory=list)
    periods: list[SeededPeriod] = field(default_factory=list)


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower())[:50].strip("-") or "bedrijf"


class Generator:
    """Companies numbered 0..N-1 for one seed value; company i is the same whatever batch it falls in."""

    def __init__(self, seed: int, catalogue: list[CatalogueEntry], qualification_ids: dict[str, UUID],
                 today: date) -> None:
        self.seed, self.today = seed, today
        self.pools = Pools.build(seed)
        self.by_sector: dict[Sector, list[CatalogueEntry]] = {}
        for entry in catalogue:
            if entry.crebo in qualification_ids:
                self.by_sector.setdefault(entry.sector, []).append(entry)
        self.all = [e for entries in self.by_sector.values() for e in entries]
        self.qualification_ids = qualification_ids
        self.sectors, self.sector_weights = list(SECTOR_WEIGHTS), list(SECTOR_WEIGHTS.values())
        self.statuses, self.status_weights = list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values())

    def establishment_number(self, i: int) -> str:
        # A bijection on 0..10^9-1 (odd multiplier not divisible by 5), so numbers look scattered yet never repeat.
        return f"9{self.seed % 100:02d}{(i * 387_420_489 + 12_345) % 1_000_000_000:09d}"

    def batch(self, start: int, stop: int) -> Batch:
        out = Batch()
        for i in range(start, stop):
            self._company(i, out)
        return out

    def _kvk(self, i: int) -> str:
        return str(random.Random(self.seed * 7_919 + i * 2 + 1).randrange(10_000_000, 100_000_000))

    def _uuid(self, rng: random.Random) -> UUID:
        return UUID(int=rng.getrandbits(128), version=4)

    def _company(self, i: int, out: Batch) -> None:
        rng = random.Random(self.seed * 1_000_003 + i)
        p = self.pools
        sector = rng.choices(self.sectors, self.sector_weights)[0]
        place, region = rng.choice(p.places)
        name = rng.choice(NAME_PATTERNS[sector]).format(
            last=rng.choice(p.last), first=rng.choice(p.first), place=place, noun=rng.choice(NOUNS)
        )
        letters = rng.choice(_LETTERS) + rng.choice(_LETTERS)
        if letters in _BAD_POSTCODE_LETTERS:
            letters = "AB"
        postcode = f"{region}{rng.randrange(10, 100)} {letters}"
        house = str(rng.randrange(1, 250)) + (rng.choice("abc") if rng.random() < 0.08 else "")
        # One in seven shares its KvK number with the company before it (establishments of one organisation).
        kvk = self._kvk(i - 1 if i and rng.random() < 0.15 else i)
        company_id = self._uuid(rng)
        email = None if rng.random() < 0.1 else f"info@{_slug(name)}.nl"
        out.companies.append((company_id, kvk, self.establishment_number(i), name, rng.choice(p.streets), house,
                              postcode, place, sector.value, email))
        self._recognitions(rng, company_id, sector, out)

    def _recognitions(self, rng: random.Random, company_id: UUID, sector: Sector, out: Batch) -> None:
        count = rng.choices([n for n, _ in RECOGNITIONS_PER_COMPANY], [w for _, w in RECOGNITIONS_PER_COMPANY])[0]
        own = self.by_sector.get(sector) or self.all
        seen: set[tuple[str, str]] = set()
        for _ in range(count):
            entry = rng.choice(own if rng.random() < 0.9 else self.all)
            pathway = Pathway.BOL if rng.random() < 0.65 else Pathway.BBL
            if (entry.crebo, pathway) in seen:
                continue
            seen.add((entry.crebo, pathway))
            self._recognition(rng, company_id, entry, pathway, out)

    def _recognition(self, rng: random.Random, company_id: UUID, entry: CatalogueEntry, pathway: Pathway,
                     out: Batch) -> None:
        status = rng.choices(self.statuses, self.status_weights)[0]
        rid, today = self._uuid(rng), self.today
        periods: list[tuple[RecognitionStatus, date, date | None]]
        start = today - timedelta(days=rng.randrange(60, 15 * 365))
        granted: date | None = start
        due: date | None = None
        if status is RS.PENDING:
            granted = None
            periods = [(RS.PENDING, today - timedelta(days=rng.randrange(0, 60)), None)]
        elif status is RS.ACTIVE:
            periods = [(RS.ACTIVE, start, None)]
        else:
            change = start + timedelta(days=rng.randrange(30, (today - start).days))
            periods = [(RS.ACTIVE, start, change), (status, change, None)]
        if status in (RS.ACTIVE, RS.SUSPENDED) and granted is not None:
            due = granted + FOUR_YEARS * (1 + (today - granted).days // FOUR_YEARS.days)
        out.recognitions.append((rid, company_id, self.qualification_ids[entry.crebo], pathway.value, status.value,
                                 granted, due))
        for period_status, valid_from, valid_until in periods:
            out.periods.append(SeededPeriod(self._uuid(rng), rid, company_id, period_status, valid_from, valid_until,
                                            DECISION_FOR.get(period_status)))
