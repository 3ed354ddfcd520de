"""The company portal: its own card, recognitions with history, decisions, objections; never another's."""

from datetime import timedelta

import pytest

from erkenning.core import clock
from erkenning.core.caller import Role
from erkenning.letters import RENDERER
from erkenning.recognition.schemas import DecisionCreate
from erkenning.recognition.services.decisions import DecisionService
from tests.factories import TokenFactory, World, as_caller
from tests.helpers import PORTAL


@pytest.fixture
async def other(world: World, tokens: TokenFactory, client):
    """Another company with a recognition, a sent suspension with an objection, and an intended decision."""
    company = await tokens.make(Role.COMPANY)
    recognition_id = await world.granted(company_id=company.company_id)
    suspension_id = await world.decide("suspend", [recognition_id], until_reinstated=True)
    objection = await client.post(
        f"{PORTAL}/decisions/{suspension_id}/objections", json={"grounds": "Nee."}, headers=company.headers
    )
    assert objection.status_code == 201
    async with world.runtime.transaction() as session:
        service = DecisionService(session, world.runtime.settings, RENDERER)
        intended = await service.draft(
            DecisionCreate(
                kind="withdraw",
                recognition_ids=[recognition_id],
                grounds="g",
                legal_basis="b",
                effective_from=clock.today() + timedelta(days=60),
                criterion_code="non_discrimination",
            ),
            as_caller(world.adviser),
        )
        await service.intend(intended.id, as_caller(world.adviser))
    return {
        "recognition_id": recognition_id,
        "decision_id": suspension_id,
        "intended_id": intended.id,
        "objection_id": objection.json()["id"],
    }


FOREIGN_ROUTES = [
    ("GET", "/recognitions/{recognition_id}", None),
    ("GET", "/decisions/{decision_id}", None),
    ("GET", "/decisions/{intended_id}", None),
    ("POST", "/decisions/{decision_id}/objections", {"grounds": "Namens een ander."}),
    ("POST", "/decisions/{intended_id}/response", {"text": "Namens een ander."}),
    ("GET", "/objections/{objection_id}", None),
    ("POST", "/objections/{objection_id}/withdraw", None),
]


@pytest.mark.parametrize(("method", "route", "body"), FOREIGN_ROUTES)
async def test_every_portal_route_with_another_companys_id_is_404(
    client, world: World, other, method, route, body
) -> None:
    url = PORTAL + route.format(**other)
    response = await client.request(method, url, json=body, headers=world.company.headers)
    assert response.status_code == 404, response.text
    assert response.json()["type"] == "urn:erkenning:problem:not-found"


async def test_lists_hold_only_our_own(client, world: World, other) -> None:
    mine = await world.granted("25181")
    for route in ("/recognitions", "/decisions", "/objections"):
        response = (await client.get(PORTAL + route, headers=world.company.headers)).json()
        items = response["items"] if isinstance(response, dict) else response
        for item in items:
            assert item.get("company_id") == str(world.company_id)
    assert [
        r["id"] for r in (await client.get(f"{PORTAL}/recognitions", headers=world.company.headers)).json()
    ] == [str(mine)]
    assert (await client.get(f"{PORTAL}/objections", headers=world.company.headers)).json()["total"] == 0


async def test_our_card_recognitions_with_history_and_decisions(client, world: World) -> None:
    today = clock.today()
    recognition_id = await world.granted(on=today - timedelta(days=30))
    suspension = await world.decide(
        "suspend",
        [recognition_id],
        effective_from=today + timedelta(days=5),
        effective_until=today + timedelta(days=35),
    )
    draft = await client.post(
        "/api/v1/backoffice/decisions",
        headers=world.adviser.headers,
        json={
            "kind": "impose_conditions",
            "recognition_ids": [str(recognition_id)],
            "grounds": "g",
            "legal_basis": "b",
        },
    )
    assert draft.status_code == 201

    card = (await client.get(f"{PORTAL}/company", headers=world.company.headers)).json()
    assert card["id"] == str(world.company_id)
    [recognition] = (await client.get(f"{PORTAL}/recognitions", headers=world.company.headers)).json()
    assert recognition["status"] == "active" and recognition["crebo"] == "25180"
    assert [(p["status"], p["valid_from"], p["valid_until"]) for p in recognition["periods"]] == [
        ("active", (today - timedelta(days=30)).isoformat(), (today + timedelta(days=5)).isoformat()),
        ("suspended", (today + timedelta(days=5)).isoformat(), (today + timedelta(days=35)).isoformat()),
        ("active", (today + timedelta(days=35)).isoformat(), None),
    ]
    decisions = (await client.get(f"{PORTAL}/decisions", headers=world.company.headers)).json()
    # The draft is not shown: a company sees a decision once it is put to it or sent.
    assert [d["kind"] for d in decisions["items"]] == ["suspend", "grant"]
    assert (
        await client.get(f"{PORTAL}/decisions/{draft.json()['id']}", headers=world.company.headers)
    ).status_code == 404
    detail = (await client.get(f"{PORTAL}/decisions/{suspension}", headers=world.company.headers)).json()
    assert detail["grounds"] == "Bezoek op locatie." and detail["objection_deadline"]
    assert "drafted_by" not in detail and "approved_by" not in detail and "actions" not in detail
    assert detail["recognitions"][0]["crebo"] == "25180"


async def test_the_portal_is_for_company_tokens_only(client, world: World) -> None:
    for who in (world.adviser, world.admin):
        assert (await client.get(f"{PORTAL}/recognitions", headers=who.headers)).status_code == 403
    assert (await client.get(f"{PORTAL}/recognitions")).status_code == 401
