"""The company portal: its own card, recognitions with their history, decisions, objections, responses.

Every lookup goes through the caller's scope, so another company's id is simply not found (404).
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from erkenning.companies.controllers import PROVIDERS as COMPANY_PROVIDERS
from erkenning.companies.schemas import CompanyRead
from erkenning.companies.service import CompanyService
from erkenning.core.caller import Caller
from erkenning.core.errors import NotFound
from erkenning.core.paging import Limit, Offset, Page, page_of
from erkenning.http.dependencies import CurrentCaller
from erkenning.recognition.controllers import PROVIDERS
from erkenning.recognition.controllers.decisions import letter_response, portal_decision_detail
from erkenning.recognition.models import LetterKind
from erkenning.recognition.objection_schemas import ObjectionCreate, ObjectionRead
from erkenning.recognition.schemas import (
    DecisionRead,
    PortalDecisionDetail,
    RecognitionDetail,
    ResponseCreate,
)
from erkenning.recognition.services.decisions import DecisionService
from erkenning.recognition.services.objections import ObjectionService
from erkenning.recognition.services.recognitions import RecognitionService


def _own_company(caller: Caller) -> UUID:
    if caller.company_id is None:  # the portal router admits company tokens only
        raise NotFound("No such company")
    return caller.company_id


class PortalRecognitionController(Controller):
    path = "/"
    tags = ["portal"]
    dependencies = {**PROVIDERS, **COMPANY_PROVIDERS}

    @get("/company", summary="Our company's card")
    async def company(self, companies: NamedDependency[CompanyService], caller: CurrentCaller) -> CompanyRead:
        return CompanyRead.model_validate(await companies.get(_own_company(caller), caller))

    @get("/recognitions", summary="Our recognitions, each with its full period history")
    async def recognitions(
        self, recognitions: NamedDependency[RecognitionService], caller: CurrentCaller
    ) -> list[RecognitionDetail]:
        return await recognitions.for_company(_own_company(caller), caller)

    @get("/recognitions/{recognition_id:uuid}", summary="One of our recognitions with its history")
    async def recognition(
        self, recognition_id: FromPath[UUID], recognitions: NamedDependency[RecognitionService], caller: CurrentCaller
    ) -> RecognitionDetail:
        return await recognitions.detail(recognition_id, caller)

    @get("/decisions", summary="Decisions about us: intended, sent, final or revoked (newest first)")
    async def decisions(
        self,
        decisions: NamedDependency[DecisionService],
        caller: CurrentCaller,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> Page[DecisionRead]:
        rows, total = await decisions.list(caller, limit=limit, offset=offset)
        return page_of(DecisionRead, rows, total, limit, offset)

    @get("/decisions/{decision_id:uuid}", summary="One decision: grounds, recognitions, objection deadline")
    async def decision(
        self, decision_id: FromPath[UUID], decisions: NamedDependency[DecisionService], caller: CurrentCaller
    ) -> PortalDecisionDetail:
        return await portal_decision_detail(decisions, await decisions.read(decision_id, caller), caller)

    @get(
        "/decisions/{decision_id:uuid}/letter",
        summary="Our letter of a decision, to download: the decision letter once sent, the intended decision's "
        "letter while SBB awaits our response",
        media_type="text/html",
    )
    async def letter(
        self,
        decision_id: FromPath[UUID],
        decisions: NamedDependency[DecisionService],
        caller: CurrentCaller,
        kind: Annotated[LetterKind | None, QueryParameter()] = None,
    ) -> Response[str]:
        return letter_response(await decisions.letter(decision_id, caller, kind))

    @post(
        "/decisions/{decision_id:uuid}/response",
        status_code=200,
        summary="Give our response (zienswijze) to an intended decision",
    )
    async def respond(
        self,
        decision_id: FromPath[UUID],
        data: JSONBody[ResponseCreate],
        decisions: NamedDependency[DecisionService],
        caller: CurrentCaller,
    ) -> PortalDecisionDetail:
        return await portal_decision_detail(
            decisions, await decisions.record_response(decision_id, data.text, caller), caller
        )

    @post(
        "/decisions/{decision_id:uuid}/objections",
        summary="Object to a sent decision (within the objection term; 409 once an objection against it was "
        "decided: a beslissing op bezwaar is open to appeal, not to a new objection, art. 7:1 Awb)",
    )
    async def object_(
        self,
        decision_id: FromPath[UUID],
        data: JSONBody[ObjectionCreate],
        objections: NamedDependency[ObjectionService],
        caller: CurrentCaller,
    ) -> ObjectionRead:
        return ObjectionRead.model_validate(
            await objections.file(decision_id, data.grounds, caller)
        )

    @get("/objections", summary="Our objections")
    async def objections(
        self,
        objections: NamedDependency[ObjectionService],
        caller: CurrentCaller,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> Page[ObjectionRead]:
        rows, total = await objections.list(caller, limit=limit, offset=offset)
        return page_of(ObjectionRead, rows, total, limit, offset)

    @get(
        "/objections/{objection_id:uuid}",
        summary="One of our objections: its reference, the hearing (invitation, report), the decision term",
    )
    async def objection(
        self, objection_id: FromPath[UUID], objections: NamedDependency[ObjectionService], caller: CurrentCaller
    ) -> ObjectionRead:
        return ObjectionRead.model_validate(
            await objections.get(objection_id, caller)
        )

    @get(
        "/objections/{objection_id:uuid}/letter",
        summary="The beslissing op bezwaar on our objection, to download (once decided)",
        media_type="text/html",
    )
    async def objection_letter(
        self, objection_id: FromPath[UUID], objections: NamedDependency[ObjectionService], caller: CurrentCaller
    ) -> Response[str]:
        return letter_response(await objections.letter(objection_id, caller))

    @post("/objections/{objection_id:uuid}/withdraw", status_code=200, summary="Withdraw our objection")
    async def withdraw(
        self, objection_id: FromPath[UUID], objections: NamedDependency[ObjectionService], caller: CurrentCaller
    ) -> ObjectionRead:
        return ObjectionRead.model_validate(
            await objections.withdraw(objection_id, caller)
        )
