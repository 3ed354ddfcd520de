"""Worker jobs of the web interface: forget ended sessions and spent sign-in links and started sign-ins."""

from __future__ import annotations

from typing import Any

from arq import cron

from erkenning.core.auth import links
from erkenning.core.logging import get_logger
from erkenning.core.runtime import Runtime
from erkenning.web import sessions

log = get_logger(__name__)


async def purge_web_sessions(ctx: dict[str, Any]) -> int:
    """Hourly: delete sessions past their idle or absolute expiry (a request would refuse them anyway)."""
    runtime: Runtime = ctx["runtime"]
    async with runtime.transaction() as session:
        count = await sessions.purge_expired(session, runtime.settings)
        spent = await links.purge_spent(session)
    log.info("web.sessions_purged", count=count, sign_ins=spent)
    return count


CRON_JOBS = [cron(purge_web_sessions, minute={17}, run_at_startup=False)]
