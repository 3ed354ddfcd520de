"""Receiving reports: from a school's reporting point, entered by an adviser, or anonymously with a receipt."""

from __future__ import annotations

import hashlib
import re
import secrets
from typing import Any
from uuid import UUID

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.companies.models import Company
from erkenning.core import clock
from erkenning.core.audit import service as audit
from erkenning.core.caller import Caller
from erkenning.core.errors import NotFound, ValidationFailed
from erkenning.core.logging import get_logger
from erkenning.reports.models import ADVISER_CHANNELS, Channel, Report, ReportConfidential
from erkenning.reports.schemas import (
    AdviserReportCreate,
    AnonymousReportCreate,
    CompanyGiven,
    CompanyGivenByStaff,
    SchoolReportCreate,
    _ReportFacts,
)

log = get_logger(__name__)

# The public intake acts as nobody: no principal, and (see controllers) no address either.
ANONYMOUS = Caller.system("anonymous-report")

# Crockford's base32: no I, L, O or U, so a code read aloud or retyped survives.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_RECEIPT_CHARS = 20  # 100 bits: not guessable, even at the lookup's rate limit
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})


def new_receipt() -> str:
    """A fresh receipt code, grouped for reading: XXXX-XXXX-XXXX-XXXX-XXXX."""
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(_RECEIPT_CHARS))
    return "-".join(raw[i : i + 4] for i in range(0, _RECEIPT_CHARS, 4))


def receipt_hash(code: str) -> str:
    """The stored form of a receipt code; tolerant of case, dashes, spaces and O/0, I/L/1 mix-ups."""
    normal = re.sub(r"[\s-]", "", code).upper().translate(_LOOKALIKES)
    return hashlib.sha256(normal.encode()).hexdigest()


async def match_company(session: AsyncSession, given: CompanyGiven) -> UUID | None:
    """The company the identifiers point at without doubt, or None (an adviser matches it later).

    An establishment number or SBB id is unique; a KvK number is used only when one establishment
    has it. A name alone is never matched automatically.
    """
    if isinstance(given, CompanyGivenByStaff) and given.company_id is not None:
        if await session.get(Company, given.company_id) is None:
            raise ValidationFailed([{"field": "company.company_id", "message": "no such company"}])
        return given.company_id
    unique_keys = ((Company.establishment_number, given.establishment_number), (Company.sbb_id, given.sbb_id))
    for column, value in unique_keys:
        if value:
            found = (await session.exec(select(Company.id).where(column == value))).first()
            if found is not None:
                return found
    if given.kvk_number:
        stmt = select(Company.id).where(Company.kvk_number == given.kvk_number).limit(2)
        found_ids = (await session.exec(stmt)).all()
        if len(found_ids) == 1:
            return found_ids[0]
    return None


class ReportIntake:
    """Takes reports in; each arrives in status `received`, unassigned."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def from_school(self, data: SchoolReportCreate, caller: Caller) -> Report:
        assert caller.school_brin is not None  # the route admits school callers only
        return await self._receive(
            data, caller, Channel.SCHOOL_REPORTING_POINT,
            school_brin=caller.school_brin, school_reference=data.school_reference,
        )

    async def from_adviser(self, data: AdviserReportCreate, caller: Caller) -> Report:
        if data.channel not in ADVISER_CHANNELS:
            allowed = ", ".join(c.value for c in ADVISER_CHANNELS)
            raise ValidationFailed([{"field": "channel", "message": f"one of {allowed}"}])
        return await self._receive(data, caller, data.channel, received_on=data.received_on or clock.today())

    async def anonymous(self, data: AnonymousReportCreate) -> tuple[Report, str]:
        """The report and its receipt code (shown once; only its hash is kept)."""
        code = new_receipt()
        report = await self._receive(data, ANONYMOUS, Channel.PUBLIC_FORM, receipt_hash=receipt_hash(code))
        return report, code

    async def status_by_receipt(self, code: str) -> Report:
        report = (await self.session.exec(select(Report).where(Report.receipt_hash == receipt_hash(code)))).first()
        if report is None:
            raise NotFound("No report with this receipt code")
        return report

    async def _receive(self, data: _ReportFacts, caller: Caller, channel: Channel, **extra: Any) -> Report:
        given = data.company
        report = Report(
            channel=channel,
            company_id=await match_company(self.session, given),
            company_name_given=given.name,
            company_kvk_given=given.kvk_number,
            company_establishment_given=given.establishment_number,
            company_sbb_id_given=given.sbb_id,
            ground=data.ground,
            incident_date=data.incident_date,
            crebo=data.crebo,
            summary=data.summary,
            **extra,
        )
        self.session.add(report)
        confidential = getattr(data, "confidential", None)
        given_text = confidential.model_dump(exclude_none=True) if confidential is not None else {}
        has_confidential = bool(given_text)
        if has_confidential:
            self.session.add(ReportConfidential(report_id=report.id, **given_text))
        await self.session.flush()
        await audit.record(
            self.session, caller, "report.received", report,
            detail={
                "channel": channel.value, "matched": report.company_id is not None, "confidential": has_confidential,
            },
        )
        log.info("report.received", report_id=str(report.id), channel=channel.value)
        return report

