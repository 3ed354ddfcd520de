"""decisions: spent intended decisions kept on reopening; objections: own reference, paper and late objections (art. 6:9, 6:11 Awb), hoorzitting (art. 7:2, 7:3),
decision term with one extension (art. 7:10), beslissing op bezwaar (dates, appeal term), niet-ontvankelijk

The reference comes from a sequence through `objection_reference(day)`, e.g. `SBB-BZ-2026-000012` (the
year of receipt); objections made before get one in the order they were filed. Their decision term is
computed from the decision's objection deadline (six weeks after it; the advisory committee's twelve
weeks are a setting, not known here).

Revision ID: 7b3e91c0a5d2
Revises: 5c3e9a1f7b20
Create Date: 2026-12-11 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate may write sqlmodel types)
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "7b3e91c0a5d2"
down_revision: str | None = "5c3e9a1f7b20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REFERENCE_FUNCTION = """
CREATE FUNCTION objection_reference(day date) RETURNS text LANGUAGE sql VOLATILE AS $$
    SELECT 'SBB-BZ-' || to_char(day, 'YYYY') || '-' || lpad(n::text, greatest(6, length(n::text)), '0')
    FROM (SELECT nextval('objection_reference_seq') AS n) AS s
$$
"""

STATUSES_BEFORE = "'pending', 'upheld', 'rejected', 'withdrawn'"
STATUSES = "'pending', 'upheld', 'rejected', 'inadmissible', 'withdrawn'"


def _enum_check(name: str, column: str, values: str) -> None:
    op.drop_constraint(op.f(f"ck_objection_{name}"), "objection", type_="check")
    op.create_check_constraint(op.f(f"ck_objection_{name}"), "objection", f"{column} IN ({values})")


def upgrade() -> None:
    op.add_column(
        "decision",
        sa.Column("earlier_intentions", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False),
    )
    op.execute("CREATE SEQUENCE objection_reference_seq")
    op.execute(REFERENCE_FUNCTION)
    op.add_column("objection", sa.Column("reference", sa.String(length=32), nullable=True))
    op.execute(
        "UPDATE objection SET reference = r.reference FROM ("
        "  SELECT id, objection_reference(filed_on) AS reference"
        "  FROM (SELECT id, filed_on FROM objection ORDER BY created_at, id) AS ordered"
        ") AS r WHERE r.id = objection.id"
    )
    op.alter_column(
        "objection", "reference", nullable=False, server_default=sa.text("objection_reference(CURRENT_DATE)")
    )
    op.create_unique_constraint(op.f("uq_objection_reference"), "objection", ["reference"])
    _enum_check("objectionstatus", "status", STATUSES)
    _enum_check("filedvia", "filed_via", "'portal', 'backoffice', 'post'")

    op.add_column("objection", sa.Column("postmarked_on", sa.Date(), nullable=True))
    op.add_column("objection", sa.Column("timely", sa.Boolean(), server_default=sa.true(), nullable=False))
    op.add_column("objection", sa.Column("late_excused", sa.Boolean(), nullable=True))
    op.add_column("objection", sa.Column("late_reason", sa.Text(), nullable=True))
    op.add_column("objection", sa.Column("late_decided_by", sa.Uuid(), nullable=True))
    op.add_column("objection", sa.Column("late_decided_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("objection", sa.Column("decide_by", sa.Date(), nullable=True))
    op.add_column("objection", sa.Column("extended_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("objection", sa.Column("extended_by", sa.Uuid(), nullable=True))
    op.add_column("objection", sa.Column("extension_reason", sa.Text(), nullable=True))
    op.add_column("objection", sa.Column("term_reminded_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("objection", sa.Column("term_escalated_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "objection",
        sa.Column(
            "hearing_status",
            sa.Enum("none", "invited", "held", "skipped", name="hearingstatus", native_enum=False,
                    create_constraint=True, length=32),
            server_default="none",
            nullable=False,
        ),
    )
    op.alter_column("objection", "hearing_status", server_default=None)
    op.add_column("objection", sa.Column("hearing_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("objection", sa.Column("hearing_place", sa.String(length=500), nullable=True))
    op.add_column("objection", sa.Column("hearing_video_link", sa.String(length=500), nullable=True))
    op.add_column("objection", sa.Column("hearing_invited_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("objection", sa.Column("hearing_report", sa.Text(), nullable=True))
    op.add_column("objection", sa.Column("hearing_held_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "objection",
        sa.Column(
            "hearing_skip_ground",
            sa.Enum("manifestly_inadmissible", "manifestly_unfounded", "waived", "fully_upheld",
                    name="hearingskipground", native_enum=False, create_constraint=True, length=32),
            nullable=True,
        ),
    )
    op.add_column("objection", sa.Column("hearing_skip_note", sa.Text(), nullable=True))
    op.add_column("objection", sa.Column("hearing_by", sa.Uuid(), nullable=True))
    op.add_column("objection", sa.Column("decided_on", sa.Date(), nullable=True))
    op.add_column("objection", sa.Column("appeal_deadline", sa.Date(), nullable=True))
    for column in ("late_decided_by", "extended_by", "hearing_by"):
        op.create_foreign_key(
            op.f(f"fk_objection_{column}_principal"), "objection", "principal", [column], ["id"], ondelete="RESTRICT"
        )
    op.create_check_constraint(
        op.f("ck_objection_postmark_not_after_receipt"), "objection",
        "postmarked_on IS NULL OR postmarked_on <= filed_on",
    )
    op.create_check_constraint(op.f("ck_objection_only_paper_late"), "objection", "timely OR filed_via = 'post'")
    op.create_check_constraint(
        op.f("ck_objection_skipped_hearing_has_ground"), "objection",
        "hearing_status <> 'skipped' OR hearing_skip_ground IS NOT NULL",
    )
    op.create_check_constraint(
        op.f("ck_objection_held_hearing_has_report"), "objection",
        "hearing_status <> 'held' OR hearing_report IS NOT NULL",
    )
    # The decision term of objections filed before: six weeks after the objection deadline (art. 7:10 Awb);
    # the Algemene termijnenwet's shift of that day is left to the next read of a person (a day early at most).
    op.execute(
        "UPDATE objection SET decide_by = d.objection_deadline + 42 FROM decision AS d "
        "WHERE d.id = objection.decision_id AND d.objection_deadline IS NOT NULL"
    )
    op.create_index(
        "ix_objection_pending_decide_by", "objection", ["decide_by"], unique=False,
        postgresql_where=sa.text("status = 'pending'"),
    )


def downgrade() -> None:
    op.drop_index("ix_objection_pending_decide_by", table_name="objection", postgresql_where=sa.text("status = 'pending'"))
    for name in ("held_hearing_has_report", "skipped_hearing_has_ground", "only_paper_late",
                 "postmark_not_after_receipt"):
        op.drop_constraint(op.f(f"ck_objection_{name}"), "objection", type_="check")
    for column in ("late_decided_by", "extended_by", "hearing_by"):
        op.drop_constraint(op.f(f"fk_objection_{column}_principal"), "objection", type_="foreignkey")
    for column in (
        "appeal_deadline", "decided_on", "hearing_by", "hearing_skip_note", "hearing_skip_ground", "hearing_held_at",
        "hearing_report", "hearing_invited_at", "hearing_video_link", "hearing_place", "hearing_at", "hearing_status",
        "term_escalated_at", "term_reminded_at", "extension_reason", "extended_by", "extended_at", "decide_by",
        "late_decided_at", "late_decided_by", "late_reason", "late_excused", "timely", "postmarked_on",
    ):
        op.drop_column("objection", column)
    # Paper objections become back-office ones, inadmissible ones rejected: the old model knows no others.
    op.execute("UPDATE objection SET filed_via = 'backoffice' WHERE filed_via = 'post'")
    op.execute("UPDATE objection SET status = 'rejected' WHERE status = 'inadmissible'")
    _enum_check("filedvia", "filed_via", "'portal', 'backoffice'")
    _enum_check("objectionstatus", "status", STATUSES_BEFORE)
    op.drop_constraint(op.f("uq_objection_reference"), "objection", type_="unique")
    op.drop_column("objection", "reference")
    op.execute("DROP FUNCTION IF EXISTS objection_reference(date)")
    op.execute("DROP SEQUENCE IF EXISTS objection_reference_seq")
    op.drop_column("decision", "earlier_intentions")
