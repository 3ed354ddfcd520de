"""The anonymous report form with its receipt code, the receipt's status with SBB's questions about the
company's side (wederhoor) and the reporter's reaction, and the privacy statement (no sign-in).

Exactly the API's rules: the same intake and reaction services, the same per-address limits, counted on
every attempt, and the sender's address kept nowhere (the API's own guard does all three). The receipt
code is shown once, on the answer to the POST; it is looked up by POST too, never in a URL, and is asked
again to react (it is not put back into any page).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import QueryParameter, URLEncodedBody
from litestar.response import Template

from erkenning import vocabulary
from erkenning.core.errors import InvalidTransition, NotFound
from erkenning.core.states import GuardRefused
from erkenning.http.dependencies import DbSession, SettingsDep
from erkenning.reports.controllers import PUBLIC_MAX_BODY_BYTES, anonymous_limited
from erkenning.reports.schemas import AnonymousReportCreate, ReceiptLookup
from erkenning.reports.services.consultations import consultations_of
from erkenning.reports.services.intake import ReportIntake
from erkenning.reports.services.where_to_report import WhereToReportService
from erkenning.reports.structure_schemas import WhereToReport
from erkenning.web import nav
from erkenning.web.actions import service_call
from erkenning.web.forms import Field, Form
from erkenning.web.pages import reporting_points
from erkenning.web.pages.report_fields import COMPANY_FIELDS, FACT_FIELDS, OWN_NARRATIVE, validate_report
from erkenning.web.pages.reporting_points import LOOKUP_FIELDS
from erkenning.web.privacy import statement
from erkenning.web.rendering import caller_of, page
from erkenning.workflows.controllers.reporting_side import RECEIPT_REACTION_MAX_BODY_BYTES
from erkenning.workflows.schemas import ReceiptReactionIn
from erkenning.workflows.services.reporter_reactions import ReporterReactionService

nav.add("Melden", "/melden", set(), order=30, anonymous=True)

REPORT_FIELDS = (*COMPANY_FIELDS, *FACT_FIELDS, OWN_NARRATIVE)
RECEIPT_FIELDS = (
    Field("receipt", "Ontvangstcode", width="l", autocomplete="off",
          hint="De code die u kreeg toen u de melding deed, bijvoorbeeld 7K2M-9QXA-…",
          missing="Vul uw ontvangstcode in.",
          invalid="Een ontvangstcode bestaat uit letters, cijfers en streepjes, zoals u hem kreeg."),
)
_NO_REPORT = "We vinden geen melding met deze code. Controleer of u de code goed heeft overgenomen."
REACTION_FIELDS = (
    replace(RECEIPT_FIELDS[0], form_id="reactie"),
    Field("reaction", "Uw reactie", kind="textarea", form_id="reactie",
          hint="Wat wilt u SBB laten weten over wat het bedrijf zegt? Noem geen namen. Hoogstens 2.000 tekens.",
          missing="Schrijf uw reactie op.",
          invalid="Uw reactie mag hoogstens 2.000 tekens lang zijn."),
)
_CLOSED = "Reageren kan niet meer: u heeft al gereageerd, of de termijn is voorbij."
_NO_QUESTION = "SBB heeft u over deze melding niets gevraagd. Controleer of u de code goed heeft overgenomen."

intake_limit = anonymous_limited("report-intake", "report_intake_limit", "report_intake_window_s")
receipt_limit = anonymous_limited("report-receipt", "report_receipt_limit", "report_receipt_window_s")


def _form_page(
    request: Request[Any, Any, Any], form: Form, status: int = 200, *, lookup: Form | None = None,
    found: WhereToReport | None = None,
) -> Template:
    return page(request, "public/report_form.html", title="Discriminatie bij een stage melden", form=form,
                company_fields=[f.name for f in COMPANY_FIELDS], fact_fields=[f.name for f in FACT_FIELDS],
                signed_in=caller_of(request) is not None, privacy=_privacy(request),
                lookup=lookup or Form(LOOKUP_FIELDS), found=found, status_code=status)


def _privacy(request: Request[Any, Any, Any]) -> Any:
    return statement(request.app.state.runtime.settings)


class PrivacyPage(Controller):
    """De privacyverklaring bij meldingen (AVG, artikel 13)."""

    path = "/privacy"

    @get("/", name="privacy")
    async def show(self, request: Request[Any, Any, Any], settings: SettingsDep) -> Template:
        return page(request, "public/privacy.html", title="Privacyverklaring", p=statement(settings))


class PublicReportPages(Controller):
    """Anoniem melden en de status van een melding."""

    path = "/melden"

    @get("/", name="report_anonymous")
    async def form(
        self, request: Request[Any, Any, Any], where_to_report: NamedDependency[WhereToReportService],
        school: Annotated[str | None, QueryParameter(max_length=200)] = None,
        postcode: Annotated[str | None, QueryParameter(max_length=10)] = None,
    ) -> Template:
        """First where a student can report (the school's reporting point, the regional ADV), then SBB's form."""
        lookup, found = await reporting_points.where_to_report(request, where_to_report, school, postcode)
        return _form_page(request, Form(REPORT_FIELDS), 400 if lookup.has_errors else 200, lookup=lookup,
                          found=found)

    @post("/", guards=[intake_limit], request_max_body_size=PUBLIC_MAX_BODY_BYTES)
    async def submit(
        self, request: Request[Any, Any, Any], data: URLEncodedBody[dict[str, str]],
        intake: NamedDependency[ReportIntake],
    ) -> Template:
        form = Form(REPORT_FIELDS, data)
        payload = validate_report(form, AnonymousReportCreate, (OWN_NARRATIVE,))
        if payload is None:
            return _form_page(request, form, 422)
        report, code = await intake.anonymous(payload)
        status = (vocabulary.term(report.coarse_status), vocabulary.tone(report.coarse_status))
        # Shown on this answer only: the code is not stored, so it cannot be shown again.
        return page(request, "public/receipt.html", title="Uw melding is ontvangen", receipt=code, status=status,
                    privacy=_privacy(request), status_code=201)

    @get("/status", name="report_status")
    async def status_form(self, request: Request[Any, Any, Any]) -> Template:
        return page(request, "public/receipt_status.html", title="Status van uw melding", form=Form(RECEIPT_FIELDS),
                    found=None, privacy=_privacy(request))

    @post("/status", guards=[receipt_limit], request_max_body_size=1024)
    async def status(
        self, request: Request[Any, Any, Any], data: URLEncodedBody[dict[str, str]], session: DbSession,
        intake: NamedDependency[ReportIntake], reporter_reactions: NamedDependency[ReporterReactionService],
    ) -> Template:
        form = Form(RECEIPT_FIELDS, data)
        lookup = form.validate(ReceiptLookup)
        code = 422
        if lookup is not None:
            try:
                return await _status_page(request, session, intake, reporter_reactions, lookup.receipt)
            except NotFound:
                form.error("receipt", _NO_REPORT)
                code = 404
        form.values["receipt"] = ""  # the code is a secret: not sent back, not even into the field
        return page(request, "public/receipt_status.html", title="Status van uw melding", form=form, found=None,
                    privacy=_privacy(request), status_code=code)

    @post("/reactie", guards=[receipt_limit], request_max_body_size=RECEIPT_REACTION_MAX_BODY_BYTES)
    async def react(
        self, request: Request[Any, Any, Any], data: URLEncodedBody[dict[str, str]], session: DbSession,
        intake: NamedDependency[ReportIntake], reporter_reactions: NamedDependency[ReporterReactionService],
    ) -> Template:
        """The reporter's reaction to SBB's question (wederhoor), with the receipt code typed again."""
        form = Form(REACTION_FIELDS, data)
        given = form.validate(ReceiptReactionIn)
        code, refusal = 422, None
        if given is not None:
            try:
                await intake.status_by_receipt(given.receipt)
            except NotFound:
                form.error("receipt", _NO_REPORT)
                code = 404
            else:
                async with service_call(session, NotFound, InvalidTransition, GuardRefused) as outcome:
                    await reporter_reactions.answer_by_receipt(given.receipt, given.reaction)
                if outcome.refusal is None:
                    return await _status_page(request, session, intake, reporter_reactions, given.receipt,
                                              reacted=True)
                code = outcome.refusal.status_code
                refusal = _NO_QUESTION if isinstance(outcome.refusal, NotFound) else _CLOSED
        form.values["receipt"] = ""
        return page(request, "public/reaction.html", title="Reageren op de vraag van SBB", form=form,
                    refusal=refusal, privacy=_privacy(request), status_code=code)


async def _status_page(
    request: Request[Any, Any, Any], session: Any, intake: ReportIntake, reactions: ReporterReactionService,
    receipt: str, *, reacted: bool = False,
) -> Template:
    """The report's coarse status, what SBB asks the reporter, and who consulted its data (NotFound: no such code)."""
    report = await intake.status_by_receipt(receipt)
    found = report.coarse_status
    # GDPR art. 15: the day and purpose of each consultation of the reporter's data, no one named.
    consulted = [(c.on, vocabulary.term(c.purpose)) for c in (await consultations_of(session, report)).consultations]
    asked = await reactions.for_receipt(receipt)
    reaction_form = Form(REACTION_FIELDS) if any(a.open_for_reaction for a in asked) else None
    return page(request, "public/receipt_status.html", title="Status van uw melding", form=Form(RECEIPT_FIELDS),
                found=(vocabulary.term(found), vocabulary.tone(found)), coarse=found, consulted=consulted,
                asked=asked, reaction_form=reaction_form, reacted=reacted, privacy=_privacy(request),
                status_code=200)
