"""reports: the day of receipt (`received_on`) and the channels staff enter reports from (e-mail, letter,
municipality)

`received_on` is filled for existing reports with the Dutch calendar day they were entered (never before
their incident date); rows written without one get today's. The channel enum is a CHECK-constrained column
(`enum_field`): its constraint is dropped and made again with the new values. A downgrade moves reports on
the new channels to `other`, the channel the older code knows for "anything else".

Revision ID: 5a0c3e9d1f27
Revises: 1b0c8a7d969b
Create Date: 2026-12-11 09:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5a0c3e9d1f27"
down_revision: str | None = "1b0c8a7d969b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHANNELS = ("school_reporting_point", "anti_discrimination_agency", "contact_form", "phone", "public_form", "other")
NEW_CHANNELS = ("municipality", "email", "letter")
TODAY = sa.text("((now() AT TIME ZONE 'Europe/Amsterdam')::date)")


def _channels(values: Sequence[str]) -> None:
    op.drop_constraint(op.f("ck_report_channel"), "report", type_="check")
    op.create_check_constraint(
        op.f("ck_report_channel"), "report", f"channel IN ({', '.join(repr(v) for v in values)})"
    )


def upgrade() -> None:
    _channels((*CHANNELS, *NEW_CHANNELS))
    op.add_column("report", sa.Column("received_on", sa.Date(), server_default=TODAY, nullable=True))
    op.execute(
        "UPDATE report SET received_on = GREATEST((created_at AT TIME ZONE 'Europe/Amsterdam')::date, incident_date)"
    )
    op.alter_column("report", "received_on", nullable=False)
    op.create_index(op.f("ix_report_received_on"), "report", ["received_on"], unique=False)
    op.create_check_constraint(
        op.f("ck_report_received_after_incident"), "report", "received_on >= incident_date"
    )


def downgrade() -> None:
    op.drop_constraint(op.f("ck_report_received_after_incident"), "report", type_="check")
    op.drop_index(op.f("ix_report_received_on"), table_name="report")
    op.drop_column("report", "received_on")
    op.execute(f"UPDATE report SET channel = 'other' WHERE channel IN {NEW_CHANNELS!r}")
    _channels(CHANNELS)
