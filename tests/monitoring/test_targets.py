"""Targets of the Stagepact: kept by admins (audited, validated), and every output holding each figure against
its target: met, not met, or no data — a hidden small number never gets a verdict that gives it away."""

from __future__ import annotations

import csv
import io
import re

import httpx
import sqlalchemy as sa

from erkenning.core.audit.models import AuditEvent
from erkenning.core.caller import Role
from erkenning.core.runtime import Runtime
from tests.factories import Principal, TokenFactory
from tests.helpers import MONITORING, WebClient
from tests.monitoring.seed import Seeder, small_year

TARGETS = "/api/v1/backoffice/admin/stagepact-targets"
SOURCE = "Voorbeeld: Stagepact mbo, voortgangsbrief"


async def set_target(client: httpx.AsyncClient, admin: Principal, indicator: str, year: int, value: float,
                     direction: str = "at_least") -> httpx.Response:
    return await client.put(f"{TARGETS}/{indicator}/{year}", json={
        "value": value, "direction": direction, "source": SOURCE,
    }, headers=admin.headers)


async def test_only_admins_keep_targets_every_change_is_audited_and_nonsense_is_refused(
    client: httpx.AsyncClient, runtime: Runtime, tokens: TokenFactory, adviser: Principal
) -> None:
    admin = await tokens.make(Role.ADMIN)
    company = await tokens.make(Role.COMPANY)
    for outsider in (adviser, company):
        assert (await set_target(client, outsider, "reports.received", 2025, 20)).status_code == 403
        assert (await client.get(TARGETS, headers=outsider.headers)).status_code == 403
    assert (await client.get(TARGETS)).status_code == 401

    created = await set_target(client, admin, "course_reach.recognised_share", 2025, 40)
    assert created.status_code == 200, created.text
    assert created.json() | {"updated_at": None} == {
        "indicator": "course_reach.recognised_share", "year": 2025,
        "label": "Aandeel erkende leerbedrijven met zo'n cursus", "unit": "percent", "value": 40.0,
        "direction": "at_least", "source": SOURCE, "updated_by": str(admin.id), "updated_at": None,
    }
    replaced = await set_target(client, admin, "course_reach.recognised_share", 2025, 45)
    assert replaced.json()["value"] == 45.0
    await set_target(client, admin, "triage.share.referred", 2026, 10, "at_most")
    listed = (await client.get(TARGETS, headers=admin.headers)).json()
    assert [(t["indicator"], t["year"], t["value"]) for t in listed] == [
        ("course_reach.recognised_share", 2025, 45.0), ("triage.share.referred", 2026, 10.0),
    ]
    only_2026 = (await client.get(TARGETS, params={"year": 2026}, headers=admin.headers)).json()
    assert [t["year"] for t in only_2026] == [2026]

    refused = {
        "no such indicator": await set_target(client, admin, "reports.invented", 2025, 1),
        "a share above 100": await set_target(client, admin, "course_reach.recognised_share", 2025, 101),
        "half a report": await set_target(client, admin, "reports.received", 2025, 2.5),
        "below zero": await set_target(client, admin, "reports.received", 2025, -1),
        "a year out of range": await set_target(client, admin, "reports.received", 1999, 1),
        "no direction": await client.put(f"{TARGETS}/reports.received/2025", json={"value": 1, "source": SOURCE},
                                         headers=admin.headers),
        "no source": await client.put(f"{TARGETS}/reports.received/2025",
                                      json={"value": 1, "direction": "at_least", "source": " "}, headers=admin.headers),
        "a direction unknown": await set_target(client, admin, "reports.received", 2025, 1, "about"),
    }
    assert [why for why, r in refused.items() if r.status_code not in (400, 422)] == []
    assert all(r.headers["content-type"].startswith("application/problem+json") for r in refused.values())
    assert len((await client.get(TARGETS, headers=admin.headers)).json()) == 2  # none of them was kept

    assert (await client.delete(f"{TARGETS}/triage.share.referred/2026", headers=admin.headers)).status_code == 204
    assert (await client.delete(f"{TARGETS}/triage.share.referred/2026", headers=admin.headers)).status_code == 404
    async with runtime.session_factory() as session:
        rows = (await session.exec(sa.select(AuditEvent).where(  # the audit chain runs on across tests
            AuditEvent.actor_id == admin.id, AuditEvent.action.like("stagepact_target.%")).order_by(AuditEvent.seq)
        )).scalars().all()
    assert [(r.action, r.detail["indicator"], r.detail["year"]) for r in rows] == [
        ("stagepact_target.set", "course_reach.recognised_share", 2025),
        ("stagepact_target.set", "course_reach.recognised_share", 2025),
        ("stagepact_target.set", "triage.share.referred", 2026),
        ("stagepact_target.deleted", "triage.share.referred", 2026),
    ]
    assert SOURCE not in str([r.detail for r in rows])  # codes and numbers only


async def small_year_with_targets(client: httpx.AsyncClient, seeder: Seeder, admin: Principal) -> None:
    """`small_year` (2025: 23 reports, 3 of them from an agency; 2024: 6) and four targets for 2025."""
    await small_year(seeder)
    for indicator, value, direction in (
        ("reports.received", 20, "at_least"),  # 23: met, up from 6
        ("triage.decided", 30, "at_least"),  # 23: not met
        ("reports.by_channel.agency", 10, "at_most"),  # 3, exactly "met", but shown as "<5": no data
        ("lead_times.share_within_norm", 80, "at_least"),  # no case closed: nothing to compute, no data
    ):
        assert (await set_target(client, admin, indicator, 2025, value, direction)).status_code == 200
    assert (await set_target(client, admin, "triage.decided", 2024, 1)).status_code == 200  # another year's


async def test_the_yearly_report_says_which_targets_are_met_not_met_or_without_data(
    client: httpx.AsyncClient, seeder: Seeder, adviser: Principal, tokens: TokenFactory
) -> None:
    await small_year_with_targets(client, seeder, await tokens.make(Role.ADMIN))
    response = await client.get(f"{MONITORING}/report/2025", headers=adviser.headers)
    assert response.status_code == 200, response.text
    html = response.text
    section = html[html.index('<section id="doelen"'):html.index("</section>", html.index('<section id="doelen"'))]
    assert ("Van de 4 doelen voor 2025 is er 1 gehaald en 1 niet gehaald; over 2 zijn geen gegevens "
            "(verborgen of niet te berekenen).") in section
    lines = {
        m.group(1): [re.sub(r"<[^>]+>", "", td).strip() for td in re.findall(r"<td[^>]*>(.*?)</td>", m.group(2), re.S)]
        for m in re.finditer(r'<th scope="row">(.*?)</th>(.*?)</tr>', section, re.S)
    }
    assert lines == {
        "Meldingen ontvangen": ["ten minste 20", "23", "6", "gestegen", "gehaald", SOURCE],
        "Meldingen beoordeeld": ["ten minste 30", "23", "0", "gestegen", "niet gehaald", SOURCE],
        "Via: Antidiscriminatievoorziening of gemeente": ["hoogstens 10", "&lt;5", "0", "–", "geen gegevens", SOURCE],
        "Aandeel binnen de norm besloten": ["ten minste 80,0%", "n.v.t.", "n.v.t.", "–", "geen gegevens", SOURCE],
    }
    assert '<td class="num">3</td>' not in html  # the small count appears nowhere, the verdict does not give it away


async def test_the_csv_and_the_json_hold_each_figure_against_its_target(
    client: httpx.AsyncClient, seeder: Seeder, adviser: Principal, tokens: TokenFactory
) -> None:
    await small_year_with_targets(client, seeder, await tokens.make(Role.ADMIN))
    response = await client.get(f"{MONITORING}/indicators.csv", params={"year": 2025}, headers=adviser.headers)
    rows = {(r["section"], r["name"], r["category"]): r for r in csv.DictReader(io.StringIO(response.text))}
    goal = ("current", "target", "target_direction", "trend", "verdict", "verdict_text")
    assert [rows[("reports", "received", "")][k] for k in goal] == ["23", "20", "at_least", "up", "met", "gehaald"]
    assert [rows[("triage", "decided", "")][k] for k in goal] == [
        "23", "30", "at_least", "up", "not_met", "niet gehaald"]
    assert [rows[("reports", "by_channel", "agency")][k] for k in goal] == [
        "<5", "10", "at_most", "", "no_data", "geen gegevens"]
    assert [rows[("lead_times", "share_within_norm", "")][k] for k in goal] == [
        "", "80.0", "at_least", "", "no_data", "geen gegevens"]
    assert rows[("reports", "received", "")]["target_source"] == SOURCE
    assert rows[("reports", "schools", "")]["verdict"] == "" and rows[("reports", "schools", "")]["target"] == ""

    # Staff inside the back office see exact numbers, and the verdict on them; the publishable view does not.
    def target_of(body: dict, section: str, name: str, category: str | None = None) -> dict | None:
        [row] = [r for r in body["indicators"] if (r["section"], r["name"], r["category"]) == (section, name, category)]
        return row["target"]

    exact = (await client.get(f"{MONITORING}/indicators", params={"year": 2025}, headers=adviser.headers)).json()
    assert exact["target_year"] == 2025
    assert target_of(exact, "reports", "by_channel", "agency") == {
        "value": 10.0, "direction": "at_most", "source": SOURCE, "trend": "up", "verdict": "met",
    }
    hidden = (await client.get(f"{MONITORING}/indicators", params={"year": 2025, "suppressed": "true"},
                               headers=adviser.headers)).json()
    assert target_of(hidden, "reports", "by_channel", "agency") == {
        "value": 10.0, "direction": "at_most", "source": SOURCE, "trend": None, "verdict": "no_data",
    }
    assert target_of(hidden, "reports", "received")["verdict"] == "met"
    assert target_of(hidden, "reports", "schools") is None
    # The quarter ending in 2025 is held against 2025's targets too.
    quarter = (await client.get(f"{MONITORING}/indicators", params={"quarter": "2025-Q1"},
                                headers=adviser.headers)).json()
    assert quarter["target_year"] == 2025
    assert target_of(quarter, "reports", "received")["verdict"] == "met"  # 20 in February
    last_year = (await client.get(f"{MONITORING}/indicators", params={"year": 2024}, headers=adviser.headers)).json()
    assert target_of(last_year, "triage", "decided")["verdict"] == "not_met"  # 2024's own target: 1, and 0 decided
    assert target_of(last_year, "reports", "received") is None


async def test_the_monitoring_page_shows_the_targets_with_their_verdicts(
    client: httpx.AsyncClient, seeder: Seeder, tokens: TokenFactory, web: WebClient
) -> None:
    await small_year_with_targets(client, seeder, await tokens.make(Role.ADMIN))
    await web.sign_in_as(tokens, Role.ADVISER)
    page = (await web.get("/monitoring", params={"soort": "jaar", "jaar": "2025", "weergave": "afgeschermd"})).text
    section = page[page.index('id="doelen"'):page.index("</section>", page.index('id="doelen"'))]
    assert "Van de 4 doelen voor 2025 is er 1 gehaald en 1 niet gehaald" in section
    assert section.count("badge--success") == 1 and section.count("badge--danger") == 1
    assert section.count("badge--neutral") == 2 and section.count(">geen gegevens<") == 2
    exact = (await web.get("/monitoring", params={"soort": "jaar", "jaar": "2025", "weergave": "exact"})).text
    assert "Van de 4 doelen voor 2025 zijn er 2 gehaald en 1 niet gehaald; over 1 zijn geen gegevens" in exact
    none = (await web.get("/monitoring", params={"soort": "jaar", "jaar": "2023"})).text
    assert "Voor 2023 zijn geen doelen vastgelegd." in none
