"""Change notices: a signed POST to a real local receiver, retries through the outbox, e-mail, the log."""

import hashlib
import hmac
from datetime import date
from uuid import UUID

import httpx

from erkenning.core import clock, outbox
from erkenning.core.caller import Role
from erkenning.core.outbox import EventStatus, OutboxEvent
from erkenning.core.runtime import Runtime
from erkenning.core.settings import Settings
from erkenning.recognition.models import RecognitionStatus as S
from erkenning.register import tasks
from tests.factories import SUSPENSION_AND_WITHDRAWAL, TokenFactory, make_company, make_recognition
from tests.helpers import MailCatcher, Receiver, drain_queue, on_day, outbox_events

SCHOOL = "/api/v1/register/school"
LOCAL = ["127.0.0.0/8"]
BODY_KEYS = {"id", "type", "company", "crebo", "pathway", "as_of", "recognised", "status", "since", "until", "next",
             "corrected", "corrected_from"}
LOG_KEYS = {"id", "subscription_id", "channel", "status", "company", "crebo", "pathway", "corrected", "attempts",
            "last_response_code", "last_error", "created_at", "last_attempt_at", "delivered_at"}


async def _follow(client: httpx.AsyncClient, school, company, url: str | None) -> str | None:
    """Subscribe `school` to `company`, by webhook at `url` (returns its secret) or by e-mail."""
    secret = None
    if url:
        secret = (await client.put(f"{SCHOOL}/webhook", json={"url": url}, headers=school.headers)).json()["secret"]
    body = {"company": company.sbb_id, "channel": "webhook" if url else "email"}
    assert (await client.post(f"{SCHOOL}/subscriptions", json=body, headers=school.headers)).status_code == 201
    return secret


async def _change(runtime: Runtime, company, recognition) -> UUID:
    """What the decisions side does when a recognition changes: one outbox event."""
    async with runtime.transaction() as session:
        event = outbox.add(session, "recognition.changed", company_id=company.id, recognition_id=recognition.id)
    return event.id


def _signature_ok(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """Checked here as a receiver would, without the service's own helper."""
    expected = hmac.new(secret.encode(), headers["x-erkenning-timestamp"].encode() + b"." + body, hashlib.sha256)
    return hmac.compare_digest(headers["x-erkenning-signature"], "sha256=" + expected.hexdigest())


async def test_change_is_posted_signed_to_the_school_webhook(
    app_with, settings: Settings, runtime: Runtime, tokens: TokenFactory, receiver: Receiver
) -> None:
    receiver.start()
    school = await tokens.make(Role.SCHOOL, school_brin="25LX")
    company = await make_company(runtime, name="Zorghuis De Linde", email="info@linde.example")
    recognition = await make_recognition(runtime, company, SUSPENSION_AND_WITHDRAWAL)
    local = settings.model_copy(update={"webhook_allowed_networks": LOCAL})
    async with app_with(webhook_allowed_networks=LOCAL) as (client, _):
        secret = await _follow(client, school, company, receiver.url)
        with on_day(date(2026, 3, 1)):  # the suspension starts today
            await _change(runtime, company, recognition)
            await drain_queue(local)  # a real arq worker: fan-out, then the POST
            sent_around = clock.now().timestamp()
        log = (await client.get(f"{SCHOOL}/deliveries", headers=school.headers)).json()

    [hit] = receiver.received
    assert hit.path == "/hooks/erkenning"
    assert _signature_ok(secret, hit.headers, hit.body)
    assert not _signature_ok(secret, hit.headers, hit.body.replace(b"suspended", b"active"))
    assert abs(int(hit.headers["x-erkenning-timestamp"]) - sent_around) < 300  # the service clock's time
    body = hit.json()
    assert set(body) == BODY_KEYS
    assert body == {
        "id": hit.headers["x-erkenning-delivery"], "type": "recognition.changed", "company": company.sbb_id,
        "crebo": "25180", "pathway": "bol", "as_of": "2026-03-01", "recognised": False, "status": "suspended",
        "since": "2026-03-01", "until": "2026-06-01", "next": {"status": "active", "effective_date": "2026-06-01"},
        "corrected": False, "corrected_from": None,  # an ordinary change corrects no earlier answer
    }
    for private in ("Zorghuis", "linde.example", str(company.id), str(recognition.id)):
        assert private not in hit.body.decode()

    [entry] = log["items"]
    assert set(entry) == LOG_KEYS
    assert (entry["id"], entry["status"], entry["attempts"], entry["last_response_code"]) == (
        body["id"], "delivered", 1, 200,
    )
    assert entry["corrected"] is False


async def test_a_dead_endpoint_is_retried_and_then_delivered_without_holding_up_others(
    app_with, settings: Settings, runtime: Runtime, tokens: TokenFactory, receiver: Receiver
) -> None:
    healthy = Receiver().start()
    try:
        down, up = await tokens.make(Role.SCHOOL, school_brin="25LX"), await tokens.make(Role.SCHOOL, school_brin="31GH")
        company = await make_company(runtime)
        recognition = await make_recognition(runtime, company, [(S.ACTIVE, date(2020, 1, 1), None)])
        async with app_with(webhook_allowed_networks=LOCAL, outbox_retry_base_s=0.0) as (client, quick):
            secret = await _follow(client, down, company, receiver.url)  # nothing listens there yet
            await _follow(client, up, company, healthy.url)
            assert await outbox.process(quick, await _change(runtime, company, recognition)) is True
            webhooks = await outbox_events(runtime, tasks.WEBHOOK_TOPIC)
            events = {(await _delivery(quick, e)).school_brin: e for e in webhooks}
            assert set(events) == {"25LX", "31GH"}  # one event per school

            assert await outbox.process(quick, events["31GH"].id) is True
            assert await outbox.process(quick, events["25LX"].id) is False  # connection refused
            [entry] = (await client.get(f"{SCHOOL}/deliveries", headers=down.headers)).json()["items"]
            assert (entry["status"], entry["attempts"], entry["last_response_code"], entry["last_error"]) == (
                "pending", 1, None, "ConnectError",
            )

            receiver.status = 503
            receiver.start()
            assert await outbox.process(quick, events["25LX"].id) is False
            entry = (await client.get(f"{SCHOOL}/deliveries/{entry['id']}", headers=down.headers)).json()
            assert (entry["status"], entry["attempts"], entry["last_response_code"]) == ("pending", 2, 503)

            receiver.status = 204
            assert await outbox.process(quick, events["25LX"].id) is True
            entry = (await client.get(f"{SCHOOL}/deliveries/{entry['id']}", headers=down.headers)).json()
        assert (entry["status"], entry["attempts"], entry["last_response_code"]) == ("delivered", 3, 204)
        assert len(healthy.received) == 1
        assert len(receiver.received) == 2  # the 503 and the delivery: the same body, signed each time
        assert receiver.received[0].body == receiver.received[1].body
        assert all(_signature_ok(secret, r.headers, r.body) for r in receiver.received)
        [event] = [e for e in await outbox_events(runtime, tasks.WEBHOOK_TOPIC) if e.id == events["25LX"].id]
        assert (event.status, event.attempts) == (EventStatus.DONE, 3)
    finally:
        healthy.stop()


async def _delivery(runtime: Runtime, event: OutboxEvent):
    async with runtime.session_factory() as session:
        return await session.get(tasks.Delivery, UUID(event.payload["delivery_id"]))


async def test_after_the_last_attempt_the_log_says_failed(
    app_with, runtime: Runtime, tokens: TokenFactory, receiver: Receiver
) -> None:
    school = await tokens.make(Role.SCHOOL, school_brin="25LX")
    company = await make_company(runtime)
    recognition = await make_recognition(runtime, company, [(S.ACTIVE, date(2020, 1, 1), None)])
    receiver.status = 500
    receiver.start()
    async with app_with(webhook_allowed_networks=LOCAL, outbox_retry_base_s=0.0, outbox_max_attempts=2) as (
        client, quick,
    ):
        await _follow(client, school, company, receiver.url)
        await outbox.process(quick, await _change(runtime, company, recognition))
        [event] = await outbox_events(runtime, tasks.WEBHOOK_TOPIC)
        assert await outbox.process(quick, event.id) is False
        assert await outbox.process(quick, event.id) is False
        [entry] = (await client.get(f"{SCHOOL}/deliveries", params={"status": "failed"}, headers=school.headers)).json()[
            "items"
        ]
    assert (entry["attempts"], entry["last_response_code"]) == (2, 500)
    [event] = await outbox_events(runtime, tasks.WEBHOOK_TOPIC)
    assert event.status is EventStatus.DEAD


async def test_email_subscribers_get_a_dutch_message(
    client, runtime: Runtime, settings: Settings, tokens: TokenFactory, mail: MailCatcher
) -> None:
    school = await tokens.make(Role.SCHOOL, school_brin="25LX", email="stage@roc.example")
    company = await make_company(runtime, name="Bouwbedrijf Van Dam")
    recognition = await make_recognition(runtime, company, SUSPENSION_AND_WITHDRAWAL)
    await _follow(client, school, company, None)
    mail.clear()
    with on_day(date(2026, 10, 1)):  # withdrawal announced, takes effect 1 January
        await _change(runtime, company, recognition)
        await drain_queue(settings)
    [message] = mail.to("stage@roc.example")
    assert message["Subject"] == "Wijziging erkenning Bouwbedrijf Van Dam (crebo 25180, BOL)"
    text = MailCatcher.text(message)
    assert "erkend sinds 01-06-2026, tot 01-01-2027" in text
    assert "Volgende wijziging: ingetrokken vanaf 01-01-2027" in text
    [entry] = (await client.get(f"{SCHOOL}/deliveries", headers=school.headers)).json()["items"]
    assert (entry["channel"], entry["status"], entry["attempts"]) == ("email", "delivered", 1)


async def test_a_school_reads_only_its_own_delivery_log(
    client, runtime: Runtime, settings: Settings, tokens: TokenFactory
) -> None:
    school = await tokens.make(Role.SCHOOL, school_brin="25LX", email="stage@roc.example")
    other = await tokens.make(Role.SCHOOL, school_brin="31GH")
    company = await make_company(runtime)
    recognition = await make_recognition(runtime, company, [(S.ACTIVE, date(2020, 1, 1), None)])
    await _follow(client, school, company, None)
    await _change(runtime, company, recognition)
    await drain_queue(settings)
    [entry] = (await client.get(f"{SCHOOL}/deliveries", headers=school.headers)).json()["items"]
    assert (await client.get(f"{SCHOOL}/deliveries/{entry['id']}", headers=school.headers)).status_code == 200
    assert (await client.get(f"{SCHOOL}/deliveries/{entry['id']}", headers=other.headers)).status_code == 404
    assert (await client.get(f"{SCHOOL}/deliveries", headers=other.headers)).json() == {
        "items": [], "total": 0, "limit": 50, "offset": 0,
    }


async def test_no_subscribers_no_notices_and_unsubscribing_stops_them(
    client, runtime: Runtime, settings: Settings, tokens: TokenFactory, mail: MailCatcher
) -> None:
    school = await tokens.make(Role.SCHOOL, school_brin="25LX", email="stage@roc.example")
    company = await make_company(runtime)
    recognition = await make_recognition(runtime, company, [(S.ACTIVE, date(2020, 1, 1), None)])
    await _change(runtime, company, recognition)
    await drain_queue(settings)
    notices = [e for e in await outbox_events(runtime, "email.send") if e.payload["template"] == tasks.EMAIL_TEMPLATE]
    assert notices == [] and (await client.get(f"{SCHOOL}/deliveries", headers=school.headers)).json()["total"] == 0
    mail.clear()  # the account's own token e-mail
    await _follow(client, school, company, None)
    [sub] = (await client.get(f"{SCHOOL}/subscriptions", headers=school.headers)).json()["items"]
    await client.delete(f"{SCHOOL}/subscriptions/{sub['id']}", headers=school.headers)
    await _change(runtime, company, recognition)
    await drain_queue(settings)
    assert mail.to("stage@roc.example") == []


async def test_a_webhook_no_longer_allowed_is_not_called_and_the_log_says_why(
    app_with, settings: Settings, runtime: Runtime, tokens: TokenFactory, receiver: Receiver
) -> None:
    receiver.start()
    school = await tokens.make(Role.SCHOOL, school_brin="25LX")
    company = await make_company(runtime)
    recognition = await make_recognition(runtime, company, [(S.ACTIVE, date(2020, 1, 1), None)])
    async with app_with(webhook_allowed_networks=LOCAL) as (client, _):
        await _follow(client, school, company, receiver.url)
    async with app_with() as (client, strict):  # loopback is a private address again
        assert await outbox.process(strict, await _change(runtime, company, recognition)) is True
        [event] = await outbox_events(runtime, tasks.WEBHOOK_TOPIC)
        assert await outbox.process(strict, event.id) is True  # nothing a retry could mend
        [entry] = (await client.get(f"{SCHOOL}/deliveries", headers=school.headers)).json()["items"]
    assert receiver.received == []
    assert (entry["status"], entry["last_error"], entry["attempts"]) == ("failed", "webhook address not allowed", 0)
