"""The API under load when PostgreSQL restarts, and when the API itself is stopped (SIGTERM)."""

from __future__ import annotations

import asyncio
import signal
from dataclasses import dataclass, field
from itertools import count

import httpx
import pytest

from erkenning.core.caller import Role
from erkenning.http.problems import PROBLEM_MEDIA_TYPE
from tests.factories import Principal, TokenFactory
from tests.faults.stack import Proc, Stack, eventually

pytestmark = pytest.mark.faults

PRINCIPALS = "/api/v1/backoffice/admin/principals"
RECIPIENT = "ontvanger@sbb.example"
# Far above the configured limits (pool 2 s + connect 1 s in the stack): reaching it means a hang.
HANG_S = 15.0


@dataclass
class Load:
    """Clients that issue tokens for `recipient` in a loop; every answer is kept, with the phase it was sent in."""

    api: Proc
    admin: Principal
    recipient: Principal
    phase: str = "before"
    answers: list[tuple[str, httpx.Response]] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _n: count = field(default_factory=count)

    async def _client(self) -> None:
        async with httpx.AsyncClient(base_url=self.api.base_url, timeout=HANG_S) as client:
            while not self._stop.is_set():
                phase = self.phase
                try:
                    response = await client.post(
                        f"{PRINCIPALS}/{self.recipient.id}/tokens", json={"label": f"sleutel-{next(self._n)}"},
                        headers=self.admin.headers,
                    )
                except httpx.TimeoutException:
                    raise AssertionError(f"a request hung for {HANG_S} s in phase {phase}") from None
                self.answers.append((phase, response))
                if response.status_code == 201:
                    self.created.append(response.json()["id"])
                else:
                    await asyncio.sleep(0.05)

    def start(self, clients: int = 6) -> asyncio.Future[list[None]]:
        return asyncio.gather(*(self._client() for _ in range(clients)))

    def stop(self) -> None:
        self._stop.set()

    def statuses(self, phase: str) -> list[int]:
        return [r.status_code for p, r in self.answers if p == phase]


async def test_postgres_restart_under_load_gives_fast_503s_then_recovers_without_partial_rows(
    stack: Stack, admin: Principal, tokens: TokenFactory
) -> None:
    recipient = await tokens.make(Role.ADVISER, email=RECIPIENT)
    api = await stack.api()
    await stack.worker(ready=True)
    load = Load(api, admin, recipient)
    running = load.start()
    await eventually(lambda: _some(load, "before"), "requests succeed before the outage")

    load.phase = "down"
    stack.cluster.pg.stop("fast")
    await eventually(lambda: _refused(load), "requests are refused during the outage")
    await asyncio.sleep(2)
    stack.cluster.pg.start()
    load.phase = "after"
    await eventually(lambda: _some(load, "after", 20), "the API recovers by itself")
    load.stop()
    await running

    for phase, response in load.answers:
        if response.status_code == 201:
            continue
        assert response.status_code == 503, (phase, response.status_code, response.text)
        assert response.headers["content-type"].startswith(PROBLEM_MEDIA_TYPE)
        assert response.headers["retry-after"].isdigit()
        assert response.json()["type"] == "urn:erkenning:problem:service-unavailable"
    # Once recovered, it stays so: the last answers all succeeded.
    assert load.statuses("after")[-10:] == [201] * 10

    # Every answered token is stored; every stored token has its audit row and its e-mail event
    # (no half-written change), and the worker, through the same outage, mails each exactly once.
    conn = await stack.psql()
    try:
        stored = {str(r["id"]) for r in await conn.fetch("SELECT id FROM api_token WHERE principal_id = $1",
                                                          recipient.id)}
        unaudited = await conn.fetchval(
            "SELECT count(*) FROM api_token t WHERE NOT EXISTS (SELECT 1 FROM audit_event a "
            "WHERE a.action = 'token.issued' AND a.object_id = t.id::text)"
        )
        events = await conn.fetchval("SELECT count(*) FROM outbox_event WHERE payload ? 'token_id'")
        tokens_total = await conn.fetchval("SELECT count(*) FROM api_token")
    finally:
        await conn.close()
    assert set(load.created) <= stored
    assert unaudited == 0
    assert events == tokens_total - 1  # the admin's own token has no e-mail address to go to

    def mailed() -> set[str]:
        return {m["Message-ID"] for m in stack.mail.to(RECIPIENT)}

    async def each_mailed() -> bool:
        return len(mailed()) >= len(stored) and await stack.all_events_done()

    await eventually(each_mailed, "an e-mail for every stored token, every event done")
    # One message per token. (Should the database vanish between the SMTP server's accept and the
    # commit, the message goes out again under the same Message-ID: counted once here.)
    assert len(mailed()) == len(stored)


async def _some(load: Load, phase: str, n: int = 3) -> bool:
    return load.statuses(phase).count(201) >= n


async def _refused(load: Load) -> bool:
    return load.statuses("down").count(503) >= 5


async def test_api_stopped_under_load_completes_the_requests_in_flight(stack: Stack, admin: Principal) -> None:
    api = await stack.api()
    # Hold the requests inside the server: each waits on a lock on the principal table.
    blocker = await stack.psql()
    hold = blocker.transaction()
    await hold.start()
    await blocker.execute("LOCK TABLE principal IN EXCLUSIVE MODE")
    async with httpx.AsyncClient(base_url=api.base_url, timeout=HANG_S) as client:
        in_flight = [
            asyncio.ensure_future(client.post(
                PRINCIPALS, json={"name": f"Laatste {i}", "role": "adviser"}, headers=admin.headers
            ))
            for i in range(12)
        ]

        async def all_waiting() -> bool:
            return await blocker.fetchval(
                "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                "WHERE NOT l.granted AND c.relname = 'principal'"
            ) == len(in_flight)

        await eventually(all_waiting, "every request is inside the server, waiting")
        api.send(signal.SIGTERM)
        await asyncio.sleep(1)  # the server is shutting down while they wait
        assert api.proc.returncode is None
        await hold.rollback()
        await blocker.close()
        responses = await asyncio.gather(*in_flight)

    assert [r.status_code for r in responses] == [201] * len(in_flight), [r.text for r in responses]
    # uvicorn, done, re-raises the signal it caught: a clean exit by SIGTERM (a forced one would be SIGKILL).
    assert await asyncio.wait_for(api.proc.wait(), HANG_S) in (0, -signal.SIGTERM), api.tail()
    assert "Finished server process" in api.log.read_text()  # shut down in order, lifespan included
    assert await stack.scalar("SELECT count(*) FROM principal WHERE name LIKE 'Laatste %'") == len(in_flight)
