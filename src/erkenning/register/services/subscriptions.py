"""School subscriptions: a school's webhook, the companies it follows, and its delivery log.

Every lookup goes through the school scope (`school_brin` of the caller): another school's id is 404.
"""

from __future__ import annotations

import builtins
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.companies.models import Company
from erkenning.core import paging
from erkenning.core.audit import service as audit
from erkenning.core.auth.models import Principal
from erkenning.core.auth.scope import get_scoped, scoped
from erkenning.core.caller import Caller
from erkenning.core.db import utcnow
from erkenning.core.errors import Conflict, NotFound, ValidationFailed
from erkenning.core.settings import Settings
from erkenning.register import webhook
from erkenning.register.models import Channel, Delivery, DeliveryStatus, SchoolWebhook, Subscription
from erkenning.register.schemas import DeliveryRead, SubscriptionCreate, SubscriptionRead
from erkenning.register.services.lookup import company_column


def _brin(caller: Caller) -> str:
    assert caller.school_brin is not None, "school routes are guarded by role"
    return caller.school_brin


def subscription_read(sub: Subscription, company: Company) -> SubscriptionRead:
    return SubscriptionRead(
        id=sub.id, company=company.sbb_id or "", name=company.name, channel=sub.channel, email=sub.email,
        created_at=sub.created_at,
    )


def delivery_read(d: Delivery) -> DeliveryRead:
    return DeliveryRead(
        id=d.id, subscription_id=d.subscription_id, channel=d.channel, status=d.status,
        company=d.facts.get("company", ""), crebo=d.facts.get("crebo", ""), pathway=d.facts["pathway"],
        corrected=bool(d.facts.get("corrected")), attempts=d.attempts, last_response_code=d.last_response_code,
        last_error=d.last_error,
        created_at=d.created_at, last_attempt_at=d.last_attempt_at, delivered_at=d.delivered_at,
    )


class SubscriptionService:
    """Abonnementen van scholen op leerbedrijven, and the webhook their notices go to."""

    def __init__(self, session: AsyncSession, settings: Settings) -> None:
        self.session = session
        self.settings = settings

    # ---------------------------------------------------------- webhook

    async def _webhook(self, caller: Caller, *, for_update: bool = False) -> SchoolWebhook | None:
        stmt = scoped(select(SchoolWebhook), SchoolWebhook, caller).where(SchoolWebhook.school_brin == _brin(caller))
        if for_update:
            stmt = stmt.with_for_update()
        return (await self.session.exec(stmt)).first()

    async def get_webhook(self, caller: Caller) -> SchoolWebhook:
        hook = await self._webhook(caller)
        if hook is None:
            raise NotFound("No webhook registered")
        return hook

    async def set_webhook(self, caller: Caller, url: str) -> tuple[SchoolWebhook, str]:
        """Register (or replace) the school's webhook; a fresh secret every time, returned once."""
        await webhook.check_url(url, self.settings)
        hook = await self._webhook(caller, for_update=True)
        salt = webhook.new_salt()
        secret = webhook.derive_secret(self.settings, _brin(caller), salt)
        if hook is None:
            hook = SchoolWebhook(school_brin=_brin(caller), url=url, secret_salt=salt, secret_hint=secret[-4:],
                                 created_by=caller.principal_id)
        else:
            hook.url, hook.secret_salt, hook.secret_hint, hook.updated_at = url, salt, secret[-4:], utcnow()
        self.session.add(hook)
        await self.session.flush()
        await audit.record(self.session, caller, "webhook.registered", hook)
        return hook, secret

    async def delete_webhook(self, caller: Caller) -> None:
        hook = await self._webhook(caller, for_update=True)
        if hook is None:
            raise NotFound("No webhook registered")
        await self.session.delete(hook)
        await audit.record(self.session, caller, "webhook.deleted", hook)
        await self.session.flush()

    # ---------------------------------------------------------- subscriptions

    async def subscribe(self, caller: Caller, data: SubscriptionCreate) -> SubscriptionRead:
        column = getattr(Company, company_column(data.company))
        company = (await self.session.exec(select(Company).where(column == data.company))).first()
        if company is None:
            raise NotFound("No such company in the register")
        email = None
        if data.channel is Channel.WEBHOOK:
            if await self._webhook(caller) is None:
                raise ValidationFailed(
                    [{"field": "channel", "message": "register a webhook first (PUT school/webhook)"}]
                )
        else:
            email = str(data.email) if data.email else await self._own_email(caller)
            if email is None:
                raise ValidationFailed([{"field": "email", "message": "give the address notices go to"}])
        sub = Subscription(school_brin=_brin(caller), company_id=company.id, channel=data.channel, email=email,
                           created_by=caller.principal_id)
        self.session.add(sub)
        try:
            async with self.session.begin_nested():
                await self.session.flush()
        except IntegrityError:
            raise Conflict("This school already follows this company") from None
        await audit.record(self.session, caller, "subscription.created", sub,
                           detail={"company_id": str(company.id), "channel": sub.channel.value})
        return subscription_read(sub, company)

    async def _own_email(self, caller: Caller) -> str | None:
        principal = await self.session.get(Principal, caller.principal_id) if caller.principal_id else None
        return principal.email if principal else None

    async def list(self, caller: Caller, *, limit: int, offset: int) -> tuple[list[SubscriptionRead], int]:
        stmt = scoped(select(Subscription, Company), Subscription, caller).join(
            Company, col(Company.id) == col(Subscription.company_id)
        )
        rows, total = await paging.fetch_page(
            self.session, stmt, col(Subscription.created_at), col(Subscription.id), limit=limit, offset=offset
        )
        return [subscription_read(s, c) for s, c in rows], total

    async def get(self, caller: Caller, subscription_id: UUID, *, for_update: bool = False) -> Subscription:
        return await get_scoped(self.session, Subscription, subscription_id, caller, for_update=for_update,
                                what="subscription")

    async def read(self, caller: Caller, subscription_id: UUID) -> SubscriptionRead:
        sub = await self.get(caller, subscription_id)
        company = await self.session.get(Company, sub.company_id)
        assert company is not None
        return subscription_read(sub, company)

    async def unsubscribe(self, caller: Caller, subscription_id: UUID) -> None:
        sub = await self.get(caller, subscription_id, for_update=True)
        await self.session.exec(  # notices not yet out are no longer wanted
            sa.update(Delivery)
            .where(col(Delivery.subscription_id) == sub.id, col(Delivery.status) == DeliveryStatus.PENDING)
            .values(status=DeliveryStatus.CANCELLED)
        )
        await self.session.delete(sub)
        await audit.record(self.session, caller, "subscription.deleted", sub)
        await self.session.flush()

    # ---------------------------------------------------------- delivery log

    async def deliveries(
        self,
        caller: Caller,
        *,
        subscription_id: UUID | None,
        status: DeliveryStatus | None,
        limit: int,
        offset: int,
    ) -> tuple[builtins.list[DeliveryRead], int]:
        stmt = scoped(select(Delivery), Delivery, caller)
        if subscription_id is not None:
            stmt = stmt.where(Delivery.subscription_id == subscription_id)
        if status is not None:
            stmt = stmt.where(Delivery.status == status)
        rows, total = await paging.fetch_page(
            self.session, stmt, col(Delivery.created_at).desc(), col(Delivery.id), limit=limit, offset=offset
        )
        return [delivery_read(d) for d in rows], total

    async def delivery(self, caller: Caller, delivery_id: UUID) -> DeliveryRead:
        return delivery_read(await get_scoped(self.session, Delivery, delivery_id, caller, what="delivery"))
