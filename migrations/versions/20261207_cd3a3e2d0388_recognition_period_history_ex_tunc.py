"""recognition periods get recorded time and a history (system-versioned); objections restore ex tunc

`recognition_period` stays the register's current knowledge and gains `recorded_from` (recorded time)
and `objection_id` (the upheld objection that restored a period, art. 7:11 Awb). Triggers keep
`recognition_period_history`: every UPDATE that changes what a period says and every DELETE copies
the old row there with its recorded interval, so no code path can forget it. Existing periods were
recorded when they were created (`created_at`); there is no history before this revision.

The transaction's recorded time is `erkenning_recorded_at()`: the time the service put in the
transaction-local setting `erkenning.recorded_at` (its own clock, the one decisions are dated by), else
the database's transaction time. `erkenning.change_decision_id` / `erkenning.change_objection_id` name
what superseded a row.

Revision ID: cd3a3e2d0388
Revises: d1dea3bf7c72
Create Date: 2026-12-07 06:56:13.917908
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate may write sqlmodel types)
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "cd3a3e2d0388"
down_revision: str | None = "d1dea3bf7c72"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RECORDED_AT_FUNCTION = """
CREATE FUNCTION erkenning_recorded_at() RETURNS timestamptz LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(nullif(current_setting('erkenning.recorded_at', true), '')::timestamptz,
                    transaction_timestamp())
$$
"""

# What a period says; a change of anything else (the `applied` bookkeeping flag) is no new knowledge.
_CONTENT_CHANGED = (
    "(OLD.status, OLD.during, OLD.decision_id, OLD.objection_id) "
    "IS DISTINCT FROM (NEW.status, NEW.during, NEW.decision_id, NEW.objection_id)"
)

STAMP_FUNCTION = """
CREATE FUNCTION recognition_period_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.recorded_from := erkenning_recorded_at();
    RETURN NEW;
END;
$$
"""

KEEP_HISTORY_FUNCTION = """
CREATE FUNCTION recognition_period_keep_history() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    superseded_at timestamptz := erkenning_recorded_at();
BEGIN
    -- A row written and changed again within one transaction was never seen by anyone.
    IF OLD.recorded_from < superseded_at THEN
        INSERT INTO recognition_period_history (
            period_id, recognition_id, status, during, decision_id, objection_id,
            recorded_from, recorded_until, superseded_by_decision_id, superseded_by_objection_id)
        VALUES (
            OLD.id, OLD.recognition_id, OLD.status, OLD.during, OLD.decision_id, OLD.objection_id,
            OLD.recorded_from, superseded_at,
            nullif(current_setting('erkenning.change_decision_id', true), '')::uuid,
            nullif(current_setting('erkenning.change_objection_id', true), '')::uuid);
    END IF;
    RETURN NULL;
END;
$$
"""

HISTORY_GUARD_FUNCTION = """
CREATE FUNCTION recognition_period_history_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'recognition_period_history is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$
"""

TRIGGERS = (
    "CREATE TRIGGER recognition_period_stamp_insert BEFORE INSERT ON recognition_period FOR EACH ROW "
    "WHEN (NEW.recorded_from IS NULL) EXECUTE FUNCTION recognition_period_stamp()",
    "CREATE TRIGGER recognition_period_stamp_update BEFORE UPDATE ON recognition_period FOR EACH ROW "
    f"WHEN ({_CONTENT_CHANGED}) EXECUTE FUNCTION recognition_period_stamp()",
    "CREATE TRIGGER recognition_period_history_update AFTER UPDATE ON recognition_period FOR EACH ROW "
    f"WHEN ({_CONTENT_CHANGED}) EXECUTE FUNCTION recognition_period_keep_history()",
    "CREATE TRIGGER recognition_period_history_delete AFTER DELETE ON recognition_period FOR EACH ROW "
    "EXECUTE FUNCTION recognition_period_keep_history()",
    "CREATE TRIGGER recognition_period_history_no_update_delete BEFORE UPDATE OR DELETE "
    "ON recognition_period_history FOR EACH ROW EXECUTE FUNCTION recognition_period_history_append_only()",
)


def upgrade() -> None:
    op.execute(RECORDED_AT_FUNCTION)
    op.create_table(
        "recognition_period_history",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("period_id", sa.Uuid(), nullable=False),
        sa.Column("recognition_id", sa.Uuid(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending", "active", "suspended", "withdrawn", "lapsed", "refused", name="recognitionstatus",
                native_enum=False, create_constraint=True, length=32,
            ),
            nullable=False,
        ),
        sa.Column("during", postgresql.DATERANGE(), nullable=False),
        sa.Column("decision_id", sa.Uuid(), nullable=True),
        sa.Column("objection_id", sa.Uuid(), nullable=True),
        sa.Column("recorded_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("superseded_by_decision_id", sa.Uuid(), nullable=True),
        sa.Column("superseded_by_objection_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "recorded_from < recorded_until", name=op.f("ck_recognition_period_history_recorded_interval")
        ),
        sa.ForeignKeyConstraint(
            ["recognition_id"], ["recognition.id"],
            name=op.f("fk_recognition_period_history_recognition_id_recognition"), ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recognition_period_history")),
    )
    op.create_index(
        "ix_recognition_period_history_recognition_id",
        "recognition_period_history",
        ["recognition_id", "recorded_until"],
        unique=False,
    )
    op.add_column("objection", sa.Column("restore_from", sa.Date(), nullable=True))
    op.add_column("objection", sa.Column("restore_reason", sa.Text(), nullable=True))
    op.add_column("recognition_period", sa.Column("objection_id", sa.Uuid(), nullable=True))
    op.create_foreign_key(
        op.f("fk_recognition_period_objection_id_objection"), "recognition_period", "objection",
        ["objection_id"], ["id"], ondelete="RESTRICT",
    )
    # Existing periods were recorded when they were written.
    op.add_column("recognition_period", sa.Column("recorded_from", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE recognition_period SET recorded_from = created_at")
    op.alter_column(
        "recognition_period", "recorded_from", nullable=False, server_default=sa.text("erkenning_recorded_at()")
    )
    for ddl in (STAMP_FUNCTION, KEEP_HISTORY_FUNCTION, HISTORY_GUARD_FUNCTION, *TRIGGERS):
        op.execute(ddl)


def downgrade() -> None:
    op.execute("DROP TRIGGER recognition_period_history_delete ON recognition_period")
    op.execute("DROP TRIGGER recognition_period_history_update ON recognition_period")
    op.execute("DROP TRIGGER recognition_period_stamp_update ON recognition_period")
    op.execute("DROP TRIGGER recognition_period_stamp_insert ON recognition_period")
    op.drop_constraint(
        op.f("fk_recognition_period_objection_id_objection"), "recognition_period", type_="foreignkey"
    )
    op.drop_column("recognition_period", "recorded_from")
    op.drop_column("recognition_period", "objection_id")
    op.drop_column("objection", "restore_reason")
    op.drop_column("objection", "restore_from")
    op.drop_index("ix_recognition_period_history_recognition_id", table_name="recognition_period_history")
    op.drop_table("recognition_period_history")  # its guard trigger goes with it
    op.execute("DROP FUNCTION recognition_period_history_append_only()")
    op.execute("DROP FUNCTION recognition_period_keep_history()")
    op.execute("DROP FUNCTION recognition_period_stamp()")
    op.execute("DROP FUNCTION erkenning_recorded_at()")
