"""The import's SQL checks agree with the API's validators: SQL vouches only for what the API accepts.

For every value in a corpus of plain, unusual and bad values, a row (otherwise good) is checked both
ways: by `sqlcheck`'s SQL in PostgreSQL and by the API's own model in Python. Where SQL says "surely
good", the API must accept the row and normalise it to exactly the same values; plain values must be
vouched for by SQL (else every row would take the slow path). What SQL does not vouch for is decided
by the API's model in the import, so it needs no agreement here.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from erkenning.bulk.rows import KINDS, RowError
from erkenning.bulk.sqlcheck import staging_sql
from erkenning.core import clock
from erkenning.core.runtime import Runtime

TODAY = clock.today()
DAY = (TODAY - timedelta(days=10)).isoformat()
LONG_DOMAIN = "a@" + ".".join(["b" * 60] * 5) + ".nl"

BASE = {
    "companies": {"sbb_id": "", "kvk_number": "12345678", "establishment_number": "500000000001",
                  "name": "Bakkerij 1", "street": "Dorpsstraat", "house_number": "1", "postcode": "1234 AB",
                  "city": "Utrecht", "sector": "handel", "email": "info@bakkerij.nl"},
    "qualifications": {"crebo": "25180", "name": "Kok", "level": "2", "active": ""},
    "recognitions": {"establishment_number": "500000000001", "sbb_id": "", "crebo": "25180", "pathway": "bol",
                     "status": "active", "since": DAY, "granted_on": "", "reassessment_due": ""},
}

# Per column: (plain values SQL must vouch for, other values: unusual or bad).
CORPUS: dict[str, dict[str, tuple[list[str], list[str]]]] = {
    "companies": {
        "sbb_id": (["", "7", "100000001", "123456789012"], ["1234567890123", "12a", " 12 ", "１２", "-1", "1 2"]),
        "kvk_number": (["12345678", " 12345678 "], ["1234 5678", "1234567", "123456789", "1234567a", "١٢٣٤٥٦٧٨",
                                                    "", "\u00a012345678", "12345678\x1c"]),
        "establishment_number": (["500000000001"], ["5000 0000 0001", "50000000000", "5000000000011", "", "x"]),
        "name": (["Bakkerij de Korenschoof", "Café ’t Hoekje", "x" * 200, "  Kapsalon  "],
                 ["", " ", "x" * 201, "\u00a0Naam\u00a0", "\x1cNaam", "Naam\x1f", "\tTab\t", "\u3000Naam",
                  "Naam\u2028"]),
        "street": (["Dorpsstraat", "", "x" * 200], ["x" * 201, "\x1e"]),
        "house_number": (["12", "12a", "", "x" * 20], ["x" * 21]),
        "postcode": (["1234 AB", "1234ab", "9999zz", "1234 aB"],
                     ["0123 AB", "1234 SA", "1234 sd", "1234ss", "NL-1234 AB", "nl1234ab", "1234-AB", "12345 AB",
                      "1234  AB", "１２３４ AB", "1234 ÄB", "", "12 34 AB", "1234 A"]),
        "city": (["Utrecht", "x" * 100, "'s-Hertogenbosch"], ["x" * 101, "", "\x1dUtrecht"]),
        "sector": (["handel", "zorg_welzijn_sport"], ["Handel", "bakery", "", " handel"]),
        "email": (["", "info@bakkerij.nl", "a.b-c_d+e@sub.domain.example", "jan@x-y.nl"],
                  ["Info@x.nl", "INFO@X.NL", "Jan@x.nl", "info@X.nl", "a@b", "a@b.c", "a@localhost", "a@x.test",
                   "a@x.local", "a@x.onion", "a@x.arpa", "a@x.invalid", "a@xn--bcher-kva.nl", "a@x--y.nl",
                   "a..b@x.nl", ".a@x.nl", "a.@x.nl", "a@-x.nl", "a@x-.nl", "a@x.123", "a@1.2.3.4",
                   "jan <jan@x.nl>", "jan@x.nl\n", '"a b"@x.nl', "ü@x.nl", "a@ü.nl", "x" * 65 + "@x.nl",
                   LONG_DOMAIN, "a@x.nl.", "a@x..nl", "postmaster@x.nl", "a@[127.0.0.1]", "a b@x.nl",
                   "a@x.n", "a!#$%&'*/=?^`{|}~@x.nl"]),
    },
    "qualifications": {
        "crebo": (["25180", " 25180 "], ["2518", "251800", "2518a", "", "２５１８０"]),
        "name": (["Kok", "x" * 200], ["x" * 201, ""]),
        "level": (["1", "4", " 3 "], ["0", "5", "03", "3.0", "", "three", "+3", "٣"]),
        "active": (["", "true", "false", "0", "1", "yes", "no", "t", "f", "on", "off", "y", "n"],
                   ["TRUE", "True", "x", "2", "ja", "tr"]),
    },
    "recognitions": {
        "establishment_number": (["500000000001"], ["5000 0000 0001", "50000000001", "x", ""]),
        "sbb_id": (["", "700000002"], ["x", " 7 0 "]),
        "crebo": (["25180"], ["2518", ""]),
        "pathway": (["bol", "bbl", "BBL", "Bol"], ["x", "", "b o l", " bol", "bol "]),
        "status": (["active", "suspended", "withdrawn", "lapsed", "pending", "ACTIVE"], ["refused", "", "actief", " active"]),
        "since": ([DAY, "2024-02-29", "0001-01-01", TODAY.isoformat()],
                  ["2023-02-29", "2024-13-01", "2024-00-10", "2024-04-31", "0000-01-01",
                   (TODAY + timedelta(days=1)).isoformat(), "2024-1-5", "20240105", "2024-01-05T00:00:00",
                   "1700000000", "", "05-01-2024", "2024-01-05 "]),
        "granted_on": (["", "2024-02-29"], ["2023-02-29", "2024-02-30", "x", "2024-06-31"]),
        "reassessment_due": (["", "2099-12-31"], ["2099-12-32", "12/31/2099"]),
    },
}


def _cases(kind: str) -> list[tuple[dict[str, str], bool]]:
    """(row, SQL must vouch for it): the base row with one cell changed, for every corpus value."""
    cases = [(dict(BASE[kind]), True)]
    for column, (plain, others) in CORPUS[kind].items():
        cases += [({**BASE[kind], column: value}, True) for value in plain]
        cases += [({**BASE[kind], column: value}, False) for value in others]
    if kind == "recognitions":  # the row rule: a company named by one of the two
        cases.append(({**BASE[kind], "establishment_number": "", "sbb_id": "700000002"}, True))
        cases.append(({**BASE[kind], "establishment_number": "", "sbb_id": ""}, False))
    return cases


def _api(kind: str, row: dict[str, str]) -> tuple[Any, ...] | None:
    try:
        return KINDS[kind].check(row)
    except RowError:
        return None


@pytest.mark.parametrize("kind", list(CORPUS))
async def test_sql_vouches_only_for_rows_the_api_accepts_and_normalises_them_alike(
    runtime: Runtime, kind: str
) -> None:
    columns = KINDS[kind].columns
    cases = _cases(kind)
    async with runtime.engine.connect() as conn, conn.begin():
        await conn.exec_driver_sql("SELECT 1")  # opens the transaction the temp tables live in
        pg = (await conn.get_raw_connection()).driver_connection
        await pg.execute(f"CREATE TEMP TABLE corpus_raw (line integer, {', '.join(f'{c} text' for c in columns)})"
                         " ON COMMIT DROP")
        await pg.copy_records_to_table("corpus_raw", records=[(i, *(row[c] for c in columns))
                                                              for i, (row, _) in enumerate(cases)],
                                           columns=("line", *columns))
        await pg.execute(staging_sql(kind, columns, list(columns), TODAY, source="corpus_raw", target="corpus"))
        checked = {r["line"]: r for r in await pg.fetch(f"SELECT line, ok, {', '.join(columns)} FROM corpus")}

    vouched = 0
    for i, (row, plain) in enumerate(cases):
        sql, api = checked[i], _api(kind, row)
        if plain:
            assert sql["ok"], f"SQL does not vouch for a plain row: {row}"
        if not sql["ok"]:
            continue
        vouched += 1
        assert api is not None, f"SQL vouches for a row the API refuses: {row}"
        assert tuple(sql[c] for c in columns) == api, f"SQL and the API normalise differently: {row}"
    assert vouched > 0
    assert any(not checked[i]["ok"] for i in range(len(cases))), "the corpus has no row SQL leaves to the API"
