"""Demo reports for `erkenning dev`: one passed on by the demo school, one entered from a phone call."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID, uuid5

from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.core import clock
from erkenning.reports.models import Channel, Ground, Report, ReportConfidential

_NS = UUID("0d1b5a9e-3c55-4b8e-9f7e-6a2f1c0b7d11")
PHONE_REPORT_ID = uuid5(_NS, "phone")


async def ensure_reports(session: AsyncSession, *, company_id: UUID, school_brin: str) -> None:
    """Idempotent: adds the demo reports once (synthetic text only)."""
    demo = (
        Report(
            id=uuid5(_NS, "school"), channel=Channel.SCHOOL_REPORTING_POINT, school_brin=school_brin,
            school_reference="MP-DEMO-1", company_id=company_id, ground=Ground.ETHNICITY,
            incident_date=clock.today() - timedelta(days=14), crebo="25180",
            summary="Stagiair na kennismaking afgewezen; reden volgens de student: achternaam",
        ),
        Report(
            id=PHONE_REPORT_ID, channel=Channel.PHONE, company_name_given="Garagebedrijf Onbekend",
            ground=Ground.RELIGION, incident_date=clock.today() - timedelta(days=30),
            summary="Opmerkingen over hoofddoek tijdens de stage",
        ),
    )
    for report in demo:
        if await session.get(Report, report.id) is None:
            session.add(report)
            await session.flush()
            session.add(ReportConfidential(
                report_id=report.id, reporter_name="Demo Melder", reporter_contact="melder@example.org",
                narrative="(Synthetisch voorbeeld) Het verhaal van de student in eigen woorden.",
            ))
    await session.flush()
