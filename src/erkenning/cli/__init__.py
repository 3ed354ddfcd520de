"""The `erkenning` command: serve, worker, migrate, dev, token, audit, outbox, retention, import, export, seed, report."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import Coroutine
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar
from uuid import UUID

import click

from erkenning import models
from erkenning.core.settings import Settings, get_settings

T = TypeVar("T")


def _run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


class _Group(click.Group):
    """Turns refusals (bad input, a rule broken) into a one-line error instead of a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        from pydantic import ValidationError

        from erkenning.core.errors import DomainError

        try:
            return super().invoke(ctx)
        except DomainError as exc:
            raise click.ClickException(exc.detail) from None
        except ValidationError as exc:
            fields = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            raise click.ClickException(fields) from None


@click.group(cls=_Group)
def main() -> None:
    """SBB back office for recognitions, courses and discrimination investigations."""
    models.configure()


# ------------------------------------------------------------------ serving


@main.command()
@click.option("--host", default=None, help="default: HOST setting")
@click.option("--port", type=int, default=None, help="default: PORT setting")
@click.option("--workers", type=int, default=1, show_default=True, help="server processes")
def serve(host: str | None, port: int | None, workers: int) -> None:
    """Run the HTTP API (uvicorn with uvloop and httptools)."""
    import uvicorn

    settings = get_settings()
    settings.require_urls()
    uvicorn.run(
        "erkenning.app:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        log_config=None,
        access_log=False,
        proxy_headers=False,
        timeout_graceful_shutdown=20,
    )


@main.command()
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
    if burst:
        build_worker(settings, burst=True, ctx={"settings": settings, "logging_configured": True}).run()
    else:
        _run(serve(settings))


@main.command()
@click.option("--revision", default="head", show_default=True)
def migrate(revision: str) -> None:
    """Upgrade the database schema (Alembic)."""
    from erkenning.core import migrate as schema

    url = get_settings().database_url
    if not url:
        raise click.UsageError("DATABASE_URL is not set")
    schema.upgrade(url, revision)
    click.echo(f"database at {revision}")


@main.command()
@click.argument("revision")
def downgrade(revision: str) -> None:
    """Downgrade the database schema to REVISION (e.g. `base`)."""
    from erkenning.core import migrate as schema

    url = get_settings().database_url
    if not url:
        raise click.UsageError("DATABASE_URL is not set")
    schema.downgrade(url, revision)
    click.echo(f"database at {revision}")


@main.command()
@click.option("--port", type=int, default=None, help="default: PORT setting")
def dev(port: int | None) -> None:
    """Everything in one: embedded PostgreSQL/Redis if none configured, migrations, demo data, API and worker."""
    from erkenning.core import migrate as schema
    from erkenning.devtools.embedded import EmbeddedPostgres, EmbeddedRedis, port_answers

    # SIGTERM (docker stop, `timeout`) must unwind like Ctrl-C, so the embedded servers are stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    settings = get_settings()
    port = port or settings.port
    if port_answers(settings.host, port):
        raise click.ClickException(f"port {port} is in use; pass --port or set PORT")
    stack = contextlib.ExitStack()
    with stack:
        data_dir = settings.data_dir.resolve()
        env: dict[str, str] = {}
        if not settings.database_url:
            click.echo("starting embedded PostgreSQL …")
            pg = EmbeddedPostgres(data_dir / "postgres").start()
            click.echo(f"PostgreSQL keeps its data under {pg.data_dir}")
            stack.callback(pg.stop)
            _run(schema.create_database(pg.admin_url, "erkenning"))
            env["DATABASE_URL"] = pg.url("erkenning")
        if not settings.redis_url:
            click.echo("starting embedded Redis …")
            redis = EmbeddedRedis(data_dir / "redis").start()
            stack.callback(redis.stop)
            env["REDIS_URL"] = redis.url
        if settings.smtp_host in ("127.0.0.1", "localhost") and not port_answers(settings.smtp_host, settings.smtp_port):
            sink = mail_sink(data_dir / "mail", settings.smtp_host, settings.smtp_port)
            if sink is not None:
                stack.callback(sink.stop)
        # The embedded servers' addresses become this process's configuration.
        os.environ.update(env)
        get_settings.cache_clear()
        settings = get_settings().model_copy(update={"port": port})
        db_url, _ = settings.require_urls()
        schema.upgrade(db_url)
        with contextlib.suppress(KeyboardInterrupt, SystemExit):
            _run(_dev_main(settings))
        click.echo("stopping embedded servers …")


def mail_sink(folder: Path, host: str, port: int) -> Any:
    """A local SMTP server that keeps every message of the demo in a maildir, so its e-mails can be read
    (and are not retried against a server that is not there). None without aiosmtpd (the dev extra)."""
    try:
        from aiosmtpd.controller import Controller
        from aiosmtpd.handlers import Mailbox
    except ImportError:
        click.echo(f"no SMTP server on {host}:{port}: e-mails wait in the outbox until one answers")
        return None
    folder.parent.mkdir(parents=True, exist_ok=True)
    controller = Controller(Mailbox(str(folder)), hostname=host, port=port)
    controller.start()
    click.echo(f"e-mails go to a local SMTP server on {host}:{port}, kept in the maildir {folder}")
    return controller


async def _dev_main(settings: Settings) -> None:
    import uvicorn

    from erkenning.app import create_app
    from erkenning.core.logging import configure_logging
    from erkenning.core.runtime import Runtime
    from erkenning.devtools import demo
    from erkenning.worker import build_worker

    configure_logging(settings)
    runtime = Runtime.create(settings)
    try:
        tokens = await demo.load(runtime)
        await demo.seed_if_empty(runtime)
    finally:
        await runtime.close()
    _print_banner(settings, tokens)
    app = create_app(settings)
    server = uvicorn.Server(
        uvicorn.Config(app, host=settings.host, port=settings.port, log_config=None, access_log=False, lifespan="on")
    )
    worker = build_worker(settings, handle_signals=False, ctx={"settings": settings, "logging_configured": True})
    worker_task = asyncio.create_task(worker.async_run())
    try:
        await server.serve()
    finally:
        worker_task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await worker_task
        with contextlib.suppress(Exception):
            await worker.close()


def _print_banner(settings: Settings, tokens: dict[str, str]) -> None:
    base = f"http://{settings.host}:{settings.port}"
    lines = [
        "",
        "erkenning is running (API and worker). Stop with Ctrl-C.",
        f"  API docs (Swagger): {base}/schema/swagger",
        f"  API docs (ReDoc):   {base}/schema/redoc",
        f"  OpenAPI JSON:       {base}/schema/openapi.json",
        f"  Health:             {base}/health/ready",
        f"  Web interface:      {base}/inloggen  (sign in with a demo token below)",
        "",
        "Demo tokens (use as 'Authorization: Bearer <token>'; new ones at every start):",
        *(f"  {key:<8} {token}" for key, token in tokens.items()),
        "",
        f"  e.g. curl -H 'Authorization: Bearer {tokens['admin']}' {base}/api/v1/backoffice/admin/principals",
        "",
    ]
    click.echo("\n".join(lines))
    sys.stdout.flush()


# ------------------------------------------------------------------ tokens


@main.group()
def token() -> None:
    """Create, list and revoke API tokens."""


def _with_service(fn: Any) -> Any:
    async def run() -> Any:
        from erkenning.core.auth.service import AuthService
        from erkenning.core.runtime import Runtime

        runtime = Runtime.create(get_settings())
        try:
            async with runtime.transaction() as session:
                return await fn(AuthService(session, runtime.settings))
        finally:
            await runtime.close()

    return _run(run())


@token.command("create")
@click.option("--name", required=True, help="who the principal is")
@click.option("--role", required=True, type=click.Choice(["admin", "senior_adviser", "adviser", "company", "school"]))
@click.option("--email", default=None)
@click.option("--company-id", type=click.UUID, default=None, help="for role company")
@click.option("--school-brin", default=None, help="for role school")
@click.option("--label", default=None)
@click.option("--days", type=int, default=None, help="lifetime in days (default per role)")
def token_create(
    name: str, role: str, email: str | None, company_id: UUID | None, school_brin: str | None,
    label: str | None, days: int | None,
) -> None:
    """Create a principal and issue its first token (printed once)."""
    from erkenning.core.auth.schemas import PrincipalCreate
    from erkenning.core.caller import Caller, Role

    data = PrincipalCreate(name=name, role=Role(role), email=email, company_id=company_id, school_brin=school_brin)
    cli = Caller.system("cli")

    async def create(service: Any) -> Any:
        principal = await service.create_principal(cli, **data.model_dump())
        lifetime = timedelta(days=days) if days else None
        return principal, await service.issue_token(cli, principal.id, label=label, lifetime=lifetime)

    principal, issued = _with_service(create)
    click.echo(f"principal {principal.id} ({principal.role.value})")
    click.echo(f"token {issued.token.id} expires {issued.token.expires_at or 'never'}")
    click.echo(issued.plaintext)


@token.command("issue")
@click.argument("principal_id", type=click.UUID)
@click.option("--label", default=None)
@click.option("--days", type=int, default=None)
def token_issue(principal_id: UUID, label: str | None, days: int | None) -> None:
    """Issue another token for an existing principal."""
    from erkenning.core.caller import Caller

    issued = _with_service(
        lambda s: s.issue_token(
            Caller.system("cli"), principal_id, label=label, lifetime=timedelta(days=days) if days else None
        )
    )
    click.echo(f"token {issued.token.id} expires {issued.token.expires_at or 'never'}")
    click.echo(issued.plaintext)


@token.command("list")
def token_list() -> None:
    """List tokens (prefix, state; never the secret)."""
    tokens = _with_service(lambda s: s.list_tokens())
    for t in tokens:
        state = "revoked" if t.revoked_at else "active"
        click.echo(f"{t.id}  {t.prefix}…  {state:<8} principal={t.principal_id} label={t.label or ''}")


@token.command("revoke")
@click.argument("token_id", type=click.UUID)
def token_revoke(token_id: UUID) -> None:
    """Revoke a token; it is refused from the next request on."""
    from erkenning.core.caller import Caller

    t = _with_service(lambda s: s.revoke_token(Caller.system("cli"), token_id))
    click.echo(f"revoked {t.id} at {t.revoked_at}")


# ------------------------------------------------------------------ audit and outbox


@main.group()
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

    result = _run(run())
    if result.ok:
        click.echo(f"audit chain intact: {result.rows_checked} rows")
        return
    click.echo(f"audit chain BROKEN at seq {result.broken_seq}: {result.reason}", err=True)
    sys.exit(1)


@main.group("outbox")
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

    click.echo(f"enqueued {_run(run())} events")


@main.group("retention")
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

    counts = _run(run())
    click.echo(f"erased {sum(counts.values())}" + "".join(f"; {rule}: {n}" for rule, n in sorted(counts.items())))


# ------------------------------------------------------------------ bulk data (import, export, seed)

from erkenning.cli.bulk import COMMANDS as _BULK_COMMANDS  # noqa: E402

for _command in _BULK_COMMANDS:
    main.add_command(_command)
# ------------------------------------------------------------------ reports


@main.group("report")
def report_group() -> None:
    """Reports made from the data."""


@report_group.command("stagepact")
@click.option("--year", type=click.IntRange(2000, 2100), required=True, help="the calendar year")
@click.option("--out", type=click.Path(dir_okay=False, writable=True, allow_dash=True), required=True,
              help="the HTML file to write ('-': standard output)")
def report_stagepact(year: int, out: str) -> None:
    """Write the yearly Stagepact report (self-contained HTML; print it to PDF from a browser)."""
    from erkenning.core.audit import service as audit
    from erkenning.core.caller import Caller
    from erkenning.core.db import create_engine, create_session_factory
    from erkenning.stagepact import report

    settings = get_settings()

    async def run() -> str:
        engine = create_engine(settings.model_copy(update={"redis_url": settings.redis_url or "redis://unused"}))
        try:
            async with create_session_factory(engine)() as session:
                html = await report.stagepact_report(
                    session, year, lead_time_weeks=settings.investigation_lead_time_weeks
                )
                await audit.record(
                    session, Caller.system("cli"), "monitoring.exported", object_type="monitoring",
                    detail={"format": "html", "year": year},
                )
                await session.commit()
                return html
        finally:
            await engine.dispose()

    html = _run(run())
    with click.open_file(out, "w", encoding="utf-8") as target:
        target.write(html)
    if out != "-":
        click.echo(f"wrote the {year} report to {out}")


