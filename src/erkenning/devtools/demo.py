"""Demo data for `erkenning dev`: a principal per role, fresh tokens each start, and domain demo sets."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID, uuid5

import sqlalchemy as sa
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.companies.models import Company, Sector
from erkenning.core.auth.models import ApiToken, Contact, Principal
from erkenning.core.auth.service import AuthService
from erkenning.core.caller import STAFF_ROLES, Caller, Role
from erkenning.core.db import utcnow
from erkenning.core.runtime import Runtime
from erkenning.devtools import demo_cases as case_demo
from erkenning.devtools import demo_recognition as recognition_demo
from erkenning.devtools import demo_reports as report_demo
from erkenning.devtools import demo_training as training_demo

_NS = UUID("6f1b8f52-5e36-4c55-9a43-0f5c1c1d7e01")
DEMO_LABEL = "demo"


@dataclass(frozen=True)
class DemoAccount:
    key: str
    name: str
    role: Role
    email: str
    company_id: UUID | None = None
    school_brin: str | None = None

    @property
    def id(self) -> UUID:
        return uuid5(_NS, self.key)


DEMO_COMPANY_ID = uuid5(_NS, "company:bakkerij-de-korenschoof")
DEMO_SCHOOL_BRIN = "25LX"

# People's names only: the pages say the role beside the name. Every address is on a reserved domain
# (RFC 2606), and `erkenning dev` sends every e-mail to its local mail catcher.
ACCOUNTS = (
    DemoAccount("admin", "Joost Bakker", Role.ADMIN, "joost.bakker@sbb.example"),
    DemoAccount("senior", "Fatima el Amrani", Role.SENIOR_ADVISER, "fatima.elamrani@sbb.example"),
    DemoAccount("senior2", "Pieter de Vries", Role.SENIOR_ADVISER, "pieter.devries@sbb.example"),
    DemoAccount("adviser", "Sanne Jansen", Role.ADVISER, "sanne.jansen@sbb.example"),
    DemoAccount("company", "Bakkerij De Korenschoof", Role.COMPANY, "info@korenschoof.example",
                company_id=DEMO_COMPANY_ID),
    DemoAccount("school", "ROC Demo, meldpunt", Role.SCHOOL, "meldpunt@rocdemo.example",
                school_brin=DEMO_SCHOOL_BRIN),
)
DEMO_COMPANY_KVK = "12345678"


async def ensure_company(session: AsyncSession) -> None:
    """The demo company the demo company account belongs to."""
    if await session.get(Company, DEMO_COMPANY_ID) is None:
        session.add(
            Company(
                id=DEMO_COMPANY_ID, kvk_number=DEMO_COMPANY_KVK, establishment_number="000012345678",
                name="Bakkerij De Korenschoof", street="Korenmarkt", house_number="12", postcode="3511 AB",
                city="Utrecht", sector=Sector.VOEDSEL_GROEN_GASTVRIJHEID, email="info@korenschoof.example",
            )
        )
        await session.flush()


async def ensure_accounts(session: AsyncSession, *, dev_issuer: str | None = None) -> None:
    """The demo principals, with the names and addresses above (also over those of an older demo).

    With `dev_issuer`, the staff are bound to the dev provider's accounts (whose `sub` is the demo key,
    `devtools.oidc.ACCOUNTS`), so signing in there is signing in as them."""
    await ensure_company(session)
    existing = {p.id: p for p in (await session.exec(select(Principal))).all()}
    for account in ACCOUNTS:
        principal = existing.get(account.id)
        if principal is None:
            principal = Principal(
                id=account.id, name=account.name, role=account.role, email=account.email,
                company_id=account.company_id, school_brin=account.school_brin,
            )
        principal.name, principal.email = account.name, account.email
        if dev_issuer and account.role in STAFF_ROLES:
            principal.oidc_issuer, principal.oidc_subject = dev_issuer, account.key
        session.add(principal)
    await session.flush()


# Who may sign in by e-mail link for the demo company and school (the mail lands in the local maildir).
DEMO_CONTACTS = {a.key: a.email for a in ACCOUNTS if a.role in (Role.COMPANY, Role.SCHOOL)}


async def ensure_contacts(session: AsyncSession) -> None:
    """The demo company's and school's accounts as contacts, so they can ask for a sign-in link."""
    have = set((await session.exec(select(Contact.principal_id))).all())
    for account in ACCOUNTS:
        email = DEMO_CONTACTS.get(account.key)
        if email and account.id not in have:
            session.add(Contact(
                email=email, name=account.name, company_id=account.company_id, school_brin=account.school_brin,
                principal_id=account.id,
            ))
    await session.flush()


def who(account: DemoAccount) -> str:
    """Who a demo token signs in as, for the banner of `erkenning dev`: name, role, KvK or BRIN, e-mail."""
    scope = ""
    if account.company_id is not None:
        scope = f", KvK {DEMO_COMPANY_KVK}"
    elif account.school_brin is not None:
        scope = f", BRIN {account.school_brin}"
    return f"{account.name} ({account.role.value}{scope}) <{account.email}>"


async def fresh_tokens(session: AsyncSession, runtime: Runtime) -> dict[str, str]:
    """Revoke the previous demo tokens and issue new ones (plain tokens can't be shown twice)."""
    system = Caller.system("demo")
    for token in (await session.exec(select(ApiToken).where(ApiToken.label == DEMO_LABEL))).all():
        if token.revoked_at is None:
            token.revoked_at = utcnow()
            session.add(token)
    service = AuthService(session, runtime.settings)
    issued = {}
    for account in ACCOUNTS:
        issued[account.key] = (await service.issue_token(system, account.id, label=DEMO_LABEL)).plaintext
    return issued


DEMO_SEED_COMPANIES = 300


async def seed_if_empty(runtime: Runtime) -> bool:
    """A few hundred synthetic companies with recognitions, on a first start (fewer companies than that)."""
    from erkenning.devtools.seed import seed

    async with runtime.session_factory() as session:
        count = (await session.exec(select(sa.func.count()).select_from(Company))).one()
    if count >= DEMO_SEED_COMPANIES:
        return False
    await seed(runtime.engine, companies=DEMO_SEED_COMPANIES, seed_value=1)
    return True


async def load(runtime: Runtime, *, dev_issuer: str | None = None) -> dict[str, str]:
    """Idempotent: safe on every start. Returns the demo tokens by account key.

    With `dev_issuer` (the OpenID provider `erkenning dev` started), the demo staff sign in there as themselves.
    """
    async with runtime.transaction() as session:
        await ensure_accounts(session, dev_issuer=dev_issuer)
        await ensure_contacts(session)
        await report_demo.ensure_reports(session, company_id=DEMO_COMPANY_ID, school_brin=DEMO_SCHOOL_BRIN)
        school = next(a for a in ACCOUNTS if a.key == "school")
        await report_demo.ensure_reporting_point(session, school_brin=DEMO_SCHOOL_BRIN, school_id=school.id)
        await training_demo.ensure(session, DEMO_COMPANY_ID)
        people = {account.key: account.id for account in ACCOUNTS}
        await recognition_demo.load(session, runtime.settings, DEMO_COMPANY_ID, people)
        await case_demo.ensure(session, runtime.settings, people, phone_report=report_demo.PHONE_REPORT_ID)
        return await fresh_tokens(session, runtime)
