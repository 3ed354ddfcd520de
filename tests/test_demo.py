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
