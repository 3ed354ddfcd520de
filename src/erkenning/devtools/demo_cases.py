"""Demo investigations for `erkenning dev`: a company at each stage a newcomer should be able to open.

Built through the services, as advisers would, so the timeline, deadlines and audit trail are real:

- the phone report about an unknown garage: assigned to the demo adviser and being assessed (beoordeling);
- Garagebedrijf Hoekstra: a substantiated report opened a case, which waits for the company's side
  (hoor en wederhoor, with its answer term);
- Kinderopvang Het Speelhuis: a case just opened, on the demo adviser's worklist.

The intended decision, the sent suspension and the draft grant are the demo company's own
(`demo_recognition`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID, uuid5

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.companies.models import Company, Sector
from erkenning.core import clock
from erkenning.core.caller import Caller, Role
from erkenning.core.settings import Settings
from erkenning.reports.models import Channel, Ground, Report, ReportConfidential, ReportStatus
from erkenning.reports.services.reports import ReportService
from erkenning.workflows.models import InvestigationReport
from erkenning.workflows.services.investigations import InvestigationService

_NS = UUID("5a0c2f4e-8d71-4f0b-b6a3-2e9d7c1f4a52")

HEARING_QUESTION = (
    "Een student meldt dat hij na het kennismakingsgesprek werd afgewezen met de opmerking dat klanten "
    "'liever een Nederlandse monteur' zien. Wilt u uw kant van het verhaal geven: hoe verliep de selectie, "
    "en wie besliste over deze stageplaats?"
)


@dataclass(frozen=True)
class DemoCompany:
    key: str
    name: str
    kvk: str
    city: str
    postcode: str
    sector: Sector
    email: str

    @property
    def id(self) -> UUID:
        return uuid5(_NS, self.key)

    def row(self) -> Company:
        return Company(
            id=self.id, kvk_number=self.kvk, establishment_number=f"0000{self.kvk}", name=self.name,
            street="Industrieweg", house_number="7", postcode=self.postcode, city=self.city, sector=self.sector,
            email=self.email,
        )


GARAGE = DemoCompany("garage-hoekstra", "Garagebedrijf Hoekstra", "45678901", "Amersfoort", "3812 AA",
                     Sector.MOBILITEIT_TRANSPORT_LOGISTIEK_MARITIEM, "werkplaats@garagehoekstra.example")
CARE = DemoCompany("kinderopvang-het-speelhuis", "Kinderopvang Het Speelhuis", "56789012", "Zwolle", "8011 AB",
                   Sector.ZORG_WELZIJN_SPORT, "hr@hetspeelhuis.example")


async def ensure(session: AsyncSession, settings: Settings, people: dict[str, UUID], *, phone_report: UUID) -> None:
    """Idempotent: does nothing for a stage that is already there."""
    adviser = Caller(principal_id=people["adviser"], role=Role.ADVISER, name="demo adviser")
    reports = ReportService(session)
    phone = await session.get(Report, phone_report)
    if phone is not None and phone.status is ReportStatus.RECEIVED:
        await reports.assign(phone.id, people["adviser"], adviser)
        await reports.start_triage(phone.id, adviser)

    cases = InvestigationService(session, settings)
    for company, ground, summary, hearing in (
        (GARAGE, Ground.ETHNICITY, "Stagiair afgewezen na kennismaking; opmerking over afkomst", True),
        (CARE, Ground.DISABILITY, "Stage beëindigd na melding van een chronische ziekte", False),
    ):
        report_id = uuid5(_NS, f"report:{company.id}")
        if await session.get(Report, report_id) is not None:
            continue
        if await session.get(Company, company.id) is None:
            session.add(company.row())
        report = Report(
            id=report_id, channel=Channel.PHONE, company_id=company.id, ground=ground,
            incident_date=clock.today() - timedelta(days=21), summary=summary,
        )
        session.add(report)
        await session.flush()
        session.add(ReportConfidential(
            report_id=report.id, reporter_name="Demo Melder", reporter_contact="melder@example.org",
            narrative="(Synthetisch voorbeeld) Wat de student aan de telefoon vertelde.",
        ))
        await reports.assign(report.id, people["adviser"], adviser)
        await reports.start_triage(report.id, adviser)
        await reports.substantiate(report.id, adviser, reason="Concreet en herleidbaar; past bij een eerdere melding.")
        # The worker would open the case from the outbox event; opening it here is the same (idempotent) step.
        case = await cases.open_for_report(report.id, company.id)
        if hearing:
            await cases.request_hearing(case.id, adviser, HEARING_QUESTION)


async def case_of(session: AsyncSession, company: DemoCompany) -> UUID | None:
    """The demo case of a demo company (for tests and the banner)."""
    link = (
        await session.exec(
            select(InvestigationReport.investigation_id).where(
                InvestigationReport.report_id == uuid5(_NS, f"report:{company.id}")
            )
        )
    ).first()
    return link
