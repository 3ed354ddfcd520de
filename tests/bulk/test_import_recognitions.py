"""Recognitions import: references resolved, current period written, history kept, re-import writes nothing."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from erkenning.bulk.importer import import_csv
from erkenning.core import clock
from erkenning.core.runtime import Runtime
from tests.factories import COMPANY_HEADER, company_row
from tests.helpers import write_csv

HEADER = ["establishment_number", "sbb_id", "crebo", "pathway", "status", "since"]


@pytest.fixture
async def catalogue(runtime: Runtime, tmp_path: Path) -> dict[str, str]:
    """Two companies and two qualifications; returns the companies' SBB ids by establishment number."""
    await import_csv(runtime.engine, "companies",
                     write_csv(tmp_path / "c.csv", COMPANY_HEADER,
                               [company_row(1), company_row(2, sbb_id="700000002")]))
    await import_csv(runtime.engine, "qualifications",
                     write_csv(tmp_path / "q.csv", ["crebo", "name", "level"], [["25180", "Kok", "2"],
                                                                                ["25491", "Verzorgende-IG", "3"]]))
    async with runtime.engine.connect() as conn:
        rows = await conn.execute(sa.text("SELECT establishment_number, sbb_id FROM company"))
        return dict(rows.all())


async def rows_of(runtime: Runtime, sql: str) -> list[tuple]:
    async with runtime.engine.connect() as conn:
        return [tuple(r) for r in (await conn.execute(sa.text(sql))).all()]


async def periods(runtime: Runtime) -> list[tuple]:
    return await rows_of(
        runtime,
        "SELECT c.establishment_number, q.crebo, r.pathway, r.status AS now, r.version, p.status,"
        "       lower(p.during), upper(p.during)"
        " FROM recognition_period p JOIN recognition r ON r.id = p.recognition_id"
        " JOIN company c ON c.id = r.company_id JOIN qualification q ON q.id = r.qualification_id"
        " ORDER BY 1, 2, 3, lower(p.during)",
    )


def day(n: int) -> str:
    return (clock.today() - timedelta(days=n)).isoformat()


async def test_recognitions_are_loaded_with_their_current_period(runtime: Runtime, tmp_path: Path, catalogue) -> None:
    rows = [
        ["500000000001", "", "25180", "bol", "active", day(100)],
        ["", "700000002", "25180", "BBL", "suspended", day(10)],       # by SBB id; pathway case-insensitive
        ["500000000099", "", "25180", "bol", "active", day(5)],         # line 4: unknown company
        ["500000000001", "", "99999", "bol", "active", day(5)],         # line 5: unknown crebo
        ["500000000001", "700000002", "25491", "bol", "active", day(5)],  # line 6: two different companies
        ["500000000001", "", "25180", "bol", "withdrawn", day(1)],      # line 7: same recognition as line 2
        ["500000000001", "", "25491", "bol", "active", (clock.today() + timedelta(days=1)).isoformat()],  # line 8
    ]
    report = await import_csv(runtime.engine, "recognitions", write_csv(tmp_path / "r.csv", HEADER, rows))

    assert report.problems == [
        (4, "establishment_number: no company with this establishment number"),
        (5, "crebo: not in the qualification catalogue"),
        (6, "sbb_id: names another company than establishment_number"),
        (7, "company, crebo and pathway: also on line 2"),
        (8, "since: must not be in the future (future-dated changes come from decisions)"),
    ]
    assert await periods(runtime) == [
        ("500000000001", "25180", "bol", "active", 1, "active", date.fromisoformat(day(100)), None),
        ("500000000002", "25180", "bbl", "suspended", 1, "suspended", date.fromisoformat(day(10)), None),
    ]
    assert (report.inserted, report.periods_added) == (2, 2)


async def test_reimport_writes_no_second_period(runtime: Runtime, tmp_path: Path, catalogue) -> None:
    path = write_csv(tmp_path / "r.csv", HEADER, [["500000000001", "", "25180", "bol", "active", day(100)],
                                                  ["500000000002", "", "25491", "bbl", "pending", day(3)]])
    await import_csv(runtime.engine, "recognitions", path)
    before = await periods(runtime)
    async with runtime.engine.connect() as conn:
        stamps = (await conn.execute(sa.text("SELECT id, updated_at FROM recognition ORDER BY id"))).all()

    again = await import_csv(runtime.engine, "recognitions", path)

    assert (again.inserted, again.updated, again.unchanged, again.periods_added, again.periods_changed) == (0, 0, 2, 0, 0)
    assert await periods(runtime) == before
    async with runtime.engine.connect() as conn:
        assert (await conn.execute(sa.text("SELECT id, updated_at FROM recognition ORDER BY id"))).all() == stamps


async def test_a_new_status_closes_the_current_period_and_opens_the_next(
    runtime: Runtime, tmp_path: Path, catalogue
) -> None:
    await import_csv(runtime.engine, "recognitions", write_csv(
        tmp_path / "a.csv", HEADER, [["500000000001", "", "25180", "bol", "active", day(100)]]))

    report = await import_csv(runtime.engine, "recognitions", write_csv(
        tmp_path / "b.csv", HEADER, [["500000000001", "", "25180", "bol", "withdrawn", day(20)]]))

    assert (report.updated, report.periods_changed, report.periods_added) == (1, 1, 1)
    assert await periods(runtime) == [
        ("500000000001", "25180", "bol", "withdrawn", 2, "active", date.fromisoformat(day(100)),
         date.fromisoformat(day(20))),
        ("500000000001", "25180", "bol", "withdrawn", 2, "withdrawn", date.fromisoformat(day(20)), None),
    ]


async def test_same_start_corrects_the_current_period(runtime: Runtime, tmp_path: Path, catalogue) -> None:
    row = ["500000000001", "", "25180", "bol", "active", day(30)]
    await import_csv(runtime.engine, "recognitions", write_csv(tmp_path / "a.csv", HEADER, [row]))
    row[4] = "suspended"
    report = await import_csv(runtime.engine, "recognitions", write_csv(tmp_path / "b.csv", HEADER, [row]))
    assert (report.periods_changed, report.periods_added) == (1, 0)
    assert [p[3:] for p in await periods(runtime)] == [
        ("suspended", 2, "suspended", date.fromisoformat(day(30)), None)
    ]


async def test_a_period_the_import_changes_is_kept_in_the_history(runtime: Runtime, tmp_path: Path, catalogue) -> None:
    await import_csv(runtime.engine, "recognitions", write_csv(
        tmp_path / "a.csv", HEADER, [["500000000001", "", "25180", "bol", "active", day(100)]]))
    assert await rows_of(runtime, "SELECT count(*) FROM recognition_period_history") == [(0,)]  # inserts only

    await import_csv(runtime.engine, "recognitions", write_csv(
        tmp_path / "b.csv", HEADER, [["500000000001", "", "25180", "bol", "withdrawn", day(20)]]))

    # The open active period was ended at day(20): what it said before is in the history, recorded until the
    # import's time, superseded by no decision or objection; the row now says it since that same time.
    [(status, lower, upper, by_decision, by_objection)] = await rows_of(
        runtime,
        "SELECT status, lower(during), upper(during), superseded_by_decision_id,"
        " superseded_by_objection_id FROM recognition_period_history",
    )
    assert (status, lower, upper, by_decision, by_objection) == (
        "active", date.fromisoformat(day(100)), None, None, None
    )
    assert await rows_of(
        runtime, "SELECT count(*) FROM recognition_period WHERE status = 'active' AND recorded_from = "
        "(SELECT recorded_until FROM recognition_period_history)"
    ) == [(1,)]


async def test_history_before_the_current_period_is_refused(runtime: Runtime, tmp_path: Path, catalogue) -> None:
    await import_csv(runtime.engine, "recognitions", write_csv(
        tmp_path / "a.csv", HEADER, [["500000000001", "", "25180", "bol", "active", day(30)]]))
    rows = [["500000000001", "", "25180", "bol", "withdrawn", day(40)],
            ["500000000001", "", "25180", "bol", "active", day(10)]]
    report = await import_csv(runtime.engine, "recognitions", write_csv(tmp_path / "b.csv", HEADER, rows[:1]))
    assert report.problems == [(2, f"since: before the current period, which began on {day(30)} "
                                   "(earlier history is changed by decisions)")]
    report = await import_csv(runtime.engine, "recognitions", write_csv(tmp_path / "c.csv", HEADER, rows[1:]))
    assert report.problems == [(2, f"since: already active since {day(30)}")]
    assert len(await periods(runtime)) == 1


async def _schema(runtime: Runtime) -> list[tuple]:
    return await rows_of(
        runtime,
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE conrelid IN ('company'::regclass, 'recognition'::regclass, 'recognition_period'::regclass)"
        " UNION ALL SELECT tablename, indexname, indexdef FROM pg_indexes"
        " WHERE tablename IN ('company', 'recognition', 'recognition_period') ORDER BY 1, 2, 3",  # a key and its index share a name
    )


async def test_a_first_load_rebuilds_every_index_and_constraint_it_set_aside(
    runtime: Runtime, tmp_path: Path
) -> None:
    before = await _schema(runtime)
    await import_csv(runtime.engine, "companies",
                     write_csv(tmp_path / "c.csv", COMPANY_HEADER, [company_row(1), company_row(2)]))
    await import_csv(runtime.engine, "qualifications",
                     write_csv(tmp_path / "q.csv", ["crebo", "name", "level"], [["25180", "Kok", "2"]]))
    report = await import_csv(runtime.engine, "recognitions", write_csv(
        tmp_path / "r.csv", HEADER, [["500000000001", "", "25180", "bol", "active", day(3)],
                                     ["500000000002", "", "25180", "bbl", "active", day(3)]]))

    assert report.inserted == 2 and report.periods_added == 2
    assert await _schema(runtime) == before
