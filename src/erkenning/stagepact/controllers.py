"""Back-office routes for the Stagepact indicators (JSON, CSV and the yearly report page) and, for admins,
the targets they are held against.

Which outputs leave the back office, and so are always suppressed: the CSV (a file, made to be
passed on) and the yearly report (made to be published). The JSON answers staff in the back office
and carries exact numbers unless `suppressed=true` asks for the same view as the CSV. Both exports
are audited (`monitoring.exported`), with the period and the format; so is every change of a target.

`PROVIDERS`: the domain's services, injected by name.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, get, put
from litestar.di import NamedDependency, Provide
from litestar.params import JSONBody, PathParameter, QueryParameter
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.core.audit import service as audit
from erkenning.core.caller import Caller, Role
from erkenning.core.errors import ValidationFailed
from erkenning.core.settings import Settings
from erkenning.http.dependencies import CurrentCaller, DbSession, SettingsDep, provide
from erkenning.http.guards import requires
from erkenning.reports.services.reporting_points import ReportingPointService
from erkenning.reports.structure_schemas import ReportingPointCoverage
from erkenning.stagepact import export, indicators, period, report
from erkenning.stagepact.period import FIRST_YEAR, LAST_YEAR, Period
from erkenning.stagepact.schemas import TargetRead, TargetWrite
from erkenning.stagepact.targets import TargetService

CSV = "text/csv"
PROVIDERS = {"targets": provide(TargetService)}
Year = Annotated[int, PathParameter(ge=FIRST_YEAR, le=LAST_YEAR, description="a calendar year")]
Indicator = Annotated[
    str, PathParameter(pattern=r"^[a-z_]{1,40}\.[a-z_0-9]{1,40}(\.[a-z_0-9]{1,40})?$",
                       description="section.name or section.name.category, as in the indicators' JSON")
]


async def provide_period(
    first: Annotated[date | None, QueryParameter(name="from", description="first day (inclusive)")] = None,
    last: Annotated[date | None, QueryParameter(name="to", description="last day (inclusive)")] = None,
    year: Annotated[int | None, QueryParameter(ge=FIRST_YEAR, le=LAST_YEAR, description="a calendar year")] = None,
    school_year: Annotated[
        int | None,
        QueryParameter(ge=FIRST_YEAR, le=LAST_YEAR, description="the school year starting 1 August of this year"),
    ] = None,
    quarter: Annotated[str | None, QueryParameter(pattern=r"^[0-9]{4}-[Qq][1-4]$", description="e.g. 2026-Q1")] = None,
) -> Period:
    return period.parse(first=first, last=last, year=year, school_year=school_year, quarter=quarter)


PeriodDep = NamedDependency[Period]


async def _compare(session: AsyncSession, settings: Settings, chosen: Period) -> indicators.Comparison:
    return await indicators.compute(session, chosen, lead_time_weeks=settings.investigation_lead_time_weeks)


async def csv_export(session: AsyncSession, settings: Settings, caller: Caller, chosen: Period) -> Response[str]:
    """The suppressed CSV of `chosen` as a download, audited (the API and the web page both serve this)."""
    comparison = await _compare(session, settings, chosen)
    await audit.record(
        session, caller, "monitoring.exported", object_type="monitoring",
        detail={"format": "csv", "first": chosen.first.isoformat(), "last": chosen.last.isoformat()},
    )
    return Response(
        export.to_csv(comparison),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{export.csv_filename(chosen)}"'},
    )


class MonitoringController(Controller):
    path = "/monitoring"
    tags = ["monitoring"]
    dependencies = {"chosen": Provide(provide_period), "reporting_points": provide(ReportingPointService)}

    @get(
        "/indicators",
        summary="Stagepact indicators for a period beside the period before (CSV with Accept: text/csv)",
        description=(
            "Period: `from` and `to` (inclusive dates), or `year`, `school_year` (1 August – 31 July) or "
            "`quarter`; none: this calendar year. Exact numbers for the back office; `suppressed=true` "
            "shows counts below 5 as \"<5\" and withholds what rests on them, as the CSV always does. "
            "Beyond the schema (422 naming the rule): one way of naming the period only; `from` and `to` go together."
        ),
    )
    async def indicators_(
        self,
        request: Request[Any, Any, Any],
        session: DbSession,
        settings: SettingsDep,
        caller: CurrentCaller,
        chosen: PeriodDep,
        suppressed: Annotated[bool, QueryParameter(description="hide small numbers")] = False,
    ) -> export.IndicatorsRead:
        if request.accept.best_match(["application/json", CSV], default="application/json") == CSV:
            csv = await csv_export(session, settings, caller, chosen)
            return csv  # type: ignore[return-value]  # the CSV; OpenAPI shows the JSON
        comparison = await _compare(session, settings, chosen)
        return export.IndicatorsRead.of(comparison, suppressed=suppressed)

    @get(
        "/indicators.csv", summary="The indicators as CSV, small numbers suppressed", media_type=CSV,
        description="The period as for `GET /indicators`. Beyond the schema (422 naming the rule): one way of naming"
        " the period only; `from` and `to` go together.",
    )
    async def indicators_csv(
        self, session: DbSession, settings: SettingsDep, caller: CurrentCaller, chosen: PeriodDep
    ) -> Response[str]:
        return await csv_export(session, settings, caller, chosen)

    @get(
        "/report/{year:int}",
        summary="The yearly Stagepact report: a printable HTML page with charts, small numbers suppressed",
        media_type="text/html",
    )
    async def yearly_report(
        self,
        year: Annotated[int, PathParameter(ge=FIRST_YEAR, le=LAST_YEAR, description="a calendar year")],
        session: DbSession,
        settings: SettingsDep,
        caller: CurrentCaller,
    ) -> Response[str]:
        return await report_export(session, settings, caller, year)

    @get(
        "/reporting-points",
        summary="Schools without a registered reporting point (meldpunt): the Stagepact indicator of the reporting "
                "structure",
        description=(
            "The schools this service knows (an active school token, or a report passed on from their reporting "
            "point), how many registered a reporting point and how many of those SBB checked, and by BRIN code "
            "the schools that have none. Today's state, not a period's."
        ),
    )
    async def reporting_point_coverage(
        self, reporting_points: NamedDependency[ReportingPointService]
    ) -> ReportingPointCoverage:
        return await reporting_points.coverage()


async def report_export(session: AsyncSession, settings: Settings, caller: Caller, year: int) -> Response[str]:
    """The yearly report of `year` under its own CSP, audited (the API and the web page both serve this)."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationFailed([{"field": "year", "message": f"a year from {FIRST_YEAR} to {LAST_YEAR}"}])
    html = await report.stagepact_report(session, year, lead_time_weeks=settings.investigation_lead_time_weeks)
    await audit.record(
        session, caller, "monitoring.exported", object_type="monitoring", detail={"format": "html", "year": year}
    )
    return Response(
        html,
        media_type="text/html; charset=utf-8",
        headers={
            "Content-Security-Policy": report.CSP,
            "Content-Disposition": f'inline; filename="stagepact-{year}.html"',
        },
    )


class TargetController(Controller):
    """Doelstellingen of the Stagepact: a value per indicator and year, with its direction and source."""

    path = "/admin/stagepact-targets"
    tags = ["admin", "monitoring"]
    guards = [requires(Role.ADMIN)]
    dependencies = PROVIDERS

    @get("/", summary="The targets, by year and indicator")
    async def list_(
        self, targets: NamedDependency[TargetService],
        year: Annotated[int | None, QueryParameter(ge=FIRST_YEAR, le=LAST_YEAR, description="one year only")] = None,
    ) -> list[TargetRead]:
        return [TargetRead.of(t) for t in await targets.list_targets(year=year)]

    @put(
        "/{indicator:str}/{year:int}",
        summary="Set the target of an indicator for a year (create or replace; audited)",
        description="`indicator` is a key of the catalogue (`section.name` or `section.name.category`, as in "
        "`GET /monitoring/indicators`). The indicators, the CSV, the web page and the yearly report then hold the "
        "figure against it: met, not met, or no data. Beyond the schema (422 naming the rule): the indicator is "
        "in the catalogue; a percentage is at most 100, a count a whole number.",
    )
    async def put_(
        self, indicator: Indicator, year: Year, data: JSONBody[TargetWrite], targets: NamedDependency[TargetService],
        caller: CurrentCaller,
    ) -> TargetRead:
        row = await targets.put(
            indicator, year, value=data.value, direction=data.direction, source=data.source, caller=caller
        )
        return TargetRead.of(row)

    @delete("/{indicator:str}/{year:int}", summary="Remove the target of an indicator for a year (audited)")
    async def remove(
        self, indicator: Indicator, year: Year, targets: NamedDependency[TargetService], caller: CurrentCaller
    ) -> None:
        await targets.delete(indicator, year, caller)
