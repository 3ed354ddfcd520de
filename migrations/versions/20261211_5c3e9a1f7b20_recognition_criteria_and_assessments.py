"""recognition criteria as data (versioned lists), assessments per recognition; the criterion a decision
and an investigation's outcome concern

Ships the first list: SBB's conditions as tightened on 1 September 2023 (art. 7.2.10/7.2.11 WEB), with the
non-discrimination criterion explicit (motie-Van Baarle). Recognitions already active keep their status:
nothing here changes a recognition.

Revision ID: 5c3e9a1f7b20
Revises: 31f41dce5244
Create Date: 2026-12-11 09:00:00
"""

from collections.abc import Sequence
from datetime import date
from uuid import uuid4

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate may write sqlmodel types)
from alembic import op

revision: str = "5c3e9a1f7b20"
down_revision: str | None = "31f41dce5244"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# The first list, as SBB's rules stand from 1 September 2023 (data frozen here; later versions are published).
FIRST_LIST_VALID_FROM = date(2023, 9, 1)
FIRST_LIST_NOTE = "Erkenningsvoorwaarden SBB zoals aangescherpt per 1 september 2023 (Stagepact mbo 2023-2027)"
FIRST_LIST: tuple[dict[str, str], ...] = (
    {
        "code": "workplace_trainer",
        "title": "Deskundige praktijkopleider",
        "description": "Het leerbedrijf heeft een deskundige praktijkopleider die de student begeleidt en "
        "daarvoor voldoende tijd en middelen heeft.",
        "source": "art. 7.2.10 WEB; erkenningsvoorwaarden SBB",
    },
    {
        "code": "suitable_workplace",
        "title": "Passende leerwerkplek",
        "description": "Het leerbedrijf biedt in de eigen organisatie werkzaamheden die passen bij de "
        "kwalificatie, zodat de student de beroepspraktijkvorming kan volgen.",
        "source": "art. 7.2.10 WEB; erkenningsvoorwaarden SBB",
    },
    {
        "code": "cooperation",
        "title": "Samenwerking met school en SBB",
        "description": "Het leerbedrijf werkt mee met de school en met SBB: overleg over de "
        "beroepspraktijkvorming, de praktijkovereenkomst en het verstrekken van de gegevens die SBB nodig "
        "heeft.",
        "source": "art. 7.2.10 en 7.2.11 WEB; erkenningsvoorwaarden SBB",
    },
    {
        "code": "non_discrimination",
        "title": "Discriminatievrije werving en werkomgeving",
        "description": "Het leerbedrijf werft en selecteert studenten zonder discriminatie en biedt een goede "
        "en veilige leerwerkplek, vrij van discriminatie, intimidatie, agressie, pesten en geweld.",
        "source": "art. 7.2.10 WEB; erkenningsvoorwaarden SBB per 1 september 2023; Stagepact mbo "
        "2023-2027 (motie-Van Baarle)",
    },
)


def _timestamps() -> list[sa.Column]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
    ]


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def upgrade() -> None:
    criteria_list = op.create_table(
        "criteria_list",
        sa.Column("id", sa.Uuid(), nullable=False),
        *_timestamps(),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("note", sa.String(length=2000), nullable=True),
        sa.Column("published_by", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "valid_until IS NULL OR valid_until > valid_from", name=op.f("ck_criteria_list_validity_ordered")
        ),
        sa.CheckConstraint("version >= 1", name=op.f("ck_criteria_list_version_positive")),
        sa.ForeignKeyConstraint(
            ["published_by"], ["principal.id"], name=op.f("fk_criteria_list_published_by_principal"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_criteria_list")),
        sa.UniqueConstraint("version", name=op.f("uq_criteria_list_version")),
    )
    criterion = op.create_table(
        "recognition_criterion",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("criteria_list_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.String(length=4000), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.CheckConstraint("code ~ '^[a-z][a-z0-9_]{1,39}$'", name=op.f("ck_recognition_criterion_code_format")),
        sa.ForeignKeyConstraint(
            ["criteria_list_id"], ["criteria_list.id"],
            name=op.f("fk_recognition_criterion_criteria_list_id_criteria_list"), ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recognition_criterion")),
        sa.UniqueConstraint(
            "criteria_list_id", "code", name=op.f("uq_recognition_criterion_criteria_list_id_code")
        ),
    )
    op.create_index(
        op.f("ix_recognition_criterion_criteria_list_id"), "recognition_criterion", ["criteria_list_id"]
    )
    op.create_table(
        "criteria_assessment",
        sa.Column("id", sa.Uuid(), nullable=False),
        *_timestamps(),
        sa.Column("recognition_id", sa.Uuid(), nullable=False),
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column("criteria_list_id", sa.Uuid(), nullable=False),
        sa.Column("occasion", _enum("assessmentoccasion", "application", "reassessment"), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("assessed_by", sa.Uuid(), nullable=False),
        sa.Column("note", sa.String(length=4000), nullable=True),
        sa.Column("all_met", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessed_by"], ["principal.id"], name=op.f("fk_criteria_assessment_assessed_by_principal"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["company_id"], ["company.id"], name=op.f("fk_criteria_assessment_company_id_company"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["criteria_list_id"], ["criteria_list.id"],
            name=op.f("fk_criteria_assessment_criteria_list_id_criteria_list"), ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["recognition_id"], ["recognition.id"], name=op.f("fk_criteria_assessment_recognition_id_recognition"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_criteria_assessment")),
    )
    op.create_index(op.f("ix_criteria_assessment_company_id"), "criteria_assessment", ["company_id"])
    op.create_index(op.f("ix_criteria_assessment_criteria_list_id"), "criteria_assessment", ["criteria_list_id"])
    op.create_index(
        "ix_criteria_assessment_latest", "criteria_assessment", ["recognition_id", "assessed_on", "created_at"]
    )
    op.create_table(
        "criteria_assessment_item",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("assessment_id", sa.Uuid(), nullable=False),
        sa.Column("criterion_id", sa.Uuid(), nullable=False),
        sa.Column("result", _enum("criterionresult", "met", "not_met", "not_assessed"), nullable=False),
        sa.Column("note", sa.String(length=2000), nullable=True),
        sa.Column("assessed_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"], ["criteria_assessment.id"],
            name=op.f("fk_criteria_assessment_item_assessment_id_criteria_assessment"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["criterion_id"], ["recognition_criterion.id"],
            name=op.f("fk_criteria_assessment_item_criterion_id_recognition_criterion"), ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_criteria_assessment_item")),
        sa.UniqueConstraint(
            "assessment_id", "criterion_id", name=op.f("uq_criteria_assessment_item_assessment_id_criterion_id")
        ),
    )
    op.create_index(
        op.f("ix_criteria_assessment_item_assessment_id"), "criteria_assessment_item", ["assessment_id"]
    )
    op.create_index(
        op.f("ix_criteria_assessment_item_criterion_id"), "criteria_assessment_item", ["criterion_id"]
    )
    for table in ("decision", "investigation"):
        op.add_column(table, sa.Column("criterion_id", sa.Uuid(), nullable=True))
        op.create_foreign_key(
            op.f(f"fk_{table}_criterion_id_recognition_criterion"), table, "recognition_criterion",
            ["criterion_id"], ["id"], ondelete="RESTRICT",
        )

    list_id = uuid4()
    op.bulk_insert(
        criteria_list,
        [{"id": list_id, "version": 1, "valid_from": FIRST_LIST_VALID_FROM, "note": FIRST_LIST_NOTE}],
    )
    op.bulk_insert(
        criterion,
        [{"id": uuid4(), "criteria_list_id": list_id, "position": n, **c} for n, c in enumerate(FIRST_LIST, 1)],
    )


def downgrade() -> None:
    for table in ("investigation", "decision"):
        op.drop_constraint(op.f(f"fk_{table}_criterion_id_recognition_criterion"), table, type_="foreignkey")
        op.drop_column(table, "criterion_id")
    op.drop_table("criteria_assessment_item")
    op.drop_table("criteria_assessment")
    op.drop_table("recognition_criterion")
    op.drop_table("criteria_list")
