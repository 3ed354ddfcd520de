"""Search by exact keys, one number or part of the name (+ town), 50 a page at most; the public card shows name,
place and today's recognitions."""

from datetime import date

import pytest

from erkenning.core.runtime import Runtime
from erkenning.recognition.models import Pathway
from erkenning.recognition.models import RecognitionStatus as S
from tests.factories import SUSPENSION_AND_WITHDRAWAL, make_company, make_recognition
from tests.helpers import on_day

SEARCH = "/api/v1/register/companies"
ITEM_KEYS = {"sbb_id", "name", "city", "postcode", "matched_on"}
CARD_KEYS = {"sbb_id", "name", "city", "postcode"}


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"name": "Bakkerij Jansen"},  # a name alone is a listing by another name
        {"postcode": "3511 AB"},
        {"crebo": "25180"},
        {"city": "Utrecht"},  # not a key at all
        {"kvk_number": "30000001", "name": "Bakkerij Jansen"},  # keys are used in their sets, not mixed
        {"limit": "50"},
    ],
)
async def test_search_needs_exactly_one_key_set(client, params) -> None:
    response = await client.get(SEARCH, params=params)
    assert response.status_code == 422, response.text
    assert "kvk_number" in response.json()["detail"]  # the message says what is accepted


@pytest.mark.parametrize(
    "params",
    [
        {"kvk_number": "1234567"},
        {"establishment_number": "12345678901"},
        {"sbb_id": "abc"},
        {"name": "x", "postcode": "12345"},
        {"crebo": "2518", "postcode": "3511 AB"},
        {"kvk_number": "30000001", "limit": "51"},
        {"kvk_number": "30000001", "limit": "0"},
        {"kvk_number": "30000001", "offset": "-1"},
    ],
)
async def test_malformed_keys_and_oversized_pages_are_422(client, params) -> None:
    assert (await client.get(SEARCH, params=params)).status_code == 422


async def test_search_by_each_exact_key(client, runtime: Runtime) -> None:
    target = await make_company(runtime, name="Bakkerij Jansen", postcode="1234 AB", city="Zeist")
    await make_company(runtime, name="Bakkerij Jansen", postcode="9999 ZZ")  # same name elsewhere
    await make_company(runtime, name="Bakkerij Jansen en Zonen", postcode="1234 AB")  # not an exact name
    await make_recognition(runtime, target, [(S.ACTIVE, date(2020, 1, 1), None)])
    expected = [{"sbb_id": target.sbb_id, "name": "Bakkerij Jansen", "city": "Zeist", "postcode": "1234 AB",
                 "matched_on": None}]
    for params in (
        {"kvk_number": target.kvk_number},
        {"establishment_number": target.establishment_number},
        {"sbb_id": target.sbb_id},
        {"name": "bakkerij jansen", "postcode": "1234ab"},  # exact, but not case or spacing
        {"crebo": "25180", "postcode": "1234 AB"},
    ):
        body = (await client.get(SEARCH, params=params)).json()
        assert body["items"] == expected, params
        assert body["total"] == 1


async def test_crebo_search_finds_only_who_is_recognised_today(client, runtime: Runtime) -> None:
    suspended_now = await make_company(runtime, postcode="1234 AB")
    await make_recognition(runtime, suspended_now, SUSPENSION_AND_WITHDRAWAL)
    params = {"crebo": "25180", "postcode": "1234 AB"}
    with on_day(date(2026, 4, 1)):
        assert (await client.get(SEARCH, params=params)).json()["total"] == 0
    with on_day(date(2026, 7, 1)):
        assert [c["sbb_id"] for c in (await client.get(SEARCH, params=params)).json()["items"]] == [suspended_now.sbb_id]


async def test_search_pages_are_at_most_fifty(client, runtime: Runtime) -> None:
    # One KvK number, many establishments: the realistic way to have many hits for one exact key.
    for n in range(55):
        await make_company(runtime, kvk_number="55555555", name=f"Filiaal {n:02d}")
    first = (await client.get(SEARCH, params={"kvk_number": "55555555"})).json()
    assert (len(first["items"]), first["total"], first["limit"]) == (50, 55, 50)
    rest = (await client.get(SEARCH, params={"kvk_number": "55555555", "offset": 50})).json()
    assert (len(rest["items"]), rest["total"]) == (5, 55)
    assert {i["name"] for i in first["items"]}.isdisjoint({i["name"] for i in rest["items"]})
    beyond = (await client.get(SEARCH, params={"kvk_number": "55555555", "offset": 60})).json()
    assert (beyond["items"], beyond["total"]) == ([], 55)
    assert all(set(item) == ITEM_KEYS for item in first["items"])


async def test_card_shows_public_facts_and_only_active_recognitions(client, runtime: Runtime) -> None:
    company = await make_company(runtime, name="Garage Hendriks", postcode="5611 AB", city="Eindhoven",
                                 street="Geheime Laan", house_number="13", email="privé@garage.example")
    await make_recognition(runtime, company, SUSPENSION_AND_WITHDRAWAL, crebo="25180", qualification="Kok")
    await make_recognition(runtime, company, [(S.ACTIVE, date(2019, 5, 1), date(2021, 1, 1)),
                                              (S.ACTIVE, date(2021, 1, 1), None)],
                           crebo="25200", qualification="Autotechnicus", level=3, pathway=Pathway.BBL)
    with on_day(date(2026, 4, 1)):  # the Kok recognition is suspended today
        response = await client.get(f"/api/v1/register/companies/{company.sbb_id}")
    assert response.status_code == 200
    card = response.json()
    assert set(card) == {*CARD_KEYS, "recognitions"}
    assert card == {
        "sbb_id": company.sbb_id, "name": "Garage Hendriks", "city": "Eindhoven", "postcode": "5611 AB",
        "recognitions": [
            {"crebo": "25200", "qualification": "Autotechnicus", "level": 3, "pathway": "bbl", "since": "2019-05-01"},
        ],
    }
    for secret in ("Geheime Laan", "privé", company.kvk_number, str(company.id)):
        assert secret not in response.text

    with on_day(date(2026, 7, 1)):  # reinstated; the withdrawal is still to come
        card = (await client.get(f"/api/v1/register/companies/{company.establishment_number}")).json()
    assert [(r["crebo"], r["since"]) for r in card["recognitions"]] == [("25180", "2026-06-01"), ("25200", "2019-05-01")]
    assert all(set(r) == {"crebo", "qualification", "level", "pathway", "since"} for r in card["recognitions"])


async def test_a_withdrawn_company_is_on_the_register_without_recognitions(client, runtime: Runtime) -> None:
    company = await make_company(runtime)
    await make_recognition(runtime, company, [(S.ACTIVE, date(2020, 1, 1), date(2021, 1, 1)),
                                              (S.WITHDRAWN, date(2021, 1, 1), None)])
    card = (await client.get(f"/api/v1/register/companies/{company.sbb_id}")).json()
    assert card["recognitions"] == []


@pytest.mark.parametrize(("key", "status"), [("999999999", 404), ("000000000001", 404), ("abc", 422)])
async def test_unknown_card_is_404_and_a_malformed_key_422(client, key, status) -> None:
    assert (await client.get(f"/api/v1/register/companies/{key}")).status_code == status
