"""decisions: kenmerk, transition arrangement, sent_by, urgency (art. 4:11 Awb), response read; letters;
investigations: the proposal's transition arrangement and urgency

The kenmerk (reference number) comes from a sequence through `decision_kenmerk(day)`, e.g.
`SBB-B-2026-000123` (the year of drafting); decisions made before get one in the order they were made.
A letter is kept as sent: a trigger refuses UPDATE and DELETE on `letter` for every role (as for
`audit_event`); TRUNCATE is left to whoever owns the table.

Revision ID: 4e1a7c2b9d03
Revises: 8b645ce5e0fe
Create Date: 2026-12-10 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate may write sqlmodel types)
from alembic import op

revision: str = "4e1a7c2b9d03"
down_revision: str | None = "8b645ce5e0fe"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KENMERK_FUNCTION = """
CREATE FUNCTION decision_kenmerk(day date) RETURNS text LANGUAGE sql VOLATILE AS $$
    SELECT 'SBB-B-' || to_char(day, 'YYYY') || '-' || lpad(n::text, greatest(6, length(n::text)), '0')
    FROM (SELECT nextval('decision_kenmerk_seq') AS n) AS s
$$
"""

LETTER_GUARD_FUNCTION = """
CREATE FUNCTION letter_unchanged() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'a letter is kept as it was sent: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$
"""


def upgrade() -> None:
    op.execute("CREATE SEQUENCE decision_kenmerk_seq")
    op.execute(KENMERK_FUNCTION)
    op.add_column("decision", sa.Column("kenmerk", sa.String(length=32), nullable=True))
    op.execute(
        "UPDATE decision SET kenmerk = k.kenmerk FROM ("
        "  SELECT id, decision_kenmerk((created_at AT TIME ZONE 'Europe/Amsterdam')::date) AS kenmerk"
        "  FROM (SELECT id, created_at FROM decision ORDER BY created_at, id) AS ordered"
        ") AS k WHERE k.id = decision.id"
    )
    op.alter_column(
        "decision", "kenmerk", nullable=False, server_default=sa.text("decision_kenmerk(CURRENT_DATE)")
    )
    op.create_unique_constraint(op.f("uq_decision_kenmerk"), "decision", ["kenmerk"])
    op.add_column("decision", sa.Column("placements_until", sa.Date(), nullable=True))
    op.add_column("decision", sa.Column("sent_by", sa.Uuid(), nullable=True))
    op.add_column("decision", sa.Column("urgent_reason", sa.Text(), nullable=True))
    op.add_column("decision", sa.Column("response_read_by", sa.Uuid(), nullable=True))
    op.add_column("decision", sa.Column("response_read_at", sa.DateTime(timezone=True), nullable=True))
    op.create_foreign_key(
        op.f("fk_decision_sent_by_principal"), "decision", "principal", ["sent_by"], ["id"], ondelete="RESTRICT"
    )
    op.create_foreign_key(
        op.f("fk_decision_response_read_by_principal"), "decision", "principal", ["response_read_by"], ["id"],
        ondelete="RESTRICT",
    )
    op.create_check_constraint(
        op.f("ck_decision_placements_not_before_effect"),
        "decision",
        "placements_until IS NULL OR effective_from IS NULL OR placements_until >= effective_from",
    )
    op.add_column("investigation", sa.Column("placements_until", sa.Date(), nullable=True))
    op.add_column("investigation", sa.Column("urgent_reason", sa.String(length=4000), nullable=True))
    op.create_table(
        "letter",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kenmerk", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("decision_id", sa.Uuid(), nullable=False),
        sa.Column("objection_id", sa.Uuid(), nullable=True),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.CheckConstraint("sha256 ~ '^[0-9a-f]{64}$'", name=op.f("ck_letter_sha256_hex")),
        sa.ForeignKeyConstraint(
            ["created_by"], ["principal.id"], name=op.f("fk_letter_created_by_principal"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["decision_id"], ["decision.id"], name=op.f("fk_letter_decision_id_decision"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["objection_id"], ["objection.id"], name=op.f("fk_letter_objection_id_objection"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_letter")),
        sa.UniqueConstraint("kenmerk", name=op.f("uq_letter_kenmerk")),
    )
    op.create_index(op.f("ix_letter_decision_id"), "letter", ["decision_id"], unique=False)
    op.create_index(op.f("ix_letter_objection_id"), "letter", ["objection_id"], unique=False)
    op.execute(LETTER_GUARD_FUNCTION)
    op.execute(
        "CREATE TRIGGER letter_no_update_delete BEFORE UPDATE OR DELETE ON letter "
        "FOR EACH ROW EXECUTE FUNCTION letter_unchanged()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS letter_no_update_delete ON letter")
    op.execute("DROP FUNCTION IF EXISTS letter_unchanged()")
    op.drop_index(op.f("ix_letter_objection_id"), table_name="letter")
    op.drop_index(op.f("ix_letter_decision_id"), table_name="letter")
    op.drop_table("letter")
    op.drop_column("investigation", "urgent_reason")
    op.drop_column("investigation", "placements_until")
    op.drop_constraint(op.f("ck_decision_placements_not_before_effect"), "decision", type_="check")
    op.drop_constraint(op.f("fk_decision_response_read_by_principal"), "decision", type_="foreignkey")
    op.drop_constraint(op.f("fk_decision_sent_by_principal"), "decision", type_="foreignkey")
    op.drop_column("decision", "response_read_at")
    op.drop_column("decision", "response_read_by")
    op.drop_column("decision", "urgent_reason")
    op.drop_column("decision", "sent_by")
    op.drop_column("decision", "placements_until")
    op.drop_constraint(op.f("uq_decision_kenmerk"), "decision", type_="unique")
    op.drop_column("decision", "kenmerk")
    op.execute("DROP FUNCTION IF EXISTS decision_kenmerk(date)")
    op.execute("DROP SEQUENCE IF EXISTS decision_kenmerk_seq")
