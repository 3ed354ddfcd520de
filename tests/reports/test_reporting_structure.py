"""The reporting structure: a school keeps its own reporting point (meldpunt), SBB checks it, admins keep the
regional ADVs, and anyone finds the school's reporting point and the ADV by school or postcode."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import httpx
import pytest
import sqlalchemy as sa

from erkenning.core import migrate
from erkenning.core.audit.models import AuditEvent
from erkenning.core.caller import Role
from erkenning.core.runtime import Runtime
from erkenning.reports import places
from erkenning.reports.models import Adv, ReportingPoint
from tests.factories import Principal, TokenFactory, facts, school_report

REGISTER = "/api/v1/register"
OWN = f"{REGISTER}/school/reporting-points"
WHERE = f"{REGISTER}/where-to-report"
POINTS = "/api/v1/backoffice/reporting-points"
ADVS = "/api/v1/backoffice/advs"
COVERAGE = "/api/v1/backoffice/monitoring/reporting-points"


def point(**overrides: Any) -> dict[str, Any]:
    body = {
        "school_name": "ROC Midden Nederland",
        "municipality": "utrecht",
        "email": "meldpunt@roc.example.nl",
        "phone": "030 123 45 67",
        "url": "https://www.roc.example.nl/melden",
        "hours": "Maandag tot en met vrijdag, 9.00–17.00 uur",
    }
    body.update(overrides)
    return body


async def _count(runtime: Runtime, model: type) -> int:
    async with runtime.session_factory() as session:
        return (await session.exec(sa.select(sa.func.count()).select_from(model))).scalar_one()


async def _register(client: httpx.AsyncClient, school: Principal, **overrides: Any) -> dict[str, Any]:
    response = await client.put(f"{OWN}/{school.school_brin}", json=point(**overrides), headers=school.headers)
    assert response.status_code in (200, 201), response.text
    return response.json()  # type: ignore[no-any-return]


async def test_a_school_registers_and_changes_its_own_reporting_point(
    client: httpx.AsyncClient, school: Principal, shipped_advs: None, runtime: Runtime
) -> None:
    assert (await client.get(f"{OWN}/25LX", headers=school.headers)).status_code == 404  # none yet

    created = await client.put(f"{OWN}/25LX", json=point(), headers=school.headers)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["brin"] == "25LX" and body["version"] == 1 and body["checked"] is False
    assert body["municipality"] == "Utrecht"  # the spelling the ADV table keeps

    changed = await client.put(f"{OWN}/25LX", json=point(phone=None, hours=None), headers=school.headers)
    assert changed.status_code == 200 and changed.json()["version"] == 2 and changed.json()["phone"] is None
    read = (await client.get(f"{OWN}/25LX", headers=school.headers)).json()
    assert read["version"] == 2 and read["hours"] is None
    async with runtime.session_factory() as session:
        versions = (await session.exec(sa.select(AuditEvent.detail).where(
            AuditEvent.action == "reporting_point.saved", AuditEvent.actor_id == school.id).order_by(AuditEvent.seq))).scalars().all()
    assert [d["version"] for d in versions] == [1, 2]


async def test_a_school_keeps_only_its_own_reporting_point(
    client: httpx.AsyncClient, school: Principal, tokens: TokenFactory, runtime: Runtime
) -> None:
    other = await tokens.make(Role.SCHOOL, school_brin="30AB")
    await _register(client, other, school_name="Albeda")
    # Another BRIN code: not found whether it has a reporting point or not (a foreign id), and nothing changes.
    for brin in ("30AB", "31CD"):
        assert (await client.put(f"{OWN}/{brin}", json=point(), headers=school.headers)).status_code == 404
        assert (await client.get(f"{OWN}/{brin}", headers=school.headers)).status_code == 404
    async with runtime.session_factory() as session:
        rows = (await session.exec(sa.select(ReportingPoint))).scalars().all()
    assert [(r.brin, r.school_name) for r in rows] == [("30AB", "Albeda")]

    company = await tokens.make(Role.COMPANY)
    assert (await client.put(f"{OWN}/25LX", json=point(), headers=company.headers)).status_code == 403
    assert (await client.put(f"{OWN}/25LX", json=point())).status_code == 401
    adviser = await tokens.make(Role.ADVISER)
    assert (await client.put(f"{OWN}/25LX", json=point(), headers=adviser.headers)).status_code == 403


@pytest.mark.parametrize("overrides", [
    {"url": "http://www.roc.example.nl"},  # https only
    {"url": "javascript:alert(1)"},
    {"email": None, "phone": None, "url": None},  # not reachable
    {"email": "geen e-mailadres"},
    {"phone": "bel ons"},
    {"municipality": "<script>"},
    {"school_name": ""},
    {"school_name": "x" * 201},
    {"hours": "a\x00b"},
    {"checked_at": "2026-01-01T00:00:00Z"},  # unknown fields are refused: a school cannot check itself
    {"version": 9},
])
async def test_a_bad_reporting_point_is_refused_and_nothing_is_kept(
    client: httpx.AsyncClient, school: Principal, runtime: Runtime, overrides: dict[str, Any]
) -> None:
    response = await client.put(f"{OWN}/25LX", json=point(**overrides), headers=school.headers)
    assert response.status_code in (400, 422), response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert await _count(runtime, ReportingPoint) == 0


async def test_a_bad_brin_code_in_the_path_is_refused(client: httpx.AsyncClient, school: Principal) -> None:
    for brin in ("25lx", "2XLX", "25LX1", "25LX0000"):
        response = await client.put(f"{OWN}/{brin}", json=point(), headers=school.headers)
        assert response.status_code == 422, (brin, response.text)


async def test_sbb_checks_a_version_and_an_edit_by_the_school_unchecks_it(
    client: httpx.AsyncClient, school: Principal, adviser: Principal, admin: Principal
) -> None:
    await _register(client, school)
    assert (await client.post(f"{POINTS}/25LX/check", json={"version": 1}, headers=school.headers)).status_code == 403
    assert (await client.post(f"{POINTS}/25LX/check", json={"version": 1}, headers=admin.headers)).status_code == 403

    checked = await client.post(f"{POINTS}/25LX/check", json={"version": 1}, headers=adviser.headers)
    assert checked.status_code == 200, checked.text
    assert checked.json()["checked"] is True and checked.json()["checked_by"] == str(adviser.id)
    unchecked = (await client.get(POINTS, params={"checked": "false"}, headers=adviser.headers)).json()
    assert unchecked["total"] == 0

    await _register(client, school, school_name="ROC Midden Nederland (Utrecht)")
    mine = (await client.get(f"{POINTS}/25LX", headers=adviser.headers)).json()
    assert mine["checked"] is False and mine["checked_at"] is None and mine["version"] == 2
    stale = await client.post(f"{POINTS}/25LX/check", json={"version": 1}, headers=adviser.headers)
    assert stale.status_code == 409  # SBB read the old version
    assert (await client.get(POINTS, params={"checked": "false"}, headers=adviser.headers)).json()["total"] == 1
    assert (await client.post(f"{POINTS}/30AB/check", json={"version": 1}, headers=adviser.headers)).status_code == 404


async def test_where_to_report_by_school_shows_its_reporting_point_and_the_regional_adv(
    client: httpx.AsyncClient, school: Principal, tokens: TokenFactory, shipped_advs: None
) -> None:
    await _register(client, school)
    rotterdam = await tokens.make(Role.SCHOOL, school_brin="30AB")
    await _register(client, rotterdam, school_name="Albeda", municipality="Rotterdam", email="meldpunt@albeda.example")

    for query in ("25LX", "25lx", "midden neder"):
        found = (await client.get(WHERE, params={"school": query})).json()  # anonymous
        assert [p["brin"] for p in found["reporting_points"]] == ["25LX"], query
        assert found["municipality"] == "Utrecht"
        assert found["adv"]["name"] == "Antidiscriminatievoorziening Midden-Nederland"
        assert found["sbb_anonymous"] == "/api/v1/register/reports"

    albeda = (await client.get(WHERE, params={"school": "30AB"})).json()
    assert albeda["adv"]["name"] == "Antidiscriminatievoorziening Rotterdam-Rijnmond"
    assert albeda["reporting_points"][0]["email"] == "meldpunt@albeda.example"

    # LIKE's wildcards are plain characters in a name.
    assert (await client.get(WHERE, params={"school": "%%"})).json()["reporting_points"] == []
    unknown = (await client.get(WHERE, params={"school": "99ZZ"})).json()
    assert unknown["reporting_points"] == [] and unknown["adv"] is None
    assert unknown["adv_fallback"].startswith("https://")


async def test_where_to_report_by_postcode_shows_the_adv_and_the_schools_there(
    client: httpx.AsyncClient, school: Principal, shipped_advs: None
) -> None:
    await _register(client, school)
    for postcode in ("3511 AB", "3511ab", "3584"):
        found = (await client.get(WHERE, params={"postcode": postcode})).json()
        assert found["municipality"] == "Utrecht", postcode
        assert found["adv"]["name"] == "Antidiscriminatievoorziening Midden-Nederland"
        assert [p["brin"] for p in found["reporting_points"]] == ["25LX"]

    haag = (await client.get(WHERE, params={"postcode": "2511 CV"})).json()
    assert haag["municipality"] == "'s-Gravenhage" and haag["adv"]["name"].endswith("Haaglanden")
    assert haag["reporting_points"] == []
    nowhere = (await client.get(WHERE, params={"postcode": "9999 ZZ"})).json()
    assert nowhere["municipality"] is None and nowhere["adv"] is None


@pytest.mark.parametrize("params", [{}, {"school": "25LX", "postcode": "3511 AB"}, {"postcode": "35 11"},
                                    {"postcode": "ABCD EF"}, {"school": "x"}, {"school": "x" * 201}])
async def test_where_to_report_needs_one_valid_question(client: httpx.AsyncClient, params: dict[str, str]) -> None:
    response = await client.get(WHERE, params=params)
    assert response.status_code in (400, 422), response.text
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_admins_keep_the_advs_and_a_municipality_has_one(
    client: httpx.AsyncClient, admin: Principal, adviser: Principal, shipped_advs: None, runtime: Runtime
) -> None:
    listed = (await client.get(ADVS, headers=adviser.headers)).json()
    assert len(listed) == 16 and all(a["municipalities"] for a in listed)
    body = {"name": "Antidiscriminatievoorziening Zaanstreek", "website": "https://www.discriminatie.nl",
            "source": "Telefonisch nagevraagd, 7 december 2026", "municipalities": ["Zaanstad", "Wormerland"]}
    assert (await client.post(ADVS, json=body, headers=adviser.headers)).status_code == 403
    created = await client.post(ADVS, json=body, headers=admin.headers)
    assert created.status_code == 201, created.text
    adv_id = created.json()["id"]

    # Utrecht is covered already: 409, and nothing changes.
    taken = await client.put(f"{ADVS}/{adv_id}", json={**body, "municipalities": ["Zaanstad", "UTRECHT"]},
                             headers=admin.headers)
    assert taken.status_code == 409 and "Utrecht" in taken.json()["detail"]
    assert (await client.get(f"{ADVS}/{adv_id}", headers=adviser.headers)).json()["municipalities"] == [
        "Wormerland", "Zaanstad"]
    replaced = await client.put(f"{ADVS}/{adv_id}", json={**body, "phone": "075 123 45 67",
                                                          "municipalities": ["Zaanstad"]}, headers=admin.headers)
    assert replaced.status_code == 200 and replaced.json()["municipalities"] == ["Zaanstad"]
    assert replaced.json()["phone"] == "075 123 45 67"
    assert (await client.get(WHERE, params={"postcode": "1500"})).json()["adv"] is None  # no PC4 range for Zaanstad

    for bad in ({**body, "website": "http://x.nl"}, {**body, "municipalities": []},
                {**body, "municipalities": ["Zaanstad", "zaanstad"]}, {**body, "extra": 1}):
        assert (await client.put(f"{ADVS}/{adv_id}", json=bad, headers=admin.headers)).status_code in (400, 422)
    assert (await client.post(ADVS, json={**body, "municipalities": ["Wormerland"]},
                              headers=admin.headers)).status_code == 409  # the same name

    assert (await client.delete(f"{ADVS}/{adv_id}", headers=admin.headers)).status_code == 204
    assert (await client.get(f"{ADVS}/{adv_id}", headers=adviser.headers)).status_code == 404
    assert await _count(runtime, Adv) == 16


async def test_schools_without_a_reporting_point_are_listed_for_staff(
    client: httpx.AsyncClient, school: Principal, tokens: TokenFactory, adviser: Principal
) -> None:
    registered = await tokens.make(Role.SCHOOL, school_brin="30AB")
    await _register(client, registered, municipality="Rotterdam")
    await client.post(f"{POINTS}/30AB/check", json={"version": 1}, headers=adviser.headers)
    await school_report(client, school, facts())  # 25LX passed a report on, but has no reporting point
    await tokens.make(Role.SCHOOL, school_brin="12QQ")  # a token only
    only_reports = await tokens.make(Role.SCHOOL, school_brin="44RR")
    await school_report(client, only_reports, facts())

    coverage = (await client.get(COVERAGE, headers=adviser.headers)).json()
    assert coverage["schools_known"] == 4 and coverage["with_reporting_point"] == 1 and coverage["checked"] == 1
    assert coverage["without"] == [
        {"brin": "12QQ", "has_token": True, "reports_passed_on": 0},
        {"brin": "25LX", "has_token": True, "reports_passed_on": 1},
        {"brin": "44RR", "has_token": True, "reports_passed_on": 1},
    ]
    assert (await client.get(COVERAGE, headers=school.headers)).status_code == 403


def test_the_migration_loads_the_shipped_advs_and_its_downgrade_removes_the_tables(scratch_db: str) -> None:
    """7d2f5c8e1a64: the ADVs of reports/data/advs.json, each municipality once; down to the revision before."""
    plain = scratch_db.replace("postgresql+asyncpg://", "postgresql://")

    async def fetch(sql: str) -> object:
        conn = await asyncpg.connect(plain)
        try:
            return await conn.fetchval(sql)
        finally:
            await conn.close()

    shipped = places.load("advs.json")["advs"]
    migrate.upgrade(scratch_db)
    assert asyncio.run(fetch("SELECT count(*) FROM adv")) == len(shipped)
    assert asyncio.run(fetch("SELECT count(*) FROM adv_municipality")) == sum(len(a["municipalities"]) for a in shipped)
    assert "as of" in str(asyncio.run(fetch("SELECT min(source) FROM adv")))
    migrate.downgrade(scratch_db, "4e1a7c2b9d03")
    assert asyncio.run(fetch("SELECT to_regclass('adv') IS NULL AND to_regclass('reporting_point') IS NULL")) is True
