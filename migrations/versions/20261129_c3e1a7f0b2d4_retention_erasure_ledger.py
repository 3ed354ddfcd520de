"""retention: the ledger of erasures

Revision ID: c3e1a7f0b2d4
Revises: b749e5ccdde5
Create Date: 2026-11-29 00:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c3e1a7f0b2d4"
down_revision: str | None = "b749e5ccdde5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "retention_erasure",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("rule", sa.String(length=60), nullable=False),
        sa.Column("erased_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retention_erasure")),
        sa.UniqueConstraint("kind", "record_id", name=op.f("uq_retention_erasure_kind_record_id")),
    )
    op.create_index(op.f("ix_retention_erasure_erased_at"), "retention_erasure", ["erased_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_retention_erasure_erased_at"), table_name="retention_erasure")
    op.drop_table("retention_erasure")
