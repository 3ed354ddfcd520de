"""The demo company's recognitions: something real to look at after `make run`, loaded once."""

import sqlalchemy as sa

from erkenning.core.runtime import Runtime
from erkenning.devtools import demo
from erkenning.recognition.models import Decision, Recognition


async def test_demo_recognitions_load_once_and_show_each_kind_of_state(client, runtime: Runtime) -> None:
    await demo.load(runtime)
    tokens = await demo.load(runtime)
    async with runtime.session_factory() as session:
        recognitions = (
            (await session.exec(sa.select(Recognition.status).where(Recognition.company_id == demo.DEMO_COMPANY_ID)
                                .order_by(Recognition.status))).scalars().all()
        )
        # The demo company's own (another demo company's case leads to a suspension of its own).
        decisions = (await session.exec(sa.select(Decision.kind, Decision.status)
                                        .where(Decision.company_id == demo.DEMO_COMPANY_ID))).all()
    assert sorted(r.value for r in recognitions) == ["active", "active", "active", "pending"]
    assert sorted((k.value, s.value) for k, s in decisions) == [
        ("grant", "draft"),
        ("grant", "sent"),
        ("grant", "sent"),
        ("impose_conditions", "intended"),
        ("suspend", "sent"),
    ]
    portal = await client.get(
        "/api/v1/portal/recognitions", headers={"Authorization": f"Bearer {tokens['company']}"}
    )
    assert portal.status_code == 200 and len(portal.json()) == 4
    suspended_later = [r for r in portal.json() if len(r["periods"]) == 4]
    assert [p["status"] for p in suspended_later[0]["periods"]] == [
        "pending",
        "active",
        "suspended",
        "active",
    ]
