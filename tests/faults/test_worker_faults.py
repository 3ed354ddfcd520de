"""A worker stopped in the middle of a task (SIGKILL, SIGTERM): the task runs again, its effect happens once.

"In the middle" is made naturally: a test transaction holds a lock on the investigation table, so the worker
claims the outbox event and then waits, half-way through opening the case, until it is stopped.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator
from dataclasses import dataclass

import asyncpg
import httpx
import pytest

from erkenning.app import create_app
from erkenning.core import mail
from erkenning.core.caller import Role
from erkenning.reports.services.reports import SUBSTANTIATED_TOPIC
from tests.factories import Principal, TokenFactory, assigned_report, make_company
from tests.faults.stack import Proc, Stack, eventually
from tests.helpers import asgi_client, substantiate

pytestmark = pytest.mark.faults

ADVISER_MAIL = "adviseur@sbb.example"


@pytest.fixture
async def client(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(create_app(runtime=stack.runtime)) as c:
        yield c


@pytest.fixture
async def adviser(tokens: TokenFactory) -> Principal:
    return await tokens.make(Role.ADVISER, email=ADVISER_MAIL)


@dataclass
class HalfWay:
    worker: Proc
    blocker: asyncpg.Connection
    hold: asyncpg.transaction.Transaction

    async def release(self) -> None:
        await self.hold.rollback()
        await self.blocker.close()


async def _worker_half_way_through_opening_a_case(stack: Stack, client: httpx.AsyncClient, adviser: Principal) -> HalfWay:
    blocker = await stack.psql()
    hold = blocker.transaction()
    await hold.start()
    await blocker.execute("LOCK TABLE investigation IN ACCESS EXCLUSIVE MODE")
    company = await make_company(stack.runtime, email="bedrijf@example.org")
    report_id = await assigned_report(client, adviser, company)
    await substantiate(client, adviser, report_id)
    worker = await stack.worker()

    async def waiting_on_the_lock() -> bool:
        return bool(await blocker.fetchval(
            "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
            "WHERE NOT l.granted AND c.relname = 'investigation'"
        ))

    await eventually(waiting_on_the_lock, "the worker is waiting half-way through opening the case")
    return HalfWay(worker, blocker, hold)


async def _cases(stack: Stack) -> int:
    return int(await stack.scalar("SELECT count(*) FROM investigation"))


def _opened_mails(stack: Stack) -> int:
    return sum(m["Subject"].startswith("Onderzoek geopend") for m in stack.mail.to(ADVISER_MAIL))


async def _exactly_once_after_a_fresh_worker(stack: Stack) -> None:
    await stack.worker()

    async def done() -> bool:
        return await _cases(stack) == 1 and _opened_mails(stack) == 1 and await stack.all_events_done()

    # A SIGKILLed worker's job is picked up again once its in-progress mark expires (job timeout + 10 s).
    await eventually(done, "one case, its mail, every event done")
    await asyncio.sleep(3)  # a sweep period more (grace 1 s, every 2 s), and nothing more follows
    assert await _cases(stack) == 1
    assert _opened_mails(stack) == 1
    assert await stack.scalar("SELECT count(*) FROM audit_event WHERE action = 'investigation.opened'") == 1


async def test_worker_killed_mid_task_runs_it_again_with_one_effect(
    stack: Stack, client: httpx.AsyncClient, adviser: Principal
) -> None:
    half = await _worker_half_way_through_opening_a_case(stack, client, adviser)
    assert await half.worker.stop(signal.SIGKILL) == -signal.SIGKILL
    await half.release()
    assert await _cases(stack) == 0 and _opened_mails(stack) == 0
    assert await stack.outbox_counts(SUBSTANTIATED_TOPIC) == {"pending": 1}

    await _exactly_once_after_a_fresh_worker(stack)


async def test_worker_terminated_mid_task_leaves_no_half_done_state(
    stack: Stack, client: httpx.AsyncClient, adviser: Principal
) -> None:
    half = await _worker_half_way_through_opening_a_case(stack, client, adviser)
    half.worker.send(signal.SIGTERM)
    # The lock is let go while the worker shuts down: it may finish the task or give it back.
    await half.release()
    assert await half.worker.stop(signal.SIGTERM) == 0, half.worker.tail()
    cases, mails = await _cases(stack), _opened_mails(stack)
    # Either given back (no case, its event pending) or carried through (a case, its mail sent or pending).
    if cases == 0:
        assert await stack.outbox_counts(SUBSTANTIATED_TOPIC) == {"pending": 1}
        assert mails == 0
    else:
        assert await stack.outbox_counts(SUBSTANTIATED_TOPIC) == {"done": 1}
        assert cases == 1 and mails + (await stack.outbox_counts(mail.TOPIC)).get("pending", 0) >= 1

    await _exactly_once_after_a_fresh_worker(stack)
