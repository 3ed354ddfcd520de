"""Gauges filled when `/metrics` is scraped: cheap counts read from partial indexes, never a full scan.

The outbox's gauges are the foundation's own; each domain hands its readers to the app
(`create_app` wires `workflows.gauges`), so this module imports no domain.
"""

from __future__ import annotations

from collections.abc import Sequence

from erkenning.core import metrics, outbox
from erkenning.core.runtime import Runtime


async def collect(runtime: Runtime, readers: Sequence[metrics.GaugeReader]) -> None:
    """Set the scrape-time gauges; a service that is down leaves a sign, never a failed scrape."""
    try:
        async with runtime.session_factory() as session:
            backlog = await outbox.backlog(session)
            metrics.OUTBOX_PENDING.set(backlog.pending)
            metrics.OUTBOX_DEAD.set(backlog.dead)
            metrics.OUTBOX_OLDEST_AGE.set(backlog.oldest_pending_age_s)
            for read in readers:
                await read(session)
    except Exception:  # the database being down must not hide the other metrics
        metrics.SCRAPE_DATABASE_OK.set(0)
    else:
        metrics.SCRAPE_DATABASE_OK.set(1)
    try:
        metrics.QUEUE_DEPTH.set(await runtime.queue.depth())
    except Exception:
        metrics.QUEUE_DEPTH.set(-1)
