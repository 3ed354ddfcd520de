"""Change notices to subscribed schools: fan out each recognition change, deliver each notice apart.

`recognition.changed` (company_id, recognition_id[, corrected, corrected_from]) becomes one
`subscription_delivery` row per subscribed school with a snapshot of the public facts, and one outbox
event per row: a webhook POST (`register.webhook`) or an e-mail (`mail.queue`). So one school's dead
endpoint retries and dies on its own, under the outbox's backoff, and never holds up another school's
notice. A correction (an upheld objection undid a decision from its start, art. 7:11 Awb) says so:
`corrected` and the date from which earlier answers were wrong, `corrected_from`.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import httpx
import sqlalchemy as sa
from arq import cron
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.companies.models import Company
from erkenning.core import clock, mail, outbox
from erkenning.core.db import utcnow
from erkenning.core.errors import DomainError, ValidationFailed
from erkenning.core.logging import get_logger
from erkenning.core.runtime import Runtime
from erkenning.recognition.models import Qualification, Recognition, RecognitionPeriod, RecognitionStatus
from erkenning.register import webhook
from erkenning.register.models import Channel, Delivery, DeliveryStatus, SchoolWebhook, Subscription

log = get_logger(__name__)

WEBHOOK_TOPIC = "register.webhook"
EMAIL_TEMPLATE = "recognition_changed"


class DeliveryFailed(DomainError):
    title = "Webhook delivery failed"


# ---------------------------------------------------------------- the public facts of a change


def _runs(periods: list[RecognitionPeriod]) -> list[tuple[str, date | None, date | None]]:
    """Periods in date order, adjacent periods of one status merged: (status, from, until)."""
    runs: list[tuple[str, date | None, date | None]] = []
    for p in sorted(periods, key=lambda p: p.during.lower or date.min):
        status = RecognitionStatus(p.status).value
        if runs and runs[-1][0] == status and runs[-1][2] is not None and runs[-1][2] == p.during.lower:
            runs[-1] = (status, runs[-1][1], p.during.upper)
        else:
            runs.append((status, p.during.lower, p.during.upper))
    return runs


def timeline(periods: list[RecognitionPeriod], day: date) -> dict[str, Any]:
    """What verify would say on `day`, and the next scheduled change after it."""
    runs = _runs(periods)
    current = next(
        (r for r in runs if (r[1] is None or r[1] <= day) and (r[2] is None or day < r[2])), None
    )
    after = current[2] if current else day + timedelta(days=1)
    upcoming = next((r for r in runs if after is not None and r[1] is not None and r[1] >= after), None)
    return {
        "recognised": current is not None and current[0] == RecognitionStatus.ACTIVE.value,
        "status": current[0] if current else None,
        "since": current[1].isoformat() if current and current[1] else None,
        "until": current[2].isoformat() if current and current[2] else None,
        "next": (
            {"status": upcoming[0], "effective_date": upcoming[1].isoformat()} if upcoming and upcoming[1] else None
        ),
    }


async def facts(session: AsyncSession, recognition_id: UUID, day: date) -> dict[str, Any] | None:
    row = (
        await session.exec(
            select(Recognition, Company.sbb_id, Qualification.crebo)
            .join(Company, col(Company.id) == col(Recognition.company_id))
            .join(Qualification, col(Qualification.id) == col(Recognition.qualification_id))
            .where(Recognition.id == recognition_id)
        )
    ).first()
    if row is None:
        return None
    recognition, sbb_id, crebo = row
    periods = list(
        (await session.exec(select(RecognitionPeriod).where(RecognitionPeriod.recognition_id == recognition_id))).all()
    )
    return {
        "company": sbb_id,
        "crebo": crebo,
        "pathway": recognition.pathway.value,
        "as_of": day.isoformat(),
        **timeline(periods, day),
    }


def webhook_body(delivery: Delivery) -> bytes:
    """The JSON a school receives: ids, codes, statuses and dates only."""
    body = {"id": str(delivery.id), "type": "recognition.changed", **delivery.facts}
    return json.dumps(body, separators=(",", ":"), sort_keys=True).encode()


# ---------------------------------------------------------------- fan-out


async def fan_out(ctx: outbox.EventContext) -> None:
    session = ctx.session
    company_id = UUID(ctx.payload["company_id"])
    recognition_id = UUID(ctx.payload["recognition_id"])
    subs = list((await session.exec(select(Subscription).where(Subscription.company_id == company_id))).all())
    if not subs:
        return
    snapshot = await facts(session, recognition_id, clock.today())
    if snapshot is None:
        log.warning("register.change_unknown_recognition", recognition_id=str(recognition_id))
        return
    snapshot["corrected"] = bool(ctx.payload.get("corrected"))
    snapshot["corrected_from"] = ctx.payload.get("corrected_from")
    deliveries = [
        Delivery(
            school_brin=sub.school_brin, subscription_id=sub.id, source_event_id=ctx.event.id,
            company_id=company_id, recognition_id=recognition_id, channel=sub.channel, facts=snapshot,
        )
        for sub in subs
    ]
    session.add_all(deliveries)
    await session.flush()
    for d in deliveries:
        if d.channel is Channel.WEBHOOK:
            outbox.add(session, WEBHOOK_TOPIC, delivery_id=d.id)
        else:
            mail.queue(session, EMAIL_TEMPLATE, delivery_id=d.id)
    log.info("register.change_fanned_out", recognition_id=str(recognition_id), deliveries=len(deliveries))


# ---------------------------------------------------------------- webhook delivery


async def _record_attempt(
    runtime: Runtime, delivery_id: UUID, *, code: int | None, error: str, final: bool
) -> None:
    """A failed attempt, written in its own transaction: the handler's own is about to roll back."""
    async with runtime.transaction() as session:
        await session.exec(
            sa.update(Delivery)
            .where(col(Delivery.id) == delivery_id)
            .values(
                attempts=Delivery.attempts + 1, last_response_code=code, last_error=error[:100],
                last_attempt_at=utcnow(), status=DeliveryStatus.FAILED if final else DeliveryStatus.PENDING,
            )
        )


async def deliver_webhook(ctx: outbox.EventContext) -> None:
    """POST one notice. The event's row lock makes this the only run for this delivery."""
    session, runtime = ctx.session, ctx.runtime
    delivery = await session.get(Delivery, UUID(ctx.payload["delivery_id"]), populate_existing=True)
    if delivery is None or delivery.status in (DeliveryStatus.DELIVERED, DeliveryStatus.CANCELLED):
        return
    hook = (await session.exec(select(SchoolWebhook).where(SchoolWebhook.school_brin == delivery.school_brin))).first()
    if hook is None:
        _give_up(session, delivery, "no webhook registered")
        return
    secret = webhook.derive_secret(runtime.settings, hook.school_brin, hook.secret_salt)
    final = ctx.event.attempts + 1 >= runtime.settings.outbox_max_attempts
    try:
        code = await webhook.post(runtime.settings, hook.url, secret, str(delivery.id), webhook_body(delivery))
    except (webhook.Unresolvable, httpx.HTTPError) as exc:
        await _record_attempt(runtime, delivery.id, code=None, error=type(exc).__name__, final=final)
        raise DeliveryFailed(f"no answer from the webhook ({type(exc).__name__})") from None
    except ValidationFailed:
        _give_up(session, delivery, "webhook address not allowed")
        return
    if not 200 <= code < 300:
        await _record_attempt(runtime, delivery.id, code=code, error=f"answered {code}", final=final)
        raise DeliveryFailed(f"the webhook answered {code}")
    delivery.status, delivery.attempts = DeliveryStatus.DELIVERED, delivery.attempts + 1
    delivery.last_response_code, delivery.last_error = code, None
    delivery.last_attempt_at = delivery.delivered_at = utcnow()
    session.add(delivery)
    log.info("register.webhook_delivered", delivery_id=str(delivery.id), status=code)


def _give_up(session: AsyncSession, delivery: Delivery, reason: str) -> None:
    """Nothing a retry could mend: the log says why, and the event ends."""
    delivery.status, delivery.last_error, delivery.last_attempt_at = DeliveryStatus.FAILED, reason, utcnow()
    session.add(delivery)
    log.warning("register.webhook_given_up", delivery_id=str(delivery.id), reason=reason)


# ---------------------------------------------------------------- e-mail delivery


async def compose_recognition_changed(session: AsyncSession, payload: dict[str, Any]) -> mail.Composed:
    """Marks the delivery done as well: this runs in the transaction that commits only once it is sent."""
    delivery = await session.get(Delivery, UUID(payload["delivery_id"]))
    if delivery is None or delivery.status is not DeliveryStatus.PENDING:
        return mail.Composed(to=None, context={})
    sub = await session.get(Subscription, delivery.subscription_id) if delivery.subscription_id else None
    company = await session.get(Company, delivery.company_id)
    if sub is None or sub.email is None or company is None:
        delivery.status = DeliveryStatus.CANCELLED
        session.add(delivery)
        return mail.Composed(to=None, context={})
    delivery.status, delivery.attempts = DeliveryStatus.DELIVERED, delivery.attempts + 1
    delivery.last_attempt_at = delivery.delivered_at = utcnow()
    session.add(delivery)
    return mail.Composed(to=sub.email, context={"company_name": company.name, **_dutch_dates(delivery.facts)})


def _dutch_dates(facts: dict[str, Any]) -> dict[str, Any]:
    """ISO dates as the reader writes them (31-12-2026)."""

    def nl(value: str | None) -> str | None:
        return date.fromisoformat(value).strftime("%d-%m-%Y") if value else None

    upcoming = facts.get("next")
    return {
        **facts,
        **{k: nl(facts.get(k)) for k in ("as_of", "since", "until", "corrected_from")},
        "corrected": bool(facts.get("corrected")),  # notices fanned out before corrections existed lack it
        "next": {**upcoming, "effective_date": nl(upcoming["effective_date"])} if upcoming else None,
    }


# ---------------------------------------------------------------- housekeeping


async def purge_delivery_log(ctx: dict[str, Any]) -> int:
    """Daily: forget deliveries older than WEBHOOK_DELIVERY_LOG_DAYS (the log is for troubleshooting)."""
    runtime: Runtime = ctx["runtime"]
    cutoff = utcnow() - timedelta(days=runtime.settings.webhook_delivery_log_days)
    async with runtime.transaction() as session:
        result = await session.exec(
            sa.delete(Delivery).where(col(Delivery.created_at) < cutoff, col(Delivery.status) != DeliveryStatus.PENDING)
        )
    removed = int(result.rowcount or 0)
    log.info("register.delivery_log_purged", removed=removed)
    return removed


HANDLERS = [
    outbox.Handler("recognition.changed", fan_out),
    outbox.Handler(WEBHOOK_TOPIC, deliver_webhook, external=True),
]
COMPOSERS: dict[str, mail.Composer] = {EMAIL_TEMPLATE: compose_recognition_changed}
CRON_JOBS = [cron(purge_delivery_log, hour={3}, minute={45}, timeout=600)]
