"""API shapes of the reporting structure: schools' reporting points (meldpunten), the regional ADVs, and the
public answer to "where can I report?". Input shapes forbid unknown fields and bound every value."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Self
from uuid import UUID

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.nl import brin as stdnum_brin

from erkenning.core import clock
from erkenning.core.fields import SPACE, TRIMMED
from erkenning.reports.models import Adv, ReportingPoint
from erkenning.reports.places import MUNICIPALITY_PATTERN, clean_municipality
from erkenning.reports.schemas import bounded_text

_INPUT = ConfigDict(extra="forbid", str_strip_whitespace=True)
LocalTime = Annotated[datetime, AfterValidator(clock.local)]
BRIN_PATTERN = r"^[0-9]{2}[A-Z]{2}([0-9]{2})?$"
BRIN_HELP = "BRIN code: 2 digits + 2 letters (+ 2 digits for a location)"


def valid_brin(value: str) -> str:
    """A BRIN code in its compact form (python-stdnum's `nl.brin`); refuses anything else."""
    try:
        return str(stdnum_brin.validate(value))
    except StdnumError:
        raise ValueError("a BRIN code is 2 digits and 2 letters, optionally followed by 2 digits") from None


def _https(value: str) -> str:
    if not value.lower().startswith("https://") or len(value) < 12 or any(c.isspace() for c in value):
        raise ValueError("an https:// address without spaces")
    return value


Municipality = Annotated[
    str, Field(min_length=2, max_length=100, pattern=MUNICIPALITY_PATTERN,
               description="the municipality (gemeente), e.g. Utrecht or 's-Gravenhage"),
    AfterValidator(clean_municipality),
]
Email = Annotated[str, Field(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
Phone = Annotated[str, Field(min_length=6, max_length=20, pattern=r"^\+?[0-9][0-9 ()-]{4,18}[0-9]$",
                             description="digits, spaces, ( ) and -, optionally starting with +")]
HTTPS_PATTERN = rf"^[{TRIMMED}]*[Hh][Tt][Tt][Pp][Ss]://[^{SPACE}\x00]{{4,}}[{TRIMMED}]*$"
HttpsUrl = Annotated[str, Field(max_length=500, json_schema_extra={"pattern": HTTPS_PATTERN}, description="https only"),
                     AfterValidator(_https)]


class _Reach(BaseModel):
    """How to reach it: at least one of e-mail, phone and website."""

    model_config = _INPUT

    email: Email | None = None
    phone: Phone | None = None

    def _reachable(self, url: str | None) -> None:
        if self.email is None and self.phone is None and url is None:
            raise ValueError("give at least one of email, phone and url/website")


class ReportingPointWrite(_Reach):
    """Een meldpunt as the school keeps it (a PUT replaces all of it)."""

    school_name: Annotated[str, *bounded_text(200)]
    municipality: Municipality
    url: HttpsUrl | None = None
    hours: Annotated[str, *bounded_text(500)] | None = Field(
        default=None, description="opening hours, or a note on how to reach it"
    )

    @model_validator(mode="after")
    def _check(self) -> Self:
        self._reachable(self.url)
        return self


class ReportingPointPublic(BaseModel):
    """What students see of a school's reporting point."""

    brin: str
    school_name: str
    municipality: str
    email: str | None
    phone: str | None
    url: str | None
    hours: str | None
    checked: bool = Field(description="SBB checked this version")

    @classmethod
    def of(cls, point: ReportingPoint) -> Self:
        return cls(brin=point.brin, school_name=point.school_name, municipality=point.municipality,
                   email=point.email, phone=point.phone, url=point.url, hours=point.hours,
                   checked=point.checked_at is not None)


class ReportingPointRead(ReportingPointPublic):
    """The school's and SBB's view: with the version a check must name, and who checked it when."""

    version: int
    updated_at: LocalTime
    checked_at: LocalTime | None
    checked_by: UUID | None

    @classmethod
    def of(cls, point: ReportingPoint) -> Self:
        return cls(**ReportingPointPublic.of(point).model_dump(), version=point.version,
                   updated_at=point.updated_at, checked_at=point.checked_at, checked_by=point.checked_by)


class ReportingPointCheck(BaseModel):
    """SBB checked the reporting point as it read it: the version it read (a newer edit makes the check 409)."""

    model_config = _INPUT

    version: int = Field(ge=1, le=1_000_000)


class AdvWrite(_Reach):
    """An anti-discrimination agency (ADV) and every municipality it covers (a PUT replaces the list)."""

    name: Annotated[str, *bounded_text(200)]
    website: HttpsUrl | None = None
    source: Annotated[str, *bounded_text(500)] = Field(description="where the entry comes from, and when checked")
    municipalities: list[Municipality] = Field(min_length=1, max_length=100)

    @model_validator(mode="after")
    def _check(self) -> Self:
        self._reachable(self.website)
        lowered = [m.lower() for m in self.municipalities]
        if len(set(lowered)) != len(lowered):
            raise ValueError("a municipality is named twice")
        return self


class AdvRead(BaseModel):
    id: UUID
    name: str
    email: str | None
    phone: str | None
    website: str | None
    source: str
    municipalities: list[str]
    updated_at: LocalTime

    @classmethod
    def of(cls, adv: Adv, municipalities: list[str]) -> Self:
        return cls(id=adv.id, name=adv.name, email=adv.email, phone=adv.phone, website=adv.website,
                   source=adv.source, municipalities=sorted(municipalities), updated_at=adv.updated_at)


class AdvPublic(BaseModel):
    name: str
    email: str | None
    phone: str | None
    website: str | None


class WhereToReport(BaseModel):
    """Where a student can report: the school's reporting point(s), the regional ADV, and SBB anonymously."""

    municipality: str | None = Field(description="the municipality the school or postcode is in, when known")
    reporting_points: list[ReportingPointPublic] = Field(
        description="the school's reporting point; for a postcode, those of the schools in its municipality"
    )
    adv: AdvPublic | None = Field(description="the regional anti-discrimination agency, when known")
    adv_fallback: str = Field(description="where to find the ADV when none is known here")
    sbb_anonymous: str = Field(description="the API route to report to SBB anonymously")


class SchoolWithout(BaseModel):
    """A school known to the service (a school token, or reports it passed on) without a reporting point."""

    brin: str
    has_token: bool = Field(description="an active principal with a school token holds this BRIN")
    reports_passed_on: int


class ReportingPointCoverage(BaseModel):
    """The Stagepact indicator of the reporting structure: how many known schools registered a reporting point."""

    schools_known: int
    with_reporting_point: int
    checked: int
    without: list[SchoolWithout]
