"""The public question "where can I report?": by the student's school (BRIN code or part of its name) or by a
postcode, the school's reporting point (meldpunt) and the regional anti-discrimination agency (ADV), beside
reporting to SBB anonymously (Stagepact mbo: schools tell students they can always go outside the school)."""

from __future__ import annotations

import re

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.companies.schemas import POSTCODE_CORE, normalise_postcode
from erkenning.core.errors import ValidationFailed
from erkenning.core.fields import SPACE
from erkenning.reports.models import Adv, ReportingPoint
from erkenning.reports.places import municipality_of_postcode
from erkenning.reports.services.advs import AdvService
from erkenning.reports.structure_schemas import AdvPublic, ReportingPointPublic, WhereToReport, valid_brin

ADV_FALLBACK = "https://www.discriminatie.nl"
SBB_ANONYMOUS = "/api/v1/register/reports"
MOST_SCHOOLS = 20
POSTCODE_HELP = "a Dutch postcode: 1234 AB, or its 4 digits"
EITHER = "give either a school (BRIN code or name) or a postcode"
_PC4 = re.compile(r"^\s*[0-9]{4}\s*$")
# What `school` and `postcode` may be, as the API document states it: blank (as if left out), or at least two
# characters of a name (or a BRIN code); four digits, or a whole postcode.
SCHOOL_PATTERN = rf"^[{SPACE}]*$|^[{SPACE}]*[^{SPACE}\x00][^\x00]*[^{SPACE}\x00][{SPACE}]*$"
PLACE_PATTERN = rf"^[{SPACE}]*$|^[{SPACE}]*([0-9]{{4}}|{POSTCODE_CORE})[{SPACE}]*$"


def _like(text: str) -> str:
    """`text` as a LIKE pattern that matches it anywhere, with LIKE's own wildcards taken literally."""
    return "%" + re.sub(r"([\\%_])", r"\\\1", text) + "%"


def _postcode(value: str) -> str:
    if _PC4.fullmatch(value):
        return value.strip()
    try:
        return normalise_postcode(value)
    except ValueError:
        raise ValidationFailed([{"field": "postcode", "message": POSTCODE_HELP}]) from None


def _brin_or_none(value: str) -> str | None:
    try:
        return valid_brin(value)
    except ValueError:
        return None


class WhereToReportService:
    """Het meldpunt van de school en de regionale ADV."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _schools(self, school: str) -> list[ReportingPoint]:
        code = _brin_or_none(school)
        if code is not None:
            # An institution's code finds its locations' reporting points too (2 digits more).
            where = (col(ReportingPoint.brin) == code) if len(code) == 6 else col(ReportingPoint.brin).like(f"{code}%")
        else:
            where = col(ReportingPoint.school_name).ilike(_like(school))
        stmt = select(ReportingPoint).where(where).order_by(col(ReportingPoint.school_name)).limit(MOST_SCHOOLS)
        return list((await self.session.exec(stmt)).all())

    async def _in(self, municipality: str) -> list[ReportingPoint]:
        stmt = (select(ReportingPoint).where(func.lower(ReportingPoint.municipality) == municipality.lower())
                .order_by(col(ReportingPoint.school_name)).limit(MOST_SCHOOLS))
        return list((await self.session.exec(stmt)).all())

    async def find(self, *, school: str | None = None, postcode: str | None = None) -> WhereToReport:
        """Exactly one of `school` (a BRIN code or part of the school's name) and `postcode`.

        For a school: its reporting point(s); the ADV of its municipality when all found share one. For a
        postcode: the ADV of its municipality and the reporting points of the schools there.
        """
        school = (school or "").strip() or None
        postcode = (postcode or "").strip() or None
        if (school is None) == (postcode is None):
            raise ValidationFailed([{"field": "school", "message": EITHER}])
        if school is not None:
            if len(school) < 2:
                raise ValidationFailed([{"field": "school", "message": "at least 2 characters of the name"}])
            points = await self._schools(school)
            places = {p.municipality for p in points}
            municipality = places.pop() if len(places) == 1 else None
        else:
            assert postcode is not None
            municipality = municipality_of_postcode(_postcode(postcode))
            points = await self._in(municipality) if municipality else []
        adv = await AdvService(self.session).for_municipality(municipality) if municipality else None
        return WhereToReport(
            municipality=municipality, reporting_points=[ReportingPointPublic.of(p) for p in points],
            adv=_public(adv), adv_fallback=ADV_FALLBACK, sbb_anonymous=SBB_ANONYMOUS,
        )


def _public(adv: Adv | None) -> AdvPublic | None:
    if adv is None:
        return None
    return AdvPublic(name=adv.name, email=adv.email, phone=adv.phone, website=adv.website)
