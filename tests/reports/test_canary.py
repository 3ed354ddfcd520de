"""A marker in every free-text field, run through intake → assignment → confidential read → triage:
the confidential markers surface only in the one audited read, and no free text reaches a log line,
Redis, an outbox payload, an audit row, an error body, or a school or public answer."""

from __future__ import annotations

import json
from uuid import uuid4

import httpx
import pytest
import sqlalchemy as sa

from erkenning.runtime import Runtime
from erkenning.settings import Settings
from tests.helpers import Principal, make_company
from tests.reports.conftest import BACKOFFICE, PUBLIC, SCHOOL, act, facts

TAG = uuid4().hex[:10]
# Confidential: may appear only in the confidential read and in its own table.
NAME, CONTACT, NARRATIVE = f"NAAMgeheim{TAG}", f"contact{TAG}@geheim.example", f"VERHAALgeheim{TAG}"
SECRETS = (NAME, CONTACT, NARRATIVE)
# Non-confidential free text: staff may see it, but it is never logged, queued or shown outside SBB.
SUMMARY, REASON, COMPANY_NAME = f"SAMENVATTING{TAG}", f"REDEN{TAG}", f"BEDRIJFSNAAM{TAG}"
FREE_TEXT = (SUMMARY, REASON, COMPANY_NAME)


def _absent(text: str, markers: tuple[str, ...], where: str) -> None:
    found = [m for m in markers if m in text]
    assert not found, f"{found} found in {where}"


async def _redis_dump(runtime: Runtime) -> bytes:
    """Every key and value in the Redis database the tests use (job payloads, queues, rate limits)."""
    redis = runtime.queue.redis
    chunks: list[bytes] = []
    async for key in redis.scan_iter(count=500):
        chunks.append(key)
        kind = (await redis.type(key)).decode()
        if kind == "string":
            chunks.append(await redis.get(key) or b"")
        elif kind == "zset":
            chunks.extend(await redis.zrange(key, 0, -1))
        elif kind == "hash":
            for field, value in (await redis.hgetall(key)).items():
                chunks.extend((field, value))
        elif kind == "list":
            chunks.extend(await redis.lrange(key, 0, -1))
        elif kind == "set":
            chunks.extend(await redis.smembers(key))
    return b"\n".join(c if isinstance(c, bytes) else str(c).encode() for c in chunks)


async def _tables_holding(runtime: Runtime, marker: str) -> set[str]:
    async with runtime.engine.connect() as conn:
        names = await conn.run_sync(lambda c: sa.inspect(c).get_table_names())
        found = set()
        for name in names:
            hit = await conn.execute(
                sa.text(f'SELECT count(*) FROM "{name}" t WHERE t::text LIKE :m'), {"m": f"%{marker}%"}
            )
            if hit.scalar_one():
                found.add(name)
    return found


async def _bad_inputs(client: httpx.AsyncClient, school: Principal, body: dict) -> list[httpx.Response]:
    """Invalid requests that carry the markers; their error bodies must not echo them."""
    conf = body["confidential"]
    variants = [
        {**body, "confidential": {**conf, "narrative": NARRATIVE * 800}},  # too long
        {**body, "confidential": {**conf, "narrative": f"{NARRATIVE}\x00"}},  # NUL byte
        {**body, "confidential": {**conf, "diary": NARRATIVE}},  # unknown field
        {**body, "confidential": {**conf, "reporter_name": [NAME]}},  # wrong type
        {**body, "ground": NARRATIVE},
        {**body, "incident_date": NARRATIVE},
        {**body, "summary": SUMMARY * 100},
        {**body, "company": {"name": f"{COMPANY_NAME}\x07", "kvk_number": NARRATIVE}},
    ]
    responses = [await client.post(SCHOOL, json=v, headers=school.headers) for v in variants]
    assert [r.status_code for r in responses] == [422] * len(variants)
    public = {**body, "confidential": {"narrative": NARRATIVE * 10}, "summary": SUMMARY * 50}
    responses.append(await client.post(PUBLIC, json=public))
    assert responses[-1].status_code == 422
    huge = {**body, "confidential": {"narrative": NARRATIVE * 3000}}
    responses.append(await client.post(PUBLIC, content=json.dumps(huge).encode(),
                                       headers={"content-type": "application/json"}))
    assert responses[-1].status_code == 413
    return responses


async def test_no_free_text_leaves_its_room(
    client, runtime: Runtime, settings: Settings, logs, school: Principal, adviser: Principal,
    other_adviser: Principal, senior: Principal, admin: Principal, tokens,
) -> None:
    company = await make_company(runtime)
    body = {
        **facts(None, summary=SUMMARY),
        "company": {"name": COMPANY_NAME},
        "confidential": {"reporter_name": NAME, "reporter_contact": CONTACT, "narrative": NARRATIVE},
    }
    seen: list[httpx.Response] = []  # every answer outside the confidential read

    # Intake: a school passes it on; the anonymous form too.
    passed_on = await client.post(SCHOOL, json=body, headers=school.headers)
    assert passed_on.status_code == 201
    report_id = passed_on.json()["id"]
    anonymous = await client.post(PUBLIC, json={**body, "confidential": {"narrative": NARRATIVE}})
    assert anonymous.status_code == 201
    seen += [passed_on, anonymous]
    errors = await _bad_inputs(client, school, body)

    # Assignment, refused and granted reads of the confidential part.
    seen.append(await act(client, senior, report_id, "assign", {"adviser_id": str(adviser.id)}))
    url = f"{BACKOFFICE}/{report_id}/confidential?purpose=triage"
    refused = [await client.get(url, headers=who.headers) for who in (other_adviser, admin, school)]
    assert [r.status_code for r in refused] == [404, 404, 403]
    errors += refused
    granted = await client.get(url, headers=adviser.headers)
    assert granted.status_code == 200 and granted.json()["narrative"] == NARRATIVE

    # Triage: match, start, substantiate with a reason (the outbox event is written and queued).
    seen.append(await act(client, adviser, report_id, "match", {"company_id": str(company.id)}))
    seen.append(await act(client, adviser, report_id, "start-triage"))
    substantiated = await act(client, adviser, report_id, "substantiate", {"reason": REASON})
    assert substantiated.status_code == 200, substantiated.text
    seen.append(substantiated)

    # Views: the back-office list and detail, the school's view, the receipt.
    school_views = [await client.get(SCHOOL, headers=school.headers),
                    await client.get(f"{SCHOOL}/{report_id}", headers=school.headers)]
    receipt = await client.post(f"{PUBLIC}/status", json={"receipt": anonymous.json()["receipt"]})
    staff_views = [await client.get(BACKOFFICE, headers=adviser.headers),
                   await client.get(f"{BACKOFFICE}/{report_id}", headers=adviser.headers)]
    assert SUMMARY in staff_views[0].text and REASON in staff_views[1].text  # staff do see the summary
    seen += staff_views

    for response in seen:
        _absent(response.text, SECRETS, f"{response.request.method} {response.request.url.path}")
    for response in [*errors, *school_views, receipt, anonymous]:
        _absent(response.text, SECRETS + FREE_TEXT, f"{response.request.method} {response.request.url.path}")

    # Logs: lines were written (the check is not vacuous) and none holds any free text.
    assert logs.events("report.received") and logs.events("report.substantiated")
    _absent(logs.text, SECRETS + FREE_TEXT, "the log")

    # Redis: the substantiated event is queued (payload: ids); nothing anywhere in Redis holds text.
    dump = await _redis_dump(runtime)
    async with runtime.session_factory() as session:
        event_ids = (await session.exec(sa.text("SELECT id, payload FROM outbox_event"))).all()
    assert any(str(eid).encode() in dump for eid, _ in event_ids)
    _absent(dump.decode("latin-1"), SECRETS + FREE_TEXT, "Redis")
    for _, payload in event_ids:
        _absent(json.dumps(payload), SECRETS + FREE_TEXT, "an outbox payload")

    # The database: the confidential markers live in their own table only; no audit row holds free text.
    for secret in SECRETS:
        assert await _tables_holding(runtime, secret) == {"report_confidential"}
    for text in FREE_TEXT:
        assert "audit_event" not in await _tables_holding(runtime, text)


async def test_a_failed_statement_does_not_quote_its_parameters(runtime: Runtime) -> None:
    """An unexpected database error is logged with its message: that message must not carry the values."""
    async with runtime.session_factory() as session:
        with pytest.raises(sa.exc.DBAPIError) as failed:
            await session.exec(sa.text("SELECT length(:x) / 0"), params={"x": NARRATIVE})
    assert "division by zero" in str(failed.value)
    assert NARRATIVE not in str(failed.value)
