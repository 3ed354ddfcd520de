"""Objections (bezwaren): the list (oldest first: the order to decide them in), one objection, deciding it.

Upholding revokes the decision and restores the recognitions from its start (art. 7:11 Awb), as part
of the beslissing op bezwaar; both are the objection service's work. Who may decide (not whoever
drafted or approved the decision, art. 7:5 Awb) is its table's rule: a refusal is explained and
changes nothing.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter, URLEncodedBody
from litestar.response import Redirect, Template

from erkenning import vocabulary
from erkenning.core.caller import ADVISER_ROLES, STAFF_ROLES, Caller
from erkenning.core.errors import Conflict, DomainError, Forbidden, InvalidTransition
from erkenning.core.states import GuardRefused
from erkenning.http.dependencies import CurrentCaller, DbSession
from erkenning.http.guards import requires
from erkenning.recognition.models import ObjectionStatus
from erkenning.recognition.objection_schemas import ObjectionDecide
from erkenning.recognition.services.decisions import DecisionService
from erkenning.recognition.services.objections import ObjectionService
from erkenning.web import nav
from erkenning.web.actions import service_call
from erkenning.web.forms import Field, Form
from erkenning.web.listing import PageNumber, listing
from erkenning.web.rendering import after_change, flash_message, page
from erkenning.web.staff import Directory, refusal_text

PAGE_SIZE = 25
Text = Annotated[str | None, QueryParameter(max_length=40)]
DECIDED = flash_message("objection-decided", "De beslissing op het bezwaar is vastgelegd. Het bedrijf krijgt bericht.")
WITHDRAWN = flash_message("objection-withdrawn", "Vastgelegd dat het bedrijf het bezwaar heeft ingetrokken.")
DECISIONS = (ObjectionStatus.UPHELD, ObjectionStatus.REJECTED)

FILTER_FIELDS = (
    Field("status", "Status", kind="select", required=False,
          options=(("", "In behandeling"), ("alle", "Alle"), *vocabulary.options(ObjectionStatus, DECISIONS),
                   (ObjectionStatus.WITHDRAWN.value, vocabulary.term(ObjectionStatus.WITHDRAWN)))),
)
OUTCOME = Field(
    "outcome", "Beslissing", kind="radios", form_id="beslissen", missing="Kies de beslissing op het bezwaar.",
    hint="Gegrond: het besluit wordt herroepen en de erkenningen worden hersteld alsof het niet was genomen. "
         "Ongegrond: het besluit blijft staan.",
)
REASON = Field("reason", "Motivering", kind="textarea", form_id="beslissen", missing="Vul de motivering in.",
               hint="De motivering staat in de brief aan het bedrijf.")
_REFUSALS: dict[type[DomainError], str] = {
    GuardRefused: "Wie het bestreden besluit opstelde of goedkeurde, beslist niet op het bezwaar (art. 7:5 Awb).",
    Conflict: "Een later besluit heeft deze erkenningen intussen gewijzigd; herstel zou dat ongedaan maken. "
              "Heroverweeg eerst dat latere besluit.",
    Forbidden: "U mag op dit bezwaar niet beslissen.",
}

nav.add("Bezwaren", "/bezwaren", STAFF_ROLES, order=45)


class ObjectionPages(Controller):
    path = "/bezwaren"
    guards = [requires(*STAFF_ROLES)]

    @get("/", name="objections")
    async def list_(
        self, request: Request[Any, Any, Any], objections: NamedDependency[ObjectionService],
        directory: NamedDependency[Directory], caller: CurrentCaller, status: Text = None, pagina: PageNumber = 1,
    ) -> Template:
        def to_filters(form: Form) -> ObjectionStatus | None:
            chosen = form.values["status"]
            return ObjectionStatus(chosen) if chosen in ObjectionStatus.__members__.values() else (
                None if chosen == "alle" else ObjectionStatus.PENDING)

        result = await listing(
            request, FILTER_FIELDS, {"status": status}, lambda form: {"status": to_filters(form)},
            lambda filters, limit, offset: objections.list(
                caller, status=filters["status"], limit=limit, offset=offset
            ),
            page=pagina, size=PAGE_SIZE,
        )
        known = await directory.names(caller, companies=[o.company_id for o in result.rows])
        return page(request, "objections/list.html", title="Bezwaren", result=result, names=known)

    @get("/{objection_id:uuid}", name="objection")
    async def detail(
        self, request: Request[Any, Any, Any], objection_id: FromPath[UUID],
        objections: NamedDependency[ObjectionService], decisions: NamedDependency[DecisionService],
        directory: NamedDependency[Directory], caller: CurrentCaller,
    ) -> Template:
        return await _objection_page(request, objections, decisions, directory, caller, objection_id)

    @post("/{objection_id:uuid}/beslissen", guards=[requires(*ADVISER_ROLES)])
    async def decide(
        self, request: Request[Any, Any, Any], objection_id: FromPath[UUID], data: URLEncodedBody[dict[str, str]],
        session: DbSession, objections: NamedDependency[ObjectionService], decisions: NamedDependency[DecisionService],
        directory: NamedDependency[Directory], caller: CurrentCaller,
    ) -> Template | Redirect:
        form = Form(_fields(DECISIONS), data)
        payload = form.validate(ObjectionDecide)
        if payload is None:
            return await _objection_page(request, objections, decisions, directory, caller, objection_id, form=form,
                                         status_code=422)
        async with service_call(session, GuardRefused, Forbidden, InvalidTransition, Conflict) as outcome:
            await objections.decide(objection_id, ObjectionStatus(payload.outcome), payload.reason, caller)
        return await _after(request, objections, decisions, directory, caller, objection_id, outcome.refusal, DECIDED)

    @post("/{objection_id:uuid}/ingetrokken", guards=[requires(*ADVISER_ROLES)])
    async def withdrawn(
        self, request: Request[Any, Any, Any], objection_id: FromPath[UUID], session: DbSession,
        objections: NamedDependency[ObjectionService], decisions: NamedDependency[DecisionService],
        directory: NamedDependency[Directory], caller: CurrentCaller,
    ) -> Template | Redirect:
        async with service_call(session, Forbidden, InvalidTransition) as outcome:
            await objections.withdraw(objection_id, caller)
        return await _after(request, objections, decisions, directory, caller, objection_id, outcome.refusal, WITHDRAWN)


def _fields(outcomes: Any) -> tuple[Field, ...]:
    return (replace(OUTCOME, options=vocabulary.options(ObjectionStatus, outcomes)), REASON)


async def _after(
    request: Request[Any, Any, Any], objections: ObjectionService, decisions: DecisionService, directory: Directory,
    caller: Caller, objection_id: UUID, refusal: DomainError | None, flash: str,
) -> Template | Redirect:
    return await after_change(
        request, f"/bezwaren/{objection_id}", flash, refusal,
        lambda refused: _objection_page(
            request, objections, decisions, directory, caller, objection_id,
            refusal=refusal_text(refused, _REFUSALS), status_code=refused.status_code,
        ),
    )


async def _objection_page(
    request: Request[Any, Any, Any], objections: ObjectionService, decisions: DecisionService, directory: Directory,
    caller: Caller, objection_id: UUID, *, form: Form | None = None, refusal: str | None = None,
    status_code: int = 200,
) -> Template:
    objection = await objections.get(objection_id, caller)
    decision = await decisions.get(objection.decision_id, caller)
    known = await directory.names(
        caller, companies=[objection.company_id],
        people=[objection.filed_by, objection.decided_by, decision.drafted_by, decision.approved_by],
    )
    adviser = caller.role in ADVISER_ROLES
    moves = {m.to for m in objections.actions(objection, caller, decision=decision)} if adviser else set()
    outcomes = [s for s in DECISIONS if s.value in moves]
    return page(
        request, "objections/detail.html", title="Bezwaar", status_code=status_code,
        objection=objection, decision=decision, company=known.company(objection.company_id), names=known,
        decide_form=(form or Form(_fields(outcomes))) if outcomes else None,
        may_record_withdrawal=ObjectionStatus.WITHDRAWN.value in moves, refusal=refusal,
        prepared_by_caller=caller.principal_id in (decision.drafted_by, decision.approved_by),
    )
