"""`erkenning serve`, `worker`, `migrate` and `downgrade`: running the service and its schema."""

from __future__ import annotations

import asyncio
from typing import Any

import click

from erkenning.core.settings import get_settings

# uvicorn's options for every way the API is started (`serve`, `dev`, the container's `serve`). Its own
# proxy-header handling stays off (it would trust X-Forwarded-For from 127.0.0.1, or from FORWARDED_ALLOW_IPS,
# and rewrite the peer address): the app's middleware alone decides the client address, from
# X-Forwarded-For only when the peer is in TRUSTED_PROXIES, for the logs, the audit's origin and the rate
# limits alike (`erkenning.http.middleware`). Our own access log replaces uvicorn's.
SERVER_OPTIONS: dict[str, Any] = {
    "log_config": None, "access_log": False, "proxy_headers": False, "forwarded_allow_ips": "",
}


@click.command()
@click.option("--host", default=None, help="default: HOST setting")
@click.option("--port", type=int, default=None, help="default: PORT setting")
@click.option("--workers", type=int, default=1, show_default=True, help="server processes")
def serve(host: str | None, port: int | None, workers: int) -> None:
    """Run the HTTP API (uvicorn with uvloop and httptools)."""
    import uvicorn

    settings = get_settings()
    settings.require_urls()
    uvicorn.run(
        "erkenning.app:create_served_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        timeout_graceful_shutdown=20,
        **SERVER_OPTIONS,
    )


@click.command()
@click.option("--burst", is_flag=True, help="exit when the queue is empty")
def worker(burst: bool) -> None:
    """Run the arq worker (outbox events, deadlines, notifications, sweeps)."""
    from erkenning.core.logging import configure_logging
    from erkenning.worker import build_worker, serve

    settings = get_settings()
    configure_logging(settings)
    if settings.worker_metrics_port and not burst:
        from erkenning.core.metrics import serve_worker_metrics

        serve_worker_metrics(settings.host, settings.worker_metrics_port)
    from erkenning.core.runtime import freeze_startup_heap

    freeze_startup_heap()  # the worker's modules and mappings, loaded by now
    if burst:
        build_worker(settings, burst=True, ctx={"settings": settings, "logging_configured": True}).run()
    else:
        asyncio.run(serve(settings))


@click.command()
@click.option("--revision", default="head", show_default=True)
def migrate(revision: str) -> None:
    """Upgrade the database schema (Alembic)."""
    from erkenning.core import migrate as schema

    url = get_settings().database_url
    if not url:
        raise click.UsageError("DATABASE_URL is not set")
    schema.upgrade(url, revision)
    click.echo(f"database at {revision}")


@click.command()
@click.argument("revision")
def downgrade(revision: str) -> None:
    """Downgrade the database schema to REVISION (e.g. `base`)."""
    from erkenning.core import migrate as schema

    url = get_settings().database_url
    if not url:
        raise click.UsageError("DATABASE_URL is not set")
    schema.downgrade(url, revision)
    click.echo(f"database at {revision}")
