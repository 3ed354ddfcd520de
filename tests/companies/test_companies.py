"""Companies in the back office: validation, normalisation, conflicts, filters, pagination."""

import asyncio

import pytest

from erkenning.core.caller import Role
from tests.factories import TokenFactory

ROUTE = "/api/v1/backoffice/companies"


def company_body(n: int = 1, **overrides) -> dict:
    body = {
        "kvk_number": f"{12345670 + n:08d}",
        "establishment_number": f"{100000000000 + n:012d}",
        "name": f"Bakkerij Nummer {n}",
        "street": "Dorpsstraat",
        "house_number": "1a",
        "postcode": "1234ab",
        "city": "Utrecht",
        "sector": "voedsel_groen_gastvrijheid",
        "email": "info@bakkerij.example",
    }
    body.update(overrides)
    return body


async def test_create_normalises_postcode_and_assigns_sbb_id(client, adviser) -> None:
    response = await client.post(ROUTE, json=company_body(postcode=" 1234ab "), headers=adviser.headers)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["postcode"] == "1234 AB"
    assert body["sbb_id"].isdigit() and len(body["sbb_id"]) == 9
    assert body["version"] == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("kvk_number", "1234567"),
        ("kvk_number", "1234567a"),
        ("establishment_number", "12345678901"),
        ("postcode", "0123 AB"),
        ("postcode", "1234 A"),
        ("sector", "bakery"),
        ("email", "not-an-address"),
        ("name", ""),
    ],
)
async def test_bad_values_get_422_naming_the_field(client, adviser, field: str, value: str) -> None:
    response = await client.post(ROUTE, json=company_body(**{field: value}), headers=adviser.headers)
    assert response.status_code == 422, response.text
    assert field in {e["field"] for e in response.json()["errors"]}


async def test_protected_fields_are_refused(client, adviser) -> None:
    response = await client.post(ROUTE, json=company_body(version=7, id="x"), headers=adviser.headers)
    assert response.status_code == 422


async def test_duplicate_establishment_number_is_409(client, adviser) -> None:
    assert (await client.post(ROUTE, json=company_body(1), headers=adviser.headers)).status_code == 201
    again = await client.post(ROUTE, json=company_body(2, establishment_number=f"{100000000001:012d}"),
                              headers=adviser.headers)
    assert again.status_code == 409
    assert again.json()["type"] == "urn:erkenning:problem:duplicate-establishment"


async def test_update_needs_the_current_version(client, adviser) -> None:
    created = (await client.post(ROUTE, json=company_body(), headers=adviser.headers)).json()
    url = f"{ROUTE}/{created['id']}"
    updated = await client.patch(url, json={"version": 1, "name": "Bakkerij De Korenschoof"}, headers=adviser.headers)
    assert updated.status_code == 200 and updated.json()["version"] == 2
    stale = await client.patch(url, json={"version": 1, "city": "Zeist"}, headers=adviser.headers)
    assert stale.status_code == 409
    assert stale.json()["type"] == "urn:erkenning:problem:stale-version"


async def test_concurrent_updates_one_wins(client, adviser) -> None:
    created = (await client.post(ROUTE, json=company_body(), headers=adviser.headers)).json()
    url = f"{ROUTE}/{created['id']}"
    results = await asyncio.gather(
        *(client.patch(url, json={"version": 1, "city": f"Stad {i}"}, headers=adviser.headers) for i in range(5))
    )
    assert sorted(r.status_code for r in results) == [200, 409, 409, 409, 409]


async def test_list_filters_and_pagination(client, adviser) -> None:
    for n in range(1, 8):
        city = "Utrecht" if n % 2 else "Zwolle"
        sector = "handel" if n <= 3 else "zorg_welzijn_sport"
        await client.post(ROUTE, json=company_body(n, city=city, sector=sector, postcode=f"{3500 + n} AB"),
                          headers=adviser.headers)
    page = (await client.get(ROUTE, params={"city": "utrecht", "limit": 2}, headers=adviser.headers)).json()
    assert page["total"] == 4 and len(page["items"]) == 2 and page["limit"] == 2
    second = (await client.get(ROUTE, params={"city": "utrecht", "limit": 2, "offset": 2},
                               headers=adviser.headers)).json()
    assert {c["id"] for c in page["items"]}.isdisjoint({c["id"] for c in second["items"]})
    assert (await client.get(ROUTE, params={"sector": "handel"}, headers=adviser.headers)).json()["total"] == 3
    by_postcode = (await client.get(ROUTE, params={"postcode": "3502ab"}, headers=adviser.headers)).json()
    assert [c["name"] for c in by_postcode["items"]] == ["Bakkerij Nummer 2"]
    by_name = (await client.get(ROUTE, params={"name": "nummer 5"}, headers=adviser.headers)).json()
    assert by_name["total"] == 1
    assert (await client.get(ROUTE, params={"postcode": "nope"}, headers=adviser.headers)).status_code == 422
    assert (await client.get(ROUTE, params={"limit": 1000}, headers=adviser.headers)).status_code == 422


async def test_companies_and_schools_cannot_use_the_back_office(client, tokens: TokenFactory, adviser) -> None:
    created = (await client.post(ROUTE, json=company_body(), headers=adviser.headers)).json()
    company = await tokens.make(Role.COMPANY, company_id=created["id"])
    school = await tokens.make(Role.SCHOOL, school_brin="25LX")
    for caller in (company, school):
        assert (await client.get(f"{ROUTE}/{created['id']}", headers=caller.headers)).status_code == 403
