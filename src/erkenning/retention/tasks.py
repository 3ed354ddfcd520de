"""The daily retention run in the worker."""

from __future__ import annotations

from typing import Any

from arq import cron

from erkenning.retention import service


async def erase_due(ctx: dict[str, Any]) -> int:
    """Erase what the retention terms have made due (idempotent: a second run finds nothing)."""
    return sum((await service.run(ctx["runtime"])).values())


CRON_JOBS = [cron(erase_due, hour={2}, minute={41}, timeout=600)]
