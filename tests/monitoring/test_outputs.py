"""The outputs: JSON (exact, or suppressed on request), CSV and the yearly report (always suppressed)."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import httpx
import sqlalchemy as sa

from erkenning.core.audit.models import AuditEvent
from erkenning.core.caller import Role
from erkenning.core.runtime import Runtime
from erkenning.core.settings import Settings
from erkenning.stagepact.catalogue import GROUNDS
from tests.factories import Principal, TokenFactory
from tests.helpers import MONITORING, run_cli
from tests.monitoring.seed import Seeder, small_year

SVG = "{http://www.w3.org/2000/svg}"


def cells(indicators: list[dict], section: str, name: str, category: str | None = None) -> dict:
    [row] = [r for r in indicators if (r["section"], r["name"], r["category"]) == (section, name, category)]
    return row


async def test_json_gives_staff_exact_numbers_and_the_suppressed_view_on_request(
    client: httpx.AsyncClient, seeder: Seeder, adviser: Principal
) -> None:
    await small_year(seeder)
    exact = await client.get(f"{MONITORING}/indicators", params={"year": 2025}, headers=adviser.headers)
    assert exact.status_code == 200, exact.text
    body = exact.json()
    assert body["period"] == {"first": "2025-01-01", "last": "2025-12-31", "label": "2025"}
    assert body["previous_period"]["label"] == "2024" and body["suppressed"] is False
    agency = cells(body["indicators"], "reports", "by_channel", "agency")
    assert agency["current"] == {"value": 3, "text": "3", "suppressed": False}
    received = cells(body["indicators"], "reports", "received")
    assert (received["current"]["value"], received["previous"]["value"], received["change"]["value"]) == (23, 6, 17)
    assert cells(body["indicators"], "triage", "share", "referred")["current"]["value"] == 13.0

    hidden = (await client.get(
        f"{MONITORING}/indicators", params={"year": 2025, "suppressed": "true"}, headers=adviser.headers
    )).json()
    assert hidden["suppressed"] is True
    assert cells(hidden["indicators"], "reports", "by_channel", "agency")["current"] == {
        "value": None, "text": "<5", "suppressed": True,
    }
    assert cells(hidden["indicators"], "triage", "share", "referred")["current"]["text"] == "withheld"
    # 23 - 20 would give the 3 away: the 20 is hidden as well.
    assert cells(hidden["indicators"], "reports", "by_channel", "adviser_intake")["current"]["text"] == "x"
    assert cells(hidden["indicators"], "reports", "received")["current"]["value"] == 23


async def test_csv_shows_a_cell_of_three_as_below_five_and_withholds_its_share(
    client: httpx.AsyncClient, runtime: Runtime, seeder: Seeder, adviser: Principal
) -> None:
    await small_year(seeder)
    response = await client.get(f"{MONITORING}/indicators.csv", params={"year": 2025}, headers=adviser.headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = {(r["section"], r["name"], r["category"]): r for r in csv.DictReader(io.StringIO(response.text))}
    assert rows[("reports", "by_channel", "agency")]["current"] == "<5"
    assert rows[("reports", "by_ground", "religion")]["current"] == "<5"
    assert rows[("triage", "outcome", "referred")]["current"] == "<5"
    assert rows[("triage", "share", "referred")]["current"] == "withheld"
    assert rows[("reports", "received", "")]["current"] == "23"
    assert rows[("reports", "received", "")]["previous"] == "6"
    assert rows[("reports", "received", "")]["change"] == "17"
    assert rows[("reports", "received", "")]["period_first"] == "2025-01-01"
    assert "3" not in {r["current"] for r in rows.values()}

    negotiated = await client.get(
        f"{MONITORING}/indicators", params={"year": 2025}, headers={**adviser.headers, "Accept": "text/csv"}
    )
    assert negotiated.headers["content-type"].startswith("text/csv")
    assert negotiated.text == response.text
    async with runtime.session_factory() as session:
        exports = (await session.exec(sa.select(AuditEvent).where(  # the audit chain runs on across tests
            AuditEvent.action == "monitoring.exported", AuditEvent.actor_id == adviser.id))).all()
    assert len(exports) == 2 and exports[0][0].detail == {"format": "csv", "first": "2025-01-01", "last": "2025-12-31"}


async def test_only_staff_may_ask_and_a_bad_period_is_a_clear_422(
    client: httpx.AsyncClient, tokens: TokenFactory, adviser: Principal
) -> None:
    company = await tokens.make(Role.COMPANY)
    school = await tokens.make(Role.SCHOOL, school_brin="25LX")
    admin = await tokens.make(Role.ADMIN)
    assert (await client.get(f"{MONITORING}/indicators")).status_code == 401
    for outsider in (company, school):
        assert (await client.get(f"{MONITORING}/indicators", headers=outsider.headers)).status_code == 403
        assert (await client.get(f"{MONITORING}/report/2025", headers=outsider.headers)).status_code == 403
    assert (await client.get(f"{MONITORING}/indicators", headers=admin.headers)).status_code == 200
    for params in ({"from": "2025-01-01"}, {"year": 2025, "quarter": "2025-Q1"},
                   {"from": "2025-02-01", "to": "2025-01-01"}, {"quarter": "2025-Q7"}, {"year": "twenty"}):
        response = await client.get(f"{MONITORING}/indicators", params=params, headers=adviser.headers)
        assert response.status_code in (400, 422), (params, response.status_code)
        assert response.headers["content-type"].startswith("application/problem+json")
    assert (await client.get(f"{MONITORING}/report/1850", headers=adviser.headers)).status_code == 422


def charts_in(html: str) -> dict[str, ET.Element]:
    found = {}
    for markup in re.findall(r"<svg\b.*?</svg>", html, flags=re.S):
        svg = ET.fromstring(markup)
        found[svg.get("aria-labelledby", "").split()[0].removesuffix("-title")] = svg
    return found


async def test_the_yearly_report_has_labelled_charts_tables_and_no_small_numbers(
    client: httpx.AsyncClient, seeder: Seeder, adviser: Principal
) -> None:
    await small_year(seeder)
    response = await client.get(f"{MONITORING}/report/2025", headers=adviser.headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    html = response.text

    # Under its CSP the page's one stylesheet is allowed by its hash, and nothing else is needed.
    [style] = re.findall(r"<style>(.*?)</style>", html, flags=re.S)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    csp = response.headers["content-security-policy"]
    assert f"style-src 'sha256-{digest}'" in csp and "default-src 'none'" in csp
    assert "<script" not in html and " style=" not in html and "<link" not in html

    svgs = charts_in(html)
    assert {"chart-channel", "chart-ground", "chart-sector", "chart-triage", "chart-outcome", "chart-format",
            "chart-topic", "chart-trend-counts", "chart-trend-days"} <= set(svgs)
    ground = svgs["chart-ground"]
    assert ground.get("role") == "img"
    assert ground.find(f"{SVG}title").text == "Meldingen per discriminatiegrond (2025)"
    assert ground.find(f"{SVG}desc").text
    bars = [g for g in ground.iter(f"{SVG}g") if g.get("class") == "bar"]
    assert [b.get("data-category") for b in bars] == [g.value for g in GROUNDS]
    titles = {b.get("data-category"): b.find(f"{SVG}title").text for b in bars}
    assert titles["religion"] == "Godsdienst of levensovertuiging: <5"
    assert titles["ethnicity"] == "Afkomst of huidskleur: x"  # the 20 that would give the 3 away
    assert titles["age"] == "Leeftijd: 0"
    texts = {t.text for t in ground.iter(f"{SVG}text")}
    assert set(GROUNDS.values()) <= texts  # every bar is labelled on the axis
    assert {"Aantal", "Grond", "<5"} <= texts
    trend = svgs["chart-trend-counts"]
    assert {"2021", "2025", "Meldingen ontvangen"} <= {t.text for t in trend.iter(f"{SVG}text")}
    # The data table beside the chart says the same.
    table = html[html.index("chart-ground"):]
    table = table[table.index("<table>"):table.index("</table>")]
    assert re.search(r"Godsdienst of levensovertuiging</th>\s*<td class=\"num\">&lt;5</td>", table)
    # The small count appears nowhere as a figure: not in a table, not on a bar.
    assert '<td class="num">3</td>' not in html
    assert not [g for svg in svgs.values() for g in svg.iter(f"{SVG}title") if (g.text or "").endswith(": 3")]


async def test_the_cli_writes_the_same_report_file(
    client: httpx.AsyncClient, seeder: Seeder, adviser: Principal, settings: Settings, tmp_path: Path
) -> None:
    await small_year(seeder)
    served = await client.get(f"{MONITORING}/report/2025", headers=adviser.headers)
    out = tmp_path / "report.html"
    code, output = await run_cli(settings, "report", "stagepact", "--year", "2025", "--out", str(out))
    assert code == 0, output
    assert out.read_text(encoding="utf-8") == served.text
