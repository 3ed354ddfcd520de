"""What the privacy statements say, from the code and the settings (GDPR art. 13), for every page that has one.

Who reads the confidential part comes from `reports.states.CONFIDENTIAL_READERS` (what `handles` lets
through), the purposes from the closed list every read is audited with (`ReadPurpose`), the terms from
the retention settings (`erkenning.retention.service`), the contact from `PRIVACY_CONTACT`. The sentences
are in `templates/macros/privacy.html` (a short statement beside a form) and `templates/public/privacy.html`
(the whole statement at /privacy); they hold no number or role of their own.
"""

from __future__ import annotations

from dataclasses import dataclass

from erkenning import vocabulary
from erkenning.core.settings import Settings
from erkenning.reports.models import ReadPurpose
from erkenning.reports.states import CONFIDENTIAL_READERS

PAGE = "/privacy"


def _months(n: int) -> str:
    return f"{n} maand" if n == 1 else f"{n} maanden"


def _years(n: int) -> str:
    return f"{n} jaar"


def readers() -> str:
    """The readers of the confidential part in words: "de adviseur … aan wie de melding is toegewezen en …"."""
    named = [
        f"alle {vocabulary.ROLE_PLURALS[role]}" if every
        else f"de {vocabulary.ROLES[role].lower()} aan wie de melding is toegewezen"
        for role, every in sorted(CONFIDENTIAL_READERS.items(), key=lambda item: item[1])
    ]
    return " en ".join([", ".join(named[:-1]), named[-1]] if len(named) > 1 else named)


@dataclass(frozen=True)
class Statement:
    readers: str
    purposes: tuple[str, ...]
    not_substantiated: str  # how long the confidential part of a report without investigation is kept
    referred: str
    investigated: str
    receipt: str
    contact: str
    page: str = PAGE


def statement(settings: Settings) -> Statement:
    return Statement(
        readers=readers(),
        purposes=tuple(vocabulary.term(p) for p in ReadPurpose),
        not_substantiated=_months(settings.retention_not_substantiated_months),
        referred=_months(settings.retention_referred_months),
        investigated=_years(settings.retention_investigated_years),
        receipt=_months(settings.retention_receipt_months),
        contact=settings.privacy_contact,
    )
