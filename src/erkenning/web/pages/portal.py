"""The company portal: its recognitions in plain language, its decisions, and the forms to respond to an
intended decision (zienswijze) and to object to a decision (bezwaar).

Every read and change goes through the recognition services with the company's own scope, so another
company's decision is simply not found (404).
"""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Response, Template
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning import vocabulary
from erkenning.core import clock
from erkenning.core.auth.scope import scoped
from erkenning.core.caller import Caller, Role
from erkenning.core.errors import Conflict, InvalidTransition, NotFound
from erkenning.http.dependencies import CurrentCaller, DbSession
from erkenning.http.guards import requires
from erkenning.letters import body_of
from erkenning.recognition import attachments
from erkenning.recognition.controllers.decisions import letter_response
from erkenning.recognition.models import OBJECTION_DECIDED, Decision, DecisionStatus, LetterKind, ObjectionStatus
from erkenning.recognition.schemas import RecognitionDetail, ResponseCreate
from erkenning.recognition.services.decisions import DecisionService
from erkenning.recognition.services.objection_attachments import ObjectionAttachmentService, objectable
from erkenning.recognition.services.objections import ObjectionDecided, ObjectionService, ObjectionTermPassed
from erkenning.recognition.services.recognitions import RecognitionService
from erkenning.recognition.states import ADVERSE
from erkenning.vocabulary import long_date
from erkenning.web import nav, wording
from erkenning.web.actions import service_call
from erkenning.web.forms import Field, Form
from erkenning.web.listing import PageNumber, Pager
from erkenning.web.pages.start import start_section
from erkenning.web.rendering import flash_message, page, redirect
from erkenning.workflows import queries as hearings
from erkenning.workflows.services.objection_files import ObjectionFileService

COMPANY = {Role.COMPANY}
ATTACHMENT_MB = attachments.MAX_BYTES // (1024 * 1024)
PAGE_SIZE = 25
show = partial(page, words=wording)

RESPONDED = flash_message(
    "portal-responded", "Uw reactie op het voornemen is ontvangen. SBB neemt die mee in het besluit."
)
OBJECTION_WITHDRAWN = flash_message("portal-objection-withdrawn", "Uw bezwaar is ingetrokken.")
NOT_WITHDRAWN = flash_message(
    "portal-objection-not-withdrawn", "Dit bezwaar is al afgehandeld en kan niet meer worden ingetrokken.",
    tone="warning",
)

OBJECTION_FIELDS = (
    Field("grounds", "Waarom maakt u bezwaar?", kind="textarea",
          hint="Schrijf op waarom u het niet eens bent met dit besluit. U mag ook stukken noemen die SBB "
               "volgens u niet heeft meegewogen.",
          missing="Schrijf op waarom u bezwaar maakt.", invalid="Uw bezwaar mag hoogstens 20.000 tekens lang zijn."),
    Field("bijlagen", "Bijlagen", kind="file", required=False,
          hint=f"PDF, PNG of JPEG, elk hoogstens {ATTACHMENT_MB} MB, samen hoogstens {attachments.MAX_FILES} "
               "bestanden. Bijvoorbeeld een brief, een verklaring of een foto die uw bezwaar onderbouwt."),
)
RESPONSE_FIELDS = (
    Field("text", "Uw reactie (zienswijze)", kind="textarea",
          hint="Schrijf op wat u van het voornemen vindt. SBB leest uw reactie voordat het besluit wordt genomen.",
          missing="Schrijf uw reactie op.", invalid="Uw reactie mag hoogstens 20.000 tekens lang zijn."),
)

nav.add("Erkenningen", "/portaal/erkenningen", COMPANY, order=20)
nav.add("Besluiten", "/portaal/besluiten", COMPANY, order=30)


def own_company(caller: Caller) -> UUID:
    if caller.company_id is None:  # the pages are guarded to company callers, which always have one
        raise NotFound("No such company")
    return caller.company_id


async def standings(
    recognitions: RecognitionService, caller: Caller
) -> list[tuple[RecognitionDetail, wording.Standing]]:
    """Each recognition of the company with where it stands today."""
    today = clock.today()
    found = await recognitions.for_company(own_company(caller), caller)
    return [
        (r, wording.recognition_sentence(wording.qualification_label(r.qualification_name, r.level, r.pathway),
                                         r.periods, today))
        for r in found
    ]


@start_section("Gevraagd van u", "portal/_asked.html", COMPANY, order=5)
async def asked_of_you(session: AsyncSession, caller: Caller) -> dict[str, Any]:
    open_hearings = [h for h in await hearings.company_hearings(session, caller) if h.open_for_answer]
    awaiting = scoped(select(Decision), Decision, caller).where(
        Decision.status == DecisionStatus.INTENDED, col(Decision.response_received_at).is_(None)
    )
    intended = (await session.exec(awaiting.order_by(col(Decision.response_due)).limit(20))).all()
    return {"hearings": open_hearings, "intended": intended, "words": wording}


@start_section("Uw erkenningen", "portal/_standings.html", COMPANY, order=20)
async def recognitions_overview(caller: Caller, recognitions: RecognitionService) -> dict[str, Any]:
    return {"standings": await standings(recognitions, caller)}


class PortalPages(Controller):
    """Het portaal van een leerbedrijf: erkenningen en besluiten."""

    path = "/portaal"
    guards = [requires(Role.COMPANY)]

    @get("/erkenningen", name="portal_recognitions")
    async def recognitions(
        self, request: Request[Any, Any, Any], recognitions: NamedDependency[RecognitionService], caller: CurrentCaller
    ) -> Template:
        return show(request, "portal/recognitions.html", title="Uw erkenningen",
                    standings=await standings(recognitions, caller), today=clock.today())

    @get("/besluiten", name="portal_decisions")
    async def decisions(
        self, request: Request[Any, Any, Any], decisions: NamedDependency[DecisionService], caller: CurrentCaller,
        pagina: PageNumber = 1,
    ) -> Template:
        rows, total = await decisions.list(caller, limit=PAGE_SIZE, offset=(pagina - 1) * PAGE_SIZE)
        pager = Pager(request, pagina, PAGE_SIZE, shown=len(rows), total=total)
        return show(request, "portal/decisions.html", title="Besluiten", decisions=rows, pager=pager, adverse=ADVERSE)

    @get("/besluiten/{decision_id:uuid}", name="portal_decision")
    async def decision(
        self, request: Request[Any, Any, Any], decision_id: FromPath[UUID], decisions: NamedDependency[DecisionService],
        objections: NamedDependency[ObjectionService],
        objection_attachments: NamedDependency[ObjectionAttachmentService], caller: CurrentCaller,
    ) -> Template:
        return await decision_page(request, decisions, objections, caller, decision_id,
                                   attached=objection_attachments)

    @get("/besluiten/{decision_id:uuid}/brief", name="portal_decision_letter")
    async def letter(
        self, decision_id: FromPath[UUID], decisions: NamedDependency[DecisionService], caller: CurrentCaller,
    ) -> Response[str]:
        """Our letter to download: the intended decision's while SBB awaits our response, else the decision's."""
        return letter_response(await decisions.letter(decision_id, caller))

    @get("/bezwaren/{objection_id:uuid}/dossier", name="portal_objection_file")
    async def objection_file(
        self, request: Request[Any, Any, Any], objection_id: FromPath[UUID],
        objection_files: NamedDependency[ObjectionFileService], caller: CurrentCaller,
    ) -> Template:
        """The file of our objection for inspection (art. 7:4 Awb): never the reports or the reporter."""
        found = await objection_files.file(objection_id, caller, letters_under="/portaal")
        return page(request, "portal/objection_file.html", title="Stukken inzien", file=found)

    @get("/bezwaren/{objection_id:uuid}/brief", name="portal_objection_letter")
    async def objection_letter(
        self, objection_id: FromPath[UUID], objections: NamedDependency[ObjectionService], caller: CurrentCaller,
    ) -> Response[str]:
        """The beslissing op bezwaar on our objection, to download."""
        return letter_response(await objections.letter(objection_id, caller))

    @post("/besluiten/{decision_id:uuid}/zienswijze")
    async def respond(
        self, request: Request[Any, Any, Any], decision_id: FromPath[UUID], data: URLEncodedBody[dict[str, str]],
        session: DbSession, decisions: NamedDependency[DecisionService], objections: NamedDependency[ObjectionService],
        objection_attachments: NamedDependency[ObjectionAttachmentService], caller: CurrentCaller,
    ) -> Template | Redirect:
        await decisions.get(decision_id, caller)
        form = Form(RESPONSE_FIELDS, data)
        payload = form.validate(ResponseCreate)
        status = 422
        if payload is not None:
            async with service_call(session, Conflict) as outcome:
                await decisions.record_response(decision_id, payload.text, caller)
            if outcome.refusal is None:
                return redirect(request, f"/portaal/besluiten/{decision_id}", flash=RESPONDED)
            status = 409
            form.message = (
                "U heeft al op dit voornemen gereageerd." if not isinstance(outcome.refusal, InvalidTransition)
                else "Reageren op dit voornemen kan niet meer: SBB heeft het besluit al genomen of ingetrokken."
            )
        return await decision_page(request, decisions, objections, caller, decision_id, form=form, status=status,
                                   attached=objection_attachments)

    @post("/bezwaren/{objection_id:uuid}/intrekken")
    async def withdraw_objection(
        self, request: Request[Any, Any, Any], objection_id: FromPath[UUID], session: DbSession,
        objections: NamedDependency[ObjectionService], caller: CurrentCaller,
    ) -> Redirect:
        decision_id = (await objections.get(objection_id, caller)).decision_id
        async with service_call(session, Conflict) as outcome:
            await objections.withdraw(objection_id, caller)
        flash = OBJECTION_WITHDRAWN if outcome.refusal is None else NOT_WITHDRAWN
        return redirect(request, f"/portaal/besluiten/{decision_id}#bezwaar", flash=flash)


def objection_refused(refusal: Exception) -> tuple[str, int]:
    if isinstance(refusal, ObjectionTermPassed):
        deadline = refusal.extra.get("deadline")
        day = long_date(date.fromisoformat(deadline)) if deadline else "de einddatum"
        return f"De bezwaartermijn is verstreken op {day}. U kunt tegen dit besluit geen bezwaar meer maken.", 422
    if isinstance(refusal, ObjectionDecided):
        return ("SBB heeft al beslist op uw bezwaar tegen dit besluit. Tegen die beslissing kunt u beroep instellen "
                "bij de rechtbank, geen nieuw bezwaar (artikel 7:1 Awb); hoe, staat in de brief.", 409)
    if isinstance(refusal, InvalidTransition):
        return "Tegen dit besluit kunt u geen bezwaar (meer) maken.", 409
    if isinstance(refusal, Conflict):
        return "U heeft al bezwaar gemaakt tegen dit besluit. Dat bezwaar is nog in behandeling.", 409
    return "Dit besluit is in uw voordeel; daar kunt u geen bezwaar tegen maken.", 422


async def decision_page(
    request: Request[Any, Any, Any], decisions: DecisionService, objections: ObjectionService, caller: Caller,
    decision_id: UUID, *, attached: ObjectionAttachmentService, form: Form | None = None, status: int = 200,
) -> Template:
    """The decision as its letter reads, with what the company can do now (read again: a refused change rolled
    back and expired what was read)."""
    decision = await decisions.read(decision_id, caller)
    filed, _ = await objections.list(caller, decision_id=decision_id)
    today = clock.today()
    pending = any(o.status is ObjectionStatus.PENDING for o in filed)
    decided = any(o.status in OBJECTION_DECIDED for o in filed)
    may_object = objectable(decision, pending, today, decided=decided) is None
    may_respond = decision.status is DecisionStatus.INTENDED and decision.response_received_at is None
    if form is None and (may_object or may_respond):
        form = Form(OBJECTION_FIELDS if may_object else RESPONSE_FIELDS)
    letter_kind = await _letter_kind(decisions, decision)
    letter = await decisions.letter_of(decision, caller, LetterKind(letter_kind)) if letter_kind else None
    # A refused form stays on the page with its message, even where it could no longer be sent.
    objection_form = form if form is not None and "grounds" in form.values else None
    return show(
        request, "portal/decision.html", title=vocabulary.decision_heading(decision.kind, decision.status),
        decision=decision, recognitions=await decisions.recognitions(decision_id), objections=filed, today=today,
        objection_form=objection_form,
        response_form=form if form is not None and "text" in form.values else None,
        term_passed=decision.objection_deadline is not None and today > decision.objection_deadline,
        adverse=decision.kind in ADVERSE, status_code=status, letter_kind=letter_kind,
        letter_body=body_of(letter.html) if letter else None,
        staged=await attached.staged(decision_id, caller) if objection_form else [],
        files=await attached.for_objections([o.id for o in filed], caller),
        max_files=attachments.MAX_FILES,
        criterion=await decisions.criterion_of(decision),
    )


async def _letter_kind(decisions: DecisionService, decision: Decision) -> str | None:
    """Which letter the company can download here, if one was kept (decisions sent before letters were: none)."""
    kind = LetterKind.INTENDED_DECISION if decision.status is DecisionStatus.INTENDED else LetterKind.DECISION
    return kind.value if await decisions.has_letter(decision, kind) else None
