"""The company's objection (bezwaar) in steps: the form with its grounds and attachments, a check of the
answers, the confirmation with what happens next, and withdrawing after a confirmation.

The form sits on the decision's page (`portal.py`). Sending it keeps the attached files as staged (in
PostgreSQL, `objection_attachment` without an objection) and shows the answers to check; only "Bezwaar
versturen" files the objection (art. 6:4 Awb: an objection is made by sending a bezwaarschrift; art. 6:5:
it states the grounds) with those files. Every file is judged by its content (PDF, PNG, JPEG), its size and
their count before anything is kept; a refused file is named beside the field and nothing of that upload is
kept.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Response, Template

from erkenning.core import clock
from erkenning.core.caller import Role
from erkenning.core.errors import Conflict, DomainError, PayloadTooLarge, Unprocessable
from erkenning.http.dependencies import CurrentCaller, DbSession
from erkenning.http.guards import requires
from erkenning.recognition import attachments, objection_dates
from erkenning.recognition.controllers.attachments import download
from erkenning.recognition.models import OBJECTION_DECIDED, ObjectionStatus
from erkenning.recognition.objection_schemas import ObjectionCreate
from erkenning.recognition.services.decisions import DecisionService
from erkenning.recognition.services.objection_attachments import (
    AttachmentEmpty,
    AttachmentTooLarge,
    AttachmentTypeRefused,
    ObjectionAttachmentService,
    TooManyAttachments,
    Upload,
    objectable,
)
from erkenning.recognition.services.objections import ObjectionService
from erkenning.web import wording
from erkenning.web.actions import service_call
from erkenning.web.forms import Form
from erkenning.web.pages import portal
from erkenning.web.rendering import flash_message, page, redirect

# Art. 7:10 Awb: SBB decides within six weeks after the objection term ended (twelve with an advisory committee).
MAX_MB = attachments.MAX_BYTES // (1024 * 1024)
# The grounds alone (20,000 characters, url-encoded: up to 12 bytes each for a four-byte character).
TEXT_BODY_BYTES = 256 * 1024

OBJECTION_FIELDS = portal.OBJECTION_FIELDS
FILES = OBJECTION_FIELDS[-1]

OBJECTED = flash_message("portal-objected", "Uw bezwaar is ontvangen. U krijgt een bevestiging per e-mail.")
WITHDRAWN = portal.OBJECTION_WITHDRAWN
NOT_WITHDRAWN = portal.NOT_WITHDRAWN


def _file_refused(refusal: DomainError) -> str:
    """The Dutch sentence for a refused upload, beside the field."""
    name = refusal.extra.get("filename") or "Het bestand"
    if isinstance(refusal, AttachmentTypeRefused):
        return f"{name} is geen PDF, PNG of JPEG. Voeg alleen PDF-bestanden of afbeeldingen (PNG, JPEG) toe."
    if isinstance(refusal, AttachmentTooLarge):
        return f"{name} is groter dan {MAX_MB} MB. Maak het bestand kleiner of splits het."
    if isinstance(refusal, TooManyAttachments):
        return f"U kunt hoogstens {attachments.MAX_FILES} bestanden toevoegen. Verwijder er eerst een."
    if isinstance(refusal, AttachmentEmpty):
        return f"{name} is leeg. Kies het bestand opnieuw."
    return "Het bestand kon niet worden toegevoegd."


async def _uploads(request: Request[Any, Any, Any]) -> tuple[dict[str, str], list[Upload]]:
    """The form's text fields and the files chosen (an empty file input sends a nameless, empty part)."""
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    files = [v for v in form.getall(FILES.name) if isinstance(v, UploadFile)] if FILES.name in form else []
    return values, [Upload(f.filename, await f.read()) for f in files if f.filename]


class PortalObjectionPages(Controller):
    """Bezwaar maken, controleren, versturen, bekijken en intrekken."""

    path = "/portaal"
    guards = [requires(Role.COMPANY)]

    @post("/besluiten/{decision_id:uuid}/bezwaar", request_max_body_size=attachments.MAX_BODY_BYTES)
    async def check(
        self, request: Request[Any, Any, Any], decision_id: FromPath[UUID], session: DbSession,
        decisions: NamedDependency[DecisionService], objections: NamedDependency[ObjectionService],
        objection_attachments: NamedDependency[ObjectionAttachmentService], caller: CurrentCaller,
    ) -> Template:
        """Step 1 → 2: keep the chosen files (staged) and show the answers to check before sending."""
        decision = await decisions.get(decision_id, caller)  # a foreign id is 404 before anything
        values, uploads = await _uploads(request)
        form = Form(OBJECTION_FIELDS, values)
        payload = form.validate(ObjectionCreate, only=("grounds",))
        filed, _ = await objections.list(caller, decision_id=decision_id)
        pending = any(o.status is ObjectionStatus.PENDING for o in filed)
        decided = any(o.status in OBJECTION_DECIDED for o in filed)
        if (refusal := objectable(decision, pending, clock.today(), decided=decided)) is not None:
            form.message, status = portal.objection_refused(refusal)
            return await portal.decision_page(request, decisions, objections, caller, decision_id, form=form,
                                              status=status, attached=objection_attachments)
        if uploads:
            async with service_call(session, AttachmentTypeRefused, PayloadTooLarge, Unprocessable) as outcome:
                await objection_attachments.stage(decision_id, uploads, caller)
            if outcome.refusal is not None:
                form.error(FILES.name, _file_refused(outcome.refusal))
        if payload is None or form.has_errors:
            return await portal.decision_page(request, decisions, objections, caller, decision_id, form=form,
                                              status=422, attached=objection_attachments)
        return page(
            request, "portal/objection_check.html", title="Controleer uw bezwaar", decision=decision,
            grounds=payload.grounds, staged=await objection_attachments.staged(decision_id, caller),
            words=wording,
        )

    @post("/besluiten/{decision_id:uuid}/bezwaar/wijzigen", request_max_body_size=TEXT_BODY_BYTES)
    async def change(
        self, request: Request[Any, Any, Any], decision_id: FromPath[UUID], decisions: NamedDependency[DecisionService],
        objections: NamedDependency[ObjectionService],
        objection_attachments: NamedDependency[ObjectionAttachmentService], caller: CurrentCaller,
    ) -> Template:
        """Back from the check to the form, the grounds kept (and the files: they stay staged)."""
        values, _ = await _uploads(request)
        form = Form(OBJECTION_FIELDS, values)
        return await portal.decision_page(request, decisions, objections, caller, decision_id, form=form,
                                          attached=objection_attachments)

    @post("/besluiten/{decision_id:uuid}/bijlagen/{attachment_id:uuid}/verwijderen",
          request_max_body_size=attachments.MAX_BODY_BYTES)
    async def unstage(
        self, request: Request[Any, Any, Any], decision_id: FromPath[UUID], attachment_id: FromPath[UUID],
        decisions: NamedDependency[DecisionService], objections: NamedDependency[ObjectionService],
        objection_attachments: NamedDependency[ObjectionAttachmentService], caller: CurrentCaller,
    ) -> Template:
        """Drop a file chosen earlier; the form comes back with what was typed."""
        values, _ = await _uploads(request)
        await objection_attachments.unstage(decision_id, attachment_id, caller)
        form = Form(OBJECTION_FIELDS, values)
        return await portal.decision_page(request, decisions, objections, caller, decision_id, form=form,
                                          attached=objection_attachments)

    @post("/besluiten/{decision_id:uuid}/bezwaar/versturen", request_max_body_size=TEXT_BODY_BYTES)
    async def send(
        self, request: Request[Any, Any, Any], decision_id: FromPath[UUID], session: DbSession,
        decisions: NamedDependency[DecisionService], objections: NamedDependency[ObjectionService],
        objection_attachments: NamedDependency[ObjectionAttachmentService], caller: CurrentCaller,
    ) -> Template | Redirect:
        """Step 2 → 3: file the objection with its staged files; on to its confirmation."""
        await decisions.get(decision_id, caller)
        values, _ = await _uploads(request)
        form = Form(OBJECTION_FIELDS, values)
        payload = form.validate(ObjectionCreate, only=("grounds",))
        status = 422
        if payload is not None:
            async with service_call(session, Conflict, Unprocessable) as outcome:
                filed = await objection_attachments.file(decision_id, payload.grounds, caller)
            if outcome.refusal is None:
                return redirect(request, f"/portaal/bezwaren/{filed.id}", flash=OBJECTED)
            form.message, status = portal.objection_refused(outcome.refusal)
        return await portal.decision_page(request, decisions, objections, caller, decision_id, form=form,
                                          status=status, attached=objection_attachments)

    @get("/bezwaren/{objection_id:uuid}", name="portal_objection")
    async def objection(
        self, request: Request[Any, Any, Any], objection_id: FromPath[UUID],
        decisions: NamedDependency[DecisionService], objections: NamedDependency[ObjectionService],
        objection_attachments: NamedDependency[ObjectionAttachmentService], caller: CurrentCaller,
    ) -> Template:
        """The objection with its reference, its files, and what happens next (hearing, decision term)."""
        objection = await objections.get(objection_id, caller)
        decision = await decisions.get(objection.decision_id, caller)
        return page(
            request, "portal/objection.html", title="Uw bezwaar", objection=objection, decision=decision,
            files=await objection_attachments.list(objection_id, caller),
            # The term as the objection keeps it (extended or not); for one from before it kept it, as computed.
            decided_by=objection.decide_by or objection_dates.decision_term(objections.settings, decision),
            advisory_committee=objections.settings.objection_advisory_committee, words=wording,
        )

    @get("/bezwaren/{objection_id:uuid}/intrekken", name="portal_objection_withdraw")
    async def confirm_withdrawal(
        self, request: Request[Any, Any, Any], objection_id: FromPath[UUID],
        decisions: NamedDependency[DecisionService], objections: NamedDependency[ObjectionService],
        caller: CurrentCaller,
    ) -> Template | Redirect:
        """Withdrawing asks first: it cannot be undone, and a new objection must still be within the term."""
        objection = await objections.get(objection_id, caller)
        if objection.status is not ObjectionStatus.PENDING:
            return redirect(request, f"/portaal/bezwaren/{objection_id}", flash=NOT_WITHDRAWN)
        decision = await decisions.get(objection.decision_id, caller)
        return page(request, "portal/objection_withdraw.html", title="Bezwaar intrekken", objection=objection,
                    decision=decision)

    @get("/bezwaren/{objection_id:uuid}/bijlagen/{attachment_id:uuid}", name="portal_objection_attachment")
    async def attachment(
        self, objection_id: FromPath[UUID], attachment_id: FromPath[UUID],
        objection_attachments: NamedDependency[ObjectionAttachmentService], caller: CurrentCaller,
    ) -> Response[bytes]:
        return download(await objection_attachments.get(objection_id, attachment_id, caller))
