"""Hearing requests in the company portal (hoor en wederhoor): SBB's question, the deadline, the answer.

The company sees only the question put to it, never the reports behind it (the investigation's scope
admits a company only to a case with a hearing request, and `hearing_view` shows just that).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.core.caller import Caller, Role
from erkenning.core.errors import Conflict
from erkenning.http.dependencies import CurrentCaller, DbSession
from erkenning.http.guards import requires
from erkenning.web import nav
from erkenning.web.actions import service_call
from erkenning.web.forms import Field, Form
from erkenning.web.privacy import statement
from erkenning.web.rendering import flash_message, page, redirect
from erkenning.workflows import queries
from erkenning.workflows.schemas import AnswerIn
from erkenning.workflows.services.investigations import InvestigationService

ANSWERED = flash_message("portal-hearing-answered", "Uw reactie is ontvangen. SBB neemt die mee in het onderzoek.")
_CLOSED = "Reageren kan niet meer: u heeft al gereageerd, of de termijn is voorbij."

ANSWER_FIELDS = (
    Field("answer", "Uw reactie", kind="textarea",
          hint="Schrijf op wat er volgens u is gebeurd en wat u eraan doet. Hoogstens 10.000 tekens.",
          missing="Schrijf uw reactie op.", invalid="Uw reactie mag hoogstens 10.000 tekens lang zijn."),
)

nav.add("Reactieverzoeken", "/portaal/reactieverzoeken", {Role.COMPANY}, order=40)


async def _hearing_page(
    request: Request[Any, Any, Any], session: AsyncSession, investigations: InvestigationService, caller: Caller,
    case_id: UUID, *, form: Form | None = None, status: int = 200,
) -> Template:
    case = await investigations.get(case_id, caller)
    hearing = await queries.hearing_view(session, case, caller)
    if form is None and hearing.open_for_answer:
        form = Form(ANSWER_FIELDS)
    return page(request, "portal/hearing.html", title="Verzoek om uw reactie", hearing=hearing, form=form,
                privacy=statement(request.app.state.runtime.settings), status_code=status)


class PortalHearingPages(Controller):
    """Verzoeken om een zienswijze in een onderzoek."""

    path = "/portaal/reactieverzoeken"
    guards = [requires(Role.COMPANY)]

    @get("/", name="portal_hearings")
    async def list_(self, request: Request[Any, Any, Any], session: DbSession, caller: CurrentCaller) -> Template:
        return page(request, "portal/hearings.html", title="Reactieverzoeken",
                    hearings=await queries.company_hearings(session, caller))

    @get("/{case_id:uuid}", name="portal_hearing")
    async def one(
        self, request: Request[Any, Any, Any], case_id: FromPath[UUID], session: DbSession,
        investigations: NamedDependency[InvestigationService], caller: CurrentCaller,
    ) -> Template:
        return await _hearing_page(request, session, investigations, caller, case_id)

    @post("/{case_id:uuid}")
    async def answer(
        self, request: Request[Any, Any, Any], case_id: FromPath[UUID], data: URLEncodedBody[dict[str, str]],
        session: DbSession, investigations: NamedDependency[InvestigationService], caller: CurrentCaller,
    ) -> Template | Redirect:
        await investigations.get(case_id, caller)  # a foreign id is 404 before anything
        form = Form(ANSWER_FIELDS, data)
        payload = form.validate(AnswerIn)
        status = 422
        if payload is not None:
            async with service_call(session, Conflict) as outcome:
                await investigations.answer_hearing(case_id, caller, payload.answer)
            if outcome.refusal is None:
                return redirect(request, f"/portaal/reactieverzoeken/{case_id}", flash=ANSWERED)
            form.message, status = _CLOSED, 409
        return await _hearing_page(request, session, investigations, caller, case_id, form=form, status=status)
