"""Demo investigations for `erkenning dev`: a company at each stage a newcomer should be able to open.

Built through the services, as advisers would, so the timeline, deadlines and audit trail are real:

- the phone report about an unknown garage: assigned to the demo adviser and being assessed (beoordeling);
- Garagebedrijf Hoekstra: a substantiated report opened a case, which waits for the company's side
  (hoor en wederhoor, with its answer term);
- Kinderopvang Het Speelhuis: a case just opened, on the demo adviser's worklist;
- Schoonmaakbedrijf Glans: a case that heard the company, proposed a suspension that a senior adviser
  approved, put it to the company as an intended decision (art. 4:8 Awb), took the decision after the
  company's response and sent it; the company's objection (received on paper) is pending.

The intended decision, the sent suspension and the draft grant are the demo company's own
(`demo_recognition`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID, uuid5

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.companies.models import Company, Sector
from erkenning.core import clock
from erkenning.core.caller import Caller, Role
from erkenning.core.settings import Settings
from erkenning.devtools import demo_recognition as recognition_demo
from erkenning.letters import RENDERER
from erkenning.recognition.models import Pathway
from erkenning.recognition.schemas import RecognitionCreate
from erkenning.recognition.services.decisions import DecisionService
from erkenning.recognition.services.objections import ObjectionService
from erkenning.recognition.services.recognitions import RecognitionService
from erkenning.reports.models import Channel, Ground, Report, ReportConfidential, ReportStatus
from erkenning.reports.services.reports import ReportService
from erkenning.workflows import closing
from erkenning.workflows.models import InvestigationReport, Outcome
from erkenning.workflows.services.investigations import InvestigationService, Proposal

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
CLEANING = DemoCompany("schoonmaakbedrijf-glans", "Schoonmaakbedrijf Glans", "67890123", "Rotterdam", "3011 AA",
                       Sector.ZAKELIJKE_DIENSTVERLENING_VEILIGHEID, "planning@glans.example")
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
        (CLEANING, Ground.ETHNICITY, "Twee studenten afgewezen na opmerking over afkomst", True),
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
        if company is CLEANING:
            await suspended_with_objection(session, settings, people, case.id, company)


async def suspended_with_objection(
    session: AsyncSession, settings: Settings, people: dict[str, UUID], case_id: UUID, company: DemoCompany
) -> None:
    """From a case waiting for the company's side to a sent suspension with an objection pending, each step
    through the service that does it (the worker's step, carrying out the approved proposal, included)."""
    adviser = Caller(principal_id=people["adviser"], role=Role.ADVISER, name="demo adviser")
    senior = Caller(principal_id=people["senior"], role=Role.SENIOR_ADVISER, name="demo senior")
    senior2 = Caller(principal_id=people["senior2"], role=Role.SENIOR_ADVISER, name="demo senior 2")
    recognition = await RecognitionService(session).apply(
        RecognitionCreate(company_id=company.id, crebo="25180", pathway=Pathway.BOL, applied_on=date(2021, 5, 3)),
        adviser,
    )
    await recognition_demo.grant_after_visit(session, settings, adviser, [recognition.id],
                                             "Bezoek: aan de criteria voldaan.", date(2021, 6, 1))
    cases = InvestigationService(session, settings)
    await cases.answer_hearing(case_id, adviser, "(Telefonisch) De eigenaar ontkent; de afwijzing lag aan het rooster.")
    starts = clock.today() + timedelta(days=28)
    await cases.propose(case_id, adviser, Proposal(
        outcome=Outcome.SUSPENSION, recognition_ids=(recognition.id,), effective_from=starts,
        effective_until=starts + timedelta(days=90), placements_until=starts + timedelta(days=60),
        findings="Twee studenten werden afgewezen na een opmerking over hun afkomst; het bedrijf gaf geen "
                 "andere reden die het rooster verklaart.",
    ))
    await cases.approve(case_id, senior)
    await closing.carry_out(session, settings, RENDERER, case_id)
    case = await cases.get(case_id, senior)
    assert case.decision_id is not None, "the approved suspension became no intended decision"
    decisions = DecisionService(session, settings, RENDERER)
    await decisions.record_response(case.decision_id, "Wij zijn het er niet mee eens; zie ons rooster.", adviser)
    await decisions.approve(case.decision_id, senior2, response_read=True)
    await decisions.send(case.decision_id, senior2)
    await ObjectionService(session, settings, RENDERER).file(
        case.decision_id, "Het bedrijf betwist de feiten en vraagt om een hoorzitting.", adviser,
        received_on=clock.today(),
    )


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
