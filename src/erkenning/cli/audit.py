"""`erkenning audit verify`: walk the audit trail's hash chain."""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import click

from erkenning.core.settings import get_settings


@click.group()
def audit() -> None:
    """The audit trail."""


@audit.command("verify")
def audit_verify() -> None:
    """Walk the hash chain; exit 1 naming the first broken row."""
    from erkenning.core.audit.service import verify
    from erkenning.core.db import create_engine

    async def run() -> Any:
        engine = create_engine(get_settings().model_copy(update={"redis_url": "redis://unused"}))
        try:
            async with engine.connect() as conn:
                return await verify(conn)
        finally:
            await engine.dispose()

    result = asyncio.run(run())
    if result.ok:
        click.echo(f"audit chain intact: {result.rows_checked} rows")
        return
    click.echo(f"audit chain BROKEN at seq {result.broken_seq}: {result.reason}", err=True)
    sys.exit(1)
