"""A synthetic but plausible mbo qualification catalogue (~600 crebo codes over SBB's eight sectors)."""

from __future__ import annotations

import random
from dataclasses import dataclass

from erkenning.companies.models import Sector

S = Sector

# Fields of work per sector; each yields qualifications at several levels.
FIELDS: dict[Sector, tuple[str, ...]] = {
    S.TECHNIEK_GEBOUWDE_OMGEVING: (
        "elektrotechniek", "installatietechniek", "timmeren", "metselen", "schilderen", "infratechniek",
        "koudetechniek", "werktuigbouwkunde", "mechatronica", "procestechniek", "tegelzetten", "stukadoren",
        "dakdekken", "bouwkunde", "lastechniek", "sanitaire techniek",
    ),
    S.MOBILITEIT_TRANSPORT_LOGISTIEK_MARITIEM: (
        "logistiek", "autotechniek", "tweewielertechniek", "bedrijfsautotechniek", "goederenvervoer",
        "havenoperaties", "binnenvaart", "vliegtuigonderhoud", "carrosseriebouw", "mobiele werktuigen",
        "personenvervoer",
    ),
    S.ZORG_WELZIJN_SPORT: (
        "zorg", "verpleging", "maatschappelijke zorg", "kinderopvang", "sport en bewegen", "pedagogisch werk",
        "apotheek", "tandartsassistentie", "doktersassistentie", "welzijn", "facilitaire dienstverlening",
        "ouderenzorg", "gehandicaptenzorg",
    ),
    S.HANDEL: (
        "verkoop", "retail", "groothandel", "e-commerce", "marketing", "inkoop", "winkelmanagement",
        "klantcontact", "vastgoed",
    ),
    S.ICT_CREATIEVE_INDUSTRIE: (
        "softwareontwikkeling", "netwerkbeheer", "ict-support", "mediavormgeving", "audiovisuele productie",
        "podium- en evenemententechniek", "fotografie", "grafische productie", "game development",
        "cybersecurity",
    ),
    S.VOEDSEL_GROEN_GASTVRIJHEID: (
        "bakkerij", "keuken", "bediening", "horeca", "recreatie", "hoveniersvak", "bloembinden",
        "veehouderij", "akkerbouw", "dierverzorging", "voedingsmiddelentechnologie", "slagerij", "gastheerschap",
    ),
    S.SPECIALISTISCH_VAKMANSCHAP: (
        "goudsmeden", "uurwerktechniek", "meubelmaken", "instrumentenbouw", "optiek",
        "orthopedische schoentechniek", "glastechniek", "restauratie", "haarverzorging", "schoonheidsverzorging",
    ),
    S.ZAKELIJKE_DIENSTVERLENING_VEILIGHEID: (
        "secretariaat", "juridische dienstverlening", "financiële administratie", "beveiliging", "schoonmaak",
        "HR-dienstverlening", "toerisme", "reizen", "bedrijfsadministratie", "veiligheid en vakmanschap",
    ),
}

# Level templates: how mbo qualifications tend to be named per level.
TEMPLATES: tuple[tuple[int, str], ...] = (
    (1, "Assistent {f}"),
    (2, "Medewerker {f}"),
    (2, "Basismedewerker {f}"),
    (3, "Vakkracht {f}"),
    (3, "Allround medewerker {f}"),
    (3, "Zelfstandig medewerker {f}"),
    (4, "Specialist {f}"),
    (4, "Middenkaderfunctionaris {f}"),
    (4, "Leidinggevende {f}"),
    (4, "Coördinator {f}"),
)

# A few real ones, for recognisability in demos.
KNOWN = (
    ("25180", "Kok", 2, S.VOEDSEL_GROEN_GASTVRIJHEID),
    ("25181", "Zelfstandig werkend kok", 3, S.VOEDSEL_GROEN_GASTVRIJHEID),
    ("25182", "Gespecialiseerd kok", 4, S.VOEDSEL_GROEN_GASTVRIJHEID),
    ("25491", "Verzorgende-IG", 3, S.ZORG_WELZIJN_SPORT),
    ("25655", "Mbo-Verpleegkundige", 4, S.ZORG_WELZIJN_SPORT),
)


@dataclass(frozen=True)
class CatalogueEntry:
    crebo: str
    name: str
    level: int
    sector: Sector


def catalogue(size: int = 600, seed: int = 1) -> list[CatalogueEntry]:
    """`size` qualifications with unique 5-digit crebo codes; the same for the same seed."""
    rng = random.Random(f"catalogue:{seed}")
    candidates = [(name, level, sector) for _, name, level, sector in KNOWN]
    for sector, fields in FIELDS.items():
        for f in fields:
            candidates += [(t.format(f=f), level, sector) for level, t in TEMPLATES]
    known = {name for _, name, _, _ in KNOWN}
    rest = [c for c in candidates if c[0] not in known]
    rng.shuffle(rest)
    chosen = [c for c in candidates if c[0] in known] + rest
    chosen = chosen[: max(size, 0)]
    taken = {crebo for crebo, *_ in KNOWN}
    codes = iter(c for c in rng.sample(range(20000, 30000), len(chosen) + len(taken)) if str(c) not in taken)
    by_name = {name: crebo for crebo, name, _, _ in KNOWN}
    entries = [
        CatalogueEntry(by_name.get(name) or str(next(codes)), name, level, sector) for name, level, sector in chosen
    ]
    return sorted(entries, key=lambda e: e.crebo)
