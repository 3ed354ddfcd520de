"""The register's read model `register_answer` (ADR 0016): what it must hold, and how far it is from that.

The database keeps the table (the triggers of migration a4c7e2f91b36); this module only states its rows
from the source tables once more, independently of the triggers' statements, so that a check can compare
the two: every test of the suite ends with that check (tests/conftest.py, `clean`), so any way of writing
periods that would leave the read model behind fails the test that used it.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

_COLUMNS = "recognition_id, period_id, sbb_id, crebo, pathway, status, during, since, until, decision_id"

# Every period with its recognition's keys and the unbroken run of its status around it, written per
# period with a correlated run (not the triggers' grouped join), so the two do not share a mistake.
EXPECTED = """
    SELECT p.recognition_id, p.id AS period_id, c.sbb_id, q.crebo, r.pathway, p.status, p.during,
           lower(run.r) AS since, upper(run.r) AS until, p.decision_id
    FROM recognition_period p
    JOIN recognition r ON r.id = p.recognition_id
    JOIN company c ON c.id = r.company_id
    JOIN qualification q ON q.id = r.qualification_id
    CROSS JOIN LATERAL (
        SELECT u.r FROM unnest((
            SELECT range_agg(s.during) FROM recognition_period s
            WHERE s.recognition_id = p.recognition_id AND s.status = p.status
        )) AS u(r)
        WHERE u.r @> p.during
    ) AS run
"""

DRIFT = f"""
    SELECT count(*) FROM (
        (SELECT {_COLUMNS} FROM ({EXPECTED}) e EXCEPT ALL SELECT {_COLUMNS} FROM register_answer)
        UNION ALL
        (SELECT {_COLUMNS} FROM register_answer EXCEPT ALL SELECT {_COLUMNS} FROM ({EXPECTED}) e)
    ) AS differing
"""


async def drift(conn: AsyncConnection) -> int:
    """How many rows the read model lacks or holds beyond what the periods say (0: it is exact)."""
    return int((await conn.execute(sa.text(DRIFT))).scalar_one())
