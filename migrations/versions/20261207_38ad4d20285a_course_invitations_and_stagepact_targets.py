"""training: course.for_new_companies and course_invitation; stagepact: stagepact_target

The invitation is once per company as a new company and once per case after improvement agreements:
two partial unique indexes say so. No target is seeded (docs/domain/stagepact.md says why).

Revision ID: 38ad4d20285a
Revises: cd3a3e2d0388
Create Date: 2026-12-07 07:01:08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "38ad4d20285a"
down_revision: str | None = "cd3a3e2d0388"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "course", sa.Column("for_new_companies", sa.Boolean(), server_default=sa.text("false"), nullable=False)
    )
    op.create_table(
        "course_invitation",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("new_company", "improvement_agreement", name="invitationkind", native_enum=False,
                    create_constraint=True, length=32),
            nullable=False,
        ),
        sa.Column("investigation_id", sa.Uuid(), nullable=True),
        sa.Column("course_ids", postgresql.ARRAY(sa.Uuid()), nullable=False),
        sa.Column("topics", postgresql.ARRAY(sa.String(length=50)), nullable=False),
        sa.Column("dismissed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(kind = 'improvement_agreement') = (investigation_id IS NOT NULL)",
            name=op.f("ck_course_invitation_case_for_agreements_only"),
        ),
        sa.ForeignKeyConstraint(
            ["company_id"], ["company.id"], name=op.f("fk_course_invitation_company_id_company"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_course_invitation")),
    )
    op.create_index(op.f("ix_course_invitation_company_id"), "course_invitation", ["company_id"], unique=False)
    op.create_index(
        "uq_course_invitation_case", "course_invitation", ["investigation_id"], unique=True,
        postgresql_where=sa.text("investigation_id IS NOT NULL"),
    )
    op.create_index(
        "uq_course_invitation_new_company", "course_invitation", ["company_id"], unique=True,
        postgresql_where=sa.text("kind = 'new_company'"),
    )
    op.create_table(
        "stagepact_target",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("indicator", sa.String(length=120), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column(
            "direction",
            sa.Enum("at_least", "at_most", name="direction", native_enum=False, create_constraint=True, length=32),
            nullable=False,
        ),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.CheckConstraint("value >= 0", name=op.f("ck_stagepact_target_value_not_negative")),
        sa.CheckConstraint("year BETWEEN 2000 AND 2100", name=op.f("ck_stagepact_target_year_in_range")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stagepact_target")),
        sa.UniqueConstraint("indicator", "year", name=op.f("uq_stagepact_target_indicator_year")),
    )


def downgrade() -> None:
    op.drop_table("stagepact_target")
    op.drop_index("uq_course_invitation_new_company", table_name="course_invitation")
    op.drop_index("uq_course_invitation_case", table_name="course_invitation")
    op.drop_index(op.f("ix_course_invitation_company_id"), table_name="course_invitation")
    op.drop_table("course_invitation")
    op.drop_column("course", "for_new_companies")
