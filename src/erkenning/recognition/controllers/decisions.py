"""Back-office routes for decisions and objections; each action is one step of a transition table."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, Response, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from erkenning.core.caller import Caller, Role
from erkenning.core.paging import Limit, Offset, Page, page_of
from erkenning.core.states import Move
from erkenning.http.dependencies import CurrentCaller
from erkenning.http.guards import requires
from erkenning.recognition.controllers import PROVIDERS
from erkenning.recognition.dispatch import LetterText
from erkenning.recognition.models import Decision, DecisionKind, DecisionStatus, LetterKind
from erkenning.recognition.objection_schemas import ObjectionRead, PaperObjectionCreate
from erkenning.recognition.schemas import (
    ActionRead,
    DecisionApprove,
    DecisionCreate,
    DecisionDetail,
    DecisionStaffRead,
    DecisionUpdate,
    PortalDecisionDetail,
    ResponseCreate,
)
from erkenning.recognition.services.decisions import DecisionService
from erkenning.recognition.services.objections import ObjectionService

ADVISERS = requires(Role.ADVISER, Role.SENIOR_ADVISER)


def letter_response(letter: LetterText) -> Response[str]:
    """A letter as a download: print-ready HTML, exactly the bytes kept (or of the preview)."""
    return Response(
        letter.html,
        media_type="text/html; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{letter.filename}"'},
    )


def action_reads(found: list[Move]) -> list[ActionRead]:
    return [ActionRead(to=m.to, needs=list(m.needs), description=m.description) for m in found]


async def decision_detail(service: DecisionService, decision: Decision, caller: Caller) -> DecisionDetail:
    return DecisionDetail.model_validate(
        {
            **DecisionStaffRead.model_validate(decision).model_dump(),
            "response_text": decision.response_text,
            "recognitions": await service.recognitions(decision.id),
            "scope": await service.scope(decision),
            "objection_ids": await service.objection_ids(decision.id, caller),
            "actions": action_reads(await service.actions(decision, caller)),
            "criterion": await service.criterion_of(decision),
            "criteria_unmet": await service.criteria_unmet(decision),
        }
    )


async def portal_decision_detail(
    service: DecisionService, decision: Decision, caller: Caller
) -> PortalDecisionDetail:
    detail = await decision_detail(service, decision, caller)
    return PortalDecisionDetail.model_validate(
        detail.model_dump(include=set(PortalDecisionDetail.model_fields))
    )


class DecisionController(Controller):
    path = "/decisions"
    tags = ["decisions"]
    dependencies = PROVIDERS

    @post(
        "/", summary="Draft a decision on one company's recognitions", guards=[ADVISERS],
        description="Beyond the schema (422 naming the rule): every id in `recognition_ids` exists, each once; "
        "a suspension needs `effective_until` (after `effective_from`) or `until_reinstated`, and only a suspension "
        "has an end date; `placements_until` not before `effective_from`; `urgent_reason` only for a measure.",
    )
    async def draft(
        self, data: JSONBody[DecisionCreate], decisions: NamedDependency[DecisionService], caller: CurrentCaller
    ) -> DecisionDetail:
        return await decision_detail(decisions, await decisions.draft(data, caller), caller)

    @get("/", summary="Find decisions (newest first)")
    async def list_(
        self,
        decisions: NamedDependency[DecisionService],
        caller: CurrentCaller,
        company_id: Annotated[UUID | None, QueryParameter()] = None,
        status: Annotated[DecisionStatus | None, QueryParameter()] = None,
        kind: Annotated[DecisionKind | None, QueryParameter()] = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> Page[DecisionStaffRead]:
        rows, total = await decisions.list(
            caller, company_id=company_id, status=status, kind=kind, limit=limit, offset=offset
        )
        # The list shows each decision's grounds: reads of those not sent yet are audited, one row each.
        await decisions.audit_reads(rows, caller, via="list")
        return page_of(DecisionStaffRead, rows, total, limit, offset)

    @get("/{decision_id:uuid}", summary="One decision, with what the caller may do with it now")
    async def get_one(
        self, decision_id: FromPath[UUID], decisions: NamedDependency[DecisionService], caller: CurrentCaller
    ) -> DecisionDetail:
        return await decision_detail(decisions, await decisions.read(decision_id, caller), caller)

    @patch("/{decision_id:uuid}", summary="Change a draft", guards=[ADVISERS])
    async def update(
        self,
        decision_id: FromPath[UUID],
        data: JSONBody[DecisionUpdate],
        decisions: NamedDependency[DecisionService],
        caller: CurrentCaller,
    ) -> DecisionDetail:
        return await decision_detail(decisions, await decisions.update(decision_id, data, caller), caller)

    async def _step(self, step: str, decision_id: UUID, service: DecisionService, caller: Caller) -> DecisionDetail:
        decision = await getattr(service, step)(decision_id, caller)
        return await decision_detail(service, decision, caller)

    @post(
        "/{decision_id:uuid}/intend",
        status_code=200,
        guards=[ADVISERS],
        summary="Put a harmful decision to the company as an intended decision (response term, art. 4:8 Awb)",
    )
    async def intend(
        self, decision_id: FromPath[UUID], decisions: NamedDependency[DecisionService], caller: CurrentCaller
    ) -> DecisionDetail:
        return await self._step("intend", decision_id, decisions, caller)

    @post(
        "/{decision_id:uuid}/approve",
        status_code=200,
        guards=[ADVISERS],
        summary="Approve (harmful kinds: a senior adviser who did not draft it, after the company's response "
        "(confirm `response_read`) or the end of its term)",
    )
    async def approve(
        self,
        decision_id: FromPath[UUID],
        decisions: NamedDependency[DecisionService],
        caller: CurrentCaller,
        data: JSONBody[DecisionApprove | None] = None,
    ) -> DecisionDetail:
        read = data.response_read if data is not None else False
        decision = await decisions.approve(decision_id, caller, response_read=read)
        return await decision_detail(decisions, decision, caller)

    @get(
        "/{decision_id:uuid}/letter",
        summary="The decision letter: the one kept once sent, else as it would be sent today (not kept); "
        "`kind=intended_decision`: the intended decision's letter",
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
        "/{decision_id:uuid}/send",
        status_code=200,
        guards=[ADVISERS],
        summary="Send the letter to the company (a person, recorded as its sender): it takes effect and the "
        "objection term starts",
    )
    async def send(
        self, decision_id: FromPath[UUID], decisions: NamedDependency[DecisionService], caller: CurrentCaller
    ) -> DecisionDetail:
        return await self._step("send", decision_id, decisions, caller)

    @post(
        "/{decision_id:uuid}/reopen",
        status_code=200,
        guards=[ADVISERS],
        summary="Back to draft (approval lapses)",
    )
    async def reopen(
        self, decision_id: FromPath[UUID], decisions: NamedDependency[DecisionService], caller: CurrentCaller
    ) -> DecisionDetail:
        return await self._step("reopen", decision_id, decisions, caller)

    @post(
        "/{decision_id:uuid}/cancel", status_code=200, guards=[ADVISERS], summary="Drop it before it is sent"
    )
    async def cancel(
        self, decision_id: FromPath[UUID], decisions: NamedDependency[DecisionService], caller: CurrentCaller
    ) -> DecisionDetail:
        return await self._step("cancel", decision_id, decisions, caller)

    @post(
        "/{decision_id:uuid}/response",
        status_code=200,
        guards=[ADVISERS],
        summary="Record the company's response to the intended decision, received outside the portal",
    )
    async def response(
        self,
        decision_id: FromPath[UUID],
        data: JSONBody[ResponseCreate],
        decisions: NamedDependency[DecisionService],
        caller: CurrentCaller,
    ) -> DecisionDetail:
        return await decision_detail(
            decisions, await decisions.record_response(decision_id, data.text, caller), caller
        )

    @post(
        "/{decision_id:uuid}/objections",
        guards=[ADVISERS],
        summary="File an objection on the company's behalf; with received_on (and postmarked_on): one received on "
        "paper, on time if posted within the term and received within a week after it (art. 6:9(2) Awb), else "
        "recorded as late for a decision on its admissibility (art. 6:11 Awb). 409 once an objection against the "
        "decision was decided (art. 7:1 Awb)",
    )
    async def object_(
        self,
        decision_id: FromPath[UUID],
        data: JSONBody[PaperObjectionCreate],
        objections: NamedDependency[ObjectionService],
        caller: CurrentCaller,
    ) -> ObjectionRead:
        return ObjectionRead.model_validate(
            await objections.file(
                decision_id, data.grounds, caller, received_on=data.received_on, postmarked_on=data.postmarked_on
            )
        )
