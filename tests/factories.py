"""The makers of test data, each once: principals with real tokens, companies, qualifications and recognitions,
decisions, courses and participations, reports, cases, tasks and deliveries, and rows of CSV files.

Most go through the services (as the API would, with audit rows and outbox events); a few write rows
directly where the suite is about reading them (`make_recognition`'s dated periods, `make_delivery`).
The `post_*` makers and the report makers go through the API as their caller, and return its JSON.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from uuid import UUID, uuid4

import httpx
from sqlmodel import select

from erkenning.companies.models import Company
from erkenning.companies.schemas import CompanyCreate
from erkenning.companies.service import CompanyService
from erkenning.core import clock
from erkenning.core.auth.service import AuthService
from erkenning.core.caller import Caller, Role
from erkenning.core.errors import NotFound
from erkenning.core.runtime import Runtime
from erkenning.core.settings import Settings
from erkenning.letters import RENDERER
from erkenning.recognition import assessed as assessed_criteria
from erkenning.recognition.criteria import NON_DISCRIMINATION, CriterionResult
from erkenning.recognition.criteria_schemas import AssessmentCreate, AssessmentItemCreate, AssessmentRead
from erkenning.recognition.models import Pathway, Recognition, RecognitionPeriod, RecognitionStatus
from erkenning.recognition.schemas import DecisionCreate, QualificationCreate, RecognitionCreate
from erkenning.recognition.services.criteria import AssessmentService
from erkenning.recognition.services.decisions import DecisionService
from erkenning.recognition.services.qualifications import QualificationService
from erkenning.recognition.services.recognitions import RecognitionService
from erkenning.register.models import Channel, Delivery, DeliveryStatus, Subscription
from erkenning.reports.models import Channel as ReportChannel
from erkenning.reports.models import Report
from erkenning.reports.schemas import AdviserReportCreate
from erkenning.reports.services.intake import ReportIntake
from erkenning.training.schemas import CourseCreate, EnrolmentCreate, SessionCreate
from erkenning.training.services.catalogue import CatalogueService
from erkenning.training.services.participations import ParticipationService
from erkenning.workflows.models import AdviserTask, Investigation, InvestigationReport, InvestigationStatus
from erkenning.workflows.services.investigations import InvestigationService
from tests.helpers import (
    CASES,
    PUBLIC_REPORTS,
    REPORTS,
    SCHOOL_REPORTS,
    TRAINING,
    act,
    company_email,
    drain_queue,
    substantiate,
)

# ---------------------------------------------------------------- principals and companies


SYSTEM = Caller.system("tests")


@dataclass
class Principal:
    """A principal as the tests hold it: its id, role and binding, and its token in plain text."""

    id: UUID
    role: Role
    token: str
    company_id: UUID | None = None
    school_brin: str | None = None

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


class TokenFactory:
    """Principals of any role with real tokens, created through the service (as the admin API does)."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    async def make(
        self,
        role: Role,
        *,
        name: str | None = None,
        email: str | None = None,
        company_id: UUID | None = None,
        school_brin: str | None = None,
    ) -> Principal:
        if role is Role.COMPANY and company_id is None:
            company_id = (await make_company(self.runtime)).id
        async with self.runtime.transaction() as session:
            service = AuthService(session, self.runtime.settings)
            principal = await service.create_principal(
                SYSTEM, name=name or f"test {role.value}", role=role, email=email,
                company_id=company_id, school_brin=school_brin,
            )
            issued = await service.issue_token(SYSTEM, principal.id)
        return Principal(principal.id, role, issued.plaintext, company_id, school_brin)


_company_counter = itertools.count(1)


async def make_company(runtime: Runtime, **fields: Any) -> Company:
    """A valid company with unique identifiers; `fields` override any of them."""
    n = next(_company_counter)
    data = {
        "kvk_number": f"{30000000 + n:08d}",
        "establishment_number": f"{900000000000 + n:012d}",
        "name": f"Testbedrijf {n}",
        "postcode": "3511 AB",
        "city": "Utrecht",
        "sector": "handel",
        "email": f"bedrijf{n}@example.org",
    }
    data.update(fields)
    async with runtime.transaction() as session:
        return await CompanyService(session).create(CompanyCreate(**data), SYSTEM)


def as_caller(principal: Principal) -> Caller:
    return Caller(
        principal_id=principal.id,
        role=principal.role,
        name=f"test {principal.role.value}",
        company_id=principal.company_id,
    )


# ---------------------------------------------------------------- qualifications, recognitions, decisions


async def make_qualification(
    runtime: Runtime, crebo: str = "25180", name: str = "Kok", level: int = 2, *, caller: Caller = SYSTEM
) -> UUID:
    """The qualification with this crebo, added to the catalogue by `caller` if it is not there yet."""
    async with runtime.transaction() as session:
        service = QualificationService(session)
        try:
            return (await service.by_crebo(crebo)).id
        except NotFound:
            return (await service.create(QualificationCreate(crebo=crebo, name=name, level=level), caller)).id


@dataclass
class World:
    """People with tokens, one company (with its own portal account) and helpers to build history."""

    runtime: Runtime
    adviser: Principal
    senior: Principal
    senior2: Principal
    admin: Principal
    company: Principal  # the company's portal account; company.company_id is the company

    @property
    def company_id(self) -> UUID:
        assert self.company.company_id is not None
        return self.company.company_id

    async def email(self) -> str:
        return await company_email(self.runtime, self.company_id)

    async def company_row(self) -> Company:
        async with self.runtime.session_factory() as session:
            company = await session.get(Company, self.company_id)
        assert company is not None
        return company

    async def qualification(self, crebo: str = "25180", name: str = "Kok", level: int = 2) -> UUID:
        return await make_qualification(self.runtime, crebo, name, level, caller=as_caller(self.admin))

    async def application(
        self,
        crebo: str = "25180",
        pathway: Pathway = Pathway.BOL,
        *,
        company_id: UUID | None = None,
        applied_on: date | None = None,
        assessed: bool = True,
    ) -> UUID:
        """An application; `assessed`: with an assessment that finds every criterion met (a grant needs one)."""
        await self.qualification(crebo)
        async with self.runtime.transaction() as session:
            read = await RecognitionService(session).apply(
                RecognitionCreate(
                    company_id=company_id or self.company_id,
                    crebo=crebo,
                    pathway=pathway,
                    applied_on=applied_on,
                ),
                as_caller(self.adviser),
            )
        if assessed:
            await self.assess(read.id)
        return read.id

    async def assess(
        self, recognition_id: UUID, results: dict[str, CriterionResult] | None = None, *, on: date | None = None
    ) -> AssessmentRead:
        """An assessment of the criteria in force through the service: every criterion met unless `results`
        (code -> result) says otherwise; a criterion not in `results` then is not assessed."""
        async with self.runtime.transaction() as session:
            if results is None:
                listed = await assessed_criteria.in_force(session, on or clock.today())
                criteria = await assessed_criteria.criteria_of(session, listed.id)
                results = {c.code: CriterionResult.MET for c in criteria}
            data = AssessmentCreate(
                assessed_on=on,
                items=[AssessmentItemCreate(code=code, result=result, note=f"Bezoek: {result.value}")
                       for code, result in results.items()],
            )
            return await AssessmentService(session, self.runtime.settings).record(
                recognition_id, data, as_caller(self.adviser)
            )

    async def decide(self, kind: str, recognition_ids: list[UUID], **fields: Any) -> UUID:
        """Draft, approve and send a decision through the services, as people would: a harmful kind is first
        put to the company, which responds; the approver confirms having read the response."""
        body = {"grounds": "Bezoek op locatie.", "legal_basis": "art. 7.2.10 WEB", **with_placements(kind, fields)}
        async with self.runtime.transaction() as session:
            service = DecisionService(session, self.runtime.settings, RENDERER)
            decision = await service.draft(
                DecisionCreate(kind=kind, recognition_ids=recognition_ids, **body), as_caller(self.adviser)
            )
            harmful = kind in {"refuse", "impose_conditions", "suspend", "withdraw"}
            if harmful:
                await service.intend(decision.id, as_caller(self.adviser))
                await service.record_response(decision.id, "Wij hebben geen bezwaar.", as_caller(self.adviser))
            await service.approve(decision.id, as_caller(self.senior), response_read=harmful)
            await service.send(decision.id, as_caller(self.senior))
        return decision.id

    async def granted(
        self,
        crebo: str = "25180",
        pathway: Pathway = Pathway.BOL,
        *,
        on: date | None = None,
        company_id: UUID | None = None,
    ) -> UUID:
        """A recognition granted on `on` (default today), applied for that same day."""
        on = on or clock.today()
        recognition_id = await self.application(crebo, pathway, company_id=company_id, applied_on=on)
        await self.decide("grant", [recognition_id], effective_from=on)
        return recognition_id


async def intended_withdrawal(world: World, recognition_id: UUID) -> str:
    """An intended withdrawal (voornemen, art. 4:8 Awb) with a transition arrangement, put to the company
    through the services; its id."""
    async with world.runtime.transaction() as session:
        service = DecisionService(session, world.runtime.settings, RENDERER)
        decision = await service.draft(
            DecisionCreate(kind="withdraw", recognition_ids=[recognition_id], grounds="Geen praktijkopleider meer.",
                           legal_basis="art. 7.2.10 WEB", placements_until=clock.today() + timedelta(days=60),
                           criterion_code="workplace_trainer"),
            as_caller(world.adviser),
        )
        await service.intend(decision.id, as_caller(world.adviser))
    return str(decision.id)


async def build_world(runtime: Runtime, tokens: TokenFactory) -> World:
    return World(
        runtime=runtime,
        adviser=await tokens.make(Role.ADVISER, email="adviseur@sbb.example"),
        senior=await tokens.make(Role.SENIOR_ADVISER, email="senior@sbb.example"),
        senior2=await tokens.make(Role.SENIOR_ADVISER, email="senior2@sbb.example"),
        admin=await tokens.make(Role.ADMIN),
        company=await tokens.make(Role.COMPANY),
    )


def with_placements(kind: str, fields: dict[str, Any]) -> dict[str, Any]:
    """A suspension or withdrawal states its transition arrangement (here two months after it applies) and the
    criterion no longer met (here non-discrimination)."""
    if kind not in {"suspend", "withdraw"}:
        return fields
    fields = {"criterion_code": NON_DISCRIMINATION, **fields}
    if "placements_until" in fields:
        return fields
    start = fields.get("effective_from") or clock.today()
    start = date.fromisoformat(start) if isinstance(start, str) else start
    return {**fields, "placements_until": (start + timedelta(days=60)).isoformat()}


def decision_body(kind: str, recognition_ids: list[UUID], **fields: Any) -> dict[str, Any]:
    return {
        "kind": kind,
        "recognition_ids": [str(r) for r in recognition_ids],
        "grounds": "Zie het bezoekverslag.",
        "legal_basis": "art. 7.2.10 WEB",
        **with_placements(kind, fields),
    }


Period = tuple[RecognitionStatus, date, date | None]

# The story every verify test tells: suspended for three months, reinstated, withdrawn with a
# transition period (future-dated). The status column says `active` throughout: it must not matter.
SUSPENSION_AND_WITHDRAWAL: list[Period] = [
    (RecognitionStatus.ACTIVE, date(2024, 1, 1), date(2026, 3, 1)),
    (RecognitionStatus.SUSPENDED, date(2026, 3, 1), date(2026, 6, 1)),
    (RecognitionStatus.ACTIVE, date(2026, 6, 1), date(2027, 1, 1)),
    (RecognitionStatus.WITHDRAWN, date(2027, 1, 1), None),
]


async def make_recognition(
    runtime: Runtime,
    company: Company,
    periods: list[Period],
    *,
    crebo: str = "25180",
    qualification: str = "Kok",
    level: int = 2,
    pathway: Pathway = Pathway.BOL,
    status: RecognitionStatus = RecognitionStatus.ACTIVE,
) -> Recognition:
    """A recognition with exactly these periods, written directly (decisions are not this suite's)."""
    qualification_id = await make_qualification(runtime, crebo, qualification, level)
    async with runtime.transaction() as session:
        recognition = Recognition(
            company_id=company.id, qualification_id=qualification_id, pathway=pathway, status=status
        )
        session.add(recognition)
        await session.flush()
        for period_status, start, end in periods:
            session.add(
                RecognitionPeriod(
                    recognition_id=recognition.id, status=period_status, during=RecognitionPeriod.range(start, end)
                )
            )
    return recognition


# ---------------------------------------------------------------- courses and participations


STAFF = Caller(principal_id=None, role=Role.ADMIN, name="tests")
_codes = itertools.count(1)


async def make_course(runtime: Runtime, **fields: Any) -> UUID:
    """A course in the catalogue, made through the service."""
    n = next(_codes)
    body = {"code": f"WEB-{n:04d}", "title": f"Werven zonder vooroordelen {n}", "format": "workshop",
            "topics": ["discrimination_free_recruitment"], "duration_minutes": 180, **fields}
    async with runtime.transaction() as session:
        return (await CatalogueService(session).create_course(CourseCreate(**body), SYSTEM)).id


async def make_session(runtime: Runtime, course_id: UUID, *, capacity: int = 10, days: int = 10) -> UUID:
    """A session of the course in `days` days, made through the service."""
    starts = (clock.now() + timedelta(days=days)).replace(microsecond=0)
    data = SessionCreate(starts_at=starts, ends_at=starts + timedelta(hours=3), location="SBB, Zoetermeer",
                         capacity=capacity)
    async with runtime.transaction() as session:
        return (await CatalogueService(session).create_session(course_id, data, SYSTEM)).id


async def enrol_company(runtime: Runtime, company_id: UUID, **target: UUID) -> UUID:
    """Enrol a company (in `session_id=` or e-learning `course_id=`) as staff would; the participation's id."""
    async with runtime.transaction() as session:
        enrolment = await ParticipationService(session).enrol(STAFF, EnrolmentCreate(**target), company_id=company_id)
    return enrolment.participation.id


async def completed_participation(
    runtime: Runtime, *, company_name: str = "Kapsalon Knip", course_title: str = "Werven zonder vooroordelen",
    company_id: UUID | None = None,
) -> str:
    """A completed e-learning with its certificate; returns the certificate code."""
    if company_id is None:
        company_id = (await make_company(runtime, name=company_name)).id
    course_id = await make_course(runtime, title=course_title, format="e_learning")
    participation_id = await enrol_company(runtime, company_id, course_id=course_id)
    async with runtime.transaction() as session:
        done = await ParticipationService(session).complete(participation_id, STAFF)
    code = done.participation.certificate_code
    assert code is not None
    return code


async def post_course(client: httpx.AsyncClient, staff: Principal, **fields: Any) -> dict[str, Any]:
    """A course created through the API by `staff`; its JSON."""
    n = next(_codes)
    body = {
        "code": f"WS-{n:04d}",
        "title": f"Werven zonder vooroordelen {n}",
        "description": "Objectief werven en selecteren van stagiairs.",
        "format": "workshop",
        "topics": ["discrimination_free_recruitment"],
        "duration_minutes": 180,
    }
    body.update(fields)
    response = await client.post(f"{TRAINING}/courses", json=body, headers=staff.headers)
    assert response.status_code == 201, response.text
    return response.json()


async def post_session(
    client: httpx.AsyncClient,
    staff: Principal,
    course_id: str,
    *,
    capacity: int = 10,
    starts_in: timedelta = timedelta(days=10),
    **fields: Any,
) -> dict[str, Any]:
    """A session of the course, created through the API by `staff`; its JSON."""
    starts = clock.local(clock.now() + starts_in).replace(microsecond=0)
    body = {
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=3)).isoformat(),
        "location": "SBB, Zoetermeer",
        "capacity": capacity,
    }
    body.update(fields)
    response = await client.post(
        f"{TRAINING}/courses/{course_id}/sessions", json=body, headers=staff.headers
    )
    assert response.status_code == 201, response.text
    return response.json()


# ---------------------------------------------------------------- reports and cases


def facts(company: Company | None = None, **overrides: Any) -> dict[str, Any]:
    """The non-confidential facts of a report; about `company` by its establishment number if given."""
    body: dict[str, Any] = {
        "company": {"establishment_number": company.establishment_number} if company else {"name": "Onbekend BV"},
        "ground": "ethnicity",
        "incident_date": (clock.today() - timedelta(days=10)).isoformat(),
        "crebo": "25180",
        "summary": "Stagiair afgewezen na sollicitatiegesprek",
    }
    body.update(overrides)
    return body


def confidential(marker: str = "") -> dict[str, str]:
    return {
        "reporter_name": f"Melder {marker}".strip(),
        "reporter_contact": f"melder{marker}@example.org",
        "narrative": f"Het verhaal van de student {marker}".strip(),
    }


async def school_report(client: httpx.AsyncClient, school: Principal, body: dict[str, Any]) -> dict[str, Any]:
    response = await client.post(SCHOOL_REPORTS, json=body, headers=school.headers)
    assert response.status_code == 201, response.text
    return response.json()


async def adviser_report(client: httpx.AsyncClient, adviser: Principal, body: dict[str, Any]) -> dict[str, Any]:
    response = await client.post(REPORTS, json=body, headers=adviser.headers)
    assert response.status_code == 201, response.text
    return response.json()


async def assigned_report(
    client: httpx.AsyncClient, adviser: Principal, company: Company | None, **overrides: Any
) -> str:
    """A report entered by `adviser` and taken by them; returns its id."""
    report = await adviser_report(
        client, adviser, {**facts(company, **overrides), "channel": "phone", "confidential": confidential()}
    )
    taken = await act(client, adviser, report["id"], "assign", {"adviser_id": str(adviser.id)})
    assert taken.status_code == 200, taken.text
    return str(report["id"])


async def case_of(runtime: Runtime, report_id: str) -> Investigation | None:
    """The case the worker opened (or joined) for the report, if any."""
    async with runtime.session_factory() as session:
        link = (
            await session.exec(select(InvestigationReport).where(InvestigationReport.report_id == UUID(report_id)))
        ).first()
        return await session.get(Investigation, link.investigation_id) if link else None


async def open_case(
    client: httpx.AsyncClient, runtime: Runtime, settings: Settings, adviser: Principal, company: Company,
    *, school: Principal | None = None,
) -> str:
    """A report about `company` substantiated by `adviser`, opened as a case by a real worker, assigned."""
    if school is not None:
        passed_on = await school_report(client, school, {**facts(company), "confidential": confidential("s")})
        report_id = str(passed_on["id"])
        taken = await act(client, adviser, report_id, "assign", {"adviser_id": str(adviser.id)})
        assert taken.status_code == 200, taken.text
    else:
        report_id = await assigned_report(client, adviser, company)
    await substantiate(client, adviser, report_id)
    await drain_queue(settings)
    case = await case_of(runtime, report_id)
    assert case is not None, "the worker did not open a case"
    response = await client.post(f"{CASES}/{case.id}/assign", json={"adviser_id": str(adviser.id)},
                                 headers=adviser.headers)
    assert response.status_code == 200, response.text
    return str(case.id)


async def substantiated_case(
    client: httpx.AsyncClient, runtime: Runtime, adviser: Principal, company: Company
) -> str:
    """A report about `company` triaged by `adviser`, opened as a case on their name as the worker does."""
    report_id = await assigned_report(client, adviser, company)
    for action, body in (("start-triage", None), ("substantiate", {"reason": "Aannemelijk"})):
        response = await act(client, adviser, report_id, action, body)
        assert response.status_code == 200, response.text
    async with runtime.transaction() as session:
        case = await InvestigationService(session, runtime.settings).open_for_report(UUID(report_id), company.id)
    return str(case.id)


async def hearing_for(runtime: Runtime, company_id: UUID | None, senior: Principal, question: str) -> str:
    """A case about the company with a hearing request put by `senior` (a senior adviser); the case id."""
    assert company_id is not None
    about = AdviserReportCreate(
        company={"company_id": company_id}, ground="ethnicity", incident_date=clock.today() - timedelta(days=5),
        summary="Stage geweigerd na gesprek", channel="phone",
    )
    async with runtime.transaction() as session:
        report = await ReportIntake(session).from_adviser(about, SYSTEM)
        case = await InvestigationService(session, runtime.settings).open_for_report(report.id, company_id)
    asker = Caller(principal_id=senior.id, role=Role.SENIOR_ADVISER, name="senior")
    async with runtime.transaction() as session:
        await InvestigationService(session, runtime.settings).request_hearing(case.id, asker, question)
    return str(case.id)


async def heard_case(
    client: httpx.AsyncClient, runtime: Runtime, adviser: Principal, company: Company, *,
    school: Principal | None = None, anonymous: bool = False, phone: bool = False,
) -> dict[str, Any]:
    """A case about `company` with a report from each route asked for (a school's, an anonymous one, one the
    adviser entered), taken by `adviser`, and its company heard (the adviser recorded its answer): the ids
    (`case_id`, `school_report`, `anonymous_report`, `phone_report`) and the anonymous report's `receipt`."""
    made: dict[str, Any] = {}
    if school is not None:
        made["school_report"] = str((await school_report(client, school, {
            **facts(company), "school_reference": "MP-2026/7",
            "confidential": {"reporter_name": "Student Geheim", "narrative": "Het hele verhaal."},
        }))["id"])
    if anonymous:
        sent = await client.post(PUBLIC_REPORTS, json={**facts(company), "confidential": {"narrative": "Anoniem."}})
        assert sent.status_code == 201, sent.text
        made["receipt"] = sent.json()["receipt"]
        async with runtime.session_factory() as session:
            made["anonymous_report"] = str((await session.exec(
                select(Report.id).where(Report.channel == ReportChannel.PUBLIC_FORM))).one())
    if phone:
        made["phone_report"] = str((await adviser_report(client, adviser, {
            **facts(company), "channel": "phone", "confidential": {"narrative": "Aan de telefoon."}}))["id"])
    case_id = None
    for key in ("school_report", "anonymous_report", "phone_report"):
        if key not in made:
            continue
        for action, body in (("assign", {"adviser_id": str(adviser.id)}), ("start-triage", None),
                             ("substantiate", {"reason": "Aannemelijk"})):
            response = await act(client, adviser, made[key], action, body)
            assert response.status_code == 200, response.text
        async with runtime.transaction() as session:
            case = await InvestigationService(session, runtime.settings).open_for_report(UUID(made[key]), company.id)
            case_id = str(case.id)
    made["case_id"] = case_id
    for step, body in (("assign", {"adviser_id": str(adviser.id)}), ("hearing", {"question": "Uw kant?"}),
                       ("hearing-answer", {"answer": "Het rooster was vol."})):
        response = await client.post(f"{CASES}/{case_id}/{step}", json=body, headers=adviser.headers)
        assert response.status_code == 200, response.text
    return made


# ---------------------------------------------------------------- adviser tasks, deliveries


TASK_NOTE = "Verbeterafspraken: aanbevolen cursussen niet (alle) afgerond; neem contact op met het leerbedrijf"


async def make_adviser_task(
    runtime: Runtime, adviser: Principal | None, *, due: date | None, company_name: str
) -> AdviserTask:
    """A follow-up task on a closed case about a new company called `company_name`."""
    company = await make_company(runtime, name=company_name)
    async with runtime.transaction() as session:
        case = Investigation(company_id=company.id, status=InvestigationStatus.CLOSED,
                             assigned_to=adviser.id if adviser else None)
        session.add(case)
        await session.flush()
        task = AdviserTask(investigation_id=case.id, assigned_to=adviser.id if adviser else None, kind="follow_up",
                           note=TASK_NOTE, due_on=due)
        session.add(task)
    return task


async def make_delivery(
    runtime: Runtime, brin: str, company: Company, status: DeliveryStatus, *, code: int | None = None,
    error: str | None = None, minutes_ago: int = 0, corrected: bool = False,
) -> Subscription:
    """A school's webhook subscription to `company` with one delivery in its log, written directly
    (`corrected`: a notice that corrects an earlier answer)."""
    async with runtime.transaction() as session:
        sub = Subscription(school_brin=brin, company_id=company.id, channel=Channel.WEBHOOK)
        session.add(sub)
        await session.flush()
        session.add(Delivery(
            school_brin=brin, subscription_id=sub.id, source_event_id=uuid4(), company_id=company.id,
            recognition_id=uuid4(), channel=Channel.WEBHOOK, status=status, attempts=3 if error else 1,
            facts={"company": company.sbb_id, "crebo": "25180", "pathway": "bbl", "corrected": corrected},
            last_response_code=code,
            last_error=error, created_at=clock.now() - timedelta(minutes=minutes_ago),
        ))
    return sub


# ---------------------------------------------------------------- rows of CSV files


COMPANY_HEADER = ["sbb_id", "kvk_number", "establishment_number", "name", "street", "house_number", "postcode",
                  "city", "sector", "email"]


def company_row(n: int, **overrides: str) -> list[str]:
    """A line of a companies CSV file (columns COMPANY_HEADER); `overrides` by column."""
    row = {"sbb_id": "", "kvk_number": f"{40000000 + n}", "establishment_number": f"{500000000000 + n}",
           "name": f"Bakkerij {n}", "street": "Dorpsstraat", "house_number": str(n), "postcode": "1234ab",
           "city": "Utrecht", "sector": "voedsel_groen_gastvrijheid", "email": f"info{n}@bakkerij.example"}
    row.update(overrides)
    return [row[c] for c in COMPANY_HEADER]


# A qualifications CSV with good lines and one bad line of each kind (numbers as the parser counts them).
QUALIFICATIONS_GOOD_AND_BAD = (
    "crebo,name,level,active\n"
    "25180,Kok,2,true\n"
    "2518,Te kort,2,\n"
    "25181,Zelfstandig werkend kok,3,\n"
    "25182,Gespecialiseerd kok,7,ja\n"
    "\n"
    "25180,Kok (dubbel),2,\n"
    '25183,"Kok, leidinggevend",4,nee\n'
    "25184,Kok,2,misschien\n"
    "25185,Extra,2,true,overbodig\n"
)
