"""The anonymous form: a receipt code, a coarse status and nothing else; strict limits; no trace of the sender."""

from __future__ import annotations

import re

import sqlalchemy as sa

from erkenning.app import create_app
from erkenning.core.audit.models import AuditEvent
from erkenning.core.runtime import Runtime
from erkenning.core.settings import Settings
from erkenning.devtools.embedded import free_port
from erkenning.reports.models import Report, ReportConfidential
from tests.factories import Principal, facts
from tests.helpers import PUBLIC_REPORTS, REPORTS, act, asgi_client

STATUS = f"{PUBLIC_REPORTS}/status"


def anonymous_body(**overrides) -> dict:
    return {**facts(), "confidential": {"narrative": "Wat er gebeurde"}, **overrides}


async def _count(runtime: Runtime, model: type = Report) -> int:
    async with runtime.session_factory() as session:
        return (await session.exec(sa.select(sa.func.count()).select_from(model))).scalar_one()


async def test_anonymous_report_gets_an_unguessable_receipt_and_a_coarse_status(client, runtime: Runtime) -> None:
    response = await client.post(PUBLIC_REPORTS, json=anonymous_body())
    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == {"receipt", "status"} and body["status"] == "received"
    code = body["receipt"]
    assert re.fullmatch(r"([0-9A-HJKMNP-TV-Z]{4}-){4}[0-9A-HJKMNP-TV-Z]{4}", code)
    other = (await client.post(PUBLIC_REPORTS, json=anonymous_body())).json()["receipt"]
    assert other != code

    status = await client.post(STATUS, json={"receipt": code})
    assert status.status_code == 200 and status.json() == {"status": "received"}
    # Retyped by hand: lower case, no dashes, O for 0 and l for 1 still find it.
    retyped = code.replace("-", "").lower().replace("0", "o").replace("1", "l")
    assert (await client.post(STATUS, json={"receipt": retyped})).json() == {"status": "received"}

    async with runtime.session_factory() as session:
        stored = (await session.exec(sa.select(Report))).scalars().all()
    assert all(r.receipt_hash and code not in r.receipt_hash for r in stored)  # only a hash is kept
    assert {r.channel for r in stored} == {"public_form"}
    assert await _count(runtime, ReportConfidential) == 2


async def test_receipt_shows_being_handled_then_closed_and_never_the_outcome(
    client, runtime: Runtime, senior: Principal
) -> None:
    code = (await client.post(PUBLIC_REPORTS, json=anonymous_body())).json()["receipt"]
    [report_id] = [str(r.id) async for r in _reports(runtime)]

    async def status() -> dict:
        return (await client.post(STATUS, json={"receipt": code})).json()

    assert (await act(client, senior, report_id, "start-triage")).status_code == 200
    assert await status() == {"status": "being handled"}
    referred = await act(client, senior, report_id, "refer", {"reason": "Strafbaar feit", "referred_to": "police"})
    assert referred.status_code == 200, referred.text
    assert await status() == {"status": "closed"}


async def _reports(runtime: Runtime):
    async with runtime.session_factory() as session:
        for report in (await session.exec(sa.select(Report))).scalars().all():
            yield report


async def test_unknown_receipt_is_404_and_malformed_is_422(client) -> None:
    assert (await client.post(STATUS, json={"receipt": "ABCD-EFGH-JKMN-PQRS-TVWX"})).status_code == 404
    assert (await client.post(STATUS, json={"receipt": "<script>"})).status_code == 422
    assert (await client.post(STATUS, json={"receipt": "ABCD-EFGH", "extra": 1})).status_code == 422


async def test_the_form_is_for_anonymous_senders_only(client, school: Principal, adviser: Principal) -> None:
    for caller in (school, adviser):
        response = await client.post(PUBLIC_REPORTS, json=anonymous_body(), headers=caller.headers)
        assert response.status_code == 403


async def test_anonymous_reports_carry_no_identity_and_no_company_id(client, company) -> None:
    named = anonymous_body(confidential={"narrative": "x", "reporter_name": "Naam"})
    assert (await client.post(PUBLIC_REPORTS, json=named)).status_code == 422
    by_id = anonymous_body(company={"company_id": str(company.id)})
    assert (await client.post(PUBLIC_REPORTS, json=by_id)).status_code == 422
    forged = anonymous_body(status="closed")
    assert (await client.post(PUBLIC_REPORTS, json=forged)).status_code == 422


async def test_every_field_and_the_body_are_size_limited(client, runtime: Runtime) -> None:
    too_long = {
        "summary": "s" * 501,
        "confidential": {"narrative": "n" * 8001},
        "company": {"name": "c" * 201},
        "crebo": "1" * 6,
    }
    for field, value in too_long.items():
        response = await client.post(PUBLIC_REPORTS, json=anonymous_body(**{field: value}))
        assert response.status_code == 422, field
    huge = anonymous_body(confidential={"narrative": "n" * 40_000})
    assert (await client.post(PUBLIC_REPORTS, json=huge)).status_code == 413
    assert (await client.post(STATUS, json={"receipt": "A" * 2000})).status_code == 413
    assert await _count(runtime) == 0


async def test_intake_is_rate_limited_per_address_counting_every_attempt(
    client, runtime: Runtime, settings: Settings
) -> None:
    limit = settings.report_intake_limit
    for _ in range(limit - 1):
        assert (await client.post(PUBLIC_REPORTS, json=anonymous_body())).status_code == 201
    assert (await client.post(PUBLIC_REPORTS, json={"bad": "input"})).status_code == 422  # counts too
    refused = await client.post(PUBLIC_REPORTS, json=anonymous_body())
    assert refused.status_code == 429
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert 1 <= int(refused.headers["retry-after"]) <= settings.report_intake_window_s
    assert await _count(runtime) == limit - 1

    # Another address (through a trusted proxy) has its own count.
    behind_proxy = create_app(settings=settings.model_copy(update={"trusted_proxies": ["127.0.0.1/32"]}),
                              runtime=runtime)
    async with asgi_client(behind_proxy) as other:
        response = await other.post(PUBLIC_REPORTS, json=anonymous_body(), headers={"X-Forwarded-For": "198.51.100.7"})
        assert response.status_code == 201


async def test_receipt_lookups_are_rate_limited(client, settings: Settings) -> None:
    for _ in range(settings.report_receipt_limit):
        assert (await client.post(STATUS, json={"receipt": "ABCD-EFGH-JKMN-PQRS-TVWX"})).status_code == 404
    assert (await client.post(STATUS, json={"receipt": "ABCD-EFGH-JKMN-PQRS-TVWX"})).status_code == 429


async def test_without_redis_the_form_refuses_rather_than_run_unlimited(settings: Settings, runtime: Runtime) -> None:
    broken = Runtime.create(settings.model_copy(update={"redis_url": f"redis://127.0.0.1:{free_port()}/0"}))
    try:
        async with asgi_client(create_app(runtime=broken)) as client:
            response = await client.post(PUBLIC_REPORTS, json=anonymous_body())
        assert response.status_code == 503
    finally:
        await broken.close()
    assert await _count(runtime) == 0


async def test_nothing_keeps_the_senders_address(client, runtime: Runtime, logs) -> None:
    response = await client.post(PUBLIC_REPORTS, json=anonymous_body(), headers={"X-Request-ID": "anon-intake-1"})
    assert response.status_code == 201
    await client.post(STATUS, json={"receipt": response.json()["receipt"]}, headers={"X-Request-ID": "anon-status-1"})
    await client.get("/health/live", headers={"X-Request-ID": "ordinary-1"})

    requests = {line["request_id"]: line for line in logs.events("http.request")}
    assert requests["anon-intake-1"]["origin"] is None
    assert requests["anon-status-1"]["origin"] is None
    assert requests["ordinary-1"]["origin"] == "127.0.0.1"  # the rule is specific to the anonymous routes
    async with runtime.session_factory() as session:
        [row] = (await session.exec(sa.select(AuditEvent).where(AuditEvent.request_id == "anon-intake-1"))).scalars()
    assert row.action == "report.received" and row.origin is None and row.actor_id is None


async def test_back_office_lists_anonymous_reports_without_a_receipt(client, adviser: Principal) -> None:
    code = (await client.post(PUBLIC_REPORTS, json=anonymous_body())).json()["receipt"]
    listed = await client.get(REPORTS, headers=adviser.headers)
    assert listed.json()["total"] == 1
    assert code not in listed.text and "receipt" not in listed.text
