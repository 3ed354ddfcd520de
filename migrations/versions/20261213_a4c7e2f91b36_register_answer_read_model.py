"""register_answer: the register's read model, one row per recognition period keyed (SBB id, crebo, pathway),
kept by statement-level triggers on recognition_period (issue 19, docs/adr/0016-register-read-model.md)

The keys it copies never change: updates of company.sbb_id, qualification.crebo and a recognition's company,
qualification or pathway are refused by triggers from here on (none of the code makes one). The rows are built
for the periods already there.

Revision ID: a4c7e2f91b36
Revises: 7b3e91c0a5d2
Create Date: 2026-12-13 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate may write sqlmodel types)
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "a4c7e2f91b36"
down_revision: str | None = "7b3e91c0a5d2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The rows of the recognitions `{changed}` names, built again from their periods: set-based (hash joins for an
# import's hundreds of thousands, index look-ups for a decision's one), each period with the unbroken run of
# its status around it (range_agg merges adjacent periods of one status into one range).
_DELETE = "DELETE FROM register_answer WHERE recognition_id IN ({changed})"
_INSERT = """
    WITH periods AS (
        SELECT p.recognition_id, p.id, p.status, p.during, p.decision_id
        FROM recognition_period p WHERE p.recognition_id IN ({changed})
    ), runs AS (
        SELECT recognition_id, status, unnest(range_agg(during)) AS run FROM periods GROUP BY recognition_id, status
    )
    INSERT INTO register_answer (recognition_id, period_id, sbb_id, crebo, pathway, status, during, since, until,
                                 decision_id)
    SELECT p.recognition_id, p.id, c.sbb_id, q.crebo, r.pathway, p.status, p.during, lower(g.run), upper(g.run),
           p.decision_id
    FROM periods p
    JOIN runs g ON g.recognition_id = p.recognition_id AND g.status = p.status AND g.run @> p.during
    JOIN recognition r ON r.id = p.recognition_id
    JOIN company c ON c.id = r.company_id
    JOIN qualification q ON q.id = r.qualification_id
"""
_CHANGED = {
    "insert": "SELECT recognition_id FROM new_periods",
    "delete": "SELECT recognition_id FROM old_periods",
    # Only the rows whose answer can change: a statement that sets `applied` alone (the daily task) rewrites none.
    "update": "SELECT x.recognition_id FROM new_periods n JOIN old_periods o ON o.id = n.id"
              " CROSS JOIN LATERAL (VALUES (n.recognition_id), (o.recognition_id)) AS x(recognition_id)"
              " WHERE (o.recognition_id, o.status, o.during, o.decision_id)"
              " IS DISTINCT FROM (n.recognition_id, n.status, n.during, n.decision_id)",
}
_REFERENCING = {
    "insert": "REFERENCING NEW TABLE AS new_periods",
    "delete": "REFERENCING OLD TABLE AS old_periods",
    "update": "REFERENCING OLD TABLE AS old_periods NEW TABLE AS new_periods",
}
_EVENT = {"insert": "INSERT", "delete": "DELETE", "update": "UPDATE"}  # no column list: not with transition tables

# Keys the read model copies, refused to change (TG_ARGV: what the message names).
_FIXED = """
CREATE FUNCTION register_key_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% never changes once written: the register answers by it', TG_ARGV[0]
        USING ERRCODE = 'integrity_constraint_violation';
END $$
"""
_GUARDS = {
    "company_sbb_id_fixed": ("company", "sbb_id", "OLD.sbb_id IS DISTINCT FROM NEW.sbb_id", "an SBB id"),
    "qualification_crebo_fixed": ("qualification", "crebo", "OLD.crebo IS DISTINCT FROM NEW.crebo", "a crebo"),
    "recognition_key_fixed": (
        "recognition", "company_id, qualification_id, pathway",
        "(OLD.company_id, OLD.qualification_id, OLD.pathway) IS DISTINCT FROM "
        "(NEW.company_id, NEW.qualification_id, NEW.pathway)",
        "the company, qualification and pathway of a recognition",
    ),
}


def upgrade() -> None:
    op.create_table(
        "register_answer",
        sa.Column("recognition_id", sa.Uuid(), nullable=False),
        sa.Column("period_id", sa.Uuid(), nullable=False),
        sa.Column("sbb_id", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("crebo", sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
        sa.Column("pathway", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("during", postgresql.DATERANGE(), nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("until", sa.Date(), nullable=True),
        sa.Column("decision_id", sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint("recognition_id", "period_id", name=op.f("pk_register_answer")),
    )
    op.create_index(
        "ix_register_answer_lookup", "register_answer", ["sbb_id", "crebo", "pathway"], unique=False,
        postgresql_include=["during", "status", "since", "until", "decision_id"],
    )
    for op_name, changed in _CHANGED.items():
        op.execute(
            f"CREATE FUNCTION register_answer_after_{op_name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"{_DELETE.format(changed=changed)}; {_INSERT.format(changed=changed)}; RETURN NULL; END $$"
        )
        op.execute(
            f"CREATE TRIGGER register_answer_{op_name} AFTER {_EVENT[op_name]} ON recognition_period "
            f"{_REFERENCING[op_name]} FOR EACH STATEMENT EXECUTE FUNCTION register_answer_after_{op_name}()"
        )
    op.execute(_FIXED)
    for name, (table, columns, changed, what) in _GUARDS.items():
        op.execute(
            f"CREATE TRIGGER {name} BEFORE UPDATE OF {columns} ON {table} FOR EACH ROW WHEN ({changed}) "
            f"EXECUTE FUNCTION register_key_fixed('{what}')"
        )
    op.execute(_INSERT.format(changed="SELECT id FROM recognition"))  # the rows for the periods already there


def downgrade() -> None:
    for name, (table, *_rest) in _GUARDS.items():
        op.execute(f"DROP TRIGGER {name} ON {table}")
    op.execute("DROP FUNCTION register_key_fixed()")
    for op_name in _CHANGED:
        op.execute(f"DROP TRIGGER register_answer_{op_name} ON recognition_period")
        op.execute(f"DROP FUNCTION register_answer_after_{op_name}()")
    op.drop_index("ix_register_answer_lookup", table_name="register_answer",
                  postgresql_include=["during", "status", "since", "until", "decision_id"])
    op.drop_table("register_answer")
