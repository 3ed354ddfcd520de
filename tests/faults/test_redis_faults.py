"""Redis lost (stopped, or emptied) while work is accepted: nothing accepted is lost, every effect happens once.

PostgreSQL's outbox row is the record of the work; Redis only carries triggers. Writes succeed without
Redis, and the worker's sweep re-enqueues what Redis never got or forgot.
"""

from __future__ import annotations

import asyncio
from collections import Counter

import httpx
import pytest

from erkenning.app import create_app
from erkenning.core.caller import Role
from tests.factories import Principal, TokenFactory
from tests.faults.stack import Stack, eventually
from tests.helpers import MailCatcher, asgi_client

pytestmark = pytest.mark.faults

RECIPIENT = "ontvanger@sbb.example"


async def _issue_tokens(client: httpx.AsyncClient, admin: Principal, recipient: Principal, n: int) -> list[str]:
    """`n` tokens for `recipient` issued through the API (ten at a time); returns their display prefixes."""
    route = f"/api/v1/backoffice/admin/principals/{recipient.id}/tokens"
    limit = asyncio.Semaphore(10)

    async def one(i: int) -> httpx.Response:
        async with limit:
            return await client.post(route, json={"label": f"sleutel-{i}"}, headers=admin.headers)

    responses = await asyncio.gather(*(one(i) for i in range(n)))
    failed = [(r.status_code, r.text[:200]) for r in responses if not 200 <= r.status_code < 300]
    assert not failed, failed
    return [r.json()["prefix"] for r in responses]


def _mailed_prefixes(mail: MailCatcher) -> Counter[str]:
    return Counter(
        line.split(":", 1)[1].strip().split("…")[0]
        for m in mail.to(RECIPIENT)
        for line in MailCatcher.text(m).splitlines()
        if line.startswith("Herkenningsteken:")
    )


async def _everything_done_once(stack: Stack, prefixes: list[str]) -> None:
    async def all_mailed() -> bool:
        return set(_mailed_prefixes(stack.mail)) >= set(prefixes) and await stack.all_events_done()

    await eventually(all_mailed, "a mail for every issued token, every outbox event done")
    await asyncio.sleep(3)  # a sweep period more: nothing is sent twice
    counts = _mailed_prefixes(stack.mail)
    assert all(counts[p] == 1 for p in prefixes), {p: counts[p] for p in prefixes if counts[p] != 1}
    assert await stack.all_events_done()


@pytest.fixture
async def recipient(tokens: TokenFactory) -> Principal:
    return await tokens.make(Role.ADVISER, email=RECIPIENT)


async def test_writes_while_redis_is_down_all_succeed_and_are_carried_out_once_it_is_back(
    stack: Stack, admin: Principal, recipient: Principal
) -> None:
    api = await stack.api()
    worker = await stack.worker(ready=True)
    stack.cluster.redis.stop()

    async with httpx.AsyncClient(base_url=api.base_url, timeout=30) as client:
        prefixes = await _issue_tokens(client, admin, recipient, 100)

    stored = await stack.scalar("SELECT count(*) FROM api_token WHERE principal_id = $1", recipient.id)
    assert stored == 101  # the 100 and the fixture's first
    assert await stack.scalar("SELECT count(*) FROM outbox_event WHERE topic = 'email.send'") >= 100
    assert worker.proc.returncode is None, f"the worker died with Redis:\n{worker.tail()}"
    stack.cluster.redis.start()
    await _everything_done_once(stack, prefixes)


async def test_queue_emptied_after_events_were_queued_is_caught_up_by_the_sweep(
    stack: Stack, admin: Principal, recipient: Principal
) -> None:
    # The app in this process enqueues after each commit exactly as `erkenning serve` does.
    async with asgi_client(create_app(runtime=stack.runtime)) as client:
        prefixes = await _issue_tokens(client, admin, recipient, 30)
    queued = await stack.runtime.queue.depth()
    assert queued >= 30  # the triggers are in Redis, no worker has seen them yet

    await stack.runtime.queue.redis.flushall()
    assert await stack.runtime.queue.depth() == 0
    await stack.worker()
    await _everything_done_once(stack, prefixes)
