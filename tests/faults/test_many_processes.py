"""Two API processes and two workers on one database and Redis, under a stream of reports and transitions."""

from __future__ import annotations

import asyncio
from collections import Counter
from itertools import cycle

import httpx
import pytest

from erkenning.companies.models import Company
from erkenning.core.caller import Role
from tests.factories import TokenFactory, assigned_report, case_of, make_company
from tests.faults.stack import Stack, eventually
from tests.helpers import CASES, substantiate

pytestmark = pytest.mark.faults

COMPANIES = 4
REPORTS_PER_COMPANY = 3
ADVISER_MAIL = "adviseur@sbb.example"


async def test_two_apis_and_two_workers_process_every_event_once_without_deadlock(
    stack: Stack, tokens: TokenFactory
) -> None:
    apis = await asyncio.gather(stack.api(), stack.api())
    await asyncio.gather(stack.worker(ready=True), stack.worker(ready=True))
    adviser = await tokens.make(Role.ADVISER, email=ADVISER_MAIL)
    seniors = [await tokens.make(Role.SENIOR_ADVISER) for _ in range(2)]
    companies = [await make_company(stack.runtime) for _ in range(COMPANIES)]
    answers: list[httpx.Response] = []

    async with httpx.AsyncClient(base_url=apis[0].base_url, timeout=30) as a, \
            httpx.AsyncClient(base_url=apis[1].base_url, timeout=30) as b:
        clients = cycle([a, b])

        async def report_about(company: Company, client: httpx.AsyncClient) -> str:
            report_id = await assigned_report(client, adviser, company)
            await substantiate(client, adviser, report_id)
            return report_id

        # Reports about the same companies, substantiated at once through both APIs: the workers open one
        # case per company and join the others to it.
        report_ids = await asyncio.gather(*(
            report_about(company, next(clients)) for company in companies for _ in range(REPORTS_PER_COMPANY)
        ))

        async def every_report_in_a_case() -> bool:
            return await stack.scalar("SELECT count(*) FROM investigation_report") == len(report_ids)

        await eventually(every_report_in_a_case, "every report linked to a case")
        case_ids = sorted({str((await case_of(stack.runtime, r)).id) for r in report_ids})  # type: ignore[union-attr]
        assert len(case_ids) == COMPANIES

        async def carry_through(case_id: str, first: httpx.AsyncClient, second: httpx.AsyncClient) -> None:
            for action, body in (("assessment", {"reason": "Geen hoorzitting nodig"}),
                                 ("proposal", {"outcome": "unfounded", "findings": "Niet aangetoond"})):
                answers.append(await first.post(f"{CASES}/{case_id}/{action}", json=body, headers=adviser.headers))
            # Two seniors approve at once, each through another API process: one wins.
            both = await asyncio.gather(*(
                client.post(f"{CASES}/{case_id}/approve", json={}, headers=senior.headers)
                for client, senior in ((first, seniors[0]), (second, seniors[1]))
            ))
            assert sorted(r.status_code for r in both) == [200, 409], [r.text for r in both]
            answers.extend(r for r in both if r.status_code == 200)

        await asyncio.gather(*(carry_through(c, *((a, b) if i % 2 else (b, a))) for i, c in enumerate(case_ids)))

    assert all(r.status_code == 200 for r in answers), [r.text for r in answers if r.status_code != 200]

    async def all_closed() -> bool:
        closed = await stack.scalar("SELECT count(*) FROM investigation WHERE status = 'closed'")
        return closed == COMPANIES and await stack.all_events_done()

    await eventually(all_closed, "every case closed by a worker, every event done")
    await asyncio.sleep(3)  # a sweep period more: nothing runs twice
    conn = await stack.psql()
    try:
        actions = Counter({
            r["action"]: r["n"] for r in await conn.fetch(
                "SELECT action, count(*) AS n FROM audit_event WHERE action LIKE 'investigation.%' GROUP BY action"
            )
        })
        deadlocks = await conn.fetchval("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
    finally:
        await conn.close()
    assert actions["investigation.opened"] == COMPANIES
    assert actions["investigation.report_joined"] == COMPANIES * (REPORTS_PER_COMPANY - 1)
    assert actions["investigation.approved"] == COMPANIES
    assert actions["investigation.closed"] == COMPANIES
    opened = [m for m in stack.mail.to(ADVISER_MAIL) if m["Subject"].startswith("Onderzoek geopend")]
    assert len(opened) == COMPANIES
    assert deadlocks == 0
    assert await stack.scalar("SELECT count(*) FROM investigation") == COMPANIES
