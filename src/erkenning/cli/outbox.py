"""`erkenning outbox sweep`: re-enqueue the due outbox events now."""

from __future__ import annotations

import asyncio

import click

from erkenning.core.settings import get_settings


@click.group("outbox")
def outbox_group() -> None:
    """The transactional outbox."""


@outbox_group.command("sweep")
def outbox_sweep() -> None:
    """Re-enqueue due events now (the worker does this every minute)."""
    from erkenning.core import outbox
    from erkenning.core.runtime import Runtime

    async def run() -> int:
        runtime = Runtime.create(get_settings())
        try:
            return await outbox.sweep(runtime)
        finally:
            await runtime.close()

    click.echo(f"enqueued {asyncio.run(run())} events")
