"""The qualifications catalogue: admins keep it by hand or from CSV (upsert on crebo, bad lines reported)."""


from erkenning.core.caller import Role
from tests.factories import QUALIFICATIONS_GOOD_AND_BAD, TokenFactory

ROUTE = "/api/v1/backoffice/qualifications"


async def test_import_loads_good_lines_reports_bad_ones_and_is_safe_to_repeat(client, admin) -> None:
    headers = {**admin.headers, "Content-Type": "text/csv"}
    first = await client.post(f"{ROUTE}/import", content=QUALIFICATIONS_GOOD_AND_BAD.encode(), headers=headers)
    assert first.status_code == 200, first.text
    report = first.json()
    assert (report["inserted"], report["updated"], report["unchanged"]) == (3, 0, 0)
    assert [e["line"] for e in report["errors"]] == [3, 5, 7, 9, 10]

    again = (await client.post(f"{ROUTE}/import", content=QUALIFICATIONS_GOOD_AND_BAD.encode(), headers=headers)).json()
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
