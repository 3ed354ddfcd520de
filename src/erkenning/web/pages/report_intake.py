"""Staff enter a report that reached SBB outside the service (nieuwe melding): by phone, e-mail or letter,
from an anti-discrimination agency or a municipality, through the contact form; with its channel and the day
it was received. The rules are `AdviserReportCreate`'s and `ReportIntake.from_adviser`'s, as in the API."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import URLEncodedBody
from litestar.response import Redirect, Template

from erkenning import vocabulary
from erkenning.core import clock
from erkenning.core.caller import ADVISER_ROLES
from erkenning.http.dependencies import CurrentCaller
from erkenning.http.guards import requires
from erkenning.reports.models import ADVISER_CHANNELS, Channel
from erkenning.reports.schemas import AdviserReportCreate
from erkenning.reports.services.intake import ReportIntake
from erkenning.web.forms import Field, Form
from erkenning.web.pages.report_fields import COMPANY_FIELDS, FACT_FIELDS, NARRATIVE, REPORTER_FIELDS, validate_report
from erkenning.web.rendering import flash_message, page, redirect

ENTERED = flash_message("report-entered", "De melding is ingevoerd. Pak haar op of wijs haar toe om te beoordelen.")

RECEIPT_FIELDS = (
    Field("channel", "Hoe kwam de melding binnen?", kind="radios",
          options=vocabulary.options(Channel, ADVISER_CHANNELS, capitals=True),
          missing="Kies hoe de melding binnenkwam.", invalid="Kies hoe de melding binnenkwam."),
    Field("received_on", "Datum van ontvangst", kind="date", width="s",
          hint="De dag waarop SBB de melding ontving: niet in de toekomst, niet vóór de datum van het voorval.",
          missing="Vul de datum van ontvangst in.",
          invalid="Vul een datum van ontvangst in die niet in de toekomst ligt en niet vóór de datum van het voorval."),
)
CONFIDENTIAL_FIELDS = (*REPORTER_FIELDS, NARRATIVE)
FIELDS = (*RECEIPT_FIELDS, *COMPANY_FIELDS, *FACT_FIELDS, *CONFIDENTIAL_FIELDS)


def _form_page(request: Request[Any, Any, Any], form: Form, status: int = 200) -> Template:
    return page(
        request, "reports/new.html", title="Nieuwe melding", form=form, status_code=status,
        receipt_fields=[f.name for f in RECEIPT_FIELDS], company_fields=[f.name for f in COMPANY_FIELDS],
        fact_fields=[f.name for f in FACT_FIELDS], confidential_fields=[f.name for f in CONFIDENTIAL_FIELDS],
    )


class ReportIntakePages(Controller):
    path = "/meldingen/nieuw"
    guards = [requires(*ADVISER_ROLES)]

    @get("/", name="report_new")
    async def new(self, request: Request[Any, Any, Any]) -> Template:
        return _form_page(request, Form(FIELDS, {"received_on": clock.today().isoformat()}))

    @post("/")
    async def create(
        self, request: Request[Any, Any, Any], data: URLEncodedBody[dict[str, str]],
        intake: NamedDependency[ReportIntake], caller: CurrentCaller,
    ) -> Template | Redirect:
        form = Form(FIELDS, data)
        if form.values["channel"] not in {c.value for c in ADVISER_CHANNELS}:  # schools and the public: own routes
            form.error("channel", form["channel"].missing_message())
        payload = validate_report(form, AdviserReportCreate, CONFIDENTIAL_FIELDS)
        if payload is None or form.has_errors:
            return _form_page(request, form, 422)
        report = await intake.from_adviser(payload, caller)
        return redirect(request, f"/meldingen/{report.id}", flash=ENTERED)
