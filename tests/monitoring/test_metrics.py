"""/metrics: the gauges (outbox, queue, overdue deadlines), worker task outcomes, and Redis going away."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
import sqlalchemy as sa
from prometheus_client.parser import text_string_to_metric_families

from erkenning.app import create_app
from erkenning.companies.models import Sector
from erkenning.core import clock, metrics, outbox
from erkenning.core.caller import Role
from erkenning.core.errors import DomainError
from erkenning.core.outbox import OutboxEvent
from erkenning.core.runtime import Runtime
from erkenning.core.settings import Settings
from erkenning.devtools.embedded import free_port
from erkenning.worker import wiring
from erkenning.workflows.models import (
    Deadline,
    DeadlineKind,
    DeadlineStatus,
    Investigation,
    InvestigationStatus,
    Outcome,
)
from tests.factories import TokenFactory
from tests.helpers import asgi_client, drain_queue
from tests.monitoring.seed import Seeder


async def _fails_when_asked(ctx: outbox.EventContext) -> None:
    if ctx.payload.get("fail"):
        raise DomainError("asked to fail")


HANDLERS = wiring().handlers.with_(outbox.Handler("test.monitoring", _fails_when_asked))


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


async def scrape(client: httpx.AsyncClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = await client.get("/metrics")
    assert response.status_code == 200
    return samples(response.text)


def value(found: dict, name: str, **labels: str) -> float:
    return found[(name, tuple(sorted(labels.items())))]


async def test_overdue_deadlines_are_counted_by_kind_leaving_out_met_ones_and_cases_on_hold(
    client: httpx.AsyncClient, runtime: Runtime, seeder: Seeder
) -> None:
    now = clock.now()
    company = seeder.company(Sector.HANDEL)
    overdue = seeder.investigation(company, now - timedelta(weeks=10), due=now - timedelta(hours=1))
    held = seeder.investigation(seeder.company(Sector.HANDEL), now - timedelta(weeks=10), due=now - timedelta(days=3))
    seeder.investigation(seeder.company(Sector.HANDEL), now - timedelta(weeks=2), due=now + timedelta(weeks=6))
    seeder.investigation(seeder.company(Sector.HANDEL), now - timedelta(weeks=12), closed=now - timedelta(weeks=1),
                         outcome=Outcome.UNFOUNDED, due=now - timedelta(weeks=4))  # met: closed, not overdue
    await seeder.save()
    async with runtime.transaction() as session:
        case = await session.get(Investigation, held.id)
        case.status = InvestigationStatus.ON_HOLD
        session.add(Deadline(investigation_id=overdue.id, kind=DeadlineKind.HEARING_ANSWER,
                             due_at=now - timedelta(minutes=5), status=DeadlineStatus.OPEN))
    found = await scrape(client)
    assert value(found, "erkenning_deadlines_overdue", kind="lead_time") == 1
    assert value(found, "erkenning_deadlines_overdue", kind="hearing_answer") == 1
    assert value(found, "erkenning_deadlines_overdue", kind="follow_up") == 0
    assert value(found, "erkenning_metrics_database_ok") == 1


async def test_pending_events_rise_while_redis_is_down_and_fall_after(
    settings: Settings, runtime: Runtime, tokens: TokenFactory
) -> None:
    admin = await tokens.make(Role.ADMIN)
    target = await tokens.make(Role.ADVISER, email="adviseur@sbb.example")
    await drain_queue(settings)  # what the factory queued is done: the backlog starts empty
    no_redis = Runtime.create(settings.model_copy(update={"redis_url": f"redis://127.0.0.1:{free_port()}/0"}))
    try:
        async with asgi_client(create_app(runtime=no_redis)) as down:
            before = await scrape(down)
            assert value(before, "erkenning_outbox_pending") == 0
            for _ in range(3):
                issued = await down.post(f"/api/v1/backoffice/admin/principals/{target.id}/tokens", json={},
                                         headers=admin.headers)
                assert issued.status_code == 201, issued.text
            during = await scrape(down)
    finally:
        await no_redis.close()
    assert value(during, "erkenning_outbox_pending") == 3
    assert value(during, "erkenning_queue_depth") == -1  # Redis unreachable
    assert value(during, "erkenning_outbox_oldest_pending_age_seconds") >= 0

    # Redis is back: the sweep enqueues what was missed, a real worker runs it, the gauge falls.
    sweeping = Runtime.create(settings.model_copy(update={"outbox_pickup_grace_s": 0}))
    try:
        assert await outbox.sweep(sweeping) == 3
    finally:
        await sweeping.close()
    async with asgi_client(create_app(runtime=runtime)) as up:
        queued = await scrape(up)
        await drain_queue(settings)
        after = await scrape(up)
    assert value(queued, "erkenning_queue_depth") == 3
    assert value(after, "erkenning_outbox_pending") == 0
    assert value(after, "erkenning_queue_depth") == 0
    assert value(after, "erkenning_worker_tasks_total", topic="email.send", outcome="done") >= 3


async def test_worker_task_outcomes_are_counted_by_topic_and_served_by_the_worker(
    settings: Settings, runtime: Runtime
) -> None:
    def count(outcome: str) -> float:
        return metrics.WORKER_REGISTRY.get_sample_value(
            "erkenning_worker_tasks_total", {"topic": "test.monitoring", "outcome": outcome}
        ) or 0.0

    before = {o: count(o) for o in ("done", "failed", "dead")}
    fast = Runtime.create(
        settings.model_copy(update={"outbox_max_attempts": 2, "outbox_retry_base_s": 0.0}), handlers=HANDLERS
    )
    try:
        async with fast.transaction() as session:
            ok = outbox.add(session, "test.monitoring")
            bad = outbox.add(session, "test.monitoring", fail=True)
        assert await outbox.process(fast, ok.id) is True
        for _ in range(2):
            assert await outbox.process(fast, bad.id) is False
    finally:
        await fast.close()
    assert {o: count(o) - before[o] for o in before} == {"done": 1, "failed": 1, "dead": 1}

    port = free_port()
    server = metrics.serve_worker_metrics("127.0.0.1", port)
    try:
        response = await asyncio.to_thread(httpx.get, f"http://127.0.0.1:{port}/metrics", timeout=5)
    finally:
        server.shutdown()
        server.server_close()
    found = samples(response.text)
    assert value(found, "erkenning_worker_tasks_total", topic="test.monitoring", outcome="dead") >= 1
    assert ("erkenning_worker_task_duration_seconds_count", (("topic", "test.monitoring"),)) in found
    # The API's gauges are the API's: the worker does not report a stale zero for them.
    assert not [name for name, _ in found if name.startswith(("erkenning_outbox", "erkenning_http"))]
    async with runtime.session_factory() as session:
        dead = (await session.exec(sa.select(OutboxEvent.status).where(OutboxEvent.id == bad.id))).scalar_one()
    assert dead == "dead"
