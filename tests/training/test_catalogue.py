"""The catalogue: courses and sessions kept by SBB staff, times in and out, validation."""

from __future__ import annotations

from datetime import timedelta

import pytest

from erkenning.core.caller import Role
from tests.factories import post_course, post_session
from tests.helpers import PORTAL_TRAINING, TRAINING


async def test_staff_keep_the_catalogue(client, adviser, tokens) -> None:
    admin = await tokens.make(Role.ADMIN)
    course = await post_course(
        client,
        admin,
        code="EL-BREIN",
        format="e_learning",
        topics=["adolescent_brain", "workplace_trainer", "adolescent_brain"],
    )
    assert course["topics"] == ["workplace_trainer", "adolescent_brain"]  # once each, in the list's order
    changed = await client.patch(
        f"{TRAINING}/courses/{course['id']}",
        json={"version": 1, "title": "Het puberbrein", "active": False},
        headers=adviser.headers,
    )
    assert changed.status_code == 200 and changed.json()["version"] == 2 and changed.json()["active"] is False
    stale = await client.patch(
        f"{TRAINING}/courses/{course['id']}", json={"version": 1, "title": "x"}, headers=adviser.headers
    )
    assert stale.status_code == 409 and stale.json()["type"] == "urn:erkenning:problem:stale-version"
    listed = await client.get(
        f"{TRAINING}/courses",
        params={"topic": "adolescent_brain", "active": "false"},
        headers=adviser.headers,
    )
    assert [c["title"] for c in listed.json()["items"]] == ["Het puberbrein"]


async def test_a_course_code_is_unique(client, adviser) -> None:
    await post_course(client, adviser, code="WS-1")
    again = await client.post(
        f"{TRAINING}/courses",
        json={
            "code": "WS-1",
            "title": "t",
            "format": "webinar",
            "topics": ["social_safety"],
            "duration_minutes": 60,
        },
        headers=adviser.headers,
    )
    assert again.status_code == 409 and again.json()["type"] == "urn:erkenning:problem:duplicate-course-code"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("topics", []),
        ("topics", ["cooking"]),
        ("format", "podcast"),
        ("duration_minutes", 0),
        ("code", "a b"),
        ("version", 3),
        ("active", "maybe"),
    ],
)
async def test_bad_course_input_is_422(client, adviser, field: str, value) -> None:
    body = {
        "code": "WS-X",
        "title": "t",
        "format": "workshop",
        "topics": ["social_safety"],
        "duration_minutes": 60,
    }
    response = await client.post(
        f"{TRAINING}/courses", json={**body, field: value}, headers=adviser.headers
    )
    assert response.status_code == 422, response.text


async def test_companies_read_the_catalogue_but_cannot_change_it(client, adviser, tokens) -> None:
    company = await tokens.make(Role.COMPANY)
    await post_course(client, adviser)
    assert (await client.post(f"{TRAINING}/courses", json={}, headers=company.headers)).status_code == 403
    assert (await client.get(f"{PORTAL_TRAINING}/courses", headers=company.headers)).json()["total"] == 1
    school = await tokens.make(Role.SCHOOL, school_brin="25LX")
    assert (await client.get(f"{PORTAL_TRAINING}/courses", headers=school.headers)).status_code == 403


async def test_session_times_go_in_with_a_zone_and_come_out_in_amsterdam(client, adviser) -> None:
    course = await post_course(client, adviser)
    response = await client.post(
        f"{TRAINING}/courses/{course['id']}/sessions",
        json={
            "starts_at": "2030-07-01T07:30:00Z",
            "ends_at": "2030-07-01T10:30:00Z",
            "online_url": "https://teams.example/meet/1",
            "capacity": 25,
        },
        headers=adviser.headers,
    )
    assert response.status_code == 201, response.text
    session = response.json()
    assert session["starts_at"] == "2030-07-01T09:30:00+02:00"
    assert session["enrolment_closes_at"] == session["starts_at"]  # by default: until it starts
    winter = await post_session(
        client,
        adviser,
        course["id"],
        starts_at="2030-01-15T09:30:00+01:00",
        ends_at="2030-01-15T12:00:00+01:00",
    )
    assert winter["starts_at"] == "2030-01-15T09:30:00+01:00" and winter["seats_left"] == 10


@pytest.mark.parametrize(
    "change",
    [
        {"starts_at": "2030-07-01T09:30:00"},  # no zone
        {"ends_at": "2030-07-01T09:00:00+02:00"},  # ends before it starts
        {"enrolment_closes_at": "2030-07-02T09:00:00+02:00"},  # closes after the start
        {"location": None},  # neither place nor link
        {"online_url": "javascript:alert(1)"},
        {"capacity": 0},
    ],
)
async def test_bad_session_input_is_422(client, adviser, change: dict) -> None:
    course = await post_course(client, adviser)
    body = {
        "starts_at": "2030-07-01T09:30:00+02:00",
        "ends_at": "2030-07-01T12:30:00+02:00",
        "location": "Utrecht",
        "capacity": 5,
    }
    response = await client.post(
        f"{TRAINING}/courses/{course['id']}/sessions", json={**body, **change}, headers=adviser.headers
    )
    assert response.status_code == 422, response.text


async def test_sessions_are_listed_by_start_with_their_seats(client, adviser) -> None:
    course = await post_course(client, adviser)
    late = await post_session(client, adviser, course["id"], starts_in=timedelta(days=20))
    early = await post_session(client, adviser, course["id"], starts_in=timedelta(days=5))
    listed = (
        await client.get(
            f"{TRAINING}/sessions", params={"course_id": course["id"]}, headers=adviser.headers
        )
    ).json()
    assert [s["id"] for s in listed["items"]] == [early["id"], late["id"]]
