"""`erkenning retention run`: erase what its retention term has passed, now."""

from __future__ import annotations

import asyncio
from typing import Any

import click

from erkenning.core.settings import get_settings


@click.group("retention")
def retention_group() -> None:
    """Retention terms (the worker runs this daily)."""


@retention_group.command("run")
def retention_run() -> None:
    """Erase now what the retention terms have made due; prints the count per rule."""
    from erkenning.core.runtime import Runtime
    from erkenning.retention import service as retention

    async def run() -> Any:
        runtime = Runtime.create(get_settings())
        try:
            return await retention.run(runtime)
        finally:
            await runtime.close()

    counts = asyncio.run(run())
    click.echo(f"erased {sum(counts.values())}" + "".join(f"; {rule}: {n}" for rule, n in sorted(counts.items())))
