"""The pages this issue added last, in a browser: monitoring (charts, the suppressed view, a wrong
period), an adviser's tasks on the start page, a school's delivery log — axe-checked and photographed."""

from __future__ import annotations

from datetime import timedelta

import pytest

from erkenning.core import clock
from erkenning.core.caller import Caller, Role
from erkenning.register.models import DeliveryStatus
from erkenning.stagepact.models import Direction
from erkenning.stagepact.targets import TargetService
from tests.factories import make_adviser_task, make_company, make_delivery
from tests.monitoring.seed import Seeder, small_year
from tests.web.browser.steps import check

pytestmark = pytest.mark.browser


async def test_monitoring_shows_charts_switches_to_the_publishable_view_and_explains_a_wrong_period(
    axe_page, signed_in, runtime, tokens
) -> None:
    await small_year(Seeder(runtime, (await tokens.make(Role.ADVISER)).id))
    async with runtime.transaction() as session:
        targets = TargetService(session)
        for indicator, value in (("reports.received", 20), ("triage.decided", 30)):
            await targets.put(indicator, 2025, value=value, direction=Direction.AT_LEAST, source="Voorbeeld",
                              caller=Caller.system("tests"))
    await signed_in(axe_page, Role.SENIOR_ADVISER)
    await axe_page.goto("/")
    await axe_page.get_by_role("link", name="Monitoring").click()
    await axe_page.get_by_label("Jaar", exact=True).fill("2025")
    await axe_page.get_by_role("button", name="Cijfers tonen").click()
    chart = axe_page.get_by_role("img", name="Meldingen per kanaal (2025)")
    await chart.wait_for()
    assert await chart.is_visible()
    goals = axe_page.get_by_role("region", name="Doelen", exact=True)
    assert "is er 1 gehaald en 1 niet gehaald" in await goals.inner_text()
    await check(axe_page, "monitoring-exact")

    await axe_page.get_by_label("Publiceerbaar").check()
    await axe_page.get_by_role("button", name="Cijfers tonen").click()
    await axe_page.get_by_role("heading", name="Kleine aantallen afgeschermd").wait_for()
    row = axe_page.get_by_role("row", name="Antidiscriminatievoorziening")
    assert (await row.first.get_by_role("cell").first.inner_text()).strip() == "<5"
    await check(axe_page, "monitoring-suppressed")

    await axe_page.get_by_label("Eigen begin- en einddatum").check()
    await axe_page.get_by_label("Vanaf", exact=True).fill("2025-03-10")
    await axe_page.get_by_label("Tot en met", exact=True).fill("2025-03-01")
    await axe_page.get_by_role("button", name="Cijfers tonen").click()
    summary = axe_page.locator(".error-summary")
    await summary.wait_for()
    await summary.get_by_role("link", name="De einddatum ligt vóór de begindatum.").click()
    assert await axe_page.evaluate("document.activeElement.id") == "veld-tot"
    assert await axe_page.get_by_label("Vanaf", exact=True).input_value() == "2025-03-10"
    await check(axe_page, "monitoring-errors")


async def test_an_adviser_marks_a_task_done_from_the_start_page(axe_page, signed_in, runtime) -> None:
    adviser = await signed_in(axe_page, Role.ADVISER)
    await make_adviser_task(runtime, adviser, due=clock.today() - timedelta(days=1), company_name="Bakkerij Taak")
    await axe_page.goto("/")
    await axe_page.get_by_role("heading", name="Mijn taken").wait_for()
    await check(axe_page, "start-adviser-tasks")
    await axe_page.get_by_role("button", name="Taak verbeterafspraken nagaan voor Bakkerij Taak afgerond").click()
    await axe_page.get_by_text("De taak is afgerond").wait_for()
    assert await axe_page.get_by_text("U heeft geen open taken.").is_visible()


async def test_a_school_reads_its_delivery_log(axe_page, signed_in, runtime) -> None:
    await signed_in(axe_page, Role.SCHOOL, school_brin="25LX")
    garage = await make_company(runtime, name="Garage Gas")
    bakery = await make_company(runtime, name="Bakkerij Brood")
    await make_delivery(runtime, "25LX", garage, DeliveryStatus.FAILED, code=500, error="gave up after 3 attempts")
    await make_delivery(runtime, "25LX", bakery, DeliveryStatus.DELIVERED, code=204, minutes_ago=3)
    await axe_page.goto("/")
    await axe_page.get_by_role("link", name="Bezorgingen").click()
    await axe_page.get_by_label("Status").select_option("failed")
    await axe_page.get_by_role("button", name="Filteren").click()
    await axe_page.get_by_text("HTTP 500").wait_for()
    assert await axe_page.get_by_text("HTTP 204").count() == 0
    await check(axe_page, "school-deliveries")
