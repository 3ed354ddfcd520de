"""Course history: own rows only in the portal, the advisers' filters and CSV export, completed topics."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest

from erkenning.core import clock
from erkenning.core.caller import Role
from erkenning.core.runtime import Runtime
from erkenning.training.services import history, participations
from tests.factories import TokenFactory, make_company, post_course, post_session
from tests.helpers import PORTAL_TRAINING, TRAINING, enrol


async def test_portal_routes_with_another_companys_participation_are_404(client, adviser, tokens) -> None:
    course = await post_course(client, adviser)
    session = await post_session(client, adviser, course["id"])
    mine, theirs = await tokens.make(Role.COMPANY), await tokens.make(Role.COMPANY)
    foreign = (await enrol(client, theirs, session_id=session["id"])).json()

    for response in (
        await client.get(f"{PORTAL_TRAINING}/participations/{foreign['id']}", headers=mine.headers),
        await client.post(f"{PORTAL_TRAINING}/participations/{foreign['id']}/cancel", headers=mine.headers),
    ):
        assert response.status_code == 404
        assert response.json()["type"] == "urn:erkenning:problem:not-found"
    missing = await client.get(
        f"{PORTAL_TRAINING}/participations/00000000-0000-0000-0000-000000000000", headers=mine.headers
    )
    assert (
        missing.status_code == 404
        and missing.json()["detail"]
        == (await client.get(f"{PORTAL_TRAINING}/participations/{foreign['id']}", headers=mine.headers)).json()[
            "detail"
        ]
    )
    assert (await client.get(f"{PORTAL_TRAINING}/participations", headers=mine.headers)).json()["total"] == 0
    still = (await client.get(f"{PORTAL_TRAINING}/participations/{foreign['id']}", headers=theirs.headers)).json()
    assert still["status"] == "enrolled"


async def test_the_portal_offers_active_courses_and_upcoming_sessions_only(client, adviser, tokens) -> None:
    active = await post_course(client, adviser)
    retired = await post_course(client, adviser)
    upcoming = await post_session(client, adviser, active["id"], capacity=5)
    cancelled = await post_session(client, adviser, active["id"])
    await client.post(f"{TRAINING}/sessions/{cancelled['id']}/cancel", headers=adviser.headers)
    await client.patch(
        f"{TRAINING}/courses/{retired['id']}", json={"version": 1, "active": False}, headers=adviser.headers
    )
    company = await tokens.make(Role.COMPANY)
    courses = (await client.get(f"{PORTAL_TRAINING}/courses", headers=company.headers)).json()
    assert [c["id"] for c in courses["items"]] == [active["id"]]
    sessions = (await client.get(f"{PORTAL_TRAINING}/sessions", headers=company.headers)).json()
    assert [(s["id"], s["seats_left"]) for s in sessions["items"]] == [(upcoming["id"], 5)]


async def _history(client, adviser, tokens: TokenFactory):
    """Two companies; a workshop (recruitment) they attend, an e-learning (social safety) one completes."""
    workshop = await post_course(client, adviser, code="WS-WERF", topics=["discrimination_free_recruitment"])
    e_learning = await post_course(
        client,
        adviser,
        code="EL-VEILIG",
        format="e_learning",
        topics=["social_safety", "equal_opportunities"],
    )
    session = await post_session(client, adviser, workshop["id"], starts_in=timedelta(days=1))
    a, b = await tokens.make(Role.COMPANY), await tokens.make(Role.COMPANY)
    pa = (await enrol(client, a, session_id=session["id"], trainer_name="Jan de Vries")).json()
    pb = (await enrol(client, b, session_id=session["id"])).json()
    el = (await enrol(client, a, course_id=e_learning["id"])).json()
    with clock.travel(timedelta(days=2)):
        await client.post(
            f"{TRAINING}/sessions/{session['id']}/attendance",
            headers=adviser.headers,
            json={
                "records": [
                    {"participation_id": pa["id"], "status": "attended"},
                    {"participation_id": pb["id"], "status": "no_show"},
                ]
            },
        )
    await client.post(f"{TRAINING}/participations/{el['id']}/complete", headers=adviser.headers)
    return a, b, session, pa, pb, el


async def test_advisers_filter_the_whole_participation_list(client, adviser, tokens) -> None:
    a, b, session, pa, pb, el = await _history(client, adviser, tokens)

    async def ids(**params) -> set[str]:
        response = await client.get(f"{TRAINING}/participations", params=params, headers=adviser.headers)
        assert response.status_code == 200, response.text
        return {p["id"] for p in response.json()["items"]}

    assert await ids() == {pa["id"], pb["id"], el["id"]}
    assert await ids(topic="social_safety") == {el["id"]}
    assert await ids(format="workshop") == {pa["id"], pb["id"]}
    assert await ids(status="no_show") == {pb["id"]}
    assert await ids(company_id=str(a.company_id)) == {pa["id"], el["id"]}
    assert await ids(course_id=pa["course_id"], status="attended") == {pa["id"]}
    session_day = date.fromisoformat(pa["session_starts_at"][:10])
    assert await ids(since=session_day.isoformat(), until=session_day.isoformat()) == {pa["id"], pb["id"]}
    assert await ids(since=(clock.today() + timedelta(days=30)).isoformat()) == set()
    bogus = await client.get(
        f"{TRAINING}/participations", params={"status": "bogus"}, headers=adviser.headers
    )
    assert bogus.status_code == 422


async def test_an_adviser_sees_any_companys_history(client, adviser, tokens) -> None:
    a, b, *_ = await _history(client, adviser, tokens)
    response = await client.get(f"{TRAINING}/companies/{a.company_id}/history", headers=adviser.headers)
    assert response.status_code == 200, response.text
    lines = response.json()["items"]
    assert sorted((line["course_code"], line["status"]) for line in lines) == [
        ("EL-VEILIG", "completed"),
        ("WS-WERF", "attended"),
    ]
    unknown = await client.get(
        f"{TRAINING}/companies/00000000-0000-0000-0000-000000000000/history", headers=adviser.headers
    )
    assert unknown.status_code == 404


async def test_the_export_streams_csv_without_personal_data(client, adviser, tokens) -> None:
    a, *_ = await _history(client, adviser, tokens)
    response = await client.get(
        f"{TRAINING}/participations/export", params={"format": "workshop"}, headers=adviser.headers
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 2
    assert "trainer_name" not in rows[0] and "certificate_code" not in rows[0]
    assert "Jan de Vries" not in response.text
    assert {r["status"] for r in rows} == {"attended", "no_show"}
    assert all(r["session_starts_at"].endswith(("+01:00", "+02:00")) for r in rows)
    assert {r["topics"] for r in rows} == {"discrimination_free_recruitment"}
    company = await tokens.make(Role.COMPANY)
    assert (
        await client.get(f"{TRAINING}/participations/export", headers=company.headers)
    ).status_code == 403


async def test_completed_topics_answers_for_a_company_and_a_period(
    client, adviser, tokens, runtime: Runtime
) -> None:
    a, b, session, *_ = await _history(client, adviser, tokens)
    today = clock.today()
    wanted = ["discrimination_free_recruitment", "social_safety", "adolescent_brain"]
    async with runtime.session_factory() as db:
        assert await participations.completed_topics(db, a.company_id, wanted, today, today + timedelta(days=5)) == {
            "discrimination_free_recruitment",
            "social_safety",
        }
        # The no-show did not complete anything; the e-learning's completion day bounds the period.
        assert (
            await participations.completed_topics(db, b.company_id, wanted, today, today + timedelta(days=5))
            == set()
        )
        assert (
            await participations.completed_topics(
                db, a.company_id, wanted, today + timedelta(days=3), today + timedelta(days=9)
            )
            == set()
        )
        assert await participations.completed_topics(db, a.company_id, ["social_safety"], today, today) == {
            "social_safety"
        }
        assert await participations.completed_topics(db, a.company_id, [], today, today) == set()


async def test_the_export_keeps_formula_like_text_as_text(client, adviser, tokens, runtime: Runtime) -> None:
    course = await post_course(client, adviser, format="e_learning")
    company = await make_company(runtime, name='=HYPERLINK("https://evil.example","klik")')
    principal = await tokens.make(Role.COMPANY, company_id=company.id)
    await enrol(client, principal, course_id=course["id"])
    response = await client.get(f"{TRAINING}/participations/export", headers=adviser.headers)
    [row] = list(csv.DictReader(io.StringIO(response.text)))
    assert row["company_name"] == "'" + company.name


@pytest.mark.parametrize("path", ["/participations", "/participations/export"])
async def test_period_filters_must_be_dates(client, adviser, path: str) -> None:
    response = await client.get(f"{TRAINING}{path}", params={"since": "gisteren"}, headers=adviser.headers)
    assert response.status_code == 422


async def test_participation_counts_for_monitoring(client, adviser, tokens, runtime: Runtime) -> None:
    await _history(client, adviser, tokens)
    today = clock.today()
    async with runtime.session_factory() as db:
        counts = await history.participation_counts(db, today, today + timedelta(days=5))
        assert (
            await history.participation_counts(db, today + timedelta(days=30), today + timedelta(days=40))
            == []
        )
    assert [(c.format.value, c.topic, c.status.value, c.participations, c.companies) for c in counts] == [
        ("e_learning", "equal_opportunities", "completed", 1, 1),
        ("e_learning", "social_safety", "completed", 1, 1),
        ("workshop", "discrimination_free_recruitment", "attended", 1, 1),
        ("workshop", "discrimination_free_recruitment", "no_show", 1, 1),
    ]
