"""Decisions over HTTP: drafting, the intended decision, four eyes, sending (e-mail, objection deadline),
and the entry point for the investigation workflow."""

import asyncio
from datetime import date, timedelta
from uuid import uuid4

import pytest
import sqlalchemy as sa

from erkenning.core import calendar, clock
from erkenning.core.caller import Role
from erkenning.core.errors import ValidationFailed
from erkenning.core.runtime import Runtime
from erkenning.core.settings import Settings
from erkenning.letters import RENDERER
from erkenning.recognition.models import Decision, DecisionStatus, Recognition, RecognitionStatus
from erkenning.recognition.services import measures
from tests.factories import TokenFactory, World, as_caller, build_world, decision_body
from tests.helpers import DECISIONS, PORTAL, MailCatcher, drain_queue, only


async def test_grant_is_drafted_approved_and_sent_and_the_company_is_told(
    client, world: World, settings: Settings, runtime: Runtime, mail: MailCatcher
) -> None:
    recognition_id = await world.application()
    drafted = await client.post(
        DECISIONS, json=decision_body("grant", [recognition_id]), headers=world.adviser.headers
    )
    assert drafted.status_code == 201, drafted.text
    body = drafted.json()
    assert body["status"] == "draft" and body["drafted_by"] == str(world.adviser.id)
    assert [a["to"] for a in body["actions"]] == ["approved", "cancelled"]
    url = f"{DECISIONS}/{body['id']}"

    # A favourable decision: any adviser may approve, the drafter too.
    assert (await client.post(f"{url}/approve", headers=world.adviser.headers)).json()["status"] == "approved"
    sent = await client.post(f"{url}/send", headers=world.adviser.headers)
    assert sent.status_code == 200, sent.text
    sent = sent.json()
    today = clock.today()
    assert sent["status"] == "sent" and sent["sent_on"] == today.isoformat()
    assert sent["objection_deadline"] == calendar.term_end(today, weeks=6).isoformat()
    assert sent["recognitions"][0]["status_before"] == "pending"
    assert sent["recognitions"][0]["status_after"] == "active"
    assert sent["actions"] == []

    detail = (
        await client.get(f"/api/v1/backoffice/recognitions/{recognition_id}", headers=world.adviser.headers)
    ).json()
    assert detail["status"] == "active"
    assert [(p["status"], p["valid_from"], p["valid_until"]) for p in detail["periods"]] == [
        ("active", today.isoformat(), None)
    ]
    assert detail["decision_ids"] == [body["id"]]

    await drain_queue(settings)
    [message] = mail.to(await world.email())
    assert message["Subject"] == "Besluit van SBB: verlening van de erkenning"
    deadline = date.fromisoformat(sent["objection_deadline"]).strftime("%d-%m-%Y")
    assert f"tot en met {deadline} bezwaar" in MailCatcher.text(message)
    assert "25180 Kok (BOL)" in MailCatcher.text(message)


async def _intended(client, world: World, kind: str, recognition_id, drafter=None, **fields) -> str:
    drafter = drafter or world.adviser
    response = await client.post(
        DECISIONS, json=decision_body(kind, [recognition_id], **fields), headers=drafter.headers
    )
    assert response.status_code == 201, response.text
    url = f"{DECISIONS}/{response.json()['id']}"
    intended = await client.post(f"{url}/intend", headers=drafter.headers)
    assert intended.status_code == 200, intended.text
    return url


async def test_the_drafter_cannot_approve_their_own_harmful_decision_another_senior_can(
    client, world: World
) -> None:
    recognition_id = await world.granted()
    url = await _intended(
        client, world, "suspend", recognition_id, drafter=world.senior, until_reinstated=True
    )
    decision_id = url.rsplit("/", 1)[1]
    responded = await client.post(
        f"{PORTAL}/decisions/{decision_id}/response",
        json={"text": "Wij zijn het oneens."},
        headers=world.company.headers,
    )
    assert responded.status_code == 200, responded.text

    own = await client.post(f"{url}/approve", headers=world.senior.headers)
    assert own.status_code == 403
    assert own.json()["type"] == "urn:erkenning:problem:transition-refused"
    assert "other than the one who drafted" in own.json()["detail"]
    plain = await client.post(f"{url}/approve", headers=world.adviser.headers)
    assert plain.status_code == 403 and "senior adviser must approve" in plain.json()["detail"]

    unread = await client.post(f"{url}/approve", headers=world.senior2.headers)
    assert unread.status_code == 409 and "response_read" in unread.json()["detail"]
    approved = await client.post(f"{url}/approve", json={"response_read": True}, headers=world.senior2.headers)
    assert approved.status_code == 200, approved.text
    assert approved.json()["approved_by"] == str(world.senior2.id)
    assert approved.json()["response_read_by"] == str(world.senior2.id)


async def test_intended_decision_waits_for_the_response_or_the_term(
    client, world: World, settings: Settings, runtime: Runtime, mail: MailCatcher
) -> None:
    recognition_id = await world.granted()
    effective = clock.today() + timedelta(days=60)
    drafted = await client.post(
        DECISIONS,
        json=decision_body("withdraw", [recognition_id], effective_from=effective.isoformat()),
        headers=world.adviser.headers,
    )
    url = f"{DECISIONS}/{drafted.json()['id']}"
    too_soon = await client.post(f"{url}/approve", headers=world.senior.headers)
    assert too_soon.status_code == 409 and "intended decision" in too_soon.json()["detail"]

    intended = (await client.post(f"{url}/intend", headers=world.adviser.headers)).json()
    due = date.fromisoformat(intended["response_due"])
    assert due == calendar.term_end(clock.today(), days=settings.intended_decision_response_days)
    assert [a["to"] for a in intended["actions"]] == ["cancelled"]
    await drain_queue(settings)
    message = only(mail.to(await world.email()), "Voornemen van SBB: intrekking van de erkenning")
    assert f"tot en met {due.strftime('%d-%m-%Y')}" in MailCatcher.text(message)

    waiting = await client.post(f"{url}/approve", headers=world.senior.headers)
    assert waiting.status_code == 409 and due.isoformat() in waiting.json()["detail"]
    with clock.travel(due - clock.today()):  # the last day of the term: still waiting
        assert (await client.post(f"{url}/approve", headers=world.senior.headers)).status_code == 409
    with clock.travel(due - clock.today() + timedelta(days=1)):
        approved = await client.post(f"{url}/approve", headers=world.senior.headers)
    assert approved.status_code == 200, approved.text
    assert approved.json()["response_term_passed_at"] is not None
    assert approved.json()["response_received_at"] is None


async def test_a_response_through_the_portal_allows_approval_before_the_term_ends(
    client, world: World
) -> None:
    recognition_id = await world.granted()
    url = await _intended(client, world, "impose_conditions", recognition_id)
    decision_id = url.rsplit("/", 1)[1]
    assert (await client.post(f"{url}/approve", headers=world.senior.headers)).status_code == 409
    response = await client.post(
        f"{PORTAL}/decisions/{decision_id}/response",
        json={"text": "Wij passen dit aan."},
        headers=world.company.headers,
    )
    assert response.status_code == 200 and response.json()["response_text"] == "Wij passen dit aan."
    again = await client.post(
        f"{PORTAL}/decisions/{decision_id}/response",
        json={"text": "Nog iets."},
        headers=world.company.headers,
    )
    assert again.status_code == 409
    approved = await client.post(f"{url}/approve", json={"response_read": True}, headers=world.senior.headers)
    assert approved.status_code == 200 and approved.json()["response_received_at"] is not None
    sent = await client.post(f"{url}/send", headers=world.adviser.headers)
    assert sent.status_code == 200
    # Conditions change no status.
    assert sent.json()["recognitions"][0]["status_before"] == "active"
    assert sent.json()["recognitions"][0]["status_after"] is None


async def test_cancelling_an_intended_decision_tells_the_company(
    client, world: World, settings: Settings, mail: MailCatcher
) -> None:
    recognition_id = await world.granted()
    url = await _intended(
        client,
        world,
        "withdraw",
        recognition_id,
        effective_from=(clock.today() + timedelta(days=40)).isoformat(),
    )
    await drain_queue(settings)
    mail.clear()
    cancelled = await client.post(f"{url}/cancel", headers=world.adviser.headers)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    await drain_queue(settings)
    assert [m["Subject"] for m in mail.messages] == [
        "SBB ziet af van het voornemen: intrekking van de erkenning"
    ]
    assert (await client.post(f"{url}/approve", headers=world.senior.headers)).status_code == 409


@pytest.mark.parametrize(
    ("kind", "fields", "field"),
    [
        ("suspend", {}, "until_reinstated"),
        ("suspend", {"effective_until": "2020-01-01", "until_reinstated": True}, "until_reinstated"),
        ("withdraw", {"effective_until": "2030-01-01"}, "effective_until"),
        ("withdraw", {"effective_from": "2020-01-01"}, "effective_from"),
        ("grant", {"status": "sent"}, "status"),
    ],
)
async def test_bad_decision_input_is_422_and_changes_nothing(
    client, world: World, runtime: Runtime, kind, fields, field
) -> None:
    recognition_id = await world.granted() if kind != "grant" else await world.application()
    response = await client.post(
        DECISIONS, json=decision_body(kind, [recognition_id], **fields), headers=world.adviser.headers
    )
    assert response.status_code == 422, response.text
    assert field in response.text
    async with runtime.session_factory() as session:
        assert (
            await session.exec(sa.select(sa.func.count()).select_from(Decision).where(Decision.kind == kind))
        ).scalar() == 0


async def test_a_decision_that_cannot_apply_to_a_recognition_is_refused_when_drafted(
    client, world: World
) -> None:
    pending = await world.application()
    response = await client.post(
        DECISIONS,
        json=decision_body("suspend", [pending], until_reinstated=True),
        headers=world.adviser.headers,
    )
    assert response.status_code == 409
    assert response.json()["detail"] == "recognition 25180/bol: Cannot go from pending to suspended"
    active = await world.granted("25181")
    again = await client.post(DECISIONS, json=decision_body("grant", [active]), headers=world.adviser.headers)
    assert again.status_code == 409


async def test_a_decision_concerns_one_company(client, world: World, tokens: TokenFactory) -> None:
    other = await tokens.make(Role.COMPANY)
    mine = await world.application()
    theirs = await world.application(company_id=other.company_id)
    response = await client.post(
        DECISIONS, json=decision_body("grant", [mine, theirs]), headers=world.adviser.headers
    )
    assert response.status_code == 422 and "one company" in response.text


async def test_only_advisers_draft_and_companies_cannot_use_the_back_office(client, world: World) -> None:
    recognition_id = await world.application()
    for who in (world.admin, world.company):
        response = await client.post(
            DECISIONS, json=decision_body("grant", [recognition_id]), headers=who.headers
        )
        assert response.status_code == 403


async def test_sending_when_the_recognition_moved_on_is_refused_and_changes_nothing(
    client, world: World, runtime: Runtime
) -> None:
    recognition_id = await world.granted()
    first = (
        await client.post(
            DECISIONS, json=decision_body("lapse", [recognition_id]), headers=world.adviser.headers
        )
    ).json()
    second = (
        await client.post(
            DECISIONS, json=decision_body("lapse", [recognition_id]), headers=world.adviser.headers
        )
    ).json()
    for decision in (first, second):
        assert (
            await client.post(f"{DECISIONS}/{decision['id']}/approve", headers=world.adviser.headers)
        ).status_code == 200
    assert (
        await client.post(f"{DECISIONS}/{first['id']}/send", headers=world.adviser.headers)
    ).status_code == 200
    refused = await client.post(f"{DECISIONS}/{second['id']}/send", headers=world.adviser.headers)
    assert refused.status_code == 409 and "lapsed" in refused.json()["detail"]
    still = (await client.get(f"{DECISIONS}/{second['id']}", headers=world.adviser.headers)).json()
    assert still["status"] == "approved"
    assert [a["to"] for a in still["actions"]] == ["sent", "draft", "cancelled"]


async def test_a_measure_from_an_investigation_is_put_to_the_company_and_nothing_is_sent(
    world: World, runtime: Runtime, settings: Settings, mail: MailCatcher
) -> None:
    recognition_id = await world.granted()
    investigation_id = uuid4()
    effective = clock.today() + timedelta(days=30)
    arguments = dict(
        kind="suspend",
        recognition_ids=[recognition_id],
        grounds="Onderzoek: discriminatie vastgesteld.",
        legal_basis="art. 7.2.10 WEB",
        effective_from=effective,
        effective_until=None,
        placements_until=effective + timedelta(days=90),
        urgent_reason=None,
        criterion_code="non_discrimination",
        investigation_id=investigation_id,
    )
    with pytest.raises(ValidationFailed):
        async with runtime.transaction() as session:
            await measures.from_investigation(
                session, settings, RENDERER, drafted_by=as_caller(world.adviser),
                intended_by=as_caller(world.senior), **{**arguments, "grounds": ""},
            )
    async with runtime.transaction() as session:
        decision = await measures.from_investigation(
            session, settings, RENDERER, drafted_by=as_caller(world.adviser), intended_by=as_caller(world.senior),
            **arguments,
        )
    assert decision.status is DecisionStatus.INTENDED and decision.intended_on == clock.today()
    assert decision.response_due == calendar.term_end(clock.today(), days=settings.intended_decision_response_days)
    assert decision.investigation_id == investigation_id and decision.until_reinstated
    assert decision.sent_on is None and decision.approved_by is None and decision.kenmerk
    async with runtime.session_factory() as session:
        assert (await session.get(Recognition, recognition_id)).status is RecognitionStatus.ACTIVE
    await drain_queue(settings)
    subjects = [m["Subject"] for m in mail.to(await world.email())]
    assert "Voornemen van SBB: schorsing van de erkenning" in subjects
    assert "Besluit van SBB: schorsing van de erkenning" not in subjects


async def test_the_objection_deadline_runs_over_a_public_holiday(
    runtime: Runtime, tokens: TokenFactory
) -> None:
    # Sent on Monday 15 February 2027: six weeks later is Easter Monday (29 March), so the term runs
    # to Tuesday 30 March (Algemene termijnenwet).
    with clock.travel(date(2027, 2, 15) - clock.today()):
        world = await build_world(runtime, tokens)
        recognition_id = await world.granted()
        decision_id = await world.decide("suspend", [recognition_id], until_reinstated=True)
        async with runtime.session_factory() as session:
            decision = await session.get(Decision, decision_id)
    assert decision.sent_on == date(2027, 2, 15)
    assert decision.objection_deadline == date(2027, 3, 30)


async def test_without_an_effective_date_a_decision_takes_effect_on_the_day_it_is_sent(
    client, world: World
) -> None:
    recognition_id = await world.granted(on=clock.today() - timedelta(days=100))
    until = clock.today() + timedelta(days=60)
    url = await _intended(client, world, "suspend", recognition_id, effective_until=until.isoformat())
    intended = (await client.get(url, headers=world.adviser.headers)).json()
    assert intended["effective_from"] is None and intended["effective_until"] == until.isoformat()
    with clock.travel(timedelta(days=20)):
        assert (await client.post(f"{url}/approve", headers=world.senior.headers)).status_code == 200
        sent = await client.post(f"{url}/send", headers=world.adviser.headers)
        sent_on = clock.today()
        status = (
            await client.get(
                f"/api/v1/backoffice/recognitions/{recognition_id}/status", headers=world.adviser.headers
            )
        ).json()
    assert sent.status_code == 200, sent.text
    assert sent.json()["effective_from"] == sent_on.isoformat()
    assert (status["status"], status["since"], status["until"]) == (
        "suspended",
        sent_on.isoformat(),
        until.isoformat(),
    )


async def test_concurrent_sends_of_one_decision_one_wins(client, world: World, runtime: Runtime) -> None:
    recognition_id = await world.application()
    drafted = (
        await client.post(
            DECISIONS, json=decision_body("grant", [recognition_id]), headers=world.adviser.headers
        )
    ).json()
    url = f"{DECISIONS}/{drafted['id']}"
    await client.post(f"{url}/approve", headers=world.adviser.headers)
    results = await asyncio.gather(
        *(client.post(f"{url}/send", headers=world.adviser.headers) for _ in range(4))
    )
    assert sorted(r.status_code for r in results) == [200, 409, 409, 409]
    detail = (
        await client.get(f"/api/v1/backoffice/recognitions/{recognition_id}", headers=world.adviser.headers)
    ).json()
    assert len(detail["periods"]) == 1 and detail["periods"][0]["status"] == "active"
