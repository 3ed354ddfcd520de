"""Recognitions in the back office: applications start pending, one per company × crebo × pathway; what
held on a date; a company's recognitions; the reassessment worklist."""

from datetime import date, timedelta

import sqlalchemy as sa

from erkenning.core import clock
from erkenning.core.audit.models import AuditEvent
from erkenning.core.runtime import Runtime
from erkenning.recognition.models import Pathway
from erkenning.recognition.services.recognitions import notice_reassessments
from erkenning.recognition.tasks import SYSTEM
from tests.factories import World

ROUTE = "/api/v1/backoffice/recognitions"


async def test_an_application_starts_pending_with_a_period(client, world: World) -> None:
    await world.qualification("25180")
    applied = await client.post(
        ROUTE,
        json={"company_id": str(world.company_id), "crebo": "25180", "pathway": "bbl"},
        headers=world.adviser.headers,
    )
    assert applied.status_code == 201, applied.text
    body = applied.json()
    assert (body["status"], body["crebo"], body["qualification_name"], body["pathway"]) == (
        "pending",
        "25180",
        "Kok",
        "bbl",
    )
    detail = (await client.get(f"{ROUTE}/{body['id']}", headers=world.adviser.headers)).json()
    assert [(p["status"], p["valid_from"], p["valid_until"]) for p in detail["periods"]] == [
        ("pending", clock.today().isoformat(), None)
    ]
    twice = await client.post(
        ROUTE,
        json={"company_id": str(world.company_id), "crebo": "25180", "pathway": "bbl"},
        headers=world.adviser.headers,
    )
    assert twice.status_code == 409
    other_pathway = await client.post(
        ROUTE,
        json={"company_id": str(world.company_id), "crebo": "25180", "pathway": "bol"},
        headers=world.adviser.headers,
    )
    assert other_pathway.status_code == 201


async def test_bad_applications_are_refused(client, world: World, runtime: Runtime) -> None:
    qid = await world.qualification("25180")
    await client.patch(
        f"/api/v1/backoffice/qualifications/{qid}", json={"active": False}, headers=world.admin.headers
    )
    base = {"company_id": str(world.company_id), "crebo": "25180", "pathway": "bol"}
    inactive = await client.post(ROUTE, json=base, headers=world.adviser.headers)
    assert inactive.status_code == 422 and "no longer" in inactive.json()["detail"]
    unknown = await client.post(ROUTE, json={**base, "crebo": "99999"}, headers=world.adviser.headers)
    assert unknown.status_code == 404
    future = await client.post(
        ROUTE,
        json={**base, "applied_on": (clock.today() + timedelta(days=1)).isoformat()},
        headers=world.adviser.headers,
    )
    assert future.status_code == 422
    forced = await client.post(ROUTE, json={**base, "status": "active"}, headers=world.adviser.headers)
    assert forced.status_code == 422
    no_company = await client.post(
        ROUTE,
        json={**base, "company_id": "00000000-0000-0000-0000-000000000001"},
        headers=world.adviser.headers,
    )
    assert no_company.status_code == 404
    assert (await client.post(ROUTE, json=base, headers=world.admin.headers)).status_code == 403


async def test_status_on_a_date_and_the_companys_recognitions(client, world: World) -> None:
    granted_on = date(2024, 9, 1)
    recognition_id = await world.granted(on=granted_on)
    await world.application("25181", Pathway.BBL)
    url = f"{ROUTE}/{recognition_id}/status"
    before = (await client.get(url, params={"on": "2024-08-31"}, headers=world.adviser.headers)).json()
    assert before["status"] is None and before["since"] is None
    now = (await client.get(url, headers=world.adviser.headers)).json()
    assert (now["status"], now["since"], now["until"], now["on"]) == (
        "active",
        "2024-09-01",
        None,
        clock.today().isoformat(),
    )

    listing = await client.get(
        f"/api/v1/backoffice/companies/{world.company_id}/recognitions", headers=world.adviser.headers
    )
    assert [(r["crebo"], r["pathway"], r["status"]) for r in listing.json()] == [
        ("25180", "bol", "active"),
        ("25181", "bbl", "pending"),
    ]
    assert len(listing.json()[0]["decision_ids"]) == 1
    missing = await client.get(
        "/api/v1/backoffice/companies/00000000-0000-0000-0000-000000000001/recognitions",
        headers=world.adviser.headers,
    )
    assert missing.status_code == 404
    filtered = (
        await client.get(
            ROUTE,
            params={"company_id": str(world.company_id), "status": "pending"},
            headers=world.adviser.headers,
        )
    ).json()
    assert filtered["total"] == 1 and filtered["items"][0]["crebo"] == "25181"


async def test_reassessment_worklist_is_noticed_once_and_reset_by_a_reassessment(
    client, world: World, runtime: Runtime
) -> None:
    today = clock.today()
    due_soon = await world.granted(on=today - timedelta(days=4 * 365 - 30))  # due in about a month
    await world.granted("25181", on=today - timedelta(days=365))  # due in three years
    async with runtime.transaction() as session:
        assert await notice_reassessments(session, SYSTEM, today, 60) == 1
    async with runtime.transaction() as session:
        assert await notice_reassessments(session, SYSTEM, today, 60) == 0  # once
    async with runtime.session_factory() as session:
        audited = (
            (
                await session.exec(
                    sa.select(AuditEvent)
                    .where(AuditEvent.action == "recognition.reassessments_noticed")
                    .order_by(AuditEvent.seq.desc())
                )
            )
            .scalars()
            .first()
        )
    assert audited.detail["count"] == 1

    worklist = (await client.get(f"{ROUTE}/reassessment-due", headers=world.adviser.headers)).json()
    assert [r["id"] for r in worklist["items"]] == [str(due_soon)]
    assert worklist["items"][0]["reassessment_noticed_on"] == today.isoformat()
    assert worklist["items"][0]["company_name"]
    wider = (
        await client.get(
            f"{ROUTE}/reassessment-due", params={"within_days": 4 * 365}, headers=world.adviser.headers
        )
    ).json()
    assert wider["total"] == 2

    done = await client.post(
        f"{ROUTE}/{due_soon}/reassessed",
        json={"assessed_on": today.isoformat()},
        headers=world.adviser.headers,
    )
    assert done.status_code == 200, done.text
    assert done.json()["reassessment_due"] == today.replace(year=today.year + 4).isoformat()
    assert (await client.get(f"{ROUTE}/reassessment-due", headers=world.adviser.headers)).json()["total"] == 0
    future = await client.post(
        f"{ROUTE}/{due_soon}/reassessed",
        json={"assessed_on": (today + timedelta(days=1)).isoformat()},
        headers=world.adviser.headers,
    )
    assert future.status_code == 422
