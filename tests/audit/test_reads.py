"""Reads of sensitive records are audited (reports and their confidential part, cases, unsent decisions),
over the API and the web pages; admins can ask who looked; a reporter learns when and why, never who."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import httpx
import sqlalchemy as sa

from erkenning.core.caller import Role
from erkenning.core.runtime import Runtime
from tests.factories import Principal, TokenFactory, World, build_world, decision_body, facts, make_company, open_case
from tests.helpers import (
    CASES,
    DECISIONS,
    HEARINGS,
    PUBLIC_REPORTS,
    REPORTS,
    WebClient,
    act,
    csrf_of,
    drain_queue,
    step,
)

ADMIN_REPORTS = "/api/v1/backoffice/admin/reports"


async def _rows(runtime: Runtime, object_id: str, action: str | None = None) -> list[dict[str, Any]]:
    query = "SELECT * FROM audit_event WHERE object_id = :id" + (" AND action = :action" if action else "")
    async with runtime.engine.connect() as conn:
        result = await conn.execute(sa.text(query + " ORDER BY seq"), {"id": object_id, "action": action})
        return [dict(r) for r in result.mappings().all()]


def _is_complete(row: dict[str, Any], actor: Principal, action: str, result: str = "success") -> None:
    """Actor, action, object, result, origin, request id and time: every field BIO asks of a log line."""
    assert row["actor_id"] == actor.id and row["actor_role"] == actor.role.value
    assert row["action"] == action and row["object_type"] and row["object_id"]
    assert row["result"] == result and row["origin"] == "127.0.0.1"
    assert row["request_id"] and row["occurred_at"] is not None


async def _anonymous_report(client: httpx.AsyncClient, adviser: Principal) -> tuple[str, str]:
    """An anonymous report taken by `adviser`; returns its id and the receipt code."""
    sent = await client.post(PUBLIC_REPORTS, json={**facts(None), "confidential": {"narrative": "Mijn verhaal"}})
    assert sent.status_code == 201, sent.text
    listed = (await client.get(REPORTS, headers=adviser.headers)).json()["items"]
    report_id = listed[0]["id"]
    assert (await act(client, adviser, report_id, "assign", {"adviser_id": str(adviser.id)})).status_code == 200
    return report_id, sent.json()["receipt"]


async def test_report_reads_are_audited_and_admins_see_who_when_why(
    client: httpx.AsyncClient, tokens: TokenFactory, runtime: Runtime, web: WebClient,
) -> None:
    adviser = await tokens.make(Role.ADVISER, name="Adviseur Anna Jansen")
    other = await tokens.make(Role.ADVISER, name="Adviseur Bert de Vries")
    admin = await tokens.make(Role.ADMIN, name="Beheerder Carla")
    report_id, receipt = await _anonymous_report(client, adviser)

    assert (await client.get(f"{REPORTS}/{report_id}", headers=adviser.headers)).status_code == 200
    url = f"{REPORTS}/{report_id}/confidential"
    assert (await client.get(url, params={"purpose": "triage"}, headers=adviser.headers)).status_code == 200
    assert (await client.get(url, params={"purpose": "triage"}, headers=other.headers)).status_code == 404
    # …and through the web page: the stated purpose, a POST.
    await web.sign_in(adviser)
    page = await web.get(f"/meldingen/{report_id}")
    shown = await web.http.post(f"/meldingen/{report_id}/vertrouwelijk",
                                data={"_csrf": csrf_of(page.text), "purpose": "investigation"})
    assert shown.status_code == 200 and "Mijn verhaal" in shown.text

    rows = await _rows(runtime, report_id)
    views = [r for r in rows if r["action"] == "report.read"]
    reads = [r for r in rows if r["action"] == "report.confidential_read"]
    assert len(views) >= 2  # API and web page
    _is_complete(views[0], adviser, "report.read")
    assert [(r["actor_id"], r["result"], r["purpose"]) for r in reads] == [
        (adviser.id, "success", "triage"), (other.id, "denied", "triage"), (adviser.id, "success", "investigation"),
    ]
    _is_complete(reads[0], adviser, "report.confidential_read")
    _is_complete(reads[1], other, "report.confidential_read", "denied")

    # The admin's answer: who, when, why — including the refused attempt; the question itself is audited.
    answer = await client.get(f"{ADMIN_REPORTS}/{report_id}/reads", headers=admin.headers)
    assert answer.status_code == 200, answer.text
    entries = answer.json()["reads"]
    confidential_reads = [e for e in entries if e["action"] == "report.confidential_read"]
    assert [(e["actor_name"], e["purpose"], e["result"]) for e in confidential_reads] == [
        ("Adviseur Anna Jansen", "triage", "success"), ("Adviseur Bert de Vries", "triage", "denied"),
        ("Adviseur Anna Jansen", "investigation", "success"),
    ]
    assert all(e["at"] and e["origin"] == "127.0.0.1" for e in entries)
    assert (await _rows(runtime, report_id, "report.reads_listed"))[0]["actor_id"] == admin.id
    for who in (adviser, other):
        assert (await client.get(f"{ADMIN_REPORTS}/{report_id}/reads", headers=who.headers)).status_code == 403
    missing = await client.get(f"{ADMIN_REPORTS}/{UUID(int=5)}/reads", headers=admin.headers)
    assert missing.status_code == 404

    # The reporter's answer (GDPR art. 15), by the admin and by the receipt: days and purposes, no one named.
    expected = ["triage", "investigation"]
    by_admin = await client.get(f"{ADMIN_REPORTS}/{report_id}/consultations", headers=admin.headers)
    by_receipt = await client.post(f"{PUBLIC_REPORTS}/consultations", json={"receipt": receipt})
    for response in (by_admin, by_receipt):
        assert response.status_code == 200, response.text
        listed = response.json()["consultations"]
        assert [c["purpose"] for c in listed] == expected and all(set(c) == {"on", "purpose"} for c in listed)
        for staff in (adviser, other, admin):
            assert str(staff.id) not in response.text
        for word in ("Anna", "Jansen", "Bert", "Carla", "adviser", "admin", "127.0.0.1", "denied"):
            assert word not in response.text
        for row in rows:
            assert row["request_id"] not in response.text
    unknown = await client.post(f"{PUBLIC_REPORTS}/consultations", json={"receipt": "ABCD-EFGH-JKLM-NPQR"})
    assert unknown.status_code == 404
    with_token = await client.post(f"{PUBLIC_REPORTS}/consultations", json={"receipt": receipt},
                                   headers=adviser.headers)
    assert with_token.status_code == 403


async def test_case_reads_are_audited_in_the_back_office_portal_and_pages(
    client: httpx.AsyncClient, tokens: TokenFactory, runtime: Runtime, settings, web: WebClient,
) -> None:
    adviser = await tokens.make(Role.ADVISER)
    company = await make_company(runtime)
    company_user = await tokens.make(Role.COMPANY, company_id=company.id)
    case_id = await open_case(client, runtime, settings, adviser, company)
    assert (await step(client, adviser, case_id, "hearing", {"question": "Uw reactie?"})).status_code == 200
    await drain_queue(settings)
    before = len(await _rows(runtime, case_id, "investigation.read"))

    assert (await client.get(f"{CASES}/{case_id}", headers=adviser.headers)).status_code == 200
    assert (await client.get(f"{HEARINGS}/{case_id}", headers=company_user.headers)).status_code == 200
    assert (await client.get(HEARINGS, headers=company_user.headers)).status_code == 200
    await web.sign_in(adviser)
    assert (await web.get(f"/onderzoeken/{case_id}")).status_code == 200
    await web.sign_out()
    await web.sign_in(company_user)
    assert (await web.get(f"/portaal/reactieverzoeken/{case_id}")).status_code == 200

    reads = (await _rows(runtime, case_id, "investigation.read"))[before:]
    assert [(r["actor_id"], r["detail"].get("view")) for r in reads] == [
        (adviser.id, None), (company_user.id, "hearing"), (company_user.id, "hearing"),
        (adviser.id, None), (company_user.id, "hearing"),
    ]
    for row in reads:
        _is_complete(row, adviser if row["actor_id"] == adviser.id else company_user, "investigation.read")


async def test_reads_of_unsent_decisions_are_audited_and_of_sent_ones_not(
    client: httpx.AsyncClient, tokens: TokenFactory, runtime: Runtime, web: WebClient,
) -> None:
    world: World = await build_world(runtime, tokens)
    recognition_id = await world.application()
    drafted = await client.post(DECISIONS, json=decision_body("grant", [recognition_id]), headers=world.adviser.headers)
    assert drafted.status_code == 201, drafted.text
    draft_id = drafted.json()["id"]
    sent_id = str(await world.decide("grant", [await world.application("25181")]))
    assert len(await _rows(runtime, draft_id, "decision.read")) == 0  # drafting is not a read

    assert (await client.get(f"{DECISIONS}/{draft_id}", headers=world.senior.headers)).status_code == 200
    assert (await client.get(DECISIONS, headers=world.senior2.headers)).status_code == 200
    await web.sign_in(world.adviser)
    assert (await web.get(f"/besluiten/{draft_id}")).status_code == 200
    assert (await web.get(f"/besluiten/{draft_id}/wijzigen")).status_code == 200
    assert (await web.get(f"/besluiten/{sent_id}")).status_code == 200
    assert (await client.get(f"{DECISIONS}/{sent_id}", headers=world.senior.headers)).status_code == 200

    reads = await _rows(runtime, draft_id, "decision.read")
    assert [(r["actor_id"], r["detail"]["via"]) for r in reads] == [
        (world.senior.id, "detail"), (world.senior2.id, "list"), (world.adviser.id, "detail"),
        (world.adviser.id, "detail"),
    ]
    _is_complete(reads[0], world.senior, "decision.read")
    assert all(r["detail"]["status"] == "draft" for r in reads)
    assert await _rows(runtime, sent_id, "decision.read") == []


async def test_the_admin_page_shows_who_looked_and_what_the_reporter_gets(
    client: httpx.AsyncClient, tokens: TokenFactory, runtime: Runtime, web: WebClient,
) -> None:
    adviser = await tokens.make(Role.ADVISER, name="Adviseur Dirk Bakker")
    report_id, _ = await _anonymous_report(client, adviser)
    url = f"{REPORTS}/{report_id}/confidential"
    assert (await client.get(url, params={"purpose": "decision"}, headers=adviser.headers)).status_code == 200

    await web.sign_in(adviser)
    assert (await web.get("/beheer/inzage")).status_code == 403
    await web.sign_out()
    admin = await web.sign_in_as(tokens, Role.ADMIN)
    empty = await web.get("/beheer/inzage")
    assert empty.status_code == 200 and "Inzage door medewerkers" not in empty.text
    shown = await web.get("/beheer/inzage", params={"melding": report_id})
    assert shown.status_code == 200
    staff_part, reporter_part = shown.text.split("Voor de melder (AVG, artikel 15)")
    assert "Adviseur Dirk Bakker" in staff_part and "voorbereiding van een besluit" in staff_part
    assert "voorbereiding van een besluit" in reporter_part and "Dirk" not in reporter_part
    assert [r["actor_id"] for r in await _rows(runtime, report_id, "report.reads_listed")] == [admin.id]
    assert (await web.get("/beheer/inzage", params={"melding": "geen-id"})).status_code == 422
    assert (await web.get("/beheer/inzage", params={"melding": str(UUID(int=7))})).status_code == 404


async def test_the_anonymous_reporter_sees_days_and_purposes_on_the_status_page(
    client: httpx.AsyncClient, tokens: TokenFactory, web: WebClient,
) -> None:
    adviser = await tokens.make(Role.ADVISER, name="Adviseur Els Smit")
    report_id, receipt = await _anonymous_report(client, adviser)
    before = await web.submit("/melden/status", data={"receipt": receipt})
    assert before.status_code == 200 and "Niemand heeft uw vertrouwelijke gegevens ingezien." in before.text
    url = f"{REPORTS}/{report_id}/confidential"
    assert (await client.get(url, params={"purpose": "referral"}, headers=adviser.headers)).status_code == 200
    after = await web.submit("/melden/status", data={"receipt": receipt})
    assert after.status_code == 200 and "doorverwijzing" in after.text
    for word in ("Els", "Smit", str(adviser.id), "127.0.0.1"):
        assert word not in after.text
