"""calendar: equated_holiday, the days equated with general holidays by decree (Atw art. 3(3))

Loads the days shipped in the package's `erkenning/core/atw_equated_days.json` (the data file, not
application code). A later release that ships a new decree's days inserts those missing from the table
in a migration of its own (an admin may have added them already).

Revision ID: d1dea3bf7c72
Revises: c3e1a7f0b2d4
Create Date: 2026-12-07 06:30:00
"""

import json
from collections.abc import Sequence
from datetime import date
from importlib import resources
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "d1dea3bf7c72"
down_revision: str | None = "c3e1a7f0b2d4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _shipped_days() -> list[dict[str, Any]]:
    text = resources.files("erkenning.core").joinpath("atw_equated_days.json").read_text(encoding="utf-8")
    return [
        {"day": date.fromisoformat(d["day"]), "decree": d["decree"], "reference": d.get("reference")}
        for d in json.loads(text)["days"]
    ]


def upgrade() -> None:
    table = op.create_table(
        "equated_holiday",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("decree", sa.String(length=500), nullable=False),
        sa.Column("reference", sa.String(length=300), nullable=True),
        sa.Column("added_by", sa.Uuid(), nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_equated_holiday")),
    )
    op.bulk_insert(table, _shipped_days())


def downgrade() -> None:
    op.drop_table("equated_holiday")
