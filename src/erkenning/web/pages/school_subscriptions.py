"""A school's subscriptions (the companies it follows), its webhook (whose secret is shown once), and the
delivery log of the notices sent to it."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter, URLEncodedBody
from litestar.response import Redirect, Template

from erkenning import vocabulary
from erkenning.core.caller import Caller, Role
from erkenning.core.errors import Conflict, NotFound, ValidationFailed
from erkenning.http.dependencies import CurrentCaller, DbSession
from erkenning.http.guards import requires
from erkenning.register.models import Channel, DeliveryStatus, SchoolWebhook
from erkenning.register.schemas import SubscriptionCreate, WebhookSet
from erkenning.register.services.subscriptions import SubscriptionService
from erkenning.web import fields, nav
from erkenning.web.actions import service_call
from erkenning.web.forms import Field, Form
from erkenning.web.listing import PageNumber, Pager, listing
from erkenning.web.rendering import flash_message, page, redirect

PAGE_SIZE = 50
SUBSCRIBED = flash_message(
    "school-subscribed", "U volgt dit bedrijf nu. Bij elke wijziging van een erkenning krijgt u bericht."
)
UNSUBSCRIBED = flash_message("school-unsubscribed", "U volgt dit bedrijf niet meer.")
WEBHOOK_DELETED = flash_message(
    "school-webhook-deleted", "De webhook is verwijderd. Berichten per webhook worden niet meer bezorgd."
)

SUBSCRIBE_FIELDS = (
    fields.COMPANY_KEY,
    Field("channel", "Hoe wilt u bericht krijgen?", kind="select",
          options=vocabulary.options(Channel, capitals=True), missing="Kies hoe u bericht wilt krijgen."),
    Field("email", "E-mailadres voor de berichten", kind="email", required=False, autocomplete="email",
          hint="Alleen bij e-mail. Leeg: het adres van uw account.",
          invalid="Vul een geldig e-mailadres in, bijvoorbeeld stagebureau@school.nl."),
)
WEBHOOK_FIELDS = (
    Field("url", "Adres van de webhook", kind="url", autocomplete="off",
          hint="Een https-adres van uw systeem, bereikbaar vanaf internet. SBB stuurt er ondertekende berichten heen.",
          missing="Vul het adres van de webhook in.",
          invalid="Vul een https-adres in, bijvoorbeeld https://stage.school.nl/erkenning."),
)
_URL_PROBLEMS = {
    "must be an https:// URL": "Het adres moet met https:// beginnen.",
    "must not carry credentials": "Het adres mag geen gebruikersnaam of wachtwoord bevatten.",
    "must point at a public address": "Het adres moet vanaf internet bereikbaar zijn, niet alleen binnen uw netwerk.",
    "the host name cannot be resolved": "Dit adres bestaat niet, of is nu niet te vinden. Controleer de naam.",
}

DELIVERY_FILTERS = (
    Field("status", "Status", kind="select", required=False,
          options=(("", "Alle"), *vocabulary.options(DeliveryStatus, capitals=True))),
    Field("abonnement", "Abonnement", kind="hidden", required=False),
)

nav.add("Abonnementen", "/school/abonnementen", {Role.SCHOOL}, order=30)
nav.add("Bezorgingen", "/school/bezorgingen", {Role.SCHOOL}, order=35)


def _delivery_filters(form: Form) -> dict[str, Any] | None:
    status, subscription = form.values["status"], form.values["abonnement"]
    filters: dict[str, Any] = {"status": None, "subscription_id": None}
    if status:
        if status not in {s.value for s in DeliveryStatus}:
            form.error("status", "Kies een status uit de lijst.")
        else:
            filters["status"] = DeliveryStatus(status)
    if subscription:
        try:
            filters["subscription_id"] = UUID(subscription)
        except ValueError:
            form.message = "Dit abonnement bestaat niet. Kies het opnieuw bij Abonnementen."
    return None if form.has_errors else filters


async def _webhook(service: SubscriptionService, caller: Caller) -> SchoolWebhook | None:
    try:
        return await service.get_webhook(caller)
    except NotFound:
        return None


async def _subscriptions_page(
    request: Request[Any, Any, Any], service: SubscriptionService, caller: Caller, pagina: int,
    *, form: Form | None = None, status: int = 200,
) -> Template:
    rows, total = await service.list(caller, limit=PAGE_SIZE, offset=(pagina - 1) * PAGE_SIZE)
    return page(
        request, "school/subscriptions.html", title="Abonnementen", subscriptions=rows,
        pager=Pager(request, pagina, PAGE_SIZE, shown=len(rows), total=total), webhook=await _webhook(service, caller),
        form=form or Form(SUBSCRIBE_FIELDS, {"channel": Channel.EMAIL.value}), status_code=status,
    )


def _webhook_page(
    request: Request[Any, Any, Any], hook: SchoolWebhook | None, form: Form, *, secret: str | None = None,
    status: int = 200,
) -> Template:
    return page(request, "school/webhook.html", title="Webhook", webhook=hook, form=form, secret=secret,
                status_code=status)


class SchoolSubscriptionPages(Controller):
    """Abonnementen van een school op leerbedrijven, en haar webhook."""

    path = "/school"
    guards = [requires(Role.SCHOOL)]

    @get("/abonnementen", name="school_subscriptions")
    async def subscriptions(
        self, request: Request[Any, Any, Any], subscriptions: NamedDependency[SubscriptionService],
        caller: CurrentCaller, pagina: PageNumber = 1,
    ) -> Template:
        return await _subscriptions_page(request, subscriptions, caller, pagina)

    @post("/abonnementen")
    async def subscribe(
        self, request: Request[Any, Any, Any], data: URLEncodedBody[dict[str, str]], session: DbSession,
        subscriptions: NamedDependency[SubscriptionService], caller: CurrentCaller,
    ) -> Template | Redirect:
        form = Form(SUBSCRIBE_FIELDS, data)
        payload = form.validate(SubscriptionCreate)
        if payload is not None:
            async with service_call(session, NotFound, Conflict, ValidationFailed) as outcome:
                await subscriptions.subscribe(caller, payload)
            refusal = outcome.refusal
            if refusal is None:
                return redirect(request, "/school/abonnementen", flash=SUBSCRIBED)
            if isinstance(refusal, NotFound):
                form.error("company", "Er is geen leerbedrijf met dit nummer in het register.")
            elif isinstance(refusal, Conflict):
                form.error("company", "U volgt dit bedrijf al.")
            elif isinstance(refusal, ValidationFailed):
                fields = {e.get("field") for e in refusal.extra.get("errors", [])}
                if "channel" in fields:
                    form.error("channel", "Stel eerst een webhook in, of kies e-mail.")
                if "email" in fields:
                    form.error("email", "Uw account heeft geen e-mailadres: vul het adres voor de berichten in.")
        return await _subscriptions_page(request, subscriptions, caller, 1, form=form, status=422)

    @post("/abonnementen/{subscription_id:uuid}/opzeggen")
    async def unsubscribe(
        self, request: Request[Any, Any, Any], subscription_id: FromPath[UUID],
        subscriptions: NamedDependency[SubscriptionService], caller: CurrentCaller,
    ) -> Redirect:
        await subscriptions.unsubscribe(caller, subscription_id)
        return redirect(request, "/school/abonnementen", flash=UNSUBSCRIBED)

    @get("/webhook", name="school_webhook")
    async def webhook(
        self, request: Request[Any, Any, Any], subscriptions: NamedDependency[SubscriptionService],
        caller: CurrentCaller,
    ) -> Template:
        hook = await _webhook(subscriptions, caller)
        return _webhook_page(request, hook, Form(WEBHOOK_FIELDS, {"url": hook.url if hook else ""}))

    @post("/webhook")
    async def set_webhook(
        self, request: Request[Any, Any, Any], data: URLEncodedBody[dict[str, str]], session: DbSession,
        subscriptions: NamedDependency[SubscriptionService], caller: CurrentCaller,
    ) -> Template:
        form = Form(WEBHOOK_FIELDS, data)
        payload = form.validate(WebhookSet)
        if payload is not None:
            async with service_call(session, ValidationFailed) as outcome:
                hook, secret = await subscriptions.set_webhook(caller, payload.url)
            if outcome.refusal is None:
                # Shown on this answer only: the secret is not stored, only derived when signing.
                return _webhook_page(request, hook, form, secret=secret)
            problems = [e.get("message", "") for e in outcome.refusal.extra.get("errors", [])]
            known = (_URL_PROBLEMS[p] for p in problems if p in _URL_PROBLEMS)
            form.error("url", next(known, WEBHOOK_FIELDS[0].invalid or ""))
        return _webhook_page(request, await _webhook(subscriptions, caller), form, status=422)

    @post("/webhook/verwijderen")
    async def delete_webhook(
        self, request: Request[Any, Any, Any], subscriptions: NamedDependency[SubscriptionService],
        caller: CurrentCaller,
    ) -> Redirect:
        await subscriptions.delete_webhook(caller)
        return redirect(request, "/school/abonnementen", flash=WEBHOOK_DELETED)

    @get("/bezorgingen", name="school_deliveries")
    async def deliveries(
        self, request: Request[Any, Any, Any], subscriptions: NamedDependency[SubscriptionService],
        caller: CurrentCaller, status: Annotated[str | None, QueryParameter(max_length=20)] = None,
        abonnement: Annotated[str | None, QueryParameter(max_length=40)] = None, pagina: PageNumber = 1,
    ) -> Template:
        result = await listing(
            request, DELIVERY_FILTERS, {"status": status, "abonnement": abonnement}, _delivery_filters,
            lambda filters, limit, offset: subscriptions.deliveries(caller, **filters, limit=limit, offset=offset),
            page=pagina, size=PAGE_SIZE,
        )
        return page(request, "school/deliveries.html", title="Bezorgingen", result=result,
                    webhook=await _webhook(subscriptions, caller), status_code=result.status_code)
