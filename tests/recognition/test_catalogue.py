"""The qualifications catalogue: admins keep it by hand or from CSV (upsert on crebo, bad lines reported)."""

import pytest

from erkenning.core.caller import Role
from erkenning.recognition.services.qualifications import CsvUnreadable, parse_qualifications_csv
from tests.helpers import TokenFactory

ROUTE = "/api/v1/backoffice/qualifications"

GOOD_AND_BAD = (
    "crebo,name,level,active\n"
    "25180,Kok,2,true\n"
    "2518,Te kort,2,\n"
    "25181,Zelfstandig werkend kok,3,\n"
    "25182,Gespecialiseerd kok,7,ja\n"
    "\n"
    "25180,Kok (dubbel),2,\n"
    '25183,"Kok, leidinggevend",4,nee\n'
    "25184,Kok,2,misschien\n"
    "25185,Extra,2,true,overbodig\n"
)


def test_csv_parser_reports_bad_lines_by_number_and_keeps_the_good_ones() -> None:
    parsed = parse_qualifications_csv(GOOD_AND_BAD)
    assert [(r.crebo, r.name, r.level, r.active) for r in parsed.rows] == [
        ("25180", "Kok", 2, True),
        ("25181", "Zelfstandig werkend kok", 3, True),
        ("25183", "Kok, leidinggevend", 4, False),
    ]
    assert [(e.line, e.reason.split(":")[0]) for e in parsed.errors] == [
        (3, "crebo"),
        (5, "level"),
        (7, "crebo 25180 already on line 2"),
        (9, "active"),
        (10, "more fields than the header has"),
    ]


def test_csv_parser_takes_semicolons_and_a_byte_order_mark() -> None:
    parsed = parse_qualifications_csv("\ufeffCrebo;Name;Level\n25180;Kok;2\n")
    assert [(r.crebo, r.active) for r in parsed.rows] == [("25180", True)]


@pytest.mark.parametrize(("text", "message"), [("", "empty"), ("crebo,naam\n25180,Kok\n", "name, level")])
def test_csv_without_the_needed_header_is_unreadable(text: str, message: str) -> None:
    with pytest.raises(CsvUnreadable, match=message):
        parse_qualifications_csv(text)


@pytest.fixture
async def admin(tokens: TokenFactory):
    return await tokens.make(Role.ADMIN)


async def test_import_loads_good_lines_reports_bad_ones_and_is_safe_to_repeat(client, admin) -> None:
    headers = {**admin.headers, "Content-Type": "text/csv"}
    first = await client.post(f"{ROUTE}/import", content=GOOD_AND_BAD.encode(), headers=headers)
    assert first.status_code == 200, first.text
    report = first.json()
    assert (report["inserted"], report["updated"], report["unchanged"]) == (3, 0, 0)
    assert [e["line"] for e in report["errors"]] == [3, 5, 7, 9, 10]

    again = (await client.post(f"{ROUTE}/import", content=GOOD_AND_BAD.encode(), headers=headers)).json()
    assert (again["inserted"], again["updated"], again["unchanged"]) == (0, 0, 3)

    changed = "crebo,name,level\n25180,Kok (nieuw),2\n25186,Bakker,2\n"
    upload = await client.post(
        f"{ROUTE}/import", files={"file": ("kwalificaties.csv", changed, "text/csv")}, headers=admin.headers
    )
    assert upload.status_code == 200, upload.text
    assert (upload.json()["inserted"], upload.json()["updated"], upload.json()["unchanged"]) == (1, 1, 0)
    listed = (await client.get(ROUTE, params={"crebo": "25180"}, headers=admin.headers)).json()
    assert [q["name"] for q in listed["items"]] == ["Kok (nieuw)"]
    assert (await client.get(ROUTE, headers=admin.headers)).json()["total"] == 4


async def test_import_refuses_other_media_types_and_unreadable_files(client, admin) -> None:
    as_json = await client.post(f"{ROUTE}/import", json={"crebo": "25180"}, headers=admin.headers)
    assert as_json.status_code == 415
    latin1 = await client.post(
        f"{ROUTE}/import",
        content="crebo,name,level\n25180,Kok à la carte,2\n".encode("latin-1"),
        headers={**admin.headers, "Content-Type": "text/csv"},
    )
    assert latin1.status_code == 422 and latin1.json()["type"] == "urn:erkenning:problem:csv-unreadable"


async def test_admin_keeps_the_catalogue_and_advisers_read_it(client, admin, tokens: TokenFactory) -> None:
    adviser = await tokens.make(Role.ADVISER)
    created = await client.post(
        ROUTE, json={"crebo": "25180", "name": "Kok", "level": 2}, headers=admin.headers
    )
    assert created.status_code == 201, created.text
    qid = created.json()["id"]
    assert (
        await client.post(ROUTE, json={"crebo": "25180", "name": "Kok", "level": 2}, headers=admin.headers)
    ).status_code == 409
    bad = await client.post(ROUTE, json={"crebo": "2518", "name": "Kok", "level": 5}, headers=admin.headers)
    assert bad.status_code == 422 and {e["field"] for e in bad.json()["errors"]} >= {"crebo", "level"}
    updated = await client.patch(f"{ROUTE}/{qid}", json={"active": False, "level": 3}, headers=admin.headers)
    assert updated.json()["active"] is False and updated.json()["level"] == 3
    assert (
        await client.patch(f"{ROUTE}/{qid}", json={"crebo": "99999"}, headers=admin.headers)
    ).status_code == 422

    assert (await client.get(f"{ROUTE}/{qid}", headers=adviser.headers)).status_code == 200
    assert (await client.get(ROUTE, params={"active": "false", "level": 3}, headers=adviser.headers)).json()[
        "total"
    ] == 1
    assert (
        await client.post(ROUTE, json={"crebo": "25181", "name": "x", "level": 2}, headers=adviser.headers)
    ).status_code == 403
    assert (
        await client.patch(f"{ROUTE}/{qid}", json={"active": True}, headers=adviser.headers)
    ).status_code == 403
