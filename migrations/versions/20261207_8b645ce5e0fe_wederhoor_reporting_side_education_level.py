"""wederhoor: the reporting side's reactions (reporter_reaction), its deadline kind and the case's open round;
the ground `education_level` (opleidingsniveau)

The two enums are CHECK-constrained columns (`enum_field`): their constraints are dropped and made again
with the new value. A downgrade moves reports on `education_level` to `other` (the ground the older code
knows for "anything else") and drops the deadlines of the reporting side with their reactions.

Revision ID: 8b645ce5e0fe
Revises: 38ad4d20285a
Create Date: 2026-12-07 06:58:30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "8b645ce5e0fe"
down_revision: str | None = "38ad4d20285a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GROUNDS = ("ethnicity", "religion", "disability", "sex", "age", "sexual_orientation", "other")
DEADLINE_KINDS = ("hearing_answer", "lead_time", "follow_up")


def _one_of(column: str, values: Sequence[str]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _check(table: str, name: str, column: str, values: Sequence[str]) -> None:
    op.drop_constraint(op.f(f"ck_{table}_{name}"), table, type_="check")
    op.create_check_constraint(op.f(f"ck_{table}_{name}"), table, _one_of(column, values))


def upgrade() -> None:
    _check("report", "ground", "ground", (*GROUNDS[:-1], "education_level", "other"))
    _check("deadline", "deadlinekind", "kind", (DEADLINE_KINDS[0], "reporter_reaction", *DEADLINE_KINDS[1:]))
    op.add_column(
        "investigation",
        sa.Column("reporter_round_open", sa.Boolean(), server_default=sa.text("false"), nullable=False),
    )
    op.create_table(
        "reporter_reaction",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("investigation_id", sa.Uuid(), nullable=False),
        sa.Column("report_id", sa.Uuid(), nullable=False),
        sa.Column("route", sa.Enum("school", "receipt", "adviser", name="reactionroute", native_enum=False,
                                   create_constraint=True, length=32), nullable=False),
        sa.Column("school_brin", sa.String(length=6), nullable=True),
        sa.Column("question", sa.String(length=2000), nullable=False),
        sa.Column("asked_by", sa.Uuid(), nullable=True),
        sa.Column("asked_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("status", sa.Enum("asked", "answered", "no_reaction", name="reactionstatus", native_enum=False,
                                    create_constraint=True, length=32), nullable=False),
        sa.Column("reaction", sa.String(length=2000), nullable=True),
        sa.Column("reacted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recorded_by", sa.Uuid(), nullable=True),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reaction_erased_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["asked_by"], ["principal.id"], name=op.f("fk_reporter_reaction_asked_by_principal")),
        sa.ForeignKeyConstraint(["investigation_id"], ["investigation.id"],
                                name=op.f("fk_reporter_reaction_investigation_id_investigation"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["recorded_by"], ["principal.id"],
                                name=op.f("fk_reporter_reaction_recorded_by_principal")),
        sa.ForeignKeyConstraint(["report_id"], ["report.id"], name=op.f("fk_reporter_reaction_report_id_report"),
                                ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reporter_reaction")),
    )
    op.create_index(op.f("ix_reporter_reaction_investigation_id"), "reporter_reaction", ["investigation_id"])
    op.create_index(op.f("ix_reporter_reaction_report_id"), "reporter_reaction", ["report_id"])
    op.create_index(op.f("ix_reporter_reaction_school_brin"), "reporter_reaction", ["school_brin"])
    op.create_index("uq_reporter_reaction_open_per_report", "reporter_reaction", ["report_id"], unique=True,
                    postgresql_where=sa.text("status = 'asked'"))


def downgrade() -> None:
    op.drop_table("reporter_reaction")
    op.drop_column("investigation", "reporter_round_open")
    op.execute("DELETE FROM deadline WHERE kind = 'reporter_reaction'")
    _check("deadline", "deadlinekind", "kind", DEADLINE_KINDS)
    op.execute("UPDATE report SET ground = 'other' WHERE ground = 'education_level'")
    _check("report", "ground", "ground", GROUNDS)
