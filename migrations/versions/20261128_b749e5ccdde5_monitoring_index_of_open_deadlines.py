"""monitoring: index of open deadlines (the overdue gauge on /metrics)

Revision ID: b749e5ccdde5
Revises: d9a68d686e40
Create Date: 2026-11-28 23:02:50.892412
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b749e5ccdde5"
down_revision: str | None = "d9a68d686e40"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_deadline_open_due", "deadline", ["due_at"], unique=False, postgresql_where=sa.text("status = 'open'")
    )


def downgrade() -> None:
    op.drop_index("ix_deadline_open_due", table_name="deadline", postgresql_where=sa.text("status = 'open'"))
