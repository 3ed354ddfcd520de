"""The register's read model (`register_answer`, ADR 0016): the database keeps it from the periods, in the
writing statement's transaction, whatever writes them; the keys it copies cannot change under it; an import
that changes a recognition's periods waits for a decision holding that recognition, as decisions wait for
each other.

(Every test of the suite also ends with the read model compared to the periods: tests/conftest.py, `clean`.)
"""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from erkenning.bulk.importer import import_csv
from erkenning.core.runtime import Runtime
from erkenning.recognition.models import Pathway
from erkenning.recognition.models import RecognitionStatus as S
from erkenning.register import answers
from erkenning.register.services import lookup
from tests.factories import make_company, make_recognition
from tests.helpers import write_csv


async def _rows(runtime: Runtime, recognition_id: object) -> list[tuple]:
    async with runtime.engine.connect() as conn:
        result = await conn.execute(sa.text(
            "SELECT status, lower(during), upper(during), since, until, xmin::text FROM register_answer"
            " WHERE recognition_id = :id ORDER BY lower(during)"), {"id": recognition_id})
        return [tuple(r) for r in result.all()]


async def _drift(runtime: Runtime) -> int:
    async with runtime.engine.connect() as conn:
        return await answers.drift(conn)


async def _sql(runtime: Runtime, sql: str, **params: object) -> None:
    async with runtime.engine.begin() as conn:
        await conn.execute(sa.text(sql), params)


async def test_every_kind_of_period_write_is_followed_in_its_own_transaction(runtime: Runtime) -> None:
    company = await make_company(runtime)
    recognition = await make_recognition(runtime, company, [
        (S.ACTIVE, date(2020, 1, 1), date(2022, 1, 1)),
        (S.ACTIVE, date(2022, 1, 1), date(2024, 1, 1)),
        (S.SUSPENDED, date(2024, 1, 1), None),
    ])
    rows = await _rows(runtime, recognition.id)
    assert [r[:5] for r in rows] == [  # the two active periods are one run
        ("active", date(2020, 1, 1), date(2022, 1, 1), date(2020, 1, 1), date(2024, 1, 1)),
        ("active", date(2022, 1, 1), date(2024, 1, 1), date(2020, 1, 1), date(2024, 1, 1)),
        ("suspended", date(2024, 1, 1), None, date(2024, 1, 1), None),
    ]
    # An update that splits the run: the earlier period becomes lapsed.
    await _sql(runtime, "UPDATE recognition_period SET status = 'lapsed' WHERE recognition_id = :id"
               " AND lower(during) = '2020-01-01'", id=recognition.id)
    assert [r[3:5] for r in await _rows(runtime, recognition.id)] == [
        (date(2020, 1, 1), date(2022, 1, 1)), (date(2022, 1, 1), date(2024, 1, 1)), (date(2024, 1, 1), None)]
    # A delete, and an insert, in one transaction: what it commits is what the register answers.
    async with runtime.engine.begin() as conn:
        await conn.execute(sa.text("DELETE FROM recognition_period WHERE recognition_id = :id"
                                   " AND lower(during) = '2024-01-01'"), {"id": recognition.id})
        await conn.execute(sa.text(
            "INSERT INTO recognition_period (id, recognition_id, status, during) VALUES"
            " (gen_random_uuid(), :id, 'active', daterange('2024-01-01', NULL))"), {"id": recognition.id})
    assert [r[:5] for r in await _rows(runtime, recognition.id)][1:] == [
        ("active", date(2022, 1, 1), date(2024, 1, 1), date(2022, 1, 1), None),
        ("active", date(2024, 1, 1), None, date(2022, 1, 1), None),
    ]
    answer = await lookup.verify(runtime, company.sbb_id, "25180", Pathway.BOL, date(2030, 5, 1))
    assert (answer.recognised, answer.since, answer.until) == (True, date(2022, 1, 1), None)
    # A rolled-back write leaves it as it was.
    before = await _rows(runtime, recognition.id)
    with pytest.raises(RuntimeError):
        async with runtime.engine.begin() as conn:
            await conn.execute(sa.text("DELETE FROM recognition_period WHERE recognition_id = :id"), {"id": recognition.id})
            raise RuntimeError("roll back")
    assert await _rows(runtime, recognition.id) == before
    assert await _drift(runtime) == 0


async def test_a_write_that_changes_no_answer_rewrites_nothing(runtime: Runtime) -> None:
    """The daily task sets `applied` on periods that began: no row of the read model is written for it."""
    company = await make_company(runtime)
    recognition = await make_recognition(runtime, company, [(S.ACTIVE, date(2020, 1, 1), None)])
    before = await _rows(runtime, recognition.id)
    await _sql(runtime, "UPDATE recognition_period SET applied = NOT applied WHERE recognition_id = :id", id=recognition.id)
    assert await _rows(runtime, recognition.id) == before  # the same row version (xmin) too


@pytest.mark.parametrize(("sql", "what"), [
    ("UPDATE company SET sbb_id = '199999999' WHERE id = :company", "SBB id"),
    ("UPDATE qualification SET crebo = '99999' WHERE id = :qualification", "crebo"),
    ("UPDATE recognition SET pathway = 'bbl' WHERE id = :recognition", "pathway"),
])
async def test_the_keys_it_copies_cannot_change(runtime: Runtime, sql: str, what: str) -> None:
    company = await make_company(runtime)
    recognition = await make_recognition(runtime, company, [(S.ACTIVE, date(2020, 1, 1), None)])
    with pytest.raises(DBAPIError, match=f"{what}.* never changes once written"):
        await _sql(runtime, sql, company=company.id, qualification=recognition.qualification_id,
                   recognition=recognition.id)
    # An update that leaves the key as it was is fine.
    await _sql(runtime, "UPDATE company SET sbb_id = sbb_id, name = 'Nieuwe naam' WHERE id = :id", id=company.id)
    assert await _drift(runtime) == 0


async def test_an_import_changing_a_recognition_waits_for_the_decision_that_holds_it(
    runtime: Runtime, tmp_path: Path
) -> None:
    company = await make_company(runtime)
    # The recognition's own row already says suspended: the import changes only its periods.
    recognition = await make_recognition(runtime, company, [(S.ACTIVE, date(2020, 1, 1), None)], status=S.SUSPENDED)
    path = write_csv(tmp_path / "r.csv", ["establishment_number", "crebo", "pathway", "status", "since"],
                     [[company.establishment_number, "25180", "bol", "suspended", "2026-01-01"]])
    async with runtime.engine.connect() as holder:  # a decision's transaction: the recognition locked
        await holder.begin()
        await holder.execute(sa.text("SELECT 1 FROM recognition WHERE id = :id FOR UPDATE"), {"id": recognition.id})
        importing = asyncio.ensure_future(import_csv(runtime.engine, "recognitions", path))
        await asyncio.sleep(1.0)
        assert not importing.done()
        # The decision goes on to write the recognition's periods, as decisions do after locking it. Had the
        # import taken the period rows first and then waited for the recognition (its new period's foreign key
        # check), the two would deadlock here and PostgreSQL would abort one of them.
        await holder.execute(sa.text("UPDATE recognition_period SET applied = applied WHERE recognition_id = :id"),
                             {"id": recognition.id})
        await holder.commit()
    report = await asyncio.wait_for(importing, 30)
    assert (report.refused, report.periods_changed, report.periods_added) == (0, 1, 1)
    async with runtime.engine.connect() as conn:
        version = (await conn.execute(sa.text("SELECT version FROM recognition WHERE id = :id"),
                                      {"id": recognition.id})).scalar_one()
    assert version == recognition.version  # its row was not written: the import changed only its periods
    answer = await lookup.verify(runtime, company.sbb_id, "25180", Pathway.BOL, date(2026, 2, 1))
    assert (answer.status, answer.since) == (S.SUSPENDED, date(2026, 1, 1))
    assert await _drift(runtime) == 0
