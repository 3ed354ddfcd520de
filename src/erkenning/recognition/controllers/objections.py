"""Back-office routes of objections (bezwaar): the procedure of chapters 6 and 7 Awb, a route per step.

Each route is one service call; who may do what when is in `OBJECTION_TRANSITIONS` and
`HEARING_TRANSITIONS`, and every detail lists the caller's `actions`.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from erkenning.core.caller import Caller, Role
from erkenning.core.paging import Limit, Offset, Page, page_of
from erkenning.http.dependencies import CurrentCaller
from erkenning.http.guards import requires
from erkenning.recognition.controllers import PROVIDERS
from erkenning.recognition.controllers.decisions import letter_response
from erkenning.recognition.models import Objection, ObjectionStatus
from erkenning.recognition.objection_schemas import (
    HearingHeld,
    HearingInvite,
    HearingSkip,
    LatenessDecide,
    ObjectionDecide,
    ObjectionDetail,
    ObjectionRead,
    TermExtend,
)
from erkenning.recognition.services.objection_hearings import ObjectionHearingService
from erkenning.recognition.services.objections import ObjectionService

ADVISERS = requires(Role.ADVISER, Role.SENIOR_ADVISER)


async def objection_detail(
    objection: Objection, objections: ObjectionService, hearings: ObjectionHearingService, caller: Caller
) -> ObjectionDetail:
    decision = await objections.decisions.get(objection.decision_id, caller)
    moves = [*objections.actions(objection, caller, decision=decision), *hearings.actions(objection, caller)]
    return ObjectionDetail.model_validate(
        {
            **ObjectionRead.model_validate(objection).model_dump(),
            "actions": [{"to": m.to, "needs": list(m.needs), "description": m.description} for m in moves],
        }
    )


class ObjectionController(Controller):
    path = "/objections"
    tags = ["objections"]
    dependencies = PROVIDERS

    @get("/", summary="Find objections (oldest first: the order to decide them in)")
    async def list_(
        self,
        objections: NamedDependency[ObjectionService],
        caller: CurrentCaller,
        status: Annotated[ObjectionStatus | None, QueryParameter()] = None,
        decision_id: Annotated[UUID | None, QueryParameter()] = None,
        company_id: Annotated[UUID | None, QueryParameter()] = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> Page[ObjectionRead]:
        rows, total = await objections.list(
            caller, status=status, decision_id=decision_id, company_id=company_id, limit=limit, offset=offset
        )
        return page_of(ObjectionRead, rows, total, limit, offset)

    @get("/{objection_id:uuid}", summary="One objection, with what the caller may do with it now")
    async def get_one(
        self,
        objection_id: FromPath[UUID],
        objections: NamedDependency[ObjectionService],
        objection_hearings: NamedDependency[ObjectionHearingService],
        caller: CurrentCaller,
    ) -> ObjectionDetail:
        objection = await objections.get(objection_id, caller)
        return await objection_detail(objection, objections, objection_hearings, caller)

    @post(
        "/{objection_id:uuid}/decide",
        status_code=200,
        guards=[ADVISERS],
        summary="The beslissing op bezwaar (art. 7:12 Awb), sent with its letter naming appeal to the court: upheld "
        "revokes the decision and restores the recognitions from its start (art. 7:11) or a later restore_from "
        "with its reason; rejected keeps it (after the hearing or a ground of art. 7:3 to leave it out, else 409); "
        "inadmissible does not judge it",
        description=(
            "Beyond the schema (422 naming the rule): only an upheld objection restores the recognitions, so "
            "`restore_from` and `restore_reason` go with `upheld` only; `restore_reason` gives the date it explains "
            "(`restore_from`); the recognitions are restored from the decision's start or a later date, never "
            "before it took effect; a restoration from a later date than the decision's start states its reason."
        ),
    )
    async def decide(
        self,
        objection_id: FromPath[UUID],
        data: JSONBody[ObjectionDecide],
        objections: NamedDependency[ObjectionService],
        caller: CurrentCaller,
    ) -> ObjectionRead:
        objection = await objections.decide(
            objection_id, ObjectionStatus(data.outcome), data.reason, caller,
            restore_from=data.restore_from, restore_reason=data.restore_reason,
        )
        return ObjectionRead.model_validate(objection)

    @post(
        "/{objection_id:uuid}/lateness",
        status_code=200,
        guards=[ADVISERS],
        summary="A late objection: decide with a reason whether the lateness is excusable (art. 6:11 Awb); not "
        "admissible declares it inadmissible by a beslissing op bezwaar. 409 for a timely one or a second time",
    )
    async def lateness(
        self,
        objection_id: FromPath[UUID],
        data: JSONBody[LatenessDecide],
        objections: NamedDependency[ObjectionService],
        caller: CurrentCaller,
    ) -> ObjectionRead:
        objection = await objections.decide_lateness(objection_id, data.admissible, data.reason, caller)
        return ObjectionRead.model_validate(objection)

    @post(
        "/{objection_id:uuid}/extend",
        status_code=200,
        guards=[ADVISERS],
        summary="Postpone the decision by six weeks with the reason, told to the company (art. 7:10(3) Awb); "
        "once: a second extension is 409",
    )
    async def extend(
        self,
        objection_id: FromPath[UUID],
        data: JSONBody[TermExtend],
        objections: NamedDependency[ObjectionService],
        caller: CurrentCaller,
    ) -> ObjectionRead:
        return ObjectionRead.model_validate(await objections.extend(objection_id, data.reason, caller))

    @post(
        "/{objection_id:uuid}/hearing/invite",
        status_code=200,
        guards=[ADVISERS],
        summary="Invite the company to the hearing (art. 7:2 Awb): date and time, a place or a video link; "
        "e-mailed and shown in the portal",
    )
    async def invite(
        self,
        objection_id: FromPath[UUID],
        data: JSONBody[HearingInvite],
        objection_hearings: NamedDependency[ObjectionHearingService],
        caller: CurrentCaller,
    ) -> ObjectionRead:
        objection = await objection_hearings.invite(
            objection_id, caller, hearing_at=data.hearing_at, place=data.place, video_link=data.video_link
        )
        return ObjectionRead.model_validate(objection)

    @post(
        "/{objection_id:uuid}/hearing/held",
        status_code=200,
        guards=[ADVISERS],
        summary="Record that the hearing was held, with its report (verslag); the company receives it (e-mail "
        "and portal). 409 before the time it was set for",
    )
    async def held(
        self,
        objection_id: FromPath[UUID],
        data: JSONBody[HearingHeld],
        objection_hearings: NamedDependency[ObjectionHearingService],
        caller: CurrentCaller,
    ) -> ObjectionRead:
        return ObjectionRead.model_validate(await objection_hearings.held(objection_id, data.report, caller))

    @post(
        "/{objection_id:uuid}/hearing/skip",
        status_code=200,
        guards=[ADVISERS],
        summary="Leave the hearing out on a ground of art. 7:3 Awb (manifestly inadmissible, manifestly "
        "unfounded, waived by the objector, upheld in full), with a note",
    )
    async def skip(
        self,
        objection_id: FromPath[UUID],
        data: JSONBody[HearingSkip],
        objection_hearings: NamedDependency[ObjectionHearingService],
        caller: CurrentCaller,
    ) -> ObjectionRead:
        return ObjectionRead.model_validate(
            await objection_hearings.skip(objection_id, data.ground, data.note, caller)
        )

    @get(
        "/{objection_id:uuid}/letter",
        summary="The beslissing op bezwaar as sent (kept unchanged), to download; 404 before it is decided",
        media_type="text/html",
    )
    async def letter(
        self, objection_id: FromPath[UUID], objections: NamedDependency[ObjectionService], caller: CurrentCaller
    ) -> Response[str]:
        return letter_response(await objections.letter(objection_id, caller))

    @post(
        "/{objection_id:uuid}/withdraw",
        status_code=200,
        guards=[ADVISERS],
        summary="Record that the company withdrew its objection",
    )
    async def withdraw(
        self, objection_id: FromPath[UUID], objections: NamedDependency[ObjectionService], caller: CurrentCaller
    ) -> ObjectionRead:
        return ObjectionRead.model_validate(await objections.withdraw(objection_id, caller))
