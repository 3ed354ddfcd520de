"""`erkenning report stagepact`: the yearly Stagepact report as one HTML file."""

from __future__ import annotations

import asyncio

import click

from erkenning.core.settings import get_settings


@click.group("report")
def report_group() -> None:
    """Reports made from the data."""


@report_group.command("stagepact")
@click.option("--year", type=click.IntRange(2000, 2100), required=True, help="the calendar year")
@click.option("--out", type=click.Path(dir_okay=False, writable=True, allow_dash=True), required=True,
              help="the HTML file to write ('-': standard output)")
def report_stagepact(year: int, out: str) -> None:
    """Write the yearly Stagepact report (self-contained HTML; print it to PDF from a browser)."""
    from erkenning.core.audit import service as audit
    from erkenning.core.caller import Caller
    from erkenning.core.db import create_engine, create_session_factory
    from erkenning.stagepact import report

    settings = get_settings()

    async def run() -> str:
        engine = create_engine(settings.model_copy(update={"redis_url": settings.redis_url or "redis://unused"}))
        try:
            async with create_session_factory(engine)() as session:
                html = await report.stagepact_report(
                    session, year, lead_time_weeks=settings.investigation_lead_time_weeks
                )
                await audit.record(
                    session, Caller.system("cli"), "monitoring.exported", object_type="monitoring",
                    detail={"format": "html", "year": year},
                )
                await session.commit()
                return html
        finally:
            await engine.dispose()

    html = asyncio.run(run())
    with click.open_file(out, "w", encoding="utf-8") as target:
        target.write(html)
    if out != "-":
        click.echo(f"wrote the {year} report to {out}")
