"""Triage: every transition pair, who may make it, what must be given, and the event for the investigation."""

from __future__ import annotations

import asyncio
from itertools import product

import pytest
import sqlalchemy as sa

from erkenning.companies.models import Company
from erkenning.core import states
from erkenning.core.caller import Caller
from erkenning.core.errors import InvalidTransition
from erkenning.core.runtime import Runtime
from erkenning.reports.models import Report, ReportStatus
from erkenning.reports.services.reports import ReportService
from erkenning.reports.states import TRANSITIONS
from tests.factories import Principal, adviser_report, assigned_report, facts, make_company
from tests.helpers import REPORTS, act, outbox_events

S = ReportStatus
# Written out here, not read from the table, so that a change to the table fails this test.
ALLOWED = {
    (S.RECEIVED, S.IN_TRIAGE),
    (S.IN_TRIAGE, S.SUBSTANTIATED),
    (S.IN_TRIAGE, S.NOT_SUBSTANTIATED),
    (S.IN_TRIAGE, S.REFERRED),
}
ROUTES = {
    S.IN_TRIAGE: ("start-triage", {}),
    S.SUBSTANTIATED: ("substantiate", {"reason": "Meerdere getuigen"}),
    S.NOT_SUBSTANTIATED: ("mark-not-substantiated", {"reason": "Geen aanwijzingen"}),
    S.REFERRED: ("refer", {"reason": "Aangifte gedaan", "referred_to": "police"}),
}


async def _put_in(runtime: Runtime, report_id: str, status: ReportStatus) -> None:
    """Place a report in any status directly (keeping the table's constraints)."""
    outcome = status not in (S.RECEIVED, S.IN_TRIAGE)
    async with runtime.transaction() as session:
        await session.exec(
            sa.update(Report).where(Report.id == report_id).values(
                status=status,
                triaged_at=sa.func.now() if outcome else None,
                referred_to="police" if status is S.REFERRED else None,
                closed_at=sa.func.now() if status in (S.NOT_SUBSTANTIATED, S.REFERRED) else None,
            )
        )


async def _status(runtime: Runtime, report_id: str) -> Report:
    async with runtime.session_factory() as session:
        report = await session.get(Report, report_id)
        assert report is not None
        return report


def test_the_table_is_exactly_the_allowed_moves() -> None:
    assert set(TRANSITIONS) == ALLOWED


@pytest.mark.parametrize(("source", "target"), list(product(S, S)), ids=lambda s: s.value)
async def test_every_transition_pair(
    client, runtime: Runtime, adviser: Principal, company: Company, source: ReportStatus, target: ReportStatus
) -> None:
    report_id = await assigned_report(client, adviser, company)
    await _put_in(runtime, report_id, source)
    if target is S.RECEIVED:  # no route leads back to received
        report = await _status(runtime, report_id)
        caller = Caller(principal_id=adviser.id, role=adviser.role, name="a")
        with pytest.raises(InvalidTransition):
            states.check(TRANSITIONS, source, target, report, caller, {"reason": "x"})
        return
    route, body = ROUTES[target]
    response = await act(client, adviser, report_id, route, body)
    after = await _status(runtime, report_id)
    if (source, target) in ALLOWED:
        assert response.status_code == 200, response.text
        assert response.json()["status"] == target.value == after.status
    else:
        assert response.status_code == 409, response.text
        assert response.json()["type"] == "urn:erkenning:problem:invalid-transition"
        assert after.status is source


@pytest.mark.parametrize(("source", "target"), sorted(ALLOWED), ids=lambda s: s.value)
async def test_only_the_assigned_adviser_or_a_senior_may_move_it(
    client, runtime: Runtime, adviser: Principal, other_adviser: Principal, senior: Principal, admin: Principal,
    company: Company, source: ReportStatus, target: ReportStatus,
) -> None:
    report_id = await assigned_report(client, adviser, company)
    await _put_in(runtime, report_id, source)
    route, body = ROUTES[target]
    for outsider in (other_adviser, admin):
        refused = await act(client, outsider, report_id, route, body)
        assert refused.status_code == 403, refused.text
    assert (await _status(runtime, report_id)).status is source
    assert (await act(client, senior, report_id, route, body)).status_code == 200


async def test_outcomes_need_a_reason_and_a_referral_names_the_body(
    client, runtime: Runtime, adviser: Principal, company: Company
) -> None:
    report_id = await assigned_report(client, adviser, company)
    await _put_in(runtime, report_id, S.IN_TRIAGE)
    for route, body in (
        ("substantiate", {}),
        ("substantiate", {"reason": "  "}),
        ("mark-not-substantiated", {"reason": ""}),
        ("refer", {"reason": "x"}),
        ("refer", {"reason": "x", "referred_to": "mayor"}),
        ("substantiate", {"reason": "x", "status": "closed"}),
    ):
        assert (await act(client, adviser, report_id, route, body)).status_code == 422, (route, body)
    assert (await _status(runtime, report_id)).status is S.IN_TRIAGE

    referred = await act(client, adviser, report_id, "refer",
                         {"reason": "Valt onder het College", "referred_to": "human_rights_institute"})
    assert referred.status_code == 200
    body = referred.json()
    assert body["referred_to"] == "human_rights_institute" and body["triage_reason"] == "Valt onder het College"
    assert body["triaged_at"] and body["closed_at"]


async def test_substantiated_needs_a_matched_company_and_writes_the_event(
    client, runtime: Runtime, adviser: Principal, company: Company
) -> None:
    report_id = await assigned_report(client, adviser, None)
    assert (await act(client, adviser, report_id, "start-triage")).status_code == 200
    detail = (await client.get(f"{REPORTS}/{report_id}", headers=adviser.headers)).json()
    assert [a["to"] for a in detail["actions"]] == ["not_substantiated", "referred"]
    assert detail["other_reports_recent"] is None and detail["repeat_flag"] is False

    refused = await act(client, adviser, report_id, "substantiate", {"reason": "Ernstig"})
    assert refused.status_code == 409 and "company" in refused.json()["detail"]
    assert await outbox_events(runtime, "report.substantiated") == []

    matched = await act(client, adviser, report_id, "match", {"company_id": str(company.id)})
    assert matched.status_code == 200 and matched.json()["company_id"] == str(company.id)
    assert [a["to"] for a in matched.json()["actions"]] == ["substantiated", "not_substantiated", "referred"]
    done = await act(client, adviser, report_id, "substantiate", {"reason": "Ernstig"})
    assert done.status_code == 200, done.text
    assert done.json()["closed_at"] is None and done.json()["actions"] == []
    [event] = await outbox_events(runtime, "report.substantiated")
    assert event.payload == {"report_id": report_id, "company_id": str(company.id)}


async def test_matching_rules(
    client, runtime: Runtime, adviser: Principal, other_adviser: Principal, company: Company
) -> None:
    report_id = await assigned_report(client, adviser, None)
    body = {"company_id": str(company.id)}
    assert (await act(client, other_adviser, report_id, "match", body)).status_code == 403
    missing = await act(client, adviser, report_id, "match", {"company_id": "00000000-0000-0000-0000-000000000009"})
    assert missing.status_code == 422
    assert (await act(client, adviser, report_id, "match", body)).status_code == 200
    await _put_in(runtime, report_id, S.NOT_SUBSTANTIATED)
    assert (await act(client, adviser, report_id, "match", body)).status_code == 409


async def test_assignment_rules(
    client, adviser: Principal, other_adviser: Principal, senior: Principal, admin: Principal,
    school: Principal, company: Company,
) -> None:
    report = await adviser_report(client, adviser, {**facts(company), "channel": "contact_form"})
    rid = report["id"]
    to_other = {"adviser_id": str(other_adviser.id)}
    assert (await act(client, adviser, rid, "assign", to_other)).status_code == 403  # only seniors assign others
    assert (await act(client, admin, rid, "assign", {"adviser_id": str(admin.id)})).status_code == 403
    taken = await act(client, adviser, rid, "assign", {"adviser_id": str(adviser.id)})
    assert taken.status_code == 200 and taken.json()["assigned_to"] == str(adviser.id)
    stolen = await act(client, other_adviser, rid, "assign", {"adviser_id": str(other_adviser.id)})
    assert stolen.status_code == 409
    for not_an_adviser in (admin, school):
        response = await act(client, senior, rid, "assign", {"adviser_id": str(not_an_adviser.id)})
        assert response.status_code == 422
    moved = await act(client, senior, rid, "assign", to_other)
    assert moved.status_code == 200 and moved.json()["assigned_to"] == str(other_adviser.id)
    assert (await act(client, senior, rid, "assign", {"adviser_id": str(senior.id)})).status_code == 200


async def test_two_advisers_taking_a_report_at_once_one_wins(
    client, adviser: Principal, other_adviser: Principal, company: Company
) -> None:
    rid = (await adviser_report(client, adviser, {**facts(company), "channel": "phone"}))["id"]
    results = await asyncio.gather(
        *(act(client, who, rid, "assign", {"adviser_id": str(who.id)}) for who in (adviser, other_adviser))
    )
    assert sorted(r.status_code for r in results) == [200, 409]


async def test_conflicting_outcomes_at_once_one_wins(
    client, runtime: Runtime, adviser: Principal, senior: Principal, company: Company
) -> None:
    report_id = await assigned_report(client, adviser, company)
    await _put_in(runtime, report_id, S.IN_TRIAGE)
    results = await asyncio.gather(
        act(client, adviser, report_id, *ROUTES[S.SUBSTANTIATED]),
        act(client, senior, report_id, *ROUTES[S.NOT_SUBSTANTIATED]),
    )
    assert sorted(r.status_code for r in results) == [200, 409]
    assert len(await outbox_events(runtime, "report.substantiated")) == (1 if results[0].status_code == 200 else 0)


async def test_mark_closed_is_for_substantiated_reports_and_idempotent(
    client, runtime: Runtime, adviser: Principal, company: Company
) -> None:
    report_id = await assigned_report(client, adviser, company)
    system = Caller.system("investigation")
    async with runtime.transaction() as session:
        with pytest.raises(InvalidTransition):
            await ReportService(session).mark_closed(report_id, system)
    await _put_in(runtime, report_id, S.SUBSTANTIATED)
    for _ in range(2):
        async with runtime.transaction() as session:
            closed = await ReportService(session).mark_closed(report_id, system)
            assert closed.closed_at is not None
    async with runtime.session_factory() as session:
        assert [r.id for r in await ReportService(session).reports_of_company(company.id)] == [closed.id]
    assert (await _status(runtime, report_id)).coarse_status == "closed"


async def test_outcome_timestamps_are_kept_for_retention(
    client, runtime: Runtime, adviser: Principal, company: Company
) -> None:
    report_id = await assigned_report(client, adviser, company)
    await act(client, adviser, report_id, "start-triage")
    assert (await _status(runtime, report_id)).triaged_at is None
    await act(client, adviser, report_id, *ROUTES[S.NOT_SUBSTANTIATED])
    report = await _status(runtime, report_id)
    assert report.triaged_at is not None and report.closed_at == report.triaged_at


async def test_another_company_reports_are_not_counted(client, runtime: Runtime, adviser: Principal) -> None:
    first, second = await make_company(runtime), await make_company(runtime)
    await assigned_report(client, adviser, second)
    report_id = await assigned_report(client, adviser, first)
    detail = (await client.get(f"{REPORTS}/{report_id}", headers=adviser.headers)).json()
    assert detail["other_reports_recent"] == 0 and detail["repeat_flag"] is False
