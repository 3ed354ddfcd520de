"""Recognition criteria as data: a grant waits until every criterion is met in a current assessment (409
naming what is missing, art. 7.2.10 WEB); a reassessment records each criterion with its date and shows on
the worklist; the list is versioned and an assessment keeps the version it was made on; only admins
publish; the register shows nothing of it. Through the API with real tokens."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any
from uuid import UUID

from dateutil.relativedelta import relativedelta

from erkenning.core import clock
from erkenning.core.errors import Conflict, ValidationFailed
from erkenning.core.runtime import Runtime
from erkenning.recognition.criteria import CriterionResult
from erkenning.recognition.criteria_schemas import CriteriaListCreate, CriteriaListRead, CriterionCreate
from erkenning.recognition.services.criteria import CriteriaService
from tests.factories import World, as_caller, decision_body

RECOGNITIONS = "/api/v1/backoffice/recognitions"
DECISIONS = "/api/v1/backoffice/decisions"
CRITERIA = "/api/v1/backoffice/criteria"
CODES = ["workplace_trainer", "suitable_workplace", "cooperation", "non_discrimination"]
M, N, U = CriterionResult.MET, CriterionResult.NOT_MET, CriterionResult.NOT_ASSESSED


def _items(**results: CriterionResult) -> list[dict[str, Any]]:
    return [{"code": code, "result": result.value, "note": f"bezoek: {code}"} for code, result in results.items()]


async def _assess(client, world: World, recognition_id: UUID, body: dict[str, Any], status: int = 201) -> dict:
    answer = await client.post(f"{RECOGNITIONS}/{recognition_id}/assessments", json=body, headers=world.adviser.headers)
    assert answer.status_code == status, answer.text
    return answer.json()


async def _draft_grant(client, world: World, recognition_id: UUID) -> str:
    drafted = await client.post(DECISIONS, json=decision_body("grant", [recognition_id]), headers=world.adviser.headers)
    assert drafted.status_code == 201, drafted.text
    return drafted.json()["id"]


async def test_the_shipped_list_holds_the_four_conditions_with_non_discrimination_explicit(client, world: World) -> None:
    current = (await client.get(f"{CRITERIA}/current", headers=world.adviser.headers)).json()
    assert current["version"] == 1 and current["valid_from"] == "2023-09-01" and current["valid_until"] is None
    assert [c["code"] for c in current["criteria"]] == CODES
    [fair] = [c for c in current["criteria"] if c["code"] == "non_discrimination"]
    assert "discriminatie" in fair["title"].lower() and "7.2.10 WEB" in fair["source"]


async def test_a_grant_is_refused_while_a_criterion_is_not_met_and_allowed_when_all_are(
    client, world: World
) -> None:
    recognition_id = await world.application(assessed=False)
    decision_id = await _draft_grant(client, world, recognition_id)
    approve = f"{DECISIONS}/{decision_id}/approve"

    refused = await client.post(approve, json={}, headers=world.adviser.headers)
    assert refused.status_code == 409 and "no assessment of the criteria recorded" in refused.json()["detail"]

    await _assess(client, world, recognition_id, {"items": _items(
        workplace_trainer=M, suitable_workplace=M, cooperation=U, non_discrimination=N)})
    refused = await client.post(approve, json={}, headers=world.adviser.headers)
    assert refused.status_code == 409, refused.text
    detail = refused.json()["detail"]
    assert "art. 7.2.10 WEB" in detail and "not met: non_discrimination" in detail and "not assessed: cooperation" in detail
    shown = (await client.get(f"{DECISIONS}/{decision_id}", headers=world.adviser.headers)).json()
    assert shown["status"] == "draft" and "approved" not in [a["to"] for a in shown["actions"]]
    assert shown["criteria_unmet"] == ["25180 bol: not met: non_discrimination; not assessed: cooperation"]

    await _assess(client, world, recognition_id, {"items": _items(**dict.fromkeys(CODES, M))})
    assert (await client.post(approve, json={}, headers=world.adviser.headers)).status_code == 200
    # An assessment recorded after the approval that finds a criterion no longer met stops the sending.
    await _assess(client, world, recognition_id, {"items": _items(**{**dict.fromkeys(CODES, M), "cooperation": N})})
    send = f"{DECISIONS}/{decision_id}/send"
    refused = await client.post(send, json={}, headers=world.senior.headers)
    assert refused.status_code == 409 and "not met: cooperation" in refused.json()["detail"]
    await _assess(client, world, recognition_id, {"items": _items(**dict.fromkeys(CODES, M))})
    sent = await client.post(send, json={}, headers=world.senior.headers)
    assert sent.status_code == 200, sent.text
    recognition = (await client.get(f"{RECOGNITIONS}/{recognition_id}", headers=world.adviser.headers)).json()
    assert recognition["status"] == "active"


async def test_a_reassessment_records_each_criterion_with_its_date_and_shows_on_the_worklist(
    client, world: World
) -> None:
    today = clock.today()
    granted_on = today - relativedelta(years=4) + timedelta(days=20)
    recognition_id = await world.granted(on=granted_on)
    due = (await client.get(f"{RECOGNITIONS}/{recognition_id}", headers=world.adviser.headers)).json()[
        "reassessment_due"]

    visit, earlier = today, today - timedelta(days=2)  # one criterion judged at an earlier call
    body = {"assessed_on": visit.isoformat(), "note": "Herbeoordeling op locatie", "items": [
        {"code": "workplace_trainer", "result": "met", "note": "Praktijkopleider gesproken"},
        {"code": "suitable_workplace", "result": "met"},
        {"code": "cooperation", "result": "met", "assessed_on": earlier.isoformat(), "note": "School gebeld"},
        {"code": "non_discrimination", "result": "not_met", "note": "Wervingstekst sluit groepen uit"},
    ]}
    recorded = await _assess(client, world, recognition_id, body)
    assert recorded["occasion"] == "reassessment" and recorded["criteria_version"] == 1
    assert recorded["assessed_on"] == visit.isoformat() and not recorded["all_met"]
    assert [(i["code"], i["result"], i["assessed_on"]) for i in recorded["items"]] == [
        ("workplace_trainer", "met", visit.isoformat()),
        ("suitable_workplace", "met", visit.isoformat()),
        ("cooperation", "met", earlier.isoformat()),
        ("non_discrimination", "not_met", visit.isoformat()),
    ]
    listed = (await client.get(f"{RECOGNITIONS}/{recognition_id}/assessments", headers=world.adviser.headers)).json()
    assert listed[0]["id"] == recorded["id"] and listed[0]["items"][3]["note"] == body["items"][3]["note"]
    assert [a["occasion"] for a in listed] == ["reassessment", "application"]

    worklist = (await client.get(f"{RECOGNITIONS}/reassessment-due", headers=world.adviser.headers)).json()
    [row] = [r for r in worklist["items"] if r["id"] == str(recognition_id)]
    assert row["reassessment_due"] == due
    assert row["last_assessment"] == {
        "assessment_id": recorded["id"], "assessed_on": visit.isoformat(), "criteria_version": 1, "all_met": False,
        "not_met": ["non_discrimination"], "not_assessed": [],
    }

    # Confirming a reassessment by date alone is refused while the latest assessment finds a criterion unmet.
    confirmed = await client.post(f"{RECOGNITIONS}/{recognition_id}/reassessed",
                                  json={"assessed_on": visit.isoformat()}, headers=world.adviser.headers)
    assert confirmed.status_code == 409 and "Record the reassessment first" in confirmed.json()["detail"]

    # Every criterion met: the next reassessment is due four years after this one, and it leaves the list.
    again = await _assess(client, world, recognition_id, {"items": _items(**dict.fromkeys(CODES, M))})
    assert again["all_met"] and again["assessed_on"] == today.isoformat()
    recognition = (await client.get(f"{RECOGNITIONS}/{recognition_id}", headers=world.adviser.headers)).json()
    assert recognition["reassessment_due"] == (today + relativedelta(years=4)).isoformat()
    worklist = (await client.get(f"{RECOGNITIONS}/reassessment-due", headers=world.adviser.headers)).json()
    assert str(recognition_id) not in [r["id"] for r in worklist["items"]]


async def test_bad_assessments_are_refused_and_change_nothing(client, world: World) -> None:
    recognition_id = await world.application(assessed=False)
    tomorrow = (clock.today() + timedelta(days=1)).isoformat()
    for body in (
        {"items": [{"code": "no_such_criterion", "result": "met"}]},
        {"items": [{"code": "cooperation", "result": "met"}, {"code": "cooperation", "result": "not_met"}]},
        {"items": [{"code": "cooperation", "result": "maybe"}]},
        {"assessed_on": tomorrow, "items": []},
        {"assessed_on": "2020-01-01", "items": []},  # before any criteria list was in force
        {"items": [{"code": "cooperation", "result": "met", "assessed_on": tomorrow}]},
        {"items": [], "extra": 1},
    ):
        answer = await client.post(
            f"{RECOGNITIONS}/{recognition_id}/assessments", json=body, headers=world.adviser.headers
        )
        assert answer.status_code in (400, 422), (body, answer.text)
        assert answer.headers["content-type"].startswith("application/problem+json")
    for who in (world.admin, world.company):
        answer = await client.post(
            f"{RECOGNITIONS}/{recognition_id}/assessments", json={"items": []}, headers=who.headers
        )
        assert answer.status_code == 403
    assert (await client.get(f"{RECOGNITIONS}/{recognition_id}/assessments", headers=world.adviser.headers)).json() == []


async def test_the_list_is_versioned_and_an_assessment_keeps_the_version_it_used(client, world: World) -> None:
    recognition_id = await world.application(assessed=False)
    first = await _assess(client, world, recognition_id, {"items": _items(**dict.fromkeys(CODES, M))})
    today = clock.today()
    current = (await client.get(f"{CRITERIA}/current", headers=world.adviser.headers)).json()
    new = {
        "valid_from": today.isoformat(),
        "note": "Sectoreis toegevoegd",
        "criteria": [
            *[{k: c[k] for k in ("code", "title", "description", "source")} for c in current["criteria"]],
            {"code": "safety_instruction", "title": "Veiligheidsinstructie", "description": "Instructie op dag 1.",
             "source": "erkenningsvoorwaarden SBB, sectoreis"},
        ],
    }
    for who in (world.adviser, world.senior):
        assert (await client.post(CRITERIA, json=new, headers=who.headers)).status_code == 403
    without = {**new, "criteria": [c for c in new["criteria"] if c["code"] != "non_discrimination"]}
    past = {**new, "valid_from": (today - timedelta(days=1)).isoformat()}
    for bad in (without, past):
        refused = await client.post(CRITERIA, json=bad, headers=world.admin.headers)
        assert refused.status_code == 422, refused.text
    published = await client.post(CRITERIA, json=new, headers=world.admin.headers)
    assert published.status_code == 201, published.text
    assert published.json()["version"] == 2

    versions = (await client.get(CRITERIA, headers=world.adviser.headers)).json()
    assert [(v["version"], v["valid_from"], v["valid_until"]) for v in versions] == [
        (2, today.isoformat(), None), (1, "2023-09-01", today.isoformat()),
    ]
    assert len((await client.get(f"{CRITERIA}/1", headers=world.adviser.headers)).json()["criteria"]) == 4
    assert (await client.get(f"{CRITERIA}/99", headers=world.adviser.headers)).status_code == 404

    kept = (await client.get(f"/api/v1/backoffice/assessments/{first['id']}", headers=world.adviser.headers)).json()
    assert kept["criteria_version"] == 1 and [i["code"] for i in kept["items"]] == CODES

    # A grant is judged on the version in force: the old assessment no longer suffices.
    decision_id = await _draft_grant(client, world, recognition_id)
    refused = await client.post(f"{DECISIONS}/{decision_id}/approve", json={}, headers=world.adviser.headers)
    assert refused.status_code == 409
    assert "assessed on criteria version 1; version 2 is in force" in refused.json()["detail"]
    second = await _assess(client, world, recognition_id, {"items": _items(
        **dict.fromkeys(CODES, M), safety_instruction=M)})
    assert second["criteria_version"] == 2 and len(second["items"]) == 5
    approved = await client.post(f"{DECISIONS}/{decision_id}/approve", json={}, headers=world.adviser.headers)
    assert approved.status_code == 200, approved.text


async def test_a_suspension_or_withdrawal_names_the_criterion_no_longer_met(client, world: World) -> None:
    recognition_id = await world.granted()
    body = decision_body("suspend", [recognition_id], until_reinstated=True)
    for code, status in ((None, 422), ("no_such_criterion", 422), ("cooperation", 201)):
        drafted = await client.post(DECISIONS, json={**body, "criterion_code": code}, headers=world.adviser.headers)
        assert drafted.status_code == status, drafted.text
    detail = (await client.get(f"{DECISIONS}/{drafted.json()['id']}", headers=world.adviser.headers)).json()
    assert detail["criterion"]["code"] == "cooperation" and detail["criterion_id"] == detail["criterion"]["id"]
    url = f"{DECISIONS}/{detail['id']}"
    for code, status in ((None, 422), ("no_such_criterion", 422), ("non_discrimination", 200), ("cooperation", 200)):
        changed = await client.patch(url, json={"criterion_code": code}, headers=world.adviser.headers)
        assert changed.status_code == status, changed.text
    assert (await client.get(url, headers=world.adviser.headers)).json()["criterion"]["code"] == "cooperation"
    letter = await client.get(f"{DECISIONS}/{detail['id']}/letter", headers=world.adviser.headers)
    assert "Samenwerking met school en SBB" in letter.text
    assert "De erkenningsvoorwaarde waaraan niet (meer) wordt voldaan" in letter.text


async def test_the_register_shows_nothing_of_the_criteria_only_the_status(client, world: World) -> None:
    recognition_id = await world.granted()
    secret = "Wervingstekst-sluit-uit-7391"
    await _assess(client, world, recognition_id, {"note": secret, "items": [
        {"code": "non_discrimination", "result": "not_met", "note": secret}]})
    company = await world.company_row()
    answers = [
        await client.get("/api/v1/register/companies", params={"sbb_id": company.sbb_id}),
        await client.get(f"/api/v1/register/companies/{company.sbb_id}"),
        await client.get(
            "/api/v1/register/verify", params={"company": company.sbb_id, "crebo": "25180", "pathway": "bol"}
        ),
    ]
    assert [a.status_code for a in answers] == [200, 200, 200], [a.text for a in answers]
    for answer in answers:
        text = answer.text.lower()
        assert secret.lower() not in text and "criteri" not in text and "non_discrimination" not in text
        assert "assess" not in text and "voorwaarde" not in text
    # The status that results from decisions only: still recognised, whatever the assessment found.
    assert answers[2].json()["status"] == "active"
    for path in (f"{RECOGNITIONS}/{recognition_id}/assessments", CRITERIA):
        assert (await client.get(path, headers=world.company.headers)).status_code == 403


async def test_two_admins_publishing_at_once_one_wins_the_other_is_told(runtime: Runtime, world: World) -> None:
    current = await _current_list(runtime)
    data = CriteriaListCreate(valid_from=clock.today(), note="gelijktijdig", criteria=[
        CriterionCreate(code=c.code, title=c.title, description=c.description, source=c.source)
        for c in current.criteria
    ])

    async def publish() -> str:
        try:
            async with runtime.transaction() as session:
                await CriteriaService(session).publish(data, as_caller(world.admin))
        except (Conflict, ValidationFailed):
            # 409 when it waited on the lock and lost; 422 when it read the winner's version (not after its start).
            return "refused"
        return "published"

    assert sorted(await asyncio.gather(publish(), publish())) == ["published", "refused"]
    async with runtime.session_factory() as session:
        versions = await CriteriaService(session).versions()
    assert [(v.version, v.valid_until) for v in versions] == [(2, None), (1, clock.today())]


async def _current_list(runtime: Runtime) -> CriteriaListRead:
    async with runtime.session_factory() as session:
        return await CriteriaService(session).current()
