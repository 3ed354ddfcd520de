"""Finding a company as people ask for it: one number in one field (KvK, establishment number or SBB id), or
part of the name plus town (pg_trgm), capped and paged."""

from __future__ import annotations

import pytest

from erkenning.core.runtime import Runtime
from erkenning.register import lean
from tests.factories import make_company

SEARCH = "/api/v1/register/companies"


async def test_one_number_finds_by_kvk_establishment_number_or_sbb_id_and_says_which(client, runtime: Runtime) -> None:
    shop = await make_company(runtime, name="Fietsenwinkel Oost", kvk_number="41234567")
    branch = await make_company(runtime, name="Fietsenwinkel West", kvk_number="41234567")
    await make_company(runtime, name="Ander bedrijf")

    by_kvk = (await client.get(SEARCH, params={"number": "41234567"})).json()
    assert [(i["name"], i["matched_on"]) for i in by_kvk["items"]] == [
        ("Fietsenwinkel Oost", "kvk_number"), ("Fietsenwinkel West", "kvk_number"),
    ]
    assert by_kvk["total"] == 2 and by_kvk["capped"] is False
    by_establishment = (await client.get(SEARCH, params={"number": branch.establishment_number})).json()
    assert [(i["sbb_id"], i["matched_on"]) for i in by_establishment["items"]] == [
        (branch.sbb_id, "establishment_number")
    ]
    by_sbb_id = (await client.get(SEARCH, params={"number": shop.sbb_id})).json()
    assert [(i["sbb_id"], i["matched_on"]) for i in by_sbb_id["items"]] == [(shop.sbb_id, "sbb_id")]
    nothing = (await client.get(SEARCH, params={"number": "49999999"})).json()
    assert (nothing["items"], nothing["total"]) == ([], 0)


async def test_an_eight_digit_number_is_tried_as_kvk_number_and_as_sbb_id(client, runtime: Runtime) -> None:
    by_id = await make_company(runtime, name="Alfa", sbb_id="52345678")
    await make_company(runtime, name="Bravo", kvk_number="52345678")
    found = (await client.get(SEARCH, params={"number": "52345678"})).json()
    assert [(i["name"], i["matched_on"]) for i in found["items"]] == [("Alfa", "sbb_id"), ("Bravo", "kvk_number")]
    assert found["items"][0]["sbb_id"] == by_id.sbb_id


@pytest.mark.parametrize(
    "params",
    [
        {"number": "1234567890123"},  # 13 digits: no key is that long
        {"number": "12a45678"},
        {"number": ""},
        {"name_contains": "ab"},  # fewer than 3 characters: the index cannot help, and it lists half the register
        {"name_contains": "a b c"},
        {"name_contains": "een twee drie vier vijf zes"},  # more than 5 words
        {"name_contains": "x" * 101},
        {"town": "Utrecht"},  # a town alone is a listing by another name
        {"number": "41234567", "name_contains": "fiets"},  # one way at a time
        {"name_contains": "fiets", "postcode": "3511 AB"},
    ],
)
async def test_malformed_or_mixed_searches_are_refused(client, params) -> None:
    response = await client.get(SEARCH, params=params)
    assert response.status_code in (400, 422), response.text
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_part_of_the_name_in_any_order_and_case_plus_town(client, runtime: Runtime) -> None:
    await make_company(runtime, name="Bakkerij De Korenschoof B.V.", city="Utrecht")
    await make_company(runtime, name="Korenschoof Catering", city="Amersfoort")
    await make_company(runtime, name="Slagerij Jansen", city="Utrecht")

    anywhere = (await client.get(SEARCH, params={"name_contains": "KORENSCHOOF"})).json()
    assert sorted(i["name"] for i in anywhere["items"]) == ["Bakkerij De Korenschoof B.V.", "Korenschoof Catering"]
    assert all(i["matched_on"] is None for i in anywhere["items"])
    in_town = (await client.get(SEARCH, params={"name_contains": "koren bakk", "town": " utrecht "})).json()
    assert [(i["name"], i["city"]) for i in in_town["items"]] == [("Bakkerij De Korenschoof B.V.", "Utrecht")]
    other_town = (await client.get(SEARCH, params={"name_contains": "korenschoof", "town": "Zeist"})).json()
    assert (other_town["items"], other_town["total"]) == ([], 0)


async def test_the_closest_name_comes_first(client, runtime: Runtime) -> None:
    await make_company(runtime, name="Garage Autobedrijf Hoogland en Zonen Techniek")
    await make_company(runtime, name="Garage Hoogland")
    found = (await client.get(SEARCH, params={"name_contains": "garage hoogland"})).json()
    assert [i["name"] for i in found["items"]][0] == "Garage Hoogland"


async def test_like_wildcards_typed_in_the_name_are_taken_literally(client, runtime: Runtime) -> None:
    await make_company(runtime, name="Voor 100% Zorg")
    await make_company(runtime, name="Voor 1000 Zorg")
    await make_company(runtime, name="Zorg_Plus")
    await make_company(runtime, name="ZorgXPlus")
    percent = (await client.get(SEARCH, params={"name_contains": "100%"})).json()
    assert [i["name"] for i in percent["items"]] == ["Voor 100% Zorg"]
    underscore = (await client.get(SEARCH, params={"name_contains": "zorg_p"})).json()
    assert [i["name"] for i in underscore["items"]] == ["Zorg_Plus"]


async def test_a_name_search_is_capped_and_paged(app_with, runtime: Runtime) -> None:
    for n in range(6):
        await make_company(runtime, name=f"Kapsalon Knip {n}", city="Delft")
    async with app_with(register_name_search_cap=4) as (client, _):
        first = (await client.get(SEARCH, params={"name_contains": "kapsalon", "limit": 3})).json()
        assert (len(first["items"]), first["total"], first["capped"]) == (3, 4, True)
        second = (await client.get(SEARCH, params={"name_contains": "kapsalon", "limit": 3, "offset": 3})).json()
        assert (len(second["items"]), second["total"], second["capped"]) == (1, 4, True)
        assert {i["name"] for i in first["items"]}.isdisjoint({i["name"] for i in second["items"]})
        beyond = (await client.get(SEARCH, params={"name_contains": "kapsalon", "offset": 10})).json()
        assert (beyond["items"], beyond["total"], beyond["capped"]) == ([], 4, True)
        exact = (await client.get(SEARCH, params={"name_contains": "knip 5", "town": "delft"})).json()
        assert (exact["total"], exact["capped"]) == (1, False)


async def test_the_trigram_index_serves_the_name_search(runtime: Runtime) -> None:
    """pg_trgm is installed by the migrations and its GIN index can answer `name ILIKE '%part%'`."""
    async with lean.connection(runtime) as conn, conn.transaction():
        assert await conn.fetchval("SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'") == 1
        await conn.execute("SET LOCAL enable_seqscan = off")
        plan = "\n".join(r[0] for r in await conn.fetch(
            "EXPLAIN SELECT sbb_id FROM company c WHERE c.name ILIKE $1", "%korenschoof%",
        ))
    assert "ix_company_name_trgm" in plan, plan


async def test_the_number_search_and_name_search_are_rate_limited_as_the_register_is(app_with) -> None:
    async with app_with(register_anon_limit=2) as (client, _):
        assert (await client.get(SEARCH, params={"number": "41234567"})).status_code == 200
        assert (await client.get(SEARCH, params={"name_contains": "fiets"})).status_code == 200
        limited = await client.get(SEARCH, params={"name_contains": "fiets", "town": "Delft"})
    assert limited.status_code == 429
