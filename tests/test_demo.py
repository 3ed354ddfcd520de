"""`make run` loads demo data on every start: it must be idempotent and hand out working tokens."""

from erkenning.core.runtime import Runtime
from erkenning.devtools import demo


async def test_demo_load_twice_gives_working_tokens_for_every_role(client, runtime: Runtime) -> None:
    first = await demo.load(runtime)
    second = await demo.load(runtime)
    assert set(second) == {a.key for a in demo.ACCOUNTS}
    # Only the newest demo tokens work.
    old = await client.get("/api/v1/backoffice/admin/principals", headers={"Authorization": f"Bearer {first['admin']}"})
    assert old.status_code == 401
    new = await client.get("/api/v1/backoffice/admin/principals", headers={"Authorization": f"Bearer {second['admin']}"})
    assert new.status_code == 200
    me = await client.get("/api/v1/portal/account/", headers={"Authorization": f"Bearer {second['company']}"})
    assert me.status_code == 200 and me.json()["company_id"] == str(demo.DEMO_COMPANY_ID)


async def test_first_start_seeds_a_small_synthetic_set_once(runtime: Runtime) -> None:
    from sqlmodel import func, select

    from erkenning.companies.models import Company

    assert await demo.seed_if_empty(runtime) is True
    assert await demo.seed_if_empty(runtime) is False
    async with runtime.session_factory() as session:
        assert (await session.exec(select(func.count()).select_from(Company))).one() == demo.DEMO_SEED_COMPANIES


async def test_with_the_dev_provider_the_demo_staff_are_its_accounts_and_the_demo_has_contacts(
    runtime: Runtime,
) -> None:
    import sqlalchemy as sa

    from erkenning.devtools import oidc

    await demo.load(runtime, dev_issuer="http://127.0.0.1:1")
    await demo.load(runtime, dev_issuer="http://127.0.0.1:2")  # a new port at the next start
    async with runtime.engine.connect() as conn:
        bound = (await conn.execute(sa.text(
            "SELECT oidc_subject, oidc_issuer, role FROM principal WHERE oidc_subject IS NOT NULL ORDER BY 1"
        ))).all()
        contacts = (await conn.execute(sa.text("SELECT email FROM contact ORDER BY 1"))).scalars().all()
    staff = {a.sub for a in oidc.ACCOUNTS} - {"guest"}
    assert {row[0] for row in bound} == staff and {row[1] for row in bound} == {"http://127.0.0.1:2"}
    assert sorted(contacts) == sorted(demo.DEMO_CONTACTS.values())


async def test_the_demo_holds_a_company_at_each_stage_of_an_investigation(client, runtime: Runtime) -> None:
    """A report being assessed, a case waiting for the company's side, a newly opened case; once, on every start."""
    from erkenning.devtools import demo_cases, demo_reports
    from erkenning.reports.models import Report, ReportStatus
    from erkenning.workflows.models import Investigation, InvestigationStatus

    await demo.load(runtime)
    tokens = await demo.load(runtime)
    async with runtime.session_factory() as session:
        phone = await session.get(Report, demo_reports.PHONE_REPORT_ID)
        assert phone.status is ReportStatus.IN_TRIAGE and phone.assigned_to is not None
        garage = await session.get(Investigation, await demo_cases.case_of(session, demo_cases.GARAGE))
        care = await session.get(Investigation, await demo_cases.case_of(session, demo_cases.CARE))
    assert garage.status is InvestigationStatus.HEARING and garage.hearing_question
    assert care.status is InvestigationStatus.OPEN
    # On the demo adviser's own worklist, through the API.
    mine = await client.get("/api/v1/backoffice/investigations", params={"mine": "true"},
                            headers={"Authorization": f"Bearer {tokens['adviser']}"})
    assert mine.status_code == 200, mine.text
    assert {str(garage.id), str(care.id)} <= {item["id"] for item in mine.json()["items"]}
