"""A suspension or withdrawal an investigation proposes becomes an intended decision (art. 4:8 Awb): the
company sees the measure and may respond; a senior adviser who did not draft it decides after the response
(having read it) or the term; a person sends it. Only an urgent measure skips the intended decision, with
its reason recorded (art. 4:11 Awb). Through the API and a real worker."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from erkenning.core import calendar, clock
from erkenning.core.caller import Role
from erkenning.core.runtime import Runtime
from erkenning.core.settings import Settings
from erkenning.recognition.models import Pathway
from tests.factories import Principal, World, open_case
from tests.helpers import CASES, HEARINGS, MailCatcher, drain_queue, step

DECISIONS = "/api/v1/backoffice/decisions"
PORTAL = "/api/v1/portal/decisions"
FINDINGS = "Afwijzing van een stagiair om zijn afkomst is aannemelijk gemaakt."


async def _approved_proposal(
    client, runtime: Runtime, settings: Settings, tokens, company, company_user: Principal, proposer: Principal,
    approver: Principal, **proposal: Any,
) -> tuple[str, str, dict[str, Any]]:
    """A case whose suspension proposal (by `proposer`) `approver` approved, carried out by the worker:
    (case id, recognition id, the case as it then stands)."""
    world = World(runtime=runtime, adviser=proposer, senior=approver, senior2=approver,
                  admin=await tokens.make(Role.ADMIN), company=company_user)
    recognition_id = await world.granted("25180", Pathway.BOL, on=clock.today() - timedelta(days=200))
    case_id = await open_case(client, runtime, settings, proposer, company)
    asked = await step(client, proposer, case_id, "hearing", {"question": "Hoe verliep de selectie?"})
    assert asked.status_code == 200, asked.text
    answered = await client.post(f"{HEARINGS}/{case_id}/answer", json={"answer": "Wij betreuren het."},
                                 headers=company_user.headers)
    assert answered.status_code == 200, answered.text
    body = {"outcome": "suspension", "findings": FINDINGS, "recognition_ids": [str(recognition_id)], **proposal}
    proposed = await step(client, proposer, case_id, "proposal", body)
    assert proposed.status_code == 200, proposed.text
    assert (await step(client, approver, case_id, "approve")).status_code == 200
    await drain_queue(settings)
    detail = (await client.get(f"{CASES}/{case_id}", headers=proposer.headers)).json()
    return case_id, str(recognition_id), detail


async def _audited(runtime: Runtime, decision_id: str, action: str) -> list[dict[str, Any]]:
    async with runtime.engine.connect() as conn:
        rows = await conn.execute(
            sa.text("SELECT detail FROM audit_event WHERE object_id = :id AND action = :a ORDER BY seq"),
            {"id": decision_id, "a": action},
        )
        return [r[0] for r in rows]


async def test_an_approved_suspension_becomes_an_intended_decision_the_company_sees_and_nothing_is_sent(
    client, runtime: Runtime, settings: Settings, tokens, adviser, senior, senior2, company, company_user,
    mail: MailCatcher,
) -> None:
    effective = clock.today() + timedelta(days=21)
    placements = effective + timedelta(days=120)
    case_id, recognition_id, case = await _approved_proposal(
        client, runtime, settings, tokens, company, company_user, senior, senior2,
        effective_from=effective.isoformat(), placements_until=placements.isoformat(),
    )
    assert case["status"] == "closed" and case["decision_id"] and case["placements_until"] == placements.isoformat()
    [noted] = [e for e in case["timeline"] if e["kind"] == "intended_decision_sent"]
    decision_id = case["decision_id"]
    staff = (await client.get(f"{DECISIONS}/{decision_id}", headers=adviser.headers)).json()
    due = calendar.term_end(clock.today(), days=settings.intended_decision_response_days)
    assert staff["status"] == "intended" and staff["response_due"] == due.isoformat()
    assert noted["data"]["response_due"] == due.isoformat() and noted["data"]["kenmerk"] == staff["kenmerk"]
    assert staff["drafted_by"] == str(senior.id) and staff["investigation_id"] == case_id
    assert staff["sent_on"] is None and staff["approved_by"] is None and staff["objection_deadline"] is None
    assert [(r["crebo"], r["status_before"], r["status_after"]) for r in staff["scope"]] == [
        ("25180", "active", "suspended")
    ]

    # The company: an e-mail with the measure and its term, and the intended decision in its portal.
    [message] = [m for m in mail.to(company.email) if m["Subject"] == "Voornemen van SBB: schorsing van de erkenning"]
    text = MailCatcher.text(message)
    assert "25180 Kok (BOL)" in text and effective.strftime("%d-%m-%Y") in text and FINDINGS in text
    assert f"tot en met {due.strftime('%d-%m-%Y')}" in text
    portal = (await client.get(f"{PORTAL}/{decision_id}", headers=company_user.headers)).json()
    assert (portal["status"], portal["kind"], portal["grounds"]) == ("intended", "suspend", FINDINGS)
    assert portal["effective_from"] == effective.isoformat() and portal["placements_until"] == placements.isoformat()
    assert [r["recognition_id"] for r in portal["recognitions"]] == [recognition_id]
    letter = await client.get(f"{PORTAL}/{decision_id}/letter", headers=company_user.headers)
    assert letter.status_code == 200
    assert "van plan de erkenning van uw bedrijf als leerbedrijf te schorsen" in letter.text

    # Nothing was sent: no decision e-mail, the recognition unchanged, the register still says recognised.
    assert not [m for m in mail.to(company.email) if m["Subject"].startswith("Besluit van SBB: schorsing")]
    recognition = (
        await client.get(f"/api/v1/backoffice/recognitions/{recognition_id}", headers=adviser.headers)
    ).json()
    assert [p["status"] for p in recognition["periods"]] == ["active"]
    # The worker never sends, however often it runs.
    await drain_queue(settings)
    assert (await client.get(f"{DECISIONS}/{decision_id}", headers=adviser.headers)).json()["status"] == "intended"


async def test_the_decision_waits_for_the_response_or_the_term_and_a_senior_who_read_the_response(
    client, runtime: Runtime, settings: Settings, tokens, adviser, senior, senior2, company, company_user,
) -> None:
    effective = clock.today() + timedelta(days=30)
    _, _, case = await _approved_proposal(
        client, runtime, settings, tokens, company, company_user, senior, senior2,
        effective_from=effective.isoformat(), placements_until=effective.isoformat(),
    )
    url = f"{DECISIONS}/{case['decision_id']}"

    early = await client.post(f"{url}/approve", headers=senior2.headers)
    assert early.status_code == 409 and "may respond until" in early.json()["detail"]
    own = await client.post(f"{url}/approve", json={"response_read": True}, headers=senior.headers)
    assert own.status_code == 403 and "Four eyes" in own.json()["detail"]

    responded = await client.post(f"{PORTAL}/{case['decision_id']}/response",
                                  json={"text": "Wij hebben een nieuwe selectieprocedure."},
                                  headers=company_user.headers)
    assert responded.status_code == 200, responded.text
    detail = (await client.get(url, headers=senior2.headers)).json()
    [approve] = [a for a in detail["actions"] if a["to"] == "approved"]
    assert approve["needs"] == ["response_read"]
    unread = await client.post(f"{url}/approve", headers=senior2.headers)
    assert unread.status_code == 409 and "response_read" in unread.json()["detail"]
    unread = await client.post(f"{url}/approve", json={"response_read": False}, headers=senior2.headers)
    assert unread.status_code == 409
    assert (await client.get(url, headers=senior2.headers)).json()["status"] == "intended"
    approved = await client.post(f"{url}/approve", json={"response_read": True}, headers=senior2.headers)
    assert approved.status_code == 200, approved.text
    assert approved.json()["response_read_by"] == str(senior2.id) and approved.json()["response_read_at"]
    assert await _audited(runtime, case["decision_id"], "decision.response_read")

    # Sending is a person's own step, recorded with who it was.
    sent = await client.post(f"{url}/send", headers=adviser.headers)
    assert sent.status_code == 200 and sent.json()["sent_by"] == str(adviser.id)
    assert sent.json()["status"] == "sent" and sent.json()["objection_deadline"]


async def test_a_term_passed_without_response_lets_a_senior_approve_without_confirming(
    client, runtime: Runtime, settings: Settings, tokens, senior, senior2, company, company_user,
) -> None:
    effective = clock.today() + timedelta(days=40)
    _, _, case = await _approved_proposal(
        client, runtime, settings, tokens, company, company_user, senior, senior2,
        effective_from=effective.isoformat(), placements_until=effective.isoformat(),
    )
    url = f"{DECISIONS}/{case['decision_id']}"
    due = (await client.get(url, headers=senior2.headers)).json()["response_due"]
    with clock.travel(date.fromisoformat(due) - clock.today() + timedelta(days=1)):
        approved = await client.post(f"{url}/approve", headers=senior2.headers)
    assert approved.status_code == 200, approved.text
    assert approved.json()["response_term_passed_at"] and approved.json()["response_read_by"] is None


async def test_an_urgent_measure_skips_the_intended_decision_only_with_its_reason_recorded(
    client, runtime: Runtime, settings: Settings, tokens, adviser, senior, senior2, company, company_user,
    mail: MailCatcher,
) -> None:
    reason = "Een student is op de werkplek bedreigd; nieuwe plaatsingen moeten direct stoppen."
    effective = clock.today() + timedelta(days=2)
    _, _, case = await _approved_proposal(
        client, runtime, settings, tokens, company, company_user, senior, senior2,
        effective_from=effective.isoformat(), placements_until=(effective + timedelta(days=30)).isoformat(),
        urgent_reason=reason,
    )
    assert "urgent_decision_drafted" in [e["kind"] for e in case["timeline"]]
    url = f"{DECISIONS}/{case['decision_id']}"
    drafted = (await client.get(url, headers=senior2.headers)).json()
    assert drafted["status"] == "draft" and drafted["urgent_reason"] == reason and drafted["intended_on"] is None
    assert [a["to"] for a in drafted["actions"]] == ["approved", "cancelled"]
    assert not [m for m in mail.to(company.email) if m["Subject"].startswith("Voornemen")]

    assert (await client.post(f"{url}/approve", headers=senior.headers)).status_code == 403  # drafted it
    approved = await client.post(f"{url}/approve", headers=senior2.headers)
    assert approved.status_code == 200, approved.text
    [drafting] = await _audited(runtime, case["decision_id"], "decision.drafted")
    [approval] = await _audited(runtime, case["decision_id"], "decision.approved")
    assert drafting["urgent_reason"] == reason and approval["urgent_reason"] == reason
    sent = await client.post(f"{url}/send", headers=senior2.headers)
    assert sent.status_code == 200, sent.text
    letter = (await client.get(f"{url}/letter", headers=adviser.headers)).text
    assert "artikel 4:11 Awb" in letter and reason in letter


async def test_without_a_reason_a_harmful_decision_is_never_approved_without_the_intended_step(
    client, runtime: Runtime, tokens, senior, senior2, company_user,
) -> None:
    world = World(runtime=runtime, adviser=senior, senior=senior2, senior2=senior2,
                  admin=await tokens.make(Role.ADMIN), company=company_user)
    recognition_id = await world.granted()
    body = {"kind": "withdraw", "recognition_ids": [str(recognition_id)], "grounds": "Ernstig.",
            "legal_basis": "art. 7.2.10 WEB", "placements_until": clock.today().isoformat(),
            "criterion_code": "non_discrimination"}
    drafted = (await client.post(DECISIONS, json=body, headers=senior.headers)).json()
    refused = await client.post(f"{DECISIONS}/{drafted['id']}/approve", headers=senior2.headers)
    assert refused.status_code == 409 and "4:11" in refused.json()["detail"]
    made_urgent = await client.patch(f"{DECISIONS}/{drafted['id']}", json={"urgent_reason": "Direct gevaar."},
                                     headers=senior.headers)
    assert made_urgent.status_code == 200, made_urgent.text
    assert (await client.post(f"{DECISIONS}/{drafted['id']}/approve", headers=senior2.headers)).status_code == 200
    [updated] = await _audited(runtime, drafted["id"], "decision.updated")
    assert updated["urgent_reason"] == "Direct gevaar."


async def test_a_suspension_proposal_states_until_when_running_placements_may_continue(
    client, runtime: Runtime, settings: Settings, tokens, senior, company, company_user,
) -> None:
    world = World(runtime=runtime, adviser=senior, senior=senior, senior2=senior,
                  admin=await tokens.make(Role.ADMIN), company=company_user)
    recognition_id = await world.granted()
    case_id = await open_case(client, runtime, settings, senior, company)
    assert (await step(client, senior, case_id, "hearing", {"question": "Uw kant?"})).status_code == 200
    await client.post(f"{HEARINGS}/{case_id}/answer", json={"answer": "Geen."}, headers=company_user.headers)
    effective = clock.today() + timedelta(days=10)
    body = {"outcome": "suspension", "findings": FINDINGS, "recognition_ids": [str(recognition_id)],
            "effective_from": effective.isoformat()}
    missing = await step(client, senior, case_id, "proposal", body)
    assert missing.status_code == 422 and "placements_until" in missing.text
    early = await step(client, senior, case_id, "proposal",
                       {**body, "placements_until": (effective - timedelta(days=1)).isoformat()})
    assert early.status_code == 422 and "placements_until" in early.text
    # A withdrawal from a later date lets running placements go on until that date, unless said otherwise.
    withdrawal = await step(client, senior, case_id, "proposal", {**body, "outcome": "withdrawal"})
    assert withdrawal.status_code == 200 and withdrawal.json()["placements_until"] == effective.isoformat()


async def test_a_suspension_from_a_case_names_its_criterion_in_the_decision_and_the_letters(
    client, runtime: Runtime, settings: Settings, tokens, adviser, senior, senior2, company, company_user,
) -> None:
    """The case's outcome refers to the criterion it concerns (a discrimination case: non-discrimination, by
    default), and the suspension it leads to names that condition as no longer met, in its letters too."""
    effective = clock.today() + timedelta(days=30)
    _, _, case = await _approved_proposal(
        client, runtime, settings, tokens, company, company_user, senior, senior2,
        effective_from=effective.isoformat(), placements_until=effective.isoformat(),
    )
    current = (await client.get("/api/v1/backoffice/criteria/current", headers=adviser.headers)).json()
    [fair] = [c for c in current["criteria"] if c["code"] == "non_discrimination"]
    assert case["criterion_id"] == fair["id"]
    [proposed] = [e for e in case["timeline"] if e["kind"] == "proposed"]
    assert proposed["data"]["criterion"] == "non_discrimination"
    url = f"{DECISIONS}/{case['decision_id']}"
    decision = (await client.get(url, headers=adviser.headers)).json()
    assert decision["criterion"]["code"] == "non_discrimination" and decision["criterion_id"] == fair["id"]
    intended = (await client.get(f"{PORTAL}/{case['decision_id']}/letter", headers=company_user.headers)).text
    assert fair["title"] in intended and "waaraan niet (meer) wordt voldaan" in intended

    responded = await client.post(f"{url}/response", json={"text": "Wij passen de werving aan."},
                                  headers=adviser.headers)
    assert responded.status_code == 200, responded.text
    assert (await client.post(f"{url}/approve", json={"response_read": True}, headers=senior2.headers)).is_success
    assert (await client.post(f"{url}/send", headers=adviser.headers)).status_code == 200
    kept = (await client.get(f"{url}/letter", headers=adviser.headers)).text
    assert "schorst de erkenning" in kept and fair["title"] in kept and fair["source"] in kept


async def test_a_proposal_names_a_criterion_of_the_list_and_an_unfounded_one_none(
    client, runtime: Runtime, settings: Settings, senior, company,
) -> None:
    case_id = await open_case(client, runtime, settings, senior, company)
    assert (await step(client, senior, case_id, "assessment", {"reason": "Geen wederhoor nodig"})).status_code == 200
    unfounded = {"outcome": "unfounded", "findings": "Niet aannemelijk.", "criterion_code": "non_discrimination"}
    refused = await step(client, senior, case_id, "proposal", unfounded)
    assert refused.status_code == 422 and "criterion_code" in refused.text
    agreement = {"outcome": "improvement_agreement", "findings": "Werving eenzijdig.", "measures": "Training volgen.",
                 "follow_up_on": (clock.today() + timedelta(days=60)).isoformat()}
    refused = await step(client, senior, case_id, "proposal", {**agreement, "criterion_code": "no_such_code"})
    assert refused.status_code == 422 and "no_such_code" in refused.text
    proposed = await step(client, senior, case_id, "proposal", {**agreement, "criterion_code": "workplace_trainer"})
    assert proposed.status_code == 200, proposed.text
    current = (await client.get("/api/v1/backoffice/criteria/current", headers=senior.headers)).json()
    assert proposed.json()["criterion_id"] == next(c["id"] for c in current["criteria"] if c["code"] == "workplace_trainer")
