"""The reporting structure on the web: a school keeps its own reporting point (meldpunt) at `/school/meldpunt`,
and SBB staff see at `/monitoring/meldpunten` every reporting point (advisers mark one checked), the known
schools that have none (the Stagepact indicator of the reporting structure), and the regional ADVs (admins
change those through the API). The public part, finding the
school's reporting point and the regional ADV, is on the report page (`public_reports`)."""

from __future__ import annotations

import re
from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from erkenning.core.caller import ADVISER_ROLES, STAFF_ROLES, Caller, Role
from erkenning.core.errors import NotFound, StaleVersion, ValidationFailed
from erkenning.http.dependencies import CurrentCaller, DbSession
from erkenning.http.guards import requires
from erkenning.reports.services.advs import AdvService
from erkenning.reports.services.reporting_points import ReportingPointService
from erkenning.reports.services.where_to_report import WhereToReportService
from erkenning.reports.structure_controllers import where_to_report_quota
from erkenning.reports.structure_schemas import BRIN_PATTERN, ReportingPointWrite, WhereToReport
from erkenning.web import nav
from erkenning.web.actions import service_call
from erkenning.web.forms import Field, Form
from erkenning.web.rendering import after_change, flash_message, page, redirect

SAVED = flash_message("reporting-point-saved",
                      "Het meldpunt is opgeslagen. SBB controleert het; tot dan staat het als niet gecontroleerd.")
CHECKED = flash_message("reporting-point-checked", "Het meldpunt staat als gecontroleerd door SBB.")
_STALE = "De school heeft het meldpunt intussen gewijzigd. Bekijk het opnieuw en controleer dan."
FIELDS = (
    Field("school_name", "Naam van de school", width="l", autocomplete="organization",
          invalid="Vul de naam in: hoogstens 200 tekens."),
    Field("municipality", "Gemeente van de school", width="m",
          hint="Hieraan zien studenten welke antidiscriminatievoorziening bij de school hoort.",
          invalid="Vul de naam van een gemeente in, zoals Utrecht of 's-Gravenhage."),
    Field("email", "E-mailadres van het meldpunt", kind="email", required=False, width="l", autocomplete="off",
          invalid="Vul een e-mailadres in, zoals meldpunt@school.nl."),
    Field("phone", "Telefoonnummer", required=False, width="m", inputmode="tel", autocomplete="off",
          invalid="Vul een telefoonnummer in: cijfers, spaties, ( ) en -, eventueel met + ervoor."),
    Field("url", "Webpagina van het meldpunt", required=False, width="l", inputmode="url", autocomplete="off",
          hint="Een adres dat begint met https://.", invalid="Vul een adres in dat begint met https://."),
    Field("hours", "Openingstijden of toelichting", kind="textarea", required=False,
          hint="Bijvoorbeeld wanneer het meldpunt bereikbaar is, of bij wie een student terechtkan.",
          invalid="Hoogstens 500 tekens, zonder bijzondere tekens."),
)
# A model validator's English message, on a field in Dutch.
_KNOWN = {"at least one of": ("email", "Vul ten minste een e-mailadres, een telefoonnummer of een webpagina in.")}

nav.add("Meldpunt", "/school/meldpunt", {Role.SCHOOL}, order=45)


def _brin(caller: Caller) -> str:
    assert caller.school_brin is not None, "school pages are guarded by role"
    return caller.school_brin


class SchoolReportingPointPages(Controller):
    """Het meldpunt van de school: zelf bijhouden."""

    path = "/school/meldpunt"
    guards = [requires(Role.SCHOOL)]

    @get("/", name="school_reporting_point")
    async def show(
        self, request: Request[Any, Any, Any], reporting_points: NamedDependency[ReportingPointService],
        caller: CurrentCaller,
    ) -> Template:
        try:
            current = await reporting_points.get(_brin(caller), caller)
        except NotFound:
            current = None
        form = Form.from_object(FIELDS, current) if current else Form(FIELDS)
        return page(request, "school/reporting_point.html", title="Meldpunt van de school", form=form,
                    current=current, brin=_brin(caller))

    @post("/")
    async def save(
        self, request: Request[Any, Any, Any], data: URLEncodedBody[dict[str, str]],
        reporting_points: NamedDependency[ReportingPointService], caller: CurrentCaller,
    ) -> Template | Redirect:
        form = Form(FIELDS, data)
        payload = form.validate(ReportingPointWrite, known=_KNOWN)
        if payload is None:
            return page(request, "school/reporting_point.html", title="Meldpunt van de school", form=form,
                        current=None, brin=_brin(caller), status_code=422)
        await reporting_points.save(_brin(caller), payload, caller)
        return redirect(request, "/school/meldpunt", flash=SAVED)


class ReportingPointPages(Controller):
    """Meldpunten van scholen, voor SBB: controleren, en welke bekende scholen er geen hebben."""

    path = "/monitoring/meldpunten"
    guards = [requires(*STAFF_ROLES)]

    async def _page(
        self, request: Request[Any, Any, Any], reporting_points: ReportingPointService, advs: AdvService,
        caller: Caller, refusal: str | None = None, status: int = 200,
    ) -> Template:
        rows, total = await reporting_points.listing(limit=500)
        return page(request, "monitoring/reporting_points.html", title="Meldpunten van scholen", rows=rows,
                    total=total, coverage=await reporting_points.coverage(), advs=await advs.all(), refusal=refusal,
                    may_check=caller.role in ADVISER_ROLES, status_code=status)

    @get("/", name="reporting_points")
    async def list_(
        self, request: Request[Any, Any, Any], reporting_points: NamedDependency[ReportingPointService],
        advs: NamedDependency[AdvService], caller: CurrentCaller,
    ) -> Template:
        return await self._page(request, reporting_points, advs, caller)

    @post("/{brin:str}/gecontroleerd", guards=[requires(*ADVISER_ROLES)])
    async def check(
        self, request: Request[Any, Any, Any], brin: FromPath[str], data: URLEncodedBody[dict[str, str]],
        session: DbSession, reporting_points: NamedDependency[ReportingPointService],
        advs: NamedDependency[AdvService], caller: CurrentCaller,
    ) -> Template | Redirect:
        version = data.get("version", "")
        if not re.fullmatch(BRIN_PATTERN, brin) or not re.fullmatch(r"[1-9][0-9]{0,6}", version):
            raise ValidationFailed([{"field": "version", "message": "the BRIN code and the version you read"}])
        async with service_call(session, NotFound, StaleVersion) as outcome:
            await reporting_points.check(brin, int(version), caller)

        async def again(refused: Any) -> Template:
            return await self._page(request, reporting_points, advs, caller, refusal=_STALE,
                                    status=refused.status_code)

        return await after_change(request, "/monitoring/meldpunten", CHECKED, outcome.refusal, again)


# ---------------------------------------------------------------- the report page's first question

LOOKUP_FIELDS = (
    Field("school", "Uw school", required=False, width="l", autocomplete="off", form_id="waar",
          hint="De naam van uw school, of de BRIN-code (twee cijfers en twee letters)."),
    Field("postcode", "Of uw postcode", required=False, width="s", autocomplete="postal-code", form_id="waar",
          hint="Bijvoorbeeld 3511 AB. Dan ziet u de antidiscriminatievoorziening bij u in de buurt."),
)
_LOOKUP_ERRORS = {
    "school": "Vul de naam van uw school (ten minste 2 letters) of de BRIN-code in, of alleen uw postcode.",
    "postcode": "Vul een postcode in zoals 3511 AB, of alleen de 4 cijfers.",
}


async def where_to_report(
    request: Request[Any, Any, Any], service: WhereToReportService, school: str | None, postcode: str | None
) -> tuple[Form, WhereToReport | None]:
    """The lookup form as asked, and its answer when something was asked (the API's service, limit and rules)."""
    form = Form(LOOKUP_FIELDS, {"school": school or "", "postcode": postcode or ""})
    if not (school or "").strip() and not (postcode or "").strip():
        return form, None
    await where_to_report_quota(request)
    try:
        return form, await service.find(school=school, postcode=postcode)
    except ValidationFailed as exc:
        for error in exc.extra.get("errors", []):
            name = error.get("field", "school")
            form.error(name, _LOOKUP_ERRORS.get(name, _LOOKUP_ERRORS["school"]))
        return form, None
