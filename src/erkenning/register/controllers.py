"""Routes of the public register (anonymous or school token) and of a school's subscriptions."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from uuid import UUID

from litestar import Controller, delete, get, post, put
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, PathParameter, QueryParameter

from erkenning.companies.schemas import POSTCODE_PATTERN, normalise_postcode
from erkenning.core.caller import Role
from erkenning.core.errors import ValidationFailed
from erkenning.core.paging import Offset, Page
from erkenning.http.dependencies import CurrentCaller, provide
from erkenning.http.guards import requires
from erkenning.http.openapi import EMAIL_CHECKED
from erkenning.recognition.models import Pathway
from erkenning.register.models import DeliveryStatus
from erkenning.register.quota import batch_quota, register_quota
from erkenning.register.schemas import (
    COMPANY_KEY,
    COMPANY_KEY_HELP,
    CREBO,
    BatchAnswer,
    BatchRequest,
    CompanySearchPage,
    DeliveryRead,
    RegisterCard,
    SubscriptionCreate,
    SubscriptionRead,
    VerifyAnswer,
    WebhookIssued,
    WebhookRead,
    WebhookSet,
)
from erkenning.register.services import find, lookup
from erkenning.register.services.subscriptions import SubscriptionService

CompanyKey = Annotated[str, QueryParameter(pattern=COMPANY_KEY, description=COMPANY_KEY_HELP)]
RegisterLimit = Annotated[int, QueryParameter(ge=1, le=50, description="page size (1-50)")]

# The domain's services, injected by name into its routes and the web pages.
PROVIDERS = {"subscriptions": provide(SubscriptionService)}


class RegisterController(Controller):
    """Het register van erkende leerbedrijven: search, a company's card, verification."""

    path = "/"
    before_request = staticmethod(register_quota)

    @get(
        "/companies",
        summary="Find companies by a number (KvK, establishment or SBB id), part of the name plus town, or exact keys",
        description=(
            "Search with exactly one of these key sets (there is no listing of everything): `number` (a KvK number, "
            "an establishment number or an SBB company id in one field: 8 digits are tried as KvK number and SBB id, "
            "12 as establishment number and SBB id; `matched_on` says which matched); `name_contains` (each word a "
            "part of the name, at least one word of 3 characters or more, at most 5 words) with or without `town` "
            "(the whole town name, any case), closest matches first, counted up to `REGISTER_NAME_SEARCH_CAP` "
            "(`capped`); `kvk_number`; `establishment_number`; `sbb_id`; `name` + `postcode` (the exact name); "
            "`crebo` + `postcode` (recognised for it today). Anonymous callers are rate limited per address, "
            "schools per token. Beyond the schema (422 naming the rule): exactly one of these key sets "
            "(query parameters cannot be tied together in OpenAPI)."
        ),
    )
    async def search(
        self,
        state: State,
        number: Annotated[str | None, QueryParameter(
            pattern=find.NUMBER, description="KvK number (8 digits), establishment number (12) or SBB company id"
        )] = None,
        name_contains: Annotated[str | None, QueryParameter(
            min_length=find.MIN_NAME_CHARS, max_length=100, description="part(s) of the name, any order and case"
        )] = None,
        town: Annotated[str | None, QueryParameter(
            min_length=1, max_length=100, description="with name_contains: the town (plaats)"
        )] = None,
        kvk_number: Annotated[str | None, QueryParameter(pattern=r"^[0-9]{8}$")] = None,
        establishment_number: Annotated[str | None, QueryParameter(pattern=r"^[0-9]{12}$")] = None,
        sbb_id: Annotated[str | None, QueryParameter(pattern=COMPANY_KEY)] = None,
        name: Annotated[str | None, QueryParameter(min_length=1, max_length=200, description="the exact name")] = None,
        postcode: Annotated[str | None, QueryParameter(max_length=50, pattern=POSTCODE_PATTERN)] = None,
        crebo: Annotated[str | None, QueryParameter(pattern=CREBO, description="recognised for it today")] = None,
        limit: RegisterLimit = 50,
        offset: Annotated[int, QueryParameter(ge=0, le=10_000, schema_extra={"minimum": 0})] = 0,
    ) -> CompanySearchPage:
        if postcode is not None:
            try:
                postcode = normalise_postcode(postcode)
            except ValueError as exc:
                raise ValidationFailed([{"field": "postcode", "message": str(exc)}]) from None
        keys = lookup.SearchKeys(kvk_number, establishment_number, sbb_id, name.strip() if name else None,
                                  postcode, crebo, number, name_contains, town)
        found = await lookup.search(state.runtime, keys, limit=limit, offset=offset)
        return CompanySearchPage(items=found.items, total=found.total, limit=limit, offset=offset,
                                 capped=found.capped)

    @get("/companies/{company:str}", summary="A company's public card: name, place, recognitions held today")
    async def card(
        self, state: State, company: Annotated[str, PathParameter(pattern=COMPANY_KEY, description=COMPANY_KEY_HELP)]
    ) -> RegisterCard:
        return await lookup.card(state.runtime, company)

    @get("/verify", summary="Was a company recognised for a qualification and pathway on a date (default today)")
    async def verify(
        self,
        state: State,
        company: CompanyKey,
        crebo: Annotated[str, QueryParameter(pattern=CREBO)],
        pathway: Annotated[Pathway, QueryParameter()],
        on: Annotated[dt.date | None, QueryParameter(name="date", description="YYYY-MM-DD; default today")] = None,
    ) -> VerifyAnswer:
        return await lookup.verify(state.runtime, company, crebo, pathway, on)

    @post(
        "/verify/batch",
        status_code=200,
        guards=[requires(Role.SCHOOL)],
        before_request=batch_quota,
        summary="Verify up to 1,000 items at once (school token): one answer per item, in order",
    )
    async def verify_batch(self, state: State, data: JSONBody[BatchRequest]) -> BatchAnswer:
        most = state.runtime.settings.register_batch_max_items
        if len(data.items) > most:
            raise ValidationFailed([{"field": "items", "message": f"at most {most} items a batch"}])
        return BatchAnswer(items=await lookup.verify_batch(state.runtime, data.items))


class SchoolController(Controller):
    """A school's own subscriptions (abonnementen), its webhook, and its delivery log."""

    path = "/school"
    guards = [requires(Role.SCHOOL)]
    dependencies = PROVIDERS
    before_request = staticmethod(register_quota)

    @put(
        "/webhook", summary="Register or replace the webhook; the signing secret is in this answer only",
        description="Beyond the schema (422 naming the rule): the URL's host must resolve, and only to public "
        "addresses (no private, loopback, link-local or reserved range), and it carries no credentials.",
    )
    async def set_webhook(
        self, data: JSONBody[WebhookSet], subscriptions: NamedDependency[SubscriptionService], caller: CurrentCaller
    ) -> WebhookIssued:
        hook, secret = await subscriptions.set_webhook(caller, data.url)
        return WebhookIssued(**WebhookRead.model_validate(hook).model_dump(), secret=secret)

    @get("/webhook", summary="The registered webhook (never its secret)")
    async def get_webhook(
        self, subscriptions: NamedDependency[SubscriptionService], caller: CurrentCaller
    ) -> WebhookRead:
        return WebhookRead.model_validate(await subscriptions.get_webhook(caller))

    @delete("/webhook", summary="Remove the webhook (webhook notices then fail until a new one is set)")
    async def delete_webhook(self, subscriptions: NamedDependency[SubscriptionService], caller: CurrentCaller) -> None:
        await subscriptions.delete_webhook(caller)

    @post("/subscriptions", summary="Follow a company: every change of its recognitions is sent to you",
          description=EMAIL_CHECKED)
    async def subscribe(
        self, data: JSONBody[SubscriptionCreate], subscriptions: NamedDependency[SubscriptionService],
        caller: CurrentCaller,
    ) -> SubscriptionRead:
        return await subscriptions.subscribe(caller, data)

    @get("/subscriptions", summary="The companies this school follows")
    async def subscriptions(
        self, subscriptions: NamedDependency[SubscriptionService], caller: CurrentCaller, limit: RegisterLimit = 50,
        offset: Offset = 0,
    ) -> Page[SubscriptionRead]:
        items, total = await subscriptions.list(caller, limit=limit, offset=offset)
        return Page(items=items, total=total, limit=limit, offset=offset)

    @get("/subscriptions/{subscription_id:uuid}", summary="One subscription")
    async def subscription(
        self, subscription_id: FromPath[UUID], subscriptions: NamedDependency[SubscriptionService],
        caller: CurrentCaller,
    ) -> SubscriptionRead:
        return await subscriptions.read(caller, subscription_id)

    @delete("/subscriptions/{subscription_id:uuid}", summary="Stop following a company")
    async def unsubscribe(
        self, subscription_id: FromPath[UUID], subscriptions: NamedDependency[SubscriptionService],
        caller: CurrentCaller,
    ) -> None:
        await subscriptions.unsubscribe(caller, subscription_id)

    @get("/deliveries", summary="The delivery log: each notice, its status, attempts and last response code")
    async def deliveries(
        self,
        subscriptions: NamedDependency[SubscriptionService],
        caller: CurrentCaller,
        subscription_id: Annotated[UUID | None, QueryParameter()] = None,
        status: Annotated[DeliveryStatus | None, QueryParameter()] = None,
        limit: RegisterLimit = 50,
        offset: Offset = 0,
    ) -> Page[DeliveryRead]:
        items, total = await subscriptions.deliveries(
            caller, subscription_id=subscription_id, status=status, limit=limit, offset=offset
        )
        return Page(items=items, total=total, limit=limit, offset=offset)

    @get("/deliveries/{delivery_id:uuid}", summary="One delivery")
    async def delivery(
        self, delivery_id: FromPath[UUID], subscriptions: NamedDependency[SubscriptionService], caller: CurrentCaller
    ) -> DeliveryRead:
        return await subscriptions.delivery(caller, delivery_id)
