"""objection_attachment: the documents a company adds to its objection (PDF, PNG, JPEG, in bytea);
course.online_url: where an e-learning is started

Revision ID: 7c5e0a91d2f4
Revises: 7d2f5c8e1a64
Create Date: 2026-12-11 09:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate may write sqlmodel types)
from alembic import op

revision: str = "7c5e0a91d2f4"
down_revision: str | None = "7d2f5c8e1a64"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "objection_attachment",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column("decision_id", sa.Uuid(), nullable=False),
        sa.Column("objection_id", sa.Uuid(), nullable=True),
        sa.Column("filename", sa.String(length=120), nullable=False),
        sa.Column("media_type", sa.String(length=40), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "media_type IN ('application/pdf', 'image/png', 'image/jpeg')",
            name=op.f("ck_objection_attachment_media_type_allowed"),
        ),
        sa.CheckConstraint(
            "size_bytes > 0 AND size_bytes <= 10485760 AND size_bytes = octet_length(content)",
            name=op.f("ck_objection_attachment_size_within_limit"),
        ),
        sa.CheckConstraint("sha256 ~ '^[0-9a-f]{64}$'", name=op.f("ck_objection_attachment_sha256_hex")),
        sa.ForeignKeyConstraint(
            ["company_id"], ["company.id"], name=op.f("fk_objection_attachment_company_id_company"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["decision_id"], ["decision.id"], name=op.f("fk_objection_attachment_decision_id_decision"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["objection_id"], ["objection.id"], name=op.f("fk_objection_attachment_objection_id_objection"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by"], ["principal.id"], name=op.f("fk_objection_attachment_uploaded_by_principal"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_objection_attachment")),
    )
    op.create_index(op.f("ix_objection_attachment_company_id"), "objection_attachment", ["company_id"])
    op.create_index(op.f("ix_objection_attachment_decision_id"), "objection_attachment", ["decision_id"])
    op.create_index(op.f("ix_objection_attachment_objection_id"), "objection_attachment", ["objection_id"])
    op.add_column("course", sa.Column("online_url", sa.String(length=500), nullable=True))


def downgrade() -> None:
    op.drop_column("course", "online_url")
    op.drop_index(op.f("ix_objection_attachment_objection_id"), table_name="objection_attachment")
    op.drop_index(op.f("ix_objection_attachment_decision_id"), table_name="objection_attachment")
    op.drop_index(op.f("ix_objection_attachment_company_id"), table_name="objection_attachment")
    op.drop_table("objection_attachment")
