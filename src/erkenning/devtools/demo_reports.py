"""Demo reports for `erkenning dev`: one passed on by the demo school, one entered from a phone call; and the
demo school's reporting point."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID, uuid5

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.core import clock
from erkenning.reports.models import Channel, Ground, Report, ReportConfidential, ReportingPoint

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


async def ensure_reporting_point(session: AsyncSession, *, school_brin: str, school_id: UUID) -> None:
    """Idempotent: the demo school's own reporting point (not yet checked by SBB), for the report page."""
    if (await session.exec(select(ReportingPoint).where(ReportingPoint.brin == school_brin))).first() is None:
        session.add(ReportingPoint(
            brin=school_brin, school_name="ROC Demo", municipality="Utrecht", email="meldpunt@roc-demo.example",
            url="https://roc-demo.example/meldpunt", hours="Op schooldagen van 8.30 tot 17.00 uur",
            updated_by=school_id,
        ))
        await session.flush()
