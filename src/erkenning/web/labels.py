"""Dutch words for codes the pages show: roles, sectors, statuses, dates."""

from __future__ import annotations

from datetime import date, datetime

from erkenning import clock
from erkenning.auth.models import Role
from erkenning.companies.models import Sector
from erkenning.recognition.models import RecognitionStatus

ROLES = {
    Role.ADMIN: "Beheerder",
    Role.SENIOR_ADVISER: "Senior adviseur",
    Role.ADVISER: "Adviseur praktijkleren",
    Role.COMPANY: "Leerbedrijf",
    Role.SCHOOL: "School",
    Role.SYSTEM: "Systeem",
}

SECTORS = {
    Sector.TECHNIEK_GEBOUWDE_OMGEVING: "Techniek en gebouwde omgeving",
    Sector.MOBILITEIT_TRANSPORT_LOGISTIEK_MARITIEM: "Mobiliteit, transport, logistiek en maritiem",
    Sector.ZORG_WELZIJN_SPORT: "Zorg, welzijn en sport",
    Sector.HANDEL: "Handel",
    Sector.ICT_CREATIEVE_INDUSTRIE: "ICT en creatieve industrie",
    Sector.VOEDSEL_GROEN_GASTVRIJHEID: "Voedsel, groen en gastvrijheid",
    Sector.SPECIALISTISCH_VAKMANSCHAP: "Specialistisch vakmanschap",
    Sector.ZAKELIJKE_DIENSTVERLENING_VEILIGHEID: "Zakelijke dienstverlening en veiligheid",
}

# Status badges: (Dutch word, tone). The tone picks the colour; the word carries the meaning.
RECOGNITION_STATUSES = {
    RecognitionStatus.PENDING: ("in behandeling", "info"),
    RecognitionStatus.ACTIVE: ("erkend", "success"),
    RecognitionStatus.SUSPENDED: ("geschorst", "warning"),
    RecognitionStatus.WITHDRAWN: ("ingetrokken", "danger"),
    RecognitionStatus.LAPSED: ("vervallen", "neutral"),
    RecognitionStatus.REFUSED: ("geweigerd", "danger"),
}

AUDIT_RESULTS = {"success": "gelukt", "failure": "mislukt", "denied": "geweigerd", "not_found": "niet gevonden"}

_MONTHS = (
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
)


def long_date(value: date | datetime | None) -> str:
    """`3 maart 2026` (a moment is shown as its date in the Netherlands)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = clock.local(value).date()
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"


def date_time(value: datetime | None) -> str:
    """`3 maart 2026 14:05` in Dutch time."""
    if value is None:
        return ""
    local = clock.local(value)
    return f"{long_date(local.date())} {local:%H:%M}"


def number(value: int) -> str:
    """`250.000`: Dutch thousands separator."""
    return f"{value:,}".replace(",", ".")
