"""register: find companies by part of the name (pg_trgm GIN index) plus town; reports: a reference

`pg_trgm` ships with PostgreSQL's contrib modules (Debian's `postgresql-15` has them; it is a trusted
extension, so the database's owner may create it); the GIN index on `company.name` with `gin_trgm_ops`
serves `name ILIKE '%part%'`, and `lower(city)` the town. Where the server has no pg_trgm (the `pgserver`
wheel, `make run`'s last resort, ships only plpgsql and vector) the index is left out with a warning: the
search still answers, by reading the table. Every report gets a reference (`SBB-M-<year received>-<6+ digits>`) from a sequence through
`report_reference(day)`, as decisions get their kenmerk; reports received before get one in the order
they arrived.

Revision ID: 1b0c8a7d969b
Revises: 7c5e0a91d2f4
Create Date: 2026-12-11 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate may write sqlmodel types)
from alembic import op

revision: str = "1b0c8a7d969b"
down_revision: str | None = "7c5e0a91d2f4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REFERENCE_FUNCTION = """
CREATE FUNCTION report_reference(day date) RETURNS text LANGUAGE sql VOLATILE AS $$
    SELECT 'SBB-M-' || to_char(day, 'YYYY') || '-' || lpad(n::text, greatest(6, length(n::text)), '0')
    FROM (SELECT nextval('report_reference_seq') AS n) AS s
$$
"""


TRIGRAM_INDEX = """
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm') THEN
        CREATE EXTENSION IF NOT EXISTS pg_trgm;
        CREATE INDEX ix_company_name_trgm ON company USING gin (name gin_trgm_ops);
    ELSE
        RAISE WARNING 'pg_trgm is not available on this server: the register''s name search reads the whole table';
    END IF;
END
$$
"""


def upgrade() -> None:
    op.execute(TRIGRAM_INDEX)
    op.create_index("ix_company_city_lower", "company", [sa.text("lower(city)")])

    op.execute("CREATE SEQUENCE report_reference_seq")
    op.execute(REFERENCE_FUNCTION)
    op.add_column("report", sa.Column("reference", sa.String(length=32), nullable=True))
    op.execute(
        "UPDATE report SET reference = k.reference FROM ("
        "  SELECT id, report_reference((created_at AT TIME ZONE 'Europe/Amsterdam')::date) AS reference"
        "  FROM (SELECT id, created_at FROM report ORDER BY created_at, id) AS ordered"
        ") AS k WHERE k.id = report.id"
    )
    op.alter_column("report", "reference", nullable=False, server_default=sa.text("report_reference(CURRENT_DATE)"))
    op.create_unique_constraint(op.f("uq_report_reference"), "report", ["reference"])


def downgrade() -> None:
    op.drop_constraint(op.f("uq_report_reference"), "report", type_="unique")
    op.drop_column("report", "reference")
    op.execute("DROP FUNCTION report_reference(date)")
    op.execute("DROP SEQUENCE report_reference_seq")
    op.drop_index("ix_company_city_lower", table_name="company")
    op.execute("DROP INDEX IF EXISTS ix_company_name_trgm")
    # The extension stays: another database object may have come to depend on it since.
