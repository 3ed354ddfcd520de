"""The `erkenning` command: a module per group of commands, each added here (serve, worker, migrate,
downgrade, dev, token, audit, outbox, retention, import, export, seed, report).

A command's module is imported only when that command runs (click's documented "lazy loading of
subcommands" pattern): `erkenning import` starts without importing the web app, the worker or the
domains' ORM models, which took most of its start-up (about 2 of 2.5 s on an idle machine, 3.6 s on a
busy one; issue 19). `erkenning --help` still lists every command (it imports them all to do so).
"""

from __future__ import annotations

import importlib
from typing import Any

import click

# name → (module under erkenning.cli, attribute): the command's definition, imported on first use.
LAZY_COMMANDS: dict[str, tuple[str, str]] = {
    "serve": ("serving", "serve"),
    "worker": ("serving", "worker"),
    "migrate": ("serving", "migrate"),
    "downgrade": ("serving", "downgrade"),
    "dev": ("dev", "dev"),
    "token": ("tokens", "token"),
    "audit": ("audit", "audit"),
    "outbox": ("outbox", "outbox_group"),
    "retention": ("retention", "retention_group"),
    "report": ("report", "report_group"),
    "import": ("bulk", "import_command"),
    "export": ("bulk", "export_group"),
    "seed": ("bulk", "seed_command"),
}
# Commands that use no ORM mapper across domains: they skip resolving every table's mapper at start
# (the import and export speak SQL through asyncpg; their one audit row is a Core insert).
WITHOUT_MAPPERS = frozenset({"import", "export"})


class _Group(click.Group):
    """Loads each command on demand, and turns refusals (bad input, a rule broken) into a one-line
    error instead of a traceback."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(LAZY_COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in LAZY_COMMANDS:
            return None
        module, attribute = LAZY_COMMANDS[cmd_name]
        command: click.Command = getattr(importlib.import_module(f"erkenning.cli.{module}"), attribute)
        return command

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except Exception as exc:
            # Imported only when something was raised: the error types pull in the database and Redis
            # clients, which a command need not load to succeed.
            from pydantic import ValidationError

            from erkenning.core.errors import DomainError

            if isinstance(exc, DomainError):
                raise click.ClickException(exc.detail) from None
            if isinstance(exc, ValidationError):
                fields = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
                raise click.ClickException(fields) from None
            raise


@click.group(cls=_Group)
@click.pass_context
def main(ctx: click.Context) -> None:
    """SBB back office for recognitions, courses and discrimination investigations."""
    if ctx.invoked_subcommand not in WITHOUT_MAPPERS:
        from erkenning import models

        models.configure()
