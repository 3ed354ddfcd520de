"""A marker in every free-text field, run through intake → assignment → confidential read → triage:
the confidential markers surface only in the one audited read, and no free text reaches a log line,
Redis, an outbox payload, an audit row, an error body, or a school or public answer."""

from __future__ import annotations

import json
from uuid import uuid4

import httpx
import pytest
import sqlalchemy as sa

from erkenning.core.runtime import Runtime
from erkenning.core.settings import Settings
from tests.factories import Principal, facts, make_company
from tests.helpers import PUBLIC_REPORTS, REPORTS, SCHOOL_REPORTS, act, redis_dump

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


async def _redis_dump(runtime: Runtime, *patterns: str) -> bytes:
    """Every key (or those matching `patterns`) and value in the Redis database the tests use."""
    return await redis_dump(runtime.queue.redis, *patterns)


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
    responses = [await client.post(SCHOOL_REPORTS, json=v, headers=school.headers) for v in variants]
    assert [r.status_code for r in responses] == [422] * len(variants)
    public = {**body, "confidential": {"narrative": NARRATIVE * 10}, "summary": SUMMARY * 50}
    responses.append(await client.post(PUBLIC_REPORTS, json=public))
    assert responses[-1].status_code == 422
    huge = {**body, "confidential": {"narrative": NARRATIVE * 3000}}
    responses.append(await client.post(PUBLIC_REPORTS, content=json.dumps(huge).encode(),
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
    passed_on = await client.post(SCHOOL_REPORTS, json=body, headers=school.headers)
    assert passed_on.status_code == 201
    report_id = passed_on.json()["id"]
    anonymous = await client.post(PUBLIC_REPORTS, json={**body, "confidential": {"narrative": NARRATIVE}})
    assert anonymous.status_code == 201
    seen += [passed_on, anonymous]
    errors = await _bad_inputs(client, school, body)

    # Assignment, refused and granted reads of the confidential part.
    seen.append(await act(client, senior, report_id, "assign", {"adviser_id": str(adviser.id)}))
    url = f"{REPORTS}/{report_id}/confidential?purpose=triage"
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
    school_views = [await client.get(SCHOOL_REPORTS, headers=school.headers),
                    await client.get(f"{SCHOOL_REPORTS}/{report_id}", headers=school.headers)]
    receipt = await client.post(f"{PUBLIC_REPORTS}/status", json={"receipt": anonymous.json()["receipt"]})
    staff_views = [await client.get(REPORTS, headers=adviser.headers),
                   await client.get(f"{REPORTS}/{report_id}", headers=adviser.headers)]
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


# ---------------------------------------------------------------- the whole workflow

CANARY = f"KANARIE{TAG}"
# Staff and company free text further on (reasons, question, answer, findings, grounds): legitimately e-mailed
# or shown to the company, but never logged, queued or echoed in an error.
WORK = f"WERKTEKST{TAG}"
# The school's own case number: quoted back to that school only (in the outcome notice), nowhere else.
SCHOOL_REF = f"SCHOOLKENMERK{TAG}"
# The reporting side's reaction to the company's answer (wederhoor): in its own table and the staff's case
# view only; never logged, queued, e-mailed (to anyone), exported, echoed in an error, or shown to the company.
REACTION = f"MELDERSREACTIE{TAG}"


def _mail_text(message) -> str:
    """Subject, every header and every text part, decoded (a marker must not hide behind an encoding)."""
    parts = [f"{name}: {value}" for name, value in message.items()]
    parts += [part.get_content() for part in message.walk() if part.get_content_maintype() == "text"]
    return "\n".join(parts)


async def _queue_dump(runtime: Runtime) -> str:
    """The run's queue keys and arq's job keys, with their values (taken before a worker consumes them)."""
    return (await _redis_dump(runtime, f"{runtime.settings.arq_queue_name}*", "arq:*")).decode("latin-1")


async def test_a_canary_in_every_free_text_field_goes_through_the_whole_workflow_and_leaks_nowhere(
    client, runtime: Runtime, settings: Settings, logs, tokens, mail, tmp_path,
) -> None:
    from datetime import timedelta

    from erkenning.bulk.export import export_register
    from erkenning.core import clock
    from erkenning.core.caller import Role
    from tests.factories import World, case_of
    from tests.helpers import CASES, HEARINGS, drain_queue, respond_approve_send, step

    adviser = await tokens.make(Role.ADVISER, email="adviseur@sbb.example")
    senior = await tokens.make(Role.SENIOR_ADVISER, email="senior1@sbb.example")
    senior2 = await tokens.make(Role.SENIOR_ADVISER, email="senior2@sbb.example")
    admin = await tokens.make(Role.ADMIN)
    school = await tokens.make(Role.SCHOOL, school_brin="25LX", email="meldpunt@roc.example")
    company = await make_company(runtime, email="bedrijf@example.org")
    company_user = await tokens.make(Role.COMPANY, company_id=company.id)
    world = World(runtime=runtime, adviser=adviser, senior=senior, senior2=senior2, admin=admin, company=company_user)
    recognition_id = await world.granted("25180", on=clock.today() - timedelta(days=400))

    queued: list[str] = []

    async def drain() -> None:
        queued.append(await _queue_dump(runtime))  # the jobs as they wait, before the worker takes them
        await drain_queue(settings)

    await drain()
    body = {
        **facts(None, summary=f'{CANARY} samenvatting met "aanhalingstekens"'),
        "company": {"establishment_number": company.establishment_number, "name": f"{CANARY} bedrijfsnaam"},
        "school_reference": f"{SCHOOL_REF}-MP/7",
        "confidential": {
            "reporter_name": f"{CANARY} melder", "reporter_contact": f"{CANARY}@melder.example",
            "narrative": f'{CANARY} het verhaal, met "aanhalingstekens" en \\ een backslash',
        },
    }
    errors: list[httpx.Response] = []

    # Intake, and a few refused variants carrying the canary.
    passed_on = await client.post(SCHOOL_REPORTS, json=body, headers=school.headers)
    assert passed_on.status_code == 201, passed_on.text
    report_id = passed_on.json()["id"]
    errors += await _bad_inputs(client, school, body)

    # Triage with an audited read of the confidential part; refused requests with the canary in them.
    assert (await act(client, adviser, report_id, "assign", {"adviser_id": str(adviser.id)})).status_code == 200
    read = await client.get(f"{REPORTS}/{report_id}/confidential", params={"purpose": "triage"},
                            headers=adviser.headers)
    assert read.status_code == 200 and CANARY in read.text
    errors += [
        await client.get(f"{REPORTS}/{report_id}/confidential", params={"purpose": CANARY}, headers=adviser.headers),
        await client.get(REPORTS, params={"status": CANARY, "ground": WORK}, headers=adviser.headers),
        await act(client, adviser, report_id, "assign", {"adviser_id": CANARY}),
        await act(client, adviser, report_id, "match", {"company_id": WORK}),
        await act(client, adviser, report_id, "substantiate", {"reason": WORK * 300}),
        await act(client, adviser, report_id, "refer", {"reason": WORK, "referred_to": CANARY}),
        await client.post(f"{PUBLIC_REPORTS}/status", json={"receipt": CANARY}),
        await client.post(PUBLIC_REPORTS,
                          json={**body, "confidential": {"narrative": CANARY, "reporter_name": CANARY}}),
        await client.post(f"{REPORTS}/{report_id}/assign", content=f'{{"adviser_id": "{CANARY}\n"',
                          headers={**adviser.headers, "content-type": "application/json"}),
    ]
    assert all(400 <= r.status_code < 500 for r in errors), [(r.request.url.path, r.status_code) for r in errors]
    assert (await act(client, adviser, report_id, "start-triage")).status_code == 200
    assert (await act(client, adviser, report_id, "substantiate", {"reason": f"{WORK} aannemelijk"})).status_code == 200

    # The worker opens the case; hearing; the company answers.
    await drain()
    case = await case_of(runtime, report_id)
    assert case is not None
    case_id = str(case.id)
    assert (await step(client, adviser, case_id, "hearing", {"question": f"{WORK} vraag?"})).status_code == 200
    await drain()
    answered = await client.post(f"{HEARINGS}/{case_id}/answer", json={"answer": f"{WORK} antwoord"},
                                 headers=company_user.headers)
    assert answered.status_code == 200, answered.text

    # Wederhoor: the adviser puts the substance of the answer to the school, which reacts (refused variants first).
    reaction_url = f"{SCHOOL_REPORTS}/{report_id}/reaction"
    asked = await step(client, adviser, case_id, "reporter-question", {"question": f"{WORK} de kern, uw reactie?"})
    assert asked.status_code == 200, asked.text
    refused_reactions = [
        await client.post(reaction_url, json={"reaction": REACTION * 300}, headers=school.headers),
        await client.post(reaction_url, json={"reaction": f"{REACTION}\x00"}, headers=school.headers),
        await client.post(reaction_url, json={"reaction": REACTION, "name": CANARY}, headers=school.headers),
        await client.post(f"{PUBLIC_REPORTS}/reaction/answer",
                          json={"receipt": "AAAA-BBBB-CCCC-DDDD-EEEE", "reaction": REACTION}),
        await client.post(f"{PUBLIC_REPORTS}/reaction/answer", json={"receipt": CANARY, "reaction": REACTION}),
        await step(client, adviser, case_id, "reporter-question", {"question": WORK * 300}),
        await step(client, adviser, case_id, f"reporter-reactions/{report_id}", {"reaction": REACTION * 300}),
    ]
    assert [r.status_code for r in refused_reactions] == [422, 422, 422, 404, 404, 422, 422], [
        (r.request.url.path, r.status_code) for r in refused_reactions]
    errors += refused_reactions
    reacted = await client.post(reaction_url, json={"reaction": f"{REACTION} de melder herkent dit niet"},
                                headers=school.headers)
    assert reacted.status_code == 200, reacted.text
    company_views = [await client.get(HEARINGS, headers=company_user.headers),
                     await client.get(f"{HEARINGS}/{case_id}", headers=company_user.headers)]
    staff_view = await client.get(f"{CASES}/{case_id}", headers=adviser.headers)
    assert REACTION in staff_view.text  # the case's adviser reads it (the check below is not vacuous)
    await drain()

    # Proposal, four-eyes approval; the worker puts the measure to the company (an intended decision), which
    # responds; a senior adviser who read the response approves it, and the adviser sends it.
    proposal = {"outcome": "suspension", "findings": f"{WORK} bevindingen", "recognition_ids": [str(recognition_id)],
                "effective_from": (clock.today() + timedelta(days=14)).isoformat(),
                "placements_until": (clock.today() + timedelta(days=60)).isoformat()}
    assert (await step(client, adviser, case_id, "proposal", proposal)).status_code == 200
    assert (await step(client, senior2, case_id, "approve")).status_code == 200
    await drain()
    detail = (await client.get(f"{CASES}/{case_id}", headers=adviser.headers)).json()
    assert detail["status"] == "closed" and detail["decision_id"]
    await respond_approve_send(client, detail["decision_id"], company=company_user, approver=senior2, sender=adviser,
                               response=f"{WORK} zienswijze")
    await drain()

    # Objection: the file for inspection (art. 7:4 Awb), the hearing with its report, the decision on it by
    # someone not involved.
    objection = await client.post(f"/api/v1/portal/decisions/{detail['decision_id']}/objections",
                                  json={"grounds": f"{WORK} bezwaargronden"}, headers=company_user.headers)
    assert objection.status_code == 201, objection.text
    objection_url = f"/api/v1/backoffice/objections/{objection.json()['id']}"
    company_views.append(await client.get(f"/api/v1/portal/objections/{objection.json()['id']}/file",
                                          headers=company_user.headers))
    hearing_at = (clock.now() + timedelta(days=2)).isoformat()
    invited = await client.post(f"{objection_url}/hearing/invite", headers=adviser.headers,
                                json={"hearing_at": hearing_at, "place": f"{WORK} zaal"})
    assert invited.status_code == 200, invited.text
    with clock.travel(timedelta(days=3)):
        held = await client.post(f"{objection_url}/hearing/held", json={"report": f"{WORK} verslag"},
                                 headers=adviser.headers)
        assert held.status_code == 200, held.text
        decided = await client.post(f"{objection_url}/decide", headers=senior.headers,
                                    json={"outcome": "rejected", "reason": f"{WORK} ongegrond"})
        assert decided.status_code == 200, decided.text
        await drain()
    company_views.append(await client.get(f"/api/v1/portal/objections/{objection.json()['id']}/letter",
                                          headers=company_user.headers))

    # Exports: the register CSV, the monitoring CSV and the yearly report.
    register_csv = tmp_path / "register.csv"
    assert await export_register(runtime.engine, register_csv) >= 1
    exports = [register_csv.read_text()]
    for url in ("/api/v1/backoffice/monitoring/indicators.csv",
                f"/api/v1/backoffice/monitoring/report/{clock.today().year}"):
        exported = await client.get(url, headers=admin.headers)
        assert exported.status_code == 200, exported.text
        exports.append(exported.text)
    assert company.name in exports[0]  # the export is not empty of what it should hold

    # The checks are not vacuous: mails were sent, jobs were queued, the workflow logged.
    sent = [_mail_text(m) for m in mail.messages]
    assert len(sent) >= 6 and any(company.email in m for m in sent)
    to_others = [_mail_text(m) for m in mail.messages if m["To"] != "meldpunt@roc.example"]
    assert any(SCHOOL_REF in _mail_text(m) for m in mail.to("meldpunt@roc.example"))
    assert any(str(case_id) in q or "process_event" in q for q in queued)
    assert logs.events("investigation.opened") or logs.events("report.substantiated")

    # The service's log lines: all of them but the test client's own (httpx logs the URLs this test asks for).
    service_log = "\n".join(line for line in logs.lines if "HTTP Request: " not in line or "http://testserver/" not in line)
    for where, text in [
        ("the log", service_log), *((f"queued job {i}", q) for i, q in enumerate(queued)),
        *((f"e-mail {i}", m) for i, m in enumerate(sent)), *((f"export {i}", e) for i, e in enumerate(exports)),
    ]:
        _absent(text, (CANARY,), where)
    for where, text in [("the log", service_log), *((f"queued job {i}", q) for i, q in enumerate(queued)),
                        *((f"export {i}", e) for i, e in enumerate(exports))]:
        _absent(text, (WORK, SCHOOL_REF, REACTION), where)
    for i, text in enumerate(sent):
        _absent(text, (REACTION,), f"e-mail {i}")
    for response in company_views:
        assert response.status_code == 200
        _absent(response.text, (REACTION, CANARY, SCHOOL_REF), f"the company's {response.request.url.path}")
    assert await _tables_holding(runtime, REACTION) == {"reporter_reaction"}
    for i, text in enumerate(to_others):
        _absent(text, (SCHOOL_REF,), f"e-mail {i} to someone else than the school")
    for response in errors:
        _absent(response.text, (CANARY, WORK, SCHOOL_REF, REACTION),
                f"error body of {response.request.method} {response.request.url.path}")
    async with runtime.session_factory() as session:
        payloads = (await session.exec(sa.text("SELECT payload::text FROM outbox_event"))).scalars().all()
    assert payloads
    for payload in payloads:
        _absent(payload, (CANARY, WORK, SCHOOL_REF, REACTION), "an outbox payload")
    # Every log line is one valid JSON object, whatever quotes, backslashes or newlines the input held.
    for line in logs.lines:
        assert isinstance(json.loads(line), dict) and "\n" not in line


async def test_log_lines_stay_one_json_object_whatever_the_input(client, logs, school: Principal) -> None:
    from erkenning.core.logging import get_logger

    nasty = 'a"b\\c\nd\r\ne\u2028f\x00g'
    get_logger("tests").info("test.nasty", value=nasty, **{'key"with\nnewline': nasty})
    await client.get('/api/v1/register/companies/%22quoted%22%0Anewline', headers={"X-Request-Id": 'x"y'})
    await client.get("/api/v1/register/companies", params={"name": nasty, "postcode": nasty})
    await client.post(SCHOOL_REPORTS, content=b'{"summary": "a\nb\"c',
                      headers={**school.headers, "content-type": "application/json"})
    await client.get("/api/v1/backoffice/reports", headers={"Authorization": 'Bearer erk_"\\'})
    assert len(logs.lines) >= 5
    parsed = [json.loads(line) for line in logs.lines]
    assert all(isinstance(p, dict) and "\n" not in line for p, line in zip(parsed, logs.lines, strict=True))
    [mine] = [p for p in parsed if p["event"] == "test.nasty"]
    assert mine["value"] == nasty  # escaped on the way out, intact on the way back in
    # A request id that is not ours to trust is replaced, not echoed.
    assert not any(p.get("request_id") == 'x"y' for p in parsed)
