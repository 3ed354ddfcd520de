"""reports: reporting_point (schools' meldpunten), adv and adv_municipality (regional ADVs, Wgadv)

Loads the ADVs shipped in the package's `erkenning/reports/data/advs.json` (a partial list, with its source
and date; admins complete it through the API). A later release that ships more inserts what is missing in
a migration of its own (an admin may have added it already).

Revision ID: 7d2f5c8e1a64
Revises: 4e1a7c2b9d03
Create Date: 2026-12-07 09:40:00
"""

import json
import uuid
from collections.abc import Sequence
from importlib import resources

import sqlalchemy as sa
from alembic import op

revision: str = "7d2f5c8e1a64"
down_revision: str | None = "4e1a7c2b9d03"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _timestamps() -> list[sa.Column[object]]:
    return [
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "reporting_point",
        *_timestamps(),
        sa.Column("brin", sa.String(length=6), nullable=False),
        sa.Column("school_name", sa.String(length=200), nullable=False),
        sa.Column("municipality", sa.String(length=100), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("url", sa.String(length=500), nullable=True),
        sa.Column("hours", sa.String(length=500), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("checked_by", sa.Uuid(), nullable=True),
        sa.CheckConstraint("brin ~ '^[0-9]{2}[A-Z]{2}([0-9]{2})?$'", name=op.f("ck_reporting_point_brin_form")),
        sa.CheckConstraint(
            "email IS NOT NULL OR phone IS NOT NULL OR url IS NOT NULL", name=op.f("ck_reporting_point_reachable")
        ),
        sa.CheckConstraint("url IS NULL OR url LIKE 'https://%'", name=op.f("ck_reporting_point_url_https")),
        sa.CheckConstraint(
            "(checked_at IS NULL) = (checked_by IS NULL)", name=op.f("ck_reporting_point_checked_by_someone")
        ),
        sa.ForeignKeyConstraint(
            ["checked_by"], ["principal.id"], name=op.f("fk_reporting_point_checked_by_principal"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by"], ["principal.id"], name=op.f("fk_reporting_point_updated_by_principal"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reporting_point")),
        sa.UniqueConstraint("brin", name=op.f("uq_reporting_point_brin")),
    )
    op.create_index(op.f("ix_reporting_point_municipality"), "reporting_point", ["municipality"], unique=False)
    op.create_index(op.f("ix_reporting_point_school_name"), "reporting_point", ["school_name"], unique=False)
    adv = op.create_table(
        "adv",
        *_timestamps(),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("website", sa.String(length=500), nullable=True),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.CheckConstraint("website IS NULL OR website LIKE 'https://%'", name=op.f("ck_adv_website_https")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_adv")),
        sa.UniqueConstraint("name", name=op.f("uq_adv_name")),
    )
    covered = op.create_table(
        "adv_municipality",
        sa.Column("municipality", sa.String(length=100), nullable=False),
        sa.Column("adv_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["adv_id"], ["adv.id"], name=op.f("fk_adv_municipality_adv_id_adv"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("municipality", name=op.f("pk_adv_municipality")),
    )
    op.create_index(op.f("ix_adv_municipality_adv_id"), "adv_municipality", ["adv_id"], unique=False)
    op.create_index("uq_adv_municipality_lower", "adv_municipality", [sa.text("lower(municipality)")], unique=True)
    _load_shipped(adv, covered)


def _load_shipped(adv: sa.Table, covered: sa.Table) -> None:
    data = json.loads(resources.files("erkenning.reports").joinpath("data", "advs.json").read_text(encoding="utf-8"))
    source = f"{data['source']} (as of {data['as_of']})"[:500]
    rows, places = [], []
    for entry in data["advs"]:
        adv_id = uuid.uuid4()
        rows.append({"id": adv_id, "name": entry["name"], "email": entry.get("email"), "phone": entry.get("phone"),
                     "website": entry.get("website"), "source": source})
        places += [{"municipality": m, "adv_id": adv_id} for m in entry["municipalities"]]
    op.bulk_insert(adv, rows)
    op.bulk_insert(covered, places)


def downgrade() -> None:
    op.drop_index("uq_adv_municipality_lower", table_name="adv_municipality")
    op.drop_index(op.f("ix_adv_municipality_adv_id"), table_name="adv_municipality")
    op.drop_table("adv_municipality")
    op.drop_table("adv")
    op.drop_index(op.f("ix_reporting_point_school_name"), table_name="reporting_point")
    op.drop_index(op.f("ix_reporting_point_municipality"), table_name="reporting_point")
    op.drop_table("reporting_point")
