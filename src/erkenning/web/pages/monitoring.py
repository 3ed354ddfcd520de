"""Monitoring for SBB staff: the Stagepact indicators of a chosen period beside the period before, the
targets of the period's year with their verdicts, and tables with bar charts, exact or with small numbers
suppressed; the CSV and the yearly report.

The figures, the suppression, the charts and the two exports are the monitoring module's own: the
page asks `indicators.compute()` and `report.sections()` as the yearly report does, and serves the
downloads through the API's `csv_export()` and `report_export()` (audited, the report under its own
CSP). This module only turns the period form into a `period.parse()` call.
"""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get
from litestar.params import QueryParameter
from litestar.response import Template

from erkenning.core import clock
from erkenning.core.caller import STAFF_ROLES
from erkenning.core.errors import ValidationFailed
from erkenning.http.dependencies import CurrentCaller, DbSession, SettingsDep
from erkenning.http.guards import requires
from erkenning.stagepact import indicators, period, report
from erkenning.stagepact.catalogue import category_label
from erkenning.stagepact.controllers import csv_export, report_export
from erkenning.stagepact.period import FIRST_YEAR, LAST_YEAR, Period
from erkenning.stagepact.suppression import SECONDARY, SHOWN_AS, THRESHOLD
from erkenning.vocabulary import TARGET_VERDICT_TONES
from erkenning.web import nav
from erkenning.web.forms import Field, Form
from erkenning.web.rendering import page

EXACT, SUPPRESSED = "exact", "afgeschermd"
KINDS = (
    ("jaar", "Kalenderjaar"),
    ("schooljaar", "Schooljaar (1 augustus tot en met 31 juli)"),
    ("kwartaal", "Kwartaal"),
    ("datums", "Eigen begin- en einddatum"),
)
_YEAR_INVALID = f"Vul een jaar van {FIRST_YEAR} tot en met {LAST_YEAR} in, bijvoorbeeld 2025."
PERIOD_FIELDS = (
    Field("soort", "Soort periode", kind="radios", options=KINDS),
    Field("jaar", "Jaar", required=False, width="xs", inputmode="numeric", autocomplete="off",
          hint="Bij een schooljaar het jaar waarin het begint: 2025 voor 2025/2026.", invalid=_YEAR_INVALID),
    Field("kwartaal", "Kwartaal", kind="select", required=False, hint="Alleen bij een kwartaal.",
          options=(("1", "1e kwartaal (januari–maart)"), ("2", "2e kwartaal (april–juni)"),
                   ("3", "3e kwartaal (juli–september)"), ("4", "4e kwartaal (oktober–december)"))),
    Field("van", "Vanaf", kind="date", required=False, width="s", hint="Alleen bij eigen datums.",
          invalid="Vul een datum in."),
    Field("tot", "Tot en met", kind="date", required=False, width="s", hint="Alleen bij eigen datums.",
          invalid="Vul een datum in."),
    Field("weergave", "Weergave", kind="radios", options=(
        (EXACT, "Exacte aantallen (alleen binnen SBB)"),
        (SUPPRESSED, f"Publiceerbaar: aantallen onder {THRESHOLD} afgeschermd"),
    )),
)
REPORT_FIELDS = (
    Field("jaar", "Jaar van de jaarrapportage", width="xs", inputmode="numeric", autocomplete="off",
          invalid=_YEAR_INVALID, form_id="rapport"),
)
# What `period.parse` or `Period` say about a field, in Dutch, on the field of this form.
_PERIOD_ERRORS = {
    "must not be before from": ("tot", "De einddatum ligt vóór de begindatum."),
    "at most ten years": ("tot", "Een periode is hoogstens tien jaar lang."),
    "quarter": ("kwartaal", "Kies een kwartaal."),
}

Text = Annotated[str | None, QueryParameter(max_length=20)]

nav.add("Monitoring", "/monitoring", STAFF_ROLES, order=60)


def _year(form: Form, name: str) -> int | None:
    text = form.values[name].strip()
    if not text:
        form.error(name, form[name].missing_message())
        return None
    if not text.isdigit() or not FIRST_YEAR <= int(text) <= LAST_YEAR:
        form.error(name, _YEAR_INVALID)
        return None
    return int(text)


def _day(form: Form, name: str) -> date | None:
    text = form.values[name].strip()
    if not text:
        form.error(name, form[name].missing_message())
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        form.error(name, form[name].invalid or "")
        return None


def chosen_period(form: Form) -> Period | None:
    """The period the form names (through `period.parse`), or None with the errors on the form."""
    kind = form.values["soort"]
    if kind not in dict(KINDS):
        form.error("soort", "Kies de soort periode.")
    if form.values["weergave"] not in (EXACT, SUPPRESSED):
        form.error("weergave", "Kies de weergave.")
    asked: dict[str, Any] = {}
    if kind == "datums":
        first, last = _day(form, "van"), _day(form, "tot")
        asked = {"first": first, "last": last}
    elif kind in ("jaar", "schooljaar", "kwartaal"):
        year = _year(form, "jaar")
        if kind == "kwartaal" and form.values["kwartaal"] not in ("1", "2", "3", "4"):
            form.error("kwartaal", "Kies een kwartaal.")
        asked = {"year": year} if kind == "jaar" else {"school_year": year} if kind == "schooljaar" else {
            "quarter": f"{year}-Q{form.values['kwartaal']}"}
    if form.has_errors:
        return None
    try:
        return period.parse(**asked)
    except ValidationFailed as exc:
        for error in exc.extra.get("errors", []):
            name, text = next((v for part, v in _PERIOD_ERRORS.items() if part in error["message"]),
                              ("soort", "Deze periode kan niet."))
            form.error(name, text)
        return None


def _period_form(**entered: str | None) -> Form:
    """The form as asked; what is not asked: a calendar year (this one when no year is given either), exact."""
    given = {k: v for k, v in entered.items() if v}
    defaults = {"soort": "jaar", "weergave": EXACT, **({} if given else {"jaar": str(clock.today().year)})}
    return Form(PERIOD_FIELDS, {**defaults, **given})


class MonitoringPages(Controller):
    path = "/monitoring"
    guards = [requires(*STAFF_ROLES)]

    async def _page(
        self, request: Request[Any, Any, Any], session: DbSession, settings: SettingsDep, form: Form,
        report_form: Form | None = None,
    ) -> Template:
        chosen = chosen_period(form)
        report_form = report_form or Form(REPORT_FIELDS, {"jaar": str(clock.today().year - 1)})
        context: dict[str, Any] = {"form": form, "report_form": report_form, "chosen": chosen}
        if chosen is not None:
            suppressed = form.values["weergave"] == SUPPRESSED
            comparison = await indicators.compute(
                session, chosen, lead_time_weeks=settings.investigation_lead_time_weeks
            )
            rows = {r.key: r for r in comparison.rows(suppressed=suppressed)}
            goals = report.goal_lines(rows.values())
            context |= {
                "comparison": comparison,
                "suppressed": suppressed,
                "goals": goals,
                "goal_summary": report.goal_summary(goals, comparison.target_year),
                "verdict_tones": TARGET_VERDICT_TONES,
                # Drawing the charts is CPU work: off the event loop, as the yearly report does.
                "sections": await asyncio.to_thread(report.sections, chosen.label, rows),
                "csv_url": "/monitoring/indicatoren.csv?" + urlencode(
                    {k: v for k, v in form.values.items() if k != "weergave" and v}
                ),
            }
        failed = form.has_errors or report_form.has_errors
        return page(
            request, "monitoring/indicators.html", title="Monitoring", status_code=400 if failed else 200,
            shown=report.shown, category=category_label, threshold=THRESHOLD, shown_as=SHOWN_AS,
            secondary=SECONDARY, **context,
        )

    @get("/", name="monitoring")
    async def indicators_page(
        self, request: Request[Any, Any, Any], session: DbSession, settings: SettingsDep,
        soort: Text = None, jaar: Text = None, kwartaal: Text = None, van: Text = None, tot: Text = None,
        weergave: Text = None,
    ) -> Template:
        form = _period_form(soort=soort, jaar=jaar, kwartaal=kwartaal, van=van, tot=tot, weergave=weergave)
        return await self._page(request, session, settings, form)

    @get("/indicatoren.csv", name="monitoring_csv")
    async def indicators_csv(
        self, request: Request[Any, Any, Any], session: DbSession, settings: SettingsDep, caller: CurrentCaller,
        soort: Text = None, jaar: Text = None, kwartaal: Text = None, van: Text = None, tot: Text = None,
    ) -> Response[str] | Template:
        form = _period_form(soort=soort, jaar=jaar, kwartaal=kwartaal, van=van, tot=tot)
        chosen = chosen_period(form)
        if chosen is None:
            return await self._page(request, session, settings, form)
        return await csv_export(session, settings, caller, chosen)

    @get("/jaarrapportage", name="monitoring_report")
    async def yearly_report(
        self, request: Request[Any, Any, Any], session: DbSession, settings: SettingsDep, caller: CurrentCaller,
        jaar: Text = None,
    ) -> Response[str] | Template:
        report_form = Form(REPORT_FIELDS, {"jaar": jaar or ""})
        year = _year(report_form, "jaar")
        if year is None:
            return await self._page(request, session, settings, _period_form(), report_form)
        return await report_export(session, settings, caller, year)
