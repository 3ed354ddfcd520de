"""The investigation workflow through the HTTP API and a real arq worker (outcomes without a decision)."""

import asyncio
from datetime import timedelta
from uuid import UUID, uuid4

import sqlalchemy as sa
from sqlmodel import select

from erkenning.core import clock
from erkenning.core.audit.models import AuditEvent
from erkenning.core.caller import Role
from erkenning.core.runtime import Runtime
from erkenning.core.settings import Settings
from erkenning.workflows import deadlines
from erkenning.workflows.models import AdviserTask, Deadline, DeadlineKind, Investigation
from tests.factories import assigned_report, case_of, make_company, open_case
from tests.helpers import CASES, HEARINGS, MailCatcher, asgi_client, drain_queue, step, substantiate


async def _detail(client, who, case_id: str) -> dict:
    response = await client.get(f"{CASES}/{case_id}", headers=who.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_two_reports_about_one_company_make_one_investigation(
    client, runtime: Runtime, settings: Settings, adviser, company
) -> None:
    first = await assigned_report(client, adviser, company)
    second = await assigned_report(client, adviser, company)
    other_company = await make_company(runtime)
    third = await assigned_report(client, adviser, other_company)
    for report_id in (first, second, third):
        await substantiate(client, adviser, report_id)
    await drain_queue(settings)
    case_1, case_2, case_3 = [await case_of(runtime, r) for r in (first, second, third)]
    assert case_1 is not None and case_2 is not None and case_3 is not None
    assert case_1.id == case_2.id != case_3.id
    detail = await _detail(client, adviser, str(case_1.id))
    assert sorted(detail["report_ids"]) == sorted([first, second])
    assert [e["kind"] for e in detail["timeline"]][:2] == ["opened", "report_joined"]
    # Running the opening event again changes nothing.
    await drain_queue(settings)
    async with runtime.session_factory() as session:
        assert (await session.exec(select(sa.func.count()).select_from(Investigation))).one() == 2


async def test_hearing_request_answer_through_the_portal(
    client, runtime: Runtime, settings: Settings, adviser, company, company_user, mail: MailCatcher, tokens
) -> None:
    case_id = await open_case(client, runtime, settings, adviser, company)
    asked = await step(client, adviser, case_id, "hearing", {"question": "Hoe verloopt uw werving en selectie?"})
    assert asked.status_code == 200, asked.text
    assert asked.json()["status"] == "hearing"
    [hearing_deadline] = [d for d in asked.json()["deadlines"] if d["kind"] == "hearing_answer"]
    assert hearing_deadline["working_days_left"] == settings.hearing_term_working_days
    await drain_queue(settings)
    [message] = [m for m in mail.to("bedrijf@example.org") if "hoor en wederhoor" in m["Subject"]]
    text = MailCatcher.text(message)
    assert "Hoe verloopt uw werving en selectie?" in text
    assert "Melder" not in text and "verhaal" not in text  # nothing of the reporter or the narrative

    seen = await client.get(f"{HEARINGS}/{case_id}", headers=company_user.headers)
    assert seen.status_code == 200
    assert set(seen.json()) == {"id", "question", "requested_at", "answer_due_at", "answered_at", "answer",
                                "open_for_answer"}
    stranger = await tokens.make(Role.COMPANY)
    assert (await client.get(f"{HEARINGS}/{case_id}", headers=stranger.headers)).status_code == 404
    assert (await client.post(f"{HEARINGS}/{case_id}/answer", json={"answer": "x"},
                              headers=stranger.headers)).status_code == 404

    answered = await client.post(f"{HEARINGS}/{case_id}/answer", json={"answer": "Wij werven anoniem."},
                                 headers=company_user.headers)
    assert answered.status_code == 200, answered.text
    assert answered.json()["open_for_answer"] is False
    detail = await _detail(client, adviser, case_id)
    assert detail["status"] == "assessment"
    assert detail["hearing_answer"] == "Wij werven anoniem."
    again = await client.post(f"{HEARINGS}/{case_id}/answer", json={"answer": "nog eens"}, headers=company_user.headers)
    assert again.status_code == 409


async def test_no_answer_by_the_deadline_moves_the_case_on_by_itself(
    client, runtime: Runtime, settings: Settings, adviser, company, mail: MailCatcher
) -> None:
    case_id = await open_case(client, runtime, settings, adviser, company)
    await step(client, adviser, case_id, "hearing", {"question": "Uw reactie graag."})
    await drain_queue(settings)
    assert len(mail.to("bedrijf@example.org")) == 1

    with clock.travel(timedelta(days=8)):  # past the halfway reminder, before the deadline
        assert await deadlines.sweep(runtime) == (1, 0)
        assert await deadlines.sweep(runtime) == (0, 0)  # swept once, reminded once
        await drain_queue(settings)
    assert len(mail.to("bedrijf@example.org")) == 2

    with clock.travel(timedelta(days=20)):  # ten working days have certainly passed
        await deadlines.sweep(runtime)
        await drain_queue(settings)
        detail = await _detail(client, adviser, case_id)
    assert detail["status"] == "assessment"
    kinds = [e["kind"] for e in detail["timeline"]]
    assert "no_answer_received" in kinds and "reminder_sent" in kinds
    [hearing] = [d for d in detail["deadlines"] if d["kind"] == "hearing_answer"]
    assert hearing["status"] == "cancelled"


async def test_proposer_cannot_approve_and_another_senior_closes_with_school_feedback(
    client, runtime: Runtime, settings: Settings, adviser, senior, senior2, company, school, mail: MailCatcher
) -> None:
    case_id = await open_case(client, runtime, settings, adviser, company, school=school)
    await step(client, adviser, case_id, "assessment", {"reason": "Duidelijk zonder hoor en wederhoor"})
    proposal = {"outcome": "unfounded", "findings": "Geen aanwijzingen voor discriminatie"}
    assert (await step(client, senior, case_id, "proposal", proposal)).status_code == 200
    own = await step(client, senior, case_id, "approve")
    assert own.status_code == 403
    assert "Four eyes" in own.json()["detail"]
    adviser_try = await step(client, adviser, case_id, "approve")
    assert adviser_try.status_code == 403
    approved = await step(client, senior2, case_id, "approve")
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"
    await drain_queue(settings)
    detail = await _detail(client, adviser, case_id)
    assert detail["status"] == "closed" and detail["closed_at"]
    [feedback] = [m for m in mail.to("meldpunt@roc.example") if "Terugkoppeling" in m["Subject"]]
    text = MailCatcher.text(feedback)
    assert "ongegrond" in text
    assert "Geen aanwijzingen" not in text  # the outcome category, never the findings
    report_view = await client.get(f"/api/v1/register/school/reports/{detail['report_ids'][0]}",
                                   headers=school.headers)
    assert report_view.json()["status"] == "closed"


async def test_adverse_outcome_needs_a_hearing_first(client, runtime: Runtime, settings: Settings, adviser, company) -> None:
    case_id = await open_case(client, runtime, settings, adviser, company)
    await step(client, adviser, case_id, "assessment", {"reason": "direct beoordelen"})
    response = await step(client, adviser, case_id, "proposal", {
        "outcome": "withdrawal", "findings": "ernstig", "recognition_ids": [str(uuid4())],
        "effective_from": (clock.today() + timedelta(days=30)).isoformat(),
    })
    assert response.status_code == 403
    assert "heard" in response.json()["detail"]


async def test_send_back_needs_a_reason_and_returns_to_assessment(
    client, runtime: Runtime, settings: Settings, adviser, senior, company
) -> None:
    case_id = await open_case(client, runtime, settings, adviser, company)
    await step(client, adviser, case_id, "assessment", {"reason": "r"})
    await step(client, adviser, case_id, "proposal", {"outcome": "unfounded", "findings": "f"})
    assert (await step(client, senior, case_id, "send-back", {})).status_code == 422
    back = await step(client, senior, case_id, "send-back", {"reason": "Onderbouwing ontbreekt"})
    assert back.status_code == 200 and back.json()["status"] == "assessment"
    assert back.json()["timeline"][-1]["note"] == "Onderbouwing ontbreekt"


async def test_on_hold_moves_every_deadline_by_the_time_on_hold(
    client, runtime: Runtime, settings: Settings, adviser, company
) -> None:
    case_id = await open_case(client, runtime, settings, adviser, company)
    await step(client, adviser, case_id, "hearing", {"question": "q"})
    before = {d["kind"]: d["due_at"] for d in (await _detail(client, adviser, case_id))["deadlines"]}
    held = await step(client, adviser, case_id, "hold", {"reason": "Wacht op informatie van de school"})
    assert held.json()["status"] == "on_hold"
    assert {m["to"] for m in held.json()["allowed_moves"]} == {"hearing"}
    with clock.travel(timedelta(days=5)):
        # Deadlines of a case on hold are not swept.
        with clock.travel(timedelta(days=30)):
            assert await deadlines.sweep(runtime) == (0, 0)
        resumed = await step(client, adviser, case_id, "resume")
    assert resumed.status_code == 200 and resumed.json()["status"] == "hearing"
    async with runtime.session_factory() as session:
        rows = (await session.exec(select(Deadline).where(Deadline.investigation_id == UUID(case_id)))).all()
    from datetime import datetime

    for row in rows:
        shift = row.due_at - datetime.fromisoformat(before[row.kind.value])
        assert timedelta(days=5) - timedelta(seconds=5) < shift < timedelta(days=5) + timedelta(seconds=5)


async def test_conflicting_approvals_one_wins(
    client, runtime: Runtime, settings: Settings, adviser, senior, senior2, tokens, company
) -> None:
    senior3 = await tokens.make(Role.SENIOR_ADVISER)
    case_id = await open_case(client, runtime, settings, adviser, company)
    await step(client, adviser, case_id, "assessment", {"reason": "r"})
    await step(client, adviser, case_id, "proposal", {"outcome": "unfounded", "findings": "f"})
    results = await asyncio.gather(*(step(client, s, case_id, "approve") for s in (senior, senior2, senior3)))
    assert sorted(r.status_code for r in results) == [200, 409, 409]


async def test_improvement_agreement_follow_up_opens_a_task_when_courses_are_missing(
    client, runtime: Runtime, settings: Settings, adviser, senior, company, mail: MailCatcher
) -> None:
    case_id = await open_case(client, runtime, settings, adviser, company)
    await step(client, adviser, case_id, "assessment", {"reason": "r"})
    follow_up = clock.today() + timedelta(days=40)
    proposed = await step(client, adviser, case_id, "proposal", {
        "outcome": "improvement_agreement", "findings": "Werving niet objectief",
        "measures": "Anoniem solliciteren invoeren", "follow_up_on": follow_up.isoformat(),
        "recommended_topics": ["discrimination_free_recruitment"],
    })
    assert proposed.status_code == 200, proposed.text
    assert (await step(client, senior, case_id, "approve")).status_code == 200
    await drain_queue(settings)
    detail = await _detail(client, adviser, case_id)
    assert detail["status"] == "closed"
    assert any(d["kind"] == "follow_up" and d["status"] == "open" for d in detail["deadlines"])

    with clock.travel(timedelta(days=41)):
        await deadlines.sweep(runtime)
        await drain_queue(settings)
        detail = await _detail(client, adviser, case_id)
    [check] = [e for e in detail["timeline"] if e["kind"] == "follow_up_checked"]
    assert check["data"]["missing"] == ["discrimination_free_recruitment"]
    async with runtime.session_factory() as session:
        tasks = (await session.exec(select(AdviserTask).where(AdviserTask.investigation_id == UUID(case_id)))).all()
    assert len(tasks) == 1 and tasks[0].assigned_to == adviser.id
    assert any("nacontrole" in m["Subject"].lower() for m in mail.to("adviseur@sbb.example"))


async def test_lead_time_passing_escalates_to_senior_advisers_once(
    client, runtime: Runtime, settings: Settings, adviser, senior, senior2, company, mail: MailCatcher
) -> None:
    case_id = await open_case(client, runtime, settings, adviser, company)
    with clock.travel(timedelta(weeks=settings.investigation_lead_time_weeks, days=3)):
        await deadlines.sweep(runtime)
        await deadlines.sweep(runtime)
        await drain_queue(settings)
        listed = await client.get(CASES, params={"overdue": "true"}, headers=adviser.headers)
    assert [c["id"] for c in listed.json()["items"]] == [case_id]
    assert listed.json()["items"][0]["overdue"] is True
    for address in ("senior1@sbb.example", "senior2@sbb.example"):
        escalations = [m for m in mail.to(address) if m["Subject"].startswith("Escalatie")]
        assert [m["Subject"] for m in escalations] == ["Escalatie: doorlooptijd onderzoek overschreden"]
    detail = await _detail(client, adviser, case_id)
    assert [e["kind"] for e in detail["timeline"]].count("lead_time_escalated") == 1
    assert DeadlineKind.LEAD_TIME.value in {d["kind"] for d in detail["deadlines"]}


async def test_case_reads_are_audited_and_foreign_roles_refused(
    client, runtime: Runtime, settings: Settings, adviser, company, company_user, tokens
) -> None:
    case_id = await open_case(client, runtime, settings, adviser, company)
    await _detail(client, adviser, case_id)
    admin = await tokens.make(Role.ADMIN)
    audit_rows = await client.get("/api/v1/backoffice/admin/audit",
                                  params={"object_id": case_id, "action": "investigation.read"}, headers=admin.headers)
    assert audit_rows.json()["total"] >= 1
    school = await tokens.make(Role.SCHOOL, school_brin="11AA")
    for caller in (company_user, school, admin):
        assert (await client.get(f"{CASES}/{case_id}", headers=caller.headers)).status_code == 403
    # Before a hearing is requested, the company does not even learn the case exists.
    assert (await client.get(f"{HEARINGS}/{case_id}", headers=company_user.headers)).status_code == 404
    assert (await client.get(HEARINGS, headers=company_user.headers)).json() == []


async def test_twenty_conflicting_transitions_at_once_one_wins_with_one_audit_row(
    app, client, runtime: Runtime, settings: Settings, adviser, company
) -> None:
    case_id = await open_case(client, runtime, settings, adviser, company)
    moves = [("assessment", {"reason": f"Direct beoordelen {i}"}) for i in range(10)]
    moves += [("hearing", {"question": f"Wat is uw kant van het verhaal? {i}"}) for i in range(10)]

    async def attempt(action: str, body: dict) -> int:
        # Each request from its own client, as twenty people clicking at once would send them.
        async with asgi_client(app) as own:
            return (await own.post(f"{CASES}/{case_id}/{action}", json=body, headers=adviser.headers)).status_code

    statuses = await asyncio.gather(*(attempt(action, body) for action, body in moves))

    assert sorted(statuses) == [200] + [409] * 19
    async with runtime.session_factory() as session:
        case = await session.get(Investigation, UUID(case_id))
        moved = (await session.exec(
            select(sa.func.count()).select_from(AuditEvent).where(
                AuditEvent.object_id == case_id,
                sa.or_(AuditEvent.action == "investigation.assessment_started",
                       AuditEvent.action == "investigation.hearing_requested"),
            )
        )).one()
    winner = moves[statuses.index(200)][0]
    assert case.status.value == ("assessment" if winner == "assessment" else "hearing")
    assert moved == 1
