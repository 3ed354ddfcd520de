"""HTTP routes of the reporting structure: a school keeps its own reporting point (meldpunt), SBB staff check
them, admins keep the regional anti-discrimination agencies (ADVs), and anyone asks where to report."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Response, delete, get, post, put
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, PathParameter, QueryParameter

from erkenning.core.caller import ADVISER_ROLES, Role
from erkenning.core.paging import Limit, Offset, Page
from erkenning.core.runtime import Runtime
from erkenning.http.dependencies import CurrentCaller, provide
from erkenning.http.guards import requires
from erkenning.http.openapi import BEYOND_SCHEMA
from erkenning.reports.services.advs import AdvService
from erkenning.reports.services.reporting_points import ReportingPointService
from erkenning.reports.services.where_to_report import PLACE_PATTERN, SCHOOL_PATTERN, WhereToReportService
from erkenning.reports.structure_schemas import (
    BRIN_HELP,
    BRIN_PATTERN,
    AdvRead,
    AdvWrite,
    ReportingPointCheck,
    ReportingPointRead,
    ReportingPointWrite,
    WhereToReport,
)

# The domain's reporting-structure services, injected by name into its routes and the web pages.
PROVIDERS = {
    "reporting_points": provide(ReportingPointService),
    "advs": provide(AdvService),
    "where_to_report": provide(WhereToReportService),
}
Brin = Annotated[str, PathParameter(pattern=BRIN_PATTERN, description=BRIN_HELP)]
REACHABLE = BEYOND_SCHEMA + "at least one of `email`, `phone` and the `url` (`website`) is given."


async def where_to_report_quota(request: ASGIConnection[Any, Any, Any, Any]) -> None:
    """The register's anonymous budget per client address (`REGISTER_ANON_LIMIT` per `REGISTER_ANON_WINDOW_S`),
    counted apart from it; counted before the input is parsed."""
    runtime: Runtime = request.app.state.runtime
    settings = runtime.settings
    if settings.register_anon_limit > 0:
        origin = request.scope["state"].get("origin") or "unknown"
        await runtime.limiter.hit("where-to-report", origin, limit=settings.register_anon_limit,
                                  window_s=settings.register_anon_window_s)


class WhereToReportController(Controller):
    """Anyone: where a student can report discrimination at an internship."""

    path = "/where-to-report"
    tags = ["reporting structure"]
    dependencies = PROVIDERS
    before_request = staticmethod(where_to_report_quota)

    @get("/", summary="By school (BRIN code or part of its name) or postcode: the school's reporting point, "
                      "the regional anti-discrimination agency (ADV), and reporting to SBB anonymously",
         description="Beyond the schema (422 naming the rule): give either `school` or `postcode`, one of them.")
    async def find(
        self,
        where_to_report: NamedDependency[WhereToReportService],
        school: Annotated[
            str | None,
            QueryParameter(max_length=200, pattern=SCHOOL_PATTERN, description="BRIN code or part of its name"),
        ] = None,
        postcode: Annotated[
            str | None, QueryParameter(max_length=10, pattern=PLACE_PATTERN, description="1234 AB, or its 4 digits")
        ] = None,
    ) -> WhereToReport:
        return await where_to_report.find(school=school, postcode=postcode)


class SchoolReportingPointController(Controller):
    """A school keeps its own reporting point; another school's BRIN code is 404, as any foreign id."""

    path = "/school/reporting-points"
    tags = ["reporting structure"]
    guards = [requires(Role.SCHOOL)]
    dependencies = PROVIDERS

    @get("/{brin:str}", summary="Your school's reporting point (404 until registered, and for another BRIN code)")
    async def get_one(
        self, brin: Brin, reporting_points: NamedDependency[ReportingPointService], caller: CurrentCaller
    ) -> ReportingPointRead:
        return ReportingPointRead.of(await reporting_points.get(brin, caller))

    @put("/{brin:str}", summary="Register or replace your school's reporting point (201 when new); SBB checks it "
                                "again after every change", description=REACHABLE)
    async def save(
        self, brin: Brin, data: JSONBody[ReportingPointWrite], reporting_points: NamedDependency[ReportingPointService],
        caller: CurrentCaller,
    ) -> Response[ReportingPointRead]:
        row, created = await reporting_points.save(brin, data, caller)
        return Response(ReportingPointRead.of(row), status_code=201 if created else 200)


class ReportingPointController(Controller):
    """SBB staff: the schools' reporting points, and the check of one."""

    path = "/reporting-points"
    tags = ["reporting structure"]
    dependencies = PROVIDERS

    @get("/", summary="Schools' reporting points by BRIN code; `checked=false`: those SBB has still to check")
    async def list_(
        self, reporting_points: NamedDependency[ReportingPointService],
        checked: Annotated[bool | None, QueryParameter()] = None, limit: Limit = 50, offset: Offset = 0,
    ) -> Page[ReportingPointRead]:
        rows, total = await reporting_points.listing(checked=checked, limit=limit, offset=offset)
        return Page(items=[ReportingPointRead.of(r) for r in rows], total=total, limit=limit, offset=offset)

    @get("/{brin:str}", summary="One school's reporting point")
    async def get_one(
        self, brin: Brin, reporting_points: NamedDependency[ReportingPointService], caller: CurrentCaller
    ) -> ReportingPointRead:
        return ReportingPointRead.of(await reporting_points.get(brin, caller))

    @post("/{brin:str}/check", status_code=200, guards=[requires(*ADVISER_ROLES)],
          summary="Mark the version you read as checked by SBB (409 when the school changed it since)")
    async def check(
        self, brin: Brin, data: JSONBody[ReportingPointCheck], reporting_points: NamedDependency[ReportingPointService],
        caller: CurrentCaller,
    ) -> ReportingPointRead:
        return ReportingPointRead.of(await reporting_points.check(brin, data.version, caller))


admins_only = requires(Role.ADMIN)


class AdvController(Controller):
    """The regional anti-discrimination agencies (ADVs) and the municipalities each covers: staff read, admins
    keep them."""

    path = "/advs"
    tags = ["reporting structure"]
    dependencies = PROVIDERS

    @get("/", summary="Every ADV with the municipalities it covers")
    async def list_(self, advs: NamedDependency[AdvService]) -> list[AdvRead]:
        return [AdvRead.of(adv, covered) for adv, covered in await advs.all()]

    @get("/{adv_id:uuid}", summary="One ADV")
    async def get_one(self, adv_id: FromPath[UUID], advs: NamedDependency[AdvService]) -> AdvRead:
        return AdvRead.of(*await advs.get(adv_id))

    @post("/", guards=[admins_only], summary="Add an ADV (a municipality another ADV covers: 409)",
          description=REACHABLE + " Each municipality once.")
    async def create(
        self, data: JSONBody[AdvWrite], advs: NamedDependency[AdvService], caller: CurrentCaller
    ) -> AdvRead:
        return AdvRead.of(*await advs.create(data, caller))

    @put("/{adv_id:uuid}", guards=[admins_only],
         summary="Replace an ADV and the list of municipalities it covers (one another ADV covers: 409)",
         description=REACHABLE + " Each municipality once.")
    async def replace(
        self, adv_id: FromPath[UUID], data: JSONBody[AdvWrite], advs: NamedDependency[AdvService], caller: CurrentCaller
    ) -> AdvRead:
        return AdvRead.of(*await advs.replace(adv_id, data, caller))

    @delete("/{adv_id:uuid}", guards=[admins_only], summary="Remove an ADV; its municipalities are then uncovered")
    async def remove(self, adv_id: FromPath[UUID], advs: NamedDependency[AdvService], caller: CurrentCaller) -> None:
        await advs.delete(adv_id, caller)
