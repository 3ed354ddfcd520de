"""The monitoring page: the indicators of a chosen period as tables and charts, exact or suppressed;
the CSV and the yearly report as downloads (audited, as through the API); only for staff."""

from __future__ import annotations

import csv
import io
import re

import pytest
import sqlalchemy as sa

from erkenning.core import clock
from erkenning.core.audit.models import AuditEvent
from erkenning.core.caller import Role
from erkenning.core.runtime import Runtime
from erkenning.stagepact import report
from tests.factories import TokenFactory
from tests.helpers import WebClient
from tests.monitoring.seed import Seeder, small_year


def _cell_after(html: str, label: str) -> list[str]:
    """The three figures (period, period before, change) in the table row headed `label`."""
    match = re.search(rf'<th scope="row">{re.escape(label)}</th>\s*'
                      r'<td class="num">([^<]*)</td>\s*<td class="num">([^<]*)</td>\s*<td class="num">([^<]*)</td>', html)
    assert match, f"no row {label!r}"
    return list(match.groups())


async def test_staff_see_exact_figures_with_charts_and_the_suppressed_view_on_request(
    web: WebClient, tokens: TokenFactory, seeder: Seeder
) -> None:
    await small_year(seeder)
    await web.sign_in_as(tokens, Role.ADVISER)
    exact = await web.get("/monitoring", params={"soort": "jaar", "jaar": "2025", "weergave": "exact"})
    assert exact.status_code == 200, exact.text
    html = exact.text
    assert "Cijfers van 1 januari 2025 tot en met 31 december 2025" in html and "Niet publiceren" in html
    assert _cell_after(html, "Meldingen ontvangen") == ["23", "6", "+17"]
    assert _cell_after(html, "Antidiscriminatievoorziening of gemeente") == ["3", "0", "+3"]
    # The bar charts are inline SVG, labelled for assistive technology, one bar per category.
    assert html.count('<svg') >= 7 and 'role="img"' in html and 'aria-labelledby="chart-channel-title' in html
    assert 'data-category="agency"' in html and "<title>Antidiscriminatievoorziening of gemeente: 3</title>" in html

    hidden = await web.get("/monitoring", params={"soort": "jaar", "jaar": "2025", "weergave": "afgeschermd"})
    assert hidden.status_code == 200
    assert "Kleine aantallen afgeschermd" in hidden.text
    assert _cell_after(hidden.text, "Antidiscriminatievoorziening of gemeente")[0] == "&lt;5"
    assert _cell_after(hidden.text, "Intake door SBB (telefoon, e-mail, brief, contactformulier, anders)")[0] == "x"
    assert _cell_after(hidden.text, "Meldingen ontvangen")[0] == "23"
    assert "<title>Antidiscriminatievoorziening of gemeente: 3</title>" not in hidden.text


async def test_a_quarter_a_school_year_and_own_dates_are_periods(web: WebClient, tokens: TokenFactory) -> None:
    await web.sign_in_as(tokens, Role.SENIOR_ADVISER)
    quarter = await web.get("/monitoring", params={"soort": "kwartaal", "jaar": "2026", "kwartaal": "2", "weergave": "exact"})
    assert quarter.status_code == 200
    assert "1 april 2026 tot en met 30 juni 2026" in quarter.text and "1 januari 2026 tot en met 31 maart 2026" in quarter.text
    school = await web.get("/monitoring", params={"soort": "schooljaar", "jaar": "2025", "weergave": "exact"})
    assert "1 augustus 2025 tot en met 31 juli 2026" in school.text and ">2025/2026<" in school.text
    own = await web.get("/monitoring", params={"soort": "datums", "van": "2026-03-01", "tot": "2026-03-10",
                                               "weergave": "afgeschermd"})
    assert "1 maart 2026 tot en met 10 maart 2026" in own.text and "19 februari 2026 tot en met 28 februari 2026" in own.text


async def test_a_wrong_period_is_explained_on_its_field_and_the_values_stay(web: WebClient, tokens: TokenFactory) -> None:
    await web.sign_in_as(tokens, Role.ADMIN)
    backwards = await web.get("/monitoring", params={"soort": "datums", "van": "2026-03-10", "tot": "2026-03-01",
                                                     "weergave": "exact"})
    assert backwards.status_code == 400
    assert '<a href="#veld-tot">De einddatum ligt vóór de begindatum.</a>' in backwards.text
    assert 'value="2026-03-10"' in backwards.text and "Cijfers van" not in backwards.text
    missing = await web.get("/monitoring", params={"soort": "kwartaal", "jaar": "20x5", "weergave": "exact"})
    assert missing.status_code == 400
    assert 'href="#veld-jaar"' in missing.text and 'href="#veld-kwartaal"' in missing.text and 'value="20x5"' in missing.text
    this_year = await web.get("/monitoring")
    assert this_year.status_code == 200 and f"Cijfers van 1 januari {clock.today().year} tot en met" in this_year.text
    just_a_year = await web.get("/monitoring", params={"jaar": "2024"})
    assert just_a_year.status_code == 200 and "Cijfers van 1 januari 2024 tot en met 31 december 2024" in just_a_year.text
    no_dates = await web.get("/monitoring", params={"soort": "datums", "weergave": "exact"})
    assert no_dates.status_code == 400 and 'href="#veld-van"' in no_dates.text and 'href="#veld-tot"' in no_dates.text


async def test_the_csv_and_the_yearly_report_are_the_apis_and_audited(
    web: WebClient, tokens: TokenFactory, seeder: Seeder, runtime: Runtime
) -> None:
    await small_year(seeder)
    adviser = await web.sign_in_as(tokens, Role.ADVISER)
    page = await web.get("/monitoring", params={"soort": "jaar", "jaar": "2025", "weergave": "exact"})
    link = re.search(r'href="(/monitoring/indicatoren\.csv\?[^"]+)"', page.text)
    assert link
    download = await web.get(link.group(1).replace("&amp;", "&"))
    assert download.status_code == 200 and download.headers["content-type"].startswith("text/csv")
    assert 'attachment; filename="stagepact-indicatoren-2025-01-01-2025-12-31.csv"' == download.headers["content-disposition"]
    rows = {(r["section"], r["name"], r["category"]): r for r in csv.DictReader(io.StringIO(download.text))}
    assert rows[("reports", "by_channel", "agency")]["current"] == "<5"  # always suppressed, whatever the page shows

    yearly = await web.get("/monitoring/jaarrapportage", params={"jaar": "2025"})
    assert yearly.status_code == 200 and "Monitoring stagediscriminatie 2025" in yearly.text
    assert yearly.headers["content-security-policy"] == report.CSP
    async with runtime.session_factory() as session:
        exports = (await session.exec(sa.select(AuditEvent.detail).where(
            AuditEvent.action == "monitoring.exported", AuditEvent.actor_id == adviser.id).order_by(AuditEvent.seq))).all()
    assert [e[0] for e in exports] == [{"format": "csv", "first": "2025-01-01", "last": "2025-12-31"},
                                       {"format": "html", "year": 2025}]

    wrong = await web.get("/monitoring/jaarrapportage", params={"jaar": "1850"})
    assert wrong.status_code == 400 and 'href="#veld-rapport-jaar"' in wrong.text
    bad_csv = await web.get("/monitoring/indicatoren.csv", params={"soort": "kwartaal", "jaar": "2025"})
    assert bad_csv.status_code == 400 and 'href="#veld-kwartaal"' in bad_csv.text


@pytest.mark.parametrize("role", [Role.COMPANY, Role.SCHOOL])
async def test_only_staff_may_see_monitoring(web: WebClient, tokens: TokenFactory, role: Role) -> None:
    await web.sign_in_as(tokens, role, **({"school_brin": "25LX"} if role is Role.SCHOOL else {}))
    for path in ("/monitoring", "/monitoring/indicatoren.csv", "/monitoring/jaarrapportage?jaar=2025"):
        assert (await web.get(path)).status_code == 403
    assert 'href="/monitoring"' not in (await web.get("/")).text


async def test_signed_out_visitors_are_sent_to_sign_in(web: WebClient) -> None:
    response = await web.get("/monitoring")
    assert response.status_code == 303 and response.headers["location"].startswith("/inloggen")
