"""`erkenning dev`: everything in one process for a newcomer, on embedded servers, with demo data and tokens."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from functools import partial
from pathlib import Path
from typing import Any

import click

from erkenning.core.settings import Settings, get_settings
from erkenning.devtools.embedded import free_port, port_answers


@click.command()
@click.option("--port", type=int, default=None, help="default: PORT setting")
def dev(port: int | None) -> None:
    """Everything in one: embedded PostgreSQL/Redis if none configured, migrations, demo data, API and worker."""
    from erkenning.core import migrate as schema
    from erkenning.devtools.embedded import EmbeddedPostgres, EmbeddedRedis

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
            asyncio.run(schema.create_database(pg.admin_url, "erkenning"))
            env["DATABASE_URL"] = pg.url("erkenning")
        if not settings.redis_url:
            click.echo("starting embedded Redis …")
            redis = EmbeddedRedis(data_dir / "redis").start()
            stack.callback(redis.stop)
            env["REDIS_URL"] = redis.url
        maildir = None
        if settings.smtp_host in ("127.0.0.1", "localhost"):
            sink, smtp_port = mail_catcher(
                data_dir / "mail", settings.smtp_host, settings.smtp_port, configured="SMTP_PORT" in os.environ
            )
            if sink is not None:
                stack.callback(sink.stop)
                env["SMTP_PORT"] = str(smtp_port)
                maildir = data_dir / "mail"
        base = settings.public_base_url
        if "public_base_url" not in settings.model_fields_set:
            base = env["PUBLIC_BASE_URL"] = f"http://{settings.host}:{port}"
        # `make run` lets people paste a demo token into the sign-in page, unless WEB_TOKEN_SIGNIN says otherwise.
        if "web_token_signin" not in settings.model_fields_set:
            env["WEB_TOKEN_SIGNIN"] = "true"
        dev_issuer = None
        if not settings.oidc_issuer:
            dev_issuer = start_dev_provider(stack, env, base, data_dir)
        # The embedded servers' addresses become this process's configuration.
        os.environ.update(env)
        get_settings.cache_clear()
        settings = get_settings().model_copy(update={"port": port})
        db_url, _ = settings.require_urls()
        schema.upgrade(db_url)
        with contextlib.suppress(KeyboardInterrupt, SystemExit):
            asyncio.run(_dev_main(settings, dev_issuer, maildir))
        click.echo("stopping embedded servers …")


def mail_catcher(folder: Path, host: str, port: int, *, configured: bool) -> tuple[Any, int]:
    """The demo's mail catcher and the port the service sends to.

    A server that answers on a port set in SMTP_PORT is the developer's own and is used as it is. When the
    default port is taken by something else, the catcher takes a free port and says which."""
    if port_answers(host, port):
        if configured:
            click.echo(f"e-mails go to the SMTP server on {host}:{port} (SMTP_PORT)")
            return None, port
        taken, port = port, free_port()
        click.echo(f"port {taken} is taken: the mail catcher listens on {host}:{port} instead")
    return mail_sink(folder, host, port), port


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
    controller = Controller(Mailbox(folder), hostname=host, port=port)
    controller.start()
    click.echo(f"e-mails go to a local SMTP server on {host}:{port}, kept in the maildir {folder}")
    return controller


def start_dev_provider(stack: contextlib.ExitStack, env: dict[str, str], base: str, data_dir: Path) -> str | None:
    """A real OpenID provider with the demo staff (Node, `oidc-provider`); its issuer, or None where it cannot run."""
    from erkenning.devtools.oidc import DevProvider, ProviderUnavailable

    try:
        provider = DevProvider(redirect_base=base, log_path=data_dir / "oidc-provider.log").start()
    except ProviderUnavailable as exc:
        click.echo(f"no OpenID provider for the staff sign-in ({exc}); staff sign in with a demo token")
        return None
    stack.callback(provider.stop)
    env.update(provider.environment())
    click.echo(f"OpenID provider for the demo staff at {provider.issuer} (log: {data_dir / 'oidc-provider.log'})")
    return provider.issuer


async def _dev_main(settings: Settings, dev_issuer: str | None = None, maildir: Path | None = None) -> None:
    import uvicorn

    from erkenning.app import create_app, create_served_app
    from erkenning.cli.serving import SERVER_OPTIONS
    from erkenning.core.logging import configure_logging
    from erkenning.core.runtime import Runtime
    from erkenning.devtools import demo
    from erkenning.worker import build_worker

    configure_logging(settings)
    runtime = Runtime.create(settings)
    try:
        tokens = await demo.load(runtime, dev_issuer=dev_issuer)
        await demo.seed_if_empty(runtime)
    finally:
        await runtime.close()
    _print_banner(settings, tokens, dev_issuer, maildir)
    app = create_served_app(partial(create_app, settings))  # its heap frozen, as `erkenning serve` does
    server = uvicorn.Server(
        uvicorn.Config(app, host=settings.host, port=settings.port, lifespan="on", **SERVER_OPTIONS)
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


def _sign_in_lines(dev_issuer: str | None, maildir: Path | None) -> list[str]:
    from erkenning.devtools.demo import DEMO_CONTACTS
    from erkenning.devtools.oidc import ACCOUNTS, PASSWORD

    lines = ["How to sign in to the web interface:"]
    if dev_issuer:
        people = ", ".join(f"{a.login} ({a.name})" for a in ACCOUNTS)
        lines += [
            f"  SBB staff: 'Inloggen met uw SBB-account', then one of {people};",
            f"             password '{PASSWORD}' ('gast' has no role in erkenning and is refused).",
        ]
    where = f"the maildir {maildir} (newest file in new/)" if maildir else "your SMTP server"
    lines += [
        f"  Company / school: ask for a sign-in link for {DEMO_CONTACTS['company']} or {DEMO_CONTACTS['school']};",
        f"             the e-mail with the link lands in {where}.",
        "  Or paste a demo token below under 'Ontwikkelen en testen' (WEB_TOKEN_SIGNIN is on here).",
    ]
    return lines


def _print_banner(
    settings: Settings, tokens: dict[str, str], dev_issuer: str | None = None, maildir: Path | None = None
) -> None:
    from erkenning.devtools import demo

    base = f"http://{settings.host}:{settings.port}"
    lines = [
        "",
        "erkenning is running (API and worker). Stop with Ctrl-C.",
        f"  API docs (Swagger): {base}/schema/swagger",
        f"  API docs (ReDoc):   {base}/schema/redoc",
        f"  OpenAPI JSON:       {base}/schema/openapi.json",
        f"  Health:             {base}/health/ready",
        f"  Web interface:      {base}/inloggen",
        "",
        *_sign_in_lines(dev_issuer, maildir),
        "",
        "Demo tokens (use as 'Authorization: Bearer <token>'; new ones at every start), and who each one is:",
        *(f"  {a.key:<8} {tokens[a.key]}  {demo.who(a)}" for a in demo.ACCOUNTS if a.key in tokens),
        "",
        f"  e.g. curl -H 'Authorization: Bearer {tokens['admin']}' {base}/api/v1/backoffice/admin/principals",
        "",
    ]
    click.echo("\n".join(lines))
    sys.stdout.flush()
