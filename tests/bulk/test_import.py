"""CSV import: every row checked by the API's rules, bad rows reported by line, the rest loaded, re-runs change nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from erkenning.bulk.importer import ImportFailed, import_csv
from erkenning.core.runtime import Runtime
from tests.factories import COMPANY_HEADER, company_row
from tests.helpers import write_csv


async def company_table(runtime: Runtime) -> list[dict]:
    async with runtime.engine.connect() as conn:
        rows = await conn.execute(sa.text("SELECT * FROM company ORDER BY establishment_number"))
        return [dict(r._mapping) for r in rows]


async def test_bad_rows_are_reported_by_line_and_the_rest_is_loaded(runtime: Runtime, tmp_path: Path) -> None:
    rows = [
        company_row(1),
        company_row(2, postcode="0123 AB"),            # line 3: not a Dutch postcode
        company_row(3),
        company_row(4, kvk_number="1234"),             # line 5
        company_row(5, sector="bakery", email="nope"),  # line 6: two reasons
        company_row(6),
        company_row(1, name="Dubbel"),                 # line 8: same establishment number as line 2
    ]
    path = write_csv(tmp_path / "companies.csv", COMPANY_HEADER, rows)

    report = await import_csv(runtime.engine, "companies", path)

    assert [line for line, _ in report.problems] == [3, 5, 6, 8]
    reasons = dict(report.problems)
    assert reasons[3].startswith("postcode:")
    assert reasons[5].startswith("kvk_number:")
    assert "sector:" in reasons[6] and "email:" in reasons[6]
    assert reasons[8] == "establishment_number: also on line 2"
    loaded = await company_table(runtime)
    assert [c["establishment_number"] for c in loaded] == [f"{500000000000 + n}" for n in (1, 3, 6)]
    assert loaded[0]["postcode"] == "1234 AB" and loaded[0]["name"] == "Bakkerij 1"  # normalised as the API does
    assert all(c["sbb_id"].isdigit() for c in loaded)
    assert (report.inserted, report.updated, report.refused) == (3, 0, 4)


async def test_running_an_import_twice_changes_nothing(runtime: Runtime, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "companies.csv", COMPANY_HEADER, [company_row(n) for n in range(1, 21)])
    await import_csv(runtime.engine, "companies", path)
    before = await company_table(runtime)

    again = await import_csv(runtime.engine, "companies", path)

    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 20)
    assert await company_table(runtime) == before  # every column, updated_at and version included


async def test_a_changed_row_is_updated_and_only_that_one(runtime: Runtime, tmp_path: Path) -> None:
    await import_csv(runtime.engine, "companies", write_csv(tmp_path / "a.csv", COMPANY_HEADER,
                                                            [company_row(1), company_row(2)]))
    before = {c["establishment_number"]: c for c in await company_table(runtime)}
    changed = write_csv(tmp_path / "b.csv", COMPANY_HEADER, [company_row(1), company_row(2, city="Zwolle", email="")])

    report = await import_csv(runtime.engine, "companies", changed)

    after = {c["establishment_number"]: c for c in await company_table(runtime)}
    one, two = "500000000001", "500000000002"
    assert (report.updated, report.unchanged) == (1, 1)
    assert after[one] == before[one]
    assert after[two]["city"] == "Zwolle" and after[two]["version"] == 2
    assert after[two]["updated_at"] > before[two]["updated_at"]
    assert after[two]["email"] == before[two]["email"]  # an empty cell keeps what is registered
    assert after[two]["sbb_id"] == before[two]["sbb_id"]


async def test_sbb_id_conflicts_are_refused(runtime: Runtime, tmp_path: Path) -> None:
    await import_csv(runtime.engine, "companies", write_csv(tmp_path / "a.csv", COMPANY_HEADER,
                                                            [company_row(1, sbb_id="900000001")]))
    rows = [company_row(2, sbb_id="900000001"), company_row(1, sbb_id="900000002"), company_row(3, sbb_id="7"),
            company_row(4, sbb_id="7")]
    report = await import_csv(runtime.engine, "companies", write_csv(tmp_path / "b.csv", COMPANY_HEADER, rows))
    assert report.problems == [
        (2, "sbb_id: in use by another company"),
        (3, "sbb_id: this establishment is registered under SBB id 900000001"),
        (5, "sbb_id: also on line 4"),
    ]


async def test_semicolons_a_byte_order_mark_and_missing_optional_columns_are_fine(
    runtime: Runtime, tmp_path: Path
) -> None:
    header = ["Establishment_Number", "kvk_number", "name", "postcode", "city", "sector"]
    path = write_csv(tmp_path / "c.csv", header, [[f"{600000000000 + n}", "12345678", f"Kapsalon {n}", "9999 zz",
                                                   "Groningen", "specialistisch_vakmanschap"] for n in range(3)],
                     delimiter=";", bom=True)
    report = await import_csv(runtime.engine, "companies", path)
    assert (report.inserted, report.refused) == (3, 0)


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (["establishment_number", "kvk_number", "name", "postcode", "city"], "missing column(s) sector"),
        ([*COMPANY_HEADER, "iban"], "unknown column(s) iban"),
        ([*COMPANY_HEADER, "name"], "column(s) named twice: name"),
    ],
)
async def test_a_bad_header_loads_nothing(runtime: Runtime, tmp_path: Path, header: list[str], message: str) -> None:
    path = write_csv(tmp_path / "bad.csv", header, [company_row(1)[: len(header)]])
    with pytest.raises(ImportFailed, match=message.replace("(", r"\(").replace(")", r"\)")):
        await import_csv(runtime.engine, "companies", path)
    assert await company_table(runtime) == []


async def test_a_row_with_the_wrong_number_of_cells_is_refused(runtime: Runtime, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "c.csv", COMPANY_HEADER, [company_row(1), company_row(2)[:5], company_row(3)])
    report = await import_csv(runtime.engine, "companies", path)
    assert report.problems == [(3, "row: has 5 cells, the header has 10")]
    assert report.inserted == 2


async def test_qualifications_upsert_on_crebo(runtime: Runtime, tmp_path: Path) -> None:
    header = ["crebo", "name", "level"]
    first = write_csv(tmp_path / "q1.csv", header, [["25180", "Kok", "2"], ["2518", "Te kort", "2"],
                                                    ["25181", "Zelfstandig werkend kok", "5"]])
    report = await import_csv(runtime.engine, "qualifications", first)
    assert [line for line, _ in report.problems] == [3, 4] and report.inserted == 1

    second = write_csv(tmp_path / "q2.csv", [*header, "active"], [["25180", "Kok", "2", "false"]])
    report = await import_csv(runtime.engine, "qualifications", second)
    assert report.updated == 1
    async with runtime.engine.connect() as conn:
        active = (await conn.execute(sa.text("SELECT active FROM qualification WHERE crebo = '25180'"))).scalar()
    assert active is False


async def test_values_sql_cannot_vouch_for_are_decided_by_the_api_model(runtime: Runtime, tmp_path: Path) -> None:
    rows = [
        # valid, unusual: loaded, normalised (the API document's pattern: no "NL-" prefix or dash since issue 16)
        company_row(1, postcode=" 1234ab ", email="Info@Bakkerij.Example"),
        company_row(2, postcode="0000 XX"),                                     # line 3: refused, the API's message
        company_row(3, kvk_number=" 4000 0003 ", name="\u00a0Bakkerij 3\u00a0"),  # spaces the API strips
        company_row(4),
    ]
    report = await import_csv(runtime.engine, "companies", write_csv(tmp_path / "c.csv", COMPANY_HEADER, rows))

    assert [line for line, _ in report.problems] == [3]
    assert report.problems[0][1] == "postcode: a Dutch postcode looks like 1234 AB"
    loaded = {c["establishment_number"]: c for c in await company_table(runtime)}
    one, three = loaded["500000000001"], loaded["500000000003"]
    assert (one["postcode"], one["email"]) == ("1234 AB", "info@bakkerij.example")
    assert (three["kvk_number"], three["name"]) == ("40000003", "Bakkerij 3")
    assert report.inserted == 3
