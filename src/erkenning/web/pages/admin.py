"""Administration: accounts (principals) and their tokens, and the audit trail."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.core import clock
from erkenning.core.audit import service as audit_trail
from erkenning.core.auth.models import ApiToken
from erkenning.core.auth.service import AuthService
from erkenning.core.caller import Role
from erkenning.core.db import utcnow
from erkenning.http.dependencies import CurrentCaller, DbSession
from erkenning.http.guards import requires
from erkenning.vocabulary import ROLES
from erkenning.web import nav
from erkenning.web.forms import Field, Form
from erkenning.web.listing import PageNumber, Pager, listing
from erkenning.web.pages.start import start_section
from erkenning.web.rendering import flash_message, page, redirect

REVOKED = flash_message("token-revoked", "De toegangscode is ingetrokken. Wie hem gebruikte, is nu uitgelogd.")
PAGE_SIZE = 50
ADMIN = {Role.ADMIN}

Text = Annotated[str | None, QueryParameter(max_length=100)]
_ROLE_OPTIONS = tuple((r.value, ROLES[r]) for r in Role if r is not Role.SYSTEM)
ROLE_FILTER = (Field("rol", "Rol", kind="select", required=False, options=(("", "Alle rollen"), *_ROLE_OPTIONS)),)
AUDIT_FIELDS = (
    Field("actie", "Actie", required=False, hint="Bijvoorbeeld company.updated", width="m"),
    Field("objecttype", "Soort object", required=False, hint="Bijvoorbeeld company", width="m"),
    Field("object", "Object-id", required=False, width="l"),
    Field("actor", "Gedaan door (account-id)", required=False, width="l",
          invalid="Een account-id ziet eruit als 0b7c1e9a-3f2d-4c8e-9a51-2d6f0e4b7c13."),
    Field("van", "Vanaf datum", kind="date", required=False, width="s", invalid="Vul een datum in."),
    Field("tot", "Tot en met datum", kind="date", required=False, width="s", invalid="Vul een datum in."),
)


def token_state(token: ApiToken) -> tuple[str, str]:
    """(Dutch word, badge tone) for a token."""
    if token.revoked_at is not None:
        return "ingetrokken", "danger"
    if token.expires_at is not None and token.expires_at <= utcnow():
        return "verlopen", "neutral"
    return "actief", "success"


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=clock.AMSTERDAM)


def _audit_filters(form: Form) -> dict[str, Any] | None:
    values = {k: v.strip() for k, v in form.values.items()}
    filters: dict[str, Any] = {"action": values["actie"] or None, "object_type": values["objecttype"] or None,
                               "object_id": values["object"] or None}
    try:
        filters["actor_id"] = UUID(values["actor"]) if values["actor"] else None
    except ValueError:
        form.error("actor", form["actor"].invalid or "")
    for name, key, shift in (("van", "since", 0), ("tot", "until", 1)):
        try:
            day = date.fromisoformat(values[name]) if values[name] else None
        except ValueError:
            form.error(name, form[name].invalid or "")
        else:
            filters[key] = _start_of(day + timedelta(days=shift)) if day else None
    return None if form.has_errors else filters


nav.add("Accounts", "/beheer/accounts", ADMIN, order=80)
nav.add("Audit", "/beheer/audit", ADMIN, order=90)


@start_section("Beheer", "admin/_start.html", ADMIN, order=80)
async def admin_overview(session: AsyncSession) -> dict[str, Any]:
    _, events_today = await audit_trail.query(session, since=_start_of(clock.today()), limit=1)
    return {"events_today": events_today}


class AdminPages(Controller):
    path = "/beheer"
    guards = [requires(Role.ADMIN)]

    @get("/accounts", name="accounts")
    async def accounts(
        self, request: Request[Any, Any, Any], auth: NamedDependency[AuthService], rol: Text = None,
        pagina: PageNumber = 1,
    ) -> Template:
        form = Form(ROLE_FILTER, {"rol": rol or ""})
        role = Role(rol) if rol in {value for value, _ in _ROLE_OPTIONS} else None
        rows = await auth.list_principals(
            role=role, limit=PAGE_SIZE + 1, offset=(pagina - 1) * PAGE_SIZE
        )
        pager = Pager(request, pagina, PAGE_SIZE, shown=min(len(rows), PAGE_SIZE), more=len(rows) > PAGE_SIZE)
        return page(request, "admin/accounts.html", title="Accounts", form=form, principals=rows[:PAGE_SIZE],
                    pager=pager)

    @get("/accounts/{principal_id:uuid}", name="account")
    async def account(
        self, request: Request[Any, Any, Any], principal_id: FromPath[UUID], auth: NamedDependency[AuthService]
    ) -> Template:
        principal = await auth.get_principal(principal_id)
        tokens = await auth.list_tokens(principal_id=principal_id)
        return page(request, "admin/account.html", title=principal.name, principal=principal,
                    tokens=[(t, token_state(t)) for t in tokens])

    @post("/tokens/{token_id:uuid}/intrekken", name="token_revoke")
    async def revoke(
        self, request: Request[Any, Any, Any], token_id: FromPath[UUID], auth: NamedDependency[AuthService],
        caller: CurrentCaller,
    ) -> Redirect:
        token = await auth.revoke_token(caller, token_id)
        return redirect(request, f"/beheer/accounts/{token.principal_id}", flash=REVOKED)

    @get("/audit", name="audit")
    async def audit_search(
        self, request: Request[Any, Any, Any], session: DbSession,
        actie: Text = None, objecttype: Text = None, object: Text = None, actor: Text = None,
        van: Text = None, tot: Text = None, pagina: PageNumber = 1,
    ) -> Template:
        entered = {"actie": actie, "objecttype": objecttype, "object": object, "actor": actor, "van": van, "tot": tot}
        result = await listing(
            request, AUDIT_FIELDS, entered, _audit_filters,
            lambda filters, limit, offset: audit_trail.query(session, **filters, limit=limit, offset=offset),
            page=pagina, size=PAGE_SIZE,
        )
        return page(request, "admin/audit.html", title="Audit", result=result, status_code=result.status_code)
