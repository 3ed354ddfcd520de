"""Seeding makes consistent data that passes the import's rules; the register export shows only public columns."""

from __future__ import annotations

import csv
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from erkenning.bulk.export import REGISTER_COLUMNS, export_register, export_table
from erkenning.bulk.importer import import_csv
from erkenning.core import clock
from erkenning.core.runtime import Runtime
from erkenning.core.settings import Settings
from erkenning.devtools.seed import seed
from erkenning.devtools.synthetic import Generator
from erkenning.devtools.synthetic_catalogue import catalogue
from tests.factories import COMPANY_HEADER, company_row
from tests.helpers import run_cli, write_csv


async def scalar_rows(runtime: Runtime, sql: str) -> list:
    async with runtime.engine.connect() as conn:
        return list((await conn.execute(sa.text(sql), {"today": clock.today()})).all())


async def test_seed_makes_consistent_data(runtime: Runtime) -> None:
    report = await seed(runtime.engine, companies=200, seed_value=5, qualifications=120)

    assert (report.qualifications, report.companies) == (120, 200)
    assert 450 <= report.recognitions <= 700  # about three a company
    # Exactly one period holds today for every recognition, and it says what the recognition says.
    assert await scalar_rows(runtime, """
        SELECT r.id FROM recognition r LEFT JOIN recognition_period p
               ON p.recognition_id = r.id AND p.during @> CAST(:today AS date)
        GROUP BY r.id, r.status HAVING count(p.id) <> 1 OR min(p.status) <> r.status
    """) == []
    assert await scalar_rows(runtime, """
        SELECT a.id FROM recognition_period a JOIN recognition_period b
               ON a.recognition_id = b.recognition_id AND a.id <> b.id AND a.during && b.during
    """) == []
    statuses = dict(await scalar_rows(runtime, "SELECT status, count(*) FROM recognition GROUP BY status"))
    assert statuses["active"] > report.recognitions * 0.7
    assert statuses.get("suspended", 0) > 0 and statuses.get("withdrawn", 0) > 0
    # A status other than active came after an active period that ended on the day it began.
    assert await scalar_rows(runtime, """
        SELECT r.id FROM recognition r WHERE r.status IN ('suspended', 'withdrawn', 'lapsed') AND NOT EXISTS (
            SELECT 1 FROM recognition_period a JOIN recognition_period b ON a.recognition_id = b.recognition_id
            WHERE a.recognition_id = r.id AND a.status = 'active' AND upper(a.during) = lower(b.during)
              AND b.status = r.status)
    """) == []


async def test_seed_is_deterministic_and_idempotent(runtime: Runtime) -> None:
    entries = catalogue(50, seed=2)
    ids = {e.crebo: f"{i}" for i, e in enumerate(entries)}
    first = Generator(2, entries, ids, clock.today()).batch(10, 20)
    assert Generator(2, entries, ids, clock.today()).batch(10, 20) == first
    assert Generator(3, entries, ids, clock.today()).batch(10, 20) != first

    await seed(runtime.engine, companies=30, seed_value=2, qualifications=50)
    before = await scalar_rows(runtime, "SELECT * FROM company ORDER BY id")
    again = await seed(runtime.engine, companies=30, seed_value=2, qualifications=50)
    assert (again.qualifications, again.companies, again.recognitions, again.periods) == (0, 0, 0, 0)
    assert await scalar_rows(runtime, "SELECT * FROM company ORDER BY id") == before


async def test_seeded_data_passes_the_import_rules_and_round_trips_unchanged(runtime: Runtime, tmp_path: Path) -> None:
    await seed(runtime.engine, companies=150, seed_value=9, qualifications=100)
    for kind in ("qualifications", "companies", "recognitions"):
        path = tmp_path / f"{kind}.csv"
        rows = await export_table(runtime.engine, kind, path)
        report = await import_csv(runtime.engine, kind, path)
        assert report.problems == [], (kind, report.problems[:3])
        assert (report.rows, report.unchanged, report.periods_added) == (rows, rows, 0)


async def test_register_export_holds_only_public_columns_and_what_holds_today(
    runtime: Runtime, tmp_path: Path
) -> None:
    await import_csv(runtime.engine, "companies", write_csv(tmp_path / "c.csv", COMPANY_HEADER,
                                                            [company_row(1), company_row(2)]))
    await import_csv(runtime.engine, "qualifications",
                     write_csv(tmp_path / "q.csv", ["crebo", "name", "level"], [["25180", "Kok", "2"]]))
    since = (clock.today() - timedelta(days=400)).isoformat()
    rows = [["500000000001", "25180", "bol", "active", since], ["500000000001", "25180", "bbl", "suspended", since],
            ["500000000002", "25180", "bol", "withdrawn", since]]
    await import_csv(runtime.engine, "recognitions", write_csv(
        tmp_path / "r.csv", ["establishment_number", "crebo", "pathway", "status", "since"], rows))

    assert await export_register(runtime.engine, tmp_path / "register.csv") == 1

    with open(tmp_path / "register.csv", newline="") as f:
        exported = list(csv.DictReader(f))
    sbb_id = (await scalar_rows(runtime, "SELECT sbb_id FROM company WHERE establishment_number = '500000000001'"))[0][0]
    assert list(exported[0]) == list(REGISTER_COLUMNS)
    assert exported == [{"sbb_id": sbb_id, "name": "Bakkerij 1", "postcode": "1234 AB", "city": "Utrecht",
                         "crebo": "25180", "qualification": "Kok", "level": "2", "pathway": "bol",
                         "status": "active", "since": since}]


async def test_cli_import_reports_bad_lines_exits_nonzero_and_export_writes_the_register(
    settings: Settings, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "companies.csv", COMPANY_HEADER,
                     [company_row(1), company_row(2, establishment_number="12"), company_row(3)])
    code, out = await run_cli(settings, "import", "companies", str(path), "--errors-file", str(tmp_path / "e.csv"))
    assert code == 1, out
    assert "line 3: establishment_number: an establishment number (vestigingsnummer) is exactly 12 digits" in out
    assert "companies: 3 rows, 2 inserted, 0 updated, 0 unchanged, 1 refused" in out
    assert (tmp_path / "e.csv").read_text().splitlines()[1].startswith("3,establishment_number:")

    code, out = await run_cli(settings, "import", "companies", str(path))
    assert code == 1 and "0 inserted, 0 updated, 2 unchanged, 1 refused" in out

    code, out = await run_cli(settings, "import", "companies", str(write_csv(tmp_path / "x.csv", ["name"], [["x"]])))
    assert code == 1 and "nothing was loaded" in out and "Traceback" not in out

    code, out = await run_cli(settings, "export", "register", str(tmp_path / "register.csv"))
    assert code == 0, out
    assert (tmp_path / "register.csv").read_text().splitlines() == [",".join(REGISTER_COLUMNS)]


async def test_cli_imports_several_files_in_one_process_in_dependency_order(
    settings: Settings, runtime: Runtime, tmp_path: Path
) -> None:
    companies = write_csv(tmp_path / "a.csv", COMPANY_HEADER, [company_row(1)])
    qualifications = write_csv(tmp_path / "b.csv", ["crebo", "name", "level"], [["25180", "Kok", "2"]])
    recognitions = write_csv(tmp_path / "c.csv", ["establishment_number", "crebo", "pathway", "status", "since"],
                             [["500000000001", "25180", "bol", "active", "2024-01-01"]])
    # Given in the wrong order, each file's kind read from its header: loaded as qualifications,
    # companies, recognitions, so the recognition finds both.
    code, out = await run_cli(settings, "import", str(recognitions), str(companies), str(qualifications))
    assert code == 0, out
    assert out.index("qualifications: 1 rows") < out.index("companies: 1 rows") < out.index("recognitions: 1 rows")
    assert "recognitions: 1 rows, 1 inserted" in out
    assert (await scalar_rows(runtime, "SELECT count(*) FROM recognition"))[0][0] == 1

    # A header that fits no kind, a missing file, a kind with two files: refused before anything loads.
    odd = write_csv(tmp_path / "odd.csv", ["colour"], [["red"]])
    for args in ((str(odd), str(companies)), (str(tmp_path / "absent.csv"),), ("companies", str(companies), str(odd)),
                 (str(companies), str(companies))):
        code, out = await run_cli(settings, "import", *args)
        assert code == 2 and "Traceback" not in out, out


async def test_seeded_statuses_have_decisions_behind_them(runtime: Runtime) -> None:
    await seed(runtime.engine, companies=120, seed_value=7, qualifications=60)
    # Every period but a pending application's comes from a sent or final decision on the same company.
    assert await scalar_rows(runtime, """
        SELECT p.id FROM recognition_period p JOIN recognition r ON r.id = p.recognition_id
        LEFT JOIN decision d ON d.id = p.decision_id
        WHERE p.status <> 'pending'
          AND (d.id IS NULL OR d.company_id <> r.company_id OR d.status NOT IN ('sent', 'final')
               OR d.effective_from <> lower(p.during) OR d.approved_by = d.drafted_by)
    """) == []
    kinds = dict(await scalar_rows(runtime, "SELECT kind, count(*) FROM decision GROUP BY kind"))
    assert kinds["grant"] > 0 and kinds.get("suspend", 0) > 0 and kinds.get("withdraw", 0) > 0
    # Each decision names its recognition, with the status it moved it to.
    assert await scalar_rows(runtime, """
        SELECT d.id FROM decision d LEFT JOIN decision_recognition l ON l.decision_id = d.id
        JOIN recognition_period p ON p.id = d.id
        WHERE l.decision_id IS NULL OR l.status_after <> p.status
    """) == []
    before = (await scalar_rows(runtime, "SELECT count(*) FROM decision"))[0][0]
    await seed(runtime.engine, companies=120, seed_value=7, qualifications=60)
    assert (await scalar_rows(runtime, "SELECT count(*) FROM decision"))[0][0] == before
