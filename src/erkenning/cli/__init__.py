"""The `erkenning` command: a module per group of commands, each added here (serve, worker, migrate,
downgrade, dev, token, audit, outbox, retention, import, export, seed, report)."""

from __future__ import annotations

from typing import Any

import click

from erkenning import models
from erkenning.cli import audit, bulk, dev, outbox, report, retention, serving, tokens


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


COMMANDS: tuple[click.Command, ...] = (
    serving.serve, serving.worker, serving.migrate, serving.downgrade, dev.dev, tokens.token, audit.audit,
    outbox.outbox_group, retention.retention_group, report.report_group, *bulk.COMMANDS,
)
for _command in COMMANDS:
    main.add_command(_command)

