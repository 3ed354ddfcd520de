"""Demo recognitions for the demo company: one of each thing the portal and back office show.

Built through the services, as advisers would, so the periods, decisions and audit trail are real:
a recognition granted years ago; one with an intended suspension awaiting the company's response;
one with a sent suspension that starts in two weeks; an application with a draft grant. Each grant
follows an assessment that found every recognition criterion met.
"""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.core import clock
from erkenning.core.caller import Caller, Role
from erkenning.core.settings import Settings
from erkenning.letters import RENDERER
from erkenning.recognition.criteria import CriterionResult
from erkenning.recognition.criteria_schemas import AssessmentCreate, AssessmentItemCreate
from erkenning.recognition.models import Pathway, Recognition
from erkenning.recognition.schemas import DecisionCreate, QualificationCreate, RecognitionCreate
from erkenning.recognition.services.criteria import AssessmentService, CriteriaService
from erkenning.recognition.services.decisions import DecisionService
from erkenning.recognition.services.qualifications import QualificationService
from erkenning.recognition.services.recognitions import RecognitionService

QUALIFICATIONS = (
    QualificationCreate(crebo="25180", name="Kok", level=2),
    QualificationCreate(crebo="25181", name="Zelfstandig werkend kok", level=3),
    QualificationCreate(crebo="25163", name="Brood- en banketbakker", level=2),
    QualificationCreate(crebo="25164", name="Allround brood- en banketbakker", level=3),
)
LEGAL_BASIS = "art. 7.2.10 WEB; erkenningsvoorwaarden SBB"


async def load(session: AsyncSession, settings: Settings, company_id: UUID, people: dict[str, UUID]) -> None:
    """Idempotent: does nothing once the demo company has recognitions."""
    await QualificationService(session).upsert(QUALIFICATIONS)
    if (await session.exec(select(Recognition.id).where(Recognition.company_id == company_id))).first():
        return
    adviser = Caller(principal_id=people["adviser"], role=Role.ADVISER, name="demo adviser")
    senior = Caller(principal_id=people["senior"], role=Role.SENIOR_ADVISER, name="demo senior")
    recognitions = RecognitionService(session)
    decisions = DecisionService(session, settings, RENDERER)
    criteria, assessments = CriteriaService(session), AssessmentService(session, settings)
    today = clock.today()

    async def apply(crebo: str, pathway: Pathway, applied_on: date) -> UUID:
        data = RecognitionCreate(company_id=company_id, crebo=crebo, pathway=pathway, applied_on=applied_on)
        return (await recognitions.apply(data, adviser)).id

    async def draft(kind: str, ids: list[UUID], grounds: str, **dates: object) -> UUID:
        data = DecisionCreate(
            kind=kind, recognition_ids=ids, grounds=grounds, legal_basis=LEGAL_BASIS, **dates
        )
        return (await decisions.draft(data, adviser)).id

    async def assess(ids: list[UUID], on: date, note: str) -> None:
        """A visit that found every criterion of the list in force met (a grant needs it, art. 7.2.10 WEB)."""
        codes = [c.code for c in (await criteria.current()).criteria]
        items = [AssessmentItemCreate(code=code, result=CriterionResult.MET, assessed_on=on) for code in codes]
        for recognition_id in ids:
            await assessments.record(recognition_id, AssessmentCreate(assessed_on=on, note=note, items=items), adviser)

    async def grant(ids: list[UUID], grounds: str, effective_from: date) -> None:
        await assess(ids, today, grounds)
        decision_id = await draft("grant", ids, grounds, effective_from=effective_from)
        await decisions.approve(decision_id, adviser)
        await decisions.send(decision_id, adviser)

    bakery_bol = await apply("25163", Pathway.BOL, date(2022, 2, 14))
    bakery_bbl = await apply("25163", Pathway.BBL, date(2022, 2, 14))
    allround = await apply("25164", Pathway.BBL, date(2023, 8, 1))
    await grant([bakery_bol, bakery_bbl], "Bezoek 1 maart 2022: aan de criteria voldaan.", date(2022, 3, 1))
    await grant([allround], "Bezoek 4 september 2023: aan de criteria voldaan.", date(2023, 9, 4))

    # A suspension after the company's response to the intended decision: sent, starting in two weeks.
    suspension = await draft(
        "suspend",
        [allround],
        "De praktijkopleider is vertrokken; er is geen begeleiding voor de bbl-student.",
        effective_from=today + timedelta(days=14),
        effective_until=today + timedelta(days=74),
        placements_until=today + timedelta(days=74),
        criterion_code="workplace_trainer",
    )
    await decisions.intend(suspension, adviser)
    await decisions.record_response(suspension, "Wij werven een nieuwe praktijkopleider.", adviser)
    await decisions.approve(suspension, senior, response_read=True)
    await decisions.send(suspension, senior)

    # Intended, awaiting the company's response in the portal.
    conditions = await draft(
        "impose_conditions", [bakery_bbl], "Werkplekbegeleiding schriftelijk vastleggen binnen drie maanden."
    )
    await decisions.intend(conditions, adviser)

    # A new application with a grant drafted, to approve and send from the back office.
    kok = await apply("25180", Pathway.BOL, today - timedelta(days=10))
    await assess([kok], today, "Bezoek: aan de criteria voldaan.")
    await draft("grant", [kok], "Bezoek: aan de criteria voldaan.")
