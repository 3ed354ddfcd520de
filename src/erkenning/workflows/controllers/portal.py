"""The company portal's hearing requests (zienswijze): SBB's question, the deadline, the company's answer."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from erkenning.http.dependencies import CurrentCaller, DbSession
from erkenning.recognition.objection_schemas import ObjectionFileRead
from erkenning.workflows import queries
from erkenning.workflows.controllers import PROVIDERS
from erkenning.workflows.schemas import AnswerIn, HearingRead
from erkenning.workflows.services.investigations import InvestigationService
from erkenning.workflows.services.objection_files import ObjectionFileService

PORTAL = "/api/v1/portal"


class HearingController(Controller):
    """Portal: a company's hearing requests (zienswijze) and its answers. Nothing about the reports."""

    path = "/hearings"
    tags = ["portal"]
    dependencies = PROVIDERS

    @get("/", summary="Hearing requests addressed to my company")
    async def list_(self, session: DbSession, caller: CurrentCaller) -> list[HearingRead]:
        return await queries.company_hearings(session, caller)

    @get("/{case_id:uuid}", summary="One hearing request")
    async def one(
        self, case_id: FromPath[UUID], session: DbSession, investigations: NamedDependency[InvestigationService],
        caller: CurrentCaller,
    ) -> HearingRead:
        case = await investigations.get(case_id, caller)
        return await queries.hearing_view(session, case, caller)

    @post("/{case_id:uuid}/answer", status_code=200, summary="Give my company's side before the deadline")
    async def answer(
        self, case_id: FromPath[UUID], data: JSONBody[AnswerIn], session: DbSession,
        investigations: NamedDependency[InvestigationService], caller: CurrentCaller,
    ) -> HearingRead:
        case = await investigations.answer_hearing(case_id, caller, data.answer)
        return await queries.hearing_view(session, case, caller)


class ObjectionFileController(Controller):
    """Portal: the file of an objection for inspection (art. 7:4 Awb). Never the reports or the reporter."""

    path = "/objections/{objection_id:uuid}/file"
    tags = ["portal"]
    dependencies = PROVIDERS

    @get(
        "/",
        summary="The documents the contested decision rests on that we may see (art. 7:4 Awb): the letters, our "
        "response and answers, the grounds as sent, the hearing's invitation and report",
    )
    async def file(
        self, objection_id: FromPath[UUID], objection_files: NamedDependency[ObjectionFileService],
        caller: CurrentCaller,
    ) -> ObjectionFileRead:
        return await objection_files.file(objection_id, caller, letters_under=PORTAL)
