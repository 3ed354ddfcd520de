"""Reminders before a session: exactly one per enrolment, however often the task runs."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from erkenning.core.caller import Role
from erkenning.core.runtime import Runtime
from erkenning.core.settings import Settings
from erkenning.training.tasks import send_session_reminders
from tests.factories import post_course, post_session
from tests.helpers import PORTAL_TRAINING, TRAINING, MailCatcher, company_email, drain_queue, enrol


async def test_each_enrolment_gets_one_reminder_even_when_the_task_runs_twice(
    client, adviser, tokens, runtime: Runtime, settings: Settings, mail: MailCatcher
) -> None:
    assert settings.training_reminder_days_before == 3
    course = await post_course(client, adviser, title="Sociale veiligheid op de werkvloer")
    soon = await post_session(client, adviser, course["id"], capacity=2, starts_in=timedelta(days=2))
    later = await post_session(client, adviser, course["id"], starts_in=timedelta(days=10))
    a, b, waiting, cancelled, far = [await tokens.make(Role.COMPANY) for _ in range(5)]
    await enrol(client, a, session_id=soon["id"], trainer_name="Priya Ramdin")
    await enrol(client, b, session_id=soon["id"])
    await enrol(client, waiting, session_id=soon["id"])  # waiting list: no reminder
    gone = (await enrol(client, cancelled, session_id=later["id"])).json()
    await client.post(f"{PORTAL_TRAINING}/participations/{gone['id']}/cancel", headers=cancelled.headers)
    await enrol(client, far, session_id=later["id"])  # too far ahead for now

    ctx = {"runtime": runtime}
    assert await send_session_reminders(ctx) == 2
    assert await send_session_reminders(ctx) == 0
    assert sum(await asyncio.gather(send_session_reminders(ctx), send_session_reminders(ctx))) == 0
    await drain_queue(settings)
    await drain_queue(settings)

    for company, expected in ((a, 1), (b, 1), (waiting, 0), (cancelled, 0), (far, 0)):
        assert len(mail.to(await company_email(runtime, company.company_id))) == expected
    [message] = mail.to(await company_email(runtime, a.company_id))
    assert "Herinnering" in message["Subject"]
    text = MailCatcher.text(message)
    assert (
        "Sociale veiligheid op de werkvloer" in text and "Priya Ramdin" in text and "SBB, Zoetermeer" in text
    )


async def test_concurrent_runs_share_the_reminders_out_once(
    client, adviser, tokens, runtime: Runtime
) -> None:
    course = await post_course(client, adviser)
    session = await post_session(client, adviser, course["id"], starts_in=timedelta(days=1))
    for _ in range(6):
        await enrol(client, await tokens.make(Role.COMPANY), session_id=session["id"])
    ctx = {"runtime": runtime}
    assert sum(await asyncio.gather(*(send_session_reminders(ctx) for _ in range(3)))) == 6


async def test_a_cancelled_session_sends_no_reminders(client, adviser, tokens, runtime: Runtime) -> None:
    course = await post_course(client, adviser)
    session = await post_session(client, adviser, course["id"], starts_in=timedelta(days=1))
    await enrol(client, await tokens.make(Role.COMPANY), session_id=session["id"])
    await client.post(f"{TRAINING}/sessions/{session['id']}/cancel", headers=adviser.headers)
    assert await send_session_reminders({"runtime": runtime}) == 0
