"""The anonymous report form with its receipt code, and the receipt's status (no sign-in).

Exactly the API's rules: the same intake service, the same per-address limits, counted on every
attempt, and the sender's address kept nowhere (the API's own guard does all three). The receipt
code is shown once, on the answer to the POST; it is looked up by POST too, never in a URL.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import URLEncodedBody
from litestar.response import Template

from erkenning import vocabulary
from erkenning.core.errors import NotFound
from erkenning.http.dependencies import DbSession
from erkenning.reports.controllers import PUBLIC_MAX_BODY_BYTES, anonymous_limited
from erkenning.reports.schemas import AnonymousReportCreate, ReceiptLookup
from erkenning.reports.services.consultations import consultations_of
from erkenning.reports.services.intake import ReportIntake
from erkenning.web import nav
from erkenning.web.forms import Field, Form
from erkenning.web.pages.report_fields import COMPANY_FIELDS, FACT_FIELDS, NARRATIVE, validate_report
from erkenning.web.rendering import caller_of, page

nav.add("Melden", "/melden", set(), order=30, anonymous=True)

REPORT_FIELDS = (*COMPANY_FIELDS, *FACT_FIELDS, NARRATIVE)
RECEIPT_FIELDS = (
    Field("receipt", "Ontvangstcode", width="l", autocomplete="off",
          hint="De code die u kreeg toen u de melding deed, bijvoorbeeld 7K2M-9QXA-…",
          missing="Vul uw ontvangstcode in.",
          invalid="Een ontvangstcode bestaat uit letters, cijfers en streepjes, zoals u hem kreeg."),
)
_NO_REPORT = "We vinden geen melding met deze code. Controleer of u de code goed heeft overgenomen."

intake_limit = anonymous_limited("report-intake", "report_intake_limit", "report_intake_window_s")
receipt_limit = anonymous_limited("report-receipt", "report_receipt_limit", "report_receipt_window_s")


def _form_page(request: Request[Any, Any, Any], form: Form, status: int = 200) -> Template:
    return page(request, "public/report_form.html", title="Discriminatie bij een stage melden", form=form,
                company_fields=[f.name for f in COMPANY_FIELDS], fact_fields=[f.name for f in FACT_FIELDS],
                signed_in=caller_of(request) is not None, status_code=status)


class PublicReportPages(Controller):
    """Anoniem melden en de status van een melding."""

    path = "/melden"

    @get("/", name="report_anonymous")
    async def form(self, request: Request[Any, Any, Any]) -> Template:
        return _form_page(request, Form(REPORT_FIELDS))

    @post("/", guards=[intake_limit], request_max_body_size=PUBLIC_MAX_BODY_BYTES)
    async def submit(
        self, request: Request[Any, Any, Any], data: URLEncodedBody[dict[str, str]],
        intake: NamedDependency[ReportIntake],
    ) -> Template:
        form = Form(REPORT_FIELDS, data)
        payload = validate_report(form, AnonymousReportCreate, (NARRATIVE,))
        if payload is None:
            return _form_page(request, form, 422)
        report, code = await intake.anonymous(payload)
        status = (vocabulary.term(report.coarse_status), vocabulary.tone(report.coarse_status))
        # Shown on this answer only: the code is not stored, so it cannot be shown again.
        return page(request, "public/receipt.html", title="Uw melding is ontvangen", receipt=code, status=status,
                    status_code=201)

    @get("/status", name="report_status")
    async def status_form(self, request: Request[Any, Any, Any]) -> Template:
        return page(request, "public/receipt_status.html", title="Status van uw melding", form=Form(RECEIPT_FIELDS),
                    found=None)

    @post("/status", guards=[receipt_limit], request_max_body_size=1024)
    async def status(
        self, request: Request[Any, Any, Any], data: URLEncodedBody[dict[str, str]], session: DbSession,
        intake: NamedDependency[ReportIntake],
    ) -> Template:
        form = Form(RECEIPT_FIELDS, data)
        lookup = form.validate(ReceiptLookup)
        found, code, consulted = None, 422, []
        if lookup is not None:
            try:
                report = await intake.status_by_receipt(lookup.receipt)
                found, code = report.coarse_status, 200
                # GDPR art. 15: the day and purpose of each consultation of the reporter's data, no one named.
                consulted = [(c.on, vocabulary.term(c.purpose))
                             for c in (await consultations_of(session, report)).consultations]
            except NotFound:
                form.error("receipt", _NO_REPORT)
                code = 404
        form.values["receipt"] = ""  # the code is a secret: not sent back, not even into the field
        return page(request, "public/receipt_status.html", title="Status van uw melding", form=form,
                    found=found and (vocabulary.term(found), vocabulary.tone(found)), coarse=found, consulted=consulted,
                    status_code=code)
